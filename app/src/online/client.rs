//! The typed client of the server's JSON API (docs/sync.md): one function
//! per endpoint the app calls, each answering the endpoint's message type
//! or an [`ApiError`] — offline, revoked, or refused with the server's
//! code and the field at fault. Browser-only; reached only through the
//! lazily loaded sync chunk and online screens (so the HTTP client stays
//! out of the first load).

use domain::api::PasswordRequest;
use domain::api::{
    AccountView, CaseHistory, CaseLock, CaseOwnership, CaseRisk, DeviceSession, ErrorBody,
    ErrorCode, Inbox, LockRequest, LoginRequest, LoginResponse, PushKey, ReferralRequest,
    RiskStepRequest, ServerCase, SubscriptionBody, UploadStatus,
};
use domain::screening::ComplianceReport;
use domain::sync::{PullResponse, PushRequest, PushResponse};
use domain::{AccountId, CaseId, DeviceSessionId, InboxItemId};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Why a call did not get its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// No network or no server (or a 5xx): try again later.
    Offline(String),
    /// The device was revoked or logged out elsewhere: wipe.
    Revoked,
    /// The session expired: keep everything, ask for the password again.
    Expired,
    /// The account was stopped by an office: wipe, as for a revocation.
    Disabled,
    /// Refused (4xx): the status, the server's code, the field it is
    /// about, and its message for people.
    Refused {
        status: u16,
        code: Option<ErrorCode>,
        field: Option<String>,
        message: String,
    },
}

impl ApiError {
    /// Whether trying again later may succeed.
    pub fn is_offline(&self) -> bool {
        matches!(self, ApiError::Offline(_))
    }

    /// The words for people.
    pub fn text(&self) -> String {
        match self {
            // what the browser said (`TypeError: Failed to fetch`) is for
            // the console, not for a mediator
            ApiError::Offline(e) => {
                leptos::logging::warn!("cannot reach the server: {e}");
                "没有信号，记录已存在手机里，有网时自动上传 / no signal: everything is kept on this phone and sent when there is a network".into()
            }
            ApiError::Revoked => "此设备已被注销 / this device was revoked".into(),
            ApiError::Disabled => {
                "账号已停用，请联系司法所 / the account is stopped: ask the judicial office".into()
            }
            ApiError::Expired => {
                "登录已过期，请重新输入密码，本机记录都还在 / the log-in has expired: enter the password again, everything on this phone is kept".into()
            }
            ApiError::Refused { message, .. } => message.clone(),
        }
    }
}

fn offline(e: impl std::fmt::Display) -> ApiError {
    ApiError::Offline(e.to_string())
}

/// The answer of a request, read as `T` (a 204 reads as `()`).
async fn answer<T: DeserializeOwned>(
    res: Result<gloo_net::http::Response, gloo_net::Error>,
) -> Result<T, ApiError> {
    let res = res.map_err(offline)?;
    if res.ok() {
        let text = res.text().await.map_err(offline)?;
        // no content (204) reads as `null`: `()`. One deserializer for
        // every answer (a second one, e.g. from a `Value`, would copy each
        // type's decoding into the sync chunk)
        let text = if text.is_empty() { "null" } else { &text };
        return serde_json::from_str::<T>(text).map_err(offline);
    }
    let status = res.status();
    let body: Option<ErrorBody> = res.json().await.ok();
    let code = body.as_ref().map(|b| b.code);
    match code {
        _ if status != 401 => {}
        Some(ErrorCode::BadCredentials) => {}
        Some(ErrorCode::Expired) => return Err(ApiError::Expired),
        Some(ErrorCode::Disabled) => return Err(ApiError::Disabled),
        _ => return Err(ApiError::Revoked),
    }
    if status >= 500 {
        return Err(ApiError::Offline(format!("HTTP {status}")));
    }
    Err(ApiError::Refused {
        status,
        code,
        field: body.as_ref().and_then(|b| b.field.clone()),
        message: body.map_or_else(|| "请求被拒绝 / refused".to_owned(), |b| b.message),
    })
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

async fn get<T: DeserializeOwned>(url: &str, token: &str) -> Result<T, ApiError> {
    let req = gloo_net::http::Request::get(url).header("Authorization", &bearer(token));
    answer(req.send().await).await
}

async fn post<B: Serialize, T: DeserializeOwned>(
    url: &str,
    token: Option<&str>,
    body: &B,
) -> Result<T, ApiError> {
    let mut req = gloo_net::http::Request::post(url);
    if let Some(token) = token {
        req = req.header("Authorization", &bearer(token));
    }
    answer(req.json(body).map_err(offline)?.send().await).await
}

async fn put<B: Serialize, T: DeserializeOwned>(
    url: &str,
    token: &str,
    body: &B,
) -> Result<T, ApiError> {
    let req = gloo_net::http::Request::put(url)
        .header("Authorization", &bearer(token))
        .json(body)
        .map_err(offline)?;
    answer(req.send().await).await
}

async fn delete<T: DeserializeOwned>(url: &str, token: &str) -> Result<T, ApiError> {
    let req = gloo_net::http::Request::delete(url).header("Authorization", &bearer(token));
    answer(req.send().await).await
}

/// `POST /api/v1/auth/login`.
pub async fn login(req: &LoginRequest) -> Result<LoginResponse, ApiError> {
    post("/api/v1/auth/login", None, req).await
}

/// `POST /api/v1/auth/logout`.
pub async fn logout(token: &str) -> Result<(), ApiError> {
    post("/api/v1/auth/logout", Some(token), &()).await
}

/// `POST /api/v1/sync/push`.
pub async fn push(token: &str, req: &PushRequest) -> Result<PushResponse, ApiError> {
    post("/api/v1/sync/push", Some(token), req).await
}

/// The two things a sync pulls, each with its own cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Cases and screening records (`/api/v1/sync/pull`).
    Changes,
    /// Units, schedules, rule sets (`/api/v1/sync/reference`).
    Reference,
}

/// A page of `GET /api/v1/sync/pull` or `…/reference`.
pub async fn pull(
    token: &str,
    stream: Stream,
    cursor: i64,
    limit: u32,
) -> Result<PullResponse, ApiError> {
    let path = match stream {
        Stream::Changes => "pull",
        Stream::Reference => "reference",
    };
    get(
        &format!("/api/v1/sync/{path}?cursor={cursor}&limit={limit}"),
        token,
    )
    .await
}

/// `GET /api/v1/attachments/{sha256}/upload`.
pub async fn upload_status(token: &str, sha256: &str) -> Result<UploadStatus, ApiError> {
    get(&format!("/api/v1/attachments/{sha256}/upload"), token).await
}

/// `PUT /api/v1/attachments/{sha256}` with the piece starting at `offset`.
pub async fn upload_piece(
    token: &str,
    sha256: &str,
    offset: u64,
    piece: &web_sys::Blob,
) -> Result<UploadStatus, ApiError> {
    let req = gloo_net::http::Request::put(&format!("/api/v1/attachments/{sha256}"))
        .header("Authorization", &bearer(token))
        .header("Upload-Offset", &offset.to_string())
        .header("Content-Type", "application/octet-stream")
        .body(piece.clone())
        .map_err(offline)?;
    answer(req.send().await).await
}

/// `GET /api/v1/cases/{id}`.
pub async fn server_case(token: &str, id: CaseId) -> Result<ServerCase, ApiError> {
    get(&format!("/api/v1/cases/{id}"), token).await
}

/// `GET /api/v1/cases/{id}/history`.
pub async fn case_history(token: &str, id: CaseId) -> Result<CaseHistory, ApiError> {
    get(&format!("/api/v1/cases/{id}/history"), token).await
}

/// `GET /api/v1/cases/{id}/money`.
pub async fn money_trail(
    token: &str,
    id: CaseId,
) -> Result<domain::money_trail::MoneyTrail, ApiError> {
    get(&format!("/api/v1/cases/{id}/money"), token).await
}

/// `GET /api/v1/{cases|claims}/{id}/duplicates` (`of` the path's start).
pub async fn duplicates(
    token: &str,
    of: &str,
) -> Result<Vec<domain::duplicate::CaseDuplicates>, ApiError> {
    get(&format!("{of}/duplicates"), token).await
}

/// `PUT /api/v1/cases/{id}/lock`.
pub async fn lock(token: &str, id: CaseId, reason: String) -> Result<CaseLock, ApiError> {
    put(
        &format!("/api/v1/cases/{id}/lock"),
        token,
        &LockRequest { reason },
    )
    .await
}

/// `PUT /api/v1/cases/{id}/major-review`.
pub async fn review_major(
    token: &str,
    id: CaseId,
    req: &domain::api::MajorReviewRequest,
) -> Result<domain::api::MajorReviewed, ApiError> {
    put(&format!("/api/v1/cases/{id}/major-review"), token, req).await
}

/// `DELETE /api/v1/cases/{id}/lock`.
pub async fn unlock(token: &str, id: CaseId) -> Result<CaseLock, ApiError> {
    delete(&format!("/api/v1/cases/{id}/lock"), token).await
}

/// `GET /api/v1/cases/{id}/risk`.
pub async fn risk(token: &str, id: CaseId) -> Result<CaseRisk, ApiError> {
    get(&format!("/api/v1/cases/{id}/risk"), token).await
}

/// `PUT /api/v1/cases/{id}/risk`.
pub async fn risk_step(
    token: &str,
    id: CaseId,
    step: &RiskStepRequest,
) -> Result<CaseRisk, ApiError> {
    put(&format!("/api/v1/cases/{id}/risk"), token, step).await
}

/// `GET /api/v1/cases/{id}/referral`.
pub async fn referral(token: &str, id: CaseId) -> Result<CaseOwnership, ApiError> {
    get(&format!("/api/v1/cases/{id}/referral"), token).await
}

/// `POST /api/v1/cases/{id}/referral`.
pub async fn referral_step(
    token: &str,
    id: CaseId,
    step: &ReferralRequest,
) -> Result<CaseOwnership, ApiError> {
    post(&format!("/api/v1/cases/{id}/referral"), Some(token), step).await
}

/// `GET /api/v1/devices`.
pub async fn devices(token: &str) -> Result<Vec<DeviceSession>, ApiError> {
    get("/api/v1/devices", token).await
}

/// `GET /api/v1/accounts`.
pub async fn accounts(token: &str) -> Result<Vec<AccountView>, ApiError> {
    get("/api/v1/accounts", token).await
}

/// `POST /api/v1/accounts/{id}/password`.
pub async fn set_password(
    token: &str,
    id: AccountId,
    req: &PasswordRequest,
) -> Result<AccountView, ApiError> {
    post(&format!("/api/v1/accounts/{id}/password"), Some(token), req).await
}

/// `POST /api/v1/accounts/{id}/disable` (`true`) or `…/enable`.
pub async fn set_account_disabled(
    token: &str,
    id: AccountId,
    disabled: bool,
) -> Result<AccountView, ApiError> {
    let verb = if disabled { "disable" } else { "enable" };
    post(
        &format!("/api/v1/accounts/{id}/{verb}"),
        Some(token),
        &serde_json::json!({}),
    )
    .await
}

/// `POST /api/v1/devices/{id}/revoke`.
pub async fn revoke_device(token: &str, id: DeviceSessionId) -> Result<DeviceSession, ApiError> {
    post(
        &format!("/api/v1/devices/{id}/revoke"),
        Some(token),
        &serde_json::json!({}),
    )
    .await
}

/// `GET /api/v1/compliance[?on=YYYY-MM-DD]`.
pub async fn compliance(
    token: &str,
    on: Option<jiff::civil::Date>,
) -> Result<ComplianceReport, ApiError> {
    let url = match on {
        Some(day) => format!("/api/v1/compliance?on={}", domain::dates::format_iso(day)),
        None => "/api/v1/compliance".to_owned(),
    };
    get(&url, token).await
}

/// `GET /api/v1/inbox`.
pub async fn inbox(token: &str) -> Result<Inbox, ApiError> {
    get("/api/v1/inbox", token).await
}

/// `POST /api/v1/inbox/{id}/read`.
pub async fn mark_read(token: &str, id: InboxItemId) -> Result<(), ApiError> {
    post(
        &format!("/api/v1/inbox/{id}/read"),
        Some(token),
        &serde_json::json!({}),
    )
    .await
}

/// `GET /api/v1/push/key`.
pub async fn push_key(token: &str) -> Result<PushKey, ApiError> {
    get("/api/v1/push/key", token).await
}

/// `PUT /api/v1/push/subscription`.
pub async fn subscribe(token: &str, body: &SubscriptionBody) -> Result<(), ApiError> {
    put("/api/v1/push/subscription", token, body).await
}

/// `GET /api/v1/claims/draft`.
pub async fn claim_draft(
    token: &str,
    unit: domain::UnitId,
    quarter: domain::claim::Quarter,
) -> Result<domain::api::ClaimDraft, ApiError> {
    get(
        &format!("/api/v1/claims/draft?unit_id={unit}&quarter={quarter}"),
        token,
    )
    .await
}

/// `POST /api/v1/claims`.
pub async fn submit_claim(
    token: &str,
    req: &domain::api::NewClaim,
) -> Result<domain::api::ClaimView, ApiError> {
    post("/api/v1/claims", Some(token), req).await
}

/// `GET /api/v1/claims`.
pub async fn claims(token: &str) -> Result<Vec<domain::api::ClaimSummary>, ApiError> {
    get("/api/v1/claims", token).await
}

/// `GET /api/v1/claims/reconciliation`.
pub async fn reconciliation(
    token: &str,
    quarter: domain::claim::Quarter,
) -> Result<domain::reconcile::Reconciliation, ApiError> {
    get(
        &format!("/api/v1/claims/reconciliation?quarter={quarter}"),
        token,
    )
    .await
}

/// `GET /api/v1/claims/{id}`.
pub async fn claim(token: &str, id: domain::ClaimId) -> Result<domain::api::ClaimView, ApiError> {
    get(&format!("/api/v1/claims/{id}"), token).await
}

/// `POST /api/v1/claims/{id}/steps`.
pub async fn sign_claim(
    token: &str,
    id: domain::ClaimId,
    req: &domain::api::StepRequest,
) -> Result<domain::api::ClaimView, ApiError> {
    post(&format!("/api/v1/claims/{id}/steps"), Some(token), req).await
}

/// `POST /api/v1/claims/steps`.
pub async fn sign_many(
    token: &str,
    req: &domain::api::BulkStepRequest,
) -> Result<domain::api::BulkStepAnswer, ApiError> {
    post("/api/v1/claims/steps", Some(token), req).await
}

/// `POST /api/v1/claims/{id}/special-decisions`.
pub async fn decide_special(
    token: &str,
    id: domain::ClaimId,
    req: &domain::special::SpecialRequest,
) -> Result<domain::api::ClaimView, ApiError> {
    post(
        &format!("/api/v1/claims/{id}/special-decisions"),
        Some(token),
        req,
    )
    .await
}

/// `POST /api/v1/claims/{id}/spot-check`.
pub async fn draw_spot_check(
    token: &str,
    id: domain::ClaimId,
    req: &domain::spot_check::DrawRequest,
) -> Result<domain::api::ClaimView, ApiError> {
    post(&format!("/api/v1/claims/{id}/spot-check"), Some(token), req).await
}

/// `POST /api/v1/claims/{id}/spot-check/calls`.
pub async fn record_call(
    token: &str,
    id: domain::ClaimId,
    req: &domain::spot_check::CallRequest,
) -> Result<domain::api::ClaimView, ApiError> {
    post(
        &format!("/api/v1/claims/{id}/spot-check/calls"),
        Some(token),
        req,
    )
    .await
}

/// `POST /api/v1/claims/township-payments`.
pub async fn pay_township(
    token: &str,
    req: &domain::api::TownshipPaymentRequest,
) -> Result<domain::claim::Payment, ApiError> {
    post("/api/v1/claims/township-payments", Some(token), req).await
}

/// `POST /api/v1/claims/{id}/mediator-payments`.
pub async fn pay_mediator(
    token: &str,
    id: domain::ClaimId,
    req: &domain::api::MediatorPaymentRequest,
) -> Result<domain::api::ClaimView, ApiError> {
    post(
        &format!("/api/v1/claims/{id}/mediator-payments"),
        Some(token),
        req,
    )
    .await
}

/// `POST /api/v1/payments/{id}/receipt`.
pub async fn confirm_receipt(
    token: &str,
    id: domain::PaymentId,
    req: &domain::api::ReceiptRequest,
) -> Result<domain::claim::Payment, ApiError> {
    post(&format!("/api/v1/payments/{id}/receipt"), Some(token), req).await
}

/// `GET /api/v1/claims/mine`.
pub async fn my_subsidy(token: &str) -> Result<domain::api::MySubsidy, ApiError> {
    get("/api/v1/claims/mine", token).await
}

/// A file of the server's (`GET`, the bytes as they are).
pub async fn file(url: &str, token: &str) -> Result<Vec<u8>, ApiError> {
    let res = gloo_net::http::Request::get(url)
        .header("Authorization", &bearer(token))
        .send()
        .await
        .map_err(offline)?;
    if !res.ok() {
        return answer::<serde_json::Value>(Ok(res))
            .await
            .map(|_| Vec::new());
    }
    res.binary().await.map_err(offline)
}

/// `GET /api/v1/duty?month=…`.
pub async fn duty_month(
    token: &str,
    month: domain::fixed_pay::Month,
) -> Result<domain::fixed_pay::DutyMonth, ApiError> {
    get(&format!("/api/v1/duty?month={month}"), token).await
}

/// `POST /api/v1/duty`.
pub async fn decide_duty(
    token: &str,
    req: &domain::fixed_pay::DutyRequest,
) -> Result<domain::fixed_pay::DutyRow, ApiError> {
    post("/api/v1/duty", Some(token), req).await
}

/// `GET /api/v1/duty/payroll`.
pub async fn payroll(
    token: &str,
    quarter: domain::claim::Quarter,
) -> Result<domain::fixed_payroll::Payroll, ApiError> {
    get(&format!("/api/v1/duty/payroll?quarter={quarter}"), token).await
}

/// `POST /api/v1/duty/township-payments`.
pub async fn pay_fixed_township(
    token: &str,
    req: &domain::fixed_payroll::FixedTownshipPayment,
) -> Result<domain::claim::Payment, ApiError> {
    post("/api/v1/duty/township-payments", Some(token), req).await
}

/// `POST /api/v1/duty/mediator-payments`.
pub async fn pay_fixed_mediator(
    token: &str,
    req: &domain::fixed_payroll::FixedMediatorPayment,
) -> Result<domain::claim::Payment, ApiError> {
    post("/api/v1/duty/mediator-payments", Some(token), req).await
}
