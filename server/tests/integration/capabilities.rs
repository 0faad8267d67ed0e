//! The role × endpoint × unit matrix of docs/security.md ("Roles"),
//! generated from the capability table (`Role::may`): every role's demo
//! log-in calls every endpoint on a case (or record) of a unit inside its
//! subtree and of one outside, and the answer is what the table says —
//! done; seen but refused for the role (403, or the push's `role`); or not
//! there at all (404, or the push's `scope`). On SQLite and PostgreSQL.

use crate::support::device::*;
use crate::support::{TestApp, TestDb};
use domain::api::ServerCase;
use domain::screening::{ScreeningOutcome, ScreeningRecord};
use domain::sync::Status;
use domain::{Capability, Role, ScreeningId, UnitId, UnitKind};
use serde_json::{Value, json};
use tiaojie_server::service::auth::sha256_hex;

/// Every role's demo log-in (server/src/demo: one per role).
const ROLES: [(Role, &str); 10] = [
    (Role::Mediator, VILLAGE_MEDIATOR),
    (Role::CommitteeHead, "13900000001"),
    (Role::JudicialStaff, "13900000002"),
    (Role::JudicialDirector, "13900000003"),
    (Role::TownshipLeader, "13900000004"),
    (Role::TownshipFinance, "13900000005"),
    (Role::BureauSection, "13900000006"),
    (Role::BureauApprover, "13900000007"),
    (Role::BureauPartyGroup, "13900000008"),
    (Role::BureauFinance, "13900000009"),
];

/// Where a case or record is: a village of the demo's first township
/// (inside every log-in's subtree), or off that township's branch (the
/// city's medical-dispute committee for cases, another township's village
/// for screenings: inside the city roles' subtree only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Inside,
    Outside,
}

/// What the table says a call gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    /// Done (for a read: the whole case).
    Done,
    /// Read, the amounts only (a finance office).
    AmountsOnly,
    /// Seen, but not the role's to do: 403, or the push's `role`.
    Refused,
    /// Not there to the caller: 404, or the push's `scope`.
    Hidden,
}

/// The endpoints on a unit's case or record, each with the capability it
/// asks for.
#[derive(Debug, Clone, Copy)]
enum Call {
    ReadCase,
    Pull,
    History,
    /// Its money trail (补助变动记录).
    MoneyTrail,
    Risk,
    Referral,
    Photo,
    ChangeCase,
    CreateCase,
    RecordScreening,
    Lock,
    /// The cases that look like it (重复申报核查).
    Duplicates,
    /// An account of the unit's mediator (enable: a no-op when done).
    ManageAccount,
}

impl Call {
    const ALL: [Call; 13] = [
        Call::ReadCase,
        Call::Pull,
        Call::History,
        Call::MoneyTrail,
        Call::Risk,
        Call::Referral,
        Call::Photo,
        Call::ChangeCase,
        Call::CreateCase,
        Call::RecordScreening,
        Call::Lock,
        Call::Duplicates,
        Call::ManageAccount,
    ];

    fn needs(self) -> Capability {
        match self {
            Call::ReadCase
            | Call::Pull
            | Call::History
            | Call::Risk
            | Call::Referral
            | Call::Photo => Capability::ReadCases,
            Call::MoneyTrail => Capability::ReadAmounts,
            Call::ChangeCase | Call::CreateCase => Capability::RecordCases,
            Call::RecordScreening => Capability::RecordScreenings,
            Call::Lock | Call::Duplicates => Capability::Review,
            Call::ManageAccount => Capability::ManageAccounts,
        }
    }

    /// The answer the capability table gives `role` (held at a unit of
    /// `held_at` kind) for a case or record at `place`.
    fn expected(self, role: Role, held_at: UnitKind, place: Place) -> Answer {
        let reaches = held_at == UnitKind::City || place == Place::Inside;
        let partial_read = matches!(self, Call::ReadCase | Call::Pull);
        // accounts are looked for only in the subtrees where the role
        // manages them: a role that manages none is refused outright
        if matches!(self, Call::ManageAccount) && !role.may(self.needs()) {
            return Answer::Refused;
        }
        match () {
            _ if !reaches => Answer::Hidden,
            _ if role.may(self.needs()) => Answer::Done,
            _ if partial_read && role.may(Capability::ReadAmounts) => Answer::AmountsOnly,
            // a photo's hash reveals nothing to whoever may not read it
            _ if matches!(self, Call::Photo) => Answer::Hidden,
            _ => Answer::Refused,
        }
    }
}

/// A new case of `unit` pushed by `device` (who will own it), keeping a
/// photo of `photo` when given.
fn case_at(device: &Device, unit: UnitId, seed: u64, photo: Option<&[u8]>) -> Value {
    let mut case = match photo {
        Some(bytes) => case_with_photo(device, seed, bytes),
        None => new_case(device, seed),
    };
    case["unit_id"] = json!(unit);
    case
}

async fn created(app: &TestApp, device: &Device, case: &Value) {
    let r = push(app, device, vec![mutation(device, "upsert", case, 0)]).await;
    assert_eq!(r.results[0].status, Status::Applied, "{:?}", r.results[0]);
}

async fn call(app: &TestApp, device: &Device, method: reqwest::Method, path: &str) -> u16 {
    let mut req = app
        .client
        .request(method.clone(), app.url(path))
        .bearer_auth(&device.token);
    if method == reqwest::Method::PUT {
        req = req.json(&json!({"reason": "季度审核中"}));
    }
    req.send().await.unwrap().status().as_u16()
}

/// The answer a status code gives.
fn by_status(status: u16) -> Answer {
    match status {
        200 => Answer::Done,
        403 => Answer::Refused,
        404 => Answer::Hidden,
        other => panic!("unexpected status {other}"),
    }
}

/// The answer of a push of one mutation.
fn by_push(r: &domain::sync::PushResponse) -> Answer {
    match outcomes(r).as_slice() {
        [(Status::Applied, None, _)] => Answer::Done,
        [(Status::Rejected, Some("role"), _)] => Answer::Refused,
        [(Status::Rejected, Some("scope"), _)] => Answer::Hidden,
        other => panic!("unexpected push answer {other:?}"),
    }
}

/// What a read of a case shows: the whole case (a party's name), or its
/// amounts only (names blank, the number and amounts there).
fn by_case(case: &domain::case::Case) -> Answer {
    assert!(!case.parties.is_empty());
    if case
        .parties
        .iter()
        .all(|p| p.name.is_empty() && p.resident_id.is_none())
    {
        assert!(case.summary.is_empty() && case.attachments.is_empty());
        Answer::AmountsOnly
    } else {
        Answer::Done
    }
}

async fn unit_of_kind_outside(db: &TestDb, kind: &str, inside: UnitId) -> UnitId {
    // a unit of `kind` whose path does not hold the first township
    let township: String = sqlx::query_scalar("SELECT parent_id FROM org_unit WHERE id = $1")
        .bind(inside.to_string())
        .fetch_one(db.db.pool())
        .await
        .unwrap();
    let id: String = sqlx::query_scalar(
        "SELECT id FROM org_unit WHERE kind = $1 AND path NOT LIKE $2 ORDER BY code LIMIT 1",
    )
    .bind(kind)
    .bind(format!("%{township}%"))
    .fetch_one(db.db.pool())
    .await
    .unwrap();
    UnitId::parse(&id).unwrap()
}

on_both_databases! {
    async fn every_role_gets_what_the_capability_table_says_on_every_endpoint(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        // who records the cases the others call on: a village's mediator
        // (inside) and the medical committee's (outside)
        let village = login(&app, VILLAGE_MEDIATOR).await;
        let medical = login(&app, SECTOR_MEDIATOR).await;
        let other_village = unit_of_kind_outside(&db, "village", village.unit_id).await;
        let author = |place| if place == Place::Inside { &village } else { &medical };
        let mut seed = 100;
        let mut base = Vec::new();
        for place in [Place::Inside, Place::Outside] {
            let by = author(place);
            let photo = photo_bytes(2_000, seed as u32);
            let case = case_at(by, by.unit_id, seed, Some(&photo));
            seed += 1;
            created(&app, by, &case).await;
            let sha = sha256_hex(&photo);
            let res = app.client.put(app.url(&format!("/api/v1/attachments/{sha}")))
                .bearer_auth(&by.token).header("Upload-Offset", "0").body(photo.clone())
                .send().await.unwrap();
            assert_eq!(res.status(), 200);
            base.push((place, case, sha));
        }

        let mut cells = 0;
        for (role, phone) in ROLES {
            let who = login(&app, phone).await;
            let me: Value = app.client.get(app.url("/api/v1/auth/me")).bearer_auth(&who.token)
                .send().await.unwrap().json().await.unwrap();
            assert_eq!(me["scopes"][0]["role"], role.code(), "{phone} holds {role}");
            let held_at: UnitKind = serde_json::from_value(me["scopes"][0]["unit_kind"].clone()).unwrap();
            let pulled = pull(&app, &who, 0).await;
            for (place, case, sha) in &base {
                let id = case["id"].as_str().unwrap();
                for c in Call::ALL {
                    let want = c.expected(role, held_at, *place);
                    let got = match c {
                        Call::ReadCase => {
                            let res = app.client.get(app.url(&format!("/api/v1/cases/{id}")))
                                .bearer_auth(&who.token).send().await.unwrap();
                            match res.status().as_u16() {
                                200 => {
                                    let shown: ServerCase = res.json().await.unwrap();
                                    let got = by_case(&shown.case);
                                    assert_eq!(shown.contacts_hidden, got != Answer::Done);
                                    got
                                }
                                s => by_status(s),
                            }
                        }
                        Call::Pull => match pulled.changes.iter().find(|ch| ch.entity_id.to_string() == id) {
                            None => Answer::Hidden,
                            Some(ch) => {
                                let case: domain::case::Case =
                                    serde_json::from_value(ch.payload.clone().unwrap()).unwrap();
                                by_case(&case)
                            }
                        },
                        Call::History => by_status(call(&app, &who, reqwest::Method::GET, &format!("/api/v1/cases/{id}/history")).await),
                        Call::MoneyTrail => by_status(call(&app, &who, reqwest::Method::GET, &format!("/api/v1/cases/{id}/money")).await),
                        Call::Duplicates => by_status(call(&app, &who, reqwest::Method::GET, &format!("/api/v1/cases/{id}/duplicates")).await),
                        Call::Risk => by_status(call(&app, &who, reqwest::Method::GET, &format!("/api/v1/cases/{id}/risk")).await),
                        Call::Referral => by_status(call(&app, &who, reqwest::Method::GET, &format!("/api/v1/cases/{id}/referral")).await),
                        Call::Photo => by_status(call(&app, &who, reqwest::Method::GET, &format!("/api/v1/attachments/{sha}")).await),
                        Call::ChangeCase => {
                            // a fresh case of the place, changed by the role
                            let by = author(*place);
                            let mut fresh = case_at(by, by.unit_id, seed, None);
                            seed += 1;
                            created(&app, by, &fresh).await;
                            fresh["summary"] = json!("改：双方当事人已到场");
                            by_push(&push(&app, &who, vec![mutation(&who, "upsert", &fresh, 1)]).await)
                        }
                        Call::CreateCase => {
                            let unit = author(*place).unit_id;
                            let new = case_at(&who, unit, seed, None);
                            seed += 1;
                            by_push(&push(&app, &who, vec![mutation(&who, "upsert", &new, 0)]).await)
                        }
                        Call::RecordScreening => {
                            let unit = if *place == Place::Inside { village.unit_id } else { other_village };
                            let record = ScreeningRecord {
                                id: ScreeningId::stable(&format!("{phone}:{place:?}")),
                                unit_id: unit,
                                duty: "village_monthly_screening".into(),
                                date: domain::dates::china_date(jiff::Timestamp::now()),
                                coverage: "全村 6 个村民小组".into(),
                                households: Some(210),
                                outcome: ScreeningOutcome::NothingFound,
                                notes: String::new(),
                                photo: None,
                                recorded_by: who.person_id,
                                attendees: None,
                            };
                            who.seq.set(who.seq.get() + 1);
                            let m = json!({
                                "seq": who.seq.get(), "mutation_id": uuid::Uuid::now_v7(),
                                "entity": "screening", "entity_id": record.id, "op": "upsert",
                                "base_version": 0, "payload": record,
                            });
                            by_push(&push(&app, &who, vec![m]).await)
                        }
                        Call::Lock => {
                            let by = author(*place);
                            let fresh = case_at(by, by.unit_id, seed, None);
                            seed += 1;
                            created(&app, by, &fresh).await;
                            let fid = fresh["id"].as_str().unwrap();
                            by_status(call(&app, &who, reqwest::Method::PUT, &format!("/api/v1/cases/{fid}/lock")).await)
                        }
                        Call::ManageAccount => {
                            let phone = if *place == Place::Inside { VILLAGE_MEDIATOR } else { SECTOR_MEDIATOR };
                            let account: String = sqlx::query_scalar("SELECT id FROM account WHERE phone = $1")
                                .bind(phone).fetch_one(db.db.pool()).await.unwrap();
                            by_status(call(&app, &who, reqwest::Method::POST, &format!("/api/v1/accounts/{account}/enable")).await)
                        }
                    };
                    assert_eq!(got, want, "{role} ({phone}) · {c:?} · {place:?}");
                    cells += 1;
                }
            }
            // the endpoints on everything below the caller
            for path in ["/api/v1/compliance", "/api/v1/devices"] {
                let want = if role.may(Capability::Review) { Answer::Done } else { Answer::Refused };
                let got = by_status(call(&app, &who, reqwest::Method::GET, path).await);
                assert_eq!(got, want, "{role} ({phone}) · {path}");
                cells += 1;
            }
            let want = if role.may(Capability::ManageAccounts) { Answer::Done } else { Answer::Refused };
            let got = by_status(call(&app, &who, reqwest::Method::GET, "/api/v1/accounts").await);
            assert_eq!(got, want, "{role} ({phone}) · /api/v1/accounts");
            cells += 1;
        }
        assert_eq!(cells, ROLES.len() * (Call::ALL.len() * 2 + 3));
        drop(app);
        db.cleanup().await;
    }
}
