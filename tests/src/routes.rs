//! The server's route table, read from its OpenAPI document
//! (`server/src/http/openapi.json`, served at `GET /openapi.json`; a unit test
//! of the server keeps it equal to the router's table). Tests that enumerate
//! routes — every wrong method of every route, every private route without a
//! token — take them from here, so a new route is covered without editing a
//! hand-kept list.

use std::sync::OnceLock;

use serde_json::Value;

/// The document, as built into the server.
const OPENAPI: &str = include_str!("../../server/src/http/openapi.json");

/// One path of the document with its operations.
#[derive(Debug, Clone)]
pub struct Route {
    /// The path pattern, e.g. `/v1/resumes/{id}/revisions/{revision}`.
    pub pattern: String,
    /// Its methods, upper case (`GET`, `POST`, …), in the document's order.
    pub methods: Vec<String>,
    /// Do its operations need no credential (`security: []`)?
    pub public: bool,
}

impl Route {
    /// Does `path` (a query is ignored) fall on this pattern? A `{param}`
    /// segment matches any non-empty segment.
    pub fn matches(&self, path: &str) -> bool {
        let path = path.split('?').next().unwrap_or("");
        let segs: Vec<&str> = path.split('/').collect();
        let pat: Vec<&str> = self.pattern.split('/').collect();
        pat.len() == segs.len()
            && pat.iter().zip(&segs).all(|(p, s)| {
                if p.starts_with('{') {
                    !s.is_empty()
                } else {
                    p == s
                }
            })
    }

    /// Does the document list `method` for this path?
    pub fn has(&self, method: &str) -> bool {
        self.methods.iter().any(|m| m.eq_ignore_ascii_case(method))
    }
}

/// Every path of the OpenAPI document, sorted by pattern.
pub fn routes() -> &'static [Route] {
    static ROUTES: OnceLock<Vec<Route>> = OnceLock::new();
    ROUTES.get_or_init(|| parse_routes(OPENAPI))
}

/// The route `path` falls on, if any.
pub fn route_of(path: &str) -> Option<&'static Route> {
    routes().iter().find(|r| r.matches(path))
}

fn parse_routes(doc: &str) -> Vec<Route> {
    let doc: Value = serde_json::from_str(doc).expect("openapi.json is JSON");
    let default_security = doc["security"].clone();
    let paths = doc["paths"].as_object().expect("openapi.json has paths");
    let mut routes: Vec<Route> = paths
        .iter()
        .map(|(pattern, item)| {
            let ops: Vec<(&String, &Value)> = item
                .as_object()
                .expect("a path item is an object")
                .iter()
                .filter(|(_, op)| op.get("responses").is_some())
                .collect();
            let public = ops.iter().all(|(_, op)| {
                op.get("security")
                    .unwrap_or(&default_security)
                    .as_array()
                    .is_some_and(Vec::is_empty)
            });
            Route {
                pattern: pattern.clone(),
                methods: ops.iter().map(|(m, _)| m.to_ascii_uppercase()).collect(),
                public,
            }
        })
        .collect();
    routes.sort_by(|a, b| a.pattern.cmp(&b.pattern));
    routes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_gives_the_routes_with_their_methods_and_auth() {
        let rs = routes();
        assert!(rs.len() >= 20, "{rs:?}");
        let health = route_of("/healthz").expect("/healthz");
        assert!(health.public && health.has("get") && !health.has("POST"));
        let resume = route_of("/v1/resumes/0f3c2a8e-5d1b-4c7a-9e6f-2b8d4a1c3e5f?x=1")
            .expect("a resume path");
        assert_eq!(resume.pattern, "/v1/resumes/{id}");
        assert!(!resume.public);
        for m in ["GET", "PATCH", "DELETE"] {
            assert!(resume.has(m), "{m} {resume:?}");
        }
        assert!(route_of("/v1/resumes//events").is_none());
        assert!(route_of("/nowhere").is_none());
    }
}
