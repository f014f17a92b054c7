//! The API's OpenAPI 3.1 document, built by hand so that it says exactly what the handlers do.
//! A test checks that it names every route of [`super::ROUTES`] and no other.

use axum::Json;
use sakhi_domain::wire::MAX_RESTATE_RECORDS;
use sakhi_domain::wire::account::MAX_EXPORT_NOTICES;
use sakhi_domain::wire::history::{DEFAULT_HISTORY_LIMIT, MAX_HISTORY_LIMIT};
use sakhi_domain::{LockMinutes, PurgeDays};
use serde_json::{Value, json};

/// `GET /api/v1/openapi.json`.
pub async fn document() -> Json<Value> {
    Json(openapi())
}

fn schema(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn body(name: &str) -> Value {
    json!({ "required": true, "content": { "application/json": { "schema": schema(name) } } })
}

fn answer(description: &str, name: Option<&str>) -> Value {
    match name {
        Some(name) => json!({
            "description": description,
            "content": { "application/json": { "schema": schema(name) } }
        }),
        None => json!({ "description": description }),
    }
}

/// An error answer: an [`ErrorBody`](sakhi_domain::wire::ErrorBody) whose `code` is one of these.
fn error(codes: &str) -> Value {
    answer(&format!("Refused; `code` is {codes}"), Some("ErrorBody"))
}

const AUTH: &str = "`unauthenticated` (no valid session: log in again)";

fn authenticated() -> Value {
    json!([{ "bearer": [] }])
}

fn string() -> Value {
    json!({ "type": "string" })
}

/// How many of each code of a list: every code of the list, zeros included.
fn tally() -> Value {
    json!({ "type": "object", "additionalProperties": { "type": "integer", "minimum": 0 } })
}

fn uuid() -> Value {
    json!({ "type": "string", "format": "uuid" })
}

fn millis() -> Value {
    json!({ "type": "integer", "format": "int64", "minimum": 0,
            "description": "milliseconds since the Unix epoch (UTC)" })
}

fn lock_minutes() -> Value {
    json!({ "type": "integer", "minimum": LockMinutes::MIN, "maximum": LockMinutes::MAX,
            "description": "after how many idle minutes the centre's phones lock" })
}

fn purge_days() -> Value {
    json!({ "type": ["integer", "null"], "minimum": PurgeDays::MIN, "maximum": PurgeDays::MAX,
            "description": "at most how many days outreach workers' phones keep the cases \
                they synced; null for no limit" })
}

fn object(required: &[&str], properties: Value) -> Value {
    json!({ "type": "object", "required": required, "properties": properties })
}

/// The whole document.
pub fn openapi() -> Value {
    let role =
        json!({ "type": "string", "enum": ["administrator", "counsellor", "outreach_worker"] });
    let mut document = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Sakhi sync server",
            "version": "1",
            "description": "Accounts, sessions and sync for One Stop Centres. Every answer carries \
                Cache-Control: no-store. Errors are an ErrorBody with a stable `code`. Until a \
                centre is set up, every path but health, setup and this document answers 503 \
                `setup_required`."
        },
        "servers": [{ "url": "/api" }],
        "components": {
            "securitySchemes": {
                "bearer": { "type": "http", "scheme": "bearer",
                            "description": "The `token` of a Session" }
            },
            "schemas": {
                "ErrorBody": object(&["error"], json!({ "error": string(), "code": string() })),
                "Health": object(&["status", "protocol"],
                    json!({ "status": string(), "protocol": { "type": "integer" } })),
                "SetupStatus": object(&["needed"], json!({ "needed": { "type": "boolean" } })),
                "NewCentre": object(&["code", "name", "district", "state"], json!({
                    "code": { "type": "string", "pattern": "^[A-Z]{2,8}$" },
                    "name": string(), "district": string(), "state": string() })),
                "NewAdministrator": object(&["username", "display_name", "password"], json!({
                    "username": string(), "display_name": string(), "password": string() })),
                "SetupRequest": object(&["code", "centre", "admin"], json!({
                    "code": string(), "centre": schema("NewCentre"),
                    "admin": schema("NewAdministrator") })),
                "LoginRequest": object(&["username", "password", "device"], json!({
                    "username": string(), "password": string(), "device": uuid() })),
                "Centre": object(&["id", "code", "name", "district", "state", "lock_minutes",
                                   "purge_days"],
                    json!({ "id": uuid(), "code": string(), "name": string(),
                            "district": string(), "state": string(),
                            "lock_minutes": lock_minutes(), "purge_days": purge_days() })),
                "CentrePatch": object(&[], json!({ "lock_minutes": lock_minutes(),
                    "purge_days": purge_days() })),
                "Role": role,
                "Account": object(&["id", "username", "display_name", "role", "centre"], json!({
                    "id": uuid(), "username": string(), "display_name": string(),
                    "role": schema("Role"), "centre": schema("Centre"),
                    "disabled": { "type": "boolean" }, "created_at": millis() })),
                "Session": object(&["token", "expires_at", "account"], json!({
                    "token": string(), "expires_at": millis(), "account": schema("Account") })),
                "Staff": object(&["staff"], json!({ "staff": { "type": "array",
                    "items": object(&["id", "display_name", "role", "devices"], json!({
                        "id": uuid(), "display_name": string(), "role": schema("Role"),
                        "devices": { "type": "array", "items": uuid() } })) } })),
                "AccountList": object(&["accounts"], json!({
                    "accounts": { "type": "array", "items": schema("Account") } })),
                "NewAccount": object(&["username", "display_name", "role", "password"], json!({
                    "username": string(), "display_name": string(), "role": schema("Role"),
                    "password": string() })),
                "AccountPatch": object(&[], json!({
                    "display_name": string(), "role": schema("Role"),
                    "disabled": { "type": "boolean" } })),
                "PasswordReset": object(&["password"], json!({ "password": string() })),
                "AuditEntry": object(&["id", "at", "action", "outcome"], json!({
                    "id": { "type": "integer" }, "at": millis(),
                    "centre": { "type": ["string", "null"] },
                    "account": { "type": ["string", "null"] },
                    "username": { "type": ["string", "null"] },
                    "device": { "type": ["string", "null"] },
                    "address": { "type": ["string", "null"] },
                    "action": string(), "outcome": string(),
                    "records": { "type": "array", "items": uuid() },
                    "detail": { "type": ["string", "null"] } })),
                "ExportNotices": object(&["exports"], json!({
                    "exports": { "type": "array", "maxItems": MAX_EXPORT_NOTICES, "items": object(
                        &["what", "personal", "rows", "at"],
                        json!({ "what": { "enum": ["cases", "camps"] },
                                "personal": { "type": "boolean" },
                                "rows": { "type": "integer", "minimum": 0 },
                                "at": millis() })) } })),
                "AuditPage": object(&["entries", "more"], json!({
                    "entries": { "type": "array", "items": schema("AuditEntry") },
                    "more": { "type": "boolean" } })),
                "MonthlyReport": object(
                    &["month", "cases_registered", "by_violence", "by_source", "services_given",
                      "sessions_held", "closed_by_reason", "camps_held", "attendance"],
                    json!({
                        "month": { "type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$" },
                        "cases_registered": { "type": "integer" },
                        "by_violence": tally(), "by_source": tally(), "services_given": tally(),
                        "sessions_held": { "type": "integer" },
                        "closed_by_reason": tally(), "camps_held": { "type": "integer" },
                        "attendance": tally() })),

            }
        },
        "paths": {
            "/v1/health": {
                "get": { "summary": "Whether the server answers, and its protocol version",
                    "responses": { "200": answer("Healthy", Some("Health")) } }
            },
            "/v1/openapi.json": {
                "get": { "summary": "This document",
                    "responses": { "200": { "description": "The OpenAPI document" } } }
            },
            "/v1/setup": {
                "get": { "summary": "Whether a first centre must still be set up",
                    "responses": { "200": answer("Status", Some("SetupStatus")) } },
                "post": { "summary": "Sets up a centre and its first administrator with a one-time code",
                    "requestBody": body("SetupRequest"),
                    "responses": {
                        "201": answer("Set up; the administrator's session", Some("Session")),
                        "400": error("`bad_request` or a rule's code (`bad_username`, `password_too_short`, …)"),
                        "403": error("`bad_setup_code`"),
                        "409": error("`already_set_up`, `username_taken` or `centre_code_taken`"),
                        "413": error("`too_large`"),
                        "429": error("`too_many_tries`; see Retry-After")
                    } }
            },
            "/v1/session": {
                "post": { "summary": "Logs in on a device",
                    "requestBody": body("LoginRequest"),
                    "responses": {
                        "200": answer("Logged in", Some("Session")),
                        "400": error("`bad_request` or `password_too_long`"),
                        "401": error("`bad_login` (wrong username or password, or disabled)"),
                        "413": error("`too_large`"),
                        "429": error("`too_many_tries`; see Retry-After"),
                        "503": error("`setup_required`")
                    } },
                "get": { "summary": "The account of the session", "security": authenticated(),
                    "responses": { "200": answer("The account", Some("Account")),
                                   "401": error(AUTH) } },
                "delete": { "summary": "Logs out: the token stops working at once",
                    "security": authenticated(),
                    "responses": { "204": answer("Logged out", None), "401": error(AUTH) } }
            },
            "/v1/accounts": {
                "get": { "summary": "The accounts of the administrator's centre",
                    "security": authenticated(),
                    "responses": { "200": answer("The accounts", Some("AccountList")),
                                   "401": error(AUTH), "403": error("`forbidden`") } },
                "post": { "summary": "Makes an account in the administrator's centre",
                    "security": authenticated(), "requestBody": body("NewAccount"),
                    "responses": { "201": answer("Made", Some("Account")),
                                   "400": error("a rule's code"), "401": error(AUTH),
                                   "403": error("`forbidden`"), "409": error("`username_taken`") } }
            },
            "/v1/accounts/{id}": {
                "patch": { "summary": "Changes an account's name, role or disabled flag; disabling ends its sessions",
                    "security": authenticated(),
                    "parameters": [{ "name": "id", "in": "path", "required": true, "schema": uuid() }],
                    "requestBody": body("AccountPatch"),
                    "responses": { "200": answer("Changed", Some("Account")),
                                   "400": error("`bad_display_name` or `bad_request`"),
                                   "401": error(AUTH), "403": error("`forbidden`"),
                                   "404": error("`not_found` (also another centre's account)"),
                                   "409": error("`cannot_change_self`") } }
            },
            "/v1/accounts/{id}/password": {
                "post": { "summary": "Sets a new password for an account and ends its sessions",
                    "security": authenticated(),
                    "parameters": [{ "name": "id", "in": "path", "required": true, "schema": uuid() }],
                    "requestBody": body("PasswordReset"),
                    "responses": { "204": answer("Set", None),
                                   "400": error("a password rule's code"), "401": error(AUTH),
                                   "403": error("`forbidden`"), "404": error("`not_found`") } }
            },
            "/v1/centre": {
                "patch": { "summary": "Changes the settings of the administrator's own centre; what is absent stays (`purge_days`: null removes the limit)",
                    "security": authenticated(), "requestBody": body("CentrePatch"),
                    "responses": { "200": answer("Changed", Some("Centre")),
                                   "400": error("`bad_lock_minutes`, `bad_purge_days` or `bad_request`; nothing changed"),
                                   "401": error(AUTH), "403": error("`forbidden`"),
                                   "413": error("`too_large`") } }
            },
            "/v1/centre/staff": {
                "get": { "summary": "The active workers of the caller's centre and the devices each has logged in on",
                    "security": authenticated(),
                    "responses": { "200": answer("The staff", Some("Staff")), "401": error(AUTH) } }
            },
            "/v1/audit/exports": {
                "post": { "summary": "Logs exports a worker made on her phone (kept there while offline): `export_cases` or `export_camps`, `with_personal`, `without_personal`, or `not_allowed` for names, phone numbers and addresses exported by anyone but an administrator",
                    "security": authenticated(), "requestBody": body("ExportNotices"),
                    "responses": { "204": { "description": "Logged" },
                                   "400": error("`bad_request`: not JSON, more than 100, or an unknown export; nothing logged"),
                                   "401": error(AUTH), "413": error("`too_large`") } }
            },
            "/v1/reports/monthly": {
                "get": { "summary": "The administrator's centre's figures for a month, counted from every record it holds: what the app's monthly report counts; every code of every list, zeros included",
                    "security": authenticated(),
                    "parameters": [
                        { "name": "month", "in": "query", "required": true,
                          "schema": { "type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$" } }
                    ],
                    "responses": { "200": answer("The report", Some("MonthlyReport")),
                                   "400": error("`bad_request`: no month, a malformed one, or one not begun in India"),
                                   "401": error(AUTH), "403": error("`forbidden`") } }
            },
            "/v1/audit": {
                "get": { "summary": "The centre's audit log, newest first", "security": authenticated(),
                    "parameters": [
                        { "name": "before", "in": "query", "schema": { "type": "integer" } },
                        { "name": "limit", "in": "query", "schema": { "type": "integer", "maximum": 500 } }
                    ],
                    "responses": { "200": answer("A page", Some("AuditPage")),
                                   "401": error(AUTH), "403": error("`forbidden`") } }
            },
            "/v1/cases/{id}/history": {
                "get": { "summary": "Every change the centre holds of a case and of its work records (those whose `case` field names it), in the order the server committed them, each with the value it replaced and who sent it; for administrators and counsellors. Each page is audited (`history`)",
                    "security": authenticated(),
                    "parameters": [
                        { "name": "id", "in": "path", "required": true, "schema": uuid() },
                        { "name": "after", "in": "query",
                          "schema": { "type": "integer", "minimum": 0 },
                          "description": "The `next` of the page before; absent for the first" },
                        { "name": "limit", "in": "query",
                          "schema": { "type": "integer", "minimum": 1,
                                      "maximum": MAX_HISTORY_LIMIT,
                                      "default": DEFAULT_HISTORY_LIMIT },
                          "description": "Held to between 1 and the maximum" }
                    ],
                    "responses": { "200": answer("A page, oldest first", Some("CaseHistory")),
                                   "400": error("`bad_request`: an id that is not a UUID, or a malformed or negative `after` or `limit`"),
                                   "401": error(AUTH), "403": error("`forbidden`: outreach workers"),
                                   "404": error("`not_found`: no case of your centre has this id") } }
            },
            "/v1/sync/push": {
                "post": { "summary": "Applies a batch of changes; one to a case of your centre not yours is refused alone (`out_of_scope`), and the batch is refused whole if any edits another centre's",
                    "security": authenticated(), "requestBody": body("PushRequest"),
                    "responses": { "200": answer("How many were accepted, and each refusal", Some("PushResponse")),
                                   "400": error("`bad_request`"), "401": error(AUTH),
                                   "404": error("`not_found`: a record of another centre; nothing applied"),
                                   "413": error("`too_large`") } }
            },
            "/v1/sync/restate": {
                "post": { "summary": "After a restore (a new epoch), merges back every record a device holds; \
                    a record already held as sent changes nothing. Refused whole if any record is another centre's",
                    "security": authenticated(), "requestBody": body("RestateRequest"),
                    "responses": { "200": answer("One result per record; `out_of_scope` for one not yours",
                                                 Some("RestateResponse")),
                                   "400": error("`bad_request`"), "401": error(AUTH),
                                   "404": error("`not_found`: a record is another centre's; nothing merged"),
                                   "413": error("`too_large`") } }
            },
            "/v1/sync/pull": {
                "get": { "summary": "The next page of the records you may see, and of those you no longer may",
                    "security": authenticated(),
                    "parameters": [
                        { "name": "after", "in": "query", "schema": { "type": "integer" } },
                        { "name": "limit", "in": "query", "schema": { "type": "integer", "maximum": 1000 } }
                    ],
                    "responses": { "200": answer("A page", Some("PullResponse")),
                                   "400": error("`bad_request`"), "401": error(AUTH) } }
            }
        }
    });
    for more in [sync_schemas(), history_schemas()] {
        if let (Some(schemas), Value::Object(more)) =
            (document["components"]["schemas"].as_object_mut(), more)
        {
            schemas.extend(more);
        }
    }
    document
}

/// The bodies of `/v1/cases/{id}/history`, apart, for the reason given at [`sync_schemas`].
fn history_schemas() -> Value {
    let any = json!({ "description": "A field's value, as the change wrote it: any JSON" });
    json!({
        "Stamp": object(&["t", "c", "d"], json!({
            "t": millis(), "c": { "type": "integer", "minimum": 0,
                                  "description": "a counter within one millisecond" },
            "d": { "type": "string", "format": "uuid",
                   "description": "the device that wrote the value" } })),
        "CaseHistory": object(&["entries"], json!({
            "entries": { "type": "array", "items": schema("HistoryEntry") },
            "next": { "type": ["integer", "null"],
                      "description": "The `after` of the next page; null or absent when \
                        the server held no more when it answered." } })),
        "HistoryEntry": object(
            &["seq", "change", "record", "kind", "field", "value", "stamp", "device",
              "received_at"],
            json!({
                "seq": { "type": "integer", "description": "The change's number in the \
                    centre's sequence: its commit order" },
                "change": uuid(), "record": uuid(),
                "kind": { "type": "string", "description": "The record's kind: `case`, \
                    `service`, `session`, `note`, `closure`, …" },
                "field": string(), "value": any,
                "before": { "description": "The value the writer saw and replaced (that of \
                    the change to the same field whose stamp is `base`); absent when the \
                    field was empty to her or the server holds no such change" },
                "stamp": schema("Stamp"),
                "base": { "allOf": [schema("Stamp")], "description": "The stamp of the \
                    value the writer saw; absent when the field was empty to her." },
                "device": { "type": "string", "format": "uuid",
                            "description": "The device whose push carried the change" },
                "account": { "type": "string", "format": "uuid", "description": "The \
                    account known to push from `device`; absent unless exactly one is" },
                "by": { "type": "string", "description": "That account's display name" },
                "received_at": millis() }))
    })
}

/// The bodies of `/v1/sync/…`, apart: one `json!` of every schema passes the macro's depth.
fn sync_schemas() -> Value {
    json!({
        "Change": { "type": "object", "description": "One edit of one field: id, record, \
            kind, field, value, stamp, base stamp (see the domain crate)" },
        "Record": { "type": "object", "description": "A record's full field-stamped \
            snapshot (see the domain crate)" },
        "PushRequest": object(&["protocol", "device", "changes"], json!({
            "protocol": { "type": "integer" }, "device": uuid(),
            "seen": { "allOf": [schema("Seen")], "description": "Optional: where your \
                pulling stands, so that the answer can say you are caught up." },
            "changes": { "type": "array", "items": schema("Change") } })),
        "Seen": object(&["cursor"], json!({
            "epoch": { "type": "string", "format": "uuid", "description": "Absent only with \
                cursor 0: a device that holds nothing yet." },
            "cursor": { "type": "integer", "minimum": 0 } })),
        "RefusedChange": object(&["change", "code", "reason"], json!({
            "change": uuid(), "code": string(), "reason": string() })),
        "PushResponse": object(&["epoch", "accepted"], json!({
            "epoch": uuid(),
            "accepted": { "type": "integer", "minimum": 0,
                          "description": "How many changes were accepted: every one \
                            sent that `refused` does not name." },
            "refused": { "type": "array", "items": schema("RefusedChange"),
                         "description": "Absent when none was." },
            "caught_up": { "type": "integer", "minimum": 0,
                           "description": "Given when `seen` was of this epoch and \
                             nothing else in your scope changed after it: keep this as \
                             your pull cursor." } })),
        "RestateRequest": object(&["protocol", "device", "records"], json!({
            "protocol": { "type": "integer" }, "device": uuid(),
            "records": { "type": "array", "items": schema("Record"),
                         "maxItems": MAX_RESTATE_RECORDS } })),
        "RecordResult": object(&["record", "outcome"], json!({
            "record": uuid(),
            "outcome": { "type": "string", "enum": ["accepted", "rejected"] },
            "code": string(), "reason": string() })),
        "RestateResponse": object(&["epoch", "results"], json!({
            "epoch": uuid(),
            "results": { "type": "array", "items": schema("RecordResult") } })),
        "PullResponse": object(&["epoch", "records", "cursor", "more"], json!({
            "epoch": uuid(),
            "records": { "type": "array", "items": schema("Record") },
            "gone": { "type": "array", "items": uuid(),
                      "description": "Records that left your scope after the cursor (a \
                        case assigned away from an outreach worker): remove them. Each \
                        left at the sequence number of the change that took it away, so \
                        `cursor` covers both lists. Never a record that is in `records`; \
                        only outreach workers get any; absent when empty." },
            "cursor": { "type": "integer" }, "more": { "type": "boolean" } }))
    })
}
