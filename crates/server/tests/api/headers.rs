//! The security headers on every answer, and the API's OpenAPI document against its routes and
//! the wire types.

use crate::helpers::{Backend, Folder, settings, spawn_app, spawn_with};
use reqwest::{Method, StatusCode};
use sakhi_domain::wire::account::{Centre, CentrePatch};
use sakhi_domain::wire::history::{CaseHistory, HistoryEntry};
use sakhi_domain::wire::{Cursor, PullResponse};
use sakhi_domain::{AccountId, CentreId, ChangeId, Clock, DeviceId, Epoch, PurgeDays, RecordId};
use sakhi_server::api::ROUTES;
use serde_json::{Value, json};
use std::collections::BTreeSet;

fn assert_secure(response: &reqwest::Response) {
    let url = response.url().clone();
    let headers = response.headers();
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert_eq!(headers["x-content-type-options"], "nosniff", "{url}");
    assert_eq!(headers["referrer-policy"], "no-referrer", "{url}");
    if url.path().starts_with("/api/") {
        // JSON only: nothing may load, run or frame it.
        assert_eq!(csp, "default-src 'none'; frame-ancestors 'none'", "{url}");
        return;
    }
    for part in [
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval'",
        "style-src 'self'",
        // A file she opens is shown from the phone's memory (`blob:`), never fetched from a site.
        "img-src 'self' data: blob:;",
        "media-src 'self' blob:;",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ] {
        assert!(csp.contains(part), "{url}: {part} in {csp}");
    }
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("'unsafe-eval'"),
        "{csp}"
    );
}

on_each_backend!(api_static_and_error_answers_all_carry_the_security_headers);
async fn api_static_and_error_answers_all_carry_the_security_headers(backend: Backend) {
    let app = spawn_app(backend).await;
    for path in [
        "/api/v1/health",
        "/api/v1/sync/pull",
        "/api/v1/nothing",
        "/",
        "/sw.js",
        "/missing.js",
    ] {
        let response = app.get(path).await;
        assert_secure(&response);
        if path.starts_with("/api") {
            assert_eq!(response.headers()["cache-control"], "no-store", "{path}");
        }
    }
    let unauthenticated = app.send(Method::GET, "/api/v1/accounts", None, None).await;
    assert_eq!(unauthenticated.status(), StatusCode::UNAUTHORIZED);
    assert_secure(&unauthenticated);
    assert!(
        !app.get("/")
            .await
            .headers()
            .contains_key("strict-transport-security")
    );
}

on_each_backend!(
    each_inline_script_of_the_built_page_is_allowed_by_its_hash_and_https_turns_on_hsts
);
async fn each_inline_script_of_the_built_page_is_allowed_by_its_hash_and_https_turns_on_hsts(
    backend: Backend,
) {
    let folder = Folder::new(backend).await;
    let script = "\nimport init from '/sakhi-0123456789abcdef.js';\nawait init();\n";
    std::fs::write(
        folder.dist().join("index.html"),
        format!("<!doctype html><script type=\"module\">{script}</script><script src=\"/x.js\"></script>"),
    )
    .unwrap();
    let settings = sakhi_server::Settings {
        public_url: Some("https://osc.example.org".to_owned()),
        ..settings(&folder)
    };
    let app = spawn_with(settings, folder).await;
    let response = app.get("/").await;
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let hash = sakhi_server::secrets::sha256_base64(script);
    assert!(csp.contains(&format!("'sha256-{hash}'")), "{csp}");
    assert_eq!(csp.matches("'sha256-").count(), 1);
    assert_eq!(
        response.headers()["strict-transport-security"],
        "max-age=31536000"
    );
}

#[tokio::test]
async fn the_real_builds_bootstrap_script_is_hashed_when_a_build_is_at_hand() {
    // The app is built elsewhere; when a build sits beside this checkout, check its page too.
    let dist = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../dist");
    let Ok(index) = std::fs::read_to_string(dist.join("index.html")) else {
        return;
    };
    let scripts = sakhi_server::app::inline_scripts(&index);
    let headers = sakhi_server::SecurityHeaders::new(&dist, None);
    let csp = headers.csp.to_str().unwrap();
    for script in scripts {
        let hash = sakhi_server::secrets::sha256_base64(script);
        assert!(csp.contains(&hash), "{csp}");
    }
}

#[test]
fn the_inline_scripts_of_pages_in_folders_beside_the_app_are_hashed_too() {
    let dist = std::env::temp_dir().join(format!("sakhi-csp-{}", std::process::id()));
    std::fs::create_dir_all(dist.join("seed")).unwrap();
    std::fs::write(dist.join("index.html"), "<script>app()</script>").unwrap();
    std::fs::write(dist.join("seed/index.html"), "<script>seed()</script>").unwrap();
    let csp = sakhi_server::SecurityHeaders::new(&dist, None).csp;
    let csp = csp.to_str().unwrap();
    for script in ["app()", "seed()"] {
        assert!(
            csp.contains(&sakhi_server::secrets::sha256_base64(script)),
            "{csp}"
        );
    }
    std::fs::remove_dir_all(&dist).ok();
}

on_each_backend!(the_openapi_document_names_every_route_and_no_other);
async fn the_openapi_document_names_every_route_and_no_other(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app
        .send(Method::GET, "/api/v1/openapi.json", None, None)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let document: Value = response.json().await.unwrap();
    assert_eq!(document["openapi"], "3.1.0");
    let mut documented = BTreeSet::new();
    for (path, operations) in document["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            documented.insert((method.to_uppercase(), path.clone()));
            assert!(operation["responses"].is_object(), "{method} {path}");
        }
    }
    let routed: BTreeSet<_> = ROUTES
        .iter()
        .map(|route| (route.method.to_owned(), route.path.to_owned()))
        .collect();
    assert_eq!(documented, routed);
    // Every schema a reference names exists.
    let text = document.to_string();
    for reference in text.split("#/components/schemas/").skip(1) {
        let name: String = reference
            .chars()
            .take_while(|c| c.is_alphanumeric())
            .collect();
        assert!(
            document["components"]["schemas"][&name].is_object(),
            "{name}"
        );
    }
    // And the router answers every route of the table (none falls to "no such path").
    for route in ROUTES {
        let path = format!("/api{}", route.path.replace("{id}", &uuid_like()));
        let response = app
            .send(route.method.parse().unwrap(), &path, None, None)
            .await;
        let body: Value = response.json().await.unwrap_or(Value::Null);
        assert_ne!(
            body["error"], "there is no such API path",
            "{} {}",
            route.method, route.path
        );
        assert_ne!(
            body["code"], "method_not_allowed",
            "{} {}",
            route.method, route.path
        );
    }
}

on_each_backend!(the_openapi_document_describes_every_field_the_wire_types_carry);
async fn the_openapi_document_describes_every_field_the_wire_types_carry(backend: Backend) {
    let app = spawn_app(backend).await;
    let document: Value = app
        .send(Method::GET, "/api/v1/openapi.json", None, None)
        .await
        .json()
        .await
        .unwrap();
    let schemas = &document["components"]["schemas"];
    // Each with every optional field filled in, so that each field travels.
    let centre = Centre {
        id: CentreId::new(),
        code: "DHR".to_owned(),
        name: "One Stop Centre".to_owned(),
        district: "धारवाड़".to_owned(),
        state: "Karnataka".to_owned(),
        lock_minutes: 5,
        purge_days: Some(30),
    };
    let patch = CentrePatch {
        lock_minutes: Some(5),
        purge_days: Some(Some(30)),
    };
    let pull = PullResponse {
        epoch: Epoch::new(),
        records: Vec::new(),
        gone: vec![RecordId::new()],
        cursor: Cursor(7),
        more: false,
    };
    let mut clock = Clock::new(DeviceId::new());
    let base = clock.tick(1_750_000_000_000);
    let entry = HistoryEntry {
        seq: 7,
        change: ChangeId::new(),
        record: RecordId::new(),
        kind: "service".to_owned(),
        field: "service".to_owned(),
        value: json!("medical"),
        before: Some(json!("police")),
        stamp: clock.tick(1_750_000_000_001),
        base: Some(base),
        device: clock.device(),
        account: Some(AccountId::new()),
        by: Some("सीता देवी".to_owned()),
        received_at: 1_750_000_000_002,
    };
    let history = CaseHistory {
        entries: vec![entry.clone()],
        next: Some(7),
    };
    for (name, sent) in [
        ("Centre", serde_json::to_value(centre).unwrap()),
        ("CentrePatch", serde_json::to_value(patch).unwrap()),
        ("PullResponse", serde_json::to_value(pull).unwrap()),
        ("CaseHistory", serde_json::to_value(history).unwrap()),
        ("HistoryEntry", serde_json::to_value(&entry).unwrap()),
        ("Stamp", serde_json::to_value(entry.stamp).unwrap()),
    ] {
        let properties = schemas[name]["properties"].as_object().unwrap();
        for field in sent.as_object().unwrap().keys() {
            assert!(
                properties.contains_key(field),
                "{name}.{field} is not described"
            );
        }
    }
    let gone = &schemas["PullResponse"]["properties"]["gone"];
    assert_eq!(gone["items"]["format"], "uuid");
    for name in ["Centre", "CentrePatch"] {
        let purge = &schemas[name]["properties"]["purge_days"];
        assert_eq!(purge["type"], json!(["integer", "null"]), "{name}");
        assert_eq!(
            (&purge["minimum"], &purge["maximum"]),
            (&json!(PurgeDays::MIN), &json!(PurgeDays::MAX)),
            "{name}"
        );
    }
}

fn uuid_like() -> String {
    sakhi_domain::AccountId::new().to_string()
}

on_each_backend!(the_openapi_document_states_the_rules_the_server_enforces);
async fn the_openapi_document_states_the_rules_the_server_enforces(backend: Backend) {
    use sakhi_domain::wire::PROTOCOL;
    use sakhi_domain::{Password, Username};
    let app = spawn_app(backend).await;
    let document: Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    let schemas = &document["components"]["schemas"];
    for name in ["NewAccount", "NewAdministrator"] {
        let username = &schemas[name]["properties"]["username"];
        let pattern = username["pattern"].as_str().unwrap();
        assert!(
            pattern.contains(&format!(
                "{{{},{}}}",
                Username::MIN_CHARS,
                Username::MAX_CHARS
            )),
            "{name}: {pattern}"
        );
        let password = &schemas[name]["properties"]["password"];
        assert_eq!(password["minLength"], Password::MIN_CHARS, "{name}");
        assert_eq!(password["maxLength"], Password::MAX_CHARS, "{name}");
    }
    for name in ["PushRequest", "RestateRequest", "Health"] {
        assert_eq!(
            schemas[name]["properties"]["protocol"]["const"], PROTOCOL,
            "{name}"
        );
    }
    let paths = &document["paths"];
    let month = &paths["/v1/reports/monthly"]["get"]["parameters"][0]["schema"]["pattern"];
    assert_eq!(month, "^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])$");
    // A limit past its maximum is held to it, not refused: the document may not say otherwise.
    for path in ["/v1/sync/pull", "/v1/audit", "/v1/cases/{id}/history"] {
        let parameters = paths[path]["get"]["parameters"].as_array().unwrap();
        let limit = parameters.iter().find(|p| p["name"] == "limit").unwrap();
        assert_eq!(limit["schema"]["maximum"], u32::MAX, "{path}");
        assert!(
            limit["description"].as_str().unwrap().contains("held to"),
            "{path}"
        );
    }
}
