//! One case as the server holds it, for the case page: its history.

use crate::auth::{Caller, Counsellor};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::Store;
use crate::store::history::{self, People};
use axum::Json;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use sakhi_domain::RecordId;
use sakhi_domain::wire::history::{
    CaseHistory, DEFAULT_HISTORY_LIMIT, HistoryQuery, MAX_HISTORY_LIMIT,
};

/// `GET /api/v1/cases/{id}/history?after=SEQ&limit=N`: a page of every change the centre holds of
/// the case and its work records, oldest first, each with the value it replaced and who sent it;
/// for administrators and counsellors. A case of another centre, an unknown id and a record that
/// is not a case are all 404 alike, and audited; a malformed id, cursor or limit is 400. A page
/// answered is audited with the records it shows, before it leaves.
pub async fn history<S: Store>(
    State(state): State<AppState<S>>,
    Counsellor(caller): Counsellor,
    id: Result<Path<String>, PathRejection>,
    query: Result<Query<HistoryQuery>, QueryRejection>,
) -> Result<Json<CaseHistory>, AppError> {
    // The path is whatever the client sent: the reason does not quote it.
    let case: RecordId = id
        .ok()
        .and_then(|Path(id)| id.parse().ok())
        .ok_or_else(|| AppError::BadRequest("the case id is not a UUID".to_owned()))?;
    let Query(query) = query.map_err(|rejection| AppError::BadRequest(rejection.body_text()))?;
    let after = query.after.unwrap_or(0);
    if after < 0 {
        return Err(AppError::BadRequest(
            "`after` is a sequence number: 0 or more".to_owned(),
        ));
    }
    let limit = query
        .limit
        .unwrap_or(DEFAULT_HISTORY_LIMIT)
        .clamp(1, MAX_HISTORY_LIMIT);
    let centre = caller.account.centre.id;
    let Some(kept) = state.store.case_changes(centre, case).await? else {
        return Err(refuse_unknown(&state, &caller, case).await);
    };
    let people = People::new(
        &state.store.accounts(centre).await?,
        &state.store.devices(centre).await?,
    );
    let page = history::page(kept, after, limit, &people);
    let mut entry = caller.audit("history", "ok");
    entry.records = history::records_shown(case, &page);
    entry.detail = Some(format!("after={after} entries={}", page.entries.len()));
    state.store.audit(entry).await?;
    Ok(Json(page))
}

/// Audits a reach for a case the centre does not have (another centre's, none at all, or a
/// record of another kind), and answers 404 alike.
async fn refuse_unknown<S: Store>(
    state: &AppState<S>,
    caller: &Caller,
    case: RecordId,
) -> AppError {
    let mut entry = caller.audit("refused", "not_found");
    entry.detail = Some(format!("history of case {case}"));
    match state.store.audit(entry).await {
        Ok(()) => AppError::NotFound,
        Err(error) => error.into(),
    }
}
