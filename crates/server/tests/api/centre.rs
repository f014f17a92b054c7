//! A centre's settings: its administrators set the idle lock time and how long outreach workers'
//! phones keep synced cases, every session of the centre carries them, and a value outside its
//! rule changes nothing.

use crate::authorisation::two_centres;
use crate::helpers::{Backend, TestApp, spawn_app};
use reqwest::{Method, StatusCode};
use sakhi_domain::wire::ErrorBody;
use sakhi_domain::wire::account::{Account, AuditEntry, AuditPage, Centre, Staff};
use sakhi_domain::{AccountRule, LockMinutes, PurgeDays};
use serde_json::{Value, json};

async fn patch_centre(app: &TestApp, token: Option<&str>, body: Value) -> reqwest::Response {
    app.send(Method::PATCH, "/api/v1/centre", token, Some(body))
        .await
}

/// The centre as the holder of `token` is told it by `GET /api/v1/session`.
async fn centre_of(app: &TestApp, token: &str) -> Centre {
    let response = app
        .send(Method::GET, "/api/v1/session", Some(token), None)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json::<Account>().await.unwrap().centre
}

async fn refusal(response: reqwest::Response) -> (StatusCode, String, String) {
    let status = response.status();
    let body: ErrorBody = response.json().await.expect("an error body");
    (status, body.code.unwrap_or_default(), body.error)
}

/// The centre's audit entries of `action`, newest first, as its administrator `token` reads them.
async fn audited(app: &TestApp, token: &str, action: &str) -> Vec<AuditEntry> {
    let page: AuditPage = app
        .send(Method::GET, "/api/v1/audit?limit=500", Some(token), None)
        .await
        .json()
        .await
        .unwrap();
    page.entries
        .into_iter()
        .filter(|entry| entry.action == action)
        .collect()
}

async fn centre_updates(app: &TestApp, token: &str) -> Vec<(Option<String>, String)> {
    audited(app, token, "centre_update")
        .await
        .into_iter()
        .map(|entry| (entry.detail, entry.outcome))
        .collect()
}

on_each_backend!(an_administrator_sets_her_centres_lock_time_and_every_session_carries_it);
async fn an_administrator_sets_her_centres_lock_time_and_every_session_carries_it(
    backend: Backend,
) {
    let setup = two_centres(backend).await;
    let app = &setup.app;
    let counsellor = &setup.counsellor.1;
    let before = centre_of(app, counsellor).await;
    assert_eq!(before.lock_minutes, LockMinutes::DEFAULT.get());

    let response = patch_centre(app, Some(&setup.admin), json!({"lock_minutes": 15})).await;
    assert_eq!(response.status(), StatusCode::OK);
    let changed: Centre = response.json().await.unwrap();
    assert_eq!(
        changed,
        Centre {
            lock_minutes: 15,
            ..before.clone()
        }
    );

    // A session opened before the change, and a login after it, both carry it.
    assert_eq!(centre_of(app, counsellor).await, changed);
    assert_eq!(app.log_in("outreach.dhr").await.account.centre, changed);
    // The other centre keeps its own.
    let theirs = app.log_in("admin.blr").await.account.centre;
    assert_eq!(theirs.lock_minutes, LockMinutes::DEFAULT.get());

    // A patch without the setting leaves it as it is.
    let response = patch_centre(app, Some(&setup.admin), json!({})).await;
    assert_eq!(response.json::<Centre>().await.unwrap(), changed);

    assert_eq!(
        centre_updates(app, &setup.admin).await,
        [
            (Some("no setting given".to_owned()), "ok".to_owned()),
            (Some("lock_minutes=15".to_owned()), "ok".to_owned()),
        ]
    );
    assert!(
        centre_updates(app, &setup.other_admin.token)
            .await
            .is_empty()
    );
}

on_each_backend!(a_lock_time_outside_one_to_sixty_minutes_is_refused_and_changes_nothing);
async fn a_lock_time_outside_one_to_sixty_minutes_is_refused_and_changes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.token.clone().unwrap();
    for minutes in [0u64, 61, 256, 100_000] {
        let response = patch_centre(&app, Some(&admin), json!({ "lock_minutes": minutes })).await;
        assert_eq!(
            refusal(response).await,
            (
                StatusCode::BAD_REQUEST,
                "bad_lock_minutes".to_owned(),
                AccountRule::BadLockMinutes.to_string()
            ),
            "{minutes}"
        );
    }
    for body in [
        json!({"lock_minutes": -1}),
        json!({"lock_minutes": "ten"}),
        json!({"lock_minutes": 5_000_000_000u64}),
    ] {
        let (status, code, _) = refusal(patch_centre(&app, Some(&admin), body.clone()).await).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::BAD_REQUEST, "bad_request"),
            "{body}"
        );
    }
    assert_eq!(
        centre_of(&app, &admin).await.lock_minutes,
        LockMinutes::DEFAULT.get()
    );
    assert!(centre_updates(&app, &admin).await.is_empty());
}

on_each_backend!(only_an_administrator_may_change_the_centre);
async fn only_an_administrator_may_change_the_centre(backend: Backend) {
    let setup = two_centres(backend).await;
    let app = &setup.app;
    let bodies = [json!({"lock_minutes": 30}), json!({"purge_days": 7})];
    for (account, token) in [&setup.counsellor, &setup.outreach] {
        for body in &bodies {
            let response = patch_centre(app, Some(token), body.clone()).await;
            let (status, code, _) = refusal(response).await;
            assert_eq!(
                (status, code.as_str()),
                (StatusCode::FORBIDDEN, "forbidden"),
                "{} {body}",
                account.username
            );
        }
    }
    for token in [None, Some("garbage")] {
        for body in &bodies {
            let response = patch_centre(app, token, body.clone()).await;
            let (status, code, _) = refusal(response).await;
            assert_eq!(
                (status, code.as_str()),
                (StatusCode::UNAUTHORIZED, "unauthenticated")
            );
        }
    }
    let centre = centre_of(app, &setup.admin).await;
    assert_eq!(
        (centre.lock_minutes, centre.purge_days),
        (LockMinutes::DEFAULT.get(), None)
    );
    assert!(centre_updates(app, &setup.admin).await.is_empty());
    // Each refusal of a signed-in account is in the log, naming who tried and what.
    let refused = audited(app, &setup.admin, "refused").await;
    let forbidden: Vec<_> = refused
        .iter()
        .filter(|entry| entry.outcome == "forbidden")
        .map(|entry| (entry.account, entry.detail.as_deref()))
        .collect();
    // The path as the API router sees it, below `/api`.
    let patch = Some("PATCH /v1/centre");
    let (counsellor, outreach) = (Some(setup.counsellor.0.id), Some(setup.outreach.0.id));
    assert_eq!(
        forbidden,
        [
            (outreach, patch),
            (outreach, patch),
            (counsellor, patch),
            (counsellor, patch)
        ]
    );
}

on_each_backend!(an_administrator_limits_how_long_outreach_phones_keep_cases_or_lifts_the_limit);
async fn an_administrator_limits_how_long_outreach_phones_keep_cases_or_lifts_the_limit(
    backend: Backend,
) {
    let setup = two_centres(backend).await;
    let app = &setup.app;
    let admin = &setup.admin;
    let before = centre_of(app, &setup.outreach.1).await;
    assert_eq!(before.purge_days, None, "no limit until one is set");
    let raw: Value = app
        .send(Method::GET, "/api/v1/session", Some(admin), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(raw["centre"]["purge_days"], Value::Null);
    assert!(
        raw["centre"]
            .as_object()
            .unwrap()
            .contains_key("purge_days")
    );

    let response = patch_centre(app, Some(admin), json!({"purge_days": 30})).await;
    assert_eq!(response.status(), StatusCode::OK);
    let changed: Centre = response.json().await.unwrap();
    assert_eq!(
        changed,
        Centre {
            purge_days: Some(30),
            ..before.clone()
        }
    );
    // The outreach worker's open session, and a login after the change, both carry it.
    assert_eq!(centre_of(app, &setup.outreach.1).await, changed);
    assert_eq!(app.log_in("outreach.dhr").await.account.centre, changed);
    let theirs = app.log_in("admin.blr").await.account.centre;
    assert_eq!(theirs.purge_days, None, "the other centre keeps its own");

    // What a patch does not name stays as it is, whichever setting it names.
    let kept = patch_centre(app, Some(admin), json!({"lock_minutes": 10})).await;
    let kept: Centre = kept.json().await.unwrap();
    assert_eq!((kept.lock_minutes, kept.purge_days), (10, Some(30)));
    let lifted = patch_centre(app, Some(admin), json!({"purge_days": null})).await;
    assert_eq!(lifted.status(), StatusCode::OK);
    let lifted: Centre = lifted.json().await.unwrap();
    assert_eq!((lifted.lock_minutes, lifted.purge_days), (10, None));
    let both = json!({"lock_minutes": 15, "purge_days": PurgeDays::MAX});
    let both: Centre = patch_centre(app, Some(admin), both)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!((both.lock_minutes, both.purge_days), (15, Some(365)));
    assert_eq!(centre_of(app, &setup.counsellor.1).await, both);

    assert_eq!(
        centre_updates(app, admin).await,
        [
            (
                Some("lock_minutes=15 purge_days=365".to_owned()),
                "ok".to_owned()
            ),
            (Some("purge_days=never".to_owned()), "ok".to_owned()),
            (Some("lock_minutes=10".to_owned()), "ok".to_owned()),
            (Some("purge_days=30".to_owned()), "ok".to_owned()),
        ]
    );
    let rows = audited(app, admin, "centre_update").await;
    let me = app.log_in("admin.dhr").await.account.id;
    assert!(
        rows.iter()
            .all(|row| row.account == Some(me) && row.records.is_empty())
    );
}

on_each_backend!(a_purge_limit_outside_one_to_365_days_is_refused_and_changes_nothing);
async fn a_purge_limit_outside_one_to_365_days_is_refused_and_changes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.token.clone().unwrap();
    patch_centre(&app, Some(&admin), json!({"purge_days": 90})).await;
    let before = centre_of(&app, &admin).await;
    for body in [
        json!({"purge_days": 0}),
        json!({"purge_days": 366}),
        json!({"purge_days": 65_536}),
        json!({"purge_days": 100_000}),
        // One bad setting refuses the whole patch: the good one is not applied either.
        json!({"purge_days": 0, "lock_minutes": 15}),
    ] {
        let response = patch_centre(&app, Some(&admin), body.clone()).await;
        assert_eq!(
            refusal(response).await,
            (
                StatusCode::BAD_REQUEST,
                "bad_purge_days".to_owned(),
                AccountRule::BadPurgeDays.to_string()
            ),
            "{body}"
        );
    }
    let response = patch_centre(
        &app,
        Some(&admin),
        json!({"lock_minutes": 0, "purge_days": 30}),
    );
    let (status, code, _) = refusal(response.await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::BAD_REQUEST, "bad_lock_minutes")
    );
    for body in [
        json!({"purge_days": -1}),
        json!({"purge_days": "thirty"}),
        json!({"purge_days": 5_000_000_000u64}),
        json!({"purge_days": 30.5}),
        json!({"purge_days": true}),
    ] {
        let (status, code, _) = refusal(patch_centre(&app, Some(&admin), body.clone()).await).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::BAD_REQUEST, "bad_request"),
            "{body}"
        );
    }
    assert_eq!(centre_of(&app, &admin).await, before);
    assert_eq!(
        centre_updates(&app, &admin).await,
        [(Some("purge_days=90".to_owned()), "ok".to_owned())]
    );
}

on_each_backend!(every_worker_sees_who_works_at_her_centre_and_on_which_devices);
async fn every_worker_sees_who_works_at_her_centre_and_on_which_devices(backend: Backend) {
    let setup = two_centres(backend).await;
    let app = &setup.app;
    let (outreach, outreach_token) = &setup.outreach;
    // The outreach worker logs in again on a second phone.
    let phone = sakhi_domain::DeviceId::new();
    let body = json!({ "username": outreach.username, "password": crate::helpers::PASSWORD,
                       "device": phone });
    let response = app
        .send(Method::POST, "/api/v1/session", None, Some(body))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    // A disabled colleague is no one to assign a case to.
    let (gone, _) = app
        .account(&setup.admin, "gone", sakhi_domain::Role::Counsellor)
        .await;
    let disabled = app
        .send(
            Method::PATCH,
            &format!("/api/v1/accounts/{}", gone.id),
            Some(&setup.admin),
            Some(json!({ "disabled": true })),
        )
        .await;
    assert_eq!(disabled.status(), StatusCode::OK);

    // Her store on that phone, which stamps what she writes, is known once she pushes from it.
    let store = sakhi_domain::DeviceId::new();
    let mut clock = sakhi_domain::Clock::new(store);
    let case = sakhi_domain::Record::new(sakhi_domain::RecordId::new(), sakhi_domain::Kind::Case)
        .edit(&mut clock, crate::helpers::now(), "name", json!("Asha"));
    let pushed = app.push_as(outreach_token, store, &[case]).await;
    assert_eq!(pushed.status(), StatusCode::OK);

    let response = app
        .send(
            Method::GET,
            "/api/v1/centre/staff",
            Some(outreach_token),
            None,
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let staff: Staff = response.json().await.unwrap();
    let names: Vec<&str> = staff
        .staff
        .iter()
        .map(|m| m.display_name.as_str())
        .collect();
    assert!(
        names.contains(&setup.counsellor.0.display_name.as_str()),
        "{names:?}"
    );
    assert!(!names.contains(&gone.display_name.as_str()), "{names:?}");
    let her = staff.staff.iter().find(|m| m.id == outreach.id).unwrap();
    assert_eq!(her.devices.len(), 3, "two phones and a store: {her:?}");
    assert!(her.devices.contains(&phone));
    assert!(her.devices.contains(&store));
    // The other centre's administrator is not among them.
    let other = setup.other_admin.account.id;
    assert!(staff.staff.iter().all(|m| m.id != other));
}
