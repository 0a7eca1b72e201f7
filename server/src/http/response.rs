//! Answers: the response body type's constructors, JSON answers, and the
//! JSON error body every failed request gets.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Response, StatusCode};
use serde::Serialize;
use vitae_common::{ApiError, ErrorBody};

use super::error::{HttpError, HttpResult};
use super::Body;

pub fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed_unsync()
}

pub fn empty(status: StatusCode) -> Response<Body> {
    let mut response = Response::new(full(Bytes::new()));
    *response.status_mut() = status;
    response
}

pub fn json<T: Serialize>(status: StatusCode, value: &T) -> HttpResult<Response<Body>> {
    Ok(json_encoded(status, encode_json(value)?))
}

/// `value` as JSON, or the error that answers a value we cannot encode.
pub fn encode_json<T: Serialize>(value: &T) -> HttpResult<Bytes> {
    serde_json::to_vec(value).map(Bytes::from).map_err(|e| {
        HttpError::internal(&format!("serialising a {}", std::any::type_name::<T>()), e)
    })
}

/// An answer whose JSON body is already encoded.
pub fn json_encoded(status: StatusCode, body: Bytes) -> Response<Body> {
    let mut response = Response::new(full(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

pub fn error_response(error: &HttpError, request_id: &str) -> Response<Body> {
    let body = ErrorBody {
        error: ApiError {
            code: error.code,
            message: error.message.clone(),
            request_id: request_id.to_string(),
        },
    };
    let bytes = serde_json::to_vec(&body).unwrap_or_else(|_| b"{}".to_vec());
    let mut response = Response::new(full(bytes));
    *response.status_mut() =
        StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    for (name, value) in &error.headers {
        headers.insert(*name, header_value(value));
    }
    response
}

/// A header value from text, or an empty value when the text cannot be one.
pub fn header_value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).unwrap_or_else(|_| HeaderValue::from_static(""))
}
