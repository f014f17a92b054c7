//! An attachment's content (a photo, a PDF, a voice note) on the phone: kept in [`CONTENT`] as
//! chunks of the wire's [`CHUNK_BYTES`], each sealed on its own with the worker's data key, and
//! read back one chunk at a time.
//!
//! The whole file is never held decrypted: storing reads the file a slice at a time, hashes it,
//! seals it and writes it before reading the next; reading opens the one chunk asked for. Each
//! chunk is sealed with its place (`content/<attachment id>/<n>`) as associated data, so a chunk
//! copied to another position, or to another attachment, does not open.

use super::idb::{commit, put};
use super::schema::{CONTENT, WORK};
use super::{Result, Store, StoreError, codec};
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::Transaction;
use js_sys::Uint8Array;
use sakhi_domain::RecordId;
use sakhi_domain::wire::attachment::{CHUNK_BYTES, chunk_count, chunk_len};
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::ops::Range;
use wasm_bindgen_futures::JsFuture;

/// An attachment's content as it was stored: what its record says of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Content {
    /// Its length in bytes (the record's `size`).
    pub size: u64,
    /// The SHA-256 of the whole, as 64 lower-case hexadecimal digits (the record's `sha256`).
    pub sha256: String,
}

/// The key of chunk `n` of the attachment `id` in [`CONTENT`]: the number has ten digits, so
/// that one attachment's chunks sort in their order.
pub fn chunk_key(id: RecordId, n: u32) -> String {
    format!("{id}/{n:010}")
}

/// The keys of every chunk of the attachment `id`: from `<id>/` up to `<id>0`, `0` being the
/// character after `/`.
fn chunks_of(id: &str) -> Range<String> {
    format!("{id}/")..format!("{id}0")
}

/// The chunk number at the end of a key of [`CONTENT`].
fn number_of(key: &str) -> Option<u32> {
    key.split_once('/')?.1.parse().ok()
}

/// `bytes` as lower-case hexadecimal digits.
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    text
}

impl Store {
    /// Keeps `file` as the content of the attachment `id`, in place of any kept before, and
    /// returns its size and SHA-256 for the attachment's record. The file is read, hashed, sealed
    /// and written one chunk at a time, each chunk in its own transaction (sealing cannot happen
    /// inside one); if anything fails on the way, what was written of it is removed again and the
    /// error is returned, [`StoreError::Full`] when the phone's storage is full.
    pub async fn put_content(&self, id: RecordId, file: &web_sys::Blob) -> Result<Content> {
        // A Blob's size is a whole number of bytes, given as a double.
        let size = file.size() as u64;
        let stored = self.write_content(id, file, size).await;
        if stored.is_err() {
            // What is left of a half-written file could only mislead; the error says why it went.
            let _ = self.delete_content(id).await;
        }
        stored
    }

    /// [`Store::put_content`]'s work, without the clearing up after a failure.
    async fn write_content(
        &self,
        id: RecordId,
        file: &web_sys::Blob,
        size: u64,
    ) -> Result<Content> {
        let mut digest = Sha256::new();
        let chunks = chunk_count(size);
        for n in 0..chunks {
            let start = u64::from(n) * CHUNK_BYTES;
            let len = chunk_len(size, n).unwrap_or_default();
            let slice = file
                .slice_with_f64_and_f64(start as f64, (start + len) as f64)
                .map_err(|_| unreadable_file())?;
            let buffer = JsFuture::from(slice.array_buffer())
                .await
                .map_err(|_| unreadable_file())?;
            let bytes = Uint8Array::new(&buffer).to_vec();
            if bytes.len() as u64 != len {
                return Err(unreadable_file());
            }
            digest.update(&bytes);
            let key = chunk_key(id, n);
            let sealed = codec::seal_bytes(&self.key, CONTENT, &key, &bytes).await?;
            drop(bytes);
            let tx = self.write([CONTENT])?;
            if n == 0 {
                // Chunks of an earlier content of this attachment must not outlive it.
                delete_content_of(&tx, &id.to_string())?;
            }
            put(&tx, (CONTENT, key, sealed))?;
            commit(tx).await?;
        }
        if chunks == 0 {
            self.delete_content(id).await?;
        }
        Ok(Content {
            size,
            sha256: hex(&digest.finalize()),
        })
    }

    /// Chunk `n` of the attachment `id`'s content, opened; `None` if this phone does not hold it.
    /// [`StoreError::Corrupt`] if the stored chunk does not open here: another key sealed it, or it
    /// was sealed for another position or attachment.
    pub async fn content_chunk(&self, id: RecordId, n: u32) -> Result<Option<Vec<u8>>> {
        let key = chunk_key(id, n);
        let stored = self
            .read_at(&[(CONTENT, key.clone())])
            .await?
            .pop()
            .flatten();
        match stored {
            Some(stored) => Ok(Some(
                codec::unseal_bytes(&self.key, CONTENT, &key, &stored).await?,
            )),
            None => Ok(None),
        }
    }

    /// The numbers of the chunks of the attachment `id` that this phone holds, in order, without
    /// opening any.
    pub async fn content_chunks(&self, id: RecordId) -> Result<Vec<u32>> {
        let tx = self.db.transaction(CONTENT).build()?;
        let store = tx.object_store(CONTENT)?;
        let keys = store
            .get_all_keys::<String>()
            .with_query::<String, _>(chunks_of(&id.to_string()))
            .primitive()?
            .await?;
        keys.map(|key| {
            let key = key?;
            number_of(&key).ok_or_else(|| StoreError::Corrupt {
                reason: format!("{key:?} is not the key of a chunk"),
            })
        })
        .collect()
    }

    /// The attachments whose content this phone holds, at least its first chunk, without opening
    /// any.
    pub async fn contents(&self) -> Result<Vec<RecordId>> {
        let tx = self.db.transaction(CONTENT).build()?;
        let store = tx.object_store(CONTENT)?;
        let keys = store.get_all_keys::<String>().primitive()?.await?;
        let mut ids = Vec::new();
        for key in keys {
            let key = key?;
            if let Some((id, n)) = key.split_once('/')
                && n.parse::<u32>() == Ok(0)
                && let Ok(id) = id.parse::<RecordId>()
            {
                ids.push(id);
            }
        }
        Ok(ids)
    }

    /// Those of `ids` whose attachment's record is saved on this phone, without opening any: a
    /// file sealed for a form not saved yet has none.
    pub async fn saved(&self, ids: &[RecordId]) -> Result<Vec<RecordId>> {
        let tx = self.db.transaction(WORK).build()?;
        let store = tx.object_store(WORK)?;
        let keys = store.get_all_keys::<String>().primitive()?.await?;
        let mut saved = HashSet::new();
        for key in keys {
            if let Some((_, id)) = key?.split_once('/')
                && let Ok(id) = id.parse::<RecordId>()
            {
                saved.insert(id);
            }
        }
        Ok(ids
            .iter()
            .filter(|id| saved.contains(id))
            .copied()
            .collect())
    }

    /// Removes the content of the attachment `id`, every chunk of it, if there is any.
    pub async fn delete_content(&self, id: RecordId) -> Result<()> {
        let tx = self.write([CONTENT])?;
        delete_content_of(&tx, &id.to_string())?;
        commit(tx).await
    }
}

/// Deletes, in `tx`, every chunk of the attachment whose id is `id`, if there is any: for the
/// store's paths that remove records, in the transaction that removes them, so that the record and
/// its content go together or not at all.
pub(super) fn delete_content_of(tx: &Transaction<'_>, id: &str) -> Result<()> {
    tx.object_store(CONTENT)?
        .delete::<String, _>(chunks_of(id))
        .primitive()?;
    Ok(())
}

/// The browser could not read the file being stored (it was moved, deleted or changed meanwhile).
fn unreadable_file() -> StoreError {
    StoreError::Encode("the file could not be read; choose it again".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_digest_is_written_as_lower_case_hexadecimal() {
        assert_eq!(hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
    }

    #[test]
    fn chunk_keys_sort_in_chunk_order_and_lie_in_their_attachments_range() {
        let id = RecordId::new();
        let keys: Vec<String> = [0, 2, 10, 65_535, u32::MAX]
            .into_iter()
            .map(|n| chunk_key(id, n))
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(sorted, keys);
        let range = chunks_of(&id.to_string());
        assert!(keys.iter().all(|key| range.contains(key)));
        assert_eq!(number_of(&keys[2]), Some(10));
        assert_eq!(number_of(&keys[4]), Some(u32::MAX));
    }
}
