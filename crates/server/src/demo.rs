//! `sakhi-server demo`: Sakhi on a throwaway database, filled with clearly fictional cases and
//! camps in Hindi and English, with demo accounts, so that a newcomer sees every screen alive.
//!
//! It never opens the database the settings name: it makes a new SQLite file in a new folder of
//! the system's temporary directory, which nothing else uses, and says where.

use crate::error::ServeError;
use crate::secrets;
use crate::store::{
    AccountStore, AuditRecord, NewAccountRow, NewCentreRow, Pushed, Scope, SetupOutcome,
    SqliteStore, SyncStore,
};
use sakhi_domain::figures::{INDIA, india_date, india_day};
use sakhi_domain::{Change, Clock, DeviceId, Kind, Record, RecordId, Role};
use serde_json::{Value, json};
use std::path::PathBuf;

/// The password of every demo account: a demo holds nothing worth guarding, and says so.
pub const DEMO_PASSWORD: &str = "sakhi-demo-2026";

/// The demo's accounts: username, display name, role.
pub const DEMO_ACCOUNTS: &[(&str, &str, Role)] = &[
    ("demo.admin", "Anjali Rao (demo)", Role::Administrator),
    ("demo.counsellor", "कविता जोशी (डेमो)", Role::Counsellor),
    ("demo.outreach", "Rekha Meena (demo)", Role::OutreachWorker),
];

/// A demo ready to serve: its database and what to tell the newcomer.
pub struct Demo {
    pub database_url: String,
    pub folder: PathBuf,
    /// Lines for the console: where the data is, and the accounts to log in with.
    pub lines: Vec<String>,
}

/// Makes the demo's database in a new folder and fills it, `now` being the time in milliseconds.
pub async fn prepare(now: u64) -> Result<Demo, ServeError> {
    let folder = std::env::temp_dir().join(format!("sakhi-demo-{}", RecordId::new()));
    // `create_dir`, not `create_dir_all`: a folder already there is not the demo's to use.
    std::fs::create_dir(&folder).map_err(|source| ServeError::Demo(source.to_string()))?;
    let database_url = format!("sqlite://{}", folder.join("demo.db").display());
    let store = SqliteStore::open(&database_url, now).await?;
    let filled = fill(&store, now).await;
    store.close().await;
    filled?;
    let mut lines = vec![
        format!(
            "This is a demo: every case and camp in it is made up. Its database is {}, and is \
             never your real one.",
            folder.join("demo.db").display()
        ),
        format!("Log in with any of these accounts; the password of each is {DEMO_PASSWORD}"),
    ];
    for (username, name, role) in DEMO_ACCOUNTS {
        lines.push(format!("  {username:<16} {name} ({})", role.as_str()));
    }
    Ok(Demo {
        database_url,
        folder,
        lines,
    })
}

async fn fill(store: &SqliteStore, now: u64) -> Result<(), ServeError> {
    let code = secrets::new_setup_code();
    let code_hash = secrets::sha256_hex(&secrets::normalise_setup_code(&code));
    store.replace_first_setup_code(&code_hash, now).await?;
    let password_hash = secrets::hash_password(DEMO_PASSWORD.to_owned())
        .await
        .map_err(|_| ServeError::Demo("could not hash the demo password".to_owned()))?;
    let account = |(username, name, role): (&str, &str, Role)| NewAccountRow {
        username: username.to_owned(),
        display_name: name.to_owned(),
        role,
        password_hash: password_hash.clone(),
    };
    let centre = NewCentreRow {
        code: "DEMO".to_owned(),
        name: "Sakhi demo centre (fictional)".to_owned(),
        district: "Dharampur".to_owned(),
        state: "Demo".to_owned(),
    };
    let admin = match store
        .set_up(&code_hash, centre, account(DEMO_ACCOUNTS[0]), now)
        .await?
    {
        SetupOutcome::Done(admin) => admin,
        _ => {
            return Err(ServeError::Demo(
                "the demo centre could not be set up".to_owned(),
            ));
        }
    };
    let centre = admin.centre.id;
    let mut counsellor = None;
    for &demo in &DEMO_ACCOUNTS[1..] {
        let made = store
            .create_account(centre, account(demo), now)
            .await
            .map_err(|error| ServeError::Demo(error.to_string()))?;
        if made.role == Role::Counsellor {
            counsellor = Some(made.id);
        }
    }
    let counsellor = counsellor.expect("the demo has a counsellor");
    let device = DeviceId::new();
    let changes = records(device, now);
    let scope = Scope {
        centre,
        account: counsellor,
        only_own: false,
    };
    let audit = AuditRecord {
        at: now,
        centre: Some(centre),
        account: Some(counsellor),
        device: Some(device),
        action: "push",
        outcome: "ok".to_owned(),
        detail: Some("the demo's fictional records".to_owned()),
        ..AuditRecord::default()
    };
    match store
        .push(scope, device, None, &changes, audit, now)
        .await?
    {
        Pushed::Applied { .. } => Ok(()),
        _ => Err(ServeError::Demo(
            "the demo's records were refused".to_owned(),
        )),
    }
}

const DAY: u64 = 86_400_000;

const NAMES: &[&str] = &[
    "सीता देवी (काल्पनिक)",
    "Geeta Kumari (fictional)",
    "राधा यादव (काल्पनिक)",
    "Sunita Bai (fictional)",
    "पूजा शर्मा (काल्पनिक)",
    "Meena Devi (fictional)",
    "अनीता कुमारी (काल्पनिक)",
    "Lakshmi Bai (fictional)",
    "सरिता मीणा (काल्पनिक)",
    "Asha Verma (fictional)",
];
const VILLAGES: &[&str] = &["रामपुर", "Sonpur", "बिशनपुर", "Khedi", "चंदनपुर", "Malpura"];
const VIOLENCE: &[&[&str]] = &[
    &["domestic_violence", "dowry_harassment"],
    &["domestic_violence"],
    &["in_law_harassment", "emotional"],
    &["physical"],
    &["child_marriage"],
    &["economic", "domestic_violence"],
    &["cyber_crime"],
];
const SOURCES: &[&str] = &[
    "herself",
    "helpline_181",
    "police",
    "through_someone",
    "awareness_camp",
];

/// The day in India `millis` falls on.
fn day(millis: u64) -> Value {
    json!(india_day(millis))
}

/// The demo's records, as the changes of one device: three camps, and forty cases over the last
/// six months, worked as a centre works them.
fn records(device: DeviceId, now: u64) -> Vec<Change> {
    let mut clock = Clock::new(device);
    let mut changes = Vec::new();
    let mut write = |kind: Kind, made: u64, fields: Vec<(&str, Value)>| {
        let mut record = Record::new(RecordId::made_at(made), kind);
        for (field, value) in fields {
            changes.push(record.edit(&mut clock, made, field, value));
        }
        record.id.to_string()
    };
    // Noon in India, `days_ago` days before today.
    let today_noon = india_date(now)
        .and_hms_opt(12, 0, 0)
        .and_then(|noon| noon.and_local_timezone(INDIA).single())
        .map_or(now, |noon| {
            u64::try_from(noon.timestamp_millis()).unwrap_or(now)
        });
    // Never later than now: noon today may be hours away yet.
    let at = |days_ago: u64| (today_noon - days_ago * DAY).min(now);
    let camps: Vec<(String, u64)> = [
        (150, "Government Girls School, Sonpur"),
        (60, "पंचायत भवन, रामपुर"),
        (0, "Anganwadi centre, Khedi"),
    ]
    .into_iter()
    .map(|(days_ago, place)| {
        let held = at(days_ago);
        let id = write(
            Kind::Camp,
            held,
            vec![
                ("held_on", day(held)),
                ("place", json!(place)),
                ("block", json!("Sadar")),
                ("district", json!("Dharampur")),
                ("run_by", json!("Rekha Meena (demo)")),
                ("women", json!(30 + days_ago % 17)),
                ("girls", json!(12 + days_ago % 9)),
                ("men", json!(days_ago % 7)),
                ("boys", json!(days_ago % 5)),
                (
                    "topics",
                    json!(["helplines", "domestic_violence_act", "pocso"]),
                ),
            ],
        );
        (id, held)
    })
    .collect();
    for n in 0..40_u64 {
        let days_ago = (n * 37) % 180;
        let made = at(days_ago);
        let source = SOURCES[(n % SOURCES.len() as u64) as usize];
        let mut fields = vec![
            ("name", json!(NAMES[(n % NAMES.len() as u64) as usize])),
            ("age", json!(15 + (n * 7) % 45)),
            (
                "phone",
                json!(format!("9{:04}{:05}", 1000 + n * 13, 20_000 + n * 71)),
            ),
            (
                "village",
                json!(VILLAGES[(n % VILLAGES.len() as u64) as usize]),
            ),
            ("district", json!("Dharampur")),
            ("source", json!(source)),
            (
                "violence",
                json!(VIOLENCE[(n % VIOLENCE.len() as u64) as usize]),
            ),
            ("safe_to_call", json!(if n % 3 == 0 { "no" } else { "yes" })),
            (
                "description",
                json!(if n % 2 == 0 {
                    "काल्पनिक कहानी: पति और ससुराल वाले दहेज के लिए परेशान करते हैं।"
                } else {
                    "A made-up story: her husband drinks and beats her; she wants counselling."
                }),
            ),
        ];
        if source == "awareness_camp"
            && let Some((camp, _)) = camps.iter().rev().find(|(_, held)| *held <= made)
        {
            fields.push(("camp", json!(camp)));
        }
        // The older cases were worked: sessions, services, and some closed.
        let settled = days_ago > 60 && n % 3 == 0;
        if settled {
            fields.push(("status", json!("closed")));
            fields.push((
                "closure",
                json!(if n % 2 == 0 {
                    "settlement"
                } else {
                    "her_choice"
                }),
            ));
            fields.push(("closed_on", day((made + 30 * DAY).min(now))));
        }
        let case = write(Kind::Case, made, fields);
        let sessions = if days_ago > 14 { 1 + n % 3 } else { 0 };
        for number in 1..=sessions {
            let on = (made + number * 7 * DAY).min(now);
            let mut session = vec![
                ("case", json!(case)),
                ("session_number", json!(number)),
                ("session_on", day(on)),
                (
                    "session_kind",
                    json!(["individual", "joint", "family"][(number % 3) as usize]),
                ),
                ("notes", json!("Demo notes: nothing here is real.")),
            ];
            if number == sessions && !settled {
                session.push(("next_on", day(now.min(on + 14 * DAY).max(made))));
            }
            write(Kind::Session, on, session);
        }
        if n % 2 == 0 && days_ago > 7 {
            write(
                Kind::Service,
                (made + DAY).min(now),
                vec![
                    ("case", json!(case)),
                    (
                        "service",
                        json!(["police", "medical", "legal_aid", "shelter"][(n / 2 % 4) as usize]),
                    ),
                    ("service_state", json!("given")),
                    ("service_on", day((made + DAY).min(now))),
                ],
            );
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::system_millis;
    use sakhi_domain::figures::{Dashboard, Month, MonthlyReport};
    use sakhi_domain::wire::Cursor;

    #[tokio::test]
    async fn a_demo_is_a_new_database_of_its_own_full_of_fictional_work_with_accounts() {
        let now = system_millis();
        let demo = prepare(now).await.unwrap();
        let other = prepare(now).await.unwrap();
        assert_ne!(demo.folder, other.folder, "each demo makes its own");
        assert!(demo.database_url.starts_with("sqlite://"));
        assert!(demo.folder.starts_with(std::env::temp_dir()));

        let store = SqliteStore::open(&demo.database_url, now).await.unwrap();
        for (username, _, _) in DEMO_ACCOUNTS {
            let credentials = store.credentials(username).await.unwrap();
            assert!(credentials.is_some(), "{username}");
        }
        let accounts = store.credentials("demo.admin").await.unwrap().unwrap();
        let scope = Scope {
            centre: accounts.account.centre.id,
            account: accounts.account.id,
            only_own: false,
        };
        let page = store
            .pull(scope, Cursor(0), 10_000, AuditRecord::default())
            .await
            .unwrap();
        let records: Vec<Record> = page.records;
        let cases = records.iter().filter(|r| r.kind == Kind::Case).count();
        assert_eq!(cases, 40);
        assert!(records.iter().all(|r| {
            r.text("name")
                .is_none_or(|n| n.contains("fictional") || n.contains("काल्पनिक"))
        }));
        let today = india_day(now);
        let figures = Dashboard::of(&records, &today);
        assert_eq!(figures.helped_ever, 40);
        assert!(figures.sessions_held > 0);
        assert!(figures.median_sessions_to_settlement.is_some());
        let this_month = MonthlyReport::of(Month::of_date(&today).unwrap(), &records);
        assert_eq!(this_month.camps_held, 1, "one camp today");
        store.close().await;
        for made in [demo, other] {
            std::fs::remove_dir_all(made.folder).unwrap();
        }
    }
}
