//! The JSON error body every failed request answers with:
//! `{"error": {"code": "not_found", "message": "...", "request_id": "..."}}`.

use serde::{Deserialize, Serialize};

/// Machine-readable error codes; each maps to one HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Conflict,
    Gone,
    PreconditionFailed,
    /// The request body did not arrive within the body timeout.
    RequestTimeout,
    PayloadTooLarge,
    UnsupportedMediaType,
    Unprocessable,
    TooManyRequests,
    Internal,
    Unavailable,
    /// The data dir's disk is (nearly) full; nothing was written.
    InsufficientStorage,
    /// The write would take the caller over one of its quotas; nothing was
    /// written. `429` for a count (resumes, shares, …), `507` for bytes
    /// stored: the one code answered with two statuses ([`Self::status`]
    /// is the count's).
    QuotaExceeded,
    /// A list's `cursor` is not one this list handed out (malformed, from
    /// another list, or from another version of the server).
    InvalidCursor,
}

impl ErrorCode {
    pub fn status(self) -> u16 {
        match self {
            ErrorCode::BadRequest => 400,
            ErrorCode::Unauthorized => 401,
            ErrorCode::Forbidden => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::Conflict => 409,
            ErrorCode::Gone => 410,
            ErrorCode::PreconditionFailed => 412,
            ErrorCode::RequestTimeout => 408,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::UnsupportedMediaType => 415,
            ErrorCode::Unprocessable => 422,
            ErrorCode::TooManyRequests => 429,
            ErrorCode::Internal => 500,
            ErrorCode::Unavailable => 503,
            ErrorCode::InsufficientStorage => 507,
            ErrorCode::QuotaExceeded => 429,
            ErrorCode::InvalidCursor => 400,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    pub request_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ApiError,
}
