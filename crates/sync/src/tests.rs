//! The round against a small server in memory that keeps records by sequence number, and can be
//! told to lose an answer or to answer nonsense. The fault tests in `crates/server/tests/faults`
//! run the same round against the real server.

use super::*;
use crate::memory::MemoryReplica;
use futures::executor::block_on;
use sakhi_domain::wire::{ChangeResult, RecordResult};
use sakhi_domain::{Kind, RecordId};
use serde_json::json;
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

/// A phone with nothing yet.
fn phone() -> MemoryReplica {
    MemoryReplica::new(DeviceId::new())
}

/// Writes `value` into `field` of the case `id` on `phone`.
fn edit(phone: &MemoryReplica, id: RecordId, field: &str, value: serde_json::Value) -> Change {
    phone.edit(id, Kind::Case, field, value, 1).unwrap()
}

fn waiting(phone: &MemoryReplica) -> usize {
    phone.outbox().len()
}

/// What the server in memory does wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fault {
    None,
    /// Applies the push, then the answer is lost on the way.
    LoseAnswer,
    /// Answers about changes that were not sent.
    AnswerForOthers,
    /// Answers pages that say more follow without moving the cursor.
    StuckCursor,
    /// Gives no answer to a pull.
    LosePull,
    /// Answers each pull as a new life of the database, as two servers answering in turn would.
    NewLifeEachPull,
    /// Gives no answer to a restatement.
    LoseRestatement,
}

/// A server in memory: every change accepted, except those whose value is `"refuse me"`.
struct Centre {
    epoch: Cell<Epoch>,
    records: RefCell<BTreeMap<RecordId, (Record, u64)>>,
    seq: Cell<u64>,
    fault: Cell<Fault>,
    pushes: Cell<usize>,
    pulls: RefCell<Vec<Cursor>>,
    /// How many records were given back to it.
    restated: Cell<usize>,
    /// Its clock: stamps beyond it (and the margin) are refused, as the real server does.
    now: Cell<u64>,
}

/// A copy of a centre's records and sequence, to restore later.
type Backup = (BTreeMap<RecordId, (Record, u64)>, u64);

impl Centre {
    fn new() -> Centre {
        Centre {
            epoch: Cell::new(Epoch::new()),
            records: RefCell::new(BTreeMap::new()),
            seq: Cell::new(0),
            fault: Cell::new(Fault::None),
            pushes: Cell::new(0),
            pulls: RefCell::new(Vec::new()),
            restated: Cell::new(0),
            now: Cell::new(1_000_000),
        }
    }

    fn back_up(&self) -> Backup {
        (self.records.borrow().clone(), self.seq.get())
    }

    /// Puts `backup` back, as a new life of the database.
    fn restore(&self, (records, seq): Backup) {
        *self.records.borrow_mut() = records;
        self.seq.set(seq);
        self.epoch.set(Epoch::new());
    }

    fn record(&self, id: RecordId) -> Option<Record> {
        self.records
            .borrow()
            .get(&id)
            .map(|(record, _)| record.clone())
    }
}

impl Transport for Centre {
    async fn push(&self, request: &PushRequest) -> Result<PushResponse, TransportError> {
        self.pushes.set(self.pushes.get() + 1);
        let before = self.seq.get();
        // Whether the pusher had seen every record changed before this push, as the real server
        // judges it (for a centre without outreach scopes).
        let quiet = request
            .seen
            .and_then(|seen| seen.cursor_in(self.epoch.get()))
            .is_some_and(|cursor| {
                !self
                    .records
                    .borrow()
                    .values()
                    .any(|(_, seq)| *seq > cursor.0 && *seq <= before)
            });
        let mut results = Vec::new();
        for change in &request.changes {
            let stamped =
                sakhi_domain::trust::check_stamp(change.stamp, change.base, self.now.get());
            let outcome = if change.value == json!("refuse me") {
                Outcome::Rejected {
                    code: "wrong_type".to_owned(),
                    reason: "no".to_owned(),
                }
            } else if let Err(refused) = stamped {
                Outcome::Rejected {
                    code: refused.code.to_owned(),
                    reason: refused.reason,
                }
            } else {
                self.seq.set(self.seq.get() + 1);
                let mut records = self.records.borrow_mut();
                let (record, seq) = records
                    .entry(change.record)
                    .or_insert_with(|| (Record::new(change.record, Kind::Case), 0));
                record.apply(change);
                *seq = self.seq.get();
                Outcome::Accepted
            };
            results.push(ChangeResult {
                change: change.id,
                outcome,
            });
        }
        match self.fault.get() {
            Fault::LoseAnswer => return Err(TransportError::NoAnswer),
            Fault::AnswerForOthers => {
                for result in &mut results {
                    result.change = ChangeId::new();
                    result.outcome = Outcome::Rejected {
                        code: "wrong_type".to_owned(),
                        reason: "not yours".to_owned(),
                    };
                }
            }
            Fault::None
            | Fault::StuckCursor
            | Fault::LosePull
            | Fault::NewLifeEachPull
            | Fault::LoseRestatement => {}
        }
        let caught_up = quiet.then_some(Cursor(self.seq.get()));
        Ok(PushResponse::of(self.epoch.get(), &results, caught_up))
    }

    async fn pull(&self, after: Cursor, limit: u32) -> Result<PullResponse, TransportError> {
        if self.fault.get() == Fault::LosePull {
            return Err(TransportError::NoAnswer);
        }
        if self.fault.get() == Fault::NewLifeEachPull {
            self.epoch.set(Epoch::new());
        }
        self.pulls.borrow_mut().push(after);
        let mut newer: Vec<(Record, u64)> = self
            .records
            .borrow()
            .values()
            .filter(|(_, seq)| *seq > after.0)
            .cloned()
            .collect();
        newer.sort_by_key(|(_, seq)| *seq);
        let more = newer.len() > limit as usize;
        newer.truncate(limit as usize);
        let cursor = newer.last().map_or(after, |(_, seq)| Cursor(*seq));
        if self.fault.get() == Fault::StuckCursor {
            return Ok(PullResponse {
                epoch: self.epoch.get(),
                records: Vec::new(),
                cursor: after,
                more: true,
                gone: Vec::new(),
            });
        }
        Ok(PullResponse {
            epoch: self.epoch.get(),
            records: newer.into_iter().map(|(record, _)| record).collect(),
            cursor,
            more,
            gone: Vec::new(),
        })
    }

    async fn restate(&self, request: &RestateRequest) -> Result<RestateResponse, TransportError> {
        if self.fault.get() == Fault::LoseRestatement {
            return Err(TransportError::NoAnswer);
        }
        let mut results = Vec::new();
        let mut records = self.records.borrow_mut();
        for given in &request.records {
            self.restated.set(self.restated.get() + 1);
            let (record, seq) = records
                .entry(given.id)
                .or_insert_with(|| (Record::new(given.id, given.kind), 0));
            let before = record.clone();
            record.merge(given);
            if *record != before {
                self.seq.set(self.seq.get() + 1);
                *seq = self.seq.get();
            }
            results.push(RecordResult {
                record: given.id,
                outcome: Outcome::Accepted,
            });
        }
        Ok(RestateResponse {
            epoch: self.epoch.get(),
            results,
        })
    }

    fn server_now(&self) -> Option<u64> {
        Some(self.now.get())
    }
}

#[test]
fn a_change_leaves_the_outbox_only_once_the_server_names_it_and_a_refused_one_stays_marked() {
    let (phone, centre) = (phone(), Centre::new());
    let case = RecordId::new();
    edit(&phone, case, "name", json!("सीता देवी"));
    let refused = edit(&phone, case, "village", json!("refuse me"));

    block_on(round(&phone, &centre)).unwrap();

    let outbox = phone.outbox();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].0, refused);
    assert_eq!(
        outbox[0].1.as_ref().map(|r| r.code.as_str()),
        Some("wrong_type")
    );
    assert_eq!(centre.record(case).unwrap().text("name"), Some("सीता देवी"));
}

#[test]
fn an_answer_lost_after_the_server_applied_the_push_keeps_the_changes_to_send_again() {
    let (phone, centre) = (phone(), Centre::new());
    edit(&phone, RecordId::new(), "village", json!("Rampur"));
    centre.fault.set(Fault::LoseAnswer);

    let error = block_on(round(&phone, &centre)).unwrap_err();

    assert!(matches!(
        error,
        RoundError::Transport(TransportError::NoAnswer)
    ));
    assert_eq!(waiting(&phone), 1);
    centre.fault.set(Fault::None);
    block_on(round(&phone, &centre)).unwrap();
    assert_eq!(waiting(&phone), 0);
}

#[test]
fn an_answer_about_other_changes_acknowledges_nothing_and_stops_the_round() {
    let (phone, centre) = (phone(), Centre::new());
    edit(&phone, RecordId::new(), "village", json!("Rampur"));
    centre.fault.set(Fault::AnswerForOthers);

    let error = block_on(round(&phone, &centre)).unwrap_err();

    assert!(matches!(error, RoundError::Protocol(_)), "{error}");
    assert_eq!(waiting(&phone), 1);
    assert_eq!(
        centre.pushes.get(),
        1,
        "the same push is not sent again at once"
    );
}

#[test]
fn an_outbox_bigger_than_one_push_goes_in_several() {
    let (phone, centre) = (phone(), Centre::new());
    let case = RecordId::new();
    for age in 0..MAX_PUSH_CHANGES + 1 {
        edit(&phone, case, "age", json!(age % 100));
    }

    block_on(round(&phone, &centre)).unwrap();

    assert_eq!(centre.pushes.get(), 2);
    assert_eq!(waiting(&phone), 0);
}

#[test]
fn pages_are_pulled_until_none_follow_each_kept_with_its_cursor() {
    let (phone, other, centre) = (phone(), phone(), Centre::new());
    let cases: Vec<RecordId> = (0..PULL_LIMIT * 2 + 1).map(|_| RecordId::new()).collect();
    for case in &cases {
        edit(&other, *case, "name", json!("Gita"));
    }
    block_on(round(&other, &centre)).unwrap();
    centre.pulls.borrow_mut().clear();

    block_on(round(&phone, &centre)).unwrap();

    assert_eq!(phone.records().len(), cases.len());
    let limit = u64::from(PULL_LIMIT);
    assert_eq!(
        *centre.pulls.borrow(),
        [Cursor(0), Cursor(limit), Cursor(2 * limit)]
    );
    assert_eq!(
        phone.position(),
        (Some(centre.epoch.get()), Cursor(2 * limit + 1))
    );
}

#[test]
fn a_page_that_says_more_follow_without_moving_the_cursor_stops_the_round() {
    let (phone, centre) = (phone(), Centre::new());
    centre.fault.set(Fault::StuckCursor);

    let error = block_on(round(&phone, &centre)).unwrap_err();

    assert!(matches!(error, RoundError::Protocol(_)), "{error}");
    assert_eq!(centre.pulls.borrow().len(), 1);
}

#[test]
fn a_restored_server_gets_back_every_record_held_then_is_pulled_from_its_start() {
    let (phone, desk, centre) = (phone(), phone(), Centre::new());
    let (early, late) = (RecordId::new(), RecordId::new());
    edit(&phone, early, "name", json!("सीता"));
    block_on(round(&phone, &centre)).unwrap();
    let backup = centre.back_up();
    // Acknowledged after the backup: only the phone holds it once the server is restored.
    edit(&phone, late, "name", json!("गीता"));
    edit(&phone, early, "age", json!(30));
    block_on(round(&phone, &centre)).unwrap();
    assert_eq!(waiting(&phone), 0);
    centre.restore(backup);
    centre.pulls.borrow_mut().clear();

    block_on(round(&phone, &centre)).unwrap();

    assert_eq!(centre.restated.get(), 2);
    assert_eq!(centre.record(late), phone.record(late));
    assert_eq!(centre.record(early), phone.record(early));
    assert_eq!(phone.position(), (Some(centre.epoch.get()), Cursor(3)));
    assert_eq!(
        *centre.pulls.borrow(),
        [Cursor(3), Cursor(0)],
        "the page after the old cursor is not kept"
    );
    block_on(round(&desk, &centre)).unwrap();
    assert_eq!(desk.records(), phone.records());
}

#[test]
fn a_phone_that_never_pulled_notices_a_restore_of_the_server_that_acknowledged_its_changes() {
    let (phone, centre) = (phone(), Centre::new());
    let backup = centre.back_up();
    let case = RecordId::new();
    edit(&phone, case, "name", json!("सीता"));
    // The answer to the push arrives; the pull after it does not.
    centre.fault.set(Fault::LosePull);
    assert!(block_on(round(&phone, &centre)).is_err());
    assert_eq!(waiting(&phone), 0);
    // Its push was all the server had: the answer said so, and that is kept with the epoch.
    assert_eq!(phone.position(), (Some(centre.epoch.get()), Cursor(1)));
    centre.fault.set(Fault::None);
    centre.restore(backup);

    block_on(round(&phone, &centre)).unwrap();

    assert_eq!(centre.record(case), phone.record(case));
}

#[test]
fn a_restatement_cut_short_is_made_again_at_the_next_round() {
    let (phone, centre) = (phone(), Centre::new());
    let case = RecordId::new();
    block_on(round(&phone, &centre)).unwrap();
    let backup = centre.back_up();
    edit(&phone, case, "name", json!("सीता"));
    block_on(round(&phone, &centre)).unwrap();
    let known = phone.position();
    centre.restore(backup);
    centre.fault.set(Fault::LoseRestatement);

    assert!(block_on(round(&phone, &centre)).is_err());
    assert_eq!(
        phone.position(),
        known,
        "the old epoch stays until a new page is kept"
    );
    centre.fault.set(Fault::None);
    block_on(round(&phone, &centre)).unwrap();

    assert_eq!(centre.record(case), phone.record(case));
    assert_eq!(phone.position().0, Some(centre.epoch.get()));
}

#[test]
fn a_new_phone_gives_nothing_back_to_the_first_server_it_meets() {
    let (phone, other, centre) = (phone(), phone(), Centre::new());
    edit(&other, RecordId::new(), "name", json!("सीता"));
    block_on(round(&other, &centre)).unwrap();

    block_on(round(&phone, &centre)).unwrap();

    assert_eq!(centre.restated.get(), 0);
    assert_eq!(phone.records().len(), 1);
}

#[test]
fn a_round_meeting_servers_of_two_lives_in_turn_gives_back_once_and_stops() {
    let (phone, centre) = (phone(), Centre::new());
    edit(&phone, RecordId::new(), "name", json!("सीता"));
    block_on(round(&phone, &centre)).unwrap();
    let backup = centre.back_up();
    centre.restore(backup);
    centre.fault.set(Fault::NewLifeEachPull);

    let error = block_on(round(&phone, &centre)).unwrap_err();

    assert!(matches!(error, RoundError::Protocol(_)), "{error}");
    assert_eq!(centre.restated.get(), 1);
}

#[test]
fn a_phone_whose_push_was_all_that_changed_keeps_the_servers_cursor_and_pulls_nothing_back() {
    let (phone, centre) = (phone(), Centre::new());
    edit(&phone, RecordId::new(), "name", json!("सीता देवी"));
    block_on(round(&phone, &centre)).unwrap();
    for age in [30, 31] {
        edit(&phone, RecordId::new(), "age", json!(age));
    }
    centre.pulls.borrow_mut().clear();

    block_on(round(&phone, &centre)).unwrap();

    assert_eq!(phone.position().1, Cursor(3));
    assert_eq!(
        *centre.pulls.borrow(),
        [Cursor(3)],
        "the pull starts after the phone's own changes"
    );
    assert_eq!(waiting(&phone), 0);
}

#[test]
fn a_phone_pulls_what_another_pushed_before_its_own_push() {
    let (phone, other, centre) = (phone(), phone(), Centre::new());
    let case = RecordId::new();
    edit(&phone, case, "name", json!("Sita"));
    block_on(round(&phone, &centre)).unwrap();
    block_on(round(&other, &centre)).unwrap();
    edit(&other, case, "village", json!("Rampur"));
    block_on(round(&other, &centre)).unwrap();
    edit(&phone, case, "age", json!(30));
    centre.pulls.borrow_mut().clear();

    block_on(round(&phone, &centre)).unwrap();

    assert_eq!(*centre.pulls.borrow(), [Cursor(1)]);
    assert_eq!(phone.record(case), centre.record(case));
    assert_eq!(phone.position().1, Cursor(3));
}

#[test]
fn a_cursor_of_another_life_of_the_server_is_never_kept() {
    let (phone, centre) = (phone(), Centre::new());
    edit(&phone, RecordId::new(), "name", json!("Sita"));
    block_on(round(&phone, &centre)).unwrap();
    let kept = phone.position();
    centre.restore(centre.back_up());
    edit(&phone, RecordId::new(), "name", json!("Gita"));
    centre.fault.set(Fault::LosePull);

    block_on(round(&phone, &centre)).unwrap_err();

    assert_eq!(phone.position(), kept, "the push's answer moved nothing");
}

#[test]
fn edits_from_a_phone_years_ahead_are_made_again_from_the_servers_time_and_all_arrive() {
    let centre = Centre::new();
    let ahead = phone();
    let case = RecordId::new();
    let years = 3 * 365 * 86_400_000;
    ahead
        .edit(case, Kind::Case, "name", json!("Sita"), years)
        .unwrap();
    ahead
        .edit(case, Kind::Case, "name", json!("Sita Devi"), years + 1)
        .unwrap();
    ahead
        .edit(case, Kind::Case, "age", json!(30), years + 2)
        .unwrap();

    block_on(round(&ahead, &centre)).unwrap();

    assert_eq!(waiting(&ahead), 0, "every edit sent, none shown as refused");
    assert_eq!(ahead.record(case), centre.record(case));
    let held = centre.record(case).unwrap();
    assert_eq!(held.text("name"), Some("Sita Devi"));
    assert!(held.latest_stamp().unwrap().hlc.millis <= centre.now.get());
}
