//! A centre's figures from the server: the same monthly report a phone counts offline, counted in
//! SQL over every record the centre holds.

use crate::auth::Administrator;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::Store;
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use sakhi_domain::figures::{Month, MonthlyReport, india_day};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct MonthQuery {
    month: Option<String>,
}

/// `GET /api/v1/reports/monthly?month=YYYY-MM`: the administrator's centre's report for a month
/// that has begun (in India). A month with nothing in it is all zeros; a malformed or future month
/// is refused 400 with the reason.
pub async fn monthly<S: Store>(
    State(state): State<AppState<S>>,
    Administrator(admin): Administrator,
    query: Result<Query<MonthQuery>, QueryRejection>,
) -> Result<Json<MonthlyReport>, AppError> {
    let Query(query) = query.map_err(|rejection| AppError::BadRequest(rejection.body_text()))?;
    let text = query
        .month
        .ok_or_else(|| AppError::BadRequest("name the month: ?month=YYYY-MM".to_owned()))?;
    let month = Month::parse(&text).ok_or_else(|| {
        AppError::BadRequest(format!(
            "{text:?} is not a month: write YYYY-MM, between 1900-01 and 2100-12"
        ))
    })?;
    let this_month = Month::of_date(&india_day(state.now_millis()));
    if this_month.is_some_and(|this_month| month > this_month) {
        return Err(AppError::BadRequest(format!(
            "{month} has not begun yet: ask for this month or an earlier one"
        )));
    }
    let report = state
        .store
        .monthly_report(admin.account.centre.id, month)
        .await?;
    Ok(Json(report))
}
