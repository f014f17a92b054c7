//! Reading the centre's audit log.

use crate::app::AppState;
use crate::auth::Administrator;
use crate::error::AppError;
use crate::store::Store;
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use sakhi_domain::wire::account::{AuditPage, AuditQuery, MAX_AUDIT_LIMIT};

/// `GET /api/v1/audit?before=ID&limit=N`: the centre's entries, newest first.
pub async fn page<S: Store>(
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
