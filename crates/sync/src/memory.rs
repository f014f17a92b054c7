//! A device's replica held in memory: what the app's IndexedDB store does for a round, without a
//! browser, so that tests can run many devices natively. Its rules are the store's: an edit is
//! checked, stamped and kept in the outbox with its record; a pulled page is merged with the
//! domain's merge and the clock observes it; the server's answer to a push empties the outbox.

use crate::{Refusal, Replica};
use sakhi_domain::trust;
use sakhi_domain::wire::Cursor;
use sakhi_domain::{Change, ChangeId, Clock, DeviceId, Epoch, Invalid, Kind, Record, RecordId};
use serde_json::Value;
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::convert::Infallible;

/// One device's records, outbox and pull position. Nothing in it fails.
#[derive(Debug)]
pub struct MemoryReplica {
    clock: RefCell<Clock>,
    records: RefCell<BTreeMap<RecordId, Record>>,
    /// Oldest first, as the store keeps it; a refused change stays, with the server's reason.
    outbox: RefCell<Vec<(Change, Option<Refusal>)>>,
    position: Cell<(Option<Epoch>, Cursor)>,
    /// Changes made again from the server's time, each with the id of the change it replaced.
    remade: RefCell<Vec<(ChangeId, Change)>>,
}

impl MemoryReplica {
    pub fn new(device: DeviceId) -> MemoryReplica {
        MemoryReplica {
            clock: RefCell::new(Clock::new(device)),
            records: RefCell::new(BTreeMap::new()),
            outbox: RefCell::new(Vec::new()),
            position: Cell::new((None, Cursor(0))),
            remade: RefCell::new(Vec::new()),
        }
    }

    /// Writes `value` into `field` of the record `id` (made, of `kind`, if this device has none)
    /// on top of the value this device holds, as a worker's save does. Returns the change to send.
    pub fn edit(
        &self,
        id: RecordId,
        kind: Kind,
        field: &str,
        value: Value,
        now_millis: u64,
    ) -> Result<Change, Invalid> {
        kind.check(field, &value)?;
        let mut records = self.records.borrow_mut();
        let record = records.entry(id).or_insert_with(|| Record::new(id, kind));
        let change = record.edit(&mut self.clock.borrow_mut(), now_millis, field, value);
        self.outbox.borrow_mut().push((change.clone(), None));
        Ok(change)
    }

    pub fn record(&self, id: RecordId) -> Option<Record> {
        self.records.borrow().get(&id).cloned()
    }

    /// Every record this device holds, by id.
    pub fn records(&self) -> BTreeMap<RecordId, Record> {
        self.records.borrow().clone()
    }

    /// The outbox, oldest first: each change with the server's refusal, if it refused it.
    pub fn outbox(&self) -> Vec<(Change, Option<Refusal>)> {
        self.outbox.borrow().clone()
    }

    /// The changes made again after the server refused them as stamped ahead of its clock, each
    /// with the id of the change it replaced, oldest first.
    pub fn remade(&self) -> Vec<(ChangeId, Change)> {
        self.remade.borrow().clone()
    }

    pub fn position(&self) -> (Option<Epoch>, Cursor) {
        self.position.get()
    }
}

impl Replica for MemoryReplica {
    type Error = Infallible;

    fn device(&self) -> DeviceId {
        self.clock.borrow().device()
    }

    async fn pending(&self, limit: usize) -> Result<Vec<Change>, Infallible> {
        Ok(self
            .outbox
            .borrow()
            .iter()
            .filter(|(_, refusal)| refusal.is_none())
            .map(|(change, _)| change.clone())
            .take(limit)
            .collect())
    }

    async fn ack(
        &self,
        accepted: &[ChangeId],
        refused: &[(ChangeId, Refusal)],
        caught_up: Option<Cursor>,
    ) -> Result<(), Infallible> {
        let mut outbox = self.outbox.borrow_mut();
        outbox.retain(|(change, _)| !accepted.contains(&change.id));
        for (change, refusal) in outbox.iter_mut() {
            if let Some((_, why)) = refused.iter().find(|(id, _)| *id == change.id) {
                *refusal = Some(why.clone());
            }
        }
        if let (Some(cursor), (Some(epoch), _)) = (caught_up, self.position.get()) {
            self.position.set((Some(epoch), cursor));
        }
        Ok(())
    }

    async fn sync_position(&self) -> Result<(Option<Epoch>, Cursor), Infallible> {
        Ok(self.position.get())
    }

    async fn adopt_epoch(&self, epoch: Epoch) -> Result<(), Infallible> {
        if self.position.get().0.is_none() {
            self.position.set((Some(epoch), Cursor(0)));
        }
        Ok(())
    }

    async fn restamp(&self, now_millis: u64) -> Result<(), Infallible> {
        let mut outbox = self.outbox.borrow_mut();
        let waiting: Vec<Change> = outbox.iter().map(|(change, _)| change.clone()).collect();
        let mut held = self.records.borrow_mut();
        let mut ids: Vec<RecordId> = waiting.iter().map(|change| change.record).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut records: Vec<Record> = ids.iter().filter_map(|id| held.get(id).cloned()).collect();
        let made = trust::restamp(
            &mut self.clock.borrow_mut(),
            now_millis,
            &waiting,
            &mut records,
        );
        for record in records {
            held.insert(record.id, record);
        }
        for ((old, refusal), new) in outbox.iter_mut().zip(made) {
            if old.id != new.id {
                self.remade.borrow_mut().push((old.id, new.clone()));
                *refusal = None;
            }
            *old = new;
        }
        Ok(())
    }

    async fn records(&self) -> Result<Vec<Record>, Infallible> {
        Ok(self.records.borrow().values().cloned().collect())
    }

    async fn apply_pull_page(
        &self,
        records: &[Record],
        gone: &[RecordId],
        cursor: Cursor,
        epoch: Epoch,
    ) -> Result<(), Infallible> {
        let mut clock = self.clock.borrow_mut();
        let mut held = self.records.borrow_mut();
        for pulled in records {
            if let Some(stamp) = pulled.latest_stamp() {
                clock.observe(stamp.hlc);
            }
            held.entry(pulled.id)
                .and_modify(|mine| mine.merge(pulled))
                .or_insert_with(|| pulled.clone());
        }
        let waiting: Vec<RecordId> = self
            .outbox
            .borrow()
            .iter()
            .map(|(change, _)| change.record)
            .collect();
        for id in gone {
            if !waiting.contains(id) {
                held.remove(id);
            }
        }
        self.position.set((Some(epoch), cursor));
        Ok(())
    }
}
