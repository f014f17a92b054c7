//! An outreach worker's phone follows her scope: a case assigned away from her is gone from her
//! next pull, at its place in the sequence, and comes back when it is assigned to her again; a
//! case she made stays hers; and whoever sees the whole centre is never told that one is gone.

use crate::authorisation::{TwoCentres, two_centres};
use crate::helpers::{Backend, TestApp, now, unnumbered};
use reqwest::{Method, StatusCode};
use sakhi_domain::schema::NUMBER;
use sakhi_domain::wire::{Cursor, PullResponse};
use sakhi_domain::{AccountId, Clock, DeviceId, Kind, Record, RecordId, Role};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// A device that pushes as one account: makes cases and assigns them.
struct Device<'a> {
    app: &'a TestApp,
    token: &'a str,
    clock: Clock,
}

impl<'a> Device<'a> {
    fn of(app: &'a TestApp, token: &'a str) -> Self {
        Device {
            app,
            token,
            clock: Clock::new(DeviceId::new()),
        }
    }

    async fn send(&mut self, case: &mut Record, field: &str, value: Value) {
        let change = case.edit(&mut self.clock, now(), field, value);
        let response = self
            .app
            .push_as(self.token, self.clock.device(), &[change])
            .await;
        assert_eq!(response.status(), StatusCode::OK, "a push of {field}");
    }

    /// A new case, assigned to `to` if given, in one push.
    async fn new_case(&mut self, to: Option<AccountId>) -> Record {
        let mut case = Record::new(RecordId::new(), Kind::Case);
        match to {
            Some(to) => self.assign(&mut case, to).await,
            None => self.send(&mut case, "name", json!("सीता")).await,
        }
        case
    }

    async fn assign(&mut self, case: &mut Record, to: AccountId) {
        self.send(case, "assigned_to", json!(to.to_string())).await;
    }

    async fn edit(&mut self, case: &mut Record) {
        self.send(case, "village", json!("Rampur")).await;
    }
}

/// A phone's copy of its worker's cases, kept as the app keeps it: each page's records stored,
/// the cases it says are gone removed, and the cursor saved with the page.
#[derive(Clone, Debug, Default)]
struct Phone {
    cursor: Cursor,
    cases: BTreeMap<RecordId, Record>,
}

impl Phone {
    /// Pulls pages of at most `limit` until none follows, and answers them.
    async fn sync(&mut self, app: &TestApp, token: &str, limit: u32) -> Vec<PullResponse> {
        let mut pages = Vec::new();
        loop {
            let after = self.cursor;
            let page = app.pull_as(token, after, limit).await;
            assert!(
                page.cursor > after || !page.more,
                "a page that others follow moves the cursor"
            );
            self.apply(&page);
            let more = page.more;
            pages.push(page);
            if !more {
                return pages;
            }
        }
    }

    fn apply(&mut self, page: &PullResponse) {
        for record in &page.records {
            self.cases.insert(record.id, record.clone());
        }
        for gone in &page.gone {
            self.cases.remove(gone);
        }
        self.cursor = page.cursor;
    }

    fn ids(&self) -> BTreeSet<RecordId> {
        self.cases.keys().copied().collect()
    }
}

/// The centre's second outreach worker, whom cases are assigned away to.
async fn another_worker(setup: &TwoCentres) -> (AccountId, String) {
    let (account, token) = setup
        .app
        .account(&setup.admin, "outreach.two", Role::OutreachWorker)
        .await;
    (account.id, token)
}

/// A pull's body as sent, to see which fields travel.
async fn raw_pull(app: &TestApp, token: &str, after: Cursor) -> Value {
    let path = format!("/api/v1/sync/pull?after={}&limit=1000", after.0);
    let response = app.send(Method::GET, &path, Some(token), None).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

fn ids<'a>(records: impl IntoIterator<Item = &'a Record>) -> BTreeSet<RecordId> {
    records.into_iter().map(|record| record.id).collect()
}

on_each_backend!(a_case_assigned_away_from_an_outreach_worker_leaves_her_phone_but_no_counsellors);
async fn a_case_assigned_away_from_an_outreach_worker_leaves_her_phone_but_no_counsellors(
    backend: Backend,
) {
    let setup = two_centres(backend).await;
    let app = &setup.app;
    let (worker, worker_token) = (setup.outreach.0.id, &setup.outreach.1);
    let (counsellor, counsellor_token) = (setup.counsellor.0.id, &setup.counsellor.1);
    let (other, other_token) = another_worker(&setup).await;
    let mut desk = Device::of(app, counsellor_token);
    let mut moved = desk.new_case(Some(worker)).await;
    let mut kept = desk.new_case(Some(worker)).await;
    // Made by the administrator, so that it is the counsellor's only while assigned to her.
    let admin = app.token.as_deref().unwrap();
    let mut counsellors = Device::of(app, admin).new_case(Some(counsellor)).await;
    let mut phone = Phone::default();
    phone.sync(app, worker_token, 10).await;
    assert_eq!(phone.ids(), BTreeSet::from([moved.id, kept.id]));
    let mut desk_copy = Phone::default();
    desk_copy.sync(app, counsellor_token, 10).await;

    desk.assign(&mut moved, other).await;
    desk.assign(&mut counsellors, worker).await;
    desk.assign(&mut counsellors, other).await;

    let pages = phone.sync(app, worker_token, 10).await;
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].gone, [moved.id, counsellors.id]);
    assert!(pages[0].records.is_empty());
    assert_eq!(phone.ids(), BTreeSet::from([kept.id]));
    // She reassigns a case herself: her push is hers to make, and then it is not hers.
    let mut own_phone = Device::of(app, worker_token);
    own_phone.assign(&mut kept, other).await;
    let pages = phone.sync(app, worker_token, 10).await;
    assert_eq!(
        (pages[0].gone.clone(), pages[0].records.len()),
        (vec![kept.id], 0)
    );
    assert!(phone.cases.is_empty());

    // The counsellor, whose own case was assigned away too, sees every change and nothing gone;
    // her answer does not even carry the field.
    let body = raw_pull(app, counsellor_token, desk_copy.cursor).await;
    assert!(body.get("gone").is_none(), "{body}");
    let pages = desk_copy.sync(app, counsellor_token, 10).await;
    assert_eq!(
        ids(&pages[0].records),
        BTreeSet::from([moved.id, kept.id, counsellors.id])
    );
    assert_eq!(desk_copy.cases.len(), 3);
    assert!(raw_pull(app, admin, Cursor(0)).await.get("gone").is_none());
    assert_eq!(app.pull_all_as(admin).await.len(), 3);

    assert_eq!(
        app.pull_all_as(&other_token)
            .await
            .into_keys()
            .collect::<BTreeSet<_>>(),
        BTreeSet::from([moved.id, kept.id, counsellors.id])
    );
    // A phone starting afresh is told the same, each once.
    let body = raw_pull(app, worker_token, Cursor(0)).await;
    assert_eq!(body["records"], json!([]));
    assert_eq!(
        body["gone"],
        json!([moved.id, counsellors.id, kept.id]),
        "in the order they left"
    );
}

on_each_backend!(
    a_gone_case_takes_its_place_in_the_sequence_so_small_pages_are_exact_and_resumable
);
async fn a_gone_case_takes_its_place_in_the_sequence_so_small_pages_are_exact_and_resumable(
    backend: Backend,
) {
    let setup = two_centres(backend).await;
    let app = &setup.app;
    let (worker, worker_token) = (setup.outreach.0.id, &setup.outreach.1);
    let (other, _) = another_worker(&setup).await;
    let mut desk = Device::of(app, &setup.counsellor.1);
    let mut cases = Vec::new();
    for _ in 0..4 {
        cases.push(desk.new_case(Some(worker)).await);
    }
    let mut phone = Phone::default();
    phone.sync(app, worker_token, 10).await;
    let start = phone.cursor;

    // One change each, so each takes the next sequence number after `start`.
    desk.assign(&mut cases[1], other).await;
    let fifth = desk.new_case(Some(worker)).await;
    desk.assign(&mut cases[3], other).await;
    desk.edit(&mut cases[0]).await;
    /// What the worker's stretch of the sequence after `start` holds, in order.
    #[derive(Clone, Debug, PartialEq)]
    enum Event {
        Record(RecordId),
        Gone(RecordId),
    }
    let expected = [
        Event::Gone(cases[1].id),
        Event::Record(fifth.id),
        Event::Gone(cases[3].id),
        Event::Record(cases[0].id),
    ];

    for limit in [1u32, 2, 3, 4, 100] {
        let mut from_start = phone.clone();
        let pages = from_start.sync(app, worker_token, limit).await;
        let chunks: Vec<_> = expected.chunks(limit as usize).collect();
        assert_eq!(pages.len(), chunks.len(), "limit {limit}");
        let mut at = start.0;
        for (index, (page, chunk)) in pages.iter().zip(&chunks).enumerate() {
            at += chunk.len() as u64;
            let records: Vec<_> = chunk
                .iter()
                .filter_map(|event| match event {
                    Event::Record(id) => Some(*id),
                    Event::Gone(_) => None,
                })
                .collect();
            let gone: Vec<_> = chunk
                .iter()
                .filter_map(|event| match event {
                    Event::Gone(id) => Some(*id),
                    Event::Record(_) => None,
                })
                .collect();
            let got: Vec<_> = page.records.iter().map(|record| record.id).collect();
            assert_eq!(
                (got, &page.gone),
                (records, &gone),
                "limit {limit}, page {index}"
            );
            assert_eq!(page.cursor, Cursor(at), "limit {limit}, page {index}");
            assert_eq!(
                page.more,
                index + 1 < chunks.len(),
                "limit {limit}, page {index}"
            );
        }
        assert_eq!(
            from_start.ids(),
            BTreeSet::from([cases[0].id, cases[2].id, fifth.id])
        );
    }

    // A phone that stops after two pages of one resumes from its cursor with a bigger page.
    let mut resumed = phone.clone();
    for _ in 0..2 {
        let page = app.pull_as(worker_token, resumed.cursor, 1).await;
        resumed.apply(&page);
    }
    assert_eq!(resumed.cursor, Cursor(start.0 + 2));
    let rest = resumed.sync(app, worker_token, 100).await;
    assert_eq!(rest[0].gone, [cases[3].id]);
    assert_eq!(ids(&rest[0].records), BTreeSet::from([cases[0].id]));
    assert_eq!(resumed.cases, app.pull_all_as(worker_token).await);

    // From the very start, in pages of one, each gone case comes once, where it left.
    let mut fresh = Phone::default();
    let pages = fresh.sync(app, worker_token, 1).await;
    let gone: Vec<_> = pages.iter().flat_map(|page| page.gone.clone()).collect();
    assert_eq!(gone, [cases[1].id, cases[3].id]);
    assert!(
        pages
            .iter()
            .all(|page| page.records.len() + page.gone.len() == 1)
    );
    assert_eq!(fresh.cases, resumed.cases);
}

on_each_backend!(a_case_assigned_back_to_her_comes_back_and_is_never_gone_after_it);
async fn a_case_assigned_back_to_her_comes_back_and_is_never_gone_after_it(backend: Backend) {
    let setup = two_centres(backend).await;
    let app = &setup.app;
    let (worker, worker_token) = (setup.outreach.0.id, &setup.outreach.1);
    let (other, _) = another_worker(&setup).await;
    let mut desk = Device::of(app, &setup.counsellor.1);
    let mut case = desk.new_case(Some(worker)).await;
    let mut phone = Phone::default();
    phone.sync(app, worker_token, 10).await;
    // A second phone of hers, switched off while the case goes away and comes back.
    let mut idle = phone.clone();

    desk.assign(&mut case, other).await;
    assert_eq!(phone.sync(app, worker_token, 10).await[0].gone, [case.id]);
    assert!(phone.cases.is_empty());

    desk.assign(&mut case, worker).await;
    let pages = phone.sync(app, worker_token, 10).await;
    assert_eq!(
        (ids(&pages[0].records), pages[0].gone.len()),
        (BTreeSet::from([case.id]), 0)
    );
    assert_eq!(phone.cases[&case.id].without(NUMBER), case);
    let pages = idle.sync(app, worker_token, 10).await;
    assert_eq!(
        (ids(&pages[0].records), pages[0].gone.len()),
        (BTreeSet::from([case.id]), 0)
    );

    // Away once more: a phone starting afresh is told once, at the last time it left, which is
    // the last change of the centre.
    desk.assign(&mut case, other).await;
    let pages = Phone::default().sync(app, worker_token, 1).await;
    let gone: Vec<_> = pages.iter().flat_map(|page| page.gone.clone()).collect();
    assert_eq!(gone, [case.id]);
    let last = app.pull_as(&setup.counsellor.1, Cursor(0), 10).await.cursor;
    assert_eq!(pages.last().unwrap().cursor, last);
    assert_eq!(phone.sync(app, worker_token, 10).await[0].gone, [case.id]);
}

on_each_backend!(a_case_she_made_stays_on_her_phone_whoever_it_is_assigned_to);
async fn a_case_she_made_stays_on_her_phone_whoever_it_is_assigned_to(backend: Backend) {
    let setup = two_centres(backend).await;
    let app = &setup.app;
    let (worker, worker_token) = (setup.outreach.0.id, &setup.outreach.1);
    let (other, other_token) = another_worker(&setup).await;
    let mut camp = Device::of(app, worker_token);
    let mut made = camp.new_case(None).await;
    let mut phone = Phone::default();
    phone.sync(app, worker_token, 10).await;
    let mut others_phone = Phone::default();

    let mut desk = Device::of(app, &setup.counsellor.1);
    desk.assign(&mut made, other).await;
    assert_eq!(
        unnumbered(
            others_phone.sync(app, &other_token, 10).await[0]
                .records
                .clone()
        ),
        [made.clone()]
    );
    desk.assign(&mut made, worker).await;
    desk.assign(&mut made, other).await;

    for page in phone.sync(app, worker_token, 1).await {
        assert!(page.gone.is_empty(), "{:?}", page.gone);
    }
    assert_eq!(phone.cases[&made.id].without(NUMBER), made);
    // The other worker held it only while it was assigned to her.
    desk.assign(&mut made, worker).await;
    assert_eq!(
        others_phone.sync(app, &other_token, 10).await[0].gone,
        [made.id]
    );
}
