//! The sync protocol (同步协议) shared by the phone and the server: the
//! messages of `POST /api/v1/sync/push` and `GET /api/v1/sync/pull`, the
//! limits, and the field-level merge the server applies when a change was
//! made against an older version. docs/sync.md describes the protocol.
//!
//! Pure: no I/O, compiled to wasm (the phone) and natively (the server).

use crate::ids::{DeviceId, MutationId};
use crate::rules::Verdict;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

/// At most this many mutations in one push.
pub const MAX_PUSH_MUTATIONS: usize = 500;
/// At most this many changes in one page of a pull.
pub const MAX_PULL_LIMIT: u32 = 1000;
/// A page of a pull when the client names no limit.
pub const DEFAULT_PULL_LIMIT: u32 = 500;
/// A page of a pull ends before its records pass this many bytes of JSON
/// (at least one record: the largest case the checks allow is under
/// [`crate::case::MAX_CASE_JSON_BYTES`]). A phone on a weak signal then
/// redoes at most this much when a page is cut off.
pub const MAX_PULL_PAGE_BYTES: usize = 1024 * 1024;

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
    pub mutation_id: MutationId,
    pub entity: Entity,
    pub entity_id: Uuid,
    pub op: Op,
    /// The server version the device changed (0: a new record).
    pub base_version: u64,
    /// The whole record after the change (`upsert`): a `domain::case::Case`
    /// as JSON (案件). Absent for `delete`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::wire_schema::record))]
    pub payload: Option<Value>,
}

/// `POST /api/v1/sync/push`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    /// The device's sync identity (one per installed app; UUID).
    pub client_id: DeviceId,
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

/// Why a mutation was not applied (its answer's `code`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// A field of the record is refused (`field` names it).
    Invalid,
    /// The record or its unit is outside the caller's organisation.
    Scope,
    /// The case is locked (an office's review, or a claim).
    Locked,
    /// The case was deleted.
    Deleted,
    /// `base_version` is newer than the server's version.
    BadVersion,
    /// A change to a record the server does not have.
    Unknown,
    /// The same `mutation_id` was pushed before under another seq.
    Duplicate,
    /// The seq was used by another mutation.
    SeqReused,
    /// The seq is older than the last one applied and was never stored.
    StaleSeq,
    /// Units, schedules and rule sets change on the server only.
    ReadOnly,
    /// Screening records are corrected, not deleted.
    NotDeletable,
    /// The caller's role does not record this (a reviewing or finance
    /// office; docs/security.md "Roles").
    Role,
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Refusal::Invalid => "invalid",
            Refusal::Scope => "scope",
            Refusal::Locked => "locked",
            Refusal::Deleted => "deleted",
            Refusal::BadVersion => "bad_version",
            Refusal::Unknown => "unknown",
            Refusal::Duplicate => "duplicate",
            Refusal::SeqReused => "seq_reused",
            Refusal::StaleSeq => "stale_seq",
            Refusal::ReadOnly => "read_only",
            Refusal::NotDeletable => "not_deletable",
            Refusal::Role => "role",
        }
    }
}

impl PartialEq<&str> for Refusal {
    fn eq(&self, other: &&str) -> bool {
        self.code() == *other
    }
}

/// The server's answer to one mutation. A replayed push returns the stored
/// answers unchanged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MutationResult {
    pub seq: u64,
    pub mutation_id: MutationId,
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
    pub code: Option<Refusal>,
    /// Conflict: the fields where the server's order decided.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overridden: Vec<String>,
    /// Conflict: the record as the server now holds it (a
    /// `domain::case::Case` as JSON).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::wire_schema::conflict_record))]
    pub server: Option<Value>,
    /// Applied or conflict: the case number (案号 `seq`) the server gave,
    /// when the one sent was another case's in the committee's year (or
    /// none was sent). The phone takes it; the old one stays in its history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renumbered: Option<u32>,
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
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::wire_schema::record))]
    pub payload: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    /// When this version came from a merge where the server's order decided:
    /// the fields whose earlier value it replaced (the device shows a notice).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overridden: Vec<String>,
}

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

/// Fields the merge never treats as the user's: the server writes its own
/// over them. (The fields that earn money or grant ownership, `owner_id`,
/// `special`, `approved_amount` and `claim_id`, merge like any other, so a
/// device that changed one is seen to have changed it, and the server
/// refuses it: docs/sync.md, "The server's fields".)
const SERVER_FIELDS: [&str; 4] = ["version", "updated_at", "server_verdict", "locked_reason"];

/// The top-level fields of a case that differ between two of its versions
/// (the server's bookkeeping, `version`, `updated_at` and
/// `server_verdict`, aside), in the order of their names.
pub fn changed_fields(before: &Map<String, Value>, after: &Map<String, Value>) -> Vec<String> {
    let keys: std::collections::BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    keys.into_iter()
        .filter(|k| !matches!(k.as_str(), "version" | "updated_at" | "server_verdict"))
        .filter(|k| {
            let absent = |v: Option<&Value>| v.is_none_or(Value::is_null);
            let (b, a) = (before.get(*k), after.get(*k));
            b != a && !(absent(b) && absent(a))
        })
        .cloned()
        .collect()
}

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

    #[test]
    fn changed_fields_name_what_differs_but_the_bookkeeping() {
        let before = json!({"summary": "a", "place": "x", "version": 1, "updated_at": "t1", "locked_reason": null});
        let after = json!({"summary": "b", "place": "x", "version": 2, "updated_at": "t2", "follow_up": {"on": "2024-05-12"}});
        let (Value::Object(b), Value::Object(a)) = (before, after) else {
            unreachable!()
        };
        assert_eq!(changed_fields(&b, &a), ["follow_up", "summary"]);
        assert_eq!(changed_fields(&a, &a), Vec::<String>::new());
    }
}
