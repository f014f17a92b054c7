//! The rules of a push, one change at a time, and of a restatement, one record at a time: pure,
//! so every backend applies the same ones.

use super::CentreId;
use sakhi_domain::schema::NUMBER;
use sakhi_domain::wire::Outcome;
use sakhi_domain::{Change, Kind, Record};

/// What to do with one change of a batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Apply it to the record, which is of this kind.
    Apply(Kind),
    /// It was applied before: acknowledge it again and change nothing, so a device that lost the
    /// answer to a push can send the batch again safely.
    AlreadyApplied,
    /// Refuse it; the device shows the worker why.
    Reject { code: &'static str, reason: String },
}

impl Verdict {
    /// What the device is told.
    pub fn outcome(&self) -> Outcome {
        match self {
            Verdict::Apply(_) | Verdict::AlreadyApplied => Outcome::Accepted,
            Verdict::Reject { code, reason } => Outcome::Rejected {
                code: (*code).to_owned(),
                reason: reason.clone(),
            },
        }
    }
}

/// A change already stored under the same change id.
#[derive(Clone, Copy, Debug)]
pub struct Earlier<'a> {
    pub centre: CentreId,
    pub change: &'a Change,
}

/// The record a change edits, as stored (or as made by earlier changes of the same batch).
#[derive(Clone, Copy, Debug)]
pub struct Existing {
    pub centre: CentreId,
    pub kind: Kind,
}

/// Decides one change pushed for `centre`, given what is stored under its change id and its
/// record id. The order matters: a change sent again is recognised before it is checked, so that
/// an answer lost on the way never turns into a refusal.
pub fn judge(
    centre: CentreId,
    change: &Change,
    earlier: Option<Earlier<'_>>,
    record: Option<Existing>,
) -> Verdict {
    if let Some(earlier) = earlier {
        return if earlier.centre == centre && earlier.change == change {
            Verdict::AlreadyApplied
        } else {
            Verdict::Reject {
                code: "duplicate_id",
                reason: format!(
                    "change {} was already received with other content",
                    change.id
                ),
            }
        };
    }
    let kind = match change.check() {
        Ok(kind) => kind,
        Err(invalid) => {
            return Verdict::Reject {
                code: invalid.code(),
                reason: invalid.to_string(),
            };
        }
    };
    if kind == Kind::Case && change.field == NUMBER {
        return Verdict::Reject {
            code: "server_field",
            reason: "a case's number is given by the server".to_owned(),
        };
    }
    match record {
        Some(existing) if existing.centre != centre => Verdict::Reject {
            code: "foreign_record",
            reason: format!("record {} belongs to another centre", change.record),
        },
        Some(existing) if existing.kind != kind => Verdict::Reject {
            code: "kind_mismatch",
            reason: format!(
                "record {} is a {}, not a {}",
                change.record,
                existing.kind.as_str(),
                kind.as_str()
            ),
        },
        _ => Verdict::Apply(kind),
    }
}

/// Decides one record a device gives back after a restore, given the record as stored (or as
/// this restatement left it) and whether the caller may write it. A record she may not write is
/// refused alone, not the whole batch as in a push: her phone held it lawfully before the restore,
/// which may have lost what made it hers (an assignment, say), and the rest of what she gives back
/// must still return. Every value is checked as a change's would be.
pub fn judge_restated(
    centre: CentreId,
    record: &Record,
    existing: Option<Existing>,
    yours: bool,
) -> Verdict {
    match existing {
        Some(existing) if existing.centre != centre => {
            return Verdict::Reject {
                code: "foreign_record",
                reason: format!("record {} belongs to another centre", record.id),
            };
        }
        Some(existing) if existing.kind != record.kind => {
            return Verdict::Reject {
                code: "kind_mismatch",
                reason: format!(
                    "record {} is a {}, not a {}",
                    record.id,
                    existing.kind.as_str(),
                    record.kind.as_str()
                ),
            };
        }
        _ => {}
    }
    if !yours {
        return Verdict::Reject {
            code: "out_of_scope",
            reason: format!("record {} is neither yours nor assigned to you", record.id),
        };
    }
    for (name, field) in &record.fields {
        // A field whose heads all went would still have to be a field of the kind.
        let values = field.heads().iter().map(|head| &head.value);
        for value in values.chain(std::iter::once(&serde_json::Value::Null)) {
            if let Err(invalid) = record.kind.check(name, value) {
                return Verdict::Reject {
                    code: invalid.code(),
                    reason: invalid.to_string(),
                };
            }
        }
    }
    Verdict::Apply(record.kind)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sakhi_domain::{Clock, DeviceId, Record, RecordId};
    use serde_json::json;

    fn a_change(field: &str, value: serde_json::Value) -> Change {
        let mut clock = Clock::new(DeviceId::new());
        Record::new(RecordId::new(), Kind::Case).edit(&mut clock, 1, field, value)
    }

    #[test]
    fn a_valid_change_to_a_new_record_is_applied() {
        let change = a_change("name", json!("सीता देवी"));
        assert_eq!(
            judge(CentreId::new(), &change, None, None),
            Verdict::Apply(Kind::Case)
        );
    }

    #[test]
    fn the_same_change_sent_again_is_acknowledged_without_being_checked_again() {
        let centre = CentreId::new();
        let change = a_change("name", json!("Sita"));
        let earlier = Earlier {
            centre,
            change: &change,
        };
        assert_eq!(
            judge(centre, &change, Some(earlier), None),
            Verdict::AlreadyApplied
        );
        assert_eq!(Verdict::AlreadyApplied.outcome(), Outcome::Accepted);
    }

    #[test]
    fn another_change_under_a_known_change_id_is_refused() {
        let centre = CentreId::new();
        let stored = a_change("name", json!("Sita"));
        let mut sent = stored.clone();
        sent.value = json!("Gita");
        let verdict = judge(
            centre,
            &sent,
            Some(Earlier {
                centre,
                change: &stored,
            }),
            None,
        );
        assert!(matches!(
            verdict,
            Verdict::Reject {
                code: "duplicate_id",
                ..
            }
        ));
    }

    #[test]
    fn the_same_change_id_from_another_centre_is_refused() {
        let change = a_change("name", json!("Sita"));
        let earlier = Earlier {
            centre: CentreId::new(),
            change: &change,
        };
        let verdict = judge(CentreId::new(), &change, Some(earlier), None);
        assert!(matches!(
            verdict,
            Verdict::Reject {
                code: "duplicate_id",
                ..
            }
        ));
    }

    #[test]
    fn a_change_the_schema_refuses_carries_the_schema_code_and_reason() {
        let change = a_change("age", json!(130));
        let verdict = judge(CentreId::new(), &change, None, None);
        assert_eq!(
            verdict.outcome(),
            Outcome::Rejected {
                code: "out_of_range".into(),
                reason: "age must be between 0 and 120".into()
            }
        );
    }

    #[test]
    fn a_record_of_another_centre_cannot_be_edited() {
        let change = a_change("name", json!("Sita"));
        let elsewhere = Existing {
            centre: CentreId::new(),
            kind: Kind::Case,
        };
        let verdict = judge(CentreId::new(), &change, None, Some(elsewhere));
        assert!(matches!(
            verdict,
            Verdict::Reject {
                code: "foreign_record",
                ..
            }
        ));
    }

    fn a_record(field: &str, value: serde_json::Value) -> Record {
        let mut clock = Clock::new(DeviceId::new());
        let mut record = Record::new(RecordId::new(), Kind::Case);
        record.edit(&mut clock, 1, "name", json!("Sita"));
        record.edit(&mut clock, 2, field, value);
        record
    }

    #[test]
    fn a_record_given_back_is_merged_if_every_value_is_one_the_schema_takes() {
        let centre = CentreId::new();
        let record = a_record("age", json!(34));
        let stored = Existing {
            centre,
            kind: Kind::Case,
        };
        assert_eq!(
            judge_restated(centre, &record, None, true),
            Verdict::Apply(Kind::Case)
        );
        assert_eq!(
            judge_restated(centre, &record, Some(stored), true),
            Verdict::Apply(Kind::Case)
        );
    }

    #[test]
    fn a_record_given_back_with_a_value_the_schema_refuses_is_refused_with_its_code() {
        let record = a_record("age", json!(130));
        let verdict = judge_restated(CentreId::new(), &record, None, true);
        assert_eq!(
            verdict.outcome(),
            Outcome::Rejected {
                code: "out_of_range".into(),
                reason: "age must be between 0 and 120".into()
            }
        );
        let mut unknown = a_record("age", json!(3));
        let field = unknown.fields.remove("age").unwrap();
        unknown.fields.insert("caste".to_owned(), field);
        assert!(matches!(
            judge_restated(CentreId::new(), &unknown, None, true),
            Verdict::Reject {
                code: "unknown_field",
                ..
            }
        ));
    }

    #[test]
    fn a_record_given_back_that_is_not_the_callers_is_refused_alone() {
        let centre = CentreId::new();
        let record = a_record("age", json!(3));
        let stored = Existing {
            centre,
            kind: Kind::Case,
        };
        assert!(matches!(
            judge_restated(centre, &record, Some(stored), false),
            Verdict::Reject {
                code: "out_of_scope",
                ..
            }
        ));
        let elsewhere = Existing {
            centre: CentreId::new(),
            kind: Kind::Case,
        };
        assert!(matches!(
            judge_restated(centre, &record, Some(elsewhere), true),
            Verdict::Reject {
                code: "foreign_record",
                ..
            }
        ));
    }

    #[test]
    fn no_device_may_write_a_cases_number() {
        let change = Record::new(RecordId::new(), Kind::Case).edit(
            &mut sakhi_domain::Clock::new(sakhi_domain::DeviceId::new()),
            1,
            "number",
            serde_json::json!("DHR-2026-0001"),
        );
        let verdict = judge(CentreId::new(), &change, None, None);
        assert!(
            matches!(
                verdict,
                Verdict::Reject {
                    code: "server_field",
                    ..
                }
            ),
            "{verdict:?}"
        );
    }
}
