//! Demo log-ins and sync requests as a device makes them, for the tests
//! that talk to the real server.

use super::{TestApp, TestDb};
use domain::sync::{PullResponse, PushResponse};
use serde_json::{Value, json};
use uuid::Uuid;

pub const PASSWORD: &str = tiaojie_server::demo::DEMO_PASSWORD;
/// Demo log-ins (server/src/demo): a village mediator, a community
/// mediator, the judicial office of the village's township, the city bureau.
pub const VILLAGE_MEDIATOR: &str = "13800000001";
pub const COMMUNITY_MEDIATOR: &str = "13800000002";
pub const JUDICIAL_OFFICE: &str = "13900000002";
pub const BUREAU: &str = "13900000006";
/// A part-time mediator of the city's medical-dispute committee (a sector
/// committee, off every township's branch).
pub const SECTOR_MEDIATOR: &str = "13800000003";

pub struct Device {
    pub token: String,
    pub client_id: Uuid,
    pub person_id: domain::PersonId,
    pub unit_id: domain::UnitId,
    pub seq: std::cell::Cell<u64>,
}

pub async fn login(app: &TestApp, phone: &str) -> Device {
    login_as_device(app, phone, Uuid::now_v7()).await
}

/// A log-in from the phone whose device id is `device_id` (a phone that
/// logs in again keeps its id).
pub async fn login_as_device(app: &TestApp, phone: &str, device_id: Uuid) -> Device {
    let res = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"phone": phone, "password": PASSWORD, "device_id": device_id, "device_name": "test phone"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{phone} logs in");
    let body: Value = res.json().await.unwrap();
    Device {
        token: body["token"].as_str().unwrap().to_owned(),
        client_id: device_id,
        person_id: body["person_id"].as_str().unwrap().parse().unwrap(),
        unit_id: body["scopes"][0]["unit_id"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap(),
        seq: std::cell::Cell::new(0),
    }
}

/// A closed oral agreement of the device's own committee.
pub fn new_case(device: &Device, seed: u64) -> Value {
    let (unit, owner) = (device.unit_id, device.person_id);
    let d = |s: &str| domain::dates::parse_iso(s).unwrap();
    let cases = domain::sample::cases(40, seed, unit, owner, d("2024-03-01"), d("2024-03-31"));
    let case = cases
        .into_iter()
        .find(|c| {
            c.kind == domain::case::CaseKind::Oral && c.status == domain::case::CaseStatus::Closed
        })
        .expect("the sample has a closed oral agreement");
    serde_json::to_value(case).unwrap()
}

/// A dispute of the device's committee still being mediated (registered
/// in November 2026), at `risk`; `seed` picks it.
pub fn open_case(device: &Device, seed: u64, risk: domain::case::RiskLevel) -> Value {
    let (unit, owner) = (device.unit_id, device.person_id);
    let d = |s: &str| domain::dates::parse_iso(s).unwrap();
    let mut case = domain::sample::cases(60, seed, unit, owner, d("2026-11-01"), d("2026-11-20"))
        .into_iter()
        .find(|c| c.status != domain::case::CaseStatus::Closed)
        .expect("the sample has an open case");
    case.risk = risk;
    serde_json::to_value(case).unwrap()
}

pub fn mutation(device: &Device, op: &str, case: &Value, base_version: u64) -> Value {
    device.seq.set(device.seq.get() + 1);
    json!({
        "seq": device.seq.get(),
        "mutation_id": Uuid::now_v7(),
        "entity": "case",
        "entity_id": case["id"],
        "op": op,
        "base_version": base_version,
        "payload": if op == "delete" { Value::Null } else { case.clone() },
    })
}

pub async fn push_raw(app: &TestApp, device: &Device, body: &Value) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/sync/push"))
        .bearer_auth(&device.token)
        .json(body)
        .send()
        .await
        .unwrap()
}

pub async fn push(app: &TestApp, device: &Device, mutations: Vec<Value>) -> PushResponse {
    let res = push_raw(
        app,
        device,
        &json!({"client_id": device.client_id, "mutations": mutations}),
    )
    .await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

pub async fn pull(app: &TestApp, device: &Device, cursor: i64) -> PullResponse {
    pull_url(app, device, &format!("/api/v1/sync/pull?cursor={cursor}")).await
}

/// A page of at most `limit` changes.
pub async fn pull_page(app: &TestApp, device: &Device, cursor: i64, limit: u32) -> PullResponse {
    pull_url(
        app,
        device,
        &format!("/api/v1/sync/pull?cursor={cursor}&limit={limit}"),
    )
    .await
}

/// A page of the reference stream (units, schedules, rule sets).
pub async fn pull_reference(
    app: &TestApp,
    device: &Device,
    cursor: i64,
    limit: u32,
) -> PullResponse {
    pull_url(
        app,
        device,
        &format!("/api/v1/sync/reference?cursor={cursor}&limit={limit}"),
    )
    .await
}

async fn pull_url(app: &TestApp, device: &Device, url: &str) -> PullResponse {
    let res = app
        .client
        .get(app.url(url))
        .bearer_auth(&device.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

pub async fn count(db: &TestDb, table: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(db.db.pool())
        .await
        .unwrap()
}

/// The device's person's inbox (`GET /api/v1/inbox`).
pub async fn inbox(app: &TestApp, device: &Device) -> domain::api::Inbox {
    let res = app
        .client
        .get(app.url("/api/v1/inbox"))
        .bearer_auth(&device.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

/// Each answer of a push as (status, code, field).
pub fn outcomes(answer: &PushResponse) -> Vec<(domain::sync::Status, Option<&str>, Option<&str>)> {
    answer
        .results
        .iter()
        .map(|r| (r.status, r.code.map(|c| c.code()), r.field.as_deref()))
        .collect()
}

/// `GET /api/v1/compliance` with `query` (e.g. `on=2026-11-23`, or empty).
pub async fn compliance_raw(app: &TestApp, device: &Device, query: &str) -> reqwest::Response {
    app.client
        .get(app.url(&format!("/api/v1/compliance?{query}")))
        .bearer_auth(&device.token)
        .send()
        .await
        .unwrap()
}

/// A photo's worth of bytes that do not compress (a cheap LCG).
pub fn photo_bytes(len: usize, seed: u32) -> Vec<u8> {
    let mut x = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    (0..len)
        .map(|_| {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (x >> 24) as u8
        })
        .collect()
}

/// A new case of the device's committee that keeps a photo of `bytes`.
pub fn case_with_photo(device: &Device, seed: u64, bytes: &[u8]) -> Value {
    let mut case = new_case(device, seed);
    case["attachments"] = json!([{
        "id": uuid::Uuid::now_v7().to_string(),
        "form": "agreement",
        "taken_at": "2024-03-20T10:00:00+08:00",
        "position": null,
        "bytes": bytes.len(),
        "content_type": "image/jpeg",
        "sha256": tiaojie_server::service::auth::sha256_hex(bytes),
    }]);
    case
}

/// A closed, agreed general case of the device's committee with the six
/// forms, archived and recorded (tier C), recording `deaths` and
/// `disability_grade`, with a photo of the evidence when `evidence`.
pub fn major_case(
    device: &Device,
    deaths: u32,
    grade: Option<u8>,
    evidence: Option<&[u8]>,
) -> Value {
    let mut case = domain::testing::general_case();
    case.id = domain::CaseId::new_v7();
    case.seq = None;
    case.unit_id = device.unit_id;
    case.owner_id = device.person_id;
    case.deaths = deaths;
    case.disability_grade = grade;
    case.independent = true;
    case.recorded = true;
    let mut value = serde_json::to_value(case).unwrap();
    if let Some(bytes) = evidence {
        value["attachments"] = json!([{
            "id": uuid::Uuid::now_v7(), "form": "major_evidence", "taken_at": "2024-05-12T03:00:00Z",
            "position": null, "bytes": bytes.len(), "content_type": "image/jpeg", "sha256": tiaojie_server::service::auth::sha256_hex(bytes),
        }]);
    }
    value
}
