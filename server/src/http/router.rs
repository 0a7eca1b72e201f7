//! The route table: path patterns to [`Route`]s, and which methods each takes.
//! Matching a path is `matchit`'s job; a known path with the wrong method is a
//! 405 with `Allow`, an unknown path a 404, both as JSON errors.

use std::sync::LazyLock;

use hyper::Method;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Health,
    Resumes,
    Resume,
    ResumeEvents,
    ResumeMaster,
    ResumeShares,
    ResumeRevisions,
    ResumeRevision,
    ResumeRevisionRestore,
    ResumeDiff,
    ResumeTailor,
    ResumeTailorConfirm,
    Jobs,
    Job,
    Share,
    Events,
    Logs,
    AdminTokens,
    PublicShare,
    /// The web console page, `/app` (and `/app/`).
    Console,
    /// One of the console's static files, `/app/{asset}`.
    ConsoleAsset,
    /// This API's OpenAPI document, `/openapi.json`.
    OpenApi,
}

impl Route {
    pub fn methods(self) -> &'static [Method] {
        match self {
            Route::Health | Route::ResumeEvents | Route::Events | Route::Logs | Route::OpenApi => {
                &[Method::GET]
            }
            Route::ResumeRevisions
            | Route::ResumeRevision
            | Route::ResumeDiff
            | Route::PublicShare
            | Route::Console
            | Route::ConsoleAsset => &[Method::GET],
            Route::Resumes | Route::ResumeShares | Route::Jobs => &[Method::GET, Method::POST],
            Route::Resume => &[Method::GET, Method::PATCH, Method::DELETE],
            Route::Job => &[Method::GET, Method::PUT, Method::DELETE],
            Route::ResumeMaster
            | Route::ResumeRevisionRestore
            | Route::ResumeTailor
            | Route::ResumeTailorConfirm
            | Route::AdminTokens => &[Method::POST],
            Route::Share => &[Method::DELETE],
        }
    }

    /// The `Allow` header value for this route.
    pub fn allow(self) -> String {
        let mut names: Vec<&str> = self.methods().iter().map(Method::as_str).collect();
        names.push("OPTIONS");
        names.join(", ")
    }

    /// Streams accept `?access_token=` because browsers' `EventSource`
    /// cannot send an Authorization header.
    pub fn is_stream(self) -> bool {
        matches!(self, Route::ResumeEvents | Route::Events | Route::Logs)
    }
}

/// Every path pattern and its route: the one table, used to build the
/// matcher below and, by the OpenAPI sync test, to check that
/// `openapi.json` documents exactly these paths and methods.
static TABLE: &[(&str, Route)] = &[
    ("/healthz", Route::Health),
    ("/openapi.json", Route::OpenApi),
    ("/v1/resumes", Route::Resumes),
    ("/v1/resumes/{id}", Route::Resume),
    ("/v1/resumes/{id}/events", Route::ResumeEvents),
    ("/v1/resumes/{id}/master", Route::ResumeMaster),
    ("/v1/resumes/{id}/shares", Route::ResumeShares),
    ("/v1/resumes/{id}/revisions", Route::ResumeRevisions),
    (
        "/v1/resumes/{id}/revisions/{revision}",
        Route::ResumeRevision,
    ),
    (
        "/v1/resumes/{id}/revisions/{revision}/restore",
        Route::ResumeRevisionRestore,
    ),
    ("/v1/resumes/{id}/diff", Route::ResumeDiff),
    ("/v1/resumes/{id}/tailor", Route::ResumeTailor),
    (
        "/v1/resumes/{id}/tailor/confirm",
        Route::ResumeTailorConfirm,
    ),
    ("/v1/jobs", Route::Jobs),
    ("/v1/jobs/{id}", Route::Job),
    ("/v1/shares/{token}", Route::Share),
    ("/v1/events", Route::Events),
    ("/v1/logs", Route::Logs),
    ("/v1/admin/tokens", Route::AdminTokens),
    ("/s/{token}", Route::PublicShare),
    ("/app", Route::Console),
    ("/app/", Route::Console),
    ("/app/{asset}", Route::ConsoleAsset),
];

/// The route table: `(path pattern, route)`, patterns in matchit's syntax
/// (`{id}`), which is also OpenAPI's.
pub fn table() -> &'static [(&'static str, Route)] {
    TABLE
}

static ROUTES: LazyLock<matchit::Router<Route>> = LazyLock::new(|| {
    let mut router = matchit::Router::new();
    for &(path, route) in table() {
        // The table is static; a bad pattern is caught by the test below.
        let _ = router.insert(path, route);
    }
    router
});

/// The route for `path` and its parameters (`id`, `token`, `revision`).
pub fn find(path: &str) -> Option<(Route, Vec<(String, String)>)> {
    let matched = ROUTES.at(path).ok()?;
    let params = matched
        .params
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Some((*matched.value, params))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_reachable() {
        assert_eq!(find("/healthz").unwrap().0, Route::Health);
        let (route, params) = find("/v1/resumes/abc/revisions/3").unwrap();
        assert_eq!(route, Route::ResumeRevision);
        assert_eq!(
            params,
            vec![("id".into(), "abc".into()), ("revision".into(), "3".into())]
        );
        assert_eq!(find("/s/tok").unwrap().0, Route::PublicShare);
        assert_eq!(find("/v1/shares/tok").unwrap().0, Route::Share);
        assert!(find("/v1/nope").is_none());
        assert!(find("/v1/resumes/a/b/c/d").is_none());
        assert_eq!(Route::Resume.allow(), "GET, PATCH, DELETE, OPTIONS");
        assert_eq!(
            find("/v1/resumes/a/revisions/2/restore").unwrap().0,
            Route::ResumeRevisionRestore
        );
        assert_eq!(
            find("/v1/resumes/a/tailor/confirm").unwrap().0,
            Route::ResumeTailorConfirm
        );
        assert_eq!(find("/v1/jobs/j").unwrap().0, Route::Job);
        assert_eq!(find("/app").unwrap().0, Route::Console);
        assert_eq!(find("/app/").unwrap().0, Route::Console);
        let (route, params) = find("/app/console.js").unwrap();
        assert_eq!(route, Route::ConsoleAsset);
        assert_eq!(params, vec![("asset".into(), "console.js".into())]);
        assert!(find("/app/a/b").is_none());
        assert_eq!(find("/openapi.json").unwrap().0, Route::OpenApi);
    }

    #[test]
    fn every_pattern_of_the_table_is_in_the_matcher() {
        // `insert` errors are ignored when the matcher is built; a pattern
        // that failed to insert (or is shadowed) would not find itself.
        for &(pattern, route) in table() {
            let concrete = pattern
                .replace("{id}", "x")
                .replace("{revision}", "1")
                .replace("{token}", "t")
                .replace("{asset}", "a");
            assert_eq!(find(&concrete).map(|f| f.0), Some(route), "{pattern}");
        }
    }
}
