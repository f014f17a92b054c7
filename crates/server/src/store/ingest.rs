//! A push and a restatement, written once for every backend. Each runs in one transaction that a
//! backend opens, hands here as an [`IngestTx`] and commits afterwards; the steps and their order
//! are here, the SQL of each step is the backend's.
//!
//! A push, in order: take the centre's turn (no other push of the centre runs until this one
//! commits, so what it reads cannot change under it); read what is stored under the ids it names;
//! refuse it whole if it edits another centre's records (writing only its audit row); judge every
//! change ([`batch::judge`]); number the cases it makes; write all of it with its audit row, which
//! a backend may do in one statement. A restatement follows the same steps with
//! [`batch::judge_restatement`].

use super::batch::{self, Judged, Numbering, Stored};
use super::{AuditRecord, CentreId, Pushed, Restated, Scope, StoreError};
use sakhi_domain::wire::Cursor;
use sakhi_domain::{Change, ChangeId, DeviceId, Epoch, Record, RecordId};
use std::collections::HashMap;
use std::future::Future;

/// What a backend does inside the transaction of a push or a restatement: its SQL, nothing more.
/// Each step is a handful of statements at most, whatever the size of the batch.
pub(super) trait IngestTx: Send {
    /// Takes the centre's turn, held until the transaction ends, and reads its counter and where
    /// its case numbering stands.
    fn take_turn(
        &mut self,
        centre: CentreId,
    ) -> impl Future<Output = Result<Turn, StoreError>> + Send;

    /// What is stored under these change ids and record ids, of any centre.
    fn stored(
        &mut self,
        change_ids: &[ChangeId],
        record_ids: &[RecordId],
    ) -> impl Future<Output = Result<Stored, StoreError>> + Send;

    /// Whether anything in `scope` changed or left it in the stretch `(after, through]` of the
    /// centre's sequence; `true` when there is no such stretch to look at.
    fn changed_in(
        &mut self,
        scope: Scope,
        unseen: Option<(i64, i64)>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// The cases of the centre's register that hold any of `numbers`.
    fn numbers_taken(
        &mut self,
        centre: CentreId,
        numbers: &[String],
    ) -> impl Future<Output = Result<HashMap<String, RecordId>, StoreError>> + Send;

    /// Writes everything a judged push or restatement keeps: see [`Writing`].
    fn write(
        &mut self,
        writing: Writing<'_>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Appends a row to the audit log (a refusal's: a batch written has its row in [`Writing`]).
    fn audit(&mut self, entry: AuditRecord) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Runs a statement of no parameters and no rows, such as `SAVEPOINT job` (see
    /// [`writer`](super::writer)).
    fn execute(&mut self, sql: &'static str)
    -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// The centre as a push finds it on taking its turn.
pub(super) struct Turn {
    /// The centre's counter: the sequence number of its last change.
    pub seq: i64,
    /// Where the centre's case numbering stands.
    pub numbering: Numbering,
}

/// What a push or a restatement writes at `now` (milliseconds), all at once: what `judged`
/// changed (its records with their scope exits, its applied changes as sent by `device`, and the
/// centre's new counter), the case numbers it gave, and its audit row.
pub(super) struct Writing<'a> {
    pub scope: Scope,
    pub device: DeviceId,
    pub judged: &'a Judged,
    /// Numbers to enter in the centre's register, each with its case; a number already there
    /// stays as it is.
    pub register: Vec<(String, RecordId)>,
    /// Where the numbering now stands, if it moved.
    pub numbering: Option<Numbering>,
    pub audit: AuditRecord,
    pub now: u64,
}

/// A push of `changes` from `device` by `scope`, who holds everything through `seen`, at `now`:
/// see the module's text. The caller commits the transaction afterwards, refused or not, so that
/// the audit row of a refusal is kept too.
pub(super) async fn push<T: IngestTx>(
    tx: &mut T,
    scope: Scope,
    device: DeviceId,
    seen: Option<Cursor>,
    changes: &[Change],
    audit: AuditRecord,
    now: u64,
) -> Result<Pushed, StoreError> {
    let turn = tx.take_turn(scope.centre).await?;
    let first_seq = turn.seq;
    let ids = (batch::change_ids(changes), batch::record_ids(changes));
    let mut stored = tx.stored(&ids.0, &ids.1).await?;
    // The cases its merges and its work name: those work would leave or be filed under, and
    // those duplicates are merged into.
    let cases = batch::cases_to_read(changes, &stored);
    if !cases.is_empty() {
        let more = tx.stored(&[], &cases).await?;
        stored.records.extend(more.records);
    }
    if let Some(refused) = batch::refusal(scope, changes, &stored) {
        // Nothing of the batch is written: only the row saying it was refused.
        tx.audit(audit.of_push(&refused, Vec::new(), changes))
            .await?;
        return Ok(refused);
    }
    let quiet = !tx.changed_in(scope, batch::unseen(seen, first_seq)).await?;
    let mut judged = batch::judge(scope, first_seq, changes, stored, now);
    let (register, numbering) = number(tx, scope.centre, turn.numbering, &mut judged, now).await?;
    let caught_up = batch::caught_up(scope, quiet, &judged);
    let pushed = Pushed::Applied {
        results: std::mem::take(&mut judged.results),
        caught_up,
    };
    let audit = audit.of_push(&pushed, judged.changed(), changes);
    tx.write(Writing {
        scope,
        device,
        judged: &judged,
        register,
        numbering,
        audit,
        now,
    })
    .await?;
    Ok(pushed)
}

/// Records given back after a restore by `scope`, whose copy comes from `given_epoch`, to a
/// server of `epoch`, at `now`: the steps of a push, judged by [`batch::judge_restatement`]. The
/// caller commits.
pub(super) async fn restate<T: IngestTx>(
    tx: &mut T,
    scope: Scope,
    records: &[Record],
    given_epoch: Option<Epoch>,
    epoch: Epoch,
    audit: AuditRecord,
    now: u64,
) -> Result<Restated, StoreError> {
    let turn = tx.take_turn(scope.centre).await?;
    let mut stored = tx.stored(&[], &batch::restated_ids(records)).await?;
    let cases = batch::restated_cases_to_read(records, &stored);
    if !cases.is_empty() {
        let more = tx.stored(&[], &cases).await?;
        stored.records.extend(more.records);
    }
    if let Some(refused) = batch::restatement_refusal(scope, records, &stored) {
        tx.audit(audit.of_restate(&refused, Vec::new(), records.len()))
            .await?;
        return Ok(refused);
    }
    let numbers_before = batch::numbers_before(given_epoch, epoch);
    let judged = batch::judge_restatement(scope, turn.seq, records, stored, now, numbers_before);
    let mut written = judged.as_batch();
    let (register, numbering) = number(tx, scope.centre, turn.numbering, &mut written, now).await?;
    let restated = Restated::Merged(judged.results);
    let audit = audit.of_restate(&restated, written.changed(), records.len());
    tx.write(Writing {
        scope,
        // No change rows are written, so no device is named.
        device: batch::SERVER_DEVICE,
        judged: &written,
        register,
        numbering,
        audit,
        now,
    })
    .await?;
    Ok(restated)
}

/// Numbers the cases `judged` writes (see [`Numbering::number`]) from where the numbering
/// `stood`: returns the numbers given, to enter in the register, and where the numbering stands
/// if it moved (also when it only learnt of a number given before a restore). The transaction
/// holds the centre's turn: no other push numbers meanwhile.
async fn number<T: IngestTx>(
    tx: &mut T,
    centre: CentreId,
    stood: Numbering,
    judged: &mut Judged,
    now: u64,
) -> Result<(Vec<(String, RecordId)>, Option<Numbering>), StoreError> {
    if !batch::makes_cases(judged) {
        return Ok((Vec::new(), None));
    }
    // Numbers given back after a restore.
    let held = batch::numbers_held(judged);
    let taken = if held.is_empty() {
        HashMap::new()
    } else {
        tx.numbers_taken(centre, &held).await?
    };
    let mut numbering = stood.clone();
    let register = numbering.number(judged, now, &taken);
    let moved = (numbering != stood).then_some(numbering);
    Ok((register, moved))
}
