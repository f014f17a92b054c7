//! An attachment's content over the API: where its upload stands, one chunk sent or read back,
//! and sending what the server still lacks, a chunk at a time, from the phone's sealed copy.
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

/// Sends the content of the attachment `id` that `store` holds, as far as the server lacks it:
/// asks where the upload stands, then sends the first chunk missing, opened from the store one at
/// a time, until none is. Returns the upload as the server last answered it (`complete` once it
/// checked the whole). Stops at the first failure and returns it: a final refusal
/// ([`ApiError::is_final`]) is not worth sending again; anything else is, later, from where this
/// stopped. Its record must have been pushed first, with the content's size and SHA-256.
pub async fn send_content(store: &Store, token: &Token, id: RecordId) -> Result<Upload, ApiError> {
    let mut upload = upload_state(token, id).await?;
    while let Some(n) = upload.missing() {
        let bytes = store
            .content_chunk(id, n)
            .await?
            .ok_or_else(|| StoreError::Corrupt {
                reason: format!("chunk {n} of attachment {id} is not on this phone"),
            })?;
        upload = put_chunk(token, id, n, &bytes).await?;
        if upload.missing() == Some(n) {
            // A server that takes a chunk and still lacks it would be sent it without end.
            return Err(ApiError::Unreadable(format!(
                "the server answered chunk {n} without keeping it"
            )));
        }
    }
    Ok(upload)
}
