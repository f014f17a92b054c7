//! Identifiers: newtypes over UUIDv7, made on the device so nothing waits for a server.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh, time-ordered id (UUIDv7).
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            pub const fn as_uuid(&self) -> &Uuid {
                &self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

id_type!(
    /// One record of any kind: a case, a service, a session, a note.
    RecordId
);

impl RecordId {
    /// A new id as a device makes one at `millis` (since the Unix epoch): for records written
    /// down with the time they were made, as a demo or a test writes them.
    pub fn made_at(millis: u64) -> RecordId {
        let at = uuid::Timestamp::from_unix(
            uuid::NoContext,
            millis / 1_000,
            (millis % 1_000) as u32 * 1_000_000,
        );
        RecordId(Uuid::new_v7(at))
    }

    /// When the record was made, in milliseconds since the Unix epoch by the clock of the device
    /// that made it: a UUIDv7 begins with it.
    pub fn created_millis(&self) -> u64 {
        (self.0.as_u128() >> 80) as u64
    }

    /// A short reference for a case that has no official number yet: the last eight hex digits of
    /// its id, which are random, in two groups.
    pub fn provisional(&self) -> String {
        let hex = self.0.simple().to_string().to_ascii_uppercase();
        format!("{}-{}", &hex[24..28], &hex[28..32])
    }
}
id_type!(
    /// One edit of one field; the unit the outbox holds and the server acknowledges.
    ChangeId
);
id_type!(
    /// One installation of the app: a browser profile on a phone or a desktop.
    DeviceId
);
id_type!(
    /// One life of a server's database. A restored server has a new epoch, and devices then resync.
    Epoch
);

id_type!(
    /// One One Stop Centre: the scope every record, change, account and sequence number belongs to.
    CentreId
);
id_type!(
    /// One named account of a worker at a centre.
    AccountId
);
id_type!(
    /// One export's notice to the audit log, made on the phone with the export and kept across
    /// retries, so that the server logs each export once however often it is sent.
    ExportId
);

/// A case is a record; the alias names it where only cases make sense.
pub type CaseId = RecordId;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_time_ordered_and_round_trip_through_text_and_json() {
        let first = RecordId::new();
        let second = RecordId::new();
        assert!(first < second);
        assert_eq!(first.to_string().parse::<RecordId>().unwrap(), first);
        let json = serde_json::to_string(&first).unwrap();
        assert_eq!(json, format!("\"{first}\""));
        assert_eq!(serde_json::from_str::<RecordId>(&json).unwrap(), first);
    }

    #[test]
    fn a_record_id_tells_when_it_was_made_and_gives_a_short_reference() {
        let id: RecordId = "019ad0c4-5a3e-7b21-9c4d-1e2f3a4b5c6d".parse().unwrap();
        assert_eq!(id.created_millis(), 0x019a_d0c4_5a3e);
        assert_eq!(id.provisional(), "3A4B-5C6D");
    }
}
