//! Push and pull: how devices hand their changes to the centre and catch up with everyone else's;
//! and restate: how they give a restored server back what it lost.

use crate::auth::Caller;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::{Pushed, Restated, Store};
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use sakhi_domain::wire::{
    MAX_PULL_LIMIT, MAX_PUSH_BYTES, MAX_PUSH_CHANGES, MAX_RESTATE_RECORDS, Outcome, PROTOCOL,
    PullQuery, PullResponse, PushRequest, PushResponse, RestateRequest, RestateResponse,
};
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// `POST /api/v1/sync/push`: applies a batch of changes and answers with its refusals, after the
/// commit (and its audit row) is durable. A batch touching a record of another centre is refused
/// whole, 404, as if the record did not exist; a change to a record of her own centre that is not
/// hers is refused alone (`out_of_scope`).
pub async fn push<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<PushResponse>, AppError> {
    let request = match read_push(body) {
        Ok(request) => request,
        Err(error) => return Err(refuse_unread(&state, &caller, error).await),
    };
    let mut entry = caller.audit("push", "ok");
    entry.device = Some(request.device);
    let epoch = state.store.epoch();
    // A cursor counts in one epoch's sequence only.
    let seen = request.seen.and_then(|seen| seen.cursor_in(epoch));
    // The store writes the row in the push's own transaction, refused or applied.
    let (results, caught_up) = match state
        .store
        .push(
            caller.scope(),
            request.device,
            seen,
            &request.changes,
            entry,
            state.now_millis(),
        )
        .await?
    {
        Pushed::Applied { results, caught_up } => (results, caught_up),
        Pushed::Refused { .. } => return Err(AppError::NotFound),
    };
    let rejected = results
        .iter()
        .filter(|result| matches!(result.outcome, Outcome::Rejected { .. }))
        .count();
    tracing::info!(
        device = %request.device,
        changes = results.len(),
        rejected,
        "push"
    );
    Ok(Json(PushResponse::of(epoch, &results, caught_up)))
}

/// `POST /api/v1/sync/restate`: merges the records a device gives back after the server was
/// restored from a backup (it has a new epoch), and answers per record, after the commit (and its
/// audit row) is durable. A record of another centre refuses the whole batch, 404, as in a push; a
/// record of her own centre that is not hers is refused alone (see `rules::judge_restated`).
pub async fn restate<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<RestateResponse>, AppError> {
    let request = match read_restate(body) {
        Ok(request) => request,
        Err(error) => return Err(refuse_unread(&state, &caller, error).await),
    };
    let mut entry = caller.audit("restate", "ok");
    entry.device = Some(request.device);
    let results = match state
        .store
        .restate(
            caller.scope(),
            &request.records,
            request.epoch,
            entry,
            state.now_millis(),
        )
        .await?
    {
        Restated::Merged(results) => results,
        Restated::Refused { .. } => return Err(AppError::NotFound),
    };
    tracing::info!(
        device = %request.device,
        records = results.len(),
        "restate"
    );
    Ok(Json(RestateResponse {
        epoch: state.store.epoch(),
        results,
    }))
}

/// `GET /api/v1/sync/pull?after=…&limit=…`: the next page of the records the caller may see,
/// and for an outreach worker those she no longer may (`gone`).
pub async fn pull<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    query: Result<Query<PullQuery>, QueryRejection>,
) -> Result<Json<PullResponse>, AppError> {
    let Query(query) = query.map_err(|rejection| AppError::BadRequest(rejection.body_text()))?;
    let limit = query.limit.clamp(1, MAX_PULL_LIMIT);
    let mut entry = caller.audit("pull", "ok");
    entry.detail = Some(format!("after={}", query.after.0));
    // The store writes the row before it returns the page, and none for an empty page.
    let page = state
        .store
        .pull(caller.scope(), query.after, limit, entry)
        .await?;
    tracing::debug!(
        after = query.after.0,
        records = page.records.len(),
        gone = page.gone.len(),
        more = page.more,
        "pull"
    );
    Ok(Json(PullResponse {
        epoch: state.store.epoch(),
        records: page.records,
        gone: page.gone,
        cursor: page.cursor,
        more: page.more,
    }))
}

/// The body of a `what` carrying `items`, or the 400 or 413 that says why it could not be read.
fn read_body(
    body: Result<Bytes, BytesRejection>,
    what: &str,
    items: &str,
) -> Result<Bytes, AppError> {
    body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::TooLarge(format!(
                "a {what} may be at most {MAX_PUSH_BYTES} bytes: send fewer {items} at a time"
            ))
        } else {
            AppError::BadRequest("the request body could not be read".to_owned())
        }
    })
}

/// Reads a restatement, answering 400 or 413 with the reason.
fn read_restate(body: Result<Bytes, BytesRejection>) -> Result<RestateRequest, AppError> {
    let body = read_body(body, "restatement", "records")?;
    let request: RestateRequest =
        parse_versioned(&body, "restatement", |r: &RestateRequest| r.protocol)?;
    if request.records.len() > MAX_RESTATE_RECORDS {
        return Err(AppError::TooLarge(format!(
            "a restatement may carry at most {MAX_RESTATE_RECORDS} records, not {}: send them in \
             several",
            request.records.len()
        )));
    }
    Ok(request)
}

/// Reads a push, answering 400 or 413 with the reason.
fn read_push(body: Result<Bytes, BytesRejection>) -> Result<PushRequest, AppError> {
    let body = read_body(body, "push", "changes")?;
    let request = parse_push(&body)?;
    if request.changes.len() > MAX_PUSH_CHANGES {
        return Err(AppError::TooLarge(format!(
            "a push may carry at most {MAX_PUSH_CHANGES} changes, not {}: send them in several pushes",
            request.changes.len()
        )));
    }
    Ok(request)
}

/// Audits a push refused before any of its changes was looked at: a body that is not a push (a
/// forged id that is no id, say), another protocol version, too much at once. The row keeps
/// the refusal's code, never the body or the reason, which may quote it.
async fn refuse_unread<S: Store>(
    state: &AppState<S>,
    caller: &Caller,
    error: AppError,
) -> AppError {
    let mut entry = caller.audit("refused", error.code());
    entry.detail = Some("push not read, none applied".to_owned());
    match state.store.audit(entry).await {
        Ok(()) => error,
        Err(failure) => failure.into(),
    }
}

/// Reads a push request, telling a device that speaks another protocol version so, rather than
/// that its body has the wrong shape.
fn parse_push(body: &[u8]) -> Result<PushRequest, AppError> {
    parse_versioned(body, "push", |request: &PushRequest| request.protocol)
}

/// Reads a sync request `T` (a `what`) whose `protocol` field says which version it speaks.
fn parse_versioned<T: DeserializeOwned>(
    body: &[u8],
    what: &str,
    protocol_of: impl Fn(&T) -> u32,
) -> Result<T, AppError> {
    /// Just the version, which every protocol's sync request carries.
    #[derive(Deserialize)]
    struct Envelope {
        protocol: Option<u32>,
    }

    let unsupported = |protocol: u32| {
        AppError::BadRequest(format!(
            "protocol version {protocol} is not supported: this server speaks version {PROTOCOL}"
        ))
    };
    match serde_json::from_slice::<T>(body) {
        Ok(request) if protocol_of(&request) == PROTOCOL => Ok(request),
        Ok(request) => Err(unsupported(protocol_of(&request))),
        Err(error) => match serde_json::from_slice::<Envelope>(body) {
            Ok(Envelope {
                protocol: Some(protocol),
            }) if protocol != PROTOCOL => Err(unsupported(protocol)),
            _ => Err(AppError::BadRequest(format!(
                "the body is not a {what} request: {error}"
            ))),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn reason_of(error: AppError) -> String {
        match error {
            AppError::BadRequest(reason) => reason,
            other => panic!("expected a bad request, got {other:?}"),
        }
    }

    #[test]
    fn a_push_of_another_protocol_version_is_told_which_version_is_spoken() {
        let older = PROTOCOL - 1;
        let body = json!({"protocol": older, "device": "x", "whatever": []}).to_string();
        let reason = reason_of(parse_push(body.as_bytes()).unwrap_err());
        assert!(reason.contains(&format!("version {older}")), "{reason}");
        assert!(reason.contains(&format!("version {PROTOCOL}")), "{reason}");
    }

    #[test]
    fn a_body_of_the_wrong_shape_is_refused_with_the_reason() {
        let body = json!({"protocol": PROTOCOL, "changes": []}).to_string();
        let reason = reason_of(parse_push(body.as_bytes()).unwrap_err());
        assert!(reason.contains("device"), "{reason}");
        assert!(reason_of(parse_push(b"not json").unwrap_err()).starts_with("the body is not"));
    }
}
