//! What the server takes from a phone, whatever the phone says: stamps bounded by the server's
//! clock, and the fields that only the server, or no one once stored, may write. One rule, here,
//! for a push and for a restatement alike.
//!
//! **Why refuse a stamp from the future rather than clamp it.** A change is stored as sent, and
//! the phone keeps its own copy stamped as it made it. Were the server to lower the stamp, the
//! two copies would hold one edit under two stamps: the phone's would go on winning on the phone
//! and losing on the server, and the replicas would never agree. A refusal stores nothing, so
//! every replica still holds only what every other can hold. The phone, told `clock_ahead`, makes
//! the same edit again stamped by a corrected clock (the server's time, read at that sync, plus
//! the time since) and sends that: the worker loses nothing and no one else sees the wrong time.

use crate::clock::Stamp;
use crate::schema::{CASE, DELETED, Kind, NUMBER};

/// How far ahead of the server's clock a stamp may be: phones' clocks drift by seconds to a few
/// minutes, and a stamp minted on a phone arrives after it was made.
pub const MOST_AHEAD_MILLIS: u64 = 5 * 60 * 1_000;

/// The largest counter a stamp may hold. A counter counts edits within one millisecond, or while
/// the phone's clock stands behind a stamp it has seen; a million is beyond any person. A larger
/// one is made up, and the clock of any phone that saw it would run out of counts.
pub const MOST_COUNTER: u32 = 1 << 20;

/// Why the server does not take something a phone sent: a stable code for programs, a reason for
/// people.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused {
    pub code: &'static str,
    pub reason: String,
}

/// The code of a change refused for a stamp ahead of the server's clock; the phone makes the
/// edit again from a corrected clock rather than showing it as refused.
pub const CLOCK_AHEAD: &str = "clock_ahead";

/// Checks a version's stamp and base against the server's clock at `server_now` (milliseconds).
pub fn check_stamp(stamp: Stamp, base: Option<Stamp>, server_now: u64) -> Result<(), Refused> {
    if stamp.hlc.millis > server_now.saturating_add(MOST_AHEAD_MILLIS) {
        return Err(Refused {
            code: CLOCK_AHEAD,
            reason: format!(
                "stamped {} ms after the server's clock: the phone's date is wrong",
                stamp.hlc.millis - server_now
            ),
        });
    }
    if stamp.hlc.counter > MOST_COUNTER {
        return Err(Refused {
            code: "bad_stamp",
            reason: format!("a stamp's counter is at most {MOST_COUNTER}"),
        });
    }
    if base.is_some_and(|base| base >= stamp) {
        return Err(Refused {
            code: "base_not_older",
            reason: "an edit is made on top of an older value: its base must be older than its \
                     stamp"
                .to_owned(),
        });
    }
    Ok(())
}

/// Makes again, stamped by `clock` set back to `now_millis` (the server's time as the phone last
/// heard it, plus the time since), each of `outbox` that is stamped ahead of the server's clock:
/// the same edit, with a new id, on the same base (or on the edit made again in its place), so
/// that the worker loses nothing. The server refused them ([`CLOCK_AHEAD`]): the phone's date was
/// wrong. `outbox` is every change waiting, oldest first; one not ahead keeps its id and stamp,
/// but its base follows an edit made again. `records` holds the records they edit, as the phone
/// holds them; each is changed to hold the new stamps instead of the old. Returns the outbox as
/// it is to be, in the same order.
pub fn restamp(
    clock: &mut crate::Clock,
    now_millis: u64,
    outbox: &[crate::Change],
    records: &mut [crate::Record],
) -> Vec<crate::Change> {
    clock.correct(now_millis);
    let bound = now_millis.saturating_add(MOST_AHEAD_MILLIS);
    let mut renamed: Vec<(Stamp, Stamp)> = Vec::new();
    let mut made = Vec::with_capacity(outbox.len());
    for change in outbox {
        let renamed_to = |stamp: Stamp, renamed: &[(Stamp, Stamp)]| {
            renamed
                .iter()
                .find(|(old, _)| *old == stamp)
                .map(|(_, new)| *new)
        };
        let base = change
            .base
            .map(|base| renamed_to(base, &renamed).unwrap_or(base));
        if change.stamp.hlc.millis <= bound {
            made.push(crate::Change {
                base,
                ..change.clone()
            });
            continue;
        }
        if let Some(base) = base.filter(|base| base.hlc.millis <= bound) {
            clock.observe(base.hlc);
        }
        // Several changes of one decision share a stamp (see `Record::resolve`): they keep
        // sharing one.
        let stamp = renamed_to(change.stamp, &renamed).unwrap_or_else(|| {
            let new = clock.tick(now_millis);
            renamed.push((change.stamp, new));
            new
        });
        made.push(crate::Change {
            id: crate::ChangeId::new(),
            stamp,
            base,
            ..change.clone()
        });
    }
    for record in records.iter_mut() {
        for field in record.fields.values_mut() {
            for (old, new) in &renamed {
                field.restamp(*old, *new);
            }
        }
    }
    made
}

/// Who may write a field of a record the server already holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hold {
    /// Anyone who may write the record, by stamp.
    Open,
    /// The server alone: a case's official number. No phone writes it, ever.
    Server,
    /// Whoever makes the record, and then no one: the case a service, session, note or closure
    /// belongs to. It moves only to follow its case when that case is merged into another.
    WithItsCase,
    /// Written once: a field of a note or a closure, or which file an attachment is, once stored,
    /// never changes.
    Once,
}

/// How `field` of a record of `kind` is held.
pub fn hold(kind: Kind, field: &str) -> Hold {
    match (kind, field) {
        (Kind::Case, NUMBER) => Hold::Server,
        (Kind::Case | Kind::Camp, _) => Hold::Open,
        (_, CASE) => Hold::WithItsCase,
        (kind, _) if kind.is_written_once() => Hold::Once,
        // What an attachment is may be corrected; which file it is, never.
        (Kind::Attachment, "attachment_kind" | "caption" | DELETED) => Hold::Open,
        (Kind::Attachment, _) => Hold::Once,
        _ => Hold::Open,
    }
}

/// Why a phone may not write `value` into `field` of a record of `kind`, given the field's
/// value as the server holds it (`held`: `None` if the server holds no such field or record) and
/// whether the write moves a record to the case its own case was merged into (`follows_merge`).
pub fn check_hold(
    kind: Kind,
    field: &str,
    value: &serde_json::Value,
    held: Option<&serde_json::Value>,
    follows_merge: bool,
) -> Result<(), Refused> {
    let refuse = |code, reason: &str| {
        Err(Refused {
            code,
            reason: format!("{} {field}: {reason}", kind.as_str()),
        })
    };
    match hold(kind, field) {
        Hold::Open => Ok(()),
        Hold::Server => refuse("server_field", "given by the server; no phone writes it"),
        Hold::WithItsCase => match held {
            Some(case) if case != value && !follows_merge => refuse(
                "case_fixed",
                "stays with the case it was written for, unless that case is merged",
            ),
            _ => Ok(()),
        },
        Hold::Once => match held {
            Some(_) if !follows_merge => refuse("append_only", "written once and never changed"),
            _ => Ok(()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Clock, DeviceId, Hlc};
    use serde_json::json;

    const NOW: u64 = 1_765_000_000_000;

    fn stamp(millis: u64, counter: u32) -> Stamp {
        Stamp {
            hlc: Hlc { millis, counter },
            device: DeviceId::new(),
        }
    }

    #[test]
    fn a_stamp_from_a_clock_years_ahead_is_refused_and_one_a_little_ahead_or_behind_taken() {
        let ten_years = 10 * 365 * 86_400_000;
        let code = |s| check_stamp(s, None, NOW).map_err(|refused| refused.code);
        assert_eq!(code(stamp(NOW + ten_years, 0)), Err(CLOCK_AHEAD));
        assert_eq!(code(stamp(u64::MAX, u32::MAX)), Err(CLOCK_AHEAD));
        assert_eq!(
            code(stamp(NOW + MOST_AHEAD_MILLIS + 1, 0)),
            Err(CLOCK_AHEAD)
        );
        assert_eq!(code(stamp(NOW + MOST_AHEAD_MILLIS, 0)), Ok(()));
        assert_eq!(code(stamp(NOW - ten_years, 0)), Ok(()));
        assert_eq!(code(stamp(0, 0)), Ok(()));
        assert_eq!(code(stamp(NOW, u32::MAX)), Err("bad_stamp"));
    }

    #[test]
    fn a_base_not_older_than_its_stamp_is_refused() {
        let later = stamp(NOW, 3);
        let same_time = Stamp {
            hlc: later.hlc,
            device: later.device,
        };
        let refused = |base| check_stamp(later, Some(base), NOW).unwrap_err().code;
        assert_eq!(refused(same_time), "base_not_older");
        assert_eq!(refused(stamp(NOW, 4)), "base_not_older");
        assert_eq!(check_stamp(later, Some(stamp(NOW, 2)), NOW), Ok(()));
        // A phone's own clock never makes one: each tick passes what it saw.
        let mut clock = Clock::new(DeviceId::new());
        let seen = clock.tick(NOW);
        assert_eq!(check_stamp(clock.tick(NOW - 1), Some(seen), NOW), Ok(()));
    }

    #[test]
    fn edits_from_a_clock_years_ahead_are_made_again_from_the_servers_time_and_lose_nothing() {
        let mut clock = Clock::new(DeviceId::new());
        let mut case = crate::Record::new(crate::RecordId::new(), Kind::Case);
        let ahead = NOW + 3 * 365 * 86_400_000;
        let sent = [
            case.edit(&mut clock, ahead, "name", json!("Sita")),
            case.edit(&mut clock, ahead + 5, "name", json!("Sita Devi")),
            case.edit(&mut clock, ahead + 9, "age", json!(30)),
        ];
        let mut records = [case.clone()];
        let made = restamp(&mut clock, NOW, &sent[..2], &mut records);
        // One sent later, made on top of one made again.
        let mut rest = made.clone();
        rest.push(sent[2].clone());
        let made = restamp(&mut clock, NOW, &rest, &mut records);
        assert_eq!(
            made[..2],
            rest[..2],
            "what is no longer ahead stays as it is"
        );

        for (again, before) in made.iter().zip(&sent) {
            assert_ne!(again.id, before.id);
            assert_eq!((&again.field, &again.value), (&before.field, &before.value));
            assert_eq!(check_stamp(again.stamp, again.base, NOW), Ok(()));
        }
        assert_eq!(made[1].base, Some(made[0].stamp));
        // The phone's copy is what the server makes of the changes made again.
        let mut server = crate::Record::new(case.id, Kind::Case);
        made.iter().for_each(|change| server.apply(change));
        assert_eq!(records[0], server);
        assert_eq!(records[0].text("name"), Some("Sita Devi"));
        // And its next edit follows them.
        let next = records[0].edit(&mut clock, NOW + 1, "name", json!("Sita D."));
        assert!(next.stamp > made[2].stamp && check_stamp(next.stamp, next.base, NOW).is_ok());
    }

    #[test]
    fn the_number_is_the_servers_a_case_link_stays_and_a_note_is_written_once() {
        let case = json!("0193b7a0-0000-7000-8000-000000000001");
        let other = json!("0193b7a0-0000-7000-8000-000000000002");
        fn code(
            kind: Kind,
            field: &str,
            value: &serde_json::Value,
            held: Option<&serde_json::Value>,
            merge: bool,
        ) -> Result<(), &'static str> {
            check_hold(kind, field, value, held, merge).map_err(|refused| refused.code)
        }
        assert_eq!(
            code(Kind::Case, NUMBER, &json!("X-1"), None, false),
            Err("server_field")
        );
        assert_eq!(
            code(
                Kind::Case,
                "name",
                &json!("Sita"),
                Some(&json!("Gita")),
                false
            ),
            Ok(())
        );
        assert_eq!(
            code(Kind::Service, CASE, &other, Some(&case), false),
            Err("case_fixed")
        );
        assert_eq!(code(Kind::Service, CASE, &other, Some(&case), true), Ok(()));
        assert_eq!(code(Kind::Session, CASE, &case, Some(&case), false), Ok(()));
        assert_eq!(code(Kind::Note, CASE, &other, None, false), Ok(()));
        assert_eq!(
            code(Kind::Note, "note", &json!("b"), Some(&json!("a")), false),
            Err("append_only")
        );
        assert_eq!(code(Kind::Note, "note", &json!("b"), None, false), Ok(()));
        assert_eq!(
            code(Kind::Closure, CASE, &other, Some(&case), false),
            Err("case_fixed")
        );
        assert_eq!(hold(Kind::Camp, "place"), Hold::Open);
    }

    #[test]
    fn an_attachments_caption_may_be_corrected_and_its_file_never_changes() {
        assert_eq!(hold(Kind::Attachment, "caption"), Hold::Open);
        assert_eq!(hold(Kind::Attachment, "attachment_kind"), Hold::Open);
        assert_eq!(hold(Kind::Attachment, DELETED), Hold::Open);
        assert_eq!(hold(Kind::Attachment, CASE), Hold::WithItsCase);
        for field in ["sha256", "size", "media_type", "attached_to", "added_by"] {
            assert_eq!(hold(Kind::Attachment, field), Hold::Once, "{field}");
        }
        let digest = json!("a".repeat(64));
        assert!(check_hold(Kind::Attachment, "sha256", &digest, Some(&digest), false).is_err());
    }
}
