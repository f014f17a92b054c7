//! Sakhi's shared truth: record kinds and their fields, stamps, the merge, and the sync wire types.
//!
//! Both the app and the server call the same merge, so they cannot disagree. Nothing here does I/O:
//! it builds for `wasm32-unknown-unknown` and natively.

pub mod account;
pub mod change;
pub mod clock;
pub mod figures;
pub mod ids;
pub mod record;
pub mod schema;
pub mod search;
pub mod trust;
pub mod wire;

pub use account::{
    AccountRule, CentreCode, DisplayName, LockMinutes, Password, PurgeDays, Role, Username,
};
pub use change::Change;
pub use clock::{Clock, Hlc, Stamp};
pub use ids::{AccountId, CaseId, CentreId, ChangeId, DeviceId, Epoch, RecordId};
pub use record::{Field, Record, Version};
pub use schema::{FieldType, Invalid, Kind};
pub use search::SearchKey;
