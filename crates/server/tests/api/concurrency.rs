//! Many at once: pushes from several devices and tasks while others pull page by page, and two
//! server instances on one database with devices syncing through both in turn. Nothing
//! acknowledged is lost, nothing is applied twice, and a pull never skips a committed change.

use crate::helpers::{
    Backend, Folder, TestApp, is_accepted, now, spawn_app, spawn_app_in, unnumbered_by_id,
};
use sakhi_domain::wire::{Cursor, PullResponse};
use sakhi_domain::{Change, Clock, DeviceId, Kind, Record, RecordId};
use serde_json::json;
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// One page as a puller saw it: where it asked from, and what came.
struct Seen {
    after: Cursor,
    page: PullResponse,
}

/// Pulls pages of at most `limit` after `cursor` until one says nothing more follows.
async fn pull_to_the_end(app: &TestApp, token: &str, mut cursor: Cursor, limit: u32) -> Vec<Seen> {
    let mut pages = Vec::new();
    loop {
        let page = app.pull_as(token, cursor, limit).await;
        let next = page.cursor;
        let more = page.more;
        pages.push(Seen {
            after: cursor,
            page,
        });
        cursor = next;
        if !more {
            return pages;
        }
    }
}

on_each_backend!(concurrent_pushes_and_paging_pulls_lose_nothing_and_repeat_nothing);
async fn concurrent_pushes_and_paging_pulls_lose_nothing_and_repeat_nothing(backend: Backend) {
    const DEVICES: usize = 6;
    const PUSHES: usize = 8;
    const NEW_PER_PUSH: usize = 3;
    let app = Arc::new(spawn_app(backend).await);
    let token = app.token.clone().unwrap();
    // Every push also edits this record, so pushes contend for one row as well as the counter.
    let shared = RecordId::new();
    let done = Arc::new(AtomicBool::new(false));

    let mut pushers = Vec::new();
    for device in 0..DEVICES {
        let app = Arc::clone(&app);
        pushers.push(tokio::spawn(async move {
            let mut clock = Clock::new(DeviceId::new());
            let mut acknowledged: Vec<Change> = Vec::new();
            for push in 0..PUSHES {
                let mut batch: Vec<Change> = (0..NEW_PER_PUSH)
                    .map(|i| {
                        Record::new(RecordId::new(), Kind::Case).edit(
                            &mut clock,
                            now(),
                            "name",
                            json!(format!("{device}/{push}/{i}")),
                        )
                    })
                    .collect();
                let mut common = Record::new(shared, Kind::Case);
                let village = json!(format!("गाँव {push}"));
                batch.push(common.edit(&mut clock, now(), "village", village));
                let answer = app.push(clock.device(), &batch).await;
                assert!(answer.results.iter().all(is_accepted));
                acknowledged.extend(batch);
            }
            acknowledged
        }));
    }

    let mut pullers = Vec::new();
    for limit in [1, 3, 7] {
        let app = Arc::clone(&app);
        let token = token.clone();
        let done = Arc::clone(&done);
        pullers.push(tokio::spawn(async move {
            let mut pages = Vec::new();
            let mut cursor = Cursor(0);
            while !done.load(Ordering::Acquire) {
                let page = app.pull_as(&token, cursor, limit).await;
                let next = page.cursor;
                pages.push(Seen {
                    after: cursor,
                    page,
                });
                cursor = next;
            }
            // Everything acknowledged is committed now: one more pass reaches it all.
            pages.extend(pull_to_the_end(&app, &token, cursor, limit).await);
            pages
        }));
    }

    let mut acknowledged = Vec::new();
    for pusher in pushers {
        acknowledged.extend(pusher.await.expect("a pusher"));
    }
    done.store(true, Ordering::Release);
    let everything = app.pull_all().await;
    let total = DEVICES * PUSHES * (NEW_PER_PUSH + 1);
    assert_eq!(acknowledged.len(), total);

    let mut expected: BTreeMap<RecordId, Record> = BTreeMap::new();
    for change in &acknowledged {
        expected
            .entry(change.record)
            .or_insert_with(|| Record::new(change.record, Kind::Case))
            .apply(change);
    }
    assert_eq!(
        unnumbered_by_id(&everything),
        expected,
        "the server holds every change once"
    );

    for (puller, pages) in pullers.into_iter().enumerate() {
        let pages = pages.await.expect("a puller");
        let mut cursor = Cursor(0);
        let mut times_seen: BTreeMap<RecordId, usize> = BTreeMap::new();
        let mut last_seen: BTreeMap<RecordId, Record> = BTreeMap::new();
        for Seen { after, page } in &pages {
            assert_eq!(*after, cursor, "puller {puller} asks from where it was");
            if page.records.is_empty() {
                assert_eq!(page.cursor, cursor, "puller {puller}: an empty page stays");
            } else {
                assert!(
                    page.cursor > cursor,
                    "puller {puller}: cursors only increase"
                );
            }
            cursor = page.cursor;
            for record in &page.records {
                *times_seen.entry(record.id).or_default() += 1;
                last_seen.insert(record.id, record.clone());
            }
        }
        assert_eq!(
            cursor,
            Cursor(total as u64),
            "puller {puller} read up to the last change"
        );
        assert_eq!(
            unnumbered_by_id(&last_seen),
            expected,
            "puller {puller} saw every record"
        );
        // Each new record got one change and so one sequence number: seen exactly once, never
        // skipped and never repeated. (The shared record moves on with every push.)
        for (id, times) in &times_seen {
            if *id != shared {
                assert_eq!(*times, 1, "puller {puller} saw record {id} {times} times");
            }
        }
    }
}

/// A simulated device: its replica, its outbox, where its pulls got to, and every change the
/// server acknowledged to it.
struct Device {
    clock: Clock,
    replica: BTreeMap<RecordId, Record>,
    outbox: Vec<Change>,
    /// The last batch acknowledged, sent again now and then as if its answer had been lost.
    last_batch: Vec<Change>,
    cursor: Cursor,
    acknowledged: Vec<Change>,
    /// A small generator of choices, so each run edits the same way.
    state: u64,
}

impl Device {
    fn new(seed: u64) -> Device {
        Device {
            clock: Clock::new(DeviceId::new()),
            replica: BTreeMap::new(),
            outbox: Vec::new(),
            last_batch: Vec::new(),
            cursor: Cursor(0),
            acknowledged: Vec::new(),
            state: seed,
        }
    }

    fn choose(&mut self, below: usize) -> usize {
        self.state = self
            .state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.state >> 33) as usize % below
    }

    /// A worker's few minutes: a new case, and edits to cases this phone has, often another
    /// phone's, so that edits of one field cross.
    fn work(&mut self, round: usize) {
        let mut case = Record::new(RecordId::new(), Kind::Case);
        let change = case.edit(&mut self.clock, now(), "name", json!(format!("केस {round}")));
        self.outbox.push(change);
        self.replica.insert(case.id, case);
        let ids: Vec<RecordId> = self.replica.keys().copied().collect();
        for _ in 0..3 {
            let id = ids[self.choose(ids.len())];
            let (field, value) = match self.choose(3) {
                0 => ("village", json!(format!("गाँव {}", self.choose(50)))),
                1 => ("age", json!(self.choose(100))),
                _ => ("name", json!(format!("नाम {}", self.choose(50)))),
            };
            let Some(record) = self.replica.get_mut(&id) else {
                continue;
            };
            let change = record.edit(&mut self.clock, now(), field, value);
            self.outbox.push(change);
        }
    }

    /// Pushes the outbox through `push_to` (the last batch again, now and then) and pulls what
    /// is new through `pull_from`, merging it in.
    async fn sync(&mut self, push_to: &TestApp, pull_from: &TestApp, again: bool) {
        if again && !self.last_batch.is_empty() {
            let answer = push_to.push(self.clock.device(), &self.last_batch).await;
            assert!(answer.results.iter().all(is_accepted), "sent again");
        }
        if !self.outbox.is_empty() {
            let batch = std::mem::take(&mut self.outbox);
            let answer = push_to.push(self.clock.device(), &batch).await;
            assert!(answer.results.iter().all(is_accepted));
            self.acknowledged.extend(batch.iter().cloned());
            self.last_batch = batch;
        }
        let token = pull_from.token.clone().unwrap();
        for seen in pull_to_the_end(pull_from, &token, self.cursor, 5).await {
            for record in seen.page.records {
                if let Some(stamp) = record.latest_stamp() {
                    self.clock.observe(stamp.hlc);
                }
                self.replica
                    .entry(record.id)
                    .or_insert_with(|| Record::new(record.id, record.kind))
                    .merge(&record);
            }
            self.cursor = seen.page.cursor;
        }
    }
}

on_each_backend!(two_instances_on_one_database_lose_and_duplicate_nothing);
async fn two_instances_on_one_database_lose_and_duplicate_nothing(backend: Backend) {
    const DEVICES: u64 = 4;
    const ROUNDS: usize = 6;
    let folder = Folder::new(backend).await;
    // The first instance sets the centre up; the second finds it set up. Each logs in its own
    // administrator session, valid on both since sessions live in the database.
    let first = Arc::new(spawn_app_in(folder.clone()).await);
    let second = Arc::new(spawn_app_in(folder).await);
    let instances = [Arc::clone(&first), Arc::clone(&second)];

    let mut tasks = Vec::new();
    for seed in 0..DEVICES {
        let instances = instances.clone();
        tasks.push(tokio::spawn(async move {
            let mut device = Device::new(seed + 1);
            for round in 0..ROUNDS {
                device.work(round);
                // Through both in turn: push to one, pull from the other, then the other way.
                let turn = (round + seed as usize) % 2;
                let again = round % 3 == 2;
                device
                    .sync(&instances[turn], &instances[1 - turn], again)
                    .await;
            }
            device
        }));
    }
    let mut devices = Vec::new();
    for task in tasks {
        devices.push(task.await.expect("a device"));
    }
    // Everyone catches up once all pushes are in.
    for (turn, device) in devices.iter_mut().enumerate() {
        device
            .sync(&instances[turn % 2], &instances[(turn + 1) % 2], false)
            .await;
    }

    let mut expected: BTreeMap<RecordId, Record> = BTreeMap::new();
    let mut distinct = HashSet::new();
    for change in devices.iter().flat_map(|device| &device.acknowledged) {
        distinct.insert(change.id);
        expected
            .entry(change.record)
            .or_insert_with(|| Record::new(change.record, Kind::Case))
            .apply(change);
    }
    assert_eq!(
        distinct.len(),
        devices.iter().map(|d| d.acknowledged.len()).sum::<usize>(),
    );
    let on_first = first.pull_all().await;
    let on_second = second.pull_all().await;
    assert_eq!(
        unnumbered_by_id(&on_first),
        expected,
        "nothing acknowledged is lost"
    );
    assert_eq!(on_second, on_first, "both instances answer alike");
    for (at, device) in devices.iter().enumerate() {
        assert_eq!(
            unnumbered_by_id(&device.replica),
            expected,
            "device {at} ends with the same state"
        );
        assert_eq!(
            device.cursor,
            Cursor(distinct.len() as u64),
            "device {at}: each change applied once, whichever instance it came through"
        );
    }
}
