//! The bodies of setup, sessions, accounts and the audit log (`/api/v1/setup`, `/api/v1/session`,
//! `/api/v1/accounts`, `/api/v1/centre`, `/api/v1/audit`), and the stable error codes every API answer may carry.
//!
//! Times are whole milliseconds since the Unix epoch (UTC), like the stamps of changes.
//! A session is sent back as `Authorization: Bearer <token>` on every other request.

use crate::account::{LockMinutes, Role};
use crate::ids::{AccountId, CentreId, DeviceId, ExportId, RecordId};
use serde::{Deserialize, Deserializer, Serialize};

/// The largest body the server reads for a login, setup or account request, in bytes: far above
/// any honest one (a password is at most 128 characters), so that a huge password cannot make the
/// server hash megabytes.
pub const MAX_ACCOUNT_BODY_BYTES: usize = 4 * 1024;
/// The most audit entries one page may hold.
pub const MAX_AUDIT_LIMIT: u32 = 500;

/// Stable codes in [`ErrorBody::code`](super::ErrorBody), for the app to translate. The English
/// `error` text beside them may change.
pub mod code {
    /// 503: no centre is set up yet; only health, setup and the API document answer.
    pub const SETUP_REQUIRED: &str = "setup_required";
    /// 403: the setup code is wrong, used or expired.
    pub const BAD_SETUP_CODE: &str = "bad_setup_code";
    /// 409: setup is done and this code cannot set up another centre.
    pub const ALREADY_SET_UP: &str = "already_set_up";
    /// 401: wrong username or password, or a disabled account (the same answer, on purpose).
    pub const BAD_LOGIN: &str = "bad_login";
    /// 401: no token, or one that is unknown, expired or revoked: log in again.
    pub const UNAUTHENTICATED: &str = "unauthenticated";
    /// 403: the account's role may not do this.
    pub const FORBIDDEN: &str = "forbidden";
    /// 404: no such path, or a record or account that is not yours to see.
    pub const NOT_FOUND: &str = "not_found";
    /// 429: too many failed tries; wait the `Retry-After` seconds.
    pub const TOO_MANY_TRIES: &str = "too_many_tries";
    /// 409: another account of any centre has this username.
    pub const USERNAME_TAKEN: &str = "username_taken";
    /// 409: the centre code is already used by another centre.
    pub const CENTRE_CODE_TAKEN: &str = "centre_code_taken";
    /// 409: an administrator cannot disable herself or take away her own role.
    pub const CANNOT_CHANGE_SELF: &str = "cannot_change_self";
    /// 400: the body or query cannot be read; the text says why.
    pub const BAD_REQUEST: &str = "bad_request";
    /// 413: the body is too big.
    pub const TOO_LARGE: &str = "too_large";
    /// 405: the path does not take this method.
    pub const METHOD_NOT_ALLOWED: &str = "method_not_allowed";
    /// 500: the server failed; try again later.
    pub const SERVER_ERROR: &str = "server_error";
    // The rules of [`AccountRule`](crate::AccountRule) answer 400 with its own codes:
    // `bad_username`, `bad_display_name`, `password_too_short`, `password_too_long`,
    // `password_is_username`, `password_too_common`, `bad_centre_code`, `bad_centre_detail`,
    // `bad_lock_minutes`, `bad_purge_days`, `hidden_characters`.
}

/// `GET /api/v1/setup`: whether the server still waits for its first centre.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupStatus {
    pub needed: bool,
}

/// `POST /api/v1/setup`: makes a centre and its first administrator with a one-time setup code.
/// The first code is printed by the server when it starts without a centre; later ones by
/// `sakhi-server centre add`. Answered 201 with a [`Session`] of the new administrator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupRequest {
    pub code: String,
    pub centre: NewCentre,
    pub admin: NewAdministrator,
}

/// A centre as setup makes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCentre {
    /// 2 to 8 capital letters, such as `DHR`; unique.
    pub code: String,
    pub name: String,
    pub district: String,
    pub state: String,
}

/// The first administrator of a centre.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAdministrator {
    pub username: String,
    pub display_name: String,
    pub password: String,
}

/// `POST /api/v1/session`: logs in on a device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginRequest {
    /// Compared without regard to case.
    pub username: String,
    pub password: String,
    pub device: DeviceId,
}

/// A session: the bearer token to send, when it ends at the latest, and whose it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// 256 random bits, base64url without padding. Send as `Authorization: Bearer <token>`.
    pub token: String,
    /// When the session ends at the latest, in milliseconds since the Unix epoch. It ends earlier
    /// if unused for the server's idle time, or when it is revoked: any answer 401
    /// `unauthenticated` means "log in again".
    pub expires_at: u64,
    pub account: Account,
}

/// A centre, as its accounts see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Centre {
    pub id: CentreId,
    pub code: String,
    pub name: String,
    pub district: String,
    pub state: String,
    /// After how many idle minutes the centre's phones lock, 1 to 60; 5 unless an administrator
    /// chose otherwise (and for a server from before the setting).
    #[serde(default = "default_lock_minutes")]
    pub lock_minutes: u8,
    /// At most how many days outreach workers' phones keep the cases they synced, 1 to 365
    /// ([`PurgeDays`](crate::PurgeDays)); `null` (and absent, from a server from before the
    /// setting) for no limit, which is how every centre starts.
    #[serde(default)]
    pub purge_days: Option<u16>,
}

fn default_lock_minutes() -> u8 {
    LockMinutes::DEFAULT.get()
}

/// `PATCH /api/v1/centre`: an administrator changes her centre's settings; what is absent stays.
/// Answered with the [`Centre`]. A value outside its rule is refused 400 with the rule's code
/// (`bad_lock_minutes`, `bad_purge_days`), and nothing changes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CentrePatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lock_minutes: Option<u32>,
    /// `Some(Some(days))` sets a limit, `Some(None)` (sent as `null`) removes it, `None` (absent)
    /// leaves it as it is.
    #[serde(
        default,
        deserialize_with = "given",
        skip_serializing_if = "Option::is_none"
    )]
    pub purge_days: Option<Option<u32>>,
}

/// Reads a field whose `null` means something: present, it is `Some` even when null; absent,
/// `#[serde(default)]` leaves it `None`.
fn given<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// An account: `GET /api/v1/session` answers the caller's; the accounts API answers others.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: AccountId,
    /// In lower case.
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub centre: Centre,
    #[serde(default)]
    pub disabled: bool,
    /// Milliseconds since the Unix epoch.
    #[serde(default)]
    pub created_at: u64,
}

/// `GET /api/v1/accounts`: the accounts of the caller's centre, oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountList {
    pub accounts: Vec<Account>,
}

/// `GET /api/v1/centre/staff`: who works at the caller's centre, for any of its workers: to
/// assign a case to someone, and to say who wrote a value under review. Disabled accounts are left
/// out.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Staff {
    pub staff: Vec<StaffMember>,
}

/// One worker of the centre, and the devices she has logged in on or sent changes from: a phone's
/// id, and the id of her store on it, which stamps what she writes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMember {
    pub id: AccountId,
    pub display_name: String,
    pub role: Role,
    pub devices: Vec<DeviceId>,
}

/// `POST /api/v1/accounts`: a new account in the administrator's centre. Answered 201 with the
/// [`Account`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub password: String,
}

/// `PATCH /api/v1/accounts/{id}`: what to change; what is absent stays. Disabling an account ends
/// its sessions at once.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
}

/// `POST /api/v1/accounts/{id}/password`: sets a new password and ends the account's sessions.
/// Answered 204.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordReset {
    pub password: String,
}

/// What an export holds: a centre's cases, or its awareness camps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportKind {
    Cases,
    Camps,
}

impl ExportKind {
    /// Its name in a file name and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ExportKind::Cases => "cases",
            ExportKind::Camps => "camps",
        }
    }
}

/// The most exports one request logs: a phone sends what it kept while offline, this many at a
/// time.
pub const MAX_EXPORT_NOTICES: usize = 100;

/// An export a worker made on her phone (a CSV file), told to the server for its audit log; a
/// phone keeps it until the server has it, so an export made offline is logged when she syncs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportNotice {
    /// Made with the export and kept while it waits, so that a notice sent again (its answer
    /// lost) is logged once. A phone from before ids sends none: its notice is logged each time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<ExportId>,
    pub what: ExportKind,
    /// Whether names, phone numbers and addresses were in it.
    pub personal: bool,
    /// How many rows it held.
    pub rows: u64,
    /// When it was made, by the phone's clock (milliseconds since 1970).
    pub at: u64,
}

/// `POST /api/v1/audit/exports`: exports to log, oldest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportNotices {
    pub exports: Vec<ExportNotice>,
}

/// `GET /api/v1/audit?before=ID&limit=N`: entries with an id below `before` (all if absent),
/// newest first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    pub before: Option<u64>,
    #[serde(default)]
    pub limit: Option<u32>,
}

/// One page of the audit log, newest first. Pass the last entry's id as `before` for the next.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    pub more: bool,
}

/// One thing that happened: who, from which device and address, when, what, to which records,
/// and how it ended. Never any content of a record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Grows with every entry.
    pub id: u64,
    /// Milliseconds since the Unix epoch.
    pub at: u64,
    #[serde(default)]
    pub centre: Option<CentreId>,
    #[serde(default)]
    pub account: Option<AccountId>,
    /// For failed logins: the username tried, as typed (at most 64 characters).
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub device: Option<DeviceId>,
    /// The client's address.
    #[serde(default)]
    pub address: Option<String>,
    /// `login`, `logout`, `setup`, `push`, `restate`, `pull`, `account_create`, `account_update`,
    /// `password_reset`, `refused`.
    pub action: String,
    /// `ok`, or why it failed or was refused (`bad_login`, `other_centre`, `out_of_scope`,
    /// `forbidden`, …).
    pub outcome: String,
    /// The records concerned (pushed, sent or refused).
    #[serde(default)]
    pub records: Vec<RecordId>,
    /// Counts and names, such as `accepted=3 rejected=1` or the account changed; never values.
    #[serde(default)]
    pub detail: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_session_travels_in_the_agreed_shape() {
        let centre = CentreId::new();
        let account = AccountId::new();
        let body = json!({
            "token": "abc",
            "expires_at": 1_750_000_000_000u64,
            "account": {
                "id": account,
                "username": "sita",
                "display_name": "सीता",
                "role": "outreach_worker",
                "centre": {"id": centre, "code": "DHR", "name": "OSC", "district": "D", "state": "S"}
            }
        });
        let session: Session = serde_json::from_value(body).unwrap();
        assert_eq!(session.account.role, Role::OutreachWorker);
        assert!(!session.account.disabled);
        // A server from before the centre's settings sent none: the defaults hold.
        assert_eq!(session.account.centre.lock_minutes, 5);
        assert_eq!(session.account.centre.purge_days, None);
    }

    #[test]
    fn a_centre_patch_tells_a_purge_limit_removed_from_one_left_alone() {
        let read = |body: &str| {
            serde_json::from_str::<CentrePatch>(body)
                .unwrap()
                .purge_days
        };
        assert_eq!(read("{}"), None);
        assert_eq!(read(r#"{"purge_days":null}"#), Some(None));
        assert_eq!(read(r#"{"purge_days":30}"#), Some(Some(30)));
        for (patch, body) in [
            (CentrePatch::default(), "{}"),
            (
                CentrePatch {
                    purge_days: Some(None),
                    ..CentrePatch::default()
                },
                r#"{"purge_days":null}"#,
            ),
            (
                CentrePatch {
                    purge_days: Some(Some(30)),
                    ..CentrePatch::default()
                },
                r#"{"purge_days":30}"#,
            ),
        ] {
            assert_eq!(serde_json::to_string(&patch).unwrap(), body);
        }
    }

    #[test]
    fn an_empty_patch_is_an_empty_object() {
        assert_eq!(
            serde_json::to_string(&AccountPatch::default()).unwrap(),
            "{}"
        );
        let patch: AccountPatch = serde_json::from_str(r#"{"disabled":true}"#).unwrap();
        assert_eq!(patch.disabled, Some(true));
    }
}
