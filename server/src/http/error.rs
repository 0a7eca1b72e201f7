//! The one error type of the HTTP layer and its JSON body.
//!
//! Every failed request answers `{"error": {"code", "message", "request_id"}}`
//! with the matching status. Store errors map here in one place, and a 5xx is
//! logged with its cause while the client sees a message without internals.

use vitae_common::ErrorCode;

use crate::limits::Refusal;
use crate::store::StoreError;

#[derive(Debug, Clone)]
pub struct HttpError {
    pub code: ErrorCode,
    pub message: String,
    /// Extra headers, e.g. `Allow` on 405 or `Retry-After` on 429.
    pub headers: Vec<(&'static str, String)>,
    /// A status other than the code's own (`quota_exceeded` on bytes: 507).
    pub status: Option<u16>,
}

impl HttpError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> HttpError {
        HttpError {
            code,
            message: message.into(),
            headers: Vec::new(),
            status: None,
        }
    }

    /// The HTTP status to answer with.
    pub fn status(&self) -> u16 {
        self.status.unwrap_or(self.code.status())
    }

    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> HttpError {
        self.headers.push((name, value.into()));
        self
    }

    /// The same error with another message.
    pub fn with_message(mut self, message: impl Into<String>) -> HttpError {
        self.message = message.into();
        self
    }

    pub fn bad_request(message: impl Into<String>) -> HttpError {
        HttpError::new(ErrorCode::BadRequest, message)
    }

    pub fn not_found(what: &str) -> HttpError {
        HttpError::new(ErrorCode::NotFound, format!("{what} not found"))
    }

    pub fn unprocessable(message: impl Into<String>) -> HttpError {
        HttpError::new(ErrorCode::Unprocessable, message)
    }

    pub fn internal(context: &str, cause: impl std::fmt::Display) -> HttpError {
        // A field, not the message: the cause may quote what was sent.
        tracing::error!(context, %cause, "internal error");
        HttpError::new(
            ErrorCode::Internal,
            format!("internal error while {context}; see the server log"),
        )
    }
}

impl From<StoreError> for HttpError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound(what) => HttpError::not_found(what),
            StoreError::Conflict(message) => HttpError::new(ErrorCode::Conflict, message),
            StoreError::StaleRevision { .. } => HttpError::new(
                ErrorCode::PreconditionFailed,
                format!("{error}; fetch the resume again and retry"),
            ),
            StoreError::Invalid(message) => HttpError::unprocessable(message),
            StoreError::Gone(_) => HttpError::new(ErrorCode::Gone, error.to_string()),
            StoreError::Full(_) => HttpError::new(
                ErrorCode::InsufficientStorage,
                format!("{error}; nothing was written, and reads still work. Free some space on the server's disk"),
            ),
            StoreError::ReadOnly(_) => HttpError::new(
                ErrorCode::Unavailable,
                format!("{error}; nothing was written, and reads still work. Writes resume once the data dir is writable again"),
            )
            .with_header("retry-after", "60"),
            StoreError::Failing(_) => {
                tracing::error!(%error, "store unavailable");
                HttpError::new(
                    ErrorCode::Unavailable,
                    format!("{error}; nothing was written"),
                )
                .with_header("retry-after", "5")
            }
            StoreError::Quota(over) => {
                let mut error = HttpError::new(ErrorCode::QuotaExceeded, over.to_string());
                if over.is_bytes() {
                    error.status = Some(ErrorCode::InsufficientStorage.status());
                }
                error
            }
            StoreError::Locked(_) | StoreError::Unusable(_) | StoreError::Backend(_) => {
                HttpError::internal("accessing the store", error)
            }
        }
    }
}

impl From<Refusal> for HttpError {
    fn from(refusal: Refusal) -> Self {
        let retry_after = refusal.retry_after_secs().to_string();
        let error = match refusal {
            Refusal::ServerFull { what, cap } => HttpError::new(
                ErrorCode::Unavailable,
                format!("the server has {cap} {what} open, its limit; try again shortly"),
            ),
            Refusal::OwnerFull { what, cap } => HttpError::new(
                ErrorCode::TooManyRequests,
                format!("you have {cap} {what} open, the limit per user; close some first"),
            ),
            Refusal::RateLimited { .. } => HttpError::new(
                ErrorCode::TooManyRequests,
                "too many requests from your address; wait as long as Retry-After says",
            ),
        };
        error.with_header("retry-after", retry_after)
    }
}

pub type HttpResult<T> = Result<T, HttpError>;
