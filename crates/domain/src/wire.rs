//! The sync protocol's request and response bodies (`/api/v1/sync/…`). A contract: fields added
//! later are `Option` with `#[serde(default)]`.

use crate::change::Change;
use crate::ids::{ChangeId, DeviceId, Epoch};
use crate::record::Record;
use serde::{Deserialize, Serialize};

/// The protocol version this build speaks.
pub const PROTOCOL: u32 = 1;
/// The most changes one push may carry.
pub const MAX_PUSH_CHANGES: usize = 1_000;
/// The largest push body the server reads, in bytes.
pub const MAX_PUSH_BYTES: usize = 2 * 1024 * 1024;
/// The most records one pull page may hold.
pub const MAX_PULL_LIMIT: u32 = 1_000;

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
    pub changes: Vec<Change>,
}

/// The answer to a push: one result per change, in the order sent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PushResponse {
    pub epoch: Epoch,
    pub results: Vec<ChangeResult>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChangeResult {
    pub change: ChangeId,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// What the server did with one change. An accepted change is durable on the server, and the
/// device may forget it; a rejected one never will be, and the device shows the worker why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    Accepted,
    Rejected { code: String, reason: String },
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

/// The body of every error answer: a short reason a person or program can act on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: String,
}
