//! The accounts of a centre, managed by its administrators.

use super::request::{json_body, json_object_body};
use crate::auth::{self, Administrator};
use crate::error::AppError;
use crate::secrets;
use crate::state::AppState;
use crate::store::{AccountChange, AccountError, AccountStore, NewAccountRow};
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use sakhi_domain::wire::account::{
    Account, AccountList, AccountPatch, NewAccount, PasswordReset, code,
};
use sakhi_domain::{AccountId, DisplayName, Password, Role, Username};

/// `GET /api/v1/accounts`: the centre's accounts, oldest first.
pub async fn list<S: AccountStore>(
    State(state): State<AppState<S>>,
    Administrator(admin): Administrator,
) -> Result<Json<AccountList>, AppError> {
    let accounts = state.store.accounts(admin.account.centre.id).await?;
    Ok(Json(AccountList { accounts }))
}

/// `POST /api/v1/accounts`: 201 with the new account, or 409 `username_taken`.
pub async fn create<S: AccountStore>(
    State(state): State<AppState<S>>,
    Administrator(admin): Administrator,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Account>), AppError> {
    let request: NewAccount = json_body(body)?;
    let username = Username::parse(&request.username)?;
    let display_name = DisplayName::parse(&request.display_name)?;
    let password = Password::parse(&request.password, username.as_str())?;
    let password_hash =
        secrets::hash_password_in_turn(&state.auth.limiter, password.as_str().to_owned()).await?;
    let row = NewAccountRow {
        username: username.as_str().to_owned(),
        display_name: display_name.as_str().to_owned(),
        role: request.role,
        password_hash,
    };
    let account = match state
        .store
        .create_account(admin.account.centre.id, row, state.now_millis())
        .await
    {
        Ok(account) => account,
        Err(AccountError::UsernameTaken) => {
            return Err(AppError::Conflict {
                code: code::USERNAME_TAKEN,
                message: "this username is taken: choose another",
            });
        }
        Err(AccountError::Store(error)) => return Err(error.into()),
    };
    let mut entry = admin.audit("account_create", "ok");
    entry.detail = Some(format!(
        "account {} role {}",
        account.id,
        account.role.as_str()
    ));
    state.store.audit(entry).await?;
    Ok((StatusCode::CREATED, Json(account)))
}

/// An id in the path; one that is not a UUID is no account of yours either, and is audited alike.
async fn account_id<S: AccountStore>(
    state: &AppState<S>,
    admin: &auth::Caller,
    id: &str,
) -> Result<AccountId, AppError> {
    match id.parse() {
        Ok(id) => Ok(id),
        // The path is whatever the client sent: the row does not quote it.
        Err(_) => {
            Err(refused_other(state, admin, "an account id that is not a UUID".to_owned()).await)
        }
    }
}

/// `PATCH /api/v1/accounts/{id}`: 200 with the account as changed.
pub async fn update<S: AccountStore>(
    State(state): State<AppState<S>>,
    Administrator(admin): Administrator,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Account>, AppError> {
    let id = account_id(&state, &admin, &id).await?;
    let patch: AccountPatch = json_object_body(&headers, body)?;
    let display_name = patch
        .display_name
        .as_deref()
        .map(DisplayName::parse)
        .transpose()?;
    let herself = id == admin.account.id;
    if herself
        && (patch.disabled == Some(true)
            || patch.role.is_some_and(|role| role != Role::Administrator))
    {
        return Err(AppError::Conflict {
            code: code::CANNOT_CHANGE_SELF,
            message: "you cannot disable your own account or take away your own role",
        });
    }
    let change = AccountChange {
        display_name: display_name.map(|name| name.as_str().to_owned()),
        role: patch.role,
        disabled: patch.disabled,
    };
    let Some(account) = state
        .store
        .update_account(admin.account.centre.id, id, change, state.now_millis())
        .await?
    else {
        return Err(refused_other(&state, &admin, format!("account {id}")).await);
    };
    let mut entry = admin.audit("account_update", "ok");
    entry.detail = Some(format!(
        "account {id}{}{}{}",
        if patch.display_name.is_some() {
            " display_name"
        } else {
            ""
        },
        patch
            .role
            .map_or(String::new(), |role| format!(" role={}", role.as_str())),
        patch
            .disabled
            .map_or(String::new(), |d| format!(" disabled={d}")),
    ));
    state.store.audit(entry).await?;
    Ok(Json(account))
}

/// `POST /api/v1/accounts/{id}/password`: 204; the account's sessions end.
pub async fn reset_password<S: AccountStore>(
    State(state): State<AppState<S>>,
    Administrator(admin): Administrator,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<StatusCode, AppError> {
    let id = account_id(&state, &admin, &id).await?;
    let request: PasswordReset = json_body(body)?;
    let centre = admin.account.centre.id;
    let Some(account) = state.store.account(centre, id).await? else {
        return Err(refused_other(&state, &admin, format!("account {id}")).await);
    };
    let password = Password::parse(&request.password, &account.username)?;
    let hash =
        secrets::hash_password_in_turn(&state.auth.limiter, password.as_str().to_owned()).await?;
    if !state
        .store
        .set_password(centre, id, &hash, state.now_millis())
        .await?
    {
        return Err(AppError::NotFound);
    }
    let mut entry = admin.audit("password_reset", "ok");
    entry.detail = Some(format!("account {id}"));
    state.store.audit(entry).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Audits a reach for an account outside the administrator's centre (or none at all), and
/// answers 404 alike.
async fn refused_other<S: AccountStore>(
    state: &AppState<S>,
    admin: &auth::Caller,
    detail: String,
) -> AppError {
    let mut entry = admin.audit("refused", "not_found");
    entry.detail = Some(detail);
    match state.store.audit(entry).await {
        Ok(()) => AppError::NotFound,
        Err(error) => error.into(),
    }
}
