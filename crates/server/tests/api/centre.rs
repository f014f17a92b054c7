//! A centre's settings: its administrators set the idle lock time, every session of the centre
//! carries it, and a value outside its rule changes nothing.

use crate::authorisation::two_centres;
use crate::helpers::{Backend, TestApp, spawn_app};
use reqwest::{Method, StatusCode};
use sakhi_domain::wire::ErrorBody;
use sakhi_domain::wire::account::{Account, AuditPage, Centre};
use sakhi_domain::{AccountRule, LockMinutes};
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

async fn centre_updates(app: &TestApp, token: &str) -> Vec<(Option<String>, String)> {
    let page: AuditPage = app
        .send(Method::GET, "/api/v1/audit?limit=500", Some(token), None)
        .await
        .json()
        .await
        .unwrap();
    page.entries
        .into_iter()
        .filter(|entry| entry.action == "centre_update")
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
    for token in [&setup.counsellor.1, &setup.outreach.1] {
        let response = patch_centre(app, Some(token), json!({"lock_minutes": 30})).await;
        let (status, code, _) = refusal(response).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::FORBIDDEN, "forbidden")
        );
    }
    for token in [None, Some("garbage")] {
        let response = patch_centre(app, token, json!({"lock_minutes": 30})).await;
        let (status, code, _) = refusal(response).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::UNAUTHORIZED, "unauthenticated")
        );
    }
    assert_eq!(
        centre_of(app, &setup.admin).await.lock_minutes,
        LockMinutes::DEFAULT.get()
    );
}
