//! What the server reads of a request: at most so long an address and so many headers, and a
//! body of JSON, refused with the reason when it is not what the path takes.

use crate::error::AppError;
use axum::http::header;

/// The longest path and query read, in bytes: far past any the API or the app makes. hyper
/// answers a longer one than 65,534 bytes itself, with a bare 414 before any of this code runs.
pub const MAX_URI_BYTES: usize = 8 * 1024;

/// The largest header section read (names, values and their separators), in bytes: far past a
/// browser's. hyper answers one past about 400 KiB, or more than 100 headers, itself, with a bare
/// 431 before any of this code runs.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

/// Reads the JSON object of a PATCH: a body of another type than `application/json` is refused
/// 415, and one that is JSON but no object (`[]`, `null`) 400, rather than taken as a change of
/// nothing.
pub fn json_object_body<T: serde::de::DeserializeOwned>(
    headers: &axum::http::HeaderMap,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<T, AppError> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"));
    if !json {
        return Err(AppError::UnsupportedMediaType(
            "send the body as Content-Type: application/json".to_owned(),
        ));
    }
    let object = body
        .as_ref()
        .is_ok_and(|bytes| bytes.trim_ascii_start().first() == Some(&b'{'));
    let value = json_body(body)?;
    if !object {
        return Err(AppError::BadRequest(
            "the body must be a JSON object of the fields to change".to_owned(),
        ));
    }
    Ok(value)
}

/// Reads a JSON body, answering 400 with the reason, or 413 past the size limit.
pub fn json_body<T: serde::de::DeserializeOwned>(
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<T, AppError> {
    let body = body.map_err(|rejection| {
        if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            AppError::TooLarge("the request body is too large".to_owned())
        } else {
            AppError::BadRequest("the request body could not be read".to_owned())
        }
    })?;
    // serde's message may quote the body, which for a login holds a password: say only where.
    serde_json::from_slice(&body).map_err(|error| {
        AppError::BadRequest(format!(
            "the body is not the expected JSON (line {}, column {})",
            error.line(),
            error.column()
        ))
    })
}
