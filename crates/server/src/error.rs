//! The one error type of the HTTP boundary: it logs the cause and sends the client only a short
//! reason and a stable code, as an [`ErrorBody`]. And [`ServeError`], why the server stopped or
//! could not start, for whoever runs it.

use crate::store::StoreError;
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sakhi_domain::AccountRule;
use sakhi_domain::wire::ErrorBody;
use sakhi_domain::wire::account::code;
use thiserror::Error;

/// 415: the body's type or encoding is not one the path takes; the reason says which it takes.
pub const UNSUPPORTED_MEDIA_TYPE: &str = "unsupported_media_type";

#[derive(Debug, Error)]
pub enum AppError {
    /// The request cannot be understood; the reason says what to change.
    #[error("{0}")]
    BadRequest(String),
    /// A username, password, display name or centre detail breaks a rule.
    #[error("{0}")]
    Rule(#[from] AccountRule),
    /// The request is bigger than the server takes.
    #[error("{0}")]
    TooLarge(String),
    /// The path and query are longer than the server reads.
    #[error("the address is too long: at most {max} bytes of path and query")]
    UriTooLong { max: usize },
    /// The headers are bigger than the server reads.
    #[error("the request's headers are too large: at most {max} bytes")]
    HeadersTooLarge { max: usize },
    /// The body is not of a type or encoding the path takes; the reason says which it takes.
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("there is no such API path")]
    NoSuchPath,
    /// A record or account that does not exist for the caller, whether or not it exists elsewhere.
    #[error("not found")]
    NotFound,
    #[error("this API path does not take this method")]
    MethodNotAllowed,
    #[error("Sakhi is not set up yet: open the setup link the server printed")]
    SetupRequired,
    #[error("the setup code is wrong, used or expired")]
    BadSetupCode,
    #[error("Sakhi is already set up")]
    AlreadySetUp,
    #[error("wrong username or password")]
    BadLogin,
    #[error("please log in")]
    Unauthenticated,
    #[error("your role may not do this")]
    Forbidden,
    #[error("too many failed tries: wait and try again")]
    TooManyTries { retry_after_secs: u64 },
    /// Something already exists or may not change: `code` says what.
    #[error("{message}")]
    Conflict {
        code: &'static str,
        message: &'static str,
    },
    /// Refused by a layer beneath the handlers that gave no reason of its own.
    #[error("the server refused this request ({status})")]
    Refused { status: StatusCode },
    /// An attachment's content refused: the refusal says why, with a code of its own.
    #[error(transparent)]
    Attachment(#[from] crate::api::attachments::Refusal),
    #[error("the server could not read or save data; try again later")]
    Store(#[from] StoreError),
    #[error("the server failed while answering; try again later")]
    Internal,
    #[error("the server failed while answering; try again later")]
    Panic,
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) | AppError::Rule(_) => StatusCode::BAD_REQUEST,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UriTooLong { .. } => StatusCode::URI_TOO_LONG,
            AppError::HeadersTooLarge { .. } => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::NoSuchPath | AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::SetupRequired => StatusCode::SERVICE_UNAVAILABLE,
            AppError::BadSetupCode | AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::AlreadySetUp | AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::BadLogin | AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::TooManyTries { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Refused { status } => *status,
            AppError::Attachment(refusal) => refusal.status(),
            AppError::Store(_) | AppError::Internal | AppError::Panic => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    /// The stable code the app translates.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::BadRequest(_) => code::BAD_REQUEST,
            AppError::Rule(rule) => rule.code(),
            AppError::TooLarge(_)
            | AppError::UriTooLong { .. }
            | AppError::HeadersTooLarge { .. } => code::TOO_LARGE,
            AppError::UnsupportedMediaType(_) => UNSUPPORTED_MEDIA_TYPE,
            AppError::NoSuchPath | AppError::NotFound => code::NOT_FOUND,
            AppError::MethodNotAllowed => code::METHOD_NOT_ALLOWED,
            AppError::SetupRequired => code::SETUP_REQUIRED,
            AppError::BadSetupCode => code::BAD_SETUP_CODE,
            AppError::AlreadySetUp => code::ALREADY_SET_UP,
            AppError::BadLogin => code::BAD_LOGIN,
            AppError::Unauthenticated => code::UNAUTHENTICATED,
            AppError::Forbidden => code::FORBIDDEN,
            AppError::TooManyTries { .. } => code::TOO_MANY_TRIES,
            AppError::Conflict { code, .. } => code,
            AppError::Refused { status } if status.is_server_error() => code::SERVER_ERROR,
            AppError::Refused { .. } => code::BAD_REQUEST,
            AppError::Attachment(refusal) => refusal.code(),
            AppError::Store(_) | AppError::Internal | AppError::Panic => code::SERVER_ERROR,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        match &self {
            // The cause chain names tables and files, never field values (see the store's
            // messages), so it may be logged; the client gets only the short reason.
            AppError::Store(cause) => tracing::error!(error = %Chain(cause), "storage failed"),
            AppError::Panic => tracing::error!("a handler panicked"),
            AppError::Internal => tracing::error!("a background task failed"),
            // A client's mistake is not the server's trouble, and its reason may quote what the
            // client sent, which could be survivor data: log only the status.
            _ => tracing::debug!(status = status.as_u16(), "request refused"),
        }
        let body = ErrorBody {
            error: self.to_string(),
            code: Some(self.code().to_owned()),
        };
        let mut response = (status, Json(body)).into_response();
        if let AppError::TooManyTries { retry_after_secs } = self {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(retry_after_secs.max(1)),
            );
        }
        response
    }
}

/// An error with its sources, for one log line.
struct Chain<'a>(&'a dyn std::error::Error);

impl std::fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(cause) = source {
            write!(f, ": {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}

/// Why the server stopped or could not start.
#[derive(Debug, Error)]
pub enum ServeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("could not read the listening address")]
    Address(#[source] std::io::Error),
    #[error("the server failed while serving")]
    Serve(#[source] std::io::Error),
    #[error("could not hash a password")]
    Hash,
    #[error("the demo could not be made: {0}")]
    Demo(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_storage_failure_reaches_the_client_only_as_a_short_reason() {
        let error = AppError::from(StoreError::Corrupt("records table at /srv/x".into()));
        assert_eq!(error.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!error.to_string().contains("/srv/x"));
    }

    #[test]
    fn a_cause_chain_is_written_on_one_line() {
        let io = std::io::Error::other("disk full");
        let error = StoreError::CreateFolder {
            path: "data".into(),
            source: io,
        };
        assert_eq!(
            Chain(&error).to_string(),
            "could not create the folder data for the database: disk full"
        );
    }

    #[test]
    fn a_rule_broken_answers_400_with_the_rules_code() {
        let error = AppError::from(AccountRule::PasswordTooLong);
        assert_eq!(error.status(), StatusCode::BAD_REQUEST);
        assert_eq!(error.code(), "password_too_long");
    }
}
