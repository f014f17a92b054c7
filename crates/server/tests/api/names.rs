//! Text a person reads or types to log in: a username with a control character is a 400 with a
//! reason, never a 500, and the same on both backends; names refuse control characters and the
//! marks that turn text around; passwords take any printable character, and no control one.

use crate::helpers::{ADMIN, Backend, PASSWORD, spawn_app};
use reqwest::{Method, StatusCode};
use sakhi_domain::DeviceId;
use sakhi_domain::wire::ErrorBody;
use serde_json::json;

async fn code_of(response: reqwest::Response) -> (StatusCode, String) {
    let status = response.status();
    let body: ErrorBody = response.json().await.expect("a JSON error body");
    (status, body.code.unwrap_or_default())
}

on_each_backend!(a_login_with_a_control_character_in_the_username_is_400_bad_username);
async fn a_login_with_a_control_character_in_the_username_is_400_bad_username(backend: Backend) {
    let app = spawn_app(backend).await;
    for username in ["admin\u{0}.dhr", "\u{0}", "admin.dhr\u{7}", "admin\n.dhr"] {
        let body = json!({"username": username, "password": PASSWORD, "device": DeviceId::new()});
        let response = app
            .send(Method::POST, "/api/v1/session", None, Some(body))
            .await;
        assert_eq!(
            code_of(response).await,
            (StatusCode::BAD_REQUEST, "bad_username".into()),
            "{username:?}"
        );
    }
    // A NUL in the password is only a wrong one: it is never stored or looked up.
    let response = app.try_log_in(ADMIN, "नदी किनारे\u{0}घर 7").await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.try_log_in(ADMIN, PASSWORD).await.status(),
        StatusCode::OK
    );
}

on_each_backend!(names_with_control_characters_or_direction_marks_are_400_hidden_characters);
async fn names_with_control_characters_or_direction_marks_are_400_hidden_characters(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let admin = app.token.clone().unwrap();
    let create = |display_name: &str, password: &str| {
        json!({"username": "gita.dhr", "display_name": display_name, "role": "counsellor",
               "password": password})
    };
    for name in [
        "Gita\u{202E}veD",
        "\u{2066}गीता\u{2069}",
        "\u{200F}Gita",
        "Gita\u{061C}",
        "Gi\u{0}ta",
    ] {
        let response = app
            .send(
                Method::POST,
                "/api/v1/accounts",
                Some(&admin),
                Some(create(name, PASSWORD)),
            )
            .await;
        assert_eq!(
            code_of(response).await,
            (StatusCode::BAD_REQUEST, "hidden_characters".into()),
            "{name:?}"
        );
    }
    let response = app
        .send(
            Method::POST,
            "/api/v1/accounts",
            Some(&admin),
            Some(create("गीता", "river\u{0}house 77")),
        )
        .await;
    assert_eq!(
        code_of(response).await,
        (StatusCode::BAD_REQUEST, "hidden_characters".into())
    );
    // Any printable character makes a password, a direction mark included.
    let response = app
        .send(
            Method::POST,
            "/api/v1/accounts",
            Some(&admin),
            Some(create("गीता", "river\u{202E}house 77")),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let account: serde_json::Value = response.json().await.unwrap();
    let path = format!("/api/v1/accounts/{}", account["id"].as_str().unwrap());
    let response = app
        .send(
            Method::PATCH,
            &path,
            Some(&admin),
            Some(json!({"display_name": "गीता\u{202E}"})),
        )
        .await;
    assert_eq!(
        code_of(response).await,
        (StatusCode::BAD_REQUEST, "hidden_characters".into())
    );
    let response = app
        .send(
            Method::POST,
            &format!("{path}/password"),
            Some(&admin),
            Some(json!({"password": "new\u{0}password 7"})),
        )
        .await;
    assert_eq!(
        code_of(response).await,
        (StatusCode::BAD_REQUEST, "hidden_characters".into())
    );
}
