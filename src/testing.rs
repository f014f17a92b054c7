//! What the native unit tests share.

use sakhi_domain::{Clock, DeviceId, Kind, Record, RecordId};
use serde_json::Value;

/// A new record of `kind` holding `fields`, as one device wrote them.
pub fn record(kind: Kind, fields: &[(&str, Value)]) -> Record {
    let mut clock = Clock::new(DeviceId::new());
    let mut record = Record::new(RecordId::new(), kind);
    for (field, value) in fields {
        record.edit(&mut clock, 1_000, field, value.clone());
    }
    record
}
