//! Changes: one edit of one field, the unit a device's outbox holds and the server acknowledges.

use crate::clock::Stamp;
use crate::ids::{ChangeId, RecordId};
use crate::record::Version;
use crate::schema::{Invalid, Kind};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One edit of one field. `kind` and `field` travel as text, so that a change naming something this
/// side does not know is refused on its own instead of failing the whole batch it came in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub id: ChangeId,
    pub record: RecordId,
    pub kind: String,
    pub field: String,
    pub value: Value,
    pub stamp: Stamp,
    /// The stamp of the value the writer saw; `None` when the field was empty to her.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<Stamp>,
}

impl Change {
    /// Checks the change against the schema, returning the kind of record it edits.
    pub fn check(&self) -> Result<Kind, Invalid> {
        let kind = Kind::parse(&self.kind)?;
        kind.check(&self.field, &self.value)?;
        Ok(kind)
    }

    pub fn version(&self) -> Version {
        Version {
            value: self.value.clone(),
            stamp: self.stamp,
            base: self.base,
        }
    }
}
