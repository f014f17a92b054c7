//! The history of one case (`GET /api/v1/cases/{id}/history`): every change the server accepted
//! to the case and to its work records (services, counselling sessions, notes, closures: any
//! record whose `case` field names it), in the order the server committed them, each with the
//! value it replaced and who sent it. For the case page's History view.
//!
//! Times are whole milliseconds since the Unix epoch (UTC), like the stamps of changes.

use crate::clock::Stamp;
use crate::ids::{AccountId, ChangeId, DeviceId, RecordId};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// How many entries a page holds when the query names no limit.
pub const DEFAULT_HISTORY_LIMIT: u32 = 100;
/// The most entries one page may hold; a larger limit asked for is held to it.
pub const MAX_HISTORY_LIMIT: u32 = 500;

/// `GET /api/v1/cases/{id}/history?after=SEQ&limit=N`: the entries committed after the sequence
/// number `after` (from the first if absent), at most `limit` of them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryQuery {
    /// A page's [`CaseHistory::next`]; never negative.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

/// One page of a case's history, oldest first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CaseHistory {
    pub entries: Vec<HistoryEntry>,
    /// The `after` of the next page; `None` when the server held no more when it answered.
    #[serde(default)]
    pub next: Option<i64>,
}

/// One change as the server keeps it, with what it replaced and who sent it. Nothing is
/// merged here: two values written to one field on two phones offline are two entries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// Where the server put the change in the centre's sequence of changes: entries are in this
    /// order, which is the order it committed them.
    pub seq: i64,
    pub change: ChangeId,
    /// The case itself, or one of its work records.
    pub record: RecordId,
    /// The record's kind (`case`, `service`, `session`, `note`, `closure`, …), as the change
    /// named it.
    pub kind: String,
    pub field: String,
    /// The value written.
    pub value: Value,
    /// The value the writer saw and replaced: that of the change to the same field whose stamp
    /// is `base`. Absent when the field was empty to her (no `base`), or when the server holds
    /// no such change (one given back after a restore, say).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<Value>,
    /// When and on which device the value was written.
    pub stamp: Stamp,
    /// The stamp of the value the writer saw; absent when the field was empty to her.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<Stamp>,
    /// The device (a worker's store on a phone) whose push carried the change.
    pub device: DeviceId,
    /// The account known to push from `device`, if the server knows exactly one: a device that
    /// no account pushed from or logged in on, or more than one did, names no one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<AccountId>,
    /// That account's display name, as it is now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// When the server received the change.
    pub received_at: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Hlc;
    use serde_json::json;

    #[test]
    fn an_entry_leaves_out_what_is_not_known_and_reads_back_the_same() {
        let device = DeviceId::new();
        let entry = HistoryEntry {
            seq: 7,
            change: ChangeId::new(),
            record: RecordId::new(),
            kind: "case".to_owned(),
            field: "name".to_owned(),
            value: json!("Sita"),
            before: None,
            stamp: Stamp {
                hlc: Hlc {
                    millis: 1_750_000_000_000,
                    counter: 0,
                },
                device,
            },
            base: None,
            device,
            account: None,
            by: None,
            received_at: 1_750_000_000_500,
        };
        let json = serde_json::to_value(&entry).unwrap();
        let mut keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "change",
                "device",
                "field",
                "kind",
                "received_at",
                "record",
                "seq",
                "stamp",
                "value"
            ]
        );
        assert_eq!(serde_json::from_value::<HistoryEntry>(json).unwrap(), entry);
    }

    #[test]
    fn a_last_page_says_so_with_no_next_and_an_empty_query_asks_from_the_first() {
        let last: CaseHistory = serde_json::from_str(r#"{"entries":[]}"#).unwrap();
        assert_eq!(last.next, None);
        let query: HistoryQuery = serde_json::from_str("{}").unwrap();
        assert_eq!(query, HistoryQuery::default());
    }
}
