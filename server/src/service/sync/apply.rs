//! The I/O of a push: what it reads (in a few batched queries), the
//! decisions (`decide`), and what it writes (multi-row statements at the
//! end). Later mutations of the same push see the earlier ones' effect.

use super::decide::{self, Admission, Held, Owned, Reach, UnitFound};
use super::numbers::{self, Numbers};
use super::refusal::{self, Refused};
use super::{SyncError, check_batch};
use crate::service::caller::Caller;
use crate::service::reference;
use crate::store::cases::{Replaced, StoredCase};
use crate::store::org::Unit;
use crate::store::sync_state::StoredAnswer;
use crate::store::{self, Conn, StoreError, attachments};
use domain::case::Case;
use domain::rules::{CommitteeKind, Verdict};
use domain::screening::{Schedule, ScreeningRecord};
use domain::sync::{
    Entity, Mutation, MutationResult, Op, PushRequest, PushResponse, Status, merge,
};
use domain::{Capability, CaseId, MutationId, Timestamp, UnitId, UnitPath};
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};

/// What a push has read and what it will write, so that each mutation
/// costs no queries of its own.
struct Batch {
    /// The latest state of every case read or written so far.
    cases: HashMap<CaseId, StoredCase>,
    /// The granted path of each case off the caller's branch that an
    /// accepted referral across the tree gave a unit (`case_ownership`).
    granted: HashMap<CaseId, UnitPath>,
    /// Ids of the cases written, in first-write order.
    written: Vec<CaseId>,
    replaced: Vec<Replaced>,
    units: HashMap<UnitId, Option<Unit>>,
    /// Mutation ids applied before or earlier in this push.
    seen: HashSet<MutationId>,
    next_change_no: i64,
    /// The attachment references of each case written (its latest state).
    refs: HashMap<CaseId, Vec<attachments::CaseRef>>,
    /// Written cases that existed before: their old references go.
    refs_to_clear: HashSet<CaseId>,
    /// The stored screening schedules, read at the push's first record.
    schedules: Option<Vec<Schedule>>,
    /// Case numbers read and given.
    numbers: Numbers,
}

impl Batch {
    fn take_change_no(&mut self) -> i64 {
        let n = self.next_change_no;
        self.next_change_no += 1;
        n
    }

    /// Replaces a case's state, keeping the replaced version in the history.
    fn write(
        &mut self,
        old: Option<StoredCase>,
        new: StoredCase,
        replaced_by: MutationId,
        overridden: &[String],
    ) {
        if let Some(old) = old {
            self.replaced.push(Replaced {
                case_id: old.id,
                version: old.version,
                payload: old.payload,
                deleted: old.deleted,
                replaced_by: replaced_by.to_string(),
                overridden: overridden.to_vec(),
            });
        }
        if !self.written.contains(&new.id) {
            self.written.push(new.id);
        }
        self.cases.insert(new.id, new);
    }

    async fn unit(&mut self, c: &mut Conn, id: UnitId) -> Result<Option<Unit>, StoreError> {
        if let Some(unit) = self.units.get(&id) {
            return Ok(unit.clone());
        }
        let unit = store::org::one(c, id).await?;
        self.units.insert(id, unit.clone());
        Ok(unit)
    }

    /// The unit a screening record names when it exists and the caller
    /// records screenings there, else its refusal (`unknown` names the
    /// unknown unit).
    async fn unit_for_screening(
        &mut self,
        c: &mut Conn,
        caller: &Caller,
        id: UnitId,
        unknown: &str,
    ) -> Result<Result<Unit, Refused>, StoreError> {
        Ok(match self.unit(c, id).await? {
            None => Err(refusal::unknown_unit(unknown)),
            Some(unit) if caller.may(Capability::RecordScreenings, &unit.path) => Ok(unit),
            Some(unit) if caller.may(Capability::ReadAmounts, &unit.path) => Err(refusal::role(
                "payload.unit_id",
                "记录排查",
                "record screenings",
            )),
            Some(_) => Err(refusal::out_of_scope("payload.unit_id")),
        })
    }

    /// A replaced version's payload: from this push's history, else stored.
    async fn replaced_payload(
        &self,
        c: &mut Conn,
        id: CaseId,
        version: u64,
    ) -> Result<Option<Option<String>>, StoreError> {
        if let Some(h) = self
            .replaced
            .iter()
            .find(|h| h.case_id == id && h.version == version)
        {
            return Ok(Some(h.payload.clone()));
        }
        store::cases::replaced_payload(c, id, version).await
    }
}

/// What the pushes applied in one transaction share (the push queue's group
/// commit): the org units read so far (the tree does not change under a
/// push) and change numbers reserved for the whole group at once, so a
/// push of one case costs as few round trips as can be.
#[derive(Default)]
pub struct Shared {
    units: HashMap<UnitId, Option<Unit>>,
    /// Reserved change numbers not handed out yet: `next..end`.
    change_nos: Option<(i64, i64)>,
}

impl Shared {
    /// Reserves `n` change numbers in `c` for the pushes to come.
    pub async fn reserve(&mut self, c: &mut Conn, n: usize) -> Result<(), StoreError> {
        let first = store::cases::reserve_change_nos(c, n).await?;
        self.change_nos = Some((first, first + n.max(1) as i64));
        Ok(())
    }

    /// `n` consecutive numbers from the reserve, or from the counter.
    async fn change_nos(&mut self, c: &mut Conn, n: usize) -> Result<i64, StoreError> {
        let wanted = n.max(1) as i64;
        match self.change_nos {
            Some((next, end)) if end - next >= wanted => {
                self.change_nos = Some((next + wanted, end));
                Ok(next)
            }
            _ => store::cases::reserve_change_nos(c, n).await,
        }
    }
}

/// Applies a push for `caller` inside the caller's transaction: everything
/// it writes commits with it or not at all.
pub async fn push_in(
    c: &mut Conn,
    caller: &Caller,
    req: &PushRequest,
) -> Result<PushResponse, SyncError> {
    push_shared(c, caller, req, &mut Shared::default()).await
}

/// [`push_in`] for one push of a group sharing a transaction.
pub async fn push_shared(
    c: &mut Conn,
    caller: &Caller,
    req: &PushRequest,
    shared: &mut Shared,
) -> Result<PushResponse, SyncError> {
    check_batch(req)?;
    // a device pushes only under its own id (the one it logged in with), so
    // no one can claim or replay another device's seqs
    if req.client_id != caller.device_id {
        return Err(SyncError::Forbidden);
    }
    let now = Timestamp::from(jiff::Timestamp::now());
    // serialises writers; one number per mutation at most (gaps are harmless)
    let first_change_no = shared.change_nos(c, req.mutations.len()).await?;
    let (mut last_seq, owner) =
        store::sync_state::client(c, req.client_id, caller.account_id, now).await?;
    if owner != caller.account_id {
        return Err(SyncError::Forbidden);
    }
    let first_seq = last_seq;

    // what this push needs, read at once
    let (replays, fresh): (Vec<&Mutation>, Vec<&Mutation>) =
        req.mutations.iter().partition(|m| m.seq <= first_seq);
    let stored: HashMap<u64, StoredAnswer> = match (replays.first(), replays.last()) {
        (Some(lo), Some(hi)) => store::sync_state::answers(c, req.client_id, lo.seq, hi.seq)
            .await?
            .into_iter()
            .map(|a| (a.seq, a))
            .collect(),
        _ => HashMap::new(),
    };
    let mutation_ids: Vec<MutationId> = fresh.iter().map(|m| m.mutation_id).collect();
    let mut case_ids: Vec<CaseId> = fresh.iter().map(|m| CaseId(m.entity_id)).collect();
    case_ids.sort_unstable();
    case_ids.dedup();
    let stored_cases: HashMap<CaseId, StoredCase> = store::cases::get_many(c, &case_ids)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    // cases the caller does not record on their branch: reached, if at
    // all, by an accepted referral across the tree
    let off_branch: Vec<CaseId> = stored_cases
        .values()
        .filter(|r| !caller.may(Capability::RecordCases, &r.unit_path))
        .map(|r| r.id)
        .collect();
    let granted = if off_branch.is_empty() {
        HashMap::new()
    } else {
        store::ownership::grants(c, &off_branch).await?
    };
    // only a case the server has can hold a number already
    let held_ids: Vec<CaseId> = stored_cases.keys().copied().collect();
    let wanted: Vec<store::numbers::Number> = fresh
        .iter()
        .filter(|m| m.entity == Entity::Case)
        .filter_map(|m| m.payload.as_ref().and_then(numbers::wanted))
        .collect();
    let mut batch = Batch {
        cases: stored_cases,
        granted,
        written: Vec::new(),
        replaced: Vec::new(),
        units: std::mem::take(&mut shared.units),
        seen: store::sync_state::seen(c, &mutation_ids)
            .await?
            .into_iter()
            .collect(),
        next_change_no: first_change_no,
        refs: HashMap::new(),
        refs_to_clear: HashSet::new(),
        schedules: None,
        numbers: Numbers::load(c, &held_ids, &wanted).await?,
    };

    let mut results = Vec::with_capacity(req.mutations.len());
    let mut answers = Vec::with_capacity(fresh.len());
    for m in &req.mutations {
        if m.seq <= first_seq {
            results.push(replayed(&stored, m)?);
            continue;
        }
        if batch.seen.contains(&m.mutation_id) {
            results.push(rejected(m, refusal::duplicate()));
            continue;
        }
        let result = match m.entity {
            Entity::Case => apply_case(&mut batch, c, caller, m, now).await?,
            Entity::Screening => apply_screening(&mut batch, c, caller, m, now).await?,
            Entity::Unit | Entity::Schedule | Entity::RuleSet => rejected(m, refusal::read_only()),
        };
        let text = serde_json::to_string(&result).map_err(|e| StoreError::corrupt("answer", e))?;
        answers.push(StoredAnswer {
            seq: m.seq,
            mutation_id: m.mutation_id,
            result: text,
        });
        batch.seen.insert(m.mutation_id);
        last_seq = m.seq;
        results.push(result);
    }

    shared.units = std::mem::take(&mut batch.units);
    std::mem::take(&mut batch.numbers).write(c).await?;
    store::cases::insert_replaced(c, &batch.replaced, now).await?;
    let rows: Vec<&StoredCase> = batch
        .written
        .iter()
        .filter_map(|id| batch.cases.get(id))
        .collect();
    store::cases::upsert_many(c, &rows, now).await?;
    if !batch.refs.is_empty() || !batch.refs_to_clear.is_empty() {
        let clear: Vec<CaseId> = batch.refs_to_clear.into_iter().collect();
        let refs: Vec<attachments::CaseRef> = batch.refs.into_values().flatten().collect();
        attachments::replace_refs(c, &clear, &refs).await?;
    }
    store::sync_state::store_answers(c, req.client_id, &answers, now).await?;
    if last_seq != first_seq {
        store::sync_state::set_last_seq(c, req.client_id, last_seq, now).await?;
    }
    Ok(PushResponse { last_seq, results })
}

/// The stored answer to a seq already applied; a different mutation under a
/// used seq is refused (and not stored: the seq keeps its first answer).
fn replayed(
    stored: &HashMap<u64, StoredAnswer>,
    m: &Mutation,
) -> Result<MutationResult, StoreError> {
    match stored.get(&m.seq) {
        Some(a) if a.mutation_id == m.mutation_id => {
            serde_json::from_str(&a.result).map_err(|e| StoreError::corrupt("stored answer", e))
        }
        Some(_) => Ok(rejected(m, refusal::seq_reused())),
        // below last_seq but never stored: skipped over by a later seq
        None => Ok(rejected(m, refusal::stale_seq())),
    }
}

/// The pushed record read into its type; a payload that does not read is
/// refused with the path of the field at fault.
fn read_payload<T: serde::de::DeserializeOwned>(
    payload: &Value,
    what_zh: &str,
    what_en: &str,
) -> Result<T, Refused> {
    domain::strict::from_value(payload).map_err(|e| refusal::unreadable(e, what_zh, what_en))
}

fn rejected(m: &Mutation, r: Refused) -> MutationResult {
    MutationResult {
        seq: m.seq,
        mutation_id: m.mutation_id,
        status: Status::Rejected,
        version: None,
        verdict: None,
        field: Some(r.field),
        message: Some(r.message),
        code: Some(r.code),
        overridden: Vec::new(),
        server: None,
        renumbered: None,
    }
}

fn applied(m: &Mutation, version: Option<u64>, verdict: Option<Verdict>) -> MutationResult {
    MutationResult {
        seq: m.seq,
        mutation_id: m.mutation_id,
        status: Status::Applied,
        version,
        verdict,
        field: None,
        message: None,
        code: None,
        overridden: Vec::new(),
        server: None,
        renumbered: None,
    }
}

/// A screening record (排查记录): checked against the schedule (the duty
/// exists and applies to the unit's kind, the fields are complete), in the
/// caller's scope, then stored whole; a later push of the same record
/// replaces it (one author: no merge). Records are corrected, not deleted.
async fn apply_screening(
    batch: &mut Batch,
    c: &mut Conn,
    caller: &Caller,
    m: &Mutation,
    now: Timestamp,
) -> Result<MutationResult, StoreError> {
    if m.op == Op::Delete {
        return Ok(rejected(m, refusal::not_deletable()));
    }
    let Some(payload) = &m.payload else {
        return Ok(rejected(
            m,
            refusal::missing_payload("缺少排查记录 / the record itself is missing"),
        ));
    };
    let record: ScreeningRecord = match read_payload(payload, "排查记录", "record") {
        Ok(record) => record,
        Err(refused) => return Ok(rejected(m, refused)),
    };
    if record.id.0 != m.entity_id {
        return Ok(rejected(m, refusal::id_differs("记录")));
    }
    let existing = store::screenings::held(c, record.id).await?;
    if let Some(held) = &existing
        && !caller.may(Capability::RecordScreenings, &held.unit_path)
    {
        let refused = if caller.may(Capability::ReadAmounts, &held.unit_path) {
            refusal::role("entity_id", "记录排查", "record screenings")
        } else {
            refusal::out_of_scope("entity_id")
        };
        return Ok(rejected(m, refused));
    }
    // who recorded it is the server's to say: the pusher of a new record,
    // and it stays through corrections
    let author = existing
        .as_ref()
        .map_or(caller.person_id, |h| h.recorded_by);
    if record.recorded_by != author {
        return Ok(rejected(m, refusal::server_owned("recorded_by")));
    }
    let unit = match batch
        .unit_for_screening(c, caller, record.unit_id, "未知的单位 / unknown unit")
        .await?
    {
        Ok(unit) => unit,
        Err(refused) => return Ok(rejected(m, refused)),
    };
    let today = now.china_date();
    // the schedule of the unit's locality (as on the phone that made it)
    if batch.schedules.is_none() {
        batch.schedules = Some(reference::schedules_in(c).await?);
    }
    let schedules = batch.schedules.as_deref().unwrap_or_default();
    let schedule = reference::schedule_at(c, schedules, &unit.path).await?;
    if let Some(problem) = record
        .check_with(schedule, unit.kind, today)
        .into_iter()
        .next()
    {
        let field = format!("payload.{}", problem.field());
        return Ok(rejected(m, refusal::invalid(field, problem.to_string())));
    }
    let version = existing.map_or(1, |h| h.version + 1);
    let text = serde_json::to_string(&record).map_err(|e| StoreError::corrupt("record", e))?;
    let change_no = batch.take_change_no();
    store::screenings::upsert(
        c,
        &store::screenings::NewRecord {
            id: record.id,
            unit_id: record.unit_id,
            unit_path: &unit.path,
            duty: &record.duty,
            done_on: record.date,
            version,
            payload: &text,
            change_no,
            photo: record
                .photo
                .as_ref()
                .and_then(|p| Some((p.sha256.as_deref()?, p.bytes, p.content_type.as_str()))),
        },
        now,
    )
    .await?;
    Ok(applied(m, Some(version), None))
}

async fn apply_case(
    batch: &mut Batch,
    c: &mut Conn,
    caller: &Caller,
    m: &Mutation,
    now: Timestamp,
) -> Result<MutationResult, StoreError> {
    let id = CaseId(m.entity_id);
    let existing = batch.cases.get(&id).cloned();
    // the owner's unit of an accepted referral across the tree changes the
    // case, which stays registered at its committee
    // (its owner records it too where they answer for a unit above it: the
    // judicial office that accepted a village's referral)
    let owner = match existing.as_ref().and_then(|old| old.payload.as_deref()) {
        Some(payload) => Some(held_fields(Some(payload))?.0.owner_id),
        None => None,
    };
    let granted_path = batch.granted.get(&id);
    let reach = match &existing {
        None => Reach::None,
        Some(old) if caller.records(&old.unit_path, owner) => Reach::Branch,
        Some(_) if granted_path.is_some_and(|p| caller.records(p, owner)) => Reach::Granted,
        Some(old)
            if caller.may(Capability::ReadAmounts, &old.unit_path)
                || granted_path.is_some_and(|p| caller.may(Capability::ReadAmounts, p)) =>
        {
            Reach::ReadOnly
        }
        Some(_) => Reach::None,
    };
    let held = existing.as_ref().map(|old| Held {
        version: old.version,
        deleted: old.deleted,
        locked_reason: old.locked_reason.as_deref(),
        unit_id: old.unit_id,
    });
    let (merge_first, granted) = match decide::admit(held, reach, m.op, m.base_version) {
        Admission::Refuse(r) => return Ok(rejected(m, r)),
        Admission::AlreadyGone => return Ok(applied(m, None, None)),
        Admission::Delete => {
            let old = existing.expect("a delete is admitted for a held case");
            let version = old.version + 1;
            let tombstone = StoredCase {
                version,
                payload: None,
                deleted: true,
                verdict: Verdict::none(),
                change_no: batch.take_change_no(),
                ..old.clone()
            };
            batch.refs_to_clear.insert(id);
            batch.refs.remove(&id);
            batch.write(Some(old), tombstone, m.mutation_id, &[]);
            return Ok(applied(m, Some(version), None));
        }
        Admission::Upsert { merge, granted } => (merge, granted),
    };
    let Some(payload) = &m.payload else {
        return Ok(rejected(
            m,
            refusal::missing_payload("缺少案件内容 / the case itself is missing"),
        ));
    };
    let Value::Object(incoming) = payload else {
        return Ok(rejected(
            m,
            refusal::missing_payload("案件内容必须是对象 / the case must be an object"),
        ));
    };
    // the record the device changed, the server's now, and the merge (read
    // from the pushed JSON tree in place unless merged)
    let merged_record;
    let (record, overridden) = match &existing {
        Some(old) if merge_first => {
            let base = base_record(batch, c, old, m.base_version).await?;
            let current = parse_object(old.payload.as_deref())?;
            let merged = merge(&base, &current, incoming);
            merged_record = Value::Object(merged.record);
            (&merged_record, merged.overridden)
        }
        _ => (payload, Vec::new()),
    };
    let mut case: Case = match read_payload(record, "案件内容", "case") {
        Ok(case) => case,
        Err(refused) => return Ok(rejected(m, refused)),
    };
    // the server's own fields as it holds them (a new case: its pusher
    // owns it, nothing else set); what earns money or grants ownership
    // stays so
    let (owned, assessment) = match &existing {
        Some(old) => held_fields(old.payload.as_deref())?,
        None => (Owned::new_case(caller.person_id), None),
    };
    if let Err(refused) = decide::keeps_owned(&case, &owned) {
        return Ok(rejected(m, refused));
    }
    // the unit the case is registered at, as the decision needs it: found
    // before the decision (a lookup of ours), not by it
    let own_unit = if granted {
        None
    } else {
        Some(batch.unit(c, case.unit_id).await?)
    };
    // a held case kept at its unit: the reach above decided
    let same_unit = existing
        .as_ref()
        .is_some_and(|old| old.unit_id == case.unit_id);
    let unit_found = |_| match &own_unit {
        Some(Some(_)) if same_unit => UnitFound::InScope,
        Some(Some(u)) if caller.may(Capability::RecordCases, &u.path) => UnitFound::InScope,
        Some(Some(u)) if caller.may(Capability::ReadAmounts, &u.path) => UnitFound::ReadOnly,
        Some(Some(_)) => UnitFound::OutOfScope,
        _ => UnitFound::Unknown,
    };
    if let Err(refused) = decide::accept(
        &case,
        m.entity_id,
        now.china_date(),
        held,
        granted,
        unit_found,
        assessment.as_ref(),
    ) {
        return Ok(rejected(m, refused));
    }
    let unit = match own_unit.flatten() {
        Some(unit) => unit,
        // received: the committee that registered it
        None => {
            let at = existing.as_ref().map_or(case.unit_id, |o| o.unit_id);
            batch
                .unit(c, at)
                .await?
                .ok_or_else(|| StoreError::corrupt("the case's unit", at))?
        }
    };
    case.risk_assessment = assessment;
    // the case number: the one sent when it is free in the committee's year
    let seq = batch
        .numbers
        .give(c, id, case.unit_id, case.received_on.year(), case.seq)
        .await?;
    let renumbered = (case.seq != Some(seq)).then_some(seq);
    case.seq = Some(seq);
    let version = existing.as_ref().map_or(1, |old| old.version + 1);
    // the server owns these
    case.version = version;
    case.updated_at = Some(now);
    owned.put(&mut case);
    case.locked_reason = None;
    let verdict = verdict(batch, c, &case, &unit).await?;
    case.server_verdict = Some(verdict.clone());
    let payload = serde_json::to_string(&case).map_err(|e| StoreError::corrupt("case", e))?;
    let row = StoredCase {
        id,
        unit_id: case.unit_id,
        unit_path: unit.path.clone(),
        version,
        payload: Some(payload),
        deleted: false,
        verdict: verdict.clone(),
        locked_reason: None,
        change_no: batch.take_change_no(),
    };
    if existing.is_some() {
        batch.refs_to_clear.insert(id);
    }
    let refs = case
        .attachments
        .iter()
        .filter_map(|a| {
            Some(attachments::CaseRef {
                case_id: id,
                attachment_id: a.id.clone(),
                sha256: a.sha256.clone()?,
                unit_path: unit.path.clone(),
                bytes: a.bytes,
                content_type: a.content_type.clone(),
            })
        })
        .collect();
    batch.refs.insert(id, refs);
    batch.write(existing, row, m.mutation_id, &overridden);
    let mut result = applied(m, Some(version), Some(verdict));
    result.renumbered = renumbered;
    if !overridden.is_empty() {
        result.status = Status::Conflict;
        result.overridden = overridden;
        result.server = serde_json::to_value(&case).ok();
    }
    Ok(result)
}

fn parse_object(text: Option<&str>) -> Result<Map<String, Value>, StoreError> {
    match text.map(serde_json::from_str::<Value>) {
        Some(Ok(Value::Object(map))) => Ok(map),
        Some(Err(e)) => Err(StoreError::corrupt("case", e)),
        _ => Ok(Map::new()),
    }
}

/// The version the device started from: the stored one, or (base 0 on an
/// existing case: the device's own creation, acknowledged after it edited
/// again) the first version.
async fn base_record(
    batch: &Batch,
    c: &mut Conn,
    old: &StoredCase,
    base_version: u64,
) -> Result<Map<String, Value>, StoreError> {
    let version = base_version.max(1);
    if version == old.version {
        return parse_object(old.payload.as_deref());
    }
    match batch.replaced_payload(c, old.id, version).await? {
        Some(payload) => parse_object(payload.as_deref()),
        // not kept: every field both sides hold differently counts as theirs
        None => Ok(Map::new()),
    }
}

/// The tier by the shared rules, as the server decides it. A case
/// registered at a group is judged as its village's or community's.
async fn verdict(
    batch: &mut Batch,
    c: &mut Conn,
    case: &Case,
    unit: &Unit,
) -> Result<Verdict, StoreError> {
    let parent = match unit.parent_id {
        Some(parent) if CommitteeKind::of_unit(unit.kind).is_none() => {
            batch.unit(c, parent).await?.map(|p| p.kind)
        }
        _ => None,
    };
    Ok(case.verdict(CommitteeKind::judging(unit.kind, parent)))
}

/// The risk assessment of a stored case's JSON, if it has one.
/// The stored case's values of the fields the server owns, and its risk
/// assessment, read in one pass over its JSON.
fn held_fields(
    payload: Option<&str>,
) -> Result<(Owned, Option<domain::risk::RiskAssessment>), StoreError> {
    #[derive(serde::Deserialize)]
    struct Held {
        owner_id: domain::PersonId,
        #[serde(default)]
        special: bool,
        #[serde(default)]
        approved_amount: Option<domain::Money>,
        #[serde(default)]
        claim_id: Option<domain::ClaimId>,
        #[serde(default)]
        major_review: Option<domain::case::MajorReview>,
        #[serde(default)]
        risk_assessment: Option<domain::risk::RiskAssessment>,
    }
    let payload =
        payload.ok_or_else(|| StoreError::corrupt("case", "a held case without payload"))?;
    let h: Held = serde_json::from_str(payload).map_err(|e| StoreError::corrupt("case", e))?;
    let owned = Owned {
        owner_id: h.owner_id,
        special: h.special,
        approved_amount: h.approved_amount,
        claim_id: h.claim_id,
        major_review: h.major_review,
    };
    Ok((owned, h.risk_assessment))
}
