//! Reading the centre's audit log.

use super::request::json_body;
use crate::auth::{Administrator, Caller};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::AccountStore;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use sakhi_domain::Role;
use sakhi_domain::wire::account::{
    AuditPage, AuditQuery, ExportKind, ExportNotices, MAX_AUDIT_LIMIT, MAX_EXPORT_NOTICES,
};

/// `GET /api/v1/audit?before=ID&limit=N`: the centre's entries, newest first.
pub async fn page<S: AccountStore>(
    State(state): State<AppState<S>>,
    Administrator(admin): Administrator,
    query: Result<Query<AuditQuery>, QueryRejection>,
) -> Result<Json<AuditPage>, AppError> {
    let Query(query) = query.map_err(|rejection| AppError::BadRequest(rejection.body_text()))?;
    let limit = query.limit.unwrap_or(100).clamp(1, MAX_AUDIT_LIMIT);
    let (entries, more) = state
        .store
        .audit_page(admin.account.centre.id, query.before, limit)
        .await?;
    Ok(Json(AuditPage { entries, more }))
}

/// `POST /api/v1/audit/exports`: 204 once each export a worker made on her phone is in the audit
/// log, as `export_cases` or `export_camps`, `with_personal` or `without_personal`, with its rows
/// and time in the detail. Anyone who works at the centre may export; one holding names, phone
/// numbers and addresses made by anyone but an administrator is logged `not_allowed`, since the
/// app offers that only to administrators. The notices are logged in one transaction, and one
/// whose id was logged before (a phone sending again after losing the answer) is acknowledged
/// without a second row.
pub async fn exports<S: AccountStore>(
    State(state): State<AppState<S>>,
    caller: Caller,
    body: Result<Bytes, BytesRejection>,
) -> Result<StatusCode, AppError> {
    let notices: ExportNotices = json_body(body)?;
    if notices.exports.len() > MAX_EXPORT_NOTICES {
        return Err(AppError::BadRequest(format!(
            "at most {MAX_EXPORT_NOTICES} exports at a time"
        )));
    }
    let mut entries = Vec::with_capacity(notices.exports.len());
    // An export Sakhi does not make is refused when the body is read, before anything is logged.
    for notice in &notices.exports {
        let action = match notice.what {
            ExportKind::Cases => "export_cases",
            ExportKind::Camps => "export_camps",
        };
        let outcome = match (notice.personal, caller.account.role) {
            (false, _) => "without_personal",
            (true, Role::Administrator) => "with_personal",
            (true, _) => "not_allowed",
        };
        let mut entry = caller.audit(action, outcome);
        entry.detail = Some(format!("rows={} made_at={}", notice.rows, notice.at));
        entry.export = notice.id;
        entries.push(entry);
    }
    state.store.audit_all(entries).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The largest body of a request to log exports: a hundred of them with room to spare.
pub const MAX_EXPORT_BODY_BYTES: usize = 32 * 1024;
