//! The store's tests, below the HTTP API, written once and run on both backends: SQLite in a
//! temporary folder, and PostgreSQL in a database of its own on the server
//! `SAKHI_TEST_POSTGRES_URL` names (see `databases.rs`).

use crate::databases::{Backend, TestDatabase};
use sakhi_domain::schema::{CASE, NUMBER};
use sakhi_domain::wire::{ChangeResult, Cursor, Outcome};
use sakhi_domain::{AccountId, Change, Clock, DeviceId, Kind, LockMinutes, Record, RecordId, Role};
use sakhi_server::clock::system_millis;
use sakhi_server::store::{
    self, AuditRecord, CentreId, NewAccountRow, NewCentreRow, PostgresStore, Pushed, Scope,
    SetupOutcome, SqliteStore, Store,
};
use serde_json::json;

/// What the tests read and do straight in a backend's database, below the store.
trait Direct: Store {
    async fn open_test(database: &TestDatabase) -> Self;

    /// Runs one statement written alike in both backends' SQL.
    async fn execute(&self, sql: &str) -> Result<(), sqlx::Error>;

    /// The one integer column of a query's rows.
    async fn numbers(&self, sql: &str) -> Vec<i64>;

    /// Every row of the audit log: action, outcome, records and detail.
    async fn audit_rows(&self) -> Vec<(String, String, String, Option<String>)>;

    /// Makes every insert into the audit log fail, as a full disk or a damaged table would.
    async fn break_the_audit_log(&self);
}

const AUDIT_ROWS: &str = "SELECT action, outcome, records, detail FROM audit ORDER BY id";

impl Direct for SqliteStore {
    async fn open_test(database: &TestDatabase) -> Self {
        SqliteStore::open(database.url(), system_millis())
            .await
            .unwrap()
    }

    async fn execute(&self, sql: &str) -> Result<(), sqlx::Error> {
        sqlx::query(sql).execute(self.pool()).await.map(drop)
    }

    async fn numbers(&self, sql: &str) -> Vec<i64> {
        sqlx::query_scalar(sql)
            .fetch_all(self.pool())
            .await
            .unwrap()
    }

    async fn audit_rows(&self) -> Vec<(String, String, String, Option<String>)> {
        sqlx::query_as(AUDIT_ROWS)
            .fetch_all(self.pool())
            .await
            .unwrap()
    }

    async fn break_the_audit_log(&self) {
        self.execute(
            "CREATE TRIGGER audit_broken BEFORE INSERT ON audit
             BEGIN SELECT RAISE(ABORT, 'the audit log is broken'); END",
        )
        .await
        .unwrap();
    }
}

impl Direct for PostgresStore {
    async fn open_test(database: &TestDatabase) -> Self {
        PostgresStore::open(database.url(), system_millis())
            .await
            .unwrap()
    }

    async fn execute(&self, sql: &str) -> Result<(), sqlx::Error> {
        sqlx::query(sql).execute(self.pool()).await.map(drop)
    }

    async fn numbers(&self, sql: &str) -> Vec<i64> {
        sqlx::query_scalar(sql)
            .fetch_all(self.pool())
            .await
            .unwrap()
    }

    async fn audit_rows(&self) -> Vec<(String, String, String, Option<String>)> {
        sqlx::query_as(AUDIT_ROWS)
            .fetch_all(self.pool())
            .await
            .unwrap()
    }

    async fn break_the_audit_log(&self) {
        sqlx::raw_sql(
            "CREATE FUNCTION audit_broken() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN RAISE EXCEPTION 'the audit log is broken'; END $$;
             CREATE TRIGGER audit_broken BEFORE INSERT ON audit
             FOR EACH ROW EXECUTE FUNCTION audit_broken();",
        )
        .execute(self.pool())
        .await
        .unwrap();
    }
}

/// Makes each named `async fn(store: impl Direct)` a test per backend: `name::sqlite` and
/// `name::postgres`, each on a database of its own. (The API's tests have `on_each_backend!`,
/// which hands a test the backend rather than a store.)
macro_rules! on_each_store {
    ($($test:ident),+ $(,)?) => {$(
        mod $test {
            use super::*;

            #[tokio::test]
            async fn sqlite() {
                let database = TestDatabase::new(Backend::Sqlite).await;
                super::$test(SqliteStore::open_test(&database).await).await;
            }

            #[tokio::test]
            async fn postgres() {
                let database = TestDatabase::new(Backend::Postgres).await;
                super::$test(PostgresStore::open_test(&database).await).await;
            }
        }
    )+};
}

on_each_store!(
    a_new_database_has_an_epoch_and_waits_for_setup,
    the_audit_log_refuses_updates_and_deletes,
    a_centre_locks_after_five_minutes_until_told_otherwise_and_never_outside_one_to_sixty,
    a_centre_has_no_purge_limit_until_told_one_and_never_outside_one_to_a_year,
    a_batch_editing_one_record_twice_stores_it_once_at_the_last_sequence_number,
    a_change_repeated_within_one_batch_is_applied_once,
    a_record_of_another_centre_is_neither_pulled_nor_edited_and_the_refusal_is_audited,
    an_outreach_worker_reaches_only_records_she_made_or_was_assigned,
    a_push_commits_with_its_audit_row_naming_only_the_records_it_changed,
    a_push_whose_audit_row_cannot_be_written_changes_nothing,
    pushes_arriving_together_are_each_kept_or_refused_alone,
    a_pull_answers_only_once_its_row_is_written_and_an_empty_one_writes_none,
    a_cursor_beyond_any_sequence_number_returns_an_empty_page,
    two_centres_making_one_record_at_once_end_with_one_owner_and_one_refusal,
    two_setups_with_one_code_at_once_set_up_one_centre,
    a_push_says_caught_up_only_when_nothing_else_in_the_pushers_scope_changed_since_her_cursor,
    a_cases_changes_are_its_own_and_its_work_records_of_its_centre_only,
);

/// A refused login names the database, never the password, though the server's own message
/// about it is part of the error.
#[tokio::test]
async fn a_postgres_login_refused_is_reported_without_the_password() {
    let database = TestDatabase::new(Backend::Postgres).await;
    let url = database.url();
    let (scheme, rest) = url.split_once("://").unwrap();
    let (user, host) = rest.split_once('@').unwrap();
    let user = user.split(':').next().unwrap();
    let wrong = format!("{scheme}://{user}:wrong-secret-pw@{host}");

    let error = store::open(&wrong, system_millis()).await.unwrap_err();

    let chain = format!("{error}: {:?}", std::error::Error::source(&error));
    assert!(chain.contains(&format!("{user}:***@{host}")), "{chain}");
    assert!(chain.contains("password authentication failed"), "{chain}");
    assert!(!chain.contains("wrong-secret-pw"), "{chain}");
}

/// A centre made straight in the database, and a counsellor's scope over it.
async fn a_centre(store: &impl Direct, code: &str) -> Scope {
    let centre = CentreId::new();
    store
        .execute(&format!(
            "INSERT INTO centres (id, code, name, seq, created_at, set_up_at)
             VALUES ('{centre}', '{code}', 'C', 0, 0, 0)"
        ))
        .await
        .unwrap();
    Scope {
        centre,
        account: AccountId::new(),
        only_own: false,
    }
}

/// The start of an audit row, for the store to complete.
fn row(action: &'static str) -> AuditRecord {
    AuditRecord {
        at: system_millis(),
        action,
        outcome: "ok".to_owned(),
        ..AuditRecord::default()
    }
}

fn applied(pushed: Pushed) -> Vec<ChangeResult> {
    match pushed {
        Pushed::Applied { results, .. } => results,
        refused => panic!("expected the push applied, got {refused:?}"),
    }
}

/// The cursor a push answered as caught up, if it did.
fn caught_up(pushed: Pushed) -> Option<Cursor> {
    match pushed {
        Pushed::Applied { caught_up, .. } => caught_up,
        refused => panic!("expected the push applied, got {refused:?}"),
    }
}

fn accepted(results: &[ChangeResult]) -> usize {
    results
        .iter()
        .filter(|r| r.outcome == Outcome::Accepted)
        .count()
}

async fn a_new_database_has_an_epoch_and_waits_for_setup(store: impl Direct) {
    assert_eq!(store.numbers("SELECT count(*) FROM centres").await, [0]);
    assert_eq!(store.numbers("SELECT count(*) FROM server_meta").await, [1]);
    assert!(!store.is_set_up().await.unwrap());
}

async fn the_audit_log_refuses_updates_and_deletes(store: impl Direct) {
    store
        .audit(AuditRecord {
            at: system_millis(),
            action: "login",
            outcome: "ok".to_owned(),
            ..AuditRecord::default()
        })
        .await
        .unwrap();
    for sql in ["UPDATE audit SET outcome = 'x'", "DELETE FROM audit"] {
        let error = store.execute(sql).await.unwrap_err();
        assert!(error.to_string().contains("append-only"), "{error}");
    }
}

async fn a_centre_locks_after_five_minutes_until_told_otherwise_and_never_outside_one_to_sixty(
    store: impl Direct,
) {
    a_centre(&store, "DHR").await;
    let minutes = store
        .numbers("SELECT CAST(lock_minutes AS BIGINT) FROM centres")
        .await;
    assert_eq!(minutes, [i64::from(LockMinutes::DEFAULT.get())]);
    for bad in [0, 61] {
        let error = store
            .execute(&format!("UPDATE centres SET lock_minutes = {bad}"))
            .await
            .unwrap_err();
        let message = error.to_string().to_lowercase();
        assert!(message.contains("check"), "{bad}: {error}");
    }
}

async fn a_centre_has_no_purge_limit_until_told_one_and_never_outside_one_to_a_year(
    store: impl Direct,
) {
    a_centre(&store, "DHR").await;
    let unset = store
        .numbers("SELECT count(*) FROM centres WHERE purge_days IS NULL")
        .await;
    assert_eq!(unset, [1]);
    for bad in [0, 366] {
        let error = store
            .execute(&format!("UPDATE centres SET purge_days = {bad}"))
            .await
            .unwrap_err();
        let message = error.to_string().to_lowercase();
        assert!(message.contains("check"), "{bad}: {error}");
    }
    for good in ["1", "365", "NULL"] {
        let set = store
            .execute(&format!("UPDATE centres SET purge_days = {good}"))
            .await;
        assert!(set.is_ok(), "{good}: {set:?}");
    }
}

async fn a_batch_editing_one_record_twice_stores_it_once_at_the_last_sequence_number(
    store: impl Direct,
) {
    let centre = a_centre(&store, "DHR").await;
    let mut clock = Clock::new(DeviceId::new());
    let mut case = Record::new(RecordId::new(), Kind::Case);
    let changes = [
        case.edit(&mut clock, 1, "name", json!("सीता")),
        case.edit(&mut clock, 2, "name", json!("सीता देवी")),
        case.edit(&mut clock, 3, "age", json!(34)),
    ];

    let results = applied(
        store
            .push(
                centre,
                clock.device(),
                None,
                &changes,
                row("push"),
                system_millis(),
            )
            .await
            .unwrap(),
    );
    assert_eq!(accepted(&results), 3);

    let page = store
        .pull(centre, Cursor(0), 10, row("pull"))
        .await
        .unwrap();
    assert_eq!(page.records[0].without(NUMBER), case);
    // The centre's first number of the year, given at the case's first push.
    let number = page.records[0].text(NUMBER).unwrap_or_default();
    assert!(
        number.starts_with("DHR-") && number.ends_with("-0001"),
        "{number}"
    );
    assert_eq!(page.cursor, Cursor(3));
    assert!(!page.more);
}

async fn a_change_repeated_within_one_batch_is_applied_once(store: impl Direct) {
    let centre = a_centre(&store, "DHR").await;
    let mut clock = Clock::new(DeviceId::new());
    let mut case = Record::new(RecordId::new(), Kind::Case);
    let change = case.edit(&mut clock, 1, "village", json!("Rampur"));
    let mut altered = change.clone();
    altered.value = json!("Sitapur");

    let results = applied(
        store
            .push(
                centre,
                clock.device(),
                None,
                &[change.clone(), change, altered],
                row("push"),
                system_millis(),
            )
            .await
            .unwrap(),
    );

    assert_eq!(accepted(&results), 2);
    assert!(matches!(
        &results[2].outcome,
        Outcome::Rejected { code, .. } if code == "duplicate_id"
    ));
    assert_eq!(store.numbers("SELECT seq FROM centres").await, [1]);
}

async fn a_record_of_another_centre_is_neither_pulled_nor_edited_and_the_refusal_is_audited(
    store: impl Direct,
) {
    let ours = a_centre(&store, "AA").await;
    let theirs = a_centre(&store, "BB").await;
    let mut clock = Clock::new(DeviceId::new());
    let mut case = Record::new(RecordId::new(), Kind::Case);
    let theirs_change = case.edit(&mut clock, 1, "name", json!("Gita"));
    applied(
        store
            .push(
                theirs,
                clock.device(),
                None,
                &[theirs_change],
                row("push"),
                system_millis(),
            )
            .await
            .unwrap(),
    );

    let ours_change = case.edit(&mut clock, 2, "name", json!("Sita"));
    let fresh = Record::new(RecordId::new(), Kind::Case).edit(&mut clock, 3, "age", json!(3));
    let pushed = store
        .push(
            ours,
            clock.device(),
            None,
            &[fresh, ours_change],
            row("push"),
            system_millis(),
        )
        .await
        .unwrap();

    assert_eq!(
        pushed,
        Pushed::Refused {
            records: vec![case.id],
            other_centre: true
        }
    );
    // Only the row saying so was written.
    let rows = store.audit_rows().await;
    assert_eq!(
        rows[1],
        (
            "refused".to_owned(),
            "other_centre".to_owned(),
            format!("[\"{}\"]", case.id),
            Some("push of 2 changes, none applied".to_owned())
        )
    );
    let seq = store.numbers("SELECT seq FROM centres ORDER BY code").await;
    assert_eq!(seq, [0, 1]);
    assert!(
        store
            .pull(ours, Cursor(0), 10, row("pull"))
            .await
            .unwrap()
            .records
            .is_empty()
    );
    assert_eq!(
        store
            .pull(theirs, Cursor(0), 10, row("pull"))
            .await
            .unwrap()
            .records
            .len(),
        1
    );
}

async fn an_outreach_worker_reaches_only_records_she_made_or_was_assigned(store: impl Direct) {
    let counsellor = a_centre(&store, "AA").await;
    let worker = Scope {
        account: AccountId::new(),
        only_own: true,
        ..counsellor
    };
    let mut clock = Clock::new(DeviceId::new());
    let mut desk_case = Record::new(RecordId::new(), Kind::Case);
    let mut assigned = Record::new(RecordId::new(), Kind::Case);
    let mut own = Record::new(RecordId::new(), Kind::Case);
    let desk = desk_case.edit(&mut clock, 1, "name", json!("A"));
    let assign = assigned.edit(
        &mut clock,
        2,
        "assigned_to",
        json!(worker.account.to_string()),
    );
    applied(
        store
            .push(
                counsellor,
                clock.device(),
                None,
                &[desk, assign],
                row("push"),
                system_millis(),
            )
            .await
            .unwrap(),
    );
    let mine = own.edit(&mut clock, 3, "name", json!("B"));
    applied(
        store
            .push(
                worker,
                clock.device(),
                None,
                &[mine],
                row("push"),
                system_millis(),
            )
            .await
            .unwrap(),
    );

    let seen: Vec<_> = store
        .pull(worker, Cursor(0), 10, row("pull"))
        .await
        .unwrap()
        .records
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(seen, [assigned.id, own.id]);
    assert_eq!(
        store
            .pull(counsellor, Cursor(0), 10, row("pull"))
            .await
            .unwrap()
            .records
            .len(),
        3
    );

    // Her edit of a case not hers is refused alone; the rest of her push goes through.
    let edit = desk_case.edit(&mut clock, 4, "name", json!("C"));
    let new = Record::new(RecordId::new(), Kind::Case).edit(&mut clock, 4, "name", json!("E"));
    let results = applied(
        store
            .push(
                worker,
                clock.device(),
                None,
                &[edit, new],
                row("push"),
                system_millis(),
            )
            .await
            .unwrap(),
    );
    assert!(matches!(
        &results[0].outcome,
        Outcome::Rejected { code, .. } if code == "out_of_scope"
    ));
    assert_eq!(results[1].outcome, Outcome::Accepted);
    let edit = assigned.edit(&mut clock, 5, "name", json!("D"));
    applied(
        store
            .push(
                worker,
                clock.device(),
                None,
                &[edit],
                row("push"),
                system_millis(),
            )
            .await
            .unwrap(),
    );
}

async fn a_push_commits_with_its_audit_row_naming_only_the_records_it_changed(store: impl Direct) {
    let centre = a_centre(&store, "DHR").await;
    let mut clock = Clock::new(DeviceId::new());
    let mut first = Record::new(RecordId::new(), Kind::Case);
    let mut second = Record::new(RecordId::new(), Kind::Case);
    let earlier = first.edit(&mut clock, 1, "name", json!("A"));
    applied(
        store
            .push(
                centre,
                clock.device(),
                None,
                std::slice::from_ref(&earlier),
                row("push"),
                system_millis(),
            )
            .await
            .unwrap(),
    );
    // The earlier change again (acknowledged, not applied), and a new one.
    let new = second.edit(&mut clock, 2, "name", json!("B"));
    applied(
        store
            .push(
                centre,
                clock.device(),
                None,
                &[earlier, new],
                row("push"),
                system_millis(),
            )
            .await
            .unwrap(),
    );

    let rows = store.audit_rows().await;
    let expected = |id: RecordId| format!("[\"{id}\"]");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1].0, "push");
    assert_eq!(rows[1].2, expected(second.id));
    assert_eq!(rows[1].3.as_deref(), Some("accepted=2 rejected=0"));
}

async fn a_push_whose_audit_row_cannot_be_written_changes_nothing(store: impl Direct) {
    let centre = a_centre(&store, "DHR").await;
    store.break_the_audit_log().await;
    let mut clock = Clock::new(DeviceId::new());
    let change = Record::new(RecordId::new(), Kind::Case).edit(&mut clock, 1, "age", json!(3));

    let pushed = store
        .push(
            centre,
            clock.device(),
            None,
            &[change],
            row("push"),
            system_millis(),
        )
        .await;

    assert!(pushed.is_err(), "{pushed:?}");
    let counts = store
        .numbers(
            "SELECT count(*) FROM records UNION ALL SELECT count(*) FROM changes
             UNION ALL SELECT seq FROM centres",
        )
        .await;
    assert_eq!(
        counts,
        [0, 0, 0],
        "no record, no change, the counter unmoved"
    );
}

/// Pushes that arrive at once may be written in one transaction (SQLite's writer commits them
/// together): one that fails (its centre is unknown) changes nothing, and every other is kept
/// with its audit row, as if each had been alone.
async fn pushes_arriving_together_are_each_kept_or_refused_alone(store: impl Direct) {
    let centre = a_centre(&store, "DHR").await;
    let nowhere = Scope {
        centre: CentreId::new(),
        ..centre
    };
    let pushes = (0..12).map(|n| {
        let store = store.clone();
        async move {
            let scope = if n == 5 { nowhere } else { centre };
            let mut clock = Clock::new(DeviceId::new());
            let change =
                Record::new(RecordId::new(), Kind::Case).edit(&mut clock, 1, "age", json!(n));
            store
                .push(
                    scope,
                    clock.device(),
                    None,
                    &[change],
                    row("push"),
                    system_millis(),
                )
                .await
        }
    });

    let pushed = futures::future::join_all(pushes).await;

    for (n, each) in pushed.into_iter().enumerate() {
        if n == 5 {
            assert!(each.is_err(), "{each:?}");
        } else {
            assert_eq!(accepted(&applied(each.unwrap())), 1, "push {n}");
        }
    }
    let counts = store
        .numbers(
            "SELECT count(*) FROM records UNION ALL SELECT count(*) FROM changes
             UNION ALL SELECT seq FROM centres UNION ALL SELECT count(*) FROM audit",
        )
        .await;
    assert_eq!(
        counts,
        [11, 11, 11, 11],
        "records, changes, counter, audit rows"
    );
}

async fn a_pull_answers_only_once_its_row_is_written_and_an_empty_one_writes_none(
    store: impl Direct,
) {
    let centre = a_centre(&store, "DHR").await;
    let empty = store
        .pull(centre, Cursor(0), 10, row("pull"))
        .await
        .unwrap();
    assert!(empty.records.is_empty());
    assert!(store.audit_rows().await.is_empty());

    let mut clock = Clock::new(DeviceId::new());
    let mut case = Record::new(RecordId::new(), Kind::Case);
    let change = case.edit(&mut clock, 1, "name", json!("A"));
    applied(
        store
            .push(
                centre,
                clock.device(),
                None,
                &[change],
                row("push"),
                system_millis(),
            )
            .await
            .unwrap(),
    );
    store
        .pull(centre, Cursor(0), 10, row("pull"))
        .await
        .unwrap();
    let rows = store.audit_rows().await;
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (rows[1].0.as_str(), rows[1].2.clone()),
        ("pull", format!("[\"{}\"]", case.id))
    );

    store.break_the_audit_log().await;
    assert!(
        store
            .pull(centre, Cursor(0), 10, row("pull"))
            .await
            .is_err()
    );
    // Nothing to send, nothing to write.
    assert!(store.pull(centre, Cursor(1), 10, row("pull")).await.is_ok());
}

async fn a_cursor_beyond_any_sequence_number_returns_an_empty_page(store: impl Direct) {
    let centre = a_centre(&store, "DHR").await;
    let page = store
        .pull(centre, Cursor(u64::MAX), 10, row("pull"))
        .await
        .unwrap();
    assert_eq!(page.cursor, Cursor(u64::MAX));
    assert!(page.records.is_empty() && !page.more);
}

/// Two centres' pushes make a record under the same id at the same moment (ids are made on
/// devices, so only a forged or broken one does this). On PostgreSQL the second insert finds the
/// first's key taken and the push runs again; either way one centre has the record and the
/// other's push is refused whole, never failed.
async fn two_centres_making_one_record_at_once_end_with_one_owner_and_one_refusal(
    store: impl Direct,
) {
    let one = a_centre(&store, "AA").await;
    let other = a_centre(&store, "BB").await;
    for round in 0..10 {
        let mut clock = Clock::new(DeviceId::new());
        let id = RecordId::new();
        let first = Record::new(id, Kind::Case).edit(&mut clock, 1, "age", json!(round));
        let second = Record::new(id, Kind::Case).edit(&mut clock, 2, "age", json!(round));
        let device = clock.device();

        let (a, b) = tokio::join!(
            store.push(
                one,
                device,
                None,
                std::slice::from_ref(&first),
                row("push"),
                system_millis()
            ),
            store.push(
                other,
                device,
                None,
                std::slice::from_ref(&second),
                row("push"),
                system_millis()
            ),
        );

        let outcomes = [a.unwrap(), b.unwrap()];
        let applied = outcomes
            .iter()
            .filter(|pushed| matches!(pushed, Pushed::Applied { .. }))
            .count();
        let refused = outcomes
            .iter()
            .filter(|pushed| {
                matches!(pushed, Pushed::Refused { records, other_centre: true } if records == &[id])
            })
            .count();
        assert_eq!((applied, refused), (1, 1), "round {round}: {outcomes:?}");
    }
    let seqs = store.numbers("SELECT seq FROM centres ORDER BY code").await;
    assert_eq!(seqs.iter().sum::<i64>(), 10, "one change applied per round");
}

/// Two people open the first setup link at once: one centre is set up, the other is told setup
/// is done. (PostgreSQL's instances take turns on an advisory lock for this.)
async fn two_setups_with_one_code_at_once_set_up_one_centre(store: impl Direct) {
    store
        .replace_first_setup_code("code-hash", 1)
        .await
        .unwrap();
    let centre = |code: &str| NewCentreRow {
        code: code.to_owned(),
        name: format!("One Stop Centre {code}"),
        district: String::new(),
        state: String::new(),
    };
    let admin = |username: &str| NewAccountRow {
        username: username.to_owned(),
        display_name: "सीता".to_owned(),
        role: Role::Administrator,
        password_hash: "not a real hash".to_owned(),
    };

    let (a, b) = tokio::join!(
        store.set_up("code-hash", centre("AA"), admin("admin.aa"), 1),
        store.set_up("code-hash", centre("BB"), admin("admin.bb"), 1),
    );

    let outcomes = [a.unwrap(), b.unwrap()];
    let done = outcomes
        .iter()
        .filter(|outcome| matches!(outcome, SetupOutcome::Done(_)))
        .count();
    let refused = outcomes
        .iter()
        .filter(|outcome| matches!(outcome, SetupOutcome::AlreadySetUp))
        .count();
    assert_eq!((done, refused), (1, 1), "{outcomes:?}");
    assert_eq!(store.numbers("SELECT count(*) FROM centres").await, [1]);
}

async fn a_push_says_caught_up_only_when_nothing_else_in_the_pushers_scope_changed_since_her_cursor(
    store: impl Direct,
) {
    let counsellor = a_centre(&store, "AA").await;
    let worker = Scope {
        account: AccountId::new(),
        only_own: true,
        ..counsellor
    };
    let device = DeviceId::new();
    let push = async |scope: Scope, seen: Option<u64>, change: &Change| {
        let pushed = store
            .push(
                scope,
                device,
                seen.map(Cursor),
                std::slice::from_ref(change),
                row("push"),
                system_millis(),
            )
            .await
            .unwrap();
        caught_up(pushed)
    };
    let mut clock = Clock::new(device);
    let mut hers = Record::new(RecordId::new(), Kind::Case);
    let mut desk = Record::new(RecordId::new(), Kind::Case);
    let to_her = json!(worker.account.to_string());

    // Pushes with no cursor get no answer to it.
    let assign = hers.edit(&mut clock, 1, "assigned_to", to_her);
    assert_eq!(push(counsellor, None, &assign).await, None);
    // Having seen everything through 1, her push leaves her at 2.
    let edit = hers.edit(&mut clock, 2, "name", json!("सीता"));
    assert_eq!(push(worker, Some(1), &edit).await, Some(Cursor(2)));
    // The counsellor, who had seen nothing, has a case outside the worker's scope to pull.
    let other = desk.edit(&mut clock, 3, "name", json!("Gita"));
    assert_eq!(push(counsellor, Some(0), &other).await, None);
    // That case is nothing to her.
    let edit = hers.edit(&mut clock, 4, "village", json!("Rampur"));
    assert_eq!(push(worker, Some(2), &edit).await, Some(Cursor(4)));
    // The counsellor edits her case: her next push must not skip it.
    let theirs = hers.edit(&mut clock, 5, "phone", json!("9876543210"));
    assert_eq!(push(counsellor, Some(4), &theirs).await, Some(Cursor(5)));
    let edit = hers.edit(&mut clock, 6, "age", json!(31));
    assert_eq!(push(worker, Some(4), &edit).await, None);
    // A push that changes nothing answers the counter as it stands; a cursor past it, nothing.
    assert_eq!(push(worker, Some(6), &edit).await, Some(Cursor(6)));
    assert_eq!(push(worker, Some(7), &edit).await, None);
    // Her case assigned away is a scope exit for her after her cursor: not caught up.
    let away = hers.edit(
        &mut clock,
        7,
        "assigned_to",
        json!(AccountId::new().to_string()),
    );
    assert_eq!(push(counsellor, Some(6), &away).await, Some(Cursor(7)));
    let own = Record::new(RecordId::new(), Kind::Case).edit(&mut clock, 8, "name", json!("B"));
    assert_eq!(push(worker, Some(6), &own).await, None);
    // Passing a case on takes it out of her own scope: her pull must say so.
    let to_her = json!(worker.account.to_string());
    let given = desk.edit(&mut clock, 9, "assigned_to", to_her);
    assert_eq!(push(counsellor, Some(8), &given).await, Some(Cursor(9)));
    let passed_on = desk.edit(
        &mut clock,
        10,
        "assigned_to",
        json!(AccountId::new().to_string()),
    );
    assert_eq!(push(worker, Some(9), &passed_on).await, None);
}

/// A case's changes: its own and those of the records whose `case` field names it, however the
/// id is spelt, with their numbers and pushing device; never those of a record naming another
/// case, nor of one in another centre naming it. Another centre's case, a record that is not a
/// case and an unknown id have none.
async fn a_cases_changes_are_its_own_and_its_work_records_of_its_centre_only(store: impl Direct) {
    let ours = a_centre(&store, "AA").await;
    let theirs = a_centre(&store, "BB").await;
    let mut clock = Clock::new(DeviceId::new());
    let mut case = Record::new(RecordId::new(), Kind::Case);
    let mut other_case = Record::new(RecordId::new(), Kind::Case);
    let work = |kind: Kind, case: String, clock: &mut Clock| {
        let mut record = Record::new(RecordId::new(), kind);
        let change = record.edit(clock, 5, CASE, json!(case));
        (record, change)
    };
    let (service, names_it) = work(Kind::Service, case.id.to_string(), &mut clock);
    let (note, in_capitals) = work(Kind::Note, case.id.to_string().to_uppercase(), &mut clock);
    let (_, names_another) = work(Kind::Session, other_case.id.to_string(), &mut clock);
    let sent = [
        case.edit(&mut clock, 1, "name", json!("Sita")),
        names_it,
        other_case.edit(&mut clock, 2, "name", json!("Gita")),
        in_capitals,
        names_another,
        case.edit(&mut clock, 3, "age", json!(30)),
    ];
    let results = applied(
        store
            .push(
                ours,
                clock.device(),
                None,
                &sent,
                row("push"),
                system_millis(),
            )
            .await
            .unwrap(),
    );
    assert_eq!(accepted(&results), sent.len());
    let (_, theirs_naming_it) = work(Kind::Service, case.id.to_string(), &mut clock);
    applied(
        store
            .push(
                theirs,
                clock.device(),
                None,
                &[theirs_naming_it],
                row("push"),
                system_millis(),
            )
            .await
            .unwrap(),
    );

    let mut kept = store
        .case_changes(ours.centre, case.id)
        .await
        .unwrap()
        .expect("the case's changes");
    kept.sort_by_key(|kept| kept.seq);
    let seen: Vec<_> = kept
        .iter()
        .map(|kept| (kept.seq, kept.device, kept.change.clone()))
        .collect();
    let expected: Vec<_> = [(1, 0), (2, 1), (4, 3), (6, 5)]
        .into_iter()
        .map(|(seq, at)| (seq, clock.device(), sent[at].clone()))
        .collect();
    assert_eq!(seen, expected);
    assert!(kept.iter().all(|kept| kept.received_at > 0));
    assert_eq!(
        (sent[1].record, sent[3].record),
        (service.id, note.id),
        "the service and the note"
    );
    for (centre, id) in [
        (theirs.centre, case.id),
        (ours.centre, service.id),
        (ours.centre, RecordId::new()),
    ] {
        assert_eq!(store.case_changes(centre, id).await.unwrap(), None, "{id}");
    }
}
