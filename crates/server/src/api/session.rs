//! Logging in and out, and checking a session.

use super::json_body;
use crate::app::AppState;
use crate::auth::{self, Caller, ClientAddress};
use crate::error::AppError;
use crate::limiter::Key;
use crate::store::{AuditRecord, NewSession, Store};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use sakhi_domain::wire::account::{Account, LoginRequest, Session};
use sakhi_domain::{AccountRule, DeviceId, Password, Username};
use std::time::Instant;

/// At most this much of a username tried is kept, in the audit log and the rate limiter.
const USERNAME_KEPT_CHARS: usize = 64;

/// Opens a session for `account` on `device`.
pub async fn open<S: Store>(
    state: &AppState<S>,
    account: Account,
    device: DeviceId,
    now: u64,
) -> Result<Session, AppError> {
    let token = auth::new_token();
    let expires_at = now.saturating_add(state.auth.max_ms);
    state
        .store
        .create_session(NewSession {
            token_hash: auth::sha256_hex(&token),
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
/// a wrong password and a disabled account, after the same work.
pub async fn log_in<S: Store>(
    State(state): State<AppState<S>>,
    ClientAddress(address): ClientAddress,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Session>, AppError> {
    let request: LoginRequest = json_body(body)?;
    if request.password.chars().count() > Password::MAX_CHARS {
        return Err(AccountRule::PasswordTooLong.into());
    }
    let tried: String = request
        .username
        .trim()
        .to_lowercase()
        .chars()
        .take(USERNAME_KEPT_CHARS)
        .collect();
    let keys = [Key::Address(address), Key::Name(tried.clone())];
    let limiter = &state.auth.limiter;
    if let Some(wait) = limiter.blocked(&keys, Instant::now()) {
        return Err(AppError::TooManyTries {
            retry_after_secs: wait.as_secs_f64().ceil() as u64,
        });
    }
    let found = match Username::parse(&request.username) {
        Ok(username) => state.store.credentials(username.as_str()).await?,
        Err(_) => None,
    };
    let hash = found.as_ref().map_or_else(
        || state.auth.dummy_hash.clone(),
        |c| c.password_hash.clone(),
    );
    let matches = auth::verify_password(request.password, hash).await?;
    let now = auth::now_ms();
    match found {
        Some(credentials) if matches && !credentials.account.disabled => {
            limiter.forgive(&Key::Name(tried));
            let account = credentials.account;
            let (centre, id) = (account.centre.id, account.id);
            let session = open(&state, account, request.device, now).await?;
            state
                .store
                .audit(AuditRecord {
                    centre: Some(centre),
                    account: Some(id),
                    device: Some(request.device),
                    address: Some(address.to_string()),
                    action: "login",
                    outcome: "ok".to_owned(),
                    ..AuditRecord::default()
                })
                .await?;
            Ok(Json(session))
        }
        found => {
            limiter.fail(&keys, Instant::now());
            let outcome = match &found {
                Some(credentials) if matches && credentials.account.disabled => "disabled",
                _ => "bad_login",
            };
            state
                .store
                .audit(AuditRecord {
                    centre: found.as_ref().map(|c| c.account.centre.id),
                    account: found.as_ref().map(|c| c.account.id),
                    username: Some(tried),
                    device: Some(request.device),
                    address: Some(address.to_string()),
                    action: "login",
                    outcome: outcome.to_owned(),
                    ..AuditRecord::default()
                })
                .await?;
            Err(AppError::BadLogin)
        }
    }
}

/// `GET /api/v1/session`: the caller's account.
pub async fn current<S: Store>(State(_): State<AppState<S>>, caller: Caller) -> Json<Account> {
    Json(caller.account)
}

/// `DELETE /api/v1/session`: ends the caller's session at once. 204.
pub async fn log_out<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
) -> Result<StatusCode, AppError> {
    state
        .store
        .revoke_session(&caller.token_hash, auth::now_ms())
        .await?;
    state.store.audit(caller.audit("logout", "ok")).await?;
    Ok(StatusCode::NO_CONTENT)
}
