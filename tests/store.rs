//! The IndexedDB store in a real browser: saves, the outbox, acknowledgements, pulled pages and
//! the schema. Each test opens its own database, with the key of a throwaway worker enrolled on
//! this page's keyring, and deletes it afterwards.
#![cfg(target_arch = "wasm32")]

use indexed_db_futures::database::Database;
use sakhi::casework::Summary;
use sakhi::store::schema::{self, CAMPS, CONTENT, META, OUTBOX, RECORDS, SUMMARIES, WORK};
use sakhi::store::{DataKey, Keyring, Refusal, Store, StoreError, Worker};
use sakhi_domain::wire::Cursor;
use sakhi_domain::{Clock, DeviceId, Epoch, Kind, Record, RecordId};
use serde_json::json;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const NOW: u64 = 1_760_000_000_000;

/// A database name no other test uses.
fn fresh_name(test: &str) -> String {
    format!("sakhi-test-{test}-{}", RecordId::new())
}

thread_local! {
    static KEY: std::cell::RefCell<Option<DataKey>> = const { std::cell::RefCell::new(None) };
}

/// The data key of a throwaway worker, enrolled once for all these tests: enrolling derives a key
/// with 600,000 rounds of PBKDF2, which takes a moment.
async fn throwaway_key() -> DataKey {
    if let Some(key) = KEY.with_borrow(Clone::clone) {
        return key;
    }
    let keyring = Keyring::open().await.unwrap();
    let account = format!("test-{}", RecordId::new());
    let worker = Worker {
        account: account.clone(),
        username: account,
        display_name: "Test Worker".to_owned(),
        centre: "Test".to_owned(),
    };
    let key = keyring.enrol(worker, "test passphrase").await.unwrap();
    keyring.close();
    KEY.set(Some(key.clone()));
    key
}

/// Opens a new store `name` with a throwaway worker's key; returns the key for reopening.
async fn open_new(name: &str) -> (Store, DataKey) {
    let key = throwaway_key().await;
    (Store::open(name, key.clone()).await.unwrap(), key)
}

async fn delete(store: Store, name: &str) {
    store.close();
    Database::delete_by_name(name).unwrap().await.unwrap();
}

fn new_case() -> Record {
    Record::new(RecordId::new(), Kind::Case)
}

#[wasm_bindgen_test]
async fn saving_a_case_writes_the_record_and_its_changes_together_with_hindi_intact() {
    let name = fresh_name("save");
    let (store, key) = open_new(&name).await;
    let case = new_case();
    let id = case.id;

    let saved = store
        .edit(
            case,
            [
                ("name", json!("सीता देवी")),
                ("village", json!("रामपुर")),
                ("violence", json!(["dowry_harassment", "physical"])),
                ("description", json!("पति और सास ने दहेज के लिए मारा।")),
            ],
            NOW,
        )
        .await
        .unwrap();

    let read = store.record(id).await.unwrap().unwrap();
    assert_eq!(read, saved);
    assert_eq!(read.text("name"), Some("सीता देवी"));
    assert_eq!(
        read.text("description"),
        Some("पति और सास ने दहेज के लिए मारा।")
    );
    assert_eq!(store.cases().await.unwrap(), vec![read.clone()]);

    let outbox = store.outbox().await.unwrap();
    let fields: Vec<&str> = outbox.iter().map(|e| e.change.field.as_str()).collect();
    assert_eq!(fields, ["name", "village", "violence", "description"]);
    assert!(
        outbox
            .iter()
            .all(|e| e.change.record == id && e.rejected.is_none())
    );
    assert!(
        outbox
            .iter()
            .all(|e| e.change.stamp.device == store.device())
    );
    assert_eq!(store.pending(2).await.unwrap().len(), 2);

    // Everything survives a restart, the clock included: a phone whose clock jumped back still
    // stamps later edits after earlier ones.
    let device = store.device();
    store.close();
    let store = Store::open(&name, key).await.unwrap();
    assert_eq!(store.device(), device);
    assert_eq!(store.record(id).await.unwrap(), Some(read.clone()));
    let later = store
        .edit(read, [("age", json!(34))], NOW - 86_400_000)
        .await
        .unwrap();
    let newest = store.outbox().await.unwrap().pop().unwrap().change;
    assert_eq!(newest.field, "age");
    assert!(outbox.iter().all(|e| e.change.stamp < newest.stamp));
    assert_eq!(later.value("age"), Some(&json!(34)));

    delete(store, &name).await;
}

#[wasm_bindgen_test]
async fn an_edit_the_schema_refuses_writes_nothing() {
    let name = fresh_name("refuse");
    let (store, _) = open_new(&name).await;
    let case = new_case();
    let id = case.id;

    let refused = store
        .edit(case, [("name", json!("Gita")), ("age", json!(500))], NOW)
        .await;

    assert!(matches!(refused, Err(StoreError::Invalid(_))));
    assert_eq!(store.record(id).await.unwrap(), None);
    assert!(store.outbox().await.unwrap().is_empty());
    delete(store, &name).await;
}

#[wasm_bindgen_test]
async fn closing_writes_the_closure_record_and_the_case_in_one_transaction_or_neither() {
    let name = fresh_name("closing");
    let (store, _) = open_new(&name).await;
    let case = store
        .edit(new_case(), [("name", json!("गीता"))], NOW)
        .await
        .unwrap();
    let closure = Record::new(RecordId::new(), Kind::Closure);
    let event = vec![
        ("case", json!(case.id.to_string())),
        ("event", json!("closed")),
        ("closure", json!("court")),
    ];

    // One refused edit and nothing of either is kept.
    let refused = store
        .edit_all(
            vec![
                (closure.clone(), event.clone()),
                (case.clone(), vec![("status", json!("shut"))]),
            ],
            NOW + 1,
        )
        .await;
    assert!(matches!(refused, Err(StoreError::Invalid(_))));
    assert!(store.work(case.id).await.unwrap().is_empty());
    assert_eq!(store.outbox().await.unwrap().len(), 1);

    let stored = store
        .edit_all(
            vec![
                (closure.clone(), event),
                (case.clone(), vec![("status", json!("closed"))]),
            ],
            NOW + 2,
        )
        .await
        .unwrap();
    assert_eq!(stored.len(), 2);
    let work = store.work(case.id).await.unwrap();
    assert_eq!(work.len(), 1);
    assert_eq!(work[0].text("closure"), Some("court"));
    let kept = store.record(case.id).await.unwrap().unwrap();
    assert_eq!(kept.text("status"), Some("closed"));
    assert_eq!(kept.text("name"), Some("गीता"));
    assert_eq!(store.outbox().await.unwrap().len(), 5);
    delete(store, &name).await;
}

#[wasm_bindgen_test]
async fn work_moved_to_the_case_it_was_merged_into_leaves_its_old_key_here_and_when_pulled() {
    let name = fresh_name("merge");
    let (store, _) = open_new(&name).await;
    let kept = store
        .edit(new_case(), [("name", json!("Geeta"))], NOW)
        .await
        .unwrap();
    let twice = store
        .edit(new_case(), [("name", json!("गीता"))], NOW)
        .await
        .unwrap();
    let on_twice = |what: &str| {
        vec![
            ("case", json!(twice.id.to_string())),
            ("service", json!(what)),
        ]
    };
    let service = store
        .edit(
            Record::new(RecordId::new(), Kind::Service),
            on_twice("police"),
            NOW,
        )
        .await
        .unwrap();
    let other = store
        .edit(
            Record::new(RecordId::new(), Kind::Service),
            on_twice("medical"),
            NOW,
        )
        .await
        .unwrap();

    // Merged here: the police service moves, in the same transaction as the duplicate's fields.
    store
        .edit_all(
            vec![
                (
                    twice.clone(),
                    vec![("merged_into", json!(kept.id.to_string()))],
                ),
                (service.clone(), vec![("case", json!(kept.id.to_string()))]),
            ],
            NOW + 1,
        )
        .await
        .unwrap();
    let ids = |work: Vec<Record>| work.into_iter().map(|r| r.id).collect::<Vec<_>>();
    assert_eq!(ids(store.work(kept.id).await.unwrap()), [service.id]);
    assert_eq!(ids(store.work(twice.id).await.unwrap()), [other.id]);

    // Merged on another phone: the pulled copy of the other service lands under the kept case,
    // with what this phone held of it, and nothing is left under the duplicate.
    let mut desk = Clock::new(DeviceId::new());
    let mut moved = other.clone();
    moved.edit(&mut desk, NOW + 2, "case", json!(kept.id.to_string()));
    let mut bare = Record::new(moved.id, Kind::Service);
    bare.fields
        .insert("case".to_owned(), moved.fields["case"].clone());
    store
        .apply_pull_page(&[bare], &[], Cursor(3), Epoch::new())
        .await
        .unwrap();
    let work = store.work(kept.id).await.unwrap();
    assert_eq!(work.len(), 2);
    let pulled = work.iter().find(|r| r.id == other.id).unwrap();
    assert_eq!(pulled.text("service"), Some("medical"));
    assert!(store.work(twice.id).await.unwrap().is_empty());
    let summaries: Vec<(RecordId, Summary)> = store
        .caseload()
        .await
        .unwrap()
        .into_iter()
        .map(|(case, summary)| (case.id, summary))
        .collect();
    assert!(summaries.iter().any(|(id, s)| *id == kept.id && s.worked));
    assert!(summaries.iter().any(|(id, s)| *id == twice.id && !s.worked));
    delete(store, &name).await;
}

#[wasm_bindgen_test]
async fn a_draft_is_kept_sealed_until_it_is_discarded() {
    let name = fresh_name("draft");
    let (store, _) = open_new(&name).await;
    assert_eq!(store.secret("draft/new-case").await.unwrap(), None);
    store
        .set_secret("draft/new-case", r#"{"typed":[["name","सुनीता"]]}"#)
        .await
        .unwrap();
    let kept = store.secret("draft/new-case").await.unwrap().unwrap();
    assert!(kept.contains("सुनीता"));
    store.remove_secret("draft/new-case").await.unwrap();
    assert_eq!(store.secret("draft/new-case").await.unwrap(), None);
    assert!(store.remove_secret("clock").await.is_err());

    // A case that leaves her scope takes its drafts with it, and leaves others'.
    let (gone, staying) = (RecordId::new(), RecordId::new());
    for name in [
        format!("draft/edit/{gone}"),
        format!("draft/case/{gone}/note"),
        format!("draft/case/{staying}/note"),
    ] {
        store.set_secret(&name, "{}").await.unwrap();
    }
    store
        .apply_pull_page(&[], &[gone], Cursor(1), Epoch::new())
        .await
        .unwrap();
    assert_eq!(
        store.secret(&format!("draft/edit/{gone}")).await.unwrap(),
        None
    );
    assert_eq!(
        store
            .secret(&format!("draft/case/{gone}/note"))
            .await
            .unwrap(),
        None
    );
    assert!(
        store
            .secret(&format!("draft/case/{staying}/note"))
            .await
            .unwrap()
            .is_some()
    );
    delete(store, &name).await;
}

#[wasm_bindgen_test]
async fn ack_forgets_accepted_changes_and_keeps_refused_ones_with_the_reason() {
    let name = fresh_name("ack");
    let (store, _) = open_new(&name).await;
    store
        .edit(
            new_case(),
            [
                ("name", json!("गीता")),
                ("village", json!("Sonpur")),
                ("phone", json!("98765 43210")),
            ],
            NOW,
        )
        .await
        .unwrap();
    let outbox = store.outbox().await.unwrap();
    let ids: Vec<_> = outbox.iter().map(|e| e.change.id).collect();
    let refusal = Refusal {
        code: "unknown_field".to_owned(),
        reason: "this server does not know that field".to_owned(),
    };

    store
        .ack(&[ids[0], ids[2]], &[(ids[1], refusal.clone())], None)
        .await
        .unwrap();

    let left = store.outbox().await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].change, outbox[1].change);
    assert_eq!(left[0].rejected, Some(refusal));
    assert!(store.pending(10).await.unwrap().is_empty());

    // The server may acknowledge a change again (a retried push); that changes nothing.
    store.ack(&[ids[0]], &[], None).await.unwrap();
    assert_eq!(store.outbox().await.unwrap().len(), 1);
    delete(store, &name).await;
}

#[wasm_bindgen_test]
async fn edits_stamped_years_ahead_are_made_again_from_the_servers_time_in_place_of_the_old() {
    let name = fresh_name("restamp");
    let (store, key) = open_new(&name).await;
    let ahead = NOW + 3 * 365 * 86_400_000;
    let case = store
        .edit(new_case(), [("name", json!("सविता"))], ahead)
        .await
        .unwrap();
    let case = store
        .edit(
            case,
            [("name", json!("सविता देवी")), ("age", json!(31))],
            ahead + 10,
        )
        .await
        .unwrap();
    let before = store.outbox().await.unwrap();

    store.restamp(NOW).await.unwrap();

    let after = store.outbox().await.unwrap();
    assert_eq!(after.len(), before.len());
    for entry in &after {
        assert!(
            entry.change.stamp.hlc.millis <= NOW,
            "{:?}",
            entry.change.stamp
        );
        assert!(before.iter().all(|old| old.change.id != entry.change.id));
        assert!(
            entry
                .change
                .base
                .is_none_or(|base| base < entry.change.stamp)
        );
    }
    // The record holds the stamps made again, as the server will once they are sent.
    let mut server = Record::new(case.id, Kind::Case);
    after.iter().for_each(|entry| server.apply(&entry.change));
    let held = store.record(case.id).await.unwrap().unwrap();
    assert_eq!(held, server);
    assert_eq!(held.text("name"), Some("सविता देवी"));
    // Reopened, the clock goes on from the server's time, not from three years ahead.
    store.close();
    let store = Store::open(&name, key).await.unwrap();
    let next = store
        .edit(held, [("age", json!(32))], NOW + 1)
        .await
        .unwrap();
    let stamp = next.fields["age"].winner().unwrap().stamp;
    assert!(stamp.hlc.millis <= NOW + 1, "{stamp:?}");
    // Nothing ahead: nothing changes.
    let waiting = store.outbox().await.unwrap();
    store.restamp(NOW + 2).await.unwrap();
    assert_eq!(store.outbox().await.unwrap(), waiting);
    delete(store, &name).await;
}

#[wasm_bindgen_test]
async fn an_acknowledgement_that_says_caught_up_moves_the_pull_cursor_with_it() {
    let name = fresh_name("caught-up");
    let (store, _) = open_new(&name).await;
    let epoch = Epoch::new();
    store
        .apply_pull_page(&[], &[], Cursor(4), epoch)
        .await
        .unwrap();
    store
        .edit(new_case(), [("name", json!("सीता"))], NOW)
        .await
        .unwrap();
    let sent = store.outbox().await.unwrap()[0].change.id;

    store.ack(&[sent], &[], Some(Cursor(7))).await.unwrap();

    assert!(store.outbox().await.unwrap().is_empty());
    assert_eq!(
        store.sync_position().await.unwrap(),
        (Some(epoch), Cursor(7))
    );
    // Without it, the cursor stays where it is.
    store.ack(&[], &[], None).await.unwrap();
    assert_eq!(store.sync_position().await.unwrap().1, Cursor(7));
    delete(store, &name).await;
}

#[wasm_bindgen_test]
async fn cases_are_listed_newest_first_whatever_order_they_arrived_in() {
    let name = fresh_name("newest-first");
    let (store, _) = open_new(&name).await;
    // Registered one after another (ids are time-ordered); the middle one is saved here first, the
    // newest next, and the oldest arrives last, in a pull.
    let (oldest, middle, newest) = (new_case(), new_case(), new_case());
    store
        .edit(middle.clone(), [("name", json!("B"))], NOW)
        .await
        .unwrap();
    store
        .edit(newest.clone(), [("name", json!("C"))], NOW)
        .await
        .unwrap();
    let mut desk = Clock::new(DeviceId::new());
    let mut pulled = oldest.clone();
    pulled.edit(&mut desk, NOW, "name", json!("A"));
    store
        .apply_pull_page(&[pulled], &[], Cursor(1), Epoch::new())
        .await
        .unwrap();

    let listed: Vec<RecordId> = store.cases().await.unwrap().iter().map(|c| c.id).collect();
    assert_eq!(listed, [newest.id, middle.id, oldest.id]);

    delete(store, &name).await;
}

#[wasm_bindgen_test]
async fn a_case_gone_from_her_scope_leaves_the_phone_unless_her_changes_to_it_wait() {
    let name = fresh_name("gone");
    let (store, _) = open_new(&name).await;
    let (sent, waiting) = (new_case(), new_case());
    store
        .edit(sent.clone(), [("name", json!("सीता"))], NOW)
        .await
        .unwrap();
    store
        .edit(waiting.clone(), [("name", json!("Radha"))], NOW)
        .await
        .unwrap();
    // The first case's change reached the server; the second's still waits.
    let outbox = store.outbox().await.unwrap();
    let first = outbox.iter().find(|e| e.change.record == sent.id).unwrap();
    store.ack(&[first.change.id], &[], None).await.unwrap();

    store
        .apply_pull_page(&[], &[sent.id, waiting.id], Cursor(9), Epoch::new())
        .await
        .unwrap();

    assert_eq!(store.record(sent.id).await.unwrap(), None);
    assert!(
        store.record(waiting.id).await.unwrap().is_some(),
        "her unsent work stays"
    );
    assert_eq!(store.sync_position().await.unwrap().1, Cursor(9));
    delete(store, &name).await;
}

#[wasm_bindgen_test]
async fn a_pulled_page_merges_into_the_local_copy_and_moves_the_cursor() {
    let name = fresh_name("pull");
    let (store, _) = open_new(&name).await;
    assert_eq!(store.sync_position().await.unwrap(), (None, Cursor(0)));

    let ours = store
        .edit(new_case(), [("name", json!("सीता"))], NOW)
        .await
        .unwrap();
    // The centre's desk edited the same case an hour ahead of this phone, and registered another.
    let mut desk = Clock::new(DeviceId::new());
    let mut theirs = ours.clone();
    theirs.edit(&mut desk, NOW + 3_600_000, "village", json!("रामपुर"));
    let mut other = new_case();
    other.edit(&mut desk, NOW + 3_600_001, "name", json!("मीना"));
    let epoch = Epoch::new();

    store
        .apply_pull_page(&[theirs.clone(), other.clone()], &[], Cursor(7), epoch)
        .await
        .unwrap();

    let merged = store.record(ours.id).await.unwrap().unwrap();
    assert_eq!(merged.text("name"), Some("सीता"));
    assert_eq!(merged.text("village"), Some("रामपुर"));
    assert_eq!(store.record(other.id).await.unwrap(), Some(other.clone()));
    assert_eq!(
        store.sync_position().await.unwrap(),
        (Some(epoch), Cursor(7))
    );

    // Pulling the same page again is harmless: merging is idempotent.
    store
        .apply_pull_page(&[theirs], &[], Cursor(7), epoch)
        .await
        .unwrap();
    assert_eq!(store.record(ours.id).await.unwrap(), Some(merged.clone()));

    // The clock observed the desk's stamps: an edit made now still wins over theirs.
    let edited = store
        .edit(merged, [("village", json!("Rampur"))], NOW)
        .await
        .unwrap();
    assert_eq!(edited.text("village"), Some("Rampur"));
    assert_eq!(edited.conflicted_fields().count(), 0);

    delete(store, &name).await;
}

#[wasm_bindgen_test]
async fn the_first_epoch_heard_of_is_kept_and_never_replaces_one_known() {
    let name = fresh_name("epoch");
    let (store, _) = open_new(&name).await;
    let (first, restored) = (Epoch::new(), Epoch::new());

    store.adopt_epoch(first).await.unwrap();
    assert_eq!(
        store.sync_position().await.unwrap(),
        (Some(first), Cursor(0))
    );
    store.adopt_epoch(restored).await.unwrap();
    assert_eq!(
        store.sync_position().await.unwrap(),
        (Some(first), Cursor(0))
    );
    store
        .apply_pull_page(&[], &[], Cursor(4), restored)
        .await
        .unwrap();
    assert_eq!(
        store.sync_position().await.unwrap(),
        (Some(restored), Cursor(4)),
        "a pulled page moves to the epoch it came from"
    );

    delete(store, &name).await;
}

#[wasm_bindgen_test]
async fn every_record_held_deleted_ones_too_can_be_given_back() {
    let name = fresh_name("records");
    let (store, _) = open_new(&name).await;
    let kept = store
        .edit(new_case(), [("name", json!("सीता"))], NOW)
        .await
        .unwrap();
    let deleted = store
        .edit(
            new_case(),
            [("name", json!("गीता")), ("deleted", json!(true))],
            NOW,
        )
        .await
        .unwrap();

    let mut records = store.records().await.unwrap();
    records.sort_by_key(|record| record.id);

    assert_eq!(records, [kept.clone(), deleted]);
    assert_eq!(store.cases().await.unwrap(), [kept]);
    delete(store, &name).await;
}

#[wasm_bindgen_test]
async fn a_fresh_database_gets_every_store_and_reopening_keeps_the_device() {
    let name = fresh_name("schema");
    let (store, key) = open_new(&name).await;
    let device = store.device();
    store.close();

    let raw = Database::open(name.as_str()).await.unwrap();
    assert_eq!(raw.version() as u32, schema::VERSION);
    let mut stores: Vec<String> = raw.object_store_names().collect();
    stores.sort();
    assert_eq!(
        stores,
        [CAMPS, CONTENT, META, OUTBOX, RECORDS, SUMMARIES, WORK]
    );
    raw.close();

    let reopened = Store::open(&name, key).await.unwrap();
    assert_eq!(reopened.device(), device);
    delete(reopened, &name).await;
}

#[wasm_bindgen_test]
async fn an_edit_on_a_stale_copy_keeps_what_a_pull_brought_in_meanwhile() {
    let name = fresh_name("stale");
    let (store, _) = open_new(&name).await;
    let seen = store
        .edit(new_case(), [("name", json!("Lata"))], NOW)
        .await
        .unwrap();
    let mut desk = Clock::new(DeviceId::new());
    let mut pulled = seen.clone();
    pulled.edit(&mut desk, NOW + 1, "village", json!("Sonpur"));
    store
        .apply_pull_page(&[pulled], &[], Cursor(1), Epoch::new())
        .await
        .unwrap();

    // The worker still had the copy from before the pull on screen.
    let saved = store
        .edit(seen, [("age", json!(40))], NOW + 2)
        .await
        .unwrap();

    assert_eq!(saved.text("village"), Some("Sonpur"));
    assert_eq!(saved.value("age"), Some(&json!(40)));
    assert_eq!(store.record(saved.id).await.unwrap(), Some(saved));
    delete(store, &name).await;
}

#[wasm_bindgen_test]
async fn a_purge_removes_sent_cases_nobody_changed_since_and_keeps_the_rest() {
    const DAY: u64 = 24 * 60 * 60 * 1000;
    let name = fresh_name("purge");
    let (store, _) = open_new(&name).await;
    let (old_sent, old_waiting, recent) = (new_case(), new_case(), new_case());
    for (case, when) in [
        (&old_sent, NOW),
        (&old_waiting, NOW),
        (&recent, NOW + 9 * DAY),
    ] {
        store
            .edit(case.clone(), [("name", json!("सीता"))], when)
            .await
            .unwrap();
    }
    let sent: Vec<_> = store
        .outbox()
        .await
        .unwrap()
        .into_iter()
        .filter(|entry| entry.change.record != old_waiting.id)
        .map(|entry| entry.change.id)
        .collect();
    store.ack(&sent, &[], None).await.unwrap();

    let removed = store.purge(NOW + 7 * DAY).await.unwrap();

    assert_eq!(removed, 1);
    assert_eq!(store.record(old_sent.id).await.unwrap(), None);
    assert!(
        store.record(old_waiting.id).await.unwrap().is_some(),
        "unsent work stays"
    );
    assert!(store.record(recent.id).await.unwrap().is_some());
    assert_eq!(store.purge(NOW + 7 * DAY).await.unwrap(), 0);
    delete(store, &name).await;
}

/// The edits that write a service, session or note of `case` with `fields`, as a phone does.
fn work_of(
    case: &Record,
    fields: &[(&'static str, serde_json::Value)],
) -> Vec<(&'static str, serde_json::Value)> {
    let mut edits = vec![("case", json!(case.id.to_string()))];
    edits.extend(fields.iter().cloned());
    edits
}

#[wasm_bindgen_test]
async fn a_cases_work_is_read_alone_and_the_caseload_reads_its_summary() {
    let name = fresh_name("work");
    let (store, _) = open_new(&name).await;
    let asha = store
        .edit(new_case(), [("name", json!("Asha"))], NOW)
        .await
        .unwrap();
    let sita = store
        .edit(new_case(), [("name", json!("सीता"))], NOW)
        .await
        .unwrap();
    let session = store
        .edit(
            Record::new(RecordId::new(), Kind::Session),
            work_of(
                &asha,
                &[
                    ("session_number", json!(1)),
                    ("next_on", json!("2026-12-01")),
                ],
            ),
            NOW + 1,
        )
        .await
        .unwrap();
    let note = store
        .edit(
            Record::new(RecordId::new(), Kind::Note),
            work_of(&sita, &[("note", json!("बहन से बात हुई"))]),
            NOW + 2,
        )
        .await
        .unwrap();

    assert_eq!(
        store.work(asha.id).await.unwrap(),
        std::slice::from_ref(&session)
    );
    assert_eq!(
        store.work(sita.id).await.unwrap(),
        std::slice::from_ref(&note)
    );
    assert_eq!(
        store.record(session.id).await.unwrap(),
        None,
        "work is not among the cases"
    );
    assert_eq!(
        store.records().await.unwrap(),
        [asha.clone(), sita.clone(), session.clone(), note]
    );
    let caseload = store.caseload().await.unwrap();
    let summaries: Vec<(RecordId, Summary)> = caseload
        .into_iter()
        .map(|(case, summary)| (case.id, summary))
        .collect();
    let worked = Summary {
        worked: true,
        next_on: Some("2026-12-01".to_owned()),
        ..Summary::default()
    };
    // A note is not work done for her.
    assert_eq!(
        summaries,
        [(sita.id, Summary::default()), (asha.id, worked)]
    );

    // A later session moves her follow-up.
    store
        .edit(session, [("next_on", json!("2026-12-08"))], NOW + 3)
        .await
        .unwrap();
    let caseload = store.caseload().await.unwrap();
    assert_eq!(caseload[1].1.next_on.as_deref(), Some("2026-12-08"));
    delete(store, &name).await;
}

#[wasm_bindgen_test]
async fn pulled_work_files_under_its_case_and_work_gone_from_her_scope_leaves_the_summary() {
    let name = fresh_name("pulled-work");
    let (store, _) = open_new(&name).await;
    let mut desk = Clock::new(DeviceId::new());
    let mut case = new_case();
    case.edit(&mut desk, NOW, "name", json!("मीना"));
    let mut service = Record::new(RecordId::new(), Kind::Service);
    service.edit(&mut desk, NOW, "case", json!(case.id.to_string()));
    service.edit(&mut desk, NOW, "service", json!("medical"));
    let epoch = Epoch::new();
    store
        .apply_pull_page(&[case.clone(), service.clone()], &[], Cursor(2), epoch)
        .await
        .unwrap();
    assert_eq!(store.work(case.id).await.unwrap(), [service.clone()]);
    assert!(store.caseload().await.unwrap()[0].1.worked);

    store
        .apply_pull_page(&[], &[service.id], Cursor(3), epoch)
        .await
        .unwrap();
    assert_eq!(store.work(case.id).await.unwrap(), []);
    assert_eq!(store.caseload().await.unwrap()[0].1, Summary::default());
    delete(store, &name).await;
}

#[wasm_bindgen_test]
async fn work_an_earlier_version_kept_among_the_cases_is_moved_on_opening() {
    let name = fresh_name("layout");
    let (store, key) = open_new(&name).await;
    let mut clock = Clock::new(DeviceId::new());
    let mut case = new_case();
    case.edit(&mut clock, NOW, "name", json!("Lata"));
    let mut session = Record::new(RecordId::new(), Kind::Session);
    session.edit(&mut clock, NOW, "case", json!(case.id.to_string()));
    session.edit(&mut clock, NOW, "next_on", json!("2026-12-03"));
    store
        .keep_as_before_layout_2(&[case.clone(), session.clone()])
        .await
        .unwrap();
    assert_eq!(store.work(case.id).await.unwrap(), []);
    store.close();

    let reopened = Store::open(&name, key).await.unwrap();
    assert_eq!(reopened.work(case.id).await.unwrap(), [session.clone()]);
    assert_eq!(reopened.record(session.id).await.unwrap(), None);
    assert_eq!(reopened.records().await.unwrap(), [case.clone(), session]);
    let caseload = reopened.caseload().await.unwrap();
    assert_eq!(caseload[0].1.next_on.as_deref(), Some("2026-12-03"));
    delete(reopened, &name).await;
}

#[wasm_bindgen_test]
async fn a_purge_takes_a_case_with_its_work_and_keeps_an_old_case_worked_lately() {
    const DAY: u64 = 24 * 60 * 60 * 1000;
    let name = fresh_name("purge-work");
    let (store, _) = open_new(&name).await;
    let (quiet, busy) = (new_case(), new_case());
    for case in [&quiet, &busy] {
        store
            .edit(case.clone(), [("name", json!("सीता"))], NOW)
            .await
            .unwrap();
    }
    for (case, when) in [(&quiet, NOW + DAY), (&busy, NOW + 9 * DAY)] {
        store
            .edit(
                Record::new(RecordId::new(), Kind::Note),
                work_of(case, &[("note", json!("मिलने आई"))]),
                when,
            )
            .await
            .unwrap();
    }
    let sent: Vec<_> = store
        .outbox()
        .await
        .unwrap()
        .into_iter()
        .map(|entry| entry.change.id)
        .collect();
    store.ack(&sent, &[], None).await.unwrap();

    assert_eq!(
        store.purge(NOW + 7 * DAY).await.unwrap(),
        2,
        "the quiet case and its note"
    );
    assert_eq!(store.record(quiet.id).await.unwrap(), None);
    assert_eq!(store.work(quiet.id).await.unwrap(), []);
    assert!(
        store.record(busy.id).await.unwrap().is_some(),
        "her case was worked lately"
    );
    assert_eq!(store.work(busy.id).await.unwrap().len(), 1);
    delete(store, &name).await;
}

#[wasm_bindgen_test]
async fn a_camp_is_kept_apart_from_the_cases_and_given_back_with_every_record() {
    let name = fresh_name("camps");
    let (store, _) = open_new(&name).await;
    let camp = store
        .edit(
            Record::new(RecordId::new(), Kind::Camp),
            [
                ("held_on", json!("2026-11-29")),
                ("place", json!("रामपुर")),
                ("women", json!(40)),
            ],
            NOW,
        )
        .await
        .unwrap();
    let case = store
        .edit(
            new_case(),
            [
                ("name", json!("Asha")),
                ("camp", json!(camp.id.to_string())),
            ],
            NOW + 1,
        )
        .await
        .unwrap();

    assert_eq!(store.camps().await.unwrap(), std::slice::from_ref(&camp));
    assert_eq!(store.cases().await.unwrap(), std::slice::from_ref(&case));
    assert_eq!(store.record(camp.id).await.unwrap(), None);
    assert_eq!(store.records().await.unwrap(), [camp.clone(), case]);

    // A camp no longer hers leaves the phone like any record.
    store
        .ack(
            &store
                .outbox()
                .await
                .unwrap()
                .into_iter()
                .map(|entry| entry.change.id)
                .collect::<Vec<_>>(),
            &[],
            None,
        )
        .await
        .unwrap();
    store
        .apply_pull_page(&[], &[camp.id], Cursor(5), Epoch::new())
        .await
        .unwrap();
    assert_eq!(store.camps().await.unwrap(), []);
    delete(store, &name).await;
}
