//! Where each request of the API goes: the one list of paths that the server builds its router
//! from and the app sends its requests to. A path with a parameter is written as the router's
//! template (`{id}`), with a function beside it that fills the parameter in.

use crate::ids::{AccountId, CaseId, RecordId};

/// Where the server nests the API; every path below starts with it.
pub const PREFIX: &str = "/api";

pub const HEALTH: &str = "/api/v1/health";
pub const OPENAPI: &str = "/api/v1/openapi.json";
/// `GET`: whether the server is set up; `POST`: set it up.
pub const SETUP: &str = "/api/v1/setup";
/// `POST`: log in; `GET`: the account of the session; `DELETE`: log out.
pub const SESSION: &str = "/api/v1/session";
pub const ACCOUNTS: &str = "/api/v1/accounts";
pub const ACCOUNT: &str = "/api/v1/accounts/{id}";
pub const ACCOUNT_PASSWORD: &str = "/api/v1/accounts/{id}/password";
pub const CENTRE: &str = "/api/v1/centre";
pub const CENTRE_STAFF: &str = "/api/v1/centre/staff";
pub const AUDIT: &str = "/api/v1/audit";
pub const AUDIT_EXPORTS: &str = "/api/v1/audit/exports";
pub const MONTHLY_REPORT: &str = "/api/v1/reports/monthly";
pub const CASE_HISTORY: &str = "/api/v1/cases/{id}/history";
pub const PUSH: &str = "/api/v1/sync/push";
pub const RESTATE: &str = "/api/v1/sync/restate";
pub const PULL: &str = "/api/v1/sync/pull";
/// `GET`: where the upload of an attachment's content stands.
pub const ATTACHMENT_UPLOAD: &str = "/api/v1/attachments/{id}/upload";
/// `PUT`: send a chunk of an attachment's content; `GET`: read one back, once it is received.
pub const ATTACHMENT_CHUNK: &str = "/api/v1/attachments/{id}/chunks/{n}";

/// `path` as the router nested under [`PREFIX`] knows it: `/v1/health` for [`HEALTH`].
/// Evaluated when the server's route table is built, so a path without the prefix fails the build.
pub const fn under_prefix(path: &'static str) -> &'static str {
    let Some((start, rest)) = path.split_at_checked(PREFIX.len()) else {
        panic!("an API path must start with the API's prefix");
    };
    let (start, prefix) = (start.as_bytes(), PREFIX.as_bytes());
    let mut i = 0;
    while i < prefix.len() {
        assert!(
            start[i] == prefix[i],
            "an API path must start with the API's prefix"
        );
        i += 1;
    }
    rest
}

/// [`ACCOUNT`] for the account `id`.
pub fn account(id: AccountId) -> String {
    ACCOUNT.replace("{id}", &id.to_string())
}

/// [`ACCOUNT_PASSWORD`] for the account `id`.
pub fn account_password(id: AccountId) -> String {
    ACCOUNT_PASSWORD.replace("{id}", &id.to_string())
}

/// [`CASE_HISTORY`] for the case `id`.
pub fn case_history(id: CaseId) -> String {
    CASE_HISTORY.replace("{id}", &id.to_string())
}

/// [`ATTACHMENT_UPLOAD`] for the attachment `id`.
pub fn attachment_upload(id: RecordId) -> String {
    ATTACHMENT_UPLOAD.replace("{id}", &id.to_string())
}

/// [`ATTACHMENT_CHUNK`] for chunk `n` of the attachment `id`.
pub fn attachment_chunk(id: RecordId, n: u32) -> String {
    ATTACHMENT_CHUNK
        .replace("{id}", &id.to_string())
        .replace("{n}", &n.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_under_the_prefix_loses_only_the_prefix() {
        assert_eq!(under_prefix(HEALTH), "/v1/health");
        assert_eq!(under_prefix(CASE_HISTORY), "/v1/cases/{id}/history");
    }

    #[test]
    fn a_path_with_an_id_has_it_in_place_of_the_template() {
        let account_id = AccountId::new();
        let case = CaseId::new();
        assert_eq!(
            account(account_id),
            format!("/api/v1/accounts/{account_id}")
        );
        assert_eq!(
            account_password(account_id),
            format!("/api/v1/accounts/{account_id}/password")
        );
        assert_eq!(case_history(case), format!("/api/v1/cases/{case}/history"));
    }
}
