//! Cases made from the route table, which comes from the server's OpenAPI
//! document (`vitae_tests::routes`): every wrong method of every route, and
//! every private route and method without a token. A route added to the
//! document is covered here without editing this file.

use super::*;

/// A concrete path for a pattern, with ids that name nothing.
fn sample_path(pattern: &str) -> String {
    pattern
        .replace("{id}", "{uuid}")
        .replace("{revision}", "1")
        .replace("{token}", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
        .replace("{asset}", "console.js")
}

/// Every wrong method of every route: 405 with `Allow`, before auth (so no
/// token is sent). TRACE and a made-up method included; CONNECT, which reqwest
/// sends in authority form, is in `bad_http.rs`.
pub fn wrong_method_cases() -> Vec<Case> {
    let made_up = Method::from_bytes(b"FOO").unwrap();
    let candidates = [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
        Method::TRACE,
        made_up,
    ];
    let mut out = Vec::new();
    for route in routes() {
        let pattern = route.pattern.as_str();
        // HEAD goes with GET, except on `/s/`, which the router answers for
        // GET alone.
        let allowed = |m: &Method| {
            route.has(m.as_str())
                || (*m == Method::HEAD && route.has("GET") && !pattern.starts_with("/s/"))
        };
        for m in candidates.iter().filter(|m| !allowed(m)) {
            let mut c = case(
                format!("{m} on {pattern}"),
                m.clone(),
                sample_path(pattern),
                405,
                "method_not_allowed",
            )
            .auth(Auth::None);
            if pattern.starts_with("/s/") {
                c = c.header("accept", "application/json");
            }
            out.push(c);
        }
    }
    out
}

/// Every private route and method without a token: 401.
pub fn no_token_cases() -> Vec<Case> {
    let mut out = Vec::new();
    for route in routes().iter().filter(|r| !r.public) {
        let pattern = route.pattern.as_str();
        for m in &route.methods {
            let method = Method::from_bytes(m.as_bytes()).unwrap();
            out.push(
                case(
                    format!("{m} {pattern} without a token"),
                    method,
                    sample_path(pattern),
                    401,
                    "unauthorized",
                )
                .auth(Auth::None),
            );
        }
    }
    out
}
