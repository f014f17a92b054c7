//! A centre's own settings, changed by its administrators.

use super::request::json_object_body;
use crate::auth::{Administrator, Caller};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::{AccountStore, CentreChange};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::HeaderMap;
use sakhi_domain::wire::account::{Centre, CentrePatch, Staff, StaffMember};
use sakhi_domain::{LockMinutes, PurgeDays};

/// `PATCH /api/v1/centre`: 200 with the administrator's centre as changed. A value outside its
/// rule is refused 400 with the rule's code, and nothing changes. The path names no centre: an
/// administrator has only her own to change, so another centre cannot even be aimed at.
pub async fn update<S: AccountStore>(
    State(state): State<AppState<S>>,
    Administrator(admin): Administrator,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Centre>, AppError> {
    let patch: CentrePatch = json_object_body(&headers, body)?;
    let change = CentreChange {
        lock_minutes: patch.lock_minutes.map(LockMinutes::parse).transpose()?,
        purge_days: patch
            .purge_days
            .map(|days| days.map(PurgeDays::parse).transpose())
            .transpose()?,
    };
    let mut entry = admin.audit("centre_update", "ok");
    entry.detail = Some(describe(&change));
    let centre = state
        .store
        .update_centre(admin.account.centre.id, change, entry)
        .await?;
    Ok(Json(centre))
}

/// `GET /api/v1/centre/staff`: the workers of the caller's centre and the devices each has logged
/// in on, for anyone who works there; disabled accounts are left out.
pub async fn staff<S: AccountStore>(
    State(state): State<AppState<S>>,
    caller: Caller,
) -> Result<Json<Staff>, AppError> {
    let centre = caller.account.centre.id;
    let accounts = state.store.accounts(centre).await?;
    let devices = state.store.devices(centre).await?;
    let staff = accounts
        .into_iter()
        .filter(|account| !account.disabled)
        .map(|account| StaffMember {
            devices: devices
                .iter()
                .filter(|(of, _)| *of == account.id)
                .map(|(_, device)| *device)
                .collect(),
            id: account.id,
            display_name: account.display_name,
            role: account.role,
        })
        .collect();
    Ok(Json(Staff { staff }))
}

/// The audit log's words for a change: the settings and their new values.
fn describe(change: &CentreChange) -> String {
    let mut said = Vec::new();
    if let Some(minutes) = change.lock_minutes {
        said.push(format!("lock_minutes={}", minutes.get()));
    }
    match change.purge_days {
        Some(Some(days)) => said.push(format!("purge_days={}", days.get())),
        Some(None) => said.push("purge_days=never".to_owned()),
        None => {}
    }
    if said.is_empty() {
        "no setting given".to_owned()
    } else {
        said.join(" ")
    }
}
