//! Files kept with a case (reports, orders, photos, voice notes, her signed consent): made ready
//! and sealed on the phone when she adds one, and put together again, only while it is shown,
//! when she opens one.
//!
//! A photo is drawn again small and without its metadata ([`photos::prepare`]) before anything of
//! it is kept; a signature drawn in Sakhi, a PDF and a voice note are kept as they are. What is
//! kept is sealed chunk by chunk under a new attachment id ([`Store::put_content`]); the form
//! then saves the attachment's record with that id, size and digest.
//!
//! Opening reads the sealed chunks back into one `Blob` for the viewer; a file this phone does
//! not hold (added on another phone) is downloaded first, checked against its record's digest and
//! sealed like the rest, so it opens offline the next time. The `Blob` lives only as long as the
//! viewer: [`Shown`] revokes its address when dropped.

use crate::api::{ApiError, Token, attachments};
use crate::photos::{self, PhotoError};
use crate::store::{Store, StoreError};
use crate::sync::contents;
use js_sys::{Array, Uint8Array};
use sakhi_domain::schema::{MEDIA_TYPES, MOST_ATTACHMENT_BYTES};
use sakhi_domain::wire::attachment::chunk_count;
use sakhi_domain::{Record, RecordId};
use web_sys::{Blob, BlobPropertyBag, Url};

/// How a file came to the form: it decides what is done to it before it is kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// Taken with the camera, or chosen from the phone: any picture is drawn again as a JPEG, a
    /// PDF is kept as it is.
    Picture,
    /// A voice note recorded in Sakhi.
    Voice,
    /// A signature or thumb impression drawn in Sakhi: a PNG that holds only the drawing.
    Drawn,
}

/// A file sealed on the phone, waiting for its record to be saved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ready {
    pub id: RecordId,
    pub media_type: String,
    pub size: u64,
    pub sha256: String,
}

/// Why a file could not be kept.
#[derive(Debug, thiserror::Error)]
pub enum KeepError {
    /// Not a photo, a PDF or a voice note.
    #[error("Sakhi does not keep files of type {0:?}")]
    Unsuitable(String),
    /// Larger than any server keeps.
    #[error("the file is larger than any server keeps")]
    TooLarge,
    /// A picture the browser cannot read.
    #[error(transparent)]
    Photo(#[from] PhotoError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The media type of `blob` without parameters (`audio/webm;codecs=opus` is `audio/webm`).
pub fn bare_type(blob: &Blob) -> String {
    let full = blob.type_();
    full.split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// Makes `file` ready as `source` says and seals it under a new attachment id.
pub async fn keep(store: &Store, file: &Blob, source: Source) -> Result<Ready, KeepError> {
    let media_type = bare_type(file);
    let (kept, media_type) = match (source, media_type.as_str()) {
        (Source::Drawn, "image/png") => (file.clone(), media_type),
        (Source::Picture, "application/pdf") => (file.clone(), media_type),
        (Source::Picture, image) if image.starts_with("image/") => {
            (photos::prepare(file).await?, "image/jpeg".to_owned())
        }
        (Source::Voice, "audio/webm" | "audio/ogg") => (file.clone(), media_type),
        _ => return Err(KeepError::Unsuitable(media_type)),
    };
    debug_assert!(MEDIA_TYPES.contains(&media_type.as_str()));
    if kept.size() > MOST_ATTACHMENT_BYTES as f64 {
        return Err(KeepError::TooLarge);
    }
    let id = crate::browser::new_id();
    let content = store.put_content(id, &kept).await?;
    Ok(Ready {
        id,
        media_type,
        size: content.size,
        sha256: content.sha256,
    })
}

/// Why a file could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The phone does not hold it and cannot reach the server now.
    #[error("the file is not on this phone and the server cannot be reached")]
    NotHere,
    /// What the server sent is not the file the record describes.
    #[error("the file downloaded does not match its record")]
    Damaged,
    /// The record says nothing usable of its file.
    #[error("the attachment's record does not describe a file")]
    Undescribed,
    #[error(transparent)]
    Server(ApiError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<ApiError> for OpenError {
    fn from(error: ApiError) -> Self {
        match error {
            ApiError::Unreachable => OpenError::NotHere,
            ApiError::Store(error) => OpenError::Store(error),
            error => OpenError::Server(error),
        }
    }
}

/// What the record `attachment` says of its file: its size and digest.
fn described(attachment: &Record) -> Result<(u64, &str), OpenError> {
    let size = attachment.value("size").and_then(|size| size.as_u64());
    let sha256 = attachment.text("sha256");
    match (size, sha256) {
        (Some(size), Some(sha256)) if size > 0 => Ok((size, sha256)),
        _ => Err(OpenError::Undescribed),
    }
}

/// A file opened: its content, and whether it was downloaded to open it.
pub struct Opened {
    pub blob: Blob,
    pub downloaded: bool,
}

/// The content of `attachment` as one `Blob` of its media type, from the phone's sealed copy,
/// downloaded first if this phone has none.
pub async fn open(store: &Store, attachment: &Record) -> Result<Opened, OpenError> {
    let (size, _) = described(attachment)?;
    let count = chunk_count(size);
    let downloaded = store.content_chunks(attachment.id).await?.len() < count as usize;
    if downloaded {
        download(store, attachment).await?;
    }
    let parts = Array::new();
    for n in 0..count {
        let chunk = store
            .content_chunk(attachment.id, n)
            .await?
            .ok_or(OpenError::Undescribed)?;
        parts.push(&Uint8Array::from(chunk.as_slice()));
    }
    let blob = blob_of(&parts, attachment.text("media_type").unwrap_or_default())?;
    Ok(Opened { blob, downloaded })
}

/// `parts` as one Blob of `media_type`.
fn blob_of(parts: &Array, media_type: &str) -> Result<Blob, StoreError> {
    let options = BlobPropertyBag::new();
    options.set_type(media_type);
    Blob::new_with_u8_array_sequence_and_options(parts, &options).map_err(|error| {
        StoreError::Encode(format!("the file could not be put together: {error:?}"))
    })
}

/// Fetches the content of `attachment` from the server, checks it whole against the record's
/// digest and seals it on the phone. The server says who read it in its audit log.
async fn download(store: &Store, attachment: &Record) -> Result<(), OpenError> {
    if !crate::browser::is_online() {
        return Err(OpenError::NotHere);
    }
    let (size, sha256) = described(attachment)?;
    let token = Token::kept(store).await?;
    let parts = Array::new();
    for n in 0..chunk_count(size) {
        let bytes = attachments::get_chunk(&token, attachment.id, n).await?;
        parts.push(&Uint8Array::from(bytes.as_slice()));
    }
    let whole = blob_of(&parts, attachment.text("media_type").unwrap_or_default())?;
    let kept = store.put_content(attachment.id, &whole).await?;
    if kept.size != size || kept.sha256 != sha256 {
        store.delete_content(attachment.id).await?;
        return Err(OpenError::Damaged);
    }
    // The server holds it: nothing to send back.
    let mut ledger = contents::read(store).await?;
    ledger
        .sent
        .insert(attachment.id, contents::Outcome::Received);
    contents::keep(store, &ledger).await?;
    Ok(())
}

/// A file's content given an address for the page to show it (`blob:`), for as long as this
/// lives: dropped, the address is revoked and the browser may free the content.
pub struct Shown {
    pub url: String,
    pub media_type: String,
}

impl Shown {
    pub fn new(blob: &Blob) -> Result<Shown, StoreError> {
        let url = Url::create_object_url_with_blob(blob).map_err(|error| {
            StoreError::Encode(format!("the file could not be shown: {error:?}"))
        })?;
        Ok(Shown {
            url,
            media_type: bare_type(blob),
        })
    }
}

impl Drop for Shown {
    fn drop(&mut self) {
        let _ = Url::revoke_object_url(&self.url);
    }
}

/// A size for people: `212 KB`, `1.4 MB`.
pub fn shown_size(bytes: u64) -> (crate::i18n::Text, String) {
    use crate::i18n::Text;
    const KB: u64 = 1024;
    const MB: u64 = 1024 * 1024;
    if bytes < MB {
        (Text::FileKb, bytes.div_ceil(KB).to_string())
    } else {
        let tenths = (bytes * 10).div_ceil(MB);
        (Text::FileMb, format!("{}.{}", tenths / 10, tenths % 10))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Text;

    #[test]
    fn sizes_are_shown_in_whole_kilobytes_or_tenths_of_a_megabyte() {
        assert_eq!(shown_size(1), (Text::FileKb, "1".to_owned()));
        assert_eq!(shown_size(212 * 1024), (Text::FileKb, "212".to_owned()));
        assert_eq!(shown_size(212 * 1024 + 1), (Text::FileKb, "213".to_owned()));
        assert_eq!(shown_size(1024 * 1024), (Text::FileMb, "1.0".to_owned()));
        assert_eq!(
            shown_size(1024 * 1024 * 14 / 10),
            (Text::FileMb, "1.4".to_owned())
        );
        assert_eq!(
            shown_size(25 * 1024 * 1024),
            (Text::FileMb, "25.0".to_owned())
        );
    }
}
