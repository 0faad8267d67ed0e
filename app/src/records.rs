//! What the phone keeps besides cases, as plain types the views can use on
//! both sides (the IndexedDB code that stores them is browser-only).

use domain::case::Case;
use domain::rules::CommitteeKind;
use domain::{DeviceId, PersonId, Role, Timestamp, UnitId};
use serde::{Deserialize, Serialize};

/// Who uses this phone and for which committee. Until log-in binds them to
/// the server's records (the sync issue), the ids are made on the device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub unit_id: UnitId,
    /// e.g. 大潭村人民调解委员会
    pub unit_name: String,
    pub committee: CommitteeKind,
    /// The case-number prefix, e.g. `楚` in `(2024)楚人调字第 12 号`.
    pub number_prefix: String,
    pub mediator_id: PersonId,
    pub mediator_name: String,
}

impl Default for Profile {
    fn default() -> Self {
        Profile {
            unit_id: UnitId::new_v7(),
            unit_name: String::new(),
            committee: CommitteeKind::Village,
            number_prefix: "楚".into(),
            mediator_id: PersonId::new_v7(),
            mediator_name: String::new(),
        }
    }
}

/// A version of a case that a later change replaced: nothing entered is
/// ever overwritten without a copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// UUID v7.
    pub id: String,
    pub case_id: String,
    /// When it was replaced.
    pub replaced_at: Timestamp,
    /// The mutation that replaced it.
    pub mutation_id: String,
    pub case: Case,
    /// Set when a sync replaced it with others' values for these fields
    /// (the server's order decided): the case page shows a notice.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overridden: Vec<String>,
    /// The user has read the notice.
    #[serde(default)]
    pub seen: bool,
    /// Someone else's later change replaced this phone's values (`case`
    /// holds them); else this phone's change replaced someone else's (kept
    /// in the server's history).
    #[serde(default)]
    pub theirs_won: bool,
}

impl HistoryEntry {
    /// `case` as it was before `mutation_id` replaced it.
    pub fn replaced(
        case_id: &str,
        replaced_at: Timestamp,
        mutation_id: String,
        case: Case,
    ) -> Self {
        HistoryEntry {
            id: uuid::Uuid::now_v7().to_string(),
            case_id: case_id.to_owned(),
            replaced_at,
            mutation_id,
            case,
            overridden: Vec::new(),
            seen: false,
            theirs_won: false,
        }
    }
}

/// What an import changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub cases_added: u32,
    pub cases_updated: u32,
    /// Already here, as new or newer.
    pub cases_kept: u32,
    pub changes_added: u32,
    pub photos_added: u32,
    /// Screening records new to this phone.
    pub screenings_added: u32,
}

impl ImportReport {
    pub fn added_nothing(&self) -> bool {
        self.cases_added
            + self.cases_updated
            + self.changes_added
            + self.photos_added
            + self.screenings_added
            == 0
    }
}

/// How much the browser lets this site keep, and whether it is protected
/// from automatic clearing.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StorageInfo {
    pub used_bytes: f64,
    pub quota_bytes: f64,
    pub persisted: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxOp {
    Upsert,
    Delete,
}

/// One change made on the phone that the server has not acknowledged yet.
/// Its client-made UUID v7 `mutation_id` lets the server apply a replayed
/// change exactly once (the sync issue's protocol).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutboxEntry {
    /// UUID v7: unique, and sorts by creation time.
    pub mutation_id: String,
    /// e.g. `case`
    pub entity: String,
    pub entity_id: String,
    pub op: OutboxOp,
    /// The entity's version this change was made on (conflict detection).
    pub base_version: u64,
    pub created_at: Timestamp,
    /// The device's push counter, given when the change is first sent and
    /// kept for every retry (the server answers a replayed seq once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
    /// Why the server refused it (shown with the case; it stays queued).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl OutboxEntry {
    /// A new change to `entity` `entity_id`, made on `base_version`.
    pub fn new(
        entity: &str,
        entity_id: &str,
        op: OutboxOp,
        base_version: u64,
        created_at: Timestamp,
    ) -> OutboxEntry {
        OutboxEntry {
            mutation_id: uuid::Uuid::now_v7().to_string(),
            entity: entity.to_owned(),
            entity_id: entity_id.to_owned(),
            op,
            base_version,
            created_at,
            seq: None,
            error: None,
        }
    }
}

/// The logged-in user of this device and where its sync stands (kept in
/// `meta`; log-out and revocation delete it with everything else).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// The device's bearer token (secret).
    pub token: String,
    /// Made at this log-in; the sync client id.
    pub device_id: DeviceId,
    pub person_id: PersonId,
    pub name: String,
    pub phone: String,
    /// The unit of the first role (a mediator's committee, an office's township…).
    pub unit_id: UnitId,
    pub unit_name: String,
    pub role: Role,
    /// The pull cursor: the last server change number received.
    pub cursor: i64,
    /// The reference stream's cursor (units, schedules, rule sets).
    #[serde(default)]
    pub reference_cursor: i64,
    /// The next push seq to give.
    pub next_seq: u64,
    /// When the last sync finished.
    pub last_sync: Option<Timestamp>,
    /// The server said the session expired (unused too long, or too old):
    /// everything stays here, and the next log-in (same account, same
    /// device) carries on where this one stopped.
    #[serde(default)]
    pub expired: bool,
}

/// A schedule or rule set as pulled from the reference stream, kept whole.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReferenceDocument {
    /// The entity's stable id ([`domain::sync::Entity::document_id`]).
    pub id: String,
    pub entity: domain::sync::Entity,
    pub version: u64,
    pub payload: serde_json::Value,
}

/// The `format` of an export file.
pub const BUNDLE_FORMAT: &str = "tiaojie-unsent";

/// An export file (导出未同步数据): every unsent record and its photos; also
/// the form of practice data sets (`tiaojie sample-cases`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    /// [`BUNDLE_FORMAT`]
    pub format: String,
    /// 1
    pub version: u32,
    pub exported_at: Timestamp,
    pub profile: Option<Profile>,
    pub cases: Vec<Case>,
    pub outbox: Vec<OutboxEntry>,
    pub attachments: Vec<BundleAttachment>,
    /// The unsent screening records (排查记录); absent in files made before
    /// them, and left out when there are none (an older app still reads
    /// such a file: the bundle refuses unknown fields).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub screenings: Vec<domain::screening::ScreeningRecord>,
}

/// A photo in an export file, as a `data:` URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleAttachment {
    pub id: String,
    /// The case it belongs to (empty for a screening record's photo).
    #[serde(default)]
    pub case_id: String,
    /// The screening record it belongs to, for a screening photo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screening_id: Option<String>,
    pub data_url: String,
}
