//! Setting up a centre and its first administrator with a one-time code.

use super::request::json_body;
use crate::auth::ClientAddress;
use crate::error::AppError;
use crate::limiter::Key;
use crate::secrets;
use crate::state::AppState;
use crate::store::{AccountStore, AuditRecord, NewAccountRow, NewCentreRow, SetupOutcome};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use sakhi_domain::account::centre_detail;
use sakhi_domain::wire::account::{Session, SetupRequest, SetupStatus};
use sakhi_domain::{CentreCode, DeviceId, DisplayName, Password, Role, Username};
use std::sync::atomic::Ordering;
use std::time::Instant;

/// Setup-code tries are counted as logins of this name, which no username can be: per address,
/// and from anywhere, since there is one code to guess, whoever guesses.
const SETUP_KEY: &str = "\u{0}setup";

/// `GET /api/v1/setup`.
pub async fn status<S: AccountStore>(
    State(state): State<AppState<S>>,
) -> Result<Json<SetupStatus>, AppError> {
    Ok(Json(SetupStatus {
        needed: !state.is_set_up().await?,
    }))
}

/// `POST /api/v1/setup`: 201 with the new administrator's session.
pub async fn set_up<S: AccountStore>(
    State(state): State<AppState<S>>,
    ClientAddress(address): ClientAddress,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Session>), AppError> {
    let request: SetupRequest = json_body(body)?;
    let username = Username::parse(&request.admin.username)?;
    let display_name = DisplayName::parse(&request.admin.display_name)?;
    let password = Password::parse(&request.admin.password, username.as_str())?;
    let centre = NewCentreRow {
        code: CentreCode::parse(&request.centre.code)?.as_str().to_owned(),
        name: centre_detail(&request.centre.name, "name")?,
        district: centre_detail(&request.centre.district, "district")?,
        state: centre_detail(&request.centre.state, "state")?,
    };
    let code_hash = secrets::sha256_hex(&secrets::normalise_setup_code(&request.code));
    // Checked and counted in one step before the password's hash, the costly part.
    let limiter = &state.auth.limiter;
    let try_ = limiter
        .try_begin(Key::login(address, SETUP_KEY), Instant::now())
        .map_err(|wait| AppError::TooManyTries {
            retry_after_secs: wait.as_secs_f64().ceil() as u64,
        })?;
    let password_hash =
        match secrets::hash_password_in_turn(limiter, password.as_str().to_owned()).await {
            Ok(hash) => hash,
            Err(error) => {
                try_.unchecked();
                return Err(error);
            }
        };
    let admin = NewAccountRow {
        username: username.as_str().to_owned(),
        display_name: display_name.as_str().to_owned(),
        role: Role::Administrator,
        password_hash,
    };
    let now = state.now_millis();
    let refused = |outcome: &str| AuditRecord {
        at: now,
        address: Some(address.to_string()),
        action: "setup",
        outcome: outcome.to_owned(),
        ..AuditRecord::default()
    };
    let account = match state.store.set_up(&code_hash, centre, admin, now).await? {
        SetupOutcome::Done(account) => account,
        SetupOutcome::BadCode => {
            try_.failed();
            state.store.count_refusal(refused("bad_setup_code")).await?;
            return Err(AppError::BadSetupCode);
        }
        SetupOutcome::AlreadySetUp => {
            try_.failed();
            return Err(AppError::AlreadySetUp);
        }
        SetupOutcome::UsernameTaken => {
            try_.unchecked();
            return Err(AppError::Conflict {
                code: sakhi_domain::wire::account::code::USERNAME_TAKEN,
                message: "this username is taken: choose another",
            });
        }
        SetupOutcome::CentreCodeTaken => {
            try_.unchecked();
            return Err(AppError::Conflict {
                code: sakhi_domain::wire::account::code::CENTRE_CODE_TAKEN,
                message: "another centre has this code: choose another",
            });
        }
    };
    try_.succeeded();
    state.auth.set_up.store(true, Ordering::Relaxed);
    let device = DeviceId::new();
    let session = super::session::open(&state, account, device, now).await?;
    state
        .store
        .audit(AuditRecord {
            at: now,
            centre: Some(session.account.centre.id),
            account: Some(session.account.id),
            device: Some(device),
            address: Some(address.to_string()),
            action: "setup",
            outcome: "ok".to_owned(),
            detail: Some(format!("centre {}", session.account.centre.code)),
            ..AuditRecord::default()
        })
        .await?;
    Ok((StatusCode::CREATED, Json(session)))
}
