//! Attachments' content: kept in chunks beside their records, so that one backup holds a case and
//! its files, and received only once the whole matches the SHA-256 its record declares (see
//! [`wire::attachment`](sakhi_domain::wire::attachment)). The steps of keeping a chunk are here,
//! written once; each backend gives only its SQL, through [`ContentTx`].

use super::holders::{Holders, assignee};
use super::{CentreId, StoreError};
use sakhi_domain::schema::{CASE, is_digest};
use sakhi_domain::wire::attachment::{Upload, chunk_count};
use sakhi_domain::{Kind, Record, RecordId};
use sha2::{Digest, Sha256};
use std::future::Future;

/// How much content a server takes, in bytes: one file, all of one case's files, all of one
/// centre's. A setting; each is also held to what the wire allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub file: u64,
    pub case: u64,
    pub centre: u64,
}

impl Default for Limits {
    /// 16 MiB a file (a scanned court order of many pages; a photo is about 300 KB once the phone
    /// resizes it), 256 MiB a case, 20 GiB a centre: years of a busy centre's files.
    fn default() -> Self {
        Limits {
            file: 16 << 20,
            case: 256 << 20,
            centre: 20 << 30,
        }
    }
}

/// An attachment record as its centre holds it, with the account whose push made it.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredAttachment {
    pub record: Record,
    pub created_by: Option<String>,
}

impl StoredAttachment {
    /// Whose the attachment is, for an outreach worker's scope.
    pub fn holders(&self) -> Holders<'_> {
        Holders {
            created_by: self.created_by.as_deref(),
            assigned_to: assignee(&self.record),
        }
    }
}

/// What an attachment record declares of its content: the case it belongs to, its size and its
/// SHA-256. Each is written once (see `trust::hold`), so chunks are always checked against the
/// same.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Declared {
    pub case: RecordId,
    pub size: u64,
    pub sha256: String,
}

impl Declared {
    /// What `record` declares; `None` if it is not an attachment or lacks any of the three.
    pub fn of(record: &Record) -> Option<Declared> {
        if record.kind != Kind::Attachment {
            return None;
        }
        let size = record.value("size")?.as_u64().filter(|size| *size > 0)?;
        let sha256 = record.text("sha256").filter(|text| is_digest(text))?;
        Some(Declared {
            case: record.text(CASE)?.parse().ok()?,
            size,
            sha256: sha256.to_owned(),
        })
    }

    pub fn chunks(&self) -> u32 {
        chunk_count(self.size)
    }
}

/// What became of a chunk sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kept {
    /// Kept (or already there); the upload as it now stands.
    Upload(Upload),
    /// It was the last chunk missing, and the whole matched the declared SHA-256: the content
    /// is received now.
    Received,
    /// It was the last chunk missing, and the whole did not match the declared SHA-256: every
    /// chunk is dropped, to be sent again.
    DigestMismatch,
    /// Its case's files would be larger than [`Limits::case`]: nothing was kept.
    CaseFull,
    /// Its centre's files would be larger than [`Limits::centre`]: nothing was kept.
    CentreFull,
}

/// An attachment's content as stored: in how many chunks it comes, and whether it is received.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Content {
    pub chunks: u32,
    pub complete: bool,
}

/// What a backend does inside the transaction that keeps a chunk: its SQL, nothing more.
pub(super) trait ContentTx: Send {
    /// The content of attachment `id`, locked until the transaction ends; `None` if no chunk of
    /// it arrived yet.
    fn content(
        &mut self,
        id: RecordId,
    ) -> impl Future<Output = Result<Option<Content>, StoreError>> + Send;

    /// How many bytes the contents of the case's attachments and of the centre's declare, in all,
    /// received or not. Takes the centre's turn first, so that two files started at once cannot
    /// both fit in the room left for one.
    fn held(
        &mut self,
        centre: CentreId,
        case: RecordId,
    ) -> impl Future<Output = Result<(u64, u64), StoreError>> + Send;

    /// Makes the content of attachment `id`, as `declared`, with no chunk yet.
    fn make_content(
        &mut self,
        centre: CentreId,
        id: RecordId,
        declared: &Declared,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Keeps chunk `n`; a chunk already there stays as it is.
    fn keep_chunk(
        &mut self,
        id: RecordId,
        n: u32,
        bytes: &[u8],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The chunks of `id` held, in order.
    fn received(
        &mut self,
        id: RecordId,
    ) -> impl Future<Output = Result<Vec<u32>, StoreError>> + Send;

    /// The SHA-256 of every chunk of `id`, one after the other, in order.
    fn digest(&mut self, id: RecordId) -> impl Future<Output = Result<String, StoreError>> + Send;

    /// Drops every chunk of `id` and its content.
    fn drop_content(&mut self, id: RecordId)
    -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Marks the content of `id` received at `now` (milliseconds).
    fn complete(
        &mut self,
        id: RecordId,
        now: u64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// Keeps chunk `n` (`bytes`, of the length its number should hold: the caller checks) of the
/// content of attachment `id` of `centre`, as its record `declared`: the first chunk to arrive
/// makes the content, if the case and the centre have room for it under `limits`; the last to
/// arrive has the whole checked against the declared SHA-256. The caller commits.
pub(super) async fn keep<T: ContentTx>(
    tx: &mut T,
    centre: CentreId,
    id: RecordId,
    declared: &Declared,
    (n, bytes): (u32, &[u8]),
    limits: Limits,
    now: u64,
) -> Result<Kept, StoreError> {
    let chunks = declared.chunks();
    let content = match tx.content(id).await? {
        Some(content) => content,
        None => {
            let (case, all) = tx.held(centre, declared.case).await?;
            if case.saturating_add(declared.size) > limits.case {
                return Ok(Kept::CaseFull);
            }
            if all.saturating_add(declared.size) > limits.centre {
                return Ok(Kept::CentreFull);
            }
            tx.make_content(centre, id, declared).await?;
            Content {
                chunks,
                complete: false,
            }
        }
    };
    if content.complete {
        // A chunk sent again after its answer was lost: nothing changes.
        return Ok(Kept::Upload(received_whole(chunks)));
    }
    tx.keep_chunk(id, n, bytes).await?;
    let received = tx.received(id).await?;
    if received.len() < chunks as usize {
        return Ok(Kept::Upload(Upload {
            chunks,
            received,
            complete: false,
        }));
    }
    if tx.digest(id).await? != declared.sha256 {
        tx.drop_content(id).await?;
        return Ok(Kept::DigestMismatch);
    }
    tx.complete(id, now).await?;
    Ok(Kept::Received)
}

/// Where the upload of attachment `id` stands; `None` if no chunk of it arrived yet. The caller
/// ends the transaction.
pub(super) async fn upload<T: ContentTx>(
    tx: &mut T,
    id: RecordId,
) -> Result<Option<Upload>, StoreError> {
    let Some(content) = tx.content(id).await? else {
        return Ok(None);
    };
    if content.complete {
        return Ok(Some(received_whole(content.chunks)));
    }
    Ok(Some(Upload {
        chunks: content.chunks,
        received: tx.received(id).await?,
        complete: false,
    }))
}

/// An upload of `chunks` chunks, every one received and checked.
pub fn received_whole(chunks: u32) -> Upload {
    Upload {
        chunks,
        received: (0..chunks).collect(),
        complete: true,
    }
}

/// The SHA-256 of `chunks`, one after the other, in lowercase hex: what [`Declared::sha256`] is
/// compared with.
pub(super) fn digest_of<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> String {
    let mut hash = Sha256::new();
    for chunk in chunks {
        hash.update(chunk);
    }
    hash.finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn attachment(fields: serde_json::Value) -> Record {
        let mut record = Record::new(RecordId::new(), Kind::Attachment);
        let mut clock = sakhi_domain::Clock::new(sakhi_domain::DeviceId::new());
        for (field, value) in fields.as_object().unwrap() {
            record.edit(&mut clock, 1, field, value.clone());
        }
        record
    }

    #[test]
    fn a_record_declares_its_content_only_with_its_case_size_and_digest() {
        let case = RecordId::new();
        let digest = "ab".repeat(32);
        let whole = attachment(json!({"case": case.to_string(), "size": 70_000, "sha256": digest}));
        assert_eq!(
            Declared::of(&whole),
            Some(Declared {
                case,
                size: 70_000,
                sha256: digest.clone()
            })
        );
        assert_eq!(Declared::of(&whole).unwrap().chunks(), 2);
        let no_size = attachment(json!({"case": case.to_string(), "sha256": digest}));
        assert_eq!(Declared::of(&no_size), None);
        let bad_digest = attachment(json!({"case": case.to_string(), "size": 1, "sha256": "x"}));
        assert_eq!(Declared::of(&bad_digest), None);
    }

    #[test]
    fn the_digest_of_chunks_is_the_digest_of_the_whole() {
        let whole = b"a woman's file, in two chunks";
        let (first, second) = whole.split_at(9);
        assert_eq!(digest_of([first, second]), digest_of([&whole[..]]));
        assert_eq!(
            digest_of([&b""[..]]),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
