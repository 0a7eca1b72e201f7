//! `GET /openapi.json`: the OpenAPI 3.1 description of the whole API.
//!
//! The document is the static file `openapi.json` next to this module,
//! compiled into the binary, so the server always describes the API it was
//! built with. It is public (no token), served as `application/json` with a
//! strong `ETag` (a hash of the file) and `Cache-Control: no-cache`, so
//! tools revalidate and get a bodiless `304` while it is unchanged.
//!
//! Keeping it true is the job of the tests below (every route and method of
//! [`super::router::table`] is documented, and nothing else; every `$ref`
//! resolves; every error code is one the server knows) and, against a live
//! server, of `scripts/schemathesis.sh` (0 server errors, every response
//! conforms to the document).

use std::sync::LazyLock;

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::header::HeaderMap;
use hyper::{Request, Response};

use super::error::HttpResult;
use super::static_file::StaticFile;
use super::{App, Body, Ctx};

/// The document, as served.
pub const SPEC: &str = include_str!("openapi.json");

/// The document with its `ETag` (a hash of it).
static SPEC_FILE: LazyLock<StaticFile> =
    LazyLock::new(|| StaticFile::new(SPEC.as_bytes(), "application/json"));

/// `GET`/`HEAD /openapi.json`.
pub async fn get(_: &Arc<App>, _: &Ctx, req: Request<Incoming>) -> HttpResult<Response<Body>> {
    Ok(handle(req.headers()))
}

/// The document, or `304` when `If-None-Match` names it.
pub fn handle(request: &HeaderMap) -> Response<Body> {
    SPEC_FILE.answer(request)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use hyper::Method;
    use serde_json::Value;
    use vitae_common::ErrorCode;

    use hyper::header::{HeaderValue, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
    use hyper::StatusCode;

    use super::super::router::table;
    use super::*;

    fn spec() -> Value {
        serde_json::from_str(SPEC).expect("openapi.json is JSON")
    }

    /// The methods an OpenAPI path item may hold.
    const METHODS: [&str; 8] = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];

    /// The sync rule: the spec documents exactly the router's table.
    ///
    /// - Every `(pattern, method)` of [`table`] (the route's `methods()`) is
    ///   an operation of the spec under the same path (both write
    ///   parameters as `{name}`).
    /// - Every path of the spec is a pattern of the table, and every
    ///   operation under it is a method that route takes.
    /// - `HEAD` and `OPTIONS` are implicit: the server answers `HEAD`
    ///   wherever it answers `GET` (except on share links) and `OPTIONS`
    ///   everywhere (CORS), so the spec need not list them; if it does, the
    ///   route must answer them (OPTIONS: any route; HEAD: a GET route other
    ///   than `/s/{token}`).
    #[test]
    fn the_spec_documents_exactly_the_routers_table() {
        let spec = spec();
        let paths = spec["paths"].as_object().expect("paths");
        let mut missing = Vec::new();
        for route in table() {
            let pattern = route.pattern;
            for method in route.methods() {
                let name = method.as_str().to_ascii_lowercase();
                if paths
                    .get(pattern)
                    .and_then(|item| item.get(&name))
                    .is_none()
                {
                    missing.push(format!("{method} {pattern}"));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "routes missing from openapi.json: {missing:?}"
        );

        let mut unknown = Vec::new();
        for (path, item) in paths {
            let Some(route) = table().iter().find(|route| route.pattern == path) else {
                unknown.push(format!("path {path}"));
                continue;
            };
            for key in item.as_object().expect("a path item").keys() {
                if !METHODS.contains(&key.as_str()) {
                    continue; // `parameters`, `summary`, …
                }
                // The dispatch rule itself: OPTIONS everywhere, any other
                // method (HEAD included) where the route has a handler.
                let answered = key == "options"
                    || Method::from_bytes(key.to_ascii_uppercase().as_bytes())
                        .is_ok_and(|method| route.handler(&method).is_some());
                if !answered {
                    unknown.push(format!("{} {path}", key.to_ascii_uppercase()));
                }
            }
        }
        assert!(
            unknown.is_empty(),
            "openapi.json documents what the router does not route: {unknown:?}"
        );
    }

    #[test]
    fn the_spec_is_openapi_3_1_of_this_version() {
        let spec = spec();
        assert_eq!(spec["openapi"], "3.1.0");
        assert_eq!(spec["info"]["version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(spec["servers"][0]["url"], "/");
        assert!(spec["components"]["securitySchemes"]["bearerAuth"].is_object());
    }

    /// Every `"$ref"` in the document, with where it was found.
    fn refs<'a>(value: &'a Value, at: &str, out: &mut Vec<(String, &'a str)>) {
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    if key == "$ref" {
                        if let Some(target) = child.as_str() {
                            out.push((at.to_string(), target));
                        }
                    } else {
                        refs(child, &format!("{at}/{key}"), out);
                    }
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    refs(child, &format!("{at}/{i}"), out);
                }
            }
            _ => {}
        }
    }

    #[test]
    fn every_ref_resolves() {
        let spec = spec();
        let mut found = Vec::new();
        refs(&spec, "", &mut found);
        assert!(found.len() > 100, "the spec uses components");
        let broken: Vec<_> = found
            .iter()
            .filter(|(_, target)| {
                // Local refs only; `Value::pointer` unescapes `~1` and `~0`.
                target
                    .strip_prefix('#')
                    .is_none_or(|pointer| spec.pointer(pointer).is_none())
            })
            .collect();
        assert!(broken.is_empty(), "unresolved $refs: {broken:?}");
    }

    #[test]
    fn every_operation_declares_its_parameters_and_the_limit_answers() {
        let spec = spec();
        let resolve = |v: &Value| -> Value {
            match v["$ref"].as_str() {
                Some(r) => spec.pointer(&r[1..]).cloned().unwrap_or(Value::Null),
                None => v.clone(),
            }
        };
        let mut ids = BTreeSet::new();
        for (path, item) in spec["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let what = format!("{} {path}", method.to_ascii_uppercase());
                let op_id = op["operationId"].as_str().unwrap_or_default();
                assert!(
                    ids.insert(op_id.to_string()),
                    "{what}: operationId {op_id:?} repeats or is missing"
                );
                // Path parameters: exactly the pattern's `{name}`s.
                let params: Vec<Value> = op["parameters"]
                    .as_array()
                    .map(|ps| ps.iter().map(resolve).collect())
                    .unwrap_or_default();
                let declared: BTreeSet<&str> = params
                    .iter()
                    .filter(|p| p["in"] == "path")
                    .filter_map(|p| p["name"].as_str())
                    .collect();
                let in_pattern: BTreeSet<&str> = path
                    .split('/')
                    .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
                    .collect();
                assert_eq!(declared, in_pattern, "{what}: path parameters");
                // Limits can refuse any request; bodies can be slow or big;
                // writes can meet a full disk; private routes need a token.
                let responses = op["responses"].as_object().expect("responses");
                let mut required = vec!["429", "503"];
                if op.get("requestBody").is_some() {
                    required.extend(["400", "408", "413"]);
                }
                // (A tailoring preview is a POST that stores nothing.)
                if matches!(method.as_str(), "post" | "put" | "patch" | "delete")
                    && op_id != "tailorPreview"
                {
                    required.push("507");
                }
                let public = op["security"].as_array().is_some_and(Vec::is_empty);
                if !public {
                    required.push("401");
                }
                for code in required {
                    assert!(responses.contains_key(code), "{what}: no {code} response");
                }
            }
        }
    }

    /// The wire name of every [`ErrorCode`]. A new variant fails to compile
    /// here until it is added, and then the test below wants it in the spec.
    fn wire_name(code: ErrorCode) -> &'static str {
        match code {
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::Conflict => "conflict",
            ErrorCode::Gone => "gone",
            ErrorCode::PreconditionFailed => "precondition_failed",
            ErrorCode::RequestTimeout => "request_timeout",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::Unprocessable => "unprocessable",
            ErrorCode::TooManyRequests => "too_many_requests",
            ErrorCode::Internal => "internal",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::InsufficientStorage => "insufficient_storage",
            ErrorCode::QuotaExceeded => "quota_exceeded",
            ErrorCode::InvalidCursor => "invalid_cursor",
        }
    }

    const ALL: [ErrorCode; 18] = [
        ErrorCode::BadRequest,
        ErrorCode::Unauthorized,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::Conflict,
        ErrorCode::Gone,
        ErrorCode::PreconditionFailed,
        ErrorCode::RequestTimeout,
        ErrorCode::PayloadTooLarge,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::Unprocessable,
        ErrorCode::TooManyRequests,
        ErrorCode::Internal,
        ErrorCode::Unavailable,
        ErrorCode::InsufficientStorage,
        ErrorCode::QuotaExceeded,
        ErrorCode::InvalidCursor,
    ];

    #[test]
    fn the_error_code_enum_is_the_servers() {
        let spec = spec();
        let documented: BTreeSet<&str> = spec["components"]["schemas"]["ErrorCode"]["enum"]
            .as_array()
            .expect("ErrorCode enum")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let statuses: BTreeSet<&str> = spec["paths"]
            .as_object()
            .unwrap()
            .values()
            .flat_map(|item| item.as_object().unwrap().values())
            .flat_map(|op| op["responses"].as_object().unwrap().keys())
            .map(String::as_str)
            .collect();
        for code in ALL {
            let name = wire_name(code);
            assert_eq!(serde_json::to_value(code).unwrap(), name);
            assert!(
                documented.contains(name),
                "{name} is not in the spec's ErrorCode"
            );
            // Some operation answers that code's status (405, implicit on
            // every path, is documented in components only).
            let status = code.status().to_string();
            assert!(
                statuses.contains(status.as_str()) || code == ErrorCode::MethodNotAllowed,
                "no operation answers {status} ({name})"
            );
        }
        for name in &documented {
            assert!(
                ALL.iter().any(|c| wire_name(*c) == *name),
                "the spec documents error code {name}, which the server lacks"
            );
        }
    }

    #[test]
    fn served_with_a_strong_etag_and_revalidated() {
        let response = handle(&HeaderMap::new());
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()[CONTENT_TYPE], "application/json");
        let etag = response.headers()[ETAG].clone();
        assert!(!etag.to_str().unwrap().starts_with("W/"));
        for value in [
            etag.to_str().unwrap().to_string(),
            format!("W/{}", etag.to_str().unwrap()),
            "*".into(),
        ] {
            let mut h = HeaderMap::new();
            h.insert(IF_NONE_MATCH, HeaderValue::from_str(&value).unwrap());
            let response = handle(&h);
            assert_eq!(response.status(), StatusCode::NOT_MODIFIED, "{value}");
            assert_eq!(response.headers()[ETAG], etag);
        }
        let mut h = HeaderMap::new();
        h.insert(IF_NONE_MATCH, HeaderValue::from_static("\"stale\""));
        assert_eq!(handle(&h).status(), StatusCode::OK);
    }
}
