//! Attachments' content: a chunk sent, where an upload stands, a chunk read back (see
//! [`wire::attachment`](sakhi_domain::wire::attachment)). Each reaches an attachment as its case
//! is reached: an attachment of another centre, an unknown id and, for an outreach worker, one
//! outside her scope are 404 alike, and audited. Every chunk read back is audited.

use crate::auth::Caller;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::Store;
use crate::store::attachments::{Declared, Kept, received_whole};
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sakhi_domain::RecordId;
use sakhi_domain::wire::attachment::{Upload, chunk_len, code};
use thiserror::Error;

/// The media type of a chunk, sent and read back.
const OCTET_STREAM: &str = "application/octet-stream";

/// Why an attachment's content was refused; each is final for what it refuses, and has a code the
/// app shows in the worker's language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum Refusal {
    #[error("the chunk number is past the file's last chunk")]
    ChunkOutOfRange,
    #[error("the chunk does not hold the bytes its number should")]
    WrongChunkSize,
    #[error("the file does not match its SHA-256; its chunks were dropped: send it again")]
    DigestMismatch,
    #[error("the attachment names no size, SHA-256 or case, so no file can be checked against it")]
    NotDescribed,
    #[error("the file is larger than this centre takes")]
    FileTooLarge,
    #[error("the case's files would be larger than this centre takes for one case")]
    CaseFull,
    #[error("the centre's files would be larger than its server takes")]
    CentreFull,
    #[error("the file has not arrived whole yet")]
    NotReceived,
}

impl Refusal {
    pub fn status(self) -> StatusCode {
        match self {
            Refusal::ChunkOutOfRange | Refusal::WrongChunkSize => StatusCode::BAD_REQUEST,
            Refusal::DigestMismatch => StatusCode::UNPROCESSABLE_ENTITY,
            Refusal::NotDescribed | Refusal::NotReceived => StatusCode::CONFLICT,
            Refusal::FileTooLarge | Refusal::CaseFull | Refusal::CentreFull => {
                StatusCode::PAYLOAD_TOO_LARGE
            }
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Refusal::ChunkOutOfRange => code::CHUNK_OUT_OF_RANGE,
            Refusal::WrongChunkSize => code::WRONG_CHUNK_SIZE,
            Refusal::DigestMismatch => code::DIGEST_MISMATCH,
            Refusal::NotDescribed => code::NOT_DESCRIBED,
            Refusal::FileTooLarge => code::FILE_TOO_LARGE,
            Refusal::CaseFull => code::CASE_FULL,
            Refusal::CentreFull => code::CENTRE_FULL,
            Refusal::NotReceived => code::NOT_RECEIVED,
        }
    }
}

/// `PUT /api/v1/attachments/{id}/chunks/{n}`: keeps chunk `n` of the attachment's content (the
/// body, `application/octet-stream`) and answers where the upload stands. A chunk sent again
/// changes nothing. The last chunk has the whole checked against the record's SHA-256: a match
/// is audited as received; a mismatch drops every chunk and is 422.
pub async fn put_chunk<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Upload>, AppError> {
    let (id, n) = read_path(path)?;
    if !is_octet_stream(&headers) {
        return Err(AppError::UnsupportedMediaType(format!(
            "send a chunk as Content-Type: {OCTET_STREAM}"
        )));
    }
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::TooLarge("a chunk is at most 64 KiB".to_owned())
        } else {
            AppError::BadRequest("the request body could not be read".to_owned())
        }
    })?;
    let declared = described(&state, &caller, id, "send").await?;
    if declared.size > state.limits.file {
        return Err(Refusal::FileTooLarge.into());
    }
    let expected = chunk_len(declared.size, n).ok_or(Refusal::ChunkOutOfRange)?;
    if body.len() as u64 != expected {
        return Err(Refusal::WrongChunkSize.into());
    }
    let centre = caller.account.centre.id;
    let kept = state
        .store
        .keep_chunk(
            centre,
            id,
            &declared,
            (n, &body),
            state.limits,
            state.now_millis(),
        )
        .await?;
    match kept {
        Kept::Upload(upload) => Ok(Json(upload)),
        Kept::Received => {
            let mut entry = caller.audit("attachment_received", "ok");
            entry.records = vec![id];
            entry.detail = Some(format!("{} bytes", declared.size));
            state.store.audit(entry).await?;
            Ok(Json(received_whole(declared.chunks())))
        }
        Kept::DigestMismatch => Err(Refusal::DigestMismatch.into()),
        Kept::CaseFull => Err(Refusal::CaseFull.into()),
        Kept::CentreFull => Err(Refusal::CentreFull.into()),
    }
}

/// `GET /api/v1/attachments/{id}/upload`: which chunks of the attachment's content the server
/// holds, and whether the whole is received.
pub async fn upload<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Upload>, AppError> {
    let id = read_id(&id)?;
    let declared = described(&state, &caller, id, "upload").await?;
    let upload = state.store.upload(id).await?.unwrap_or(Upload {
        chunks: declared.chunks(),
        received: Vec::new(),
        complete: false,
    });
    Ok(Json(upload))
}

/// `GET /api/v1/attachments/{id}/chunks/{n}`: chunk `n` of the attachment's content, once the
/// whole is received; audited with who read it and when.
pub async fn get_chunk<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Response, AppError> {
    let (id, n) = read_path(path)?;
    let declared = described(&state, &caller, id, "read").await?;
    if chunk_len(declared.size, n).is_none() {
        return Err(Refusal::ChunkOutOfRange.into());
    }
    let bytes = state
        .store
        .chunk(id, n)
        .await?
        .ok_or(Refusal::NotReceived)?;
    let mut entry = caller.audit("attachment_read", "ok");
    entry.records = vec![id];
    entry.detail = Some(format!("chunk {n} of {}", declared.chunks()));
    state.store.audit(entry).await?;
    let mut response = bytes.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(OCTET_STREAM));
    Ok(response)
}

/// What the attachment `id` declares of its content, if the caller reaches it; an attachment she
/// does not reach is audited and 404, whatever the reason, so that an id tells her nothing.
async fn described<S: Store>(
    state: &AppState<S>,
    caller: &Caller,
    id: RecordId,
    doing: &str,
) -> Result<Declared, AppError> {
    let scope = caller.scope();
    let reached = state
        .store
        .attachment(scope.centre, id)
        .await?
        .filter(|stored| !scope.only_own || stored.holders().include(&scope.account.to_string()));
    let Some(stored) = reached else {
        let mut entry = caller.audit("refused", "not_found");
        entry.detail = Some(format!("{doing} attachment {id}"));
        state.store.audit(entry).await?;
        return Err(AppError::NotFound);
    };
    Declared::of(&stored.record).ok_or_else(|| Refusal::NotDescribed.into())
}

/// The attachment id and chunk number of a chunk's path.
fn read_path(
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<(RecordId, u32), AppError> {
    let Ok(Path((id, n))) = path else {
        return Err(AppError::BadRequest(
            "the path must name an attachment id and a chunk number".to_owned(),
        ));
    };
    let n = n.parse().map_err(|_| {
        AppError::BadRequest("the chunk number must be a whole number, 0 or more".to_owned())
    })?;
    Ok((read_id(&id)?, n))
}

/// The path is whatever the client sent: the reason does not quote it.
fn read_id(id: &str) -> Result<RecordId, AppError> {
    id.parse()
        .map_err(|_| AppError::BadRequest("the attachment id is not a UUID".to_owned()))
}

fn is_octet_stream(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case(OCTET_STREAM))
}
