//! The one error type of the HTTP boundary: it logs the cause and sends the client only a short
//! reason, as an [`ErrorBody`].

use crate::store::StoreError;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sakhi_domain::wire::ErrorBody;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum AppError {
    /// The request cannot be understood; the reason says what to change.
    #[error("{0}")]
    BadRequest(String),
    /// The request is bigger than the server takes.
    #[error("{0}")]
    TooLarge(String),
    #[error("there is no such API path")]
    NotFound,
    #[error("this API path does not take this method")]
    MethodNotAllowed,
    #[error("the server could not read or save data; try again later")]
    Store(#[from] StoreError),
    #[error("the server failed while answering; try again later")]
    Panic,
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Store(_) | AppError::Panic => StatusCode::INTERNAL_SERVER_ERROR,
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
            // A client's mistake is not the server's trouble, and its reason may quote what the
            // client sent, which could be survivor data: log only the status.
            _ => tracing::debug!(status = status.as_u16(), "request refused"),
        }
        let body = ErrorBody {
            error: self.to_string(),
        };
        (status, Json(body)).into_response()
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
}
