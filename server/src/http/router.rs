//! The route table: every path pattern, who may call it, and for each of its
//! methods the one handler that answers it.
//!
//! This table is the only list of endpoints. [`super::dispatch`] matches the
//! path here (`matchit`), then takes the handler for the method straight
//! from the table: a known path with another method is a 405 with `Allow`,
//! an unknown path a 404, both as JSON errors. The OpenAPI sync test reads
//! [`table`] to check that `openapi.json` documents exactly these paths and
//! methods. Adding an endpoint is: a row here, its handler, its OpenAPI
//! entry.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, LazyLock};

use hyper::body::Incoming;
use hyper::{Method, Request, Response};

use super::error::HttpResult;
use super::{admin, console, diff, exports, jobs, openapi, resumes, shares, streams, tailor};
use super::{App, Body, Ctx};

/// What a handler returns: its answer, later.
pub type HandlerFuture<'a> = Pin<Box<dyn Future<Output = HttpResult<Response<Body>>> + Send + 'a>>;

/// One endpoint's code. Every handler has the same shape, so the table can
/// hold them side by side; [`handler!`] makes one from an `async fn`.
pub type Handler = for<'a> fn(&'a Arc<App>, &'a Ctx, Request<Incoming>) -> HandlerFuture<'a>;

/// A [`Handler`] from an `async fn(&Arc<App>, &Ctx, Request<Incoming>)`.
macro_rules! handler {
    ($f:path) => {{
        fn boxed<'a>(app: &'a Arc<App>, ctx: &'a Ctx, req: Request<Incoming>) -> HandlerFuture<'a> {
            Box::pin($f(app, ctx, req))
        }
        boxed as Handler
    }};
}

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone: health, the OpenAPI document, the console's files, and share
    /// links (whose token is the credential).
    Public,
    /// A bearer token in `Authorization`.
    Token,
    /// A bearer token in `Authorization` or `?access_token=`: the event
    /// streams, because browsers' `EventSource` cannot send headers.
    TokenOrQuery,
}

/// One path pattern and what it answers.
pub struct Route {
    /// In matchit's syntax (`{id}`), which is also OpenAPI's.
    pub pattern: &'static str,
    pub access: Access,
    /// Whether HEAD is answered like GET (without the body). True but on
    /// share links, where a HEAD from a link-preview bot must not count as
    /// a view.
    pub head: bool,
    /// The methods, in the order `Allow` lists them, each with its handler.
    methods: Vec<(Method, Handler)>,
}

impl Route {
    fn new(pattern: &'static str, access: Access) -> Route {
        Route {
            pattern,
            access,
            head: true,
            methods: Vec::new(),
        }
    }

    fn public(pattern: &'static str) -> Route {
        Route::new(pattern, Access::Public)
    }

    fn private(pattern: &'static str) -> Route {
        Route::new(pattern, Access::Token)
    }

    fn stream(pattern: &'static str) -> Route {
        Route::new(pattern, Access::TokenOrQuery)
    }

    fn on(mut self, method: Method, handler: Handler) -> Route {
        self.methods.push((method, handler));
        self
    }

    fn get(self, handler: Handler) -> Route {
        self.on(Method::GET, handler)
    }

    fn post(self, handler: Handler) -> Route {
        self.on(Method::POST, handler)
    }

    fn put(self, handler: Handler) -> Route {
        self.on(Method::PUT, handler)
    }

    fn patch(self, handler: Handler) -> Route {
        self.on(Method::PATCH, handler)
    }

    fn delete(self, handler: Handler) -> Route {
        self.on(Method::DELETE, handler)
    }

    fn no_head(mut self) -> Route {
        self.head = false;
        self
    }

    /// The methods this route takes (HEAD and OPTIONS aside).
    pub fn methods(&self) -> impl Iterator<Item = &Method> {
        self.methods.iter().map(|(method, _)| method)
    }

    /// The handler for `method`: its own, or GET's for a HEAD where
    /// [`Route::head`] allows it. `None` is a 405.
    pub fn handler(&self, method: &Method) -> Option<Handler> {
        let wanted = if *method == Method::HEAD && self.head {
            &Method::GET
        } else {
            method
        };
        self.methods
            .iter()
            .find(|(m, _)| m == wanted)
            .map(|&(_, handler)| handler)
    }

    /// The `Allow` header value for this route.
    pub fn allow(&self) -> String {
        let mut names: Vec<&str> = self.methods().map(Method::as_str).collect();
        names.push("OPTIONS");
        names.join(", ")
    }
}

/// Every route. Patterns are unique; the matcher is built from them.
static TABLE: LazyLock<Vec<Route>> = LazyLock::new(|| {
    vec![
        Route::public("/healthz").get(handler!(admin::health)),
        Route::public("/readyz").get(handler!(admin::ready)),
        Route::private("/metrics").get(handler!(admin::metrics)),
        Route::public("/openapi.json").get(handler!(openapi::get)),
        Route::private("/v1/resumes")
            .get(handler!(resumes::list))
            .post(handler!(resumes::upload)),
        Route::private("/v1/resumes/{id}")
            .get(handler!(resumes::get))
            .patch(handler!(resumes::patch))
            .delete(handler!(resumes::delete)),
        Route::stream("/v1/resumes/{id}/events").get(handler!(streams::parse_stream)),
        Route::private("/v1/resumes/{id}/master").post(handler!(resumes::master)),
        Route::private("/v1/resumes/{id}/shares")
            .get(handler!(shares::list))
            .post(handler!(shares::create)),
        Route::private("/v1/resumes/{id}/revisions").get(handler!(resumes::revisions)),
        Route::private("/v1/resumes/{id}/revisions/{revision}").get(handler!(resumes::revision)),
        Route::private("/v1/resumes/{id}/revisions/{revision}/restore")
            .post(handler!(resumes::restore)),
        Route::private("/v1/resumes/{id}/diff").get(handler!(diff::get)),
        Route::private("/v1/resumes/{id}/tailor").post(handler!(tailor::preview)),
        Route::private("/v1/resumes/{id}/tailor/confirm").post(handler!(tailor::confirm)),
        Route::private("/v1/resumes/{id}/export").get(handler!(exports::export)),
        Route::private("/v1/resumes/{id}/exports").post(handler!(exports::start)),
        Route::private("/v1/exports/{id}").get(handler!(exports::get)),
        Route::stream("/v1/exports/{id}/events").get(handler!(exports::events)),
        Route::private("/v1/exports/{id}/file").get(handler!(exports::file)),
        Route::private("/v1/templates").get(handler!(exports::templates)),
        Route::public("/v1/templates/{id}/preview.png").get(handler!(exports::preview)),
        Route::private("/v1/jobs")
            .get(handler!(jobs::list))
            .post(handler!(jobs::create)),
        Route::private("/v1/jobs/{id}")
            .get(handler!(jobs::get))
            .put(handler!(jobs::update))
            .delete(handler!(jobs::delete)),
        Route::private("/v1/shares/{token}")
            .get(handler!(shares::get))
            .delete(handler!(shares::revoke)),
        Route::stream("/v1/events").get(handler!(streams::account_stream)),
        Route::stream("/v1/logs").get(handler!(streams::log_stream)),
        Route::private("/v1/admin/tokens").post(handler!(admin::create_token)),
        Route::private("/v1/account").get(handler!(admin::account)),
        Route::public("/s/{token}")
            .get(handler!(shares::view))
            .post(handler!(shares::unlock))
            .no_head(),
        Route::public("/app").get(handler!(console::page)),
        Route::public("/app/").get(handler!(console::page)),
        Route::public("/app/{asset}").get(handler!(console::asset)),
    ]
});

/// The route table, in the order above.
pub fn table() -> &'static [Route] {
    &TABLE
}

/// Path patterns to their index in [`table`].
static MATCHER: LazyLock<matchit::Router<usize>> = LazyLock::new(|| {
    let mut router = matchit::Router::new();
    for (index, route) in table().iter().enumerate() {
        // The table is static; a bad pattern is caught by the test below.
        let _ = router.insert(route.pattern, index);
    }
    router
});

/// The route for `path` and its parameters (`id`, `token`, `revision`, `asset`).
pub fn find(path: &str) -> Option<(&'static Route, Vec<(String, String)>)> {
    let matched = MATCHER.at(path).ok()?;
    let params = matched
        .params
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Some((&table()[*matched.value], params))
}

/// The route for `path`, without its parameters (for labels and logs:
/// nothing is allocated).
pub fn find_route(path: &str) -> Option<&'static Route> {
    MATCHER
        .at(path)
        .ok()
        .map(|matched| &table()[*matched.value])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(path: &str) -> Option<&'static str> {
        find(path).map(|(route, _)| route.pattern)
    }

    #[test]
    fn every_route_is_reachable() {
        assert_eq!(pattern("/healthz"), Some("/healthz"));
        let (route, params) = find("/v1/resumes/abc/revisions/3").unwrap();
        assert_eq!(route.pattern, "/v1/resumes/{id}/revisions/{revision}");
        assert_eq!(
            params,
            vec![("id".into(), "abc".into()), ("revision".into(), "3".into())]
        );
        assert_eq!(pattern("/s/tok"), Some("/s/{token}"));
        assert_eq!(pattern("/v1/shares/tok"), Some("/v1/shares/{token}"));
        assert!(find("/v1/nope").is_none());
        assert!(find("/v1/resumes/a/b/c/d").is_none());
        assert_eq!(
            pattern("/v1/resumes/a/revisions/2/restore"),
            Some("/v1/resumes/{id}/revisions/{revision}/restore")
        );
        assert_eq!(
            pattern("/v1/resumes/a/tailor/confirm"),
            Some("/v1/resumes/{id}/tailor/confirm")
        );
        assert_eq!(pattern("/v1/jobs/j"), Some("/v1/jobs/{id}"));
        assert_eq!(pattern("/app"), Some("/app"));
        assert_eq!(pattern("/app/"), Some("/app/"));
        let (route, params) = find("/app/console.js").unwrap();
        assert_eq!(route.pattern, "/app/{asset}");
        assert_eq!(params, vec![("asset".into(), "console.js".into())]);
        assert!(find("/app/a/b").is_none());
        assert_eq!(pattern("/openapi.json"), Some("/openapi.json"));
    }

    #[test]
    fn every_pattern_of_the_table_is_in_the_matcher() {
        // `insert` errors are ignored when the matcher is built; a pattern
        // that failed to insert (or is shadowed) would not find itself.
        for route in table() {
            let concrete = route
                .pattern
                .replace("{id}", "x")
                .replace("{revision}", "1")
                .replace("{token}", "t")
                .replace("{asset}", "a");
            assert_eq!(pattern(&concrete), Some(route.pattern));
        }
    }

    #[test]
    fn methods_allow_and_head() {
        let resume = find("/v1/resumes/x").unwrap().0;
        assert_eq!(resume.allow(), "GET, PATCH, DELETE, OPTIONS");
        assert!(resume.handler(&Method::HEAD).is_some());
        assert!(resume.handler(&Method::POST).is_none());
        assert!(resume.handler(&Method::OPTIONS).is_none());
        let share_link = find("/s/t").unwrap().0;
        assert!(share_link.handler(&Method::GET).is_some());
        assert!(
            share_link.handler(&Method::HEAD).is_none(),
            "a HEAD is no view"
        );
        let one_share = find("/v1/shares/t").unwrap().0;
        assert_eq!(one_share.allow(), "GET, DELETE, OPTIONS");
        assert!(one_share.handler(&Method::HEAD).is_some());
        assert_eq!(share_link.allow(), "GET, POST, OPTIONS");
        assert!(find("/s/t").unwrap().0.handler(&Method::POST).is_some());
        assert_eq!(find("/v1/events").unwrap().0.access, Access::TokenOrQuery);
        assert_eq!(find("/v1/resumes").unwrap().0.access, Access::Token);
        assert_eq!(find("/app/x").unwrap().0.access, Access::Public);
    }
}
