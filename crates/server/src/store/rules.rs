//! The rules of a push, one change at a time, and of a restatement, one record at a time: pure,
//! so every backend applies the same ones.

use super::CentreId;
use sakhi_domain::trust::{self, Refused};
use sakhi_domain::wire::Outcome;
use sakhi_domain::{Change, Kind, Record, RecordId};

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

/// What the server knows, when it judges one change, beyond the change itself.
#[derive(Clone, Copy, Debug)]
pub struct Situation<'a> {
    /// What is stored under the change's id.
    pub earlier: Option<Earlier<'a>>,
    /// The record the change edits, as stored or as the batch left it.
    pub record: Option<Existing>,
    /// Whether the pusher may write that record: it is hers or assigned to her, or she is not an
    /// outreach worker, or the batch makes it.
    pub yours: bool,
    /// The field's value as the server holds it, for [`trust::check_hold`].
    pub held: Option<&'a serde_json::Value>,
    /// Whether the change moves a record after its case, merged into the case it moves to.
    pub follows_merge: bool,
    /// The server's clock, in milliseconds since 1970.
    pub now_millis: u64,
}

/// Decides one change pushed for `centre`. The order matters: a change sent again is recognised
/// before it is checked, so that an answer lost on the way never turns into a refusal; and a
/// record she may not see is refused before anything about it (its kind, its fields) is told.
pub fn judge(centre: CentreId, change: &Change, seen: Situation<'_>) -> Verdict {
    if let Some(earlier) = seen.earlier {
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
    if let Err(refused) = trust::check_stamp(change.stamp, change.base, seen.now_millis) {
        return refused.into();
    }
    if let Some(refused) = refusal_of(centre, change.record, kind, seen.record, seen.yours) {
        return refused;
    }
    let held = seen.record.and(seen.held);
    match trust::check_hold(kind, &change.field, &change.value, held, seen.follows_merge) {
        Ok(()) => Verdict::Apply(kind),
        Err(refused) => refused.into(),
    }
}

/// Why a record of `kind` may not be written, as stored (`existing`, `None` if it is not): of
/// another centre; not hers (`yours`), said before anything about it is told; or of another kind.
fn refusal_of(
    centre: CentreId,
    record: RecordId,
    kind: Kind,
    existing: Option<Existing>,
    yours: bool,
) -> Option<Verdict> {
    let existing = existing?;
    if existing.centre != centre {
        return Some(Verdict::Reject {
            code: "foreign_record",
            reason: format!("record {record} belongs to another centre"),
        });
    }
    if !yours {
        return Some(out_of_scope(record));
    }
    (existing.kind != kind).then(|| Verdict::Reject {
        code: "kind_mismatch",
        reason: format!(
            "record {record} is a {}, not a {}",
            existing.kind.as_str(),
            kind.as_str()
        ),
    })
}

/// The refusal of a record of her centre that is neither hers nor assigned to her.
pub fn out_of_scope(record: RecordId) -> Verdict {
    Verdict::Reject {
        code: "out_of_scope",
        reason: format!("record {record} is neither yours nor assigned to you"),
    }
}

impl From<Refused> for Verdict {
    fn from(Refused { code, reason }: Refused) -> Self {
        Verdict::Reject { code, reason }
    }
}

/// Decides one record a device gives back after a restore, given the record as stored (or as
/// this restatement left it), whether the caller may write it, and the server's clock. A record
/// she may not write is refused alone, not the whole batch as in a push: her phone held it
/// lawfully before the restore, which may have lost what made it hers (an assignment, say), and
/// the rest of what she gives back must still return. Every value is checked as a change's
/// would be, every stamp as a change's, and no field may hold a base that nothing stands on: that
/// would erase what the server holds. (The fields only the server or no one may write are judged
/// by the caller, which knows what is stored: see `batch::judge_restatement`.)
pub fn judge_restated(
    centre: CentreId,
    record: &Record,
    existing: Option<Existing>,
    yours: bool,
    now_millis: u64,
) -> Verdict {
    if let Some(refused) = refusal_of(centre, record.id, record.kind, existing, yours) {
        return refused;
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
        for head in field.heads() {
            if let Err(refused) = trust::check_stamp(head.stamp, head.base, now_millis) {
                return refused.into();
            }
        }
        // Every base was replaced by a later edit, and the latest such edit is still a head.
        let latest_head = field.heads().iter().map(|head| head.stamp).max();
        if let Some(&latest_base) = field.bases().iter().max()
            && latest_head.is_none_or(|head| head <= latest_base)
        {
            return Verdict::Reject {
                code: "base_not_older",
                reason: format!(
                    "field {name} of record {} says a value was replaced by nothing",
                    record.id
                ),
            };
        }
    }
    Verdict::Apply(record.kind)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sakhi_domain::{Clock, DeviceId, Record, RecordId};
    use serde_json::json;

    /// The server's clock in these tests: after every stamp they make.
    const NOW: u64 = 10_000;

    fn seen(earlier: Option<Earlier<'_>>, record: Option<Existing>) -> Situation<'_> {
        Situation {
            earlier,
            record,
            yours: true,
            held: None,
            follows_merge: false,
            now_millis: NOW,
        }
    }

    fn a_change(field: &str, value: serde_json::Value) -> Change {
        let mut clock = Clock::new(DeviceId::new());
        Record::new(RecordId::new(), Kind::Case).edit(&mut clock, 1, field, value)
    }

    #[test]
    fn a_valid_change_to_a_new_record_is_applied() {
        let change = a_change("name", json!("सीता देवी"));
        assert_eq!(
            judge(CentreId::new(), &change, seen(None, None)),
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
            judge(centre, &change, seen(Some(earlier), None)),
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
        let earlier = Earlier {
            centre,
            change: &stored,
        };
        let verdict = judge(centre, &sent, seen(Some(earlier), None));
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
        let verdict = judge(CentreId::new(), &change, seen(Some(earlier), None));
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
        let verdict = judge(CentreId::new(), &change, seen(None, None));
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
        let verdict = judge(CentreId::new(), &change, seen(None, Some(elsewhere)));
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
            judge_restated(centre, &record, None, true, NOW),
            Verdict::Apply(Kind::Case)
        );
        assert_eq!(
            judge_restated(centre, &record, Some(stored), true, NOW),
            Verdict::Apply(Kind::Case)
        );
    }

    #[test]
    fn a_record_given_back_with_a_value_the_schema_refuses_is_refused_with_its_code() {
        let record = a_record("age", json!(130));
        let verdict = judge_restated(CentreId::new(), &record, None, true, NOW);
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
            judge_restated(CentreId::new(), &unknown, None, true, NOW),
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
            judge_restated(centre, &record, Some(stored), false, NOW),
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
            judge_restated(centre, &record, Some(elsewhere), true, NOW),
            Verdict::Reject {
                code: "foreign_record",
                ..
            }
        ));
    }

    #[test]
    fn a_record_not_hers_is_refused_before_its_kind_is_told() {
        let centre = CentreId::new();
        let change = a_change("name", json!("Sita"));
        let a_note = Existing {
            centre,
            kind: Kind::Note,
        };
        let verdict = judge(
            centre,
            &change,
            Situation {
                yours: false,
                ..seen(None, Some(a_note))
            },
        );
        assert!(
            matches!(verdict, Verdict::Reject { code: "out_of_scope", ref reason } if !reason.contains("note")),
            "{verdict:?}"
        );
    }

    #[test]
    fn a_change_from_a_clock_years_ahead_or_on_a_base_not_older_is_refused() {
        let mut clock = Clock::new(DeviceId::new());
        let mut case = Record::new(RecordId::new(), Kind::Case);
        let ahead = case.edit(
            &mut clock,
            NOW + 3 * 365 * 86_400_000,
            "name",
            json!("Sita"),
        );
        let code = |change: &Change| match judge(CentreId::new(), change, seen(None, None)) {
            Verdict::Reject { code, .. } => code,
            verdict => panic!("{verdict:?}"),
        };
        assert_eq!(code(&ahead), "clock_ahead");
        let mut clock = Clock::new(DeviceId::new());
        let mut fixed = Record::new(case.id, Kind::Case).edit(&mut clock, 1, "name", json!("Gita"));
        fixed.base = Some(fixed.stamp);
        assert_eq!(code(&fixed), "base_not_older");
    }

    #[test]
    fn a_record_given_back_with_a_stamp_ahead_or_a_base_on_nothing_is_refused() {
        let centre = CentreId::new();
        let mut clock = Clock::new(DeviceId::new());
        let mut ahead = Record::new(RecordId::new(), Kind::Case);
        ahead.edit(&mut clock, NOW * 1_000, "name", json!("Sita"));
        let code = |record: &Record| match judge_restated(centre, record, None, true, NOW) {
            Verdict::Reject { code, .. } => code,
            verdict => panic!("{verdict:?}"),
        };
        assert_eq!(code(&ahead), "clock_ahead");
        // `{"h": [], "b": [S]}`: the server's value replaced by nothing.
        let mut erasing = a_record("age", json!(3));
        let stamp = erasing.fields["age"].winner().unwrap().stamp;
        let field: sakhi_domain::Field =
            serde_json::from_value(json!({ "h": [], "b": [stamp] })).unwrap();
        erasing.fields.insert("age".to_owned(), field);
        assert_eq!(code(&erasing), "base_not_older");
    }

    #[test]
    fn no_device_may_write_a_cases_number() {
        let change = Record::new(RecordId::new(), Kind::Case).edit(
            &mut sakhi_domain::Clock::new(sakhi_domain::DeviceId::new()),
            1,
            "number",
            serde_json::json!("DHR-2026-0001"),
        );
        let verdict = judge(CentreId::new(), &change, seen(None, None));
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
