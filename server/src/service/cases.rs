//! The case as the server holds it, for everyone who sees it: reading one
//! (`GET /api/v1/cases/{id}`), and changing one on the server — an
//! office's lock, a step of its risk assessment, a referral — as a new
//! version that every device pulls, the replaced one kept in the history.
//! Who sees a case is decided once, here ([`Sight`]).

use super::caller::Caller;
use crate::store::{self, Conn, Store, StoreError, Tx, cases::StoredCase, ownership};
use domain::api::{CaseHistory, CaseLock, CaseVersion, MajorReviewed, OverriddenValue, ServerCase};
use domain::case::{Case, MajorReview};
use domain::rules::CommitteeKind;
use domain::{Capability, CaseId, Timestamp};
use serde_json::{Map, Value};

/// Why a case could not be read or changed.
#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    /// Not there, or not the caller's to see (the same answer: ids outside
    /// the caller's organisation reveal nothing).
    #[error("not found")]
    NotFound,
    /// Seen, but not the caller's to change.
    #[error("forbidden")]
    Forbidden,
    /// Deleted: nothing more happens to it.
    #[error("the case was deleted")]
    Deleted,
    /// A field of the request is refused.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl CaseError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> CaseError {
        CaseError::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// How a caller sees a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sight {
    /// On their branch of the tree, or as the owner's unit after a
    /// referral across the tree was accepted: the whole case.
    Full,
    /// Only as the unit a referral across the tree waits at: to read the
    /// dispute and answer the referral.
    Pending,
    /// Only its number and amounts ([`Capability::ReadAmounts`]: a
    /// finance office): [`domain::capability::amounts_only`].
    Amounts,
}

/// The case `id` when the caller sees it: in a subtree where they read
/// cases, or reached by a referral across the tree that waits at or was
/// accepted by a unit of theirs; or, its amounts only, in a subtree where
/// they read those; `NotFound` otherwise.
pub(super) async fn visible(
    c: &mut Conn,
    caller: &Caller,
    id: CaseId,
) -> Result<(StoredCase, Sight), CaseError> {
    let stored = store::cases::get(c, id).await?.ok_or(CaseError::NotFound)?;
    if caller.may(Capability::ReadCases, &stored.unit_path) {
        return Ok((stored, Sight::Full));
    }
    let reach = ownership::reach(c, id).await?;
    let reads = |path: &Option<domain::UnitPath>| {
        path.as_ref()
            .is_some_and(|p| caller.may(Capability::ReadCases, p))
    };
    if reads(&reach.grant_path) {
        Ok((stored, Sight::Full))
    } else if reads(&reach.pending_path) {
        Ok((stored, Sight::Pending))
    } else if caller.may(Capability::ReadAmounts, &stored.unit_path) {
        Ok((stored, Sight::Amounts))
    } else {
        Err(CaseError::NotFound)
    }
}

fn case_of(stored: &StoredCase) -> Result<Case, CaseError> {
    stored.case()?.ok_or(CaseError::Deleted)
}

/// A case the caller sees, read on a connection they hold: not found when
/// deleted.
pub async fn read_on(
    c: &mut Conn,
    caller: &Caller,
    id: CaseId,
) -> Result<(StoredCase, Case, Sight), CaseError> {
    let (stored, sight) = visible(c, caller, id).await?;
    if stored.deleted {
        return Err(CaseError::NotFound);
    }
    let case = case_of(&stored)?;
    Ok((stored, case, sight))
}

/// A case the caller sees, without a transaction (a read).
pub async fn read(
    store: &Store,
    caller: &Caller,
    id: CaseId,
) -> Result<(StoredCase, Case, Sight), CaseError> {
    let mut c = store.read().await?;
    read_on(&mut c, caller, id).await
}

/// One case the caller sees with its committee's name; without the
/// parties' contacts when only a referral waiting at the caller's unit
/// shows it to them ([`domain::referral::for_receiver`]), its amounts only
/// to a finance office ([`domain::capability::amounts_only`]).
pub async fn server_case(
    store: &Store,
    caller: &Caller,
    id: CaseId,
) -> Result<ServerCase, CaseError> {
    let mut c = store.read().await?;
    let (stored, case, sight) = read_on(&mut c, caller, id).await?;
    let unit_name = store::org::one(&mut c, stored.unit_id)
        .await?
        .map(|u| u.name)
        .unwrap_or_default();
    Ok(ServerCase {
        case: match sight {
            Sight::Full => case,
            Sight::Pending => domain::referral::for_receiver(&case),
            Sight::Amounts => domain::capability::amounts_only(&case),
        },
        unit_name,
        contacts_hidden: sight != Sight::Full,
    })
}

/// A case read for a change, inside the change's transaction (dropped
/// without [`Changing::store`] or [`Changing::commit`]: nothing changes).
pub struct Changing {
    pub tx: Tx,
    pub old: StoredCase,
    pub case: Case,
    /// Whether the caller records this case ([`Caller::records`]: on its
    /// branch, or at the owner's unit a referral across the tree reached).
    pub records: bool,
    change_no: i64,
}

/// Opens the change of one case the caller sees: `NotFound` otherwise,
/// `Deleted` when it was deleted. (Each change checks who may make it: a
/// lock or a risk step asks for the case's own branch.)
pub async fn begin_change(
    store: &Store,
    caller: &Caller,
    id: CaseId,
) -> Result<Changing, CaseError> {
    let mut tx = store.write().await?;
    // first: the counter's row lock orders concurrent changes, so the read
    // below sees the one committed before (PostgreSQL)
    let change_no = store::cases::reserve_change_nos(&mut tx, 1).await?;
    let (old, _) = visible(&mut tx, caller, id).await?;
    if old.deleted {
        return Err(CaseError::Deleted);
    }
    let case = case_of(&old)?;
    let owner = Some(case.owner_id);
    let records = caller.records(&old.unit_path, owner)
        || ownership::reach(&mut tx, id)
            .await?
            .grant_path
            .is_some_and(|p| caller.records(&p, owner));
    Ok(Changing {
        tx,
        old,
        case,
        records,
        change_no,
    })
}

impl Changing {
    /// The server's verdict on `case` by the shared rules, judged as the
    /// committee that registered it (a group's: its village's).
    pub async fn judge(&mut self, case: &Case) -> Result<domain::rules::Verdict, CaseError> {
        let unit = store::org::one(&mut self.tx, case.unit_id)
            .await?
            .ok_or_else(|| StoreError::corrupt("the case's unit", case.unit_id))?;
        let parent = match unit.parent_id {
            Some(parent) if CommitteeKind::of_unit(unit.kind).is_none() => {
                store::org::one(&mut self.tx, parent).await?.map(|p| p.kind)
            }
            _ => None,
        };
        Ok(case.verdict(CommitteeKind::judging(unit.kind, parent)))
    }

    /// Stores `case` as the next version (the old one to the history,
    /// `replaced_by = <label>:<session>`) and commits. The verdict stays
    /// the stored one: the change is to what earns nothing.
    pub async fn store(
        self,
        case: Case,
        label: &str,
        caller: &Caller,
    ) -> Result<(u64, Case), CaseError> {
        let verdict = self.old.verdict.clone();
        self.store_judged(case, verdict, label, caller).await
    }

    /// [`Changing::store`] with a new verdict (a change to what earns).
    pub async fn store_judged(
        mut self,
        mut case: Case,
        verdict: domain::rules::Verdict,
        label: &str,
        caller: &Caller,
    ) -> Result<(u64, Case), CaseError> {
        let now = Timestamp::from(jiff::Timestamp::now());
        let old = &self.old;
        let version = old.version + 1;
        case.version = version;
        case.updated_at = Some(now);
        case.server_verdict = Some(verdict.clone());
        let payload = serde_json::to_string(&case).map_err(|e| StoreError::corrupt("case", e))?;
        let new = StoredCase {
            version,
            payload: Some(payload),
            locked_reason: case.locked_reason.clone(),
            change_no: self.change_no,
            verdict,
            ..old.clone()
        };
        store::cases::insert_replaced(
            &mut self.tx,
            &[store::cases::Replaced {
                case_id: old.id,
                version: old.version,
                payload: old.payload.clone(),
                deleted: old.deleted,
                replaced_by: format!("{label}:{}", caller.session_id),
                overridden: Vec::new(),
            }],
            now,
        )
        .await?;
        store::cases::upsert_many(&mut self.tx, &[&new], now).await?;
        store::cases::set_locked(&mut self.tx, old.id, case.locked_reason.as_deref()).await?;
        self.tx.commit().await?;
        Ok((version, case))
    }

    /// Commits what was written beside the case, with no new version.
    pub async fn commit(self) -> Result<(), CaseError> {
        self.tx.commit().await?;
        Ok(())
    }
}

/// Writes new versions of cases the server changes beside another change
/// (a claim's submission locks its cases, a return frees them), inside
/// the caller's transaction: each old version to the history
/// (`replaced_by = <label>:<session>`), the verdict kept. Every device
/// pulls the new versions.
pub async fn rewrite_in(
    tx: &mut Tx,
    changed: Vec<(StoredCase, Case)>,
    label: &str,
    caller: &Caller,
    now: Timestamp,
) -> Result<(), CaseError> {
    if changed.is_empty() {
        return Ok(());
    }
    let first = store::cases::reserve_change_nos(tx, changed.len()).await?;
    let mut replaced = Vec::with_capacity(changed.len());
    let mut new = Vec::with_capacity(changed.len());
    for (i, (old, mut case)) in changed.into_iter().enumerate() {
        case.version = old.version + 1;
        case.updated_at = Some(now);
        case.server_verdict = Some(old.verdict.clone());
        let payload = serde_json::to_string(&case).map_err(|e| StoreError::corrupt("case", e))?;
        replaced.push(store::cases::Replaced {
            case_id: old.id,
            version: old.version,
            payload: old.payload.clone(),
            deleted: old.deleted,
            replaced_by: format!("{label}:{}", caller.session_id),
            overridden: Vec::new(),
        });
        new.push(StoredCase {
            version: case.version,
            payload: Some(payload),
            locked_reason: case.locked_reason.clone(),
            change_no: first + i as i64,
            ..old
        });
    }
    store::cases::insert_replaced(tx, &replaced, now).await?;
    let rows: Vec<&StoredCase> = new.iter().collect();
    store::cases::upsert_many(tx, &rows, now).await?;
    for case in &new {
        store::cases::set_locked(tx, case.id, case.locked_reason.as_deref()).await?;
    }
    Ok(())
}

/// Changes one case on the server: reads it in the caller's scope, checks
/// `allowed`, lets `change` make the new case (`None`: nothing changes),
/// and stores it as a new version with the old one in the history, in one
/// transaction. Answers the case's version and the case as stored.
pub async fn change(
    store: &Store,
    caller: &Caller,
    id: CaseId,
    label: &str,
    allowed: impl FnOnce(&Caller, &StoredCase) -> Result<(), CaseError>,
    change: impl FnOnce(Case) -> Result<Option<Case>, CaseError>,
) -> Result<(u64, Case), CaseError> {
    let changing = begin_change(store, caller, id).await?;
    allowed(caller, &changing.old)?;
    match change(changing.case.clone())? {
        None => Ok((changing.old.version, changing.case)),
        Some(case) => changing.store(case, label, caller).await,
    }
}

/// The longest lock reason, in characters.
pub const MAX_REASON_CHARS: usize = 200;

/// Checks a lock reason: said in words, not too long.
pub fn check_reason(reason: &str) -> Result<String, CaseError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(CaseError::invalid(
            "reason",
            "请填写锁定原因 / give the reason for the lock",
        ));
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(CaseError::invalid(
            "reason",
            format!("锁定原因最多 {MAX_REASON_CHARS} 字 / at most {MAX_REASON_CHARS} characters"),
        ));
    }
    Ok(reason.to_owned())
}

/// Locks (`Some(reason)`) or unlocks (`None`) a case for an office's review
/// (the judicial office, the township leader, the bureau: supervisors of
/// its unit): a new version of the case, so every device learns of it at
/// its next pull and its edits are refused with the reason. Setting the
/// lock it already has changes nothing.
pub async fn set_lock(
    store: &Store,
    caller: &Caller,
    id: CaseId,
    reason: Option<String>,
) -> Result<CaseLock, CaseError> {
    let label = if reason.is_some() { "lock" } else { "unlock" };
    let (version, _) = change(
        store,
        caller,
        id,
        label,
        |caller, stored| {
            if caller.may(Capability::Review, &stored.unit_path) {
                Ok(())
            } else {
                Err(CaseError::Forbidden)
            }
        },
        |mut case| {
            if case.locked_reason == reason {
                return Ok(None);
            }
            case.locked_reason = reason.clone();
            Ok(Some(case))
        },
    )
    .await?;
    Ok(CaseLock {
        id,
        version,
        locked_reason: reason,
    })
}

/// The longest opinion on a major case's facts, in characters.
pub const MAX_OPINION_CHARS: usize = 500;

/// The judicial office's finding on a major case's facts (重大纠纷核实):
/// verified, and the deaths or disability it records earn their tier; or
/// not, with what is missing. The case's own branch's reviewers only
/// (`Capability::Review`), on a case that records a death or a grade 1–2
/// disability; verifying needs a photo of the evidence
/// ([`domain::case::MAJOR_EVIDENCE`]). A new version with the server's
/// verdict, pulled by every device.
pub async fn review_major(
    store: &Store,
    caller: &Caller,
    id: CaseId,
    verified: bool,
    opinion: &str,
) -> Result<MajorReviewed, CaseError> {
    let opinion = opinion.trim();
    if opinion.is_empty() || opinion.chars().count() > MAX_OPINION_CHARS {
        return Err(CaseError::invalid(
            "opinion",
            format!(
                "请填写核实意见（最多 {MAX_OPINION_CHARS} 字） / write the opinion (at most {MAX_OPINION_CHARS} characters)"
            ),
        ));
    }
    let mut changing = begin_change(store, caller, id).await?;
    if !caller.may(Capability::Review, &changing.old.unit_path) {
        return Err(CaseError::Forbidden);
    }
    let mut case = changing.case.clone();
    if !case.claims_major() {
        return Err(CaseError::invalid(
            "deaths",
            "此案没有记录死亡或一、二级伤残，不是需要核实的重大纠纷 / the case records no death and no grade 1 or 2 disability",
        ));
    }
    if verified && case.major_evidence() == 0 {
        return Err(CaseError::invalid(
            "attachments",
            "缺少伤残鉴定书、死亡证明或报警回执的照片，不能核实 / a photo of the disability assessment, death record or police report is needed",
        ));
    }
    let name = store::people::name(store, caller.person_id)
        .await?
        .unwrap_or_default();
    let review = MajorReview {
        verified,
        by: caller.person_id,
        by_name: name,
        at: Timestamp::from(jiff::Timestamp::now()),
        opinion: opinion.to_owned(),
        deaths: case.deaths,
        disability_grade: case.disability_grade,
        independent: case.independent,
    };
    case.major_review = Some(review.clone());
    let verdict = changing.judge(&case).await?;
    let label = if verified {
        "major_verified"
    } else {
        "major_refused"
    };
    let (version, _) = changing
        .store_judged(case, verdict.clone(), label, caller)
        .await?;
    Ok(MajorReviewed {
        id,
        version,
        major_review: review,
        verdict,
    })
}

/// One version of a case as made (a step of [`made_versions`]).
pub(super) struct Made {
    pub version: u64,
    pub at: Option<Timestamp>,
    pub by: Option<String>,
    /// `sync`, or the office's action (`lock`, `major_verified`…).
    pub how: String,
    /// The case's record as JSON; none for a tombstone.
    pub record: Option<Map<String, Value>>,
    /// The fields where this version's change replaced the one before's
    /// value by the server's order (a conflict).
    pub overridden: Vec<String>,
}

/// Every version of the case `stored` is the latest of, oldest first, with
/// who made each (by name), when and how.
pub(super) async fn made_versions(
    store: &Store,
    stored: &StoredCase,
) -> Result<Vec<Made>, CaseError> {
    use store::history::Maker;
    let id = stored.id;
    let mut c = store.read().await?;
    let replaced = store::history::replaced(&mut c, id).await?;
    let created = store::history::created_at(&mut c, id)
        .await?
        .ok_or(CaseError::NotFound)?;
    drop(c);
    let object = |payload: Option<&str>| -> Map<String, Value> {
        match payload.map(serde_json::from_str::<Value>) {
            Some(Ok(Value::Object(map))) => map,
            _ => Map::new(),
        }
    };
    // every version's record, oldest first: the replaced ones, then the latest
    let mut records: Vec<(u64, Option<Map<String, Value>>)> = replaced
        .iter()
        .map(|r| (r.version, r.payload.as_deref().map(|p| object(Some(p)))))
        .collect();
    records.push((
        stored.version,
        stored.payload.as_deref().map(|p| object(Some(p))),
    ));
    let maker_of = |version: u64| -> Option<&store::history::Replaced> {
        replaced.iter().find(|r| r.version + 1 == version)
    };
    let mut people: Vec<domain::PersonId> = replaced
        .iter()
        .filter_map(|r| match &r.by {
            Maker::Push { person } | Maker::Action { person, .. } => *person,
        })
        .collect();
    // the first version was registered by its pusher, its owner then
    let first_owner = records
        .first()
        .and_then(|(_, r)| r.as_ref())
        .and_then(|r| r.get("owner_id"))
        .and_then(Value::as_str)
        .and_then(|o| o.parse::<domain::PersonId>().ok());
    people.extend(first_owner);
    people.sort_unstable();
    people.dedup();
    let names: std::collections::HashMap<domain::PersonId, String> =
        store::people::names(store, &people)
            .await?
            .into_iter()
            .collect();
    let mut made = Vec::with_capacity(records.len());
    for (i, (version, record)) in records.into_iter().enumerate() {
        let by = maker_of(version);
        let (how, person) = match by.map(|r| &r.by) {
            Some(Maker::Push { person }) => ("sync".to_owned(), *person),
            Some(Maker::Action { action, person }) => (action.clone(), *person),
            None if i == 0 => ("sync".to_owned(), first_owner),
            None => ("sync".to_owned(), None),
        };
        made.push(Made {
            version,
            at: match by {
                Some(r) => Some(r.replaced_at),
                None if i == 0 => Some(created),
                None => None,
            },
            by: person.and_then(|p| names.get(&p).cloned()),
            how,
            record,
            overridden: by.map(|r| r.overridden.clone()).unwrap_or_default(),
        });
    }
    Ok(made)
}

/// A case's versions (修改记录) for those who see the whole case, newest
/// first: who made each and when, what it changed, and the values a
/// conflict replaced. The people a referral waits at do not get it (it
/// holds the parties' details and the risk notes of every version).
pub async fn history(store: &Store, caller: &Caller, id: CaseId) -> Result<CaseHistory, CaseError> {
    let mut c = store.read().await?;
    let (stored, sight) = visible(&mut c, caller, id).await?;
    drop(c);
    match sight {
        Sight::Full => {}
        Sight::Pending => return Err(CaseError::NotFound),
        // every version holds the parties' details
        Sight::Amounts => return Err(CaseError::Forbidden),
    }
    let made = made_versions(store, &stored).await?;
    let empty = Map::new();
    let mut versions = Vec::with_capacity(made.len());
    for (i, m) in made.iter().enumerate() {
        let before = i.checked_sub(1).and_then(|p| made[p].record.as_ref());
        // the first version changed nothing; one after a version not kept
        // (or after a tombstone) is all new
        let changed = match &m.record {
            Some(after) if i > 0 => domain::sync::changed_fields(before.unwrap_or(&empty), after),
            _ => Vec::new(),
        };
        let overridden = m
            .overridden
            .iter()
            .map(|field| OverriddenValue {
                field: field.clone(),
                was: before
                    .and_then(|b| b.get(field))
                    .cloned()
                    .unwrap_or(Value::Null),
            })
            .collect();
        versions.push(CaseVersion {
            version: m.version,
            at: m.at,
            by: m.by.clone(),
            how: m.how.clone(),
            changed,
            overridden,
            deleted: m.record.is_none(),
        });
    }
    versions.reverse();
    Ok(CaseHistory { versions })
}
