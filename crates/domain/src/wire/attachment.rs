//! An attachment's content on the wire (`/api/v1/attachments/{id}/…`). What the file is travels
//! as an attachment record through the usual push; its bytes travel apart, in chunks of
//! [`CHUNK_BYTES`], so that a cut 2G link costs one chunk, never the whole file.
//!
//! A phone first pushes the record (with the content's `size` and `sha256`), then sends each chunk
//! with `PUT …/chunks/{n}`: a chunk sent twice changes nothing, and every answer is the
//! [`Upload`] as it stands, so the phone always knows what is still missing. When the last chunk
//! arrives the server checks the whole against the record's SHA-256; only then is the content
//! received. A phone that lost track asks `GET …/upload` and sends what is missing. Content is
//! read back a chunk at a time with `GET …/chunks/{n}`, once it is received.

use serde::{Deserialize, Serialize};

/// The bytes in every chunk but the last, which holds the rest. 64 KiB takes about two seconds at
/// 2G's 250 kbit/s: a cut link loses that much at most, and a 300 KB photo is five requests.
pub const CHUNK_BYTES: u64 = 64 * 1024;

/// How many chunks content of `size` bytes is sent in.
pub fn chunk_count(size: u64) -> u32 {
    u32::try_from(size.div_ceil(CHUNK_BYTES)).unwrap_or(u32::MAX)
}

/// How many bytes chunk `n` of content of `size` bytes holds; `None` if it has no such chunk.
pub fn chunk_len(size: u64, n: u32) -> Option<u64> {
    let start = u64::from(n).checked_mul(CHUNK_BYTES)?;
    (start < size).then(|| (size - start).min(CHUNK_BYTES))
}

/// Where an attachment's upload stands: the answer to each chunk sent and to `GET …/upload`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Upload {
    /// How many chunks the content is sent in.
    pub chunks: u32,
    /// The chunks the server holds, in order.
    pub received: Vec<u32>,
    /// Whether every chunk is there and the whole matched its SHA-256: the content is received.
    pub complete: bool,
}

impl Upload {
    /// The first chunk the server does not hold yet, if any.
    pub fn missing(&self) -> Option<u32> {
        let mut held = self.received.iter().copied();
        (0..self.chunks).find(|n| held.next() != Some(*n))
    }
}

/// The codes of an attachment's refusals, beside those every path may give
/// ([`account::code`](super::account::code)). The app shows each in the worker's language; each
/// is final for the content it refuses, so the outbox moves on.
pub mod code {
    /// The chunk number is past the content's last chunk.
    pub const CHUNK_OUT_OF_RANGE: &str = "chunk_out_of_range";
    /// The chunk does not hold the bytes its number should (see [`super::chunk_len`]).
    pub const WRONG_CHUNK_SIZE: &str = "wrong_chunk_size";
    /// Every chunk arrived, and the whole does not match the record's SHA-256: the chunks are
    /// dropped, and the content must be sent again.
    pub const DIGEST_MISMATCH: &str = "digest_mismatch";
    /// The record names no size, SHA-256 or case, so no content can be checked against it.
    pub const NOT_DESCRIBED: &str = "attachment_not_described";
    /// The file is larger than the centre takes for one file.
    pub const FILE_TOO_LARGE: &str = "attachment_too_large";
    /// The case's attachments would be larger than the centre takes for one case.
    pub const CASE_FULL: &str = "case_attachments_full";
    /// The centre's attachments would be larger than its server takes.
    pub const CENTRE_FULL: &str = "centre_attachments_full";
    /// The content is not received yet, so it cannot be read.
    pub const NOT_RECEIVED: &str = "attachment_not_received";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_is_cut_into_full_chunks_and_a_last_one_with_the_rest() {
        assert_eq!(chunk_count(1), 1);
        assert_eq!(chunk_count(CHUNK_BYTES), 1);
        assert_eq!(chunk_count(CHUNK_BYTES + 1), 2);
        assert_eq!(chunk_len(CHUNK_BYTES + 1, 0), Some(CHUNK_BYTES));
        assert_eq!(chunk_len(CHUNK_BYTES + 1, 1), Some(1));
        assert_eq!(chunk_len(CHUNK_BYTES + 1, 2), None);
        assert_eq!(chunk_len(10, u32::MAX), None);
        assert_eq!(chunk_count(0), 0);
    }

    #[test]
    fn the_first_chunk_missing_is_found_wherever_the_gap_is() {
        let upload = |received: Vec<u32>| Upload {
            chunks: 4,
            received,
            complete: false,
        };
        assert_eq!(upload(vec![]).missing(), Some(0));
        assert_eq!(upload(vec![0, 1, 3]).missing(), Some(2));
        assert_eq!(upload(vec![1, 2, 3]).missing(), Some(0));
        assert_eq!(upload(vec![0, 1, 2, 3]).missing(), None);
    }
}
