//! The API's OpenAPI 3.1 document, built by hand so that it says exactly what the handlers do.
//! A test checks that it names every route of [`super::ROUTES`] and no other.

use super::request::{MAX_HEADER_BYTES, MAX_URI_BYTES};
use crate::error::UNSUPPORTED_MEDIA_TYPE;
use axum::Json;
use sakhi_domain::wire::account::{MAX_ACCOUNT_BODY_BYTES, MAX_AUDIT_LIMIT, MAX_EXPORT_NOTICES};
use sakhi_domain::wire::attachment::{CHUNK_BYTES, code};
use sakhi_domain::wire::history::{DEFAULT_HISTORY_LIMIT, MAX_HISTORY_LIMIT};
use sakhi_domain::wire::paths::{self, under_prefix};
use sakhi_domain::wire::{
    MAX_PULL_LIMIT, MAX_PUSH_BYTES, MAX_PUSH_CHANGES, MAX_RESTATE_RECORDS, PROTOCOL,
};
use sakhi_domain::{DisplayName, LockMinutes, Password, PurgeDays, Username};
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

/// A PATCH's body is JSON, said so.
const NOT_JSON: &str =
    "`unsupported_media_type`: a body not sent as `Content-Type: application/json`";

/// 413: a body past `bytes` once unpacked, or (`what`) more items than a request may carry.
fn too_large(bytes: usize, what: &str) -> Value {
    error(&format!(
        "`too_large`: a body past {bytes} bytes once unpacked{what}"
    ))
}

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

/// Characters no text the server keeps may hold: the control characters (`char::is_control`).
const NO_CONTROLS: &str = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$";

/// A username as `Username::parse` takes it: trimmed, then 3 to 32 of these, in any case.
fn username() -> Value {
    json!({ "type": "string",
            "pattern": format!("^\\s*[A-Za-z0-9._-]{{{},{}}}\\s*$",
                               Username::MIN_CHARS, Username::MAX_CHARS),
            "description": format!("{} to {} letters a-z, digits, dots, dashes or underscores; \
                compared and kept in lower case, spaces around it trimmed (`bad_username`)",
                Username::MIN_CHARS, Username::MAX_CHARS) })
}

/// A new password as `Password::parse` takes it.
fn password() -> Value {
    json!({ "type": "string", "minLength": Password::MIN_CHARS, "maxLength": Password::MAX_CHARS,
            "pattern": NO_CONTROLS,
            "description": format!("{} to {} characters of any script, counted as characters, \
                not bytes (`password_too_short`, `password_too_long`); no control character \
                (`hidden_characters`); not the username (`password_is_username`) nor a common \
                password (`password_too_common`)", Password::MIN_CHARS, Password::MAX_CHARS) })
}

/// A name to show, as `DisplayName::parse` takes it.
fn display_name() -> Value {
    json!({ "type": "string", "minLength": 1, "maxLength": DisplayName::MAX_CHARS,
            "pattern": "^[^\\u0000-\\u001F\\u007F-\\u009F\\u061C\\u200E\\u200F\\u202A-\\u202E\\u2066-\\u2069]*\\S[^\\u0000-\\u001F\\u007F-\\u009F\\u061C\\u200E\\u200F\\u202A-\\u202E\\u2066-\\u2069]*$",
            "description": format!("1 to {} characters of any script once spaces around it are \
                trimmed (`bad_display_name`); no control character or mark that turns the \
                direction of text (U+061C, U+200E, U+200F, U+202A to U+202E, U+2066 to U+2069: \
                `hidden_characters`)", DisplayName::MAX_CHARS) })
}

/// A centre's name, district or state, as `centre_detail` takes it.
fn centre_detail() -> Value {
    json!({ "type": "string", "minLength": 1, "maxLength": 100,
            "pattern": "^[^\\u0000-\\u001F\\u007F-\\u009F\\u061C\\u200E\\u200F\\u202A-\\u202E\\u2066-\\u2069]*\\S[^\\u0000-\\u001F\\u007F-\\u009F\\u061C\\u200E\\u200F\\u202A-\\u202E\\u2066-\\u2069]*$",
            "description": "1 to 100 characters once spaces around it are trimmed \
                (`bad_centre_detail`); no control character or direction mark \
                (`hidden_characters`)" })
}

/// The protocol version of a sync request: this server's only.
fn protocol() -> Value {
    json!({ "type": "integer", "const": PROTOCOL,
            "description": format!("The sync protocol the device speaks: this server speaks \
                version {PROTOCOL} only, and answers another with 400 `bad_request` naming \
                both versions") })
}

/// A query parameter the server holds to `[1, max]`, whatever is sent (an unsigned 32-bit
/// integer; anything else is 400).
fn clamped_limit(default: u32, max: u32) -> Value {
    json!({ "name": "limit", "in": "query",
            "schema": { "type": "integer", "minimum": 0, "maximum": u32::MAX,
                        "default": default },
            "description": format!("How many at most: held to between 1 and {max} (a larger \
                one answers {max}, 0 answers 1); not an integer of 0 to {} is 400", u32::MAX) })
}

/// A month as `Month::parse` reads it: `YYYY-MM` from 1900-01 to 2100-12.
fn month() -> Value {
    json!({ "type": "string", "pattern": "^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])$",
            "description": "YYYY-MM, from 1900-01 to 2100-12" })
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
            "description": format!("Accounts, sessions and sync for One Stop Centres. Every answer carries \
                Cache-Control: no-store. Errors are an ErrorBody with a stable `code`. Until a \
                centre is set up, every path but health, setup and this document answers 503 \
                `setup_required`. Any path answers 414 `too_large` past {MAX_URI_BYTES} bytes \
                of path and query and 431 `too_large` past {MAX_HEADER_BYTES} bytes of headers \
                (past 65,534 bytes of address, 100 headers or about 400 KiB of them, the HTTP \
                layer answers 414 or 431 itself, with no body), and 415 \
                `unsupported_media_type` to a body whose Content-Encoding is not gzip (once) or \
                identity. Bodies are JSON, gzipped or not; each body limit counts the bytes \
                unpacked.")
        },
        "servers": [{ "url": paths::PREFIX }],
        "components": {
            "securitySchemes": {
                "bearer": { "type": "http", "scheme": "bearer",
                            "description": "The `token` of a Session" }
            },
            "schemas": {
                "ErrorBody": object(&["error"], json!({ "error": string(), "code": string() })),
                "Health": object(&["status", "protocol"],
                    json!({ "status": string(), "protocol": protocol() })),
                "SetupStatus": object(&["needed"], json!({ "needed": { "type": "boolean" } })),
                "NewCentre": object(&["code", "name", "district", "state"], json!({
                    "code": { "type": "string", "pattern": "^\\s*[A-Z]{2,8}\\s*$",
                              "description": "2 to 8 capital letters, spaces around trimmed \
                                (`bad_centre_code`)" },
                    "name": centre_detail(), "district": centre_detail(),
                    "state": centre_detail() })),
                "NewAdministrator": object(&["username", "display_name", "password"], json!({
                    "username": username(), "display_name": display_name(),
                    "password": password() })),
                "SetupRequest": object(&["code", "centre", "admin"], json!({
                    "code": string(), "centre": schema("NewCentre"),
                    "admin": schema("NewAdministrator") })),
                "LoginRequest": object(&["username", "password", "device"], json!({
                    "username": { "type": "string", "pattern": NO_CONTROLS,
                        "description": "Compared without regard to case; one with a control \
                            character is 400 `bad_username`, any other that no account has is \
                            401 `bad_login`" },
                    "password": { "type": "string", "maxLength": Password::MAX_CHARS,
                        "description": format!("Past {} characters, 400 `password_too_long`; \
                            a wrong one, 401 `bad_login`", Password::MAX_CHARS) },
                    "device": uuid() })),
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
                    "username": username(), "display_name": display_name(),
                    "role": schema("Role"), "password": password() })),
                "AccountPatch": object(&[], json!({
                    "display_name": display_name(), "role": schema("Role"),
                    "disabled": { "type": "boolean" } })),
                "PasswordReset": object(&["password"], json!({ "password": password() })),
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
                        json!({ "id": { "type": "string", "format": "uuid",
                                        "description": "Made with the export: a notice sent \
                                            again with the same id is logged once. Optional" },
                                "what": { "enum": ["cases", "camps"] },
                                "personal": { "type": "boolean" },
                                "rows": { "type": "integer", "minimum": 0,
                                          "maximum": u64::MAX },
                                "at": { "type": "integer", "minimum": 0, "maximum": u64::MAX,
                                        "description": "When it was made, by the phone's \
                                            clock: milliseconds since the Unix epoch" } })) } })),
                "AuditPage": object(&["entries", "more"], json!({
                    "entries": { "type": "array", "items": schema("AuditEntry") },
                    "more": { "type": "boolean" } })),
                "MonthlyReport": object(
                    &["month", "cases_registered", "by_violence", "by_source", "services_given",
                      "sessions_held", "closed_by_reason", "camps_held", "attendance"],
                    json!({
                        "month": month(),
                        "cases_registered": { "type": "integer" },
                        "by_violence": tally(), "by_source": tally(), "services_given": tally(),
                        "sessions_held": { "type": "integer" },
                        "closed_by_reason": tally(), "camps_held": { "type": "integer" },
                        "attendance": tally() })),

            }
        },
        "paths": {
            (under_prefix(paths::HEALTH)): {
                "get": { "summary": "Whether the server answers, and its protocol version",
                    "responses": { "200": answer("Healthy", Some("Health")) } }
            },
            (under_prefix(paths::OPENAPI)): {
                "get": { "summary": "This document",
                    "responses": { "200": { "description": "The OpenAPI document" } } }
            },
            (under_prefix(paths::SETUP)): {
                "get": { "summary": "Whether a first centre must still be set up",
                    "responses": { "200": answer("Status", Some("SetupStatus")) } },
                "post": { "summary": "Sets up a centre and its first administrator with a one-time code",
                    "requestBody": body("SetupRequest"),
                    "responses": {
                        "201": answer("Set up; the administrator's session", Some("Session")),
                        "400": error("`bad_request` or a rule's code (`bad_username`, `password_too_short`, …)"),
                        "403": error("`bad_setup_code`"),
                        "409": error("`already_set_up`, `username_taken` or `centre_code_taken`"),
                        "413": too_large(MAX_ACCOUNT_BODY_BYTES, ""),
                        "429": error("`too_many_tries`; see Retry-After")
                    } }
            },
            (under_prefix(paths::SESSION)): {
                "post": { "summary": "Logs in on a device",
                    "requestBody": body("LoginRequest"),
                    "responses": {
                        "200": answer("Logged in", Some("Session")),
                        "400": error("`bad_request`, `bad_username` (a control character) or `password_too_long`"),
                        "401": error("`bad_login` (wrong username or password, or disabled)"),
                        "413": too_large(MAX_ACCOUNT_BODY_BYTES, ""),
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
            (under_prefix(paths::ACCOUNTS)): {
                "get": { "summary": "The accounts of the administrator's centre",
                    "security": authenticated(),
                    "responses": { "200": answer("The accounts", Some("AccountList")),
                                   "401": error(AUTH), "403": error("`forbidden`") } },
                "post": { "summary": "Makes an account in the administrator's centre",
                    "security": authenticated(), "requestBody": body("NewAccount"),
                    "responses": { "201": answer("Made", Some("Account")),
                                   "400": error("`bad_request` or a rule's code"), "401": error(AUTH),
                                   "403": error("`forbidden`"), "409": error("`username_taken`"),
                                   "413": too_large(MAX_ACCOUNT_BODY_BYTES, "") } }
            },
            (under_prefix(paths::ACCOUNT)): {
                "patch": { "summary": "Changes an account's name, role or disabled flag; disabling ends its sessions",
                    "security": authenticated(),
                    "parameters": [{ "name": "id", "in": "path", "required": true, "schema": uuid() }],
                    "requestBody": body("AccountPatch"),
                    "responses": { "200": answer("Changed", Some("Account")),
                                   "400": error("`bad_display_name`, `hidden_characters` or `bad_request` (a body that is no JSON object)"),
                                   "401": error(AUTH), "403": error("`forbidden`"),
                                   "404": error("`not_found` (also another centre's account, or an id that is no UUID)"),
                                   "409": error("`cannot_change_self`"),
                                   "413": too_large(MAX_ACCOUNT_BODY_BYTES, ""),
                                   "415": error(NOT_JSON) } }
            },
            (under_prefix(paths::ACCOUNT_PASSWORD)): {
                "post": { "summary": "Sets a new password for an account and ends its sessions",
                    "security": authenticated(),
                    "parameters": [{ "name": "id", "in": "path", "required": true, "schema": uuid() }],
                    "requestBody": body("PasswordReset"),
                    "responses": { "204": answer("Set", None),
                                   "400": error("`bad_request` or a password rule's code"), "401": error(AUTH),
                                   "403": error("`forbidden`"), "404": error("`not_found`"),
                                   "413": too_large(MAX_ACCOUNT_BODY_BYTES, "") } }
            },
            (under_prefix(paths::CENTRE)): {
                "patch": { "summary": "Changes the settings of the administrator's own centre; what is absent stays (`purge_days`: null removes the limit)",
                    "security": authenticated(), "requestBody": body("CentrePatch"),
                    "responses": { "200": answer("Changed", Some("Centre")),
                                   "400": error("`bad_lock_minutes`, `bad_purge_days` or `bad_request` (a body that is no JSON object); nothing changed"),
                                   "401": error(AUTH), "403": error("`forbidden`"),
                                   "413": too_large(MAX_ACCOUNT_BODY_BYTES, ""),
                                   "415": error(NOT_JSON) } }
            },
            (under_prefix(paths::CENTRE_STAFF)): {
                "get": { "summary": "The active workers of the caller's centre and the devices each has logged in on",
                    "security": authenticated(),
                    "responses": { "200": answer("The staff", Some("Staff")), "401": error(AUTH) } }
            },
            (under_prefix(paths::AUDIT_EXPORTS)): {
                "post": { "summary": "Logs exports a worker made on her phone (kept there while offline): `export_cases` or `export_camps`, `with_personal`, `without_personal`, or `not_allowed` for names, phone numbers and addresses exported by anyone but an administrator",
                    "security": authenticated(), "requestBody": body("ExportNotices"),
                    "responses": { "204": { "description": "Logged" },
                                   "400": error("`bad_request`: not JSON, more than 100, or an unknown export; nothing logged"),
                                   "401": error(AUTH),
                                   "413": too_large(crate::api::audit::MAX_EXPORT_BODY_BYTES, "") } }
            },
            (under_prefix(paths::MONTHLY_REPORT)): {
                "get": { "summary": "The administrator's centre's figures for a month, counted from every record it holds: what the app's monthly report counts; every code of every list, zeros included",
                    "security": authenticated(),
                    "parameters": [
                        { "name": "month", "in": "query", "required": true, "schema": month(),
                          "description": "A month that has begun in India: a later one is 400" }
                    ],
                    "responses": { "200": answer("The report", Some("MonthlyReport")),
                                   "400": error("`bad_request`: no month, a malformed one, or one not begun in India"),
                                   "401": error(AUTH), "403": error("`forbidden`") } }
            },
            (under_prefix(paths::AUDIT)): {
                "get": { "summary": "The centre's audit log, newest first", "security": authenticated(),
                    "parameters": [
                        { "name": "before", "in": "query",
                          "schema": { "type": "integer", "minimum": 0, "maximum": u64::MAX },
                          "description": "The `id` of the last entry of the page before; absent \
                            for the newest" },
                        clamped_limit(100, MAX_AUDIT_LIMIT)
                    ],
                    "responses": { "200": answer("A page", Some("AuditPage")),
                                   "400": error("`bad_request`: a `before` or `limit` that is not such an integer"),
                                   "401": error(AUTH), "403": error("`forbidden`") } }
            },
            (under_prefix(paths::CASE_HISTORY)): {
                "get": { "summary": "Every change the centre holds of a case and of its work records (those whose `case` field names it), in the order the server committed them, each with the value it replaced and who sent it; for administrators and counsellors. Each page is audited (`history`)",
                    "security": authenticated(),
                    "parameters": [
                        { "name": "id", "in": "path", "required": true, "schema": uuid() },
                        { "name": "after", "in": "query",
                          "schema": { "type": "integer", "minimum": 0, "maximum": i64::MAX },
                          "description": "The `next` of the page before; absent for the first" },
                        clamped_limit(DEFAULT_HISTORY_LIMIT, MAX_HISTORY_LIMIT)
                    ],
                    "responses": { "200": answer("A page, oldest first", Some("CaseHistory")),
                                   "400": error("`bad_request`: an id that is not a UUID, or a malformed or negative `after` or `limit`"),
                                   "401": error(AUTH), "403": error("`forbidden`: outreach workers"),
                                   "404": error("`not_found`: no case of your centre has this id") } }
            },
            (under_prefix(paths::PUSH)): {
                "post": { "summary": "Applies a batch of changes; one to a case of your centre not yours is refused alone (`out_of_scope`), and the batch is refused whole if any edits another centre's",
                    "security": authenticated(), "requestBody": body("PushRequest"),
                    "responses": { "200": answer("How many were accepted, and each refusal", Some("PushResponse")),
                                   "400": error("`bad_request`"), "401": error(AUTH),
                                   "404": error("`not_found`: a record of another centre; nothing applied"),
                                   "413": too_large(MAX_PUSH_BYTES, &format!(", or more than {MAX_PUSH_CHANGES} changes")) } }
            },
            (under_prefix(paths::RESTATE)): {
                "post": { "summary": "After a restore (a new epoch), merges back every record a device holds; \
                    a record already held as sent changes nothing. Refused whole if any record is another centre's",
                    "security": authenticated(), "requestBody": body("RestateRequest"),
                    "responses": { "200": answer("One result per record; `out_of_scope` for one not yours",
                                                 Some("RestateResponse")),
                                   "400": error("`bad_request`"), "401": error(AUTH),
                                   "404": error("`not_found`: a record is another centre's; nothing merged"),
                                   "413": too_large(MAX_PUSH_BYTES, &format!(", or more than {MAX_RESTATE_RECORDS} records")) } }
            },
            (under_prefix(paths::PULL)): {
                "get": { "summary": "The next page of the records you may see, and of those you no longer may",
                    "security": authenticated(),
                    "parameters": [
                        { "name": "after", "in": "query",
                          "schema": { "type": "integer", "minimum": 0, "maximum": u64::MAX,
                                      "default": 0 },
                          "description": "The `cursor` of the page before; 0 or absent for the first" },
                        clamped_limit(200, MAX_PULL_LIMIT)
                    ],
                    "responses": { "200": answer("A page", Some("PullResponse")),
                                   "400": error("`bad_request`: an `after` or `limit` that is not such an integer"),
                                   "401": error(AUTH) } }
            }
        }
    });
    if let Some(paths) = document["paths"].as_object_mut()
        && let Value::Object(more) = attachment_paths()
    {
        paths.extend(more);
    }
    for more in [sync_schemas(), history_schemas(), attachment_schemas()] {
        if let (Some(schemas), Value::Object(more)) =
            (document["components"]["schemas"].as_object_mut(), more)
        {
            schemas.extend(more);
        }
    }
    document
}

/// The paths of `/v1/attachments/…`, apart, for the reason given at [`sync_schemas`]. Each
/// reaches an attachment as its case is reached; a refusal's code is final for what it refuses.
fn attachment_paths() -> Value {
    let id = json!({ "name": "id", "in": "path", "required": true, "schema": uuid(),
                     "description": "The attachment record's id" });
    let n = json!({ "name": "n", "in": "path", "required": true,
                    "schema": { "type": "integer", "minimum": 0, "maximum": u32::MAX },
                    "description": "The chunk's number, from 0" });
    let unreached = error(
        "`not_found`: no attachment of your centre (in your scope, for an \
        outreach worker) has this id; audited",
    );
    let undescribed = format!(
        "`{}`: the attachment record names no size, SHA-256 or case",
        code::NOT_DESCRIBED
    );
    json!({
        (under_prefix(paths::ATTACHMENT_UPLOAD)): {
            "get": { "summary": "Which chunks of the attachment's content the server holds, and whether the whole is received",
                "security": authenticated(), "parameters": [id.clone()],
                "responses": { "200": answer("Where the upload stands", Some("Upload")),
                               "400": error("`bad_request`: an id that is not a UUID"),
                               "401": error(AUTH), "404": unreached.clone(),
                               "409": error(&undescribed) } }
        },
        (under_prefix(paths::ATTACHMENT_CHUNK)): {
            "put": { "summary": format!("Keeps chunk `n` of the attachment's content: {CHUNK_BYTES} bytes, \
                    the last chunk the rest. Sending a chunk again changes nothing. The last chunk \
                    missing has the whole checked against the record's `sha256`; a match is \
                    audited (`attachment_received`)"),
                "security": authenticated(), "parameters": [id.clone(), n.clone()],
                "requestBody": { "required": true, "content": { "application/octet-stream": {
                    "schema": { "type": "string", "format": "binary" } } } },
                "responses": { "200": answer("Where the upload now stands", Some("Upload")),
                               "400": error(&format!("`bad_request`, `{}` (past the last chunk), \
                                   `{}` (not the bytes its number should hold)",
                                   code::CHUNK_OUT_OF_RANGE, code::WRONG_CHUNK_SIZE)),
                               "401": error(AUTH), "404": unreached.clone(),
                               "409": error(&undescribed),
                               "413": error(&format!("`too_large` (a body past {CHUNK_BYTES} bytes), \
                                   `{}` (the file is larger than the centre takes), `{}` (the \
                                   case's files would be), `{}` (the centre's would be)",
                                   code::FILE_TOO_LARGE, code::CASE_FULL, code::CENTRE_FULL)),
                               "415": error(&format!("`{UNSUPPORTED_MEDIA_TYPE}`: a body not sent \
                                   as `Content-Type: application/octet-stream`")),
                               "422": error(&format!("`{}`: the whole does not match its SHA-256; \
                                   every chunk was dropped, send it again", code::DIGEST_MISMATCH)) } },
            "get": { "summary": "Chunk `n` of the attachment's content, once the whole is received; audited (`attachment_read`)",
                "security": authenticated(), "parameters": [id, n],
                "responses": { "200": { "description": "The chunk's bytes",
                                        "content": { "application/octet-stream": {
                                            "schema": { "type": "string", "format": "binary" } } } },
                               "400": error(&format!("`bad_request`, `{}`", code::CHUNK_OUT_OF_RANGE)),
                               "401": error(AUTH), "404": unreached,
                               "409": error(&format!("{undescribed}; `{}`: not received whole yet",
                                                     code::NOT_RECEIVED)) } }
        }
    })
}

/// The body of `/v1/attachments/…`, apart, for the reason given at [`sync_schemas`].
fn attachment_schemas() -> Value {
    json!({
        "Upload": object(&["chunks", "received", "complete"], json!({
            "chunks": { "type": "integer", "minimum": 0,
                        "description": "How many chunks the content is sent in" },
            "received": { "type": "array", "items": { "type": "integer", "minimum": 0 },
                          "description": "The chunks the server holds, in order" },
            "complete": { "type": "boolean", "description": "Every chunk is there and the \
                whole matched its SHA-256" } }))
    })
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
            "protocol": protocol(), "device": uuid(),
            "seen": { "allOf": [schema("Seen")], "description": "Optional: where your \
                pulling stands, so that the answer can say you are caught up." },
            "changes": { "type": "array", "items": schema("Change"),
                         "maxItems": MAX_PUSH_CHANGES } })),
        "Seen": object(&["cursor"], json!({
            "epoch": { "type": "string", "format": "uuid", "description": "Absent only with \
                cursor 0: a device that holds nothing yet." },
            "cursor": { "type": "integer", "minimum": 0 } })),
        "RefusedChange": object(&["change", "code", "reason"], json!({
            "change": uuid(),
            "code": { "type": "string", "description": "Why, for programs: a schema code \
                (`unknown_field`, `wrong_type`, `too_long`, `control_character`, …), or \
                `clock_ahead` (stamped more than 5 minutes ahead of the server's clock: make \
                the edit again from the server's time, which the `Date` header gives), \
                `base_not_older`, `bad_stamp` (a counter above 2^20), `server_field`, \
                `case_fixed`, `append_only`, `unknown_case`, `out_of_scope`, \
                `kind_mismatch`, `duplicate_id`" },
            "reason": string() })),
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
            "protocol": protocol(), "device": uuid(),
            "epoch": { "type": "string", "format": "uuid", "description": "The server epoch \
                your copy comes from. Only with an epoch before this server's does the server \
                take back case numbers it stamped before its life began; any other number \
                given back is left out." },
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
