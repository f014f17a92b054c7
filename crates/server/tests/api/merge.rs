//! Merging duplicate cases: a service, session or note moves to another case only when its own
//! case was merged into that one, whether the merge comes in the same push or an earlier one.

use crate::database::Database;
use crate::helpers::{Backend, is_accepted, now, rejection_code, spawn_app};
use reqwest::StatusCode;
use sakhi_domain::schema::{CASE, MERGED_INTO};
use sakhi_domain::wire::Cursor;
use sakhi_domain::{Clock, DeviceId, Kind, Record, RecordId};
use serde_json::json;

on_each_backend!(work_moves_only_into_the_case_its_own_case_was_merged_into);
async fn work_moves_only_into_the_case_its_own_case_was_merged_into(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut phone = Clock::new(DeviceId::new());
    let device = phone.device();
    let mut kept = Record::new(RecordId::new(), Kind::Case);
    let mut twice = Record::new(RecordId::new(), Kind::Case);
    let mut elsewhere = Record::new(RecordId::new(), Kind::Case);
    let mut service = Record::new(RecordId::new(), Kind::Service);
    let mut note = Record::new(RecordId::new(), Kind::Note);
    let mut session = Record::new(RecordId::new(), Kind::Session);
    let on_twice = json!(twice.id.to_string());
    let first = vec![
        kept.edit(&mut phone, now(), "name", json!("Geeta Kumari")),
        twice.edit(&mut phone, now(), "name", json!("गीता")),
        elsewhere.edit(&mut phone, now(), "name", json!("Sunita")),
        service.edit(&mut phone, now(), CASE, on_twice.clone()),
        service.edit(&mut phone, now(), "service", json!("police")),
        note.edit(&mut phone, now(), CASE, on_twice.clone()),
        note.edit(&mut phone, now(), "note", json!("Her brother called.")),
        session.edit(&mut phone, now(), CASE, on_twice),
    ];
    let answer = app.push(device, &first).await;
    assert!(answer.results.iter().all(is_accepted), "{answer:?}");

    // Not merged: nothing moves.
    let to = |case: &Record| json!(case.id.to_string());
    let astray = [service.clone().edit(&mut phone, now(), CASE, to(&kept))];
    let answer = app.push(device, &astray).await;
    assert_eq!(rejection_code(&answer.results[0]), Some("case_fixed"));

    // Merged, and the service and note moved, in one push: the note moves though it is written
    // once, and says no more than it did.
    let merge = vec![
        twice.edit(&mut phone, now(), MERGED_INTO, to(&kept)),
        service.edit(&mut phone, now(), CASE, to(&kept)),
        note.edit(&mut phone, now(), CASE, to(&kept)),
        note.clone()
            .edit(&mut phone, now(), "note", json!("Nobody called.")),
    ];
    let answer = app.push(device, &merge).await;
    let codes: Vec<Option<&str>> = answer.results.iter().map(rejection_code).collect();
    assert_eq!(codes, [None, None, None, Some("append_only")]);
    // The audit log says which case was merged into which, by id alone.
    let database = Database::open(&app.folder.database_url()).await;
    let pushes: Vec<String> = database
        .audit_after(0)
        .await
        .into_iter()
        .filter(|row| row.0 == "push")
        .filter_map(|row| row.5)
        .collect();
    let merged = format!("merged={}>{}", twice.id, kept.id);
    assert_eq!(
        pushes
            .iter()
            .filter(|detail| detail.contains(&merged))
            .count(),
        1,
        "{pushes:?}"
    );
    assert!(!pushes.iter().any(|detail| detail.contains("गीता")));

    // The session moves in a later push: the server reads the case it leaves to see the merge.
    let later = [
        session.edit(&mut phone, now(), CASE, to(&kept)),
        service
            .clone()
            .edit(&mut phone, now(), CASE, to(&elsewhere)),
    ];
    let answer = app.push(device, &later).await;
    let codes: Vec<Option<&str>> = answer.results.iter().map(rejection_code).collect();
    assert_eq!(codes, [None, Some("case_fixed")]);

    let page = app.pull(Cursor(0), 100).await;
    let case_of = |id: RecordId| {
        let record = page.records.iter().find(|r| r.id == id).expect("pulled");
        record.text(CASE).map(str::to_owned)
    };
    let kept_id = Some(kept.id.to_string());
    assert_eq!(case_of(service.id), kept_id);
    assert_eq!(case_of(note.id), kept_id);
    assert_eq!(case_of(session.id), kept_id);
    let pulled_note = page.records.iter().find(|r| r.id == note.id).unwrap();
    assert_eq!(pulled_note.text("note"), Some("Her brother called."));

    // The monthly report counts the woman once: the duplicate is left out.
    // Cases count from when their ids were made: now.
    let made = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let month = chrono_month(made);
    let response = app
        .get(&format!("/api/v1/reports/monthly?month={month}"))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let report: serde_json::Value = response.json().await.unwrap();
    assert_eq!(report["cases_registered"], json!(2), "{report}");
}

/// The month in India of a moment, `YYYY-MM`.
fn chrono_month(millis: u64) -> String {
    let days = ((millis + sakhi_domain::figures::INDIA_OFFSET_MILLIS) / 86_400_000) as i64;
    let (year, month, _) = sakhi_domain::schema::date_of_day(days);
    format!("{year:04}-{month:02}")
}
