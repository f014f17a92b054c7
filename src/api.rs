//! Sakhi's server as the app calls it: one function per request, taking and returning the
//! domain's wire types at the domain's [`paths`], and one error, [`ApiError`], for whatever
//! status or failure stood in the way. Pages, the session and sync call the server only here.
//!
//! A page's request goes as the worker whose store it is given, with the session token kept in
//! it; a sync round reads the [`Token`] once and sends each of its requests with it. What an
//! HTTP status means is said here and nowhere else, the sync protocol's [`TransportError`]
//! included.

pub mod attachments;
mod fetch;

use crate::store::{Store, StoreError};
use fetch::{Answer, call};
use sakhi_domain::wire::account::{
    Account, AccountList, AccountPatch, AuditPage, AuditQuery, Centre, CentrePatch, ExportNotices,
    LoginRequest, NewAccount, PasswordReset, Session, SetupRequest, Staff,
};
use sakhi_domain::wire::history::{CaseHistory, HistoryQuery};
use sakhi_domain::wire::{
    PullQuery, PullResponse, PushRequest, PushResponse, RestateRequest, RestateResponse, paths,
};
use sakhi_domain::{AccountId, CaseId};
use sakhi_sync::TransportError;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The sealed secret in her store that holds the session token.
const TOKEN: &str = "session_token";

/// Why a request came to nothing.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("the server could not be reached")]
    Unreachable,
    /// A 401: the session ended (or, logging in, the name or password was wrong); also a phone
    /// that keeps no session.
    #[error("the worker's session ended: she must log in again")]
    LoggedOut,
    /// A 429: too many tries; wait this many seconds.
    #[error("too many tries: the server asks to wait {0} seconds")]
    Wait(u32),
    /// Any other status that is not a success, with the server's code (`ErrorBody::code`, empty
    /// if it gave none) for the page to say in her language.
    #[error("the server refused the request with status {status} ({code})")]
    Refused { status: u16, code: String },
    #[error("the server's answer could not be understood: {0}")]
    Unreadable(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ApiError {
    /// What an answer with `status`, which is not a success, means; `retry_after` and `code` as
    /// the answer gave them.
    fn of_status(status: u16, retry_after: Option<u32>, code: Option<String>) -> ApiError {
        match status {
            401 => ApiError::LoggedOut,
            // The server always says how long; a minute if a proxy on the way dropped it.
            429 => ApiError::Wait(retry_after.unwrap_or(60)),
            status => ApiError::Refused {
                status,
                code: code.unwrap_or_default(),
            },
        }
    }

    /// Whether the server refused for good: a 4xx with its code, other than a session's end (401)
    /// or a wait (429). The same request would be refused again, so the caller stops and tells the
    /// worker the code (for an attachment's content, one of
    /// [`wire::attachment::code`](sakhi_domain::wire::attachment::code)). Anything else, a cut
    /// link or a 5xx among them, may work later.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            ApiError::Refused {
                status: 400..=499,
                ..
            }
        )
    }

    /// Whether the server, or a proxy in front of it, failed while answering (a 5xx): nothing she
    /// entered was wrong, and the request may work later.
    pub fn server_failed(&self) -> bool {
        matches!(
            self,
            ApiError::Refused {
                status: 500..=599,
                ..
            }
        )
    }
}

/// A failed request as the sync protocol takes it: the status, or that no answer came.
impl From<ApiError> for TransportError {
    fn from(error: ApiError) -> Self {
        match error {
            ApiError::LoggedOut => TransportError::Status(401),
            ApiError::Wait(_) => TransportError::Status(429),
            ApiError::Refused { status, .. } => TransportError::Status(status),
            ApiError::Unreadable(reason) => TransportError::Unreadable(reason),
            // Not reaching the server is all that is left: the protocol's requests read no store.
            ApiError::Unreachable | ApiError::Store(_) => TransportError::NoAnswer,
        }
    }
}

/// A failed request that a sync round gave back, read again. The protocol keeps only the status,
/// so a refusal's code and a wait's length are gone by then.
impl From<TransportError> for ApiError {
    fn from(error: TransportError) -> Self {
        match error {
            TransportError::NoAnswer => ApiError::Unreachable,
            TransportError::Status(status) => ApiError::of_status(status, None, None),
            TransportError::Unreadable(reason) => ApiError::Unreadable(reason),
        }
    }
}

/// The session token the server gave her at login, which every other request carries.
pub struct Token(String);

impl Token {
    /// The token kept in her `store`; [`ApiError::LoggedOut`] if it keeps none.
    pub async fn kept(store: &Store) -> Result<Token, ApiError> {
        store
            .secret(TOKEN)
            .await?
            .map(Token)
            .ok_or(ApiError::LoggedOut)
    }

    /// Keeps `session`'s token in her `store`, sealed.
    pub async fn keep(store: &Store, session: &Session) -> Result<(), StoreError> {
        store.set_secret(TOKEN, &session.token).await
    }
}

/// `POST /setup`: sets up a new server, its centre and first administrator, who is logged in.
pub async fn set_up(request: &SetupRequest) -> Result<Session, ApiError> {
    send("POST", paths::SETUP, None, request).await?.json()
}

/// `POST /session`: logs in.
pub async fn log_in(request: &LoginRequest) -> Result<Session, ApiError> {
    send("POST", paths::SESSION, None, request).await?.json()
}

/// `DELETE /session`: ends the session on the server.
pub async fn log_out(token: &Token) -> Result<(), ApiError> {
    request("DELETE", paths::SESSION, token).await.map(drop)
}

/// `GET /session`: her account as the server knows it now.
pub async fn current_account(store: &Store) -> Result<Account, ApiError> {
    as_worker(store, "GET", paths::SESSION, None).await?.json()
}

/// `GET /accounts`: the centre's accounts, for its administrators.
pub async fn accounts(store: &Store) -> Result<AccountList, ApiError> {
    as_worker(store, "GET", paths::ACCOUNTS, None).await?.json()
}

/// `POST /accounts`: a new account at her centre.
pub async fn create_account(store: &Store, account: &NewAccount) -> Result<Account, ApiError> {
    as_worker(store, "POST", paths::ACCOUNTS, Some(json(account)?))
        .await?
        .json()
}

/// `PATCH /accounts/{id}`: changes the account `id`.
pub async fn change_account(
    store: &Store,
    id: AccountId,
    patch: &AccountPatch,
) -> Result<Account, ApiError> {
    as_worker(store, "PATCH", &paths::account(id), Some(json(patch)?))
        .await?
        .json()
}

/// `POST /accounts/{id}/password`: a new password for the account `id`.
pub async fn reset_password(
    store: &Store,
    id: AccountId,
    reset: &PasswordReset,
) -> Result<(), ApiError> {
    as_worker(
        store,
        "POST",
        &paths::account_password(id),
        Some(json(reset)?),
    )
    .await
    .map(drop)
}

/// `PATCH /centre`: changes her centre's settings, answered with the centre as it now stands.
pub async fn change_centre(store: &Store, patch: &CentrePatch) -> Result<Centre, ApiError> {
    as_worker(store, "PATCH", paths::CENTRE, Some(json(patch)?))
        .await?
        .json()
}

/// `GET /centre/staff`: who works at her centre.
pub async fn staff(store: &Store) -> Result<Staff, ApiError> {
    as_worker(store, "GET", paths::CENTRE_STAFF, None)
        .await?
        .json()
}

/// `GET /audit`: a page of the audit log, newest first.
pub async fn audit(store: &Store, query: &AuditQuery) -> Result<AuditPage, ApiError> {
    let url = with_query(
        paths::AUDIT,
        &[
            ("limit", query.limit.map(|limit| limit.to_string())),
            ("before", query.before.map(|before| before.to_string())),
        ],
    );
    as_worker(store, "GET", &url, None).await?.json()
}

/// `POST /audit/exports`: tells the audit log of exports made on this phone.
pub async fn send_exports(token: &Token, notices: &ExportNotices) -> Result<(), ApiError> {
    send("POST", paths::AUDIT_EXPORTS, Some(token), notices)
        .await
        .map(drop)
}

/// `GET /cases/{id}/history`: a page of the case `id`'s history, oldest first.
pub async fn case_history(
    store: &Store,
    id: CaseId,
    query: &HistoryQuery,
) -> Result<CaseHistory, ApiError> {
    let url = with_query(
        &paths::case_history(id),
        &[
            ("limit", query.limit.map(|limit| limit.to_string())),
            ("after", query.after.map(|after| after.to_string())),
        ],
    );
    as_worker(store, "GET", &url, None).await?.json()
}

/// `POST /sync/push`: a batch of the outbox.
pub async fn push(token: &Token, request: &PushRequest) -> Result<PushResponse, ApiError> {
    send("POST", paths::PUSH, Some(token), request)
        .await?
        .json()
}

/// `GET /sync/pull`: a page of what changed in her scope.
pub async fn pull(token: &Token, query: &PullQuery) -> Result<PullResponse, ApiError> {
    let url = with_query(
        paths::PULL,
        &[
            ("after", Some(query.after.0.to_string())),
            ("limit", Some(query.limit.to_string())),
        ],
    );
    get(&url, token).await
}

/// `POST /sync/restate`: gives a restored server back records this phone holds.
pub async fn restate(token: &Token, request: &RestateRequest) -> Result<RestateResponse, ApiError> {
    send("POST", paths::RESTATE, Some(token), request)
        .await?
        .json()
}

/// A request as the worker whose store is `store`, with the token kept in it; a success's answer.
/// Not generic, so that reading the token and sending are compiled once for every page.
async fn as_worker(
    store: &Store,
    method: &str,
    url: &str,
    body: Option<String>,
) -> Result<Answer, ApiError> {
    let token = Token::kept(store).await?;
    call(method, url, Some(&token.0), body.as_deref())
        .await?
        .ok()
}

/// `body` as JSON.
fn json<B: Serialize>(body: &B) -> Result<String, ApiError> {
    serde_json::to_string(body).map_err(|e| ApiError::Unreadable(e.to_string()))
}

/// `GET url` as the worker holding `token`, reading a JSON answer.
async fn get<T: DeserializeOwned>(url: &str, token: &Token) -> Result<T, ApiError> {
    request("GET", url, token).await?.json()
}

/// A request with no body as the worker holding `token`; a success's answer.
async fn request(method: &str, url: &str, token: &Token) -> Result<Answer, ApiError> {
    call(method, url, Some(&token.0), None).await?.ok()
}

/// A request with `body` as JSON, as the worker holding `token` if one is given; a success's
/// answer.
async fn send<B: Serialize>(
    method: &str,
    url: &str,
    token: Option<&Token>,
    body: &B,
) -> Result<Answer, ApiError> {
    let body = json(body)?;
    call(
        method,
        url,
        token.map(|token| token.0.as_str()),
        Some(&body),
    )
    .await?
    .ok()
}

/// `path` with the `pairs` that have a value as its query string. The values are numbers, which
/// need no escaping.
fn with_query(path: &str, pairs: &[(&str, Option<String>)]) -> String {
    let mut url = path.to_owned();
    let mut joint = '?';
    for (name, value) in pairs {
        if let Some(value) = value {
            url.push(joint);
            url.push_str(name);
            url.push('=');
            url.push_str(value);
            joint = '&';
        }
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_says_what_stood_in_the_way() {
        assert!(matches!(
            ApiError::of_status(401, None, None),
            ApiError::LoggedOut
        ));
        assert!(matches!(
            ApiError::of_status(429, Some(30), None),
            ApiError::Wait(30)
        ));
        assert!(matches!(
            ApiError::of_status(429, None, None),
            ApiError::Wait(60)
        ));
        let refused = ApiError::of_status(409, None, Some("username_taken".to_owned()));
        assert!(
            matches!(&refused, ApiError::Refused { status: 409, code } if code == "username_taken")
        );
        assert!(!refused.server_failed());
        assert!(ApiError::of_status(502, None, None).server_failed());
    }

    #[test]
    fn only_a_refusal_with_a_4xx_is_final() {
        let digest = ApiError::of_status(422, None, Some("digest_mismatch".to_owned()));
        assert!(digest.is_final());
        assert!(!ApiError::of_status(503, None, None).is_final());
        assert!(!ApiError::of_status(401, None, None).is_final());
        assert!(!ApiError::of_status(429, Some(5), None).is_final());
        assert!(!ApiError::Unreachable.is_final());
    }

    #[test]
    fn a_failure_passes_through_the_sync_protocol_as_what_it_was() {
        let through = |error: ApiError| ApiError::from(TransportError::from(error));
        assert!(matches!(through(ApiError::LoggedOut), ApiError::LoggedOut));
        assert!(matches!(
            through(ApiError::Unreachable),
            ApiError::Unreachable
        ));
        assert!(matches!(
            through(ApiError::of_status(503, None, None)),
            ApiError::Refused { status: 503, .. }
        ));
        assert!(matches!(
            through(ApiError::Unreadable("cut short".to_owned())),
            ApiError::Unreadable(_)
        ));
    }

    #[test]
    fn a_query_names_only_the_values_given() {
        let pairs = [("limit", Some("50".to_owned())), ("before", None)];
        assert_eq!(with_query(paths::AUDIT, &pairs), "/api/v1/audit?limit=50");
        let pairs = [
            ("limit", Some("100".to_owned())),
            ("after", Some("7".to_owned())),
        ];
        assert_eq!(
            with_query(paths::AUDIT, &pairs),
            "/api/v1/audit?limit=100&after=7"
        );
    }
}
