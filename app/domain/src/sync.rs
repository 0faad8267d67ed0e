//! The sync protocol (同步协议) shared by the phone and the server: the
//! messages of `POST /api/v1/sync/push` and `GET /api/v1/sync/pull`, the
//! limits, and the field-level merge the server applies when a change was
//! made against an older version. docs/sync.md describes the protocol.
//!
//! Pure: no I/O, compiled to wasm (the phone) and natively (the server).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

/// At most this many mutations in one push.
pub const MAX_PUSH_MUTATIONS: usize = 500;
/// At most this many changes in one page of a pull.
pub const MAX_PULL_LIMIT: u32 = 1000;
/// A page of a pull when the client names no limit.
pub const DEFAULT_PULL_LIMIT: u32 = 500;

/// What a change is about. Devices push cases and screenings; the reference data
/// (units, schedules, rule sets) comes down the reference stream
/// (`GET /api/v1/sync/reference`) and is read-only on the phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    /// 案件 — a `domain::case::Case`.
    Case,
    /// 排查记录 — a `domain::screening::ScreeningRecord` (or the record of an
    /// analysis meeting or a training), pushed by devices like a case.
    Screening,
    /// 组织单位 — a `domain::org::UnitRecord` in or above the caller's scope.
    Unit,
    /// 排查日程 — a `domain::screening::Schedule`.
    Schedule,
    /// 以案定补规则 — a `domain::rules::RuleSet`.
    RuleSet,
}

impl Entity {
    /// Its name on the wire and in the database (`rule_set`).
    pub fn code(self) -> &'static str {
        match self {
            Entity::Case => "case",
            Entity::Screening => "screening",
            Entity::Unit => "unit",
            Entity::Schedule => "schedule",
            Entity::RuleSet => "rule_set",
        }
    }

    /// The reference data's own stable id for a document known by a text
    /// id (`schedule` `five-ones`): the same on every server (UUID v5).
    pub fn document_id(self, id: &str) -> Uuid {
        const NAMESPACE: Uuid = Uuid::from_u128(0x3d0b_61a4_5c1e_4f7a_8e26_0b9c_4a57_e2d1);
        Uuid::new_v5(&NAMESPACE, format!("{}:{id}", self.code()).as_bytes())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// Create, or change against `base_version`.
    Upsert,
    /// Delete (the server keeps a tombstone that other devices pull).
    Delete,
}

/// One change made on a device, as it waits in the outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Mutation {
    /// The device's own counter: strictly increasing, starting at 1.
    pub seq: u64,
    /// Made on the device (UUID v7); unique for ever.
    pub mutation_id: Uuid,
    pub entity: Entity,
    pub entity_id: Uuid,
    pub op: Op,
    /// The server version the device changed (0: a new record).
    pub base_version: u64,
    /// The whole record after the change (`upsert`): a `domain::case::Case`
    /// as JSON (案件). Absent for `delete`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub payload: Option<Value>,
}

/// `POST /api/v1/sync/push`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    /// The device's sync identity (one per installed app; UUID).
    pub client_id: Uuid,
    pub mutations: Vec<Mutation>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Applied as sent (possibly merged with other fields changed meanwhile).
    Applied,
    /// Not applied: `field` and `message` say why. Nothing of it was stored.
    Rejected,
    /// Applied, but another change had touched the same fields since
    /// `base_version`: the server's order decided (this change, the later
    /// one, won); the values it replaced are kept in the case history.
    Conflict,
}

/// The server's answer to one mutation. A replayed push returns the stored
/// answers unchanged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MutationResult {
    pub seq: u64,
    pub mutation_id: Uuid,
    pub status: Status,
    /// The record's version after this mutation (applied / conflict).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
    /// The server's verdict on the subsidy tier (applied / conflict on a case).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    /// Rejected: the field at fault (`payload.parties[0].resident_id`…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Rejected: why, Chinese then English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Rejected: a machine-readable reason (`locked`, `invalid`, `scope`…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Conflict: the fields where the server's order decided.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overridden: Vec<String>,
    /// Conflict: the record as the server now holds it (a
    /// `domain::case::Case` as JSON).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub server: Option<Value>,
}

/// The subsidy tier as the server computed it with the shared rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Verdict {
    /// e.g. `"A"`; none while open or when nothing is earned.
    pub tier: Option<String>,
    /// The subsidy (补助) in yuan, a decimal string, e.g. `"30.00"`.
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("30.00")))]
    pub amount: crate::Money,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushResponse {
    /// The highest `seq` the server has applied for this client.
    pub last_seq: u64,
    pub results: Vec<MutationResult>,
}

/// One record that changed, as a pull returns it: the latest state only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Change {
    /// The server's change number: strictly increasing in commit order.
    pub change_no: i64,
    pub entity: Entity,
    pub entity_id: Uuid,
    pub version: u64,
    /// A tombstone: the record was deleted (`payload` is absent).
    pub deleted: bool,
    /// The record as the server holds it: a `domain::case::Case` as JSON
    /// (案件). Absent for a tombstone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub payload: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    /// When this version came from a merge where the server's order decided:
    /// the fields whose earlier value it replaced (the device shows a notice).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overridden: Vec<String>,
}

/// Where an attachment's upload stands (`GET /api/v1/attachments/{sha256}/upload`
/// and the answer to each uploaded piece): send the bytes from `received`
/// on, until `complete`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UploadStatus {
    pub sha256: String,
    /// The whole content's size, as the case's attachment declares it.
    pub bytes: u64,
    /// Bytes the server holds so far (the offset of the next piece).
    pub received: u64,
    /// All bytes arrived and matched the SHA-256 (or the server had them).
    pub complete: bool,
}

/// A case's lock as an office set it (`PUT`/`DELETE /api/v1/cases/{id}/lock`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseLock {
    pub id: String,
    /// The case's version after the change (devices pull it).
    pub version: i64,
    pub locked_reason: Option<String>,
}

/// A device session of someone in the units the caller supervises
/// (`GET /api/v1/devices`). Times are RFC 3339 UTC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceSession {
    /// The device session's id (what revocation names).
    pub id: String,
    pub person_name: String,
    pub phone: String,
    pub unit_name: String,
    pub device_name: String,
    pub created_at: String,
    pub last_seen_at: String,
    pub revoked_at: Option<String>,
}

/// One item of a person's inbox (收件箱, `GET /api/v1/inbox`): today, a
/// high-risk dispute in a unit they supervise, escalated at once by the
/// server. Times are RFC 3339 UTC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InboxItem {
    pub id: String,
    /// `escalation`
    pub kind: String,
    /// e.g. `高风险纠纷 · 大潭村人民调解委员会`
    pub title: String,
    /// e.g. `大潭村人民调解委员会 邻里纠纷（11月25日受理）`: no party names.
    pub body: String,
    pub case_id: Option<String>,
    pub unit_id: String,
    pub created_at: String,
    pub read: bool,
}

/// The caller's newest inbox items and how many are unread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Inbox {
    pub unread: i64,
    pub items: Vec<InboxItem>,
}

/// Someone who may be named responsible (包保人) for a case's risk: a
/// mediator or committee head of its committee or an office above it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RiskCandidate {
    pub person_id: String,
    pub name: String,
    pub unit_name: String,
    /// The role's code, e.g. `mediator`, `judicial_staff`.
    pub role: String,
}

/// A case's risk assessment as the case page shows it (`GET` and `PUT
/// /api/v1/cases/{id}/risk`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseRisk {
    pub case_id: String,
    /// The case's version after the step (devices pull it).
    pub version: u64,
    /// The level recorded on the case (`high`…).
    pub level: String,
    /// None before the first step: the level on the case is the group's
    /// provisional one.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub assessment: Option<crate::screening::RiskAssessment>,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub levels: Vec<crate::screening::RiskLevelDef>,
    pub candidates: Vec<RiskCandidate>,
}

/// `PUT /api/v1/cases/{id}/risk`: one step of the assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RiskStepRequest {
    /// `agree` (村议定, the committee), `confirm` (乡审定), `downgrade`
    /// (降级) or `close` (销号) (the township's judicial office).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub action: crate::screening::RiskAction,
    /// The level agreed, confirmed or downgraded to.
    #[serde(default)]
    pub level: Option<String>,
    /// The responsible person (包保人), one of the candidates; needed to
    /// confirm a high level.
    #[serde(default)]
    pub responsible: Option<String>,
    /// Why (needed to close out).
    #[serde(default)]
    pub note: String,
}

/// One case as the server holds it (`GET /api/v1/cases/{id}`): for the
/// people of a unit a referral across the tree waits at, who read it online
/// before it is theirs (it reaches their phones once they accept it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServerCase {
    /// A `domain::case::Case` as JSON (案件).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub case: crate::case::Case,
    /// The name of the committee that registered it.
    pub unit_name: String,
    /// The parties' ID numbers, phones, addresses and the photos are left
    /// out: the case is shown for a referral not accepted yet.
    pub contacts_hidden: bool,
}

/// A unit a case may be referred to (移交).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReferralTarget {
    pub unit_id: String,
    pub name: String,
    /// `village`, `township`, `city`…
    pub kind: String,
}

/// Who owns a case, its hand-overs and where it may go (`GET` and `POST
/// /api/v1/cases/{id}/referral`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseOwnership {
    pub case_id: String,
    /// The case's version (an acceptance makes a new one).
    pub version: u64,
    pub owner_id: String,
    /// The owner and the units and people of the history, by id.
    pub names: std::collections::BTreeMap<String, String>,
    /// Every hand-over; none before the first referral.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub ownership: Option<crate::referral::Ownership>,
    /// Units above the owner's, for a referral (empty while one waits).
    pub targets: Vec<ReferralTarget>,
}

/// `POST /api/v1/cases/{id}/referral`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReferralRequest {
    /// `refer` (the owner), `withdraw` (the referrer), `accept` or
    /// `decline` (the receiving unit's people).
    pub action: String,
    /// The unit to refer to (for `refer`).
    #[serde(default)]
    pub to_unit: Option<String>,
    /// Why (needed to decline).
    #[serde(default)]
    pub note: String,
}

/// The largest piece of an attachment one request may carry.
pub const MAX_UPLOAD_PIECE: usize = 1024 * 1024;

/// `GET /api/v1/sync/pull?cursor=N&limit=M`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PullResponse {
    pub changes: Vec<Change>,
    /// Pass this as `cursor` next time (the last change number returned, or
    /// the one sent when nothing changed).
    pub cursor: i64,
    /// More changes wait: pull again at once.
    pub has_more: bool,
}

/// Fields the merge never treats as the user's: the server sets them.
const SERVER_FIELDS: [&str; 5] = [
    "version",
    "updated_at",
    "server_verdict",
    "claim_id",
    "locked_reason",
];

/// The outcome of merging a change made against `base` into the server's
/// `current` record.
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    pub record: Map<String, Value>,
    /// Fields both sides changed to different values: the incoming (later)
    /// value won; the caller keeps the replaced ones in the history.
    pub overridden: Vec<String>,
}

/// Field-level three-way merge of top-level fields. A field the incoming
/// change left as it was in `base` keeps the server's value; a field the
/// server left as in `base` takes the incoming value; where both changed it
/// differently, the server's order decides: the incoming change arrived
/// later, so it wins, and the field is reported in `overridden`.
pub fn merge(
    base: &Map<String, Value>,
    current: &Map<String, Value>,
    incoming: &Map<String, Value>,
) -> Merged {
    let mut record = current.clone();
    let mut overridden = Vec::new();
    let keys: std::collections::BTreeSet<&String> = base
        .keys()
        .chain(current.keys())
        .chain(incoming.keys())
        .collect();
    for key in keys {
        if SERVER_FIELDS.contains(&key.as_str()) {
            continue;
        }
        let (b, c, i) = (base.get(key), current.get(key), incoming.get(key));
        if i == b || i == c {
            continue; // unchanged by the device, or the same change
        }
        if key == UNION_FIELD {
            // photos are evidence: both sides' new photos stay
            record.insert(key.clone(), union_by_id(b, c, i));
            continue;
        }
        if c != b {
            overridden.push(key.clone());
        }
        match i {
            Some(v) => record.insert(key.clone(), v.clone()),
            None => record.remove(key),
        };
    }
    Merged { record, overridden }
}

/// A list merged by its items' `id` rather than replaced: photos added on
/// two devices both stay.
const UNION_FIELD: &str = "attachments";

/// The server's items, then the incoming ones it lacks; an item the device
/// removed (in `base`, not in `incoming`) goes.
fn union_by_id(base: Option<&Value>, current: Option<&Value>, incoming: Option<&Value>) -> Value {
    let items = |v: Option<&Value>| -> Vec<Value> {
        v.and_then(Value::as_array).cloned().unwrap_or_default()
    };
    let id = |v: &Value| v.get("id").cloned();
    let (base, incoming) = (items(base), items(incoming));
    let removed: Vec<Option<Value>> = base
        .iter()
        .map(id)
        .filter(|b| !incoming.iter().any(|i| id(i) == *b))
        .collect();
    let mut out: Vec<Value> = items(current)
        .into_iter()
        .filter(|c| !removed.contains(&id(c)))
        .collect();
    for item in incoming {
        match out.iter_mut().find(|o| id(o) == id(&item)) {
            Some(existing) => *existing = item,
            None => out.push(item),
        }
    }
    Value::Array(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn different_fields_both_land() {
        let base = obj(json!({"summary": "a", "place": "x", "version": 1}));
        let office = obj(json!({"summary": "a", "place": "y", "version": 2}));
        let phone = obj(json!({"summary": "b", "place": "x", "version": 1}));
        let m = merge(&base, &office, &phone);
        assert_eq!(
            m.record,
            obj(json!({"summary": "b", "place": "y", "version": 2}))
        );
        assert!(m.overridden.is_empty());
    }

    #[test]
    fn the_same_field_goes_to_the_later_change_and_is_reported() {
        let base = obj(json!({"summary": "a"}));
        let office = obj(json!({"summary": "office"}));
        let phone = obj(json!({"summary": "phone"}));
        let m = merge(&base, &office, &phone);
        assert_eq!(m.record["summary"], "phone");
        assert_eq!(m.overridden, ["summary"]);
    }

    #[test]
    fn the_same_change_twice_is_no_conflict() {
        let base = obj(json!({"risk": "low"}));
        let both = obj(json!({"risk": "high"}));
        let m = merge(&base, &both, &both);
        assert_eq!(m.record, both);
        assert!(m.overridden.is_empty());
    }

    #[test]
    fn photos_added_on_two_devices_both_stay() {
        let p = |id: &str| json!({"id": id, "bytes": 1});
        let base = obj(json!({"attachments": [p("a")]}));
        let office = obj(json!({"attachments": [p("a"), p("office")]}));
        let phone = obj(json!({"attachments": [p("a"), p("phone")]}));
        let m = merge(&base, &office, &phone);
        assert_eq!(
            m.record["attachments"],
            json!([p("a"), p("office"), p("phone")])
        );
        assert!(m.overridden.is_empty());
        // a photo the device removed goes, the server's new one stays
        let phone = obj(json!({"attachments": []}));
        let m = merge(&base, &office, &phone);
        assert_eq!(m.record["attachments"], json!([p("office")]));
    }

    #[test]
    fn strict_messages_reject_unknown_fields() {
        let bad =
            r#"{"client_id":"0192f0c1-0000-7000-8000-000000000001","mutations":[],"extra":1}"#;
        assert!(serde_json::from_str::<PushRequest>(bad).is_err());
        let bad = r#"{"seq":1,"mutation_id":"0192f0c1-0000-7000-8000-000000000001","entity":"case","entity_id":"0192f0c1-0000-7000-8000-000000000002","op":"upsert","base_version":0,"payload":{},"x":1}"#;
        assert!(serde_json::from_str::<Mutation>(bad).is_err());
    }
}
