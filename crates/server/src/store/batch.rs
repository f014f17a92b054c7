//! A push judged in memory, alike in every backend: the backend reads what is stored under the
//! ids a batch names, hands it here, and writes back what comes out, all in one transaction.
//!
//! Keeping this pure leaves a backend only its reads and writes, so SQLite and PostgreSQL cannot
//! disagree on what a batch does.

use super::holders::Holders;
use super::rules::{self, Earlier, Existing, Verdict};
use super::{CentreId, Pushed, Restated, Scope};
use chrono::Datelike as _;
use sakhi_domain::trust::{self, Hold};
// India's day: a case registered just after midnight on 1 January in India is of the new year,
// wherever the server's clock is kept.
use sakhi_domain::figures::india_date;
use sakhi_domain::schema::{CASE, MERGED_INTO, NUMBER};
use sakhi_domain::wire::{ChangeResult, Cursor, RecordResult};
use sakhi_domain::{
    Change, ChangeId, DeviceId, Epoch, Hlc, Kind, Record, RecordId, Stamp, Version,
};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// A change already stored under an id that the batch uses.
#[derive(Clone, Debug)]
pub struct StoredChange {
    pub centre: CentreId,
    pub change: Change,
}

/// A record that the batch edits, as stored.
#[derive(Clone, Debug)]
pub struct StoredRecord {
    pub centre: CentreId,
    pub record: Record,
    /// The account whose push made it, as stored (`None` for records from before accounts).
    pub created_by: Option<String>,
    /// The account its `assigned_to` field names, as stored.
    pub assigned_to: Option<String>,
}

impl StoredRecord {
    /// Whose the record is as stored, before the batch.
    pub fn holders(&self) -> Holders<'_> {
        Holders {
            created_by: self.created_by.as_deref(),
            assigned_to: self.assigned_to.as_deref(),
        }
    }
}

/// What is stored under the ids a batch names: read by the backend inside the push's transaction,
/// after it holds its centre's turn, so nothing it read can change before the batch is written.
#[derive(Clone, Debug, Default)]
pub struct Stored {
    pub changes: HashMap<ChangeId, StoredChange>,
    pub records: HashMap<RecordId, StoredRecord>,
}

/// The change ids of a batch, each once, for the backend to look up.
pub fn change_ids(changes: &[Change]) -> Vec<ChangeId> {
    let mut seen = HashSet::new();
    changes
        .iter()
        .map(|change| change.id)
        .filter(|id| seen.insert(*id))
        .collect()
}

/// The cases a batch needs that the backend has not read with it: the case a service, session or
/// note would leave (it moves only from a case merged into the one it moves to), the case it is
/// filed under (one she may write), and the case a duplicate is merged into (a case of the
/// centre).
pub fn cases_to_read(changes: &[Change], stored: &Stored) -> Vec<RecordId> {
    let mut seen = HashSet::new();
    let left = changes
        .iter()
        .filter(|change| change.field == CASE)
        .filter_map(|change| stored.records.get(&change.record)?.record.text(CASE));
    let kept = changes
        .iter()
        .filter(|change| change.field == MERGED_INTO || change.field == CASE)
        .filter_map(|change| change.value.as_str());
    left.chain(kept)
        .filter_map(|case| case.parse::<RecordId>().ok())
        .filter(|case| !stored.records.contains_key(case) && seen.insert(*case))
        .collect()
}

/// The record ids of a batch, each once, in the order the batch first names them.
pub fn record_ids(changes: &[Change]) -> Vec<RecordId> {
    let mut seen = HashSet::new();
    changes
        .iter()
        .map(|change| change.record)
        .filter(|id| seen.insert(*id))
        .collect()
}

/// The record ids of a restatement, each once, for the backend to look up.
pub fn restated_ids(records: &[Record]) -> Vec<RecordId> {
    let mut seen = HashSet::new();
    records
        .iter()
        .map(|record| record.id)
        .filter(|id| seen.insert(*id))
        .collect()
}

impl StoredRecord {
    /// Whether `scope` may write this record: it is of her centre and, for an outreach worker,
    /// hers or assigned to her.
    fn writable_by(&self, scope: Scope) -> bool {
        self.centre == scope.centre
            && (!scope.only_own || self.holders().include(&scope.account.to_string()))
    }
}

/// Whether a push must be refused whole: some record it edits exists in another centre. (A record
/// of her own centre that is not hers, say one assigned away from her while she was offline, is
/// refused change by change in [`judge`], so that the rest of her work still goes through.)
pub fn refusal(scope: Scope, changes: &[Change], stored: &Stored) -> Option<Pushed> {
    let refused: Vec<RecordId> = record_ids(changes)
        .into_iter()
        .filter(|id| {
            stored
                .records
                .get(id)
                .is_some_and(|existing| existing.centre != scope.centre)
        })
        .collect();
    (!refused.is_empty()).then_some(Pushed::Refused {
        records: refused,
        other_centre: true,
    })
}

/// Past this many sequence numbers unseen, a push does not look whether any was in the pusher's
/// scope: she has been away long enough that something surely was, and she pulls anyway.
const LONGEST_UNSEEN: i64 = 10_000;

/// The stretch of the centre's sequence a pusher has not seen, `(after, through]`: from the cursor
/// she gave to the counter before her batch (`first_seq`). `None` if she gave none, or one the
/// counter never reached, or one too far behind to be worth looking through.
pub fn unseen(seen: Option<Cursor>, first_seq: i64) -> Option<(i64, i64)> {
    let after = i64::try_from(seen?.0).ok()?;
    (after <= first_seq && first_seq - after <= LONGEST_UNSEEN).then_some((after, first_seq))
}

/// The cursor a pusher may keep as where her pulling stands once `judged` is written: the
/// centre's counter after it, if nothing in her scope changed or left it in the stretch she had
/// not seen (`quiet`), and the batch moves no record into or out of her scope. Her own copy then
/// already equals what a pull would bring her: the records she held, with her changes merged
/// alike. A batch that wrote anything more than her changes would have to answer `None`.
pub fn caught_up(scope: Scope, quiet: bool, judged: &Judged) -> Option<Cursor> {
    let account = scope.account.to_string();
    let moved = judged
        .records
        .iter()
        .any(|written| written.left.contains(&account) || written.rejoined.contains(&account));
    // Numbering a case wrote what her phone does not have.
    if !quiet || moved || judged.numbered > 0 {
        return None;
    }
    u64::try_from(judged.last_seq).ok().map(Cursor)
}

/// A centre's case numbers as stored: its code, and the year and count of the last number given.
/// Numbers run `DHR-2026-0001`, `DHR-2026-0002`, … and start again at 1 each year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Numbering {
    pub code: String,
    pub year: i32,
    pub count: i64,
}

/// The device id of the server's own writes: nil, which no device makes (its ids are UUIDv7).
pub const SERVER_DEVICE: DeviceId = DeviceId::from_uuid(uuid::Uuid::nil());

/// Whether the centre's numbering must look at what `judged` writes: it makes a case, or gives
/// one back after a restore.
pub fn makes_cases(judged: &Judged) -> bool {
    judged.numbered_cases().next().is_some()
}

impl Numbering {
    /// Numbers the cases `judged` writes, as the server at `now_millis`: each case it makes gets
    /// the next number (in the order they were made: their ids are UUIDv7), and a case given back
    /// after a restore keeps its number unless `taken` says another case has it meanwhile, when
    /// it gets the next number instead. `taken` holds, for the numbers the batch's cases hold
    /// (see [`numbers_held`]), the case the centre's register gives each to.
    ///
    /// Returns the numbers to enter in the centre's register, each with its case. When any was
    /// given, the pusher must pull to learn it.
    pub fn number(
        &mut self,
        judged: &mut Judged,
        now_millis: u64,
        taken: &HashMap<String, RecordId>,
    ) -> Vec<(String, RecordId)> {
        let year = india_date(now_millis).year();
        if year != self.year {
            self.year = year;
            self.count = 0;
        }
        // A case given back after a restore may hold a number the restored counter has not
        // reached: no later case may get it again.
        let prefix = format!("{}-{}-", self.code, self.year);
        for written in judged.numbered_cases() {
            let given = written
                .record
                .text(NUMBER)
                .and_then(|n| n.strip_prefix(&prefix));
            if let Some(count) = given.and_then(|count| count.parse::<i64>().ok()) {
                self.count = self.count.max(count);
            }
        }
        let stamp = Stamp {
            hlc: Hlc {
                millis: now_millis,
                counter: 0,
            },
            device: SERVER_DEVICE,
        };
        let mut register = Vec::new();
        let restated = judged.restated;
        for written in &mut judged.records {
            let case = &mut written.record;
            if case.kind != Kind::Case || !(written.new || restated) {
                continue;
            }
            let held = case
                .fields
                .get(NUMBER)
                .and_then(|field| field.winner())
                .map(|winner| (winner.value.as_str().map(str::to_owned), winner.stamp));
            let base = match held {
                // Its own number, or one the register does not know yet: it keeps it.
                Some((Some(number), _)) if taken.get(&number).is_none_or(|of| *of == case.id) => {
                    register.push((number, case.id));
                    continue;
                }
                // Another case has it: a new number, on top of the old one.
                Some((_, old)) => Some(old),
                None => None,
            };
            self.count += 1;
            let number = format!("{}-{}-{:04}", self.code, self.year, self.count);
            case.fields
                .entry(NUMBER.to_owned())
                .or_default()
                .insert(Version {
                    value: Value::from(number.clone()),
                    stamp,
                    base,
                });
            register.push((number, case.id));
            judged.numbered += 1;
        }
        register
    }
}

/// The numbers the cases of `judged` hold: given before a restore, and given back with them.
pub fn numbers_held(judged: &Judged) -> Vec<String> {
    judged
        .numbered_cases()
        .filter_map(|written| written.record.text(NUMBER).map(str::to_owned))
        .collect()
}

/// A record the batch changed, to be written with its new sequence number.
#[derive(Clone, Debug, PartialEq)]
pub struct Written {
    pub record: Record,
    pub seq: i64,
    /// Whether the batch made it: a backend inserts it rather than updating a stored row.
    pub new: bool,
    /// The accounts whose scope it left (assigned away from them): a backend records a scope
    /// exit for each at `seq`, so that their phones are told at their next pull to remove it.
    pub left: Vec<String>,
    /// The accounts whose scope it came back to: a backend clears any scope exit of theirs, so
    /// that their pulls send the record again and never say it is gone.
    pub rejoined: Vec<String>,
}

/// What a batch comes to: the answer per change, and what to write.
#[derive(Clone, Debug, PartialEq)]
pub struct Judged {
    /// One result per change, in the order sent.
    pub results: Vec<ChangeResult>,
    /// The records the batch changed, in id order.
    pub records: Vec<Written>,
    /// The changes applied, each with its sequence number, in order.
    pub applied: Vec<(Change, i64)>,
    /// The centre's counter once the batch is written.
    pub last_seq: i64,
    /// How many sequence numbers the batch took: a backend checks the counter moved by as many.
    pub taken: i64,
    /// How many cases it gave a number (see [`Numbering::number`]).
    pub numbered: usize,
    /// Whether it gives back records after a restore, rather than pushing changes: then every
    /// case it writes may bring a number, not only those it makes.
    pub restated: bool,
}

impl Judged {
    /// The cases whose numbers the numbering looks at: those the batch makes, and any given back.
    fn numbered_cases(&self) -> impl Iterator<Item = &Written> {
        self.records
            .iter()
            .filter(|written| written.record.kind == Kind::Case && (written.new || self.restated))
    }
}

impl Judged {
    /// The records the batch changed (not those it only acknowledged again), for the audit row.
    pub fn changed(&self) -> Vec<RecordId> {
        self.records
            .iter()
            .map(|written| written.record.id)
            .collect()
    }
}

/// A record the batch has read or changed so far.
struct Touched {
    record: Record,
    /// The sequence number the batch gave it, if it changed it.
    seq: Option<i64>,
    /// Its maker and assignee as stored before the batch; `None` if the batch made it.
    stored: Option<(Option<String>, Option<String>)>,
}

impl Touched {
    /// What to write for it, if the batch changed it. A stored record keeps its maker; whom it is
    /// assigned to is compared before and after the whole batch, so a record assigned away and
    /// back within one batch never left anyone.
    fn written(self) -> Option<Written> {
        let seq = self.seq?;
        let (left, rejoined) = match &self.stored {
            Some((created_by, assigned_to)) => {
                let before = Holders {
                    created_by: created_by.as_deref(),
                    assigned_to: assigned_to.as_deref(),
                };
                let after = Holders::of(before.created_by, &self.record);
                (before.left(&after), after.left(&before))
            }
            None => (Vec::new(), Vec::new()),
        };
        Some(Written {
            new: self.stored.is_none(),
            record: self.record,
            seq,
            left,
            rejoined,
        })
    }
}

/// Judges a batch for `scope`'s centre, whose counter stands at `first_seq`, against what is
/// stored: each change by [`rules::judge`], seeing the changes before it in the batch, and each
/// one applied taking the next sequence number.
pub fn judge(
    scope: Scope,
    first_seq: i64,
    changes: &[Change],
    mut stored: Stored,
    now_millis: u64,
) -> Judged {
    let mut touched: HashMap<RecordId, Touched> = HashMap::new();
    let mut applied: Vec<(Change, i64)> = Vec::new();
    // Where each applied change sits in `applied`, to recognise one sent twice in a batch.
    let mut applied_at: HashMap<ChangeId, usize> = HashMap::new();
    let mut seq = first_seq;
    let mut results = Vec::with_capacity(changes.len());
    // Records of her centre that were not hers to write before the batch: an outreach worker's
    // changes to them are refused one by one. Records the batch makes are hers.
    let not_hers: HashSet<RecordId> = stored
        .records
        .iter()
        .filter(|(_, found)| found.centre == scope.centre && !found.writable_by(scope))
        .map(|(id, _)| *id)
        .collect();
    for change in changes {
        // A stored record of this centre joins the batch the first time it is named, so that
        // later changes see it as the batch left it.
        if !touched.contains_key(&change.record)
            && stored
                .records
                .get(&change.record)
                .is_some_and(|found| found.centre == scope.centre)
            && let Some(found) = stored.records.remove(&change.record)
        {
            let mine = Touched {
                record: found.record,
                seq: None,
                stored: Some((found.created_by, found.assigned_to)),
            };
            touched.insert(change.record, mine);
        }
        let earlier = match applied_at.get(&change.id) {
            Some(&at) => Some(Earlier {
                centre: scope.centre,
                change: &applied[at].0,
            }),
            None => stored.changes.get(&change.id).map(|found| Earlier {
                centre: found.centre,
                change: &found.change,
            }),
        };
        let existing = match touched.get(&change.record) {
            Some(mine) => Some(Existing {
                centre: scope.centre,
                kind: mine.record.kind,
            }),
            None => stored.records.get(&change.record).map(|found| Existing {
                centre: found.centre,
                kind: found.record.kind,
            }),
        };
        // A service, session or note stays with the case it was written for (phones file it under
        // that case's id), unless that case was merged into the one it moves to: as stored, or by
        // a change applied earlier in this batch (phones send a merge before its moves). (A case
        // has no `case` field; the schema refuses one.)
        let former = touched
            .get(&change.record)
            .and_then(|mine| mine.record.text(CASE))
            .filter(|case| change.field == CASE && Some(*case) != change.value.as_str());
        let merged = former.is_some_and(|former| {
            let Ok(former) = former.parse::<RecordId>() else {
                return false;
            };
            let kept = change.value.as_str().unwrap_or_default();
            case_of_centre(&touched, &stored, scope, former)
                .is_some_and(|case| case.text(MERGED_INTO) == Some(kept))
        });
        // What the server holds in the field, for the rule of fields no phone may change: a
        // record's case as the batch left it, and a note's words as stored before the batch.
        let held = touched.get(&change.record).and_then(|mine| {
            let field = mine.record.fields.get(&change.field)?;
            if field.has_seen(&change.version()) {
                // The very version it holds, sent again: after a restore, its phone gave the
                // record back before its outbox went, and the change's row was lost. It changes
                // nothing, so no rule of held fields refuses it.
                return None;
            }
            let held = &field.winner()?.value;
            let once = trust::hold(mine.record.kind, &change.field) == Hold::Once;
            (!once || mine.stored.is_some()).then_some(held)
        });
        // A case is merged only into another case of the centre: never into itself, a record of
        // another kind or another centre's. One the server has not heard of is let be: a restore
        // may have lost a case that the phone merging gives back after its push.
        let astray_merge = change.field == MERGED_INTO
            && !change.value.is_null()
            && match change
                .value
                .as_str()
                .and_then(|kept| kept.parse::<RecordId>().ok())
            {
                None => true,
                Some(kept) if kept == change.record => true,
                Some(kept) => {
                    let known = touched
                        .get(&kept)
                        .map(|mine| (scope.centre, mine.record.kind))
                        .or_else(|| {
                            let found = stored.records.get(&kept)?;
                            Some((found.centre, found.record.kind))
                        });
                    known.is_some_and(|(centre, kind)| centre != scope.centre || kind != Kind::Case)
                }
            };
        // Work is filed under a case she may write: an outreach worker's under her own.
        let astray_link = change.field == CASE
            && change
                .value
                .as_str()
                .and_then(|case| case.parse::<RecordId>().ok())
                .and_then(|case| linked_case(&touched, &stored, scope, &not_hers, case))
                .is_some_and(|verdict| verdict.is_err());
        let situation = rules::Situation {
            earlier,
            record: existing,
            yours: !not_hers.contains(&change.record),
            held,
            follows_merge: merged,
            now_millis,
        };
        let verdict = match rules::judge(scope.centre, change, situation) {
            Verdict::Apply(_) if astray_merge => Verdict::Reject {
                code: "unknown_case",
                reason: format!(
                    "case {} can be merged only into another case of the centre",
                    change.record
                ),
            },
            Verdict::Apply(_) if astray_link => Verdict::Reject {
                code: "unknown_case",
                reason: format!(
                    "record {} can be filed only under a case of the centre that you may write",
                    change.record
                ),
            },
            verdict => verdict,
        };
        if let Verdict::Apply(kind) = verdict {
            seq += 1;
            let entry = touched.entry(change.record).or_insert_with(|| Touched {
                record: Record::new(change.record, kind),
                seq: None,
                stored: None,
            });
            entry.record.apply(change);
            entry.seq = Some(seq);
            applied_at.insert(change.id, applied.len());
            applied.push((change.clone(), seq));
        }
        results.push(ChangeResult {
            change: change.id,
            outcome: verdict.outcome(),
        });
    }
    let mut records: Vec<Written> = touched.into_values().filter_map(Touched::written).collect();
    records.sort_unstable_by_key(|written| written.record.id);
    Judged {
        results,
        records,
        applied,
        last_seq: seq,
        taken: seq - first_seq,
        numbered: 0,
        restated: false,
    }
}

/// The case `id` as the batch has it so far, or as stored, if it is a case of `scope`'s centre.
fn case_of_centre<'a>(
    touched: &'a HashMap<RecordId, Touched>,
    stored: &'a Stored,
    scope: Scope,
    id: RecordId,
) -> Option<&'a Record> {
    let case = match touched.get(&id) {
        Some(mine) => &mine.record,
        None => {
            let found = stored.records.get(&id)?;
            if found.centre != scope.centre {
                return None;
            }
            &found.record
        }
    };
    (case.kind == Kind::Case).then_some(case)
}

/// Whether a record may be filed under the case `id`: `None` if the server has not heard of it
/// (a restore may have lost it, and the phone gives it back), else whether it is a case of
/// `scope`'s centre that she may write.
fn linked_case(
    touched: &HashMap<RecordId, Touched>,
    stored: &Stored,
    scope: Scope,
    not_hers: &HashSet<RecordId>,
    id: RecordId,
) -> Option<Result<(), ()>> {
    let (centre, kind) = match touched.get(&id) {
        Some(mine) => (scope.centre, mine.record.kind),
        None => {
            let found = stored.records.get(&id)?;
            (found.centre, found.record.kind)
        }
    };
    let writable = centre == scope.centre && kind == Kind::Case && !not_hers.contains(&id);
    Some(if writable { Ok(()) } else { Err(()) })
}

/// Whether a restatement must be refused whole: a record it gives back belongs to another centre.
/// (A record of her own centre that is not hers is refused alone, by [`judge_restatement`].)
pub fn restatement_refusal(scope: Scope, records: &[Record], stored: &Stored) -> Option<Restated> {
    let foreign: Vec<RecordId> = restated_ids(records)
        .into_iter()
        .filter(|id| {
            stored
                .records
                .get(id)
                .is_some_and(|found| found.centre != scope.centre)
        })
        .collect();
    (!foreign.is_empty()).then_some(Restated::Refused { records: foreign })
}

/// What a restatement comes to: the answer per record, and what to write.
#[derive(Clone, Debug, PartialEq)]
pub struct JudgedRestatement {
    /// One result per record, in the order given.
    pub results: Vec<RecordResult>,
    /// The records it changed, in id order, each with its new sequence number. A record already
    /// held as given is not among them: it keeps its number, so no phone pulls it again.
    pub records: Vec<Written>,
    /// The centre's counter once it is written.
    pub last_seq: i64,
    /// How many sequence numbers it took.
    pub taken: i64,
}

impl JudgedRestatement {
    /// As a batch of no changes, for a backend's writer of batches.
    pub fn as_batch(&self) -> Judged {
        Judged {
            results: Vec::new(),
            records: self.records.clone(),
            applied: Vec::new(),
            last_seq: self.last_seq,
            taken: self.taken,
            numbered: 0,
            restated: true,
        }
    }
}

/// The cases a restatement needs that the backend has not read with it: the cases its records
/// are filed under, as given and as stored (see [`cases_to_read`]).
pub fn restated_cases_to_read(records: &[Record], stored: &Stored) -> Vec<RecordId> {
    let mut seen = HashSet::new();
    let given = records.iter().filter_map(|record| record.text(CASE));
    let held = records
        .iter()
        .filter_map(|record| stored.records.get(&record.id)?.record.text(CASE));
    given
        .chain(held)
        .filter_map(|case| case.parse::<RecordId>().ok())
        .filter(|case| !stored.records.contains_key(case) && seen.insert(*case))
        .collect()
}

/// When this server's life began, if a phone's copy comes from an earlier one (`given`): case
/// numbers stamped by the server before then are the server's own, given before the restore.
pub fn numbers_before(given: Option<Epoch>, epoch: Epoch) -> Option<u64> {
    // An epoch is a UUIDv7, made when the server's life began: its first 48 bits are that time.
    given
        .is_some_and(|given| given != epoch)
        .then(|| (epoch.as_uuid().as_u128() >> 80) as u64)
}

/// Judges the records a phone gives back after a restore, for `scope`'s centre whose counter
/// stands at `first_seq`, as the server at `now_millis`: each by [`rules::judge_restated`], then
/// field by field by the same rule a push follows ([`trust::check_hold`]), merged with the
/// domain's merge into the record as stored (or as this restatement left it), taking the next
/// sequence number only if the merge changed it.
///
/// A case's number is the server's: one given back is dropped, unless the phone's copy comes from
/// before a restore and the number was stamped by the server before this server's life began
/// (`numbers_before`: when it did, if the phone names an earlier epoch); then it is merged, and a
/// case the server lost keeps it, if no other case has it since.
pub fn judge_restatement(
    scope: Scope,
    first_seq: i64,
    records: &[Record],
    stored: Stored,
    now_millis: u64,
    numbers_before: Option<u64>,
) -> JudgedRestatement {
    let mut touched: HashMap<RecordId, Touched> = HashMap::new();
    let mut seq = first_seq;
    let mut results = Vec::with_capacity(records.len());
    let not_hers: HashSet<RecordId> = stored
        .records
        .iter()
        .filter(|(_, found)| found.centre == scope.centre && !found.writable_by(scope))
        .map(|(id, _)| *id)
        .collect();
    for given in records {
        let found = stored.records.get(&given.id);
        let existing = match touched.get(&given.id) {
            Some(mine) => Some(Existing {
                centre: scope.centre,
                kind: mine.record.kind,
            }),
            None => found.map(|found| Existing {
                centre: found.centre,
                kind: found.record.kind,
            }),
        };
        let writable = found.is_none_or(|found| found.writable_by(scope));
        let mut verdict =
            rules::judge_restated(scope.centre, given, existing, writable, now_millis);
        let mut given = given.clone();
        if let Verdict::Apply(_) = verdict {
            let held = touched
                .get(&given.id)
                .map(|mine| &mine.record)
                .or(found.map(|found| &found.record));
            verdict = held_fields(
                scope,
                &touched,
                &stored,
                &not_hers,
                held,
                &mut given,
                numbers_before,
            )
            .map_or_else(Verdict::from, |()| verdict);
        }
        if let Verdict::Apply(kind) = verdict {
            let entry = touched.entry(given.id).or_insert_with(|| match found {
                Some(found) => Touched {
                    record: found.record.clone(),
                    seq: None,
                    stored: Some((found.created_by.clone(), found.assigned_to.clone())),
                },
                None => Touched {
                    record: Record::new(given.id, kind),
                    seq: None,
                    stored: None,
                },
            });
            let before = entry.record.clone();
            entry.record.merge(&given);
            if entry.record != before {
                seq += 1;
                entry.seq = Some(seq);
            }
        }
        results.push(RecordResult {
            record: given.id,
            outcome: verdict.outcome(),
        });
    }
    let mut written: Vec<Written> = touched.into_values().filter_map(Touched::written).collect();
    written.sort_unstable_by_key(|written| written.record.id);
    JudgedRestatement {
        results,
        records: written,
        last_seq: seq,
        taken: seq - first_seq,
    }
}

/// Applies the rule of held fields to a record given back, against the record as the server
/// holds it (`held`, `None` if it holds none): drops a case's number the server does not take
/// (see [`judge_restatement`]), and refuses a record that moves to another case, or rewrites a
/// note, or is filed under a case she may not write.
fn held_fields(
    scope: Scope,
    touched: &HashMap<RecordId, Touched>,
    stored: &Stored,
    not_hers: &HashSet<RecordId>,
    held: Option<&Record>,
    given: &mut Record,
    numbers_before: Option<u64>,
) -> Result<(), trust::Refused> {
    let names: Vec<String> = given.fields.keys().cloned().collect();
    for name in names {
        let field = &given.fields[&name];
        let kept = held.and_then(|record| record.fields.get(&name));
        if kept == Some(field) {
            continue;
        }
        let value = field.winner().map_or(&Value::Null, |winner| &winner.value);
        match trust::hold(given.kind, &name) {
            Hold::Open => {}
            Hold::Server => {
                // As the server gave it before the restore; a copy of what it holds changes
                // nothing, and anything else is no phone's to give.
                let the_servers = |stamp: &Stamp| {
                    stamp.device == SERVER_DEVICE
                        && numbers_before.is_some_and(|before| stamp.hlc.millis < before)
                };
                let given_by_server = field.heads().iter().all(|head| the_servers(&head.stamp))
                    && field.bases().iter().all(the_servers);
                if !given_by_server {
                    given.fields.remove(&name);
                }
            }
            Hold::WithItsCase | Hold::Once => {
                let held_value = kept.and_then(|kept| kept.winner()).map(|w| &w.value);
                let follows_merge = held_value
                    .and_then(Value::as_str)
                    .and_then(|former| former.parse::<RecordId>().ok())
                    .and_then(|former| case_of_centre(touched, stored, scope, former))
                    .is_some_and(|former| former.text(MERGED_INTO) == value.as_str());
                trust::check_hold(given.kind, &name, value, held_value, follows_merge)?;
                let astray = name == CASE
                    && value
                        .as_str()
                        .and_then(|case| case.parse::<RecordId>().ok())
                        .and_then(|case| linked_case(touched, stored, scope, not_hers, case))
                        .is_some_and(|linked| linked.is_err());
                if astray {
                    return Err(trust::Refused {
                        code: "unknown_case",
                        reason: format!(
                            "record {} can be filed only under a case of the centre that you \
                             may write",
                            given.id
                        ),
                    });
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sakhi_domain::wire::Outcome;
    use sakhi_domain::{AccountId, Clock, DeviceId, Kind};
    use serde_json::json;

    /// The server's clock in these tests: after every stamp they make.
    const NOW: u64 = 1 << 50;

    fn judged_now(scope: Scope, first_seq: i64, changes: &[Change], stored: Stored) -> Judged {
        judge(scope, first_seq, changes, stored, NOW)
    }

    fn restated_now(
        scope: Scope,
        first_seq: i64,
        records: &[Record],
        stored: Stored,
    ) -> JudgedRestatement {
        judge_restatement(scope, first_seq, records, stored, NOW, Some(NOW))
    }

    fn a_scope() -> Scope {
        Scope {
            centre: CentreId::new(),
            account: AccountId::new(),
            only_own: false,
        }
    }

    fn stored_record(centre: CentreId, record: &Record) -> StoredRecord {
        StoredRecord {
            centre,
            record: record.clone(),
            created_by: None,
            assigned_to: None,
        }
    }

    #[test]
    fn a_record_edited_twice_in_one_batch_is_written_once_at_the_last_sequence_number() {
        let scope = a_scope();
        let mut clock = Clock::new(DeviceId::new());
        let mut case = Record::new(RecordId::new(), Kind::Case);
        let changes = [
            case.edit(&mut clock, 1, "name", json!("सीता")),
            case.edit(&mut clock, 2, "age", json!(34)),
        ];

        let judged = judged_now(scope, 7, &changes, Stored::default());

        assert_eq!(
            judged.records,
            [Written {
                record: case,
                seq: 9,
                new: true,
                left: Vec::new(),
                rejoined: Vec::new(),
            }]
        );
        let seqs: Vec<_> = judged.applied.iter().map(|(_, seq)| *seq).collect();
        assert_eq!(seqs, [8, 9]);
        assert_eq!(judged.last_seq, 9);
    }

    #[test]
    fn a_record_assigned_away_leaves_its_assignee_and_one_assigned_back_within_the_batch_does_not()
    {
        let scope = a_scope();
        let (first, second) = (AccountId::new().to_string(), AccountId::new().to_string());
        let mut clock = Clock::new(DeviceId::new());
        let mut case = Record::new(RecordId::new(), Kind::Case);
        case.edit(&mut clock, 1, "assigned_to", json!(first));
        let stored = || {
            let mut stored = Stored::default();
            let found = StoredRecord {
                created_by: Some(scope.account.to_string()),
                assigned_to: Some(first.clone()),
                ..stored_record(scope.centre, &case)
            };
            stored.records.insert(case.id, found);
            stored
        };

        let away = case
            .clone()
            .edit(&mut clock, 2, "assigned_to", json!(second));
        let judged = judged_now(scope, 1, &[away], stored());
        assert_eq!(judged.records[0].left, vec![first.clone()]);
        assert_eq!(judged.records[0].rejoined, vec![second.clone()]);

        let mut edited = case.clone();
        let changes = [
            edited.edit(&mut clock, 3, "assigned_to", json!(second)),
            edited.edit(&mut clock, 4, "assigned_to", json!(first)),
        ];
        let judged = judged_now(scope, 1, &changes, stored());
        assert!(judged.records[0].left.is_empty() && judged.records[0].rejoined.is_empty());
    }

    #[test]
    fn a_change_stored_before_is_acknowledged_and_leaves_the_record_unwritten() {
        let scope = a_scope();
        let mut clock = Clock::new(DeviceId::new());
        let mut case = Record::new(RecordId::new(), Kind::Case);
        let change = case.edit(&mut clock, 1, "name", json!("Sita"));
        let mut stored = Stored::default();
        stored
            .records
            .insert(case.id, stored_record(scope.centre, &case));
        stored.changes.insert(
            change.id,
            StoredChange {
                centre: scope.centre,
                change: change.clone(),
            },
        );

        let judged = judged_now(scope, 1, &[change], stored);

        assert_eq!(judged.results[0].outcome, Outcome::Accepted);
        assert!(judged.records.is_empty() && judged.applied.is_empty());
        assert_eq!(judged.last_seq, 1);
    }

    #[test]
    fn a_record_of_another_centre_refuses_the_whole_push_naming_it_once() {
        let scope = a_scope();
        let mut clock = Clock::new(DeviceId::new());
        let mut theirs = Record::new(RecordId::new(), Kind::Case);
        let mut ours = Record::new(RecordId::new(), Kind::Case);
        let changes = [
            ours.edit(&mut clock, 1, "name", json!("A")),
            theirs.edit(&mut clock, 2, "name", json!("B")),
            theirs.edit(&mut clock, 3, "age", json!(3)),
        ];
        let mut stored = Stored::default();
        stored
            .records
            .insert(theirs.id, stored_record(CentreId::new(), &theirs));

        assert_eq!(
            refusal(scope, &changes, &stored),
            Some(Pushed::Refused {
                records: vec![theirs.id],
                other_centre: true
            })
        );
    }

    #[test]
    fn an_outreach_worker_may_edit_a_record_assigned_to_her_but_not_another() {
        let worker = Scope {
            only_own: true,
            ..a_scope()
        };
        let mut clock = Clock::new(DeviceId::new());
        let mut assigned = Record::new(RecordId::new(), Kind::Case);
        let mut desk = Record::new(RecordId::new(), Kind::Case);
        let mut stored = Stored::default();
        stored.records.insert(
            assigned.id,
            StoredRecord {
                assigned_to: Some(worker.account.to_string()),
                ..stored_record(worker.centre, &assigned)
            },
        );
        stored
            .records
            .insert(desk.id, stored_record(worker.centre, &desk));

        let mine = assigned.edit(&mut clock, 1, "age", json!(30));
        let not_mine = desk.edit(&mut clock, 2, "age", json!(30));
        let batch = [not_mine, mine];
        assert_eq!(refusal(worker, &batch, &stored), None, "not refused whole");

        let judged = judged_now(worker, 0, &batch, stored);

        assert!(matches!(
            &judged.results[0].outcome,
            Outcome::Rejected { code, .. } if code == "out_of_scope"
        ));
        assert_eq!(judged.results[1].outcome, Outcome::Accepted);
        assert_eq!(judged.changed(), [assigned.id]);
        assert_eq!(judged.last_seq, 1);
    }

    /// Milliseconds of 2026-11-29 12:00 in India.
    const NOON: u64 = 1_795_933_800_000;

    #[test]
    fn each_new_case_gets_the_centres_next_number_in_the_order_it_was_made() {
        let scope = a_scope();
        let mut clock = Clock::new(DeviceId::new());
        let first = Record::new(RecordId::new(), Kind::Case);
        let second = Record::new(RecordId::new(), Kind::Case);
        let service = Record::new(RecordId::new(), Kind::Service);
        let mut known = Record::new(RecordId::new(), Kind::Case);
        known.edit(&mut clock, 1, "name", json!("Asha"));
        let changes = [
            second.clone().edit(&mut clock, 2, "name", json!("B")),
            first.clone().edit(&mut clock, 3, "name", json!("A")),
            service
                .clone()
                .edit(&mut clock, 4, "service", json!("police")),
            known.clone().edit(&mut clock, 5, "age", json!(30)),
        ];
        let mut stored = Stored::default();
        stored
            .records
            .insert(known.id, stored_record(scope.centre, &known));
        let mut judged = judged_now(scope, 0, &changes, stored);
        assert!(makes_cases(&judged));
        let mut numbering = Numbering {
            code: "DHR".into(),
            year: 2026,
            count: 41,
        };
        let register = numbering.number(&mut judged, NOON, &HashMap::new());
        assert_eq!(register.len(), 2);
        assert_eq!(judged.numbered, 2);
        assert_eq!(numbering.count, 43);
        let number = |id: RecordId| {
            let written = judged.records.iter().find(|w| w.record.id == id).unwrap();
            written.record.text(NUMBER).map(str::to_owned)
        };
        assert_eq!(number(first.id).as_deref(), Some("DHR-2026-0042"));
        assert_eq!(number(second.id).as_deref(), Some("DHR-2026-0043"));
        assert_eq!(number(known.id), None);
        assert_eq!(number(service.id), None);
        // Her phone lacks the numbers, so it must pull.
        assert_eq!(caught_up(scope, true, &judged), None);
    }

    #[test]
    fn numbers_start_again_each_year_in_india() {
        let scope = a_scope();
        let mut clock = Clock::new(DeviceId::new());
        let case = Record::new(RecordId::new(), Kind::Case);
        let changes = [case.clone().edit(&mut clock, 1, "name", json!("A"))];
        let mut judged = judged_now(scope, 0, &changes, Stored::default());
        let mut numbering = Numbering {
            code: "DHR".into(),
            year: 2026,
            count: 1_991,
        };
        // 31 December 2026, 18:30 UTC: already 1 January 2027 in India.
        numbering.number(&mut judged, 1_798_741_800_000, &HashMap::new());
        assert_eq!(judged.records[0].record.text(NUMBER), Some("DHR-2027-0001"));
        assert_eq!((numbering.year, numbering.count), (2027, 1));
    }

    #[test]
    fn a_number_given_before_a_restore_is_never_given_again() {
        let scope = a_scope();
        let mut clock = Clock::new(DeviceId::new());
        let mut given_back = Record::new(RecordId::new(), Kind::Case);
        given_back.edit(&mut clock, 1, "name", json!("A"));
        // As the server stamped it before the restore.
        given_back
            .fields
            .entry(NUMBER.to_owned())
            .or_default()
            .insert(Version {
                value: json!("DHR-2026-0007"),
                stamp: Stamp {
                    hlc: Hlc {
                        millis: 2,
                        counter: 0,
                    },
                    device: SERVER_DEVICE,
                },
                base: None,
            });
        let mut new = Record::new(RecordId::new(), Kind::Case);
        new.edit(&mut clock, 3, "name", json!("B"));
        // A number a phone stamped, or one given back with no restore between, is not taken.
        let mut forged = Record::new(RecordId::new(), Kind::Case);
        forged.edit(&mut clock, 4, NUMBER, json!("DHR-2026-0999"));
        let restated = restated_now(scope, 0, &[forged], Stored::default());
        assert!(numbers_held(&restated.as_batch()).is_empty());
        let no_restore = judge_restatement(
            scope,
            0,
            std::slice::from_ref(&given_back),
            Stored::default(),
            NOW,
            None,
        );
        assert!(numbers_held(&no_restore.as_batch()).is_empty());
        let judged_back = restated_now(scope, 0, &[given_back, new.clone()], Stored::default());
        let mut judged = judged_back.as_batch();
        let mut numbering = Numbering {
            code: "DHR".into(),
            year: 2026,
            count: 3,
        };
        assert!(makes_cases(&judged));
        assert_eq!(numbers_held(&judged), ["DHR-2026-0007"]);
        let register = numbering.number(&mut judged, NOON, &HashMap::new());
        assert_eq!(register.len(), 2, "{register:?}");
        assert_eq!(judged.numbered, 1);
        let written = judged
            .records
            .iter()
            .find(|w| w.record.id == new.id)
            .unwrap();
        assert_eq!(written.record.text(NUMBER), Some("DHR-2026-0008"));
    }

    #[test]
    fn a_case_given_back_with_a_number_given_meanwhile_to_another_gets_a_new_one() {
        let scope = a_scope();
        let mut clock = Clock::new(DeviceId::new());
        let mut given_back = Record::new(RecordId::new(), Kind::Case);
        given_back.edit(&mut clock, 1, "name", json!("A"));
        given_back.edit(&mut clock, 2, NUMBER, json!("DHR-2026-0001"));
        let judged_back = restated_now(scope, 0, &[given_back.clone()], Stored::default());
        let mut judged = judged_back.as_batch();
        let mut numbering = Numbering {
            code: "DHR".into(),
            year: 2026,
            count: 1,
        };
        let other = RecordId::new();
        let taken = HashMap::from([("DHR-2026-0001".to_owned(), other)]);
        let register = numbering.number(&mut judged, NOON, &taken);
        assert_eq!(register, [("DHR-2026-0002".to_owned(), given_back.id)]);
        let case = &judged.records[0].record;
        assert_eq!(case.text(NUMBER), Some("DHR-2026-0002"));
        // The old number is written over, not left as a conflict.
        assert_eq!(case.conflicted_fields().count(), 0);
    }

    #[test]
    fn a_service_stays_with_the_case_it_was_written_for() {
        let scope = a_scope();
        let mut clock = Clock::new(DeviceId::new());
        let (case, other) = (RecordId::new().to_string(), RecordId::new().to_string());
        let mut service = Record::new(RecordId::new(), Kind::Service);
        service.edit(&mut clock, 1, "case", json!(case));
        service.edit(&mut clock, 2, "service", json!("medical"));
        let mut stored = Stored::default();
        stored
            .records
            .insert(service.id, stored_record(scope.centre, &service));
        let changes = [
            service.edit(&mut clock, 3, "case", json!(case)),
            service.edit(&mut clock, 4, "case", json!(other)),
        ];
        let judged = judged_now(scope, 2, &changes, stored);
        assert_eq!(
            judged.results[0].outcome,
            Outcome::Accepted,
            "the same case"
        );
        assert!(matches!(
            &judged.results[1].outcome,
            Outcome::Rejected { code, .. } if code == "case_fixed"
        ));
        assert_eq!(judged.records[0].record.text("case"), Some(case.as_str()));
    }

    #[test]
    fn a_stored_note_is_never_changed_but_a_new_one_is_written_whole() {
        let scope = a_scope();
        let mut clock = Clock::new(DeviceId::new());
        let case = RecordId::new().to_string();
        let mut note = Record::new(RecordId::new(), Kind::Note);
        let first = [
            note.edit(&mut clock, 1, "case", json!(case)),
            note.edit(&mut clock, 2, "note", json!("Her brother called.")),
        ];
        let judged = judged_now(scope, 0, &first, Stored::default());
        assert!(
            judged
                .results
                .iter()
                .all(|r| r.outcome == Outcome::Accepted)
        );

        let mut stored = Stored::default();
        stored
            .records
            .insert(note.id, stored_record(scope.centre, &note));
        let change = [note.edit(&mut clock, 3, "note", json!("Nobody called."))];
        let judged = judged_now(scope, 2, &change, stored);
        assert!(matches!(
            &judged.results[0].outcome,
            Outcome::Rejected { code, .. } if code == "append_only"
        ));
        assert!(judged.records.is_empty());
    }

    #[test]
    fn a_written_once_field_sent_again_as_held_is_taken_and_changes_nothing() {
        // After a restore: the note was given back whole, and then its outbox, whose changes'
        // rows the restore lost, goes.
        let scope = a_scope();
        let mut clock = Clock::new(DeviceId::new());
        let mut note = Record::new(RecordId::new(), Kind::Note);
        let changes = [
            note.edit(&mut clock, 1, "case", json!(RecordId::new().to_string())),
            note.edit(&mut clock, 2, "note", json!("Her brother called.")),
        ];
        let mut stored = Stored::default();
        stored
            .records
            .insert(note.id, stored_record(scope.centre, &note));
        let judged = judged_now(scope, 2, &changes, stored);
        assert!(
            judged
                .results
                .iter()
                .all(|r| r.outcome == Outcome::Accepted),
            "{:?}",
            judged.results
        );
        assert_eq!(judged.records[0].record, note);
    }

    #[test]
    fn work_moves_only_to_the_case_its_own_case_was_merged_into() {
        let scope = a_scope();
        let mut clock = Clock::new(DeviceId::new());
        let mut duplicate = Record::new(RecordId::new(), Kind::Case);
        duplicate.edit(&mut clock, 1, "name", json!("Geeta"));
        let (kept, elsewhere) = (RecordId::new().to_string(), RecordId::new().to_string());
        let mut note = Record::new(RecordId::new(), Kind::Note);
        note.edit(&mut clock, 2, CASE, json!(duplicate.id.to_string()));
        note.edit(&mut clock, 3, "note", json!("Her brother called."));
        let mut service = Record::new(RecordId::new(), Kind::Service);
        service.edit(&mut clock, 4, CASE, json!(duplicate.id.to_string()));
        let stored = || {
            let mut stored = Stored::default();
            for record in [&note, &service] {
                stored
                    .records
                    .insert(record.id, stored_record(scope.centre, record));
            }
            stored
        };
        let codes = |judged: &Judged| -> Vec<String> {
            judged
                .results
                .iter()
                .map(|result| match &result.outcome {
                    Outcome::Accepted => "accepted".to_owned(),
                    Outcome::Rejected { code, .. } => code.clone(),
                })
                .collect()
        };

        // Not merged: the note and the service stay where they were written.
        let moves = [
            note.clone().edit(&mut clock, 5, CASE, json!(kept)),
            service.clone().edit(&mut clock, 6, CASE, json!(kept)),
        ];
        let judged = judged_now(scope, 4, &moves, stored());
        assert_eq!(codes(&judged), ["case_fixed", "case_fixed"]);
        assert_eq!(
            cases_to_read(&moves, &stored()),
            [duplicate.id, kept.parse().unwrap()]
        );

        // A merge into a record that is not a case is refused, and moves nothing.
        let astray =
            duplicate
                .clone()
                .edit(&mut clock, 7, MERGED_INTO, json!(service.id.to_string()));
        let batch = [astray, moves[0].clone()];
        assert_eq!(
            codes(&judged_now(scope, 4, &batch, stored())),
            ["unknown_case", "case_fixed"]
        );
        // Nor into another centre's case.
        let theirs = Record::new(RecordId::new(), Kind::Case);
        let mut with_theirs = stored();
        with_theirs
            .records
            .insert(theirs.id, stored_record(CentreId::new(), &theirs));
        let across =
            [duplicate
                .clone()
                .edit(&mut clock, 7, MERGED_INTO, json!(theirs.id.to_string()))];
        assert_eq!(
            codes(&judged_now(scope, 4, &across, with_theirs)),
            ["unknown_case"]
        );
        let merge = duplicate
            .clone()
            .edit(&mut clock, 7, MERGED_INTO, json!(kept));
        assert_eq!(
            cases_to_read(&[merge.clone(), moves[0].clone()], &stored()),
            [duplicate.id, kept.parse::<RecordId>().unwrap()]
        );

        // Merged earlier in the same batch: both move, and the note says no more. A move sent
        // before the merge is not taken on trust.
        let mut kept_case = Record::new(kept.parse().unwrap(), Kind::Case);
        kept_case.edit(&mut clock, 8, "name", json!("Geeta Kumari"));
        let with_kept = || {
            let mut stored = stored();
            stored
                .records
                .insert(kept_case.id, stored_record(scope.centre, &kept_case));
            stored
        };
        let batch = [merge.clone(), moves[0].clone(), moves[1].clone()];
        assert_eq!(
            codes(&judged_now(scope, 4, &batch, with_kept())),
            ["accepted"; 3]
        );
        let early = [moves[0].clone(), merge.clone()];
        assert_eq!(
            codes(&judged_now(scope, 4, &early, with_kept())),
            ["case_fixed", "accepted"]
        );
        let edit_note = note
            .clone()
            .edit(&mut clock, 9, "note", json!("Nobody called."));
        let judged = judged_now(scope, 4, &[merge.clone(), edit_note], with_kept());
        assert_eq!(codes(&judged), ["accepted", "append_only"]);
        let itself =
            [duplicate
                .clone()
                .edit(&mut clock, 10, MERGED_INTO, json!(duplicate.id.to_string()))];
        assert_eq!(
            codes(&judged_now(scope, 5, &itself, stored())),
            ["unknown_case"]
        );

        // Merged before, as stored: the backend reads the case they leave with the batch.
        let mut merged = duplicate.clone();
        merged.apply(&merge);
        let mut with_case = stored();
        with_case
            .records
            .insert(merged.id, stored_record(scope.centre, &merged));
        assert_eq!(
            codes(&judged_now(scope, 5, &moves, with_case.clone())),
            ["accepted"; 2]
        );
        // To any other case, still refused.
        let astray = [service.clone().edit(&mut clock, 11, CASE, json!(elsewhere))];
        assert_eq!(
            codes(&judged_now(scope, 5, &astray, with_case)),
            ["case_fixed"]
        );
    }
}
