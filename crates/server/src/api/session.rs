//! Logging in and out, and checking a session.

use super::request::json_body;
use crate::auth::{Caller, ClientAddress};
use crate::error::AppError;
use crate::limiter::Key;
use crate::secrets;
use crate::state::AppState;
use crate::store::{AccountStore, AuditRecord, Credentials, NewSession};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use sakhi_domain::wire::account::{Account, LoginRequest, Session};
use sakhi_domain::{AccountId, AccountRule, CentreId, DeviceId, Password, Username};
use std::net::IpAddr;
use std::time::Instant;

/// At most this much of a username tried is kept, in the audit log and the rate limiter.
const USERNAME_KEPT_CHARS: usize = 64;

/// Opens a session for `account` on `device`.
pub async fn open<S: AccountStore>(
    state: &AppState<S>,
    account: Account,
    device: DeviceId,
    now: u64,
) -> Result<Session, AppError> {
    let token = secrets::new_token();
    let expires_at = now.saturating_add(state.auth.max_ms);
    state
        .store
        .create_session(NewSession {
            token_hash: secrets::sha256_hex(&token),
            account: account.id,
            device,
            now,
            expires_at,
        })
        .await?;
    Ok(Session {
        token,
        expires_at,
        account,
    })
}

/// `POST /api/v1/session`: 200 with a session, or 401 `bad_login` alike for an unknown username,
/// a wrong password and a disabled account, after the same work. Every answer is audited: a
/// password checked against an account in a row of the audit log; the refusals anyone can cause
/// without one (a body that cannot be read, a username no account has or that holds control
/// characters, a password too long, a try the rate limit slowed) counted in a tally, so that no
/// stranger can grow the log without bound.
pub async fn log_in<S: AccountStore>(
    State(state): State<AppState<S>>,
    ClientAddress(address): ClientAddress,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Session>, AppError> {
    let request: LoginRequest = match json_body(body) {
        Ok(request) => request,
        Err(error) => {
            let attempt = Attempt::unread(state.now_millis(), address);
            return Err(count(&state, &attempt, error.code(), error).await);
        }
    };
    if request.username.chars().any(char::is_control) {
        // No username holds one, and PostgreSQL cannot even look a NUL up: refused before any
        // query, alike on every backend.
        let attempt = Attempt::unread(state.now_millis(), address);
        let error = AccountRule::BadUsername.into();
        return Err(count(&state, &attempt, "bad_username", error).await);
    }
    let found = match Username::parse(&request.username) {
        Ok(username) => state.store.credentials(username.as_str()).await?,
        Err(_) => None,
    };
    let attempt = Attempt::of(state.now_millis(), address, &request, found.as_ref());
    if request.password.chars().count() > Password::MAX_CHARS {
        let error = AccountRule::PasswordTooLong.into();
        return Err(count(&state, &attempt, "password_too_long", error).await);
    }
    let limiter = &state.auth.limiter;
    let try_ = match limiter.try_begin(Key::login(address, &attempt.tried), Instant::now()) {
        Ok(try_) => try_,
        Err(wait) => {
            let error = AppError::TooManyTries {
                retry_after_secs: wait.as_secs_f64().ceil() as u64,
            };
            return Err(count(&state, &attempt, "rate_limited", error).await);
        }
    };
    let hash = found.as_ref().map_or_else(
        || state.auth.dummy_hash.clone(),
        |c| c.password_hash.clone(),
    );
    let matches = match secrets::verify_password(limiter, request.password, hash).await {
        Ok(matches) => matches,
        Err(error @ AppError::TooManyTries { .. }) => {
            try_.unchecked();
            return Err(count(&state, &attempt, "busy", error).await);
        }
        Err(error) => return Err(error),
    };
    let now = state.now_millis();
    match found {
        Some(credentials) if matches && !credentials.account.disabled => {
            try_.succeeded();
            let session = open(&state, credentials.account, request.device, now).await?;
            state.store.audit(attempt.audit("ok")).await?;
            Ok(Json(session))
        }
        found => {
            try_.failed();
            let outcome = match &found {
                Some(credentials) if matches && credentials.account.disabled => "disabled",
                _ => "bad_login",
            };
            if found.is_none() {
                return Err(count(&state, &attempt, outcome, AppError::BadLogin).await);
            }
            match state.store.audit(attempt.audit(outcome)).await {
                Ok(()) => Err(AppError::BadLogin),
                Err(failure) => Err(failure.into()),
            }
        }
    }
}

/// Who tried to log in, as far as the request tells: the start of every login's audit row.
struct Attempt {
    /// When, by the server's clock.
    at: u64,
    address: IpAddr,
    device: Option<DeviceId>,
    /// The username as typed: trimmed, in lower case, cut short.
    tried: String,
    /// The account the username names, which ties the row to its centre. A login that names
    /// none (or a body that cannot be read) is only counted, for whoever runs the server.
    account: Option<(CentreId, AccountId)>,
}

impl Attempt {
    /// A login whose body could not be read.
    fn unread(at: u64, address: IpAddr) -> Self {
        Attempt {
            at,
            address,
            device: None,
            tried: String::new(),
            account: None,
        }
    }

    fn of(at: u64, address: IpAddr, request: &LoginRequest, found: Option<&Credentials>) -> Self {
        Attempt {
            at,
            address,
            device: Some(request.device),
            tried: request
                .username
                .trim()
                .to_lowercase()
                .chars()
                .take(USERNAME_KEPT_CHARS)
                .collect(),
            account: found.map(|c| (c.account.centre.id, c.account.id)),
        }
    }

    fn audit(&self, outcome: &str) -> AuditRecord {
        AuditRecord {
            at: self.at,
            centre: self.account.map(|(centre, _)| centre),
            account: self.account.map(|(_, account)| account),
            username: Some(self.tried.clone()).filter(|tried| !tried.is_empty()),
            device: self.device,
            address: Some(self.address.to_string()),
            action: "login",
            outcome: outcome.to_owned(),
            ..AuditRecord::default()
        }
    }
}

/// Counts a refused login in the tally of refusals and answers `error`, or the failure to count
/// it.
async fn count<S: AccountStore>(
    state: &AppState<S>,
    attempt: &Attempt,
    outcome: &str,
    error: AppError,
) -> AppError {
    match state.store.count_refusal(attempt.audit(outcome)).await {
        Ok(()) => error,
        Err(failure) => failure.into(),
    }
}

/// `GET /api/v1/session`: the caller's account.
pub async fn current<S: AccountStore>(
    State(_): State<AppState<S>>,
    caller: Caller,
) -> Json<Account> {
    Json(caller.account)
}

/// `DELETE /api/v1/session`: ends the caller's session at once. 204.
pub async fn log_out<S: AccountStore>(
    State(state): State<AppState<S>>,
    caller: Caller,
) -> Result<StatusCode, AppError> {
    state
        .store
        .revoke_session(&caller.token_hash, state.now_millis())
        .await?;
    state.store.audit(caller.audit("logout", "ok")).await?;
    Ok(StatusCode::NO_CONTENT)
}
