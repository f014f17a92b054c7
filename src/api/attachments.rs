//! An attachment's content over the API: where its upload stands, one chunk sent or read back,
//! and the way for sync's resumable sender ([`sakhi_sync::content`]) to send what the server
//! still lacks, a chunk at a time, from the phone's sealed copy.
//!
//! Every failure is an [`ApiError`]: [`ApiError::is_final`] tells a refusal that will not change
//! (its code one of [`code`](sakhi_domain::wire::attachment::code)) from a cut link or a failing
//! server, after which sending again later goes on from the first chunk missing.

use super::fetch::{call, call_with_bytes, get_bytes};
use super::{ApiError, Token};
use crate::store::{Store, StoreError};
use sakhi_domain::RecordId;
use sakhi_domain::wire::attachment::Upload;
use sakhi_domain::wire::paths;
use sakhi_sync::Refusal;
use sakhi_sync::content::{ContentFailure, ContentSource, ContentTransport};

/// `GET /attachments/{id}/upload`: which chunks of the attachment `id` the server holds.
pub async fn upload_state(token: &Token, id: RecordId) -> Result<Upload, ApiError> {
    call("GET", &paths::attachment_upload(id), Some(&token.0), None)
        .await?
        .ok()?
        .json()
}

/// `PUT /attachments/{id}/chunks/{n}`: sends chunk `n` of the attachment `id`, its raw `bytes`;
/// answered with where the upload stands after it.
pub async fn put_chunk(
    token: &Token,
    id: RecordId,
    n: u32,
    bytes: &[u8],
) -> Result<Upload, ApiError> {
    call_with_bytes(
        "PUT",
        &paths::attachment_chunk(id, n),
        Some(&token.0),
        bytes,
    )
    .await?
    .ok()?
    .json()
}

/// `GET /attachments/{id}/chunks/{n}`: the bytes of chunk `n` of the attachment `id`, once the
/// server has received the whole content.
pub async fn get_chunk(token: &Token, id: RecordId, n: u32) -> Result<Vec<u8>, ApiError> {
    get_bytes(&paths::attachment_chunk(id, n), Some(&token.0)).await
}

/// The API as the way to the server of [`sakhi_sync::content::send_content`], for the worker
/// holding the token: it sends what the server lacks of a content, from the phone's sealed copy
/// (the [`Store`] is its source), resuming where the server stands.
pub struct ContentServer<'a>(pub &'a Token);

impl ContentTransport for ContentServer<'_> {
    async fn upload(&self, id: RecordId) -> Result<Upload, ContentFailure> {
        upload_state(self.0, id).await.map_err(content_failure)
    }

    async fn put_chunk(
        &self,
        id: RecordId,
        n: u32,
        bytes: Vec<u8>,
    ) -> Result<Upload, ContentFailure> {
        put_chunk(self.0, id, n, &bytes)
            .await
            .map_err(content_failure)
    }
}

/// A final refusal keeps its code for the worker's screen; anything else may work later.
fn content_failure(error: ApiError) -> ContentFailure {
    match error {
        ApiError::Refused { code, .. } if error.is_final() => ContentFailure::Refused(Refusal {
            reason: code.clone(),
            code,
        }),
        error => ContentFailure::Transport(error.into()),
    }
}

impl ContentSource for Store {
    type Error = StoreError;

    async fn chunk(&self, id: RecordId, n: u32) -> Result<Vec<u8>, StoreError> {
        self.content_chunk(id, n)
            .await?
            .ok_or_else(|| StoreError::Corrupt {
                reason: format!("chunk {n} of attachment {id} is not on this phone"),
            })
    }
}
