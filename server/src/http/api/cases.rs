//! `GET /api/v1/cases/{id}`: one case as the server holds it, for whoever
//! sees it — in particular the people of a sector committee a referral
//! across the tree waits at, who read it before it reaches their phones
//! (docs/screening.md, "Ownership and referral").

use crate::http::error::ApiError;
use crate::http::extract::PathId;
use crate::http::state::AppState;
use crate::service::Caller;
use axum::Json;
use axum::extract::State;
use domain::CaseId;
use domain::api::ErrorBody;
use domain::api::{CaseHistory, ServerCase};
use domain::money_trail::MoneyTrail;

/// One case as the server holds it
#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}",
    tag = "office",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The case's UUID")),
    responses(
        (status = 200, description = "The case and the name of its committee", body = ServerCase),
        (status = 400, description = "Bad id (`malformed`)", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `revoked` or `disabled`", body = ErrorBody),
        (status = 404, description = "Not in the caller's organisation, not referred to the caller's unit, or deleted (`not_found`)", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<CaseId>,
) -> Result<Json<ServerCase>, ApiError> {
    Ok(Json(
        crate::service::cases::server_case(&state.store, &caller, id).await?,
    ))
}

/// Cases that look like the same dispute (重复申报核查)
///
/// The same party (by resident ID) in another case of the same dispute
/// type received within 90 days, the same photo in another case, or
/// another oral case of the same parties the same day — in any committee.
/// Facts for the reviewing office to weigh, never a refusal. A flag names
/// the other case's committee, number, kind and day; its id only when the
/// caller may open it. For the offices that review the case.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}/duplicates",
    tag = "office",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The case's UUID")),
    responses(
        (status = 200, description = "The case with its flags, or an empty list when nothing looks like it", body = Vec<domain::duplicate::CaseDuplicates>),
        (status = 400, description = "Bad id (`malformed`)", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `revoked`, `expired` or `disabled`", body = ErrorBody),
        (status = 403, description = "The caller sees the case but does not review it: a committee or a finance office (`forbidden`)", body = ErrorBody),
        (status = 404, description = "Not in the caller's organisation (`not_found`)", body = ErrorBody),
        (status = 409, description = "The case was deleted (`deleted`)", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn duplicates(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<CaseId>,
) -> Result<Json<Vec<domain::duplicate::CaseDuplicates>>, ApiError> {
    Ok(Json(
        crate::service::duplicates::of_case(&state.store, &caller, id).await?,
    ))
}

/// A case's versions (修改记录)
///
/// Newest first: who made each version and when (a phone's change, or an
/// office's lock, risk step or referral on the server), the fields it
/// changed, and the values a conflict replaced (docs/sync.md, "Conflicts").
/// For whoever sees the whole case; not for the people a referral waits at.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}/history",
    tag = "office",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The case's UUID")),
    responses(
        (status = 200, description = "The case's versions, newest first", body = CaseHistory),
        (status = 400, description = "Bad id (`malformed`)", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `revoked` or `disabled`", body = ErrorBody),
        (status = 403, description = "A role that reads case numbers and amounts only: a finance office (`forbidden`)", body = ErrorBody),
        (status = 404, description = "Not in the caller's organisation, or only referred to the caller's unit (`not_found`)", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn history(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<CaseId>,
) -> Result<Json<CaseHistory>, ApiError> {
    Ok(Json(
        crate::service::cases::history(&state.store, &caller, id).await?,
    ))
}

/// A case's money trail (补助变动记录)
///
/// Oldest first, every change that moved what the case earns or is paid,
/// each with who and when: the versions that changed the facts the rules
/// read (with each fact before and after) or the server's verdict (before
/// and after); the claims that held it — the line as claimed, each
/// reduction or return with its step and reason, the party group's
/// decision, a whole claim sent back, the approval with what the case
/// earns by it — and the payments that carried it (to the township, to
/// its mediator, with the case's part) and the mediator's receipt. For
/// whoever reads the case's amounts, finance offices included; it names
/// no party (docs/claims.md, "The money trail").
#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}/money",
    tag = "office",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The case's UUID")),
    responses(
        (status = 200, description = "The case's verdict now and its money trail, oldest first", body = MoneyTrail),
        (status = 400, description = "Bad id (`malformed`)", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `revoked` or `disabled`", body = ErrorBody),
        (status = 404, description = "Not in the caller's organisation, or only referred to the caller's unit (`not_found`)", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn money_trail(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<CaseId>,
) -> Result<Json<MoneyTrail>, ApiError> {
    Ok(Json(
        crate::service::money_trail::money_trail(&state.store, &caller, id).await?,
    ))
}
