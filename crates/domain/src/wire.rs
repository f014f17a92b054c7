//! The sync protocol's request and response bodies (`/api/v1/sync/…`). A contract: fields added
//! later are `Option` with `#[serde(default)]`.
//!
//! Accounts, sessions, setup and the audit log have their own module, [`account`]; attachments'
//! content, [`attachment`]; every path of the API is in [`paths`].

pub mod account;
pub mod attachment;
pub mod history;
pub mod paths;

use crate::change::Change;
use crate::ids::{ChangeId, DeviceId, Epoch, RecordId};
use crate::record::Record;
use serde::{Deserialize, Serialize};

/// The protocol version this build speaks. Version 2 answers a push with a count of the changes
/// accepted and the refusals alone, and may tell the device it is caught up (see [`Seen`]).
pub const PROTOCOL: u32 = 2;
/// The most changes one push may carry. On 2G fewer, larger pushes cost fewer headers and
/// compress better; 2,000 changes of typical cases are about 500 KB of JSON, 50 KB gzipped.
pub const MAX_PUSH_CHANGES: usize = 2_000;
/// The largest push body the server reads, in bytes.
pub const MAX_PUSH_BYTES: usize = 2 * 1024 * 1024;
/// The most records one pull page may hold.
pub const MAX_PULL_LIMIT: u32 = 1_000;
/// The most records one restatement may carry; its body is held to [`MAX_PUSH_BYTES`] too.
pub const MAX_RESTATE_RECORDS: usize = 500;

/// A position in a centre's sequence of changes: "everything after this".
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Cursor(pub u64);

/// `POST /api/v1/sync/push`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PushRequest {
    pub protocol: u32,
    pub device: DeviceId,
    /// Where this device's pulling stands, if it has a cursor in some epoch of the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seen: Option<Seen>,
    pub changes: Vec<Change>,
}

/// "I hold everything the server had through `cursor` in `epoch`." With it, a push can tell the
/// device when nothing else reached its scope since, so that it need not pull its own changes
/// back: on a 2G link that halves what a round of new cases costs. A device that has heard of no
/// epoch yet holds nothing of any: it says so with no epoch and cursor 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seen {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epoch: Option<Epoch>,
    pub cursor: Cursor,
}

impl Seen {
    /// The cursor this says the device holds everything through, in the server's `epoch`; `None`
    /// if it counts in another epoch's sequence.
    pub fn cursor_in(self, epoch: Epoch) -> Option<Cursor> {
        match self.epoch {
            Some(seen) => (seen == epoch).then_some(self.cursor),
            None => (self.cursor == Cursor(0)).then_some(self.cursor),
        }
    }
}

/// The answer to a push. Every change sent was accepted except those `refused` names: on a slow
/// link an acknowledgement per change would cost nearly as much as the changes themselves.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PushResponse {
    pub epoch: Epoch,
    /// How many of the changes sent were accepted, as a check on the answer.
    pub accepted: u32,
    /// The changes refused, in the order sent, each with the reason; absent when none was.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refused: Vec<RefusedChange>,
    /// Given when the push's [`Seen`] counts in this epoch and no record in the caller's scope
    /// changed or left it after that cursor but through this push: the device holds everything
    /// through this cursor, and keeps it as where its pulling stands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caught_up: Option<Cursor>,
}

/// A change the server refused, and why: a stable `code` and an English `reason`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusedChange {
    pub change: ChangeId,
    pub code: String,
    pub reason: String,
}

impl PushResponse {
    /// The answer to a push whose changes were judged `results`, one per change in order.
    pub fn of(epoch: Epoch, results: &[ChangeResult], caught_up: Option<Cursor>) -> Self {
        let refused: Vec<RefusedChange> = results
            .iter()
            .filter_map(|result| match &result.outcome {
                Outcome::Accepted => None,
                Outcome::Rejected { code, reason } => Some(RefusedChange {
                    change: result.change,
                    code: code.clone(),
                    reason: reason.clone(),
                }),
            })
            .collect();
        PushResponse {
            epoch,
            accepted: u32::try_from(results.len() - refused.len()).unwrap_or(u32::MAX),
            refused,
            caught_up,
        }
    }

    /// What became of each of the changes `sent`, in order; `None` if this cannot be the answer
    /// to them (the counts do not add up, or a refusal names a change not sent).
    pub fn outcomes(&self, sent: &[ChangeId]) -> Option<Vec<ChangeResult>> {
        let answered = usize::try_from(self.accepted).ok()? + self.refused.len();
        if answered != sent.len() || self.refused.iter().any(|r| !sent.contains(&r.change)) {
            return None;
        }
        let outcomes = sent
            .iter()
            .map(|&change| ChangeResult {
                change,
                outcome: match self.refused.iter().find(|r| r.change == change) {
                    Some(refused) => Outcome::Rejected {
                        code: refused.code.clone(),
                        reason: refused.reason.clone(),
                    },
                    None => Outcome::Accepted,
                },
            })
            .collect();
        Some(outcomes)
    }
}

/// What the server did with one change: `{"change": …, "outcome": "accepted"}`, or with
/// `"outcome": "rejected"` also a `code` and a `reason`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "FlatChangeResult", into = "FlatChangeResult")]
pub struct ChangeResult {
    pub change: ChangeId,
    pub outcome: Outcome,
}

/// A [`ChangeResult`] as it travels. Spelt out rather than `#[serde(flatten)]` on `outcome`:
/// flattening an internally tagged enum buffers each result through serde's generic `Content`
/// tree, which costs the app shell kilobytes of code, for the same JSON.
#[derive(Serialize, Deserialize)]
struct FlatChangeResult {
    change: ChangeId,
    /// `accepted` or `rejected`; kept as text so the check is one comparison in
    /// [`ChangeResult`]'s conversion.
    outcome: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

impl TryFrom<FlatChangeResult> for ChangeResult {
    type Error = &'static str;

    fn try_from(flat: FlatChangeResult) -> Result<Self, Self::Error> {
        Ok(ChangeResult {
            change: flat.change,
            outcome: Outcome::from_flat(&flat.outcome, flat.code, flat.reason)?,
        })
    }
}

impl From<ChangeResult> for FlatChangeResult {
    fn from(ChangeResult { change, outcome }: ChangeResult) -> Self {
        let (outcome, code, reason) = outcome.into_flat();
        FlatChangeResult {
            change,
            outcome,
            code,
            reason,
        }
    }
}

/// What the server did with one change. An accepted change is durable on the server, and the
/// device may forget it; a rejected one never will be, and the device shows the worker why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    Accepted,
    Rejected { code: String, reason: String },
}

impl Outcome {
    /// The outcome of a flat result: `accepted`, or `rejected` with a code and a reason.
    fn from_flat(
        outcome: &str,
        code: Option<String>,
        reason: Option<String>,
    ) -> Result<Outcome, &'static str> {
        match (outcome, code, reason) {
            ("accepted", _, _) => Ok(Outcome::Accepted),
            ("rejected", Some(code), Some(reason)) => Ok(Outcome::Rejected { code, reason }),
            ("rejected", _, _) => Err("a rejection needs a code and a reason"),
            _ => Err("the outcome must be `accepted` or `rejected`"),
        }
    }

    fn into_flat(self) -> (String, Option<String>, Option<String>) {
        match self {
            Outcome::Accepted => ("accepted".to_owned(), None, None),
            Outcome::Rejected { code, reason } => ("rejected".to_owned(), Some(code), Some(reason)),
        }
    }
}

/// `POST /api/v1/sync/restate`: what a device gives back to a restored server (one with a new
/// epoch): every record it holds, as full field-stamped snapshots, so that what the restored
/// database lost (changes acknowledged after its backup was made) returns. The server merges each
/// with the domain's merge, which is idempotent: a record it already holds as sent changes nothing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RestateRequest {
    pub protocol: u32,
    pub device: DeviceId,
    /// The server epoch the device's copy comes from: the epoch before the restore. Only then
    /// does the server take back the case numbers it gave (and lost).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epoch: Option<Epoch>,
    pub records: Vec<Record>,
}

/// The answer to a restatement: one result per record, in the order sent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RestateResponse {
    pub epoch: Epoch,
    pub results: Vec<RecordResult>,
}

/// What the server did with one record given back: `{"record": …, "outcome": "accepted"}` (merged,
/// or already held), or with `"outcome": "rejected"` also a `code` and a `reason`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "FlatRecordResult", into = "FlatRecordResult")]
pub struct RecordResult {
    pub record: RecordId,
    pub outcome: Outcome,
}

/// A [`RecordResult`] as it travels: flat, for the reason given at [`FlatChangeResult`].
#[derive(Serialize, Deserialize)]
struct FlatRecordResult {
    record: RecordId,
    outcome: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

impl TryFrom<FlatRecordResult> for RecordResult {
    type Error = &'static str;

    fn try_from(flat: FlatRecordResult) -> Result<Self, Self::Error> {
        Ok(RecordResult {
            record: flat.record,
            outcome: Outcome::from_flat(&flat.outcome, flat.code, flat.reason)?,
        })
    }
}

impl From<RecordResult> for FlatRecordResult {
    fn from(RecordResult { record, outcome }: RecordResult) -> Self {
        let (outcome, code, reason) = outcome.into_flat();
        FlatRecordResult {
            record,
            outcome,
            code,
            reason,
        }
    }
}

/// `GET /api/v1/sync/pull?after=…&limit=…`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullQuery {
    #[serde(default)]
    pub after: Cursor,
    #[serde(default = "default_pull_limit")]
    pub limit: u32,
}

fn default_pull_limit() -> u32 {
    200
}

/// One page of records changed after the cursor, as full snapshots, in sequence order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PullResponse {
    pub epoch: Epoch,
    pub records: Vec<Record>,
    /// Records that left the caller's scope after the cursor (an outreach worker's case assigned
    /// to someone else): the device removes its copies. Each left at the sequence number of the
    /// change that took it away, and the page holds the records and exits of one stretch of the
    /// sequence, so `cursor` covers both lists and paging stays exact. A record is never in both:
    /// one that came back is in `records`, and is not gone. Only outreach workers are ever sent
    /// any; absent when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gone: Vec<RecordId>,
    /// Where the next page starts; store it with the page.
    pub cursor: Cursor,
    /// Whether more pages follow at once.
    pub more: bool,
}

/// `GET /api/v1/health`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    pub status: String,
    pub protocol: u32,
}

/// The body of every error answer: a short English reason a person or program can act on, and a
/// stable machine-readable code (see [`account::code`]) for the app to translate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn result(outcome: Outcome) -> ChangeResult {
        ChangeResult {
            change: ChangeId::new(),
            outcome,
        }
    }

    #[test]
    fn a_change_result_is_one_flat_object_on_the_wire() {
        let accepted = result(Outcome::Accepted);
        assert_eq!(
            serde_json::to_string(&accepted).unwrap(),
            format!(r#"{{"change":"{}","outcome":"accepted"}}"#, accepted.change)
        );
        let rejected = result(Outcome::Rejected {
            code: "not_a_phone".into(),
            reason: "phone is not a phone number".into(),
        });
        assert_eq!(
            serde_json::to_string(&rejected).unwrap(),
            format!(
                r#"{{"change":"{}","outcome":"rejected","code":"not_a_phone","reason":"phone is not a phone number"}}"#,
                rejected.change
            )
        );
        for sent in [accepted, rejected] {
            let json = serde_json::to_string(&sent).unwrap();
            assert_eq!(serde_json::from_str::<ChangeResult>(&json).unwrap(), sent);
        }
    }

    #[test]
    fn a_record_result_is_one_flat_object_on_the_wire_like_a_change_result() {
        let record = RecordId::new();
        let rejected = RecordResult {
            record,
            outcome: Outcome::Rejected {
                code: "too_long".into(),
                reason: "name is longer than 200 characters".into(),
            },
        };
        let json = serde_json::to_value(&rejected).unwrap();
        assert_eq!(
            json,
            json!({"record": record, "outcome": "rejected", "code": "too_long",
                   "reason": "name is longer than 200 characters"})
        );
        assert_eq!(
            serde_json::from_value::<RecordResult>(json).unwrap(),
            rejected
        );
        let accepted = json!({"record": record, "outcome": "accepted"});
        assert_eq!(
            serde_json::from_value::<RecordResult>(accepted)
                .unwrap()
                .outcome,
            Outcome::Accepted
        );
        assert!(serde_json::from_value::<RecordResult>(json!({"record": record})).is_err());
    }

    #[test]
    fn a_change_result_without_a_known_outcome_or_a_rejection_without_its_reason_is_refused() {
        let change = ChangeId::new();
        for body in [
            json!({ "change": change, "outcome": "lost" }),
            json!({ "change": change, "outcome": "rejected", "code": "x" }),
            json!({ "change": change }),
        ] {
            assert!(serde_json::from_value::<ChangeResult>(body).is_err());
        }
        // Fields added later by a newer server are ignored, as before.
        let accepted = json!({ "change": change, "outcome": "accepted", "at": 1 });
        assert_eq!(
            serde_json::from_value::<ChangeResult>(accepted).unwrap(),
            ChangeResult {
                change,
                outcome: Outcome::Accepted
            }
        );
    }
}
