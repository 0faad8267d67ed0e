//! Applying a push and answering a pull (docs/sync.md). A push is one
//! database transaction: every mutation in it is applied, rejected or
//! merged, its answer stored under (client, seq), and the client's last
//! seq advanced, or nothing is. A replayed seq gets its stored answer, so
//! a push retried after a dropped connection or a killed server has
//! exactly-once effect.

use crate::auth::Caller;
use crate::db::cases::{self, CaseRow, HistoryRow, Tx, UnitRow};
use crate::db::{self, Db, attachments, screenings};
use crate::error::ApiError;
use domain::case::Case;
use domain::rules::{CommitteeKind, builtin, evaluate};
use domain::screening::ScreeningRecord;
use domain::sync::{
    DEFAULT_PULL_LIMIT, Entity, MAX_PULL_LIMIT, MAX_PUSH_MUTATIONS, Mutation, MutationResult, Op,
    PushRequest, PushResponse, Status, Verdict, merge,
};
use domain::{Money, UnitKind};
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};

/// Checks what can be checked before touching the database: batch size and
/// seq order. A bad batch is refused whole (400), nothing stored.
pub fn check_batch(req: &PushRequest) -> Result<(), ApiError> {
    if req.mutations.len() > MAX_PUSH_MUTATIONS {
        return Err(ApiError::BadRequest {
            code: "batch_too_large",
            field: Some("mutations".into()),
            message: format!(
                "一次最多同步 {MAX_PUSH_MUTATIONS} 条 / at most {MAX_PUSH_MUTATIONS} mutations per push"
            ),
        });
    }
    let mut last = 0;
    for (i, m) in req.mutations.iter().enumerate() {
        if m.seq == 0 || m.seq <= last || m.seq > i64::MAX as u64 {
            return Err(ApiError::BadRequest {
                code: "seq_order",
                field: Some(format!("mutations[{i}].seq")),
                message: "序号必须从1起严格递增 / seq must start at 1 and strictly increase within a push".into(),
            });
        }
        last = m.seq;
        if m.base_version > i64::MAX as u64 {
            return Err(ApiError::BadRequest {
                code: "malformed",
                field: Some(format!("mutations[{i}].base_version")),
                message: "版本号无效 / invalid version".into(),
            });
        }
    }
    Ok(())
}

/// What a push has read and what it will write, so that each mutation
/// costs no queries of its own: the cases it touches are read in one query,
/// units once each, and everything is written with multi-row statements at
/// the end. Later mutations of the same push see the earlier ones' effect.
struct Batch {
    /// The latest state of every case read or written so far.
    cases: HashMap<String, CaseRow>,
    /// The granted path of each case off the caller's branch that an
    /// accepted referral across the tree gave a unit (`case_ownership`).
    granted: HashMap<String, String>,
    /// Ids of the cases written, in first-write order.
    written: Vec<String>,
    history: Vec<HistoryRow>,
    units: HashMap<String, Option<UnitRow>>,
    /// Mutation ids applied before or earlier in this push.
    seen: HashSet<String>,
    next_change_no: i64,
    /// The attachment references of each case written (its latest state).
    refs: HashMap<String, Vec<attachments::RefRow>>,
    /// Written cases that existed before: their old references go.
    refs_to_clear: HashSet<String>,
    /// The stored screening schedules, read at the push's first record.
    schedules: Option<Vec<domain::screening::Schedule>>,
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
        old: Option<CaseRow>,
        new: CaseRow,
        replaced_by: &str,
        overridden: &[String],
    ) {
        if let Some(old) = old {
            self.history.push(HistoryRow {
                case_id: old.id,
                version: old.version,
                payload: old.payload,
                deleted: old.deleted,
                replaced_by: replaced_by.to_owned(),
                overridden: serde_json::to_string(overridden).unwrap_or_else(|_| "[]".into()),
            });
        }
        if !self.written.contains(&new.id) {
            self.written.push(new.id.clone());
        }
        self.cases.insert(new.id.clone(), new);
    }

    /// The unit a record names (`payload.unit_id`) when it exists and is in
    /// the caller's scope; else the mutation's refusal (`unknown` names it).
    async fn unit_in_scope(
        &mut self,
        tx: &mut Tx,
        caller: &Caller,
        m: &Mutation,
        id: &str,
        unknown: &str,
    ) -> Result<Result<UnitRow, Box<MutationResult>>, ApiError> {
        Ok(match self.unit(tx, id).await? {
            None => Err(Box::new(rejected(m, "invalid", "payload.unit_id", unknown))),
            Some(unit) if !caller.sees(&unit.path) => {
                Err(Box::new(out_of_scope(m, "payload.unit_id")))
            }
            Some(unit) => Ok(unit),
        })
    }

    async fn unit(&mut self, tx: &mut Tx, id: &str) -> Result<Option<UnitRow>, ApiError> {
        if let Some(unit) = self.units.get(id) {
            return Ok(unit.clone());
        }
        let unit = cases::units_many(tx, &[id.to_owned()])
            .await?
            .into_iter()
            .next();
        self.units.insert(id.to_owned(), unit.clone());
        Ok(unit)
    }

    /// A replaced version's payload: from this push's history, else stored.
    async fn history_payload(
        &self,
        tx: &mut Tx,
        id: &str,
        version: i64,
    ) -> Result<Option<Option<String>>, ApiError> {
        if let Some(h) = self
            .history
            .iter()
            .find(|h| h.case_id == id && h.version == version)
        {
            return Ok(Some(h.payload.clone()));
        }
        Ok(cases::history_payload(tx, id, version).await?)
    }
}

/// What the pushes applied in one transaction share (the push queue's group
/// commit, `server/src/push_queue.rs`): the org units read so far (the tree
/// does not change under a push) and change numbers reserved for the whole
/// group at once, so a push of one case costs as few round trips as can be.
#[derive(Default)]
pub struct Shared {
    units: HashMap<String, Option<UnitRow>>,
    /// Reserved change numbers not handed out yet: `next..end`.
    change_nos: Option<(i64, i64)>,
}

impl Shared {
    /// Reserves `n` change numbers in `tx` for the pushes to come.
    pub async fn reserve(&mut self, tx: &mut Tx, n: usize) -> Result<(), ApiError> {
        let n = n.max(1) as i64;
        let first = cases::reserve_change_nos(tx, n).await?;
        self.change_nos = Some((first, first + n));
        Ok(())
    }

    /// `n` consecutive numbers from the reserve, or from the counter.
    async fn change_nos(&mut self, tx: &mut Tx, n: usize) -> Result<i64, ApiError> {
        let n = n.max(1) as i64;
        match self.change_nos {
            Some((next, end)) if end - next >= n => {
                self.change_nos = Some((next + n, end));
                Ok(next)
            }
            _ => Ok(cases::reserve_change_nos(tx, n).await?),
        }
    }
}

/// Applies a push for `caller` inside the caller's transaction: everything
/// it writes commits with it or not at all.
pub async fn push_in(
    tx: &mut Tx,
    caller: &Caller,
    req: &PushRequest,
) -> Result<PushResponse, ApiError> {
    push_shared(tx, caller, req, &mut Shared::default()).await
}

/// [`push_in`] for one push of a group sharing a transaction.
pub async fn push_shared(
    tx: &mut Tx,
    caller: &Caller,
    req: &PushRequest,
    shared: &mut Shared,
) -> Result<PushResponse, ApiError> {
    check_batch(req)?;
    let client_id = req.client_id.to_string();
    // a device pushes only under its own id (the one it logged in with), so
    // no one can claim or replay another device's seqs
    if client_id != caller.device_id {
        return Err(ApiError::Forbidden);
    }
    let now = db::now_text();
    // serialises writers; one number per mutation at most (gaps are harmless)
    let first_change_no = shared.change_nos(tx, req.mutations.len()).await?;
    let (mut last_seq, owner) =
        cases::client_state(tx, &client_id, &caller.account_id, &now).await?;
    if owner != caller.account_id {
        return Err(ApiError::Forbidden);
    }
    let first_seq = last_seq;

    // what this push needs, read at once
    let (replays, fresh): (Vec<&Mutation>, Vec<&Mutation>) = req
        .mutations
        .iter()
        .partition(|m| m.seq as i64 <= first_seq);
    let stored: HashMap<i64, (String, String)> = match (replays.first(), replays.last()) {
        (Some(lo), Some(hi)) => cases::stored_results(tx, &client_id, lo.seq as i64, hi.seq as i64)
            .await?
            .into_iter()
            .map(|(seq, id, result)| (seq, (id, result)))
            .collect(),
        _ => HashMap::new(),
    };
    let mutation_ids: Vec<String> = fresh.iter().map(|m| m.mutation_id.to_string()).collect();
    let mut case_ids: Vec<String> = fresh.iter().map(|m| m.entity_id.to_string()).collect();
    case_ids.sort_unstable();
    case_ids.dedup();
    let stored_cases: HashMap<String, CaseRow> = cases::get_many(tx, &case_ids)
        .await?
        .into_iter()
        .map(|r| (r.id.clone(), r))
        .collect();
    // cases off the caller's branch: reached only by an accepted referral
    let off_branch: Vec<String> = stored_cases
        .values()
        .filter(|r| !caller.sees(&r.unit_path))
        .map(|r| r.id.clone())
        .collect();
    let granted = if off_branch.is_empty() {
        HashMap::new()
    } else {
        cases::grants_many(tx, &off_branch).await?
    };
    let mut batch = Batch {
        cases: stored_cases,
        granted,
        written: Vec::new(),
        history: Vec::new(),
        units: std::mem::take(&mut shared.units),
        seen: cases::seen_many(tx, &mutation_ids)
            .await?
            .into_iter()
            .collect(),
        next_change_no: first_change_no,
        refs: HashMap::new(),
        refs_to_clear: HashSet::new(),
        schedules: None,
    };

    let mut results = Vec::with_capacity(req.mutations.len());
    let mut answers = Vec::with_capacity(fresh.len());
    for m in &req.mutations {
        let seq = m.seq as i64;
        if seq <= first_seq {
            results.push(replayed(&stored, m)?);
            continue;
        }
        let mutation_id = m.mutation_id.to_string();
        if batch.seen.contains(&mutation_id) {
            results.push(rejected(
                m,
                "duplicate",
                "mutation_id",
                "此变更已用另一序号提交过 / this mutation was already pushed under another seq",
            ));
            continue;
        }
        let result = match m.entity {
            Entity::Case => apply_case(&mut batch, tx, caller, m, &now).await?,
            Entity::Screening => apply_screening(&mut batch, tx, caller, m, &now).await?,
            Entity::Unit | Entity::Schedule | Entity::RuleSet => rejected(
                m,
                "read_only",
                "entity",
                "组织、日程和规则只能在服务器上修改 / units, schedules and rule sets are changed on the server only",
            ),
        };
        let stored = serde_json::to_string(&result).map_err(|e| ApiError::Internal(e.into()))?;
        answers.push((seq, mutation_id.clone(), stored));
        batch.seen.insert(mutation_id);
        last_seq = seq;
        results.push(result);
    }

    shared.units = std::mem::take(&mut batch.units);
    cases::insert_history(tx, &batch.history, &now).await?;
    let rows: Vec<&CaseRow> = batch
        .written
        .iter()
        .filter_map(|id| batch.cases.get(id))
        .collect();
    cases::upsert_many(tx, &rows, &now).await?;
    if !batch.refs.is_empty() || !batch.refs_to_clear.is_empty() {
        let clear: Vec<String> = batch.refs_to_clear.into_iter().collect();
        let refs: Vec<attachments::RefRow> = batch.refs.into_values().flatten().collect();
        attachments::replace_refs(tx, &clear, &refs).await?;
    }
    cases::store_results(tx, &client_id, &answers, &now).await?;
    if last_seq != first_seq {
        cases::set_last_seq(tx, &client_id, last_seq, &now).await?;
    }
    Ok(PushResponse {
        last_seq: last_seq as u64,
        results,
    })
}

/// The stored answer to a seq already applied; a different mutation under a
/// used seq is refused (and not stored: the seq keeps its first answer).
fn replayed(
    stored: &HashMap<i64, (String, String)>,
    m: &Mutation,
) -> Result<MutationResult, ApiError> {
    match stored.get(&(m.seq as i64)) {
        Some((mutation_id, result)) if *mutation_id == m.mutation_id.to_string() => {
            serde_json::from_str(result).map_err(|e| ApiError::Internal(e.into()))
        }
        Some(_) => Ok(rejected(
            m,
            "seq_reused",
            "seq",
            "此序号已用于另一变更 / this seq was used by another mutation",
        )),
        // below last_seq but never stored: skipped over by a later seq
        None => Ok(rejected(
            m,
            "stale_seq",
            "seq",
            "序号已过期 / this seq is older than the last one applied",
        )),
    }
}

/// The pushed record read into its type; a payload that does not read is
/// refused with the path of the field at fault.
fn read_payload<T: serde::de::DeserializeOwned>(
    m: &Mutation,
    payload: &Value,
    what_zh: &str,
    what_en: &str,
) -> Result<T, Box<MutationResult>> {
    serde_path_to_error::deserialize(payload).map_err(|e| {
        Box::new(rejected(
            m,
            "invalid",
            &format!("payload.{}", e.path()),
            &format!("{what_zh}无法读取 / unreadable {what_en}: {}", e.inner()),
        ))
    })
}

fn id_differs(m: &Mutation, what_zh: &str) -> MutationResult {
    rejected(
        m,
        "invalid",
        "payload.id",
        &format!("{what_zh}编号与 entity_id 不一致 / payload.id differs from entity_id"),
    )
}

/// The same answer whether the record exists elsewhere or not: ids outside
/// the caller's scope reveal nothing.
fn out_of_scope(m: &Mutation, field: &str) -> MutationResult {
    rejected(
        m,
        "scope",
        field,
        "超出您的管辖范围 / outside your organisation",
    )
}

fn rejected(m: &Mutation, code: &str, field: &str, message: &str) -> MutationResult {
    MutationResult {
        seq: m.seq,
        mutation_id: m.mutation_id,
        status: Status::Rejected,
        version: None,
        verdict: None,
        field: Some(field.to_owned()),
        message: Some(message.to_owned()),
        code: Some(code.to_owned()),
        overridden: Vec::new(),
        server: None,
    }
}

/// A screening record (排查记录): checked against the schedule (the duty
/// exists and applies to the unit's kind, the fields are complete), in the
/// caller's scope, then stored whole; a later push of the same record
/// replaces it (one author: no merge). Records are corrected, not deleted.
async fn apply_screening(
    batch: &mut Batch,
    tx: &mut Tx,
    caller: &Caller,
    m: &Mutation,
    now: &str,
) -> Result<MutationResult, ApiError> {
    if m.op == Op::Delete {
        return Ok(rejected(
            m,
            "not_deletable",
            "op",
            "排查记录不能删除，请更正 / a screening record is corrected, not deleted",
        ));
    }
    let Some(payload) = &m.payload else {
        return Ok(rejected(
            m,
            "invalid",
            "payload",
            "缺少排查记录 / the record itself is missing",
        ));
    };
    let record: ScreeningRecord = match read_payload(m, payload, "排查记录", "record") {
        Ok(record) => record,
        Err(refused) => return Ok(*refused),
    };
    if record.id.0 != m.entity_id {
        return Ok(id_differs(m, "记录"));
    }
    let id = record.id.to_string();
    let existing = screenings::version_of(tx, &id).await?;
    if let Some((_, path)) = &existing
        && !caller.sees(path)
    {
        return Ok(out_of_scope(m, "entity_id"));
    }
    let unit_id = record.unit_id.to_string();
    let unit = match batch
        .unit_in_scope(tx, caller, m, &unit_id, "未知的单位 / unknown unit")
        .await?
    {
        Ok(unit) => unit,
        Err(refused) => return Ok(*refused),
    };
    let Ok(kind) = unit.kind.parse::<UnitKind>() else {
        return Ok(rejected(
            m,
            "invalid",
            "payload.unit_id",
            "未知的单位类型 / unknown unit kind",
        ));
    };
    let today = domain::dates::china_date(jiff::Timestamp::now());
    // the schedule of the unit's locality (as on the phone that made it)
    if batch.schedules.is_none() {
        batch.schedules = Some(crate::reference::schedules_in(tx).await?);
    }
    let schedules = batch.schedules.as_deref().unwrap_or_default();
    let schedule = crate::reference::schedule_at(tx, schedules, &unit.path).await?;
    if let Some(problem) = record.check_with(schedule, kind, today).into_iter().next() {
        let field = format!("payload.{}", problem.field());
        return Ok(rejected(m, "invalid", &field, &problem.to_string()));
    }
    let version = existing.map_or(1, |(v, _)| v + 1);
    let text = serde_json::to_string(&record).map_err(|e| ApiError::Internal(e.into()))?;
    screenings::upsert(
        tx,
        &screenings::ScreeningRow {
            id: &id,
            unit_id: &unit_id,
            unit_path: &unit.path,
            duty: &record.duty,
            done_on: &domain::dates::format_iso(record.date),
            version,
            payload: &text,
            change_no: batch.take_change_no(),
            photo: record.photo.as_ref().and_then(|p| {
                Some((
                    p.sha256.as_deref()?,
                    p.bytes as i64,
                    p.content_type.as_str(),
                ))
            }),
        },
        now,
    )
    .await?;
    Ok(applied(m, Some(version as u64), None))
}

async fn apply_case(
    batch: &mut Batch,
    tx: &mut Tx,
    caller: &Caller,
    m: &Mutation,
    now: &str,
) -> Result<MutationResult, ApiError> {
    let id = m.entity_id.to_string();
    let mutation_id = m.mutation_id.to_string();
    let existing = batch.cases.get(&id).cloned();
    // the owner's unit of an accepted referral across the tree changes the
    // case, which stays registered at its committee
    let granted = existing.as_ref().is_some_and(|old| {
        !caller.sees(&old.unit_path) && batch.granted.get(&id).is_some_and(|p| caller.sees(p))
    });
    if let Some(old) = &existing {
        if !caller.sees(&old.unit_path) && !granted {
            // the same answer as for a case that does not exist elsewhere:
            // ids outside the caller's scope reveal nothing
            return Ok(out_of_scope(m, "entity_id"));
        }
        if let Some(reason) = &old.locked_reason {
            return Ok(rejected(
                m,
                "locked",
                "entity_id",
                &format!("案件已锁定，不能修改：{reason} / the case is locked: {reason}"),
            ));
        }
        if old.deleted == 1 {
            return Ok(rejected(
                m,
                "deleted",
                "entity_id",
                "案件已删除 / the case was deleted",
            ));
        }
        if m.base_version > old.version as u64 {
            return Ok(rejected(
                m,
                "bad_version",
                "base_version",
                "基础版本号高于服务器版本 / base_version is newer than the server's",
            ));
        }
    } else if m.base_version != 0 {
        return Ok(rejected(
            m,
            "unknown",
            "entity_id",
            "服务器上没有此案件 / no such case on the server",
        ));
    }

    match m.op {
        Op::Delete if granted => Ok(rejected(
            m,
            "invalid",
            "op",
            "移交接收的案件不能删除，它仍属于登记的调委会 / a case received by referral is not deleted: it stays its committee's",
        )),
        Op::Delete => {
            let Some(old) = existing else {
                // nothing to delete: the tombstone's effect already holds
                return Ok(applied(m, None, None));
            };
            let version = old.version + 1;
            let tombstone = CaseRow {
                version,
                payload: None,
                deleted: 1,
                tier: None,
                amount_fen: 0,
                change_no: batch.take_change_no(),
                ..old.clone()
            };
            batch.refs_to_clear.insert(id.clone());
            batch.refs.remove(&id);
            batch.write(Some(old), tombstone, &mutation_id, &[]);
            Ok(applied(m, Some(version as u64), None))
        }
        Op::Upsert => {
            let Some(payload) = &m.payload else {
                return Ok(rejected(
                    m,
                    "invalid",
                    "payload",
                    "缺少案件内容 / the case itself is missing",
                ));
            };
            let Value::Object(incoming) = payload else {
                return Ok(rejected(
                    m,
                    "invalid",
                    "payload",
                    "案件内容必须是对象 / the case must be an object",
                ));
            };
            // the record the device changed, the server's now, and the merge
            // (read from the pushed JSON tree in place unless merged)
            let merged_record;
            let (record, overridden) = match &existing {
                Some(old) if m.base_version as i64 != old.version => {
                    let base = base_record(batch, tx, old, m.base_version).await?;
                    let current = parse_object(old.payload.as_deref())?;
                    let merged = merge(&base, &current, incoming);
                    merged_record = Value::Object(merged.record);
                    (&merged_record, merged.overridden)
                }
                _ => (payload, Vec::new()),
            };
            let mut case: Case = match read_payload(m, record, "案件内容", "case") {
                Ok(case) => case,
                Err(refused) => return Ok(*refused),
            };
            if case.id.0 != m.entity_id {
                return Ok(id_differs(m, "案件"));
            }
            let today = domain::dates::china_date(jiff::Timestamp::now());
            if let Some(problem) = case.check(today).into_iter().next() {
                let field = format!("payload.{}", problem.field);
                return Ok(rejected(
                    m,
                    "invalid",
                    &field,
                    &format!("{} / {}", problem.zh, problem.en),
                ));
            }
            let unit_id = case.unit_id.to_string();
            let unit = match existing.as_ref().filter(|_| granted) {
                Some(old) if old.unit_id != unit_id => {
                    return Ok(rejected(
                        m,
                        "invalid",
                        "payload.unit_id",
                        "移交接收的案件不能更改登记的调委会 / a case received by referral keeps the committee that registered it",
                    ));
                }
                Some(old) => match batch.unit(tx, &old.unit_id).await? {
                    Some(unit) => unit,
                    None => return Err(ApiError::Internal(anyhow::anyhow!("the case's unit"))),
                },
                None => match batch
                    .unit_in_scope(tx, caller, m, &unit_id, "未知的调委会 / unknown committee")
                    .await?
                {
                    Ok(unit) => unit,
                    Err(refused) => return Ok(*refused),
                },
            };
            // the risk assessment is the server's (`PUT …/risk`): kept as
            // stored, and the level it set is changed only through it
            let assessment = match &existing {
                Some(old) => stored_assessment(old.payload.as_deref())?,
                None => None,
            };
            if let Some(a) = &assessment
                && domain::case::RiskLevel::from_code(&a.level).is_some_and(|l| l != case.risk)
            {
                return Ok(rejected(
                    m,
                    "invalid",
                    "payload.risk",
                    "风险等级已进入研判流程，请在案件页“风险研判”中调整 / the risk level is under assessment: change it with the case page's risk steps",
                ));
            }
            case.risk_assessment = assessment;
            let version = existing.as_ref().map_or(1, |old| old.version + 1);
            // the server owns these
            case.version = version as u64;
            case.updated_at = now.to_owned();
            case.claim_id = None;
            case.locked_reason = None;
            let verdict = verdict(batch, tx, &case, &unit).await?;
            case.server_verdict = Some(verdict.clone());
            let payload = serde_json::to_string(&case).map_err(|e| ApiError::Internal(e.into()))?;
            let row = CaseRow {
                id: id.clone(),
                unit_id,
                unit_path: unit.path.clone(),
                version,
                payload: Some(payload),
                deleted: 0,
                tier: verdict.tier.clone(),
                amount_fen: verdict.amount.to_fen(),
                locked_reason: None,
                change_no: batch.take_change_no(),
            };
            if existing.is_some() {
                batch.refs_to_clear.insert(id.clone());
            }
            let refs = case
                .attachments
                .iter()
                .filter_map(|a| {
                    Some(attachments::RefRow {
                        case_id: id.clone(),
                        attachment_id: a.id.clone(),
                        sha256: a.sha256.clone()?,
                        unit_path: unit.path.clone(),
                        bytes: a.bytes as i64,
                        content_type: a.content_type.clone(),
                    })
                })
                .collect();
            batch.refs.insert(id.clone(), refs);
            batch.write(existing, row, &mutation_id, &overridden);
            let mut result = applied(m, Some(version as u64), Some(verdict));
            if !overridden.is_empty() {
                result.status = Status::Conflict;
                result.overridden = overridden;
                result.server = serde_json::to_value(&case).ok();
            }
            Ok(result)
        }
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
    }
}

fn parse_object(text: Option<&str>) -> Result<Map<String, Value>, ApiError> {
    match text.map(serde_json::from_str::<Value>) {
        Some(Ok(Value::Object(map))) => Ok(map),
        Some(Err(e)) => Err(ApiError::Internal(e.into())),
        _ => Ok(Map::new()),
    }
}

/// The version the device started from: the stored one, or (base 0 on an
/// existing case: the device's own creation, acknowledged after it edited
/// again) the first version.
async fn base_record(
    batch: &Batch,
    tx: &mut Tx,
    old: &CaseRow,
    base_version: u64,
) -> Result<Map<String, Value>, ApiError> {
    let version = (base_version as i64).max(1);
    if version == old.version {
        return parse_object(old.payload.as_deref());
    }
    match batch.history_payload(tx, &old.id, version).await? {
        Some(payload) => parse_object(payload.as_deref()),
        // not kept: every field both sides hold differently counts as theirs
        None => Ok(Map::new()),
    }
}

/// The tier by the shared rules, as the server decides it. A case
/// registered at a group is judged as its village's or community's.
async fn verdict(
    batch: &mut Batch,
    tx: &mut Tx,
    case: &Case,
    unit: &UnitRow,
) -> Result<Verdict, ApiError> {
    let parent = match &unit.parent_id {
        Some(parent) if committee_of(&unit.kind).is_none() => batch.unit(tx, parent).await?,
        _ => None,
    };
    Ok(verdict_for(
        case,
        &unit.kind,
        parent.as_ref().map(|p| p.kind.as_str()),
    ))
}

/// The committee a unit of this kind (its stored code) is, if any.
fn committee_of(unit_kind: &str) -> Option<CommitteeKind> {
    unit_kind
        .parse::<UnitKind>()
        .ok()
        .and_then(CommitteeKind::of_unit)
}

/// The tier by the shared rules (the rule set in force on the closing date)
/// for a case registered at a unit of kind `unit_kind` (its stored code,
/// e.g. `village`). A group is no committee: its case is judged as its
/// parent's, of kind `parent_kind`. Pure: the push and the demo history
/// (`demo::load_history`) judge cases with it.
pub fn verdict_for(case: &Case, unit_kind: &str, parent_kind: Option<&str>) -> Verdict {
    let committee = committee_of(unit_kind).or_else(|| parent_kind.and_then(committee_of));
    let evaluation = committee
        .and_then(|c| case.facts(c))
        .and_then(|facts| evaluate(&facts, builtin()).ok());
    match evaluation {
        Some(e) => Verdict {
            tier: e.tier,
            amount: e.amount,
        },
        None => Verdict {
            tier: None,
            amount: Money::ZERO,
        },
    }
}

/// Checks a pull's cursor and page size; the page size to use.
pub(crate) fn page_limit(cursor: i64, limit: Option<u32>) -> Result<u32, ApiError> {
    if cursor < 0 {
        return Err(ApiError::invalid(
            "cursor",
            "游标不能为负 / cursor cannot be negative",
        ));
    }
    let limit = limit.unwrap_or(DEFAULT_PULL_LIMIT);
    if limit == 0 || limit > MAX_PULL_LIMIT {
        return Err(ApiError::invalid(
            "limit",
            format!("每页 1–{MAX_PULL_LIMIT} 条 / limit must be 1–{MAX_PULL_LIMIT}"),
        ));
    }
    Ok(limit)
}

/// Answers a pull: the latest state of every record in the caller's
/// subtrees changed after `cursor`, oldest change first.
pub async fn pull(
    db: &Db,
    caller: &Caller,
    cursor: i64,
    limit: Option<u32>,
) -> Result<PullPage, ApiError> {
    let limit = page_limit(cursor, limit)?;
    let roots = caller.roots();
    let rows = cases::changes_since(db.pool(), cursor, &roots, i64::from(limit) + 1).await?;
    // screening records go to the phones that work in the field only
    let records = screenings::changes_since(
        db.pool(),
        cursor,
        &caller.field_roots(),
        i64::from(limit) + 1,
    )
    .await?;
    // one stream in change order: each list holds its first limit + 1, so
    // the first `limit` of the merge are the first `limit` of both tables
    let mut merged: Vec<PulledChange> = Vec::with_capacity(rows.len() + records.len());
    let mut records = records.into_iter().peekable();
    for change in case_changes(rows)? {
        while let Some(r) = records.next_if(|r| r.change_no < change.change_no) {
            merged.push(screening_change(r)?);
        }
        merged.push(change);
    }
    for r in records {
        merged.push(screening_change(r)?);
    }
    let has_more = merged.len() > limit as usize;
    merged.truncate(limit as usize);
    let next = merged.last().map_or(cursor, |c| c.change_no);
    Ok(PullPage {
        changes: merged,
        cursor: next,
        has_more,
    })
}

fn screening_change(r: screenings::PulledScreening) -> Result<PulledChange, ApiError> {
    Ok(PulledChange {
        change_no: r.change_no,
        entity: Entity::Screening,
        entity_id: r
            .id
            .parse()
            .map_err(|e: uuid::Error| ApiError::Internal(e.into()))?,
        version: r.version as u64,
        deleted: false,
        payload: Some(RawValue::from_string(r.payload).map_err(|e| ApiError::Internal(e.into()))?),
        verdict: None,
        overridden: Vec::new(),
    })
}

fn case_changes(rows: Vec<cases::PullRow>) -> Result<Vec<PulledChange>, ApiError> {
    rows.into_iter()
        .map(|row| {
            let overridden: Vec<String> = row
                .overridden
                .as_deref()
                .and_then(|o| serde_json::from_str(o).ok())
                .unwrap_or_default();
            let r = row.case;
            let deleted = r.deleted == 1;
            let payload = r
                .payload
                .map(RawValue::from_string)
                .transpose()
                .map_err(|e| ApiError::Internal(e.into()))?;
            Ok(PulledChange {
                change_no: r.change_no,
                entity: Entity::Case,
                entity_id: r
                    .id
                    .parse()
                    .map_err(|e: uuid::Error| ApiError::Internal(e.into()))?,
                version: r.version as u64,
                deleted,
                payload,
                verdict: (!deleted).then(|| Verdict {
                    tier: r.tier.clone(),
                    amount: Money::from_fen(r.amount_fen).unwrap_or(Money::ZERO),
                }),
                overridden,
            })
        })
        .collect()
}

/// A pull's answer as the server writes it: the JSON of
/// [`domain::sync::PullResponse`], with each stored case passed through as
/// stored (checked as JSON, not parsed into a tree and written again: most
/// of a pull's work before this).
#[derive(Debug, Serialize)]
pub struct PullPage {
    pub changes: Vec<PulledChange>,
    pub cursor: i64,
    pub has_more: bool,
}

/// [`domain::sync::Change`], with the stored payload as it is.
#[derive(Debug, Serialize)]
pub struct PulledChange {
    pub change_no: i64,
    pub entity: Entity,
    pub entity_id: uuid::Uuid,
    pub version: u64,
    pub deleted: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload: Option<Box<RawValue>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub overridden: Vec<String>,
}

/// The risk assessment of a stored case's JSON, if it has one.
fn stored_assessment(
    payload: Option<&str>,
) -> Result<Option<domain::screening::RiskAssessment>, ApiError> {
    #[derive(serde::Deserialize)]
    struct Stored {
        #[serde(default)]
        risk_assessment: Option<domain::screening::RiskAssessment>,
    }
    match payload {
        None => Ok(None),
        Some(p) => serde_json::from_str::<Stored>(p)
            .map(|s| s.risk_assessment)
            .map_err(|e| ApiError::Internal(e.into())),
    }
}
