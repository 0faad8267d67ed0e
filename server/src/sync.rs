//! Applying a push and answering a pull (docs/sync.md). A push is one
//! database transaction: every mutation in it is applied, rejected or
//! merged, its answer stored under (client, seq), and the client's last
//! seq advanced, or nothing is. A replayed seq gets its stored answer, so
//! a push retried after a dropped connection or a killed server has
//! exactly-once effect.

use crate::auth::Caller;
use crate::db::cases::{self, CaseRow, Tx};
use crate::db::{self, Db, DbError};
use crate::error::ApiError;
use domain::case::Case;
use domain::rules::{CommitteeKind, builtin, evaluate};
use domain::sync::{
    Change, DEFAULT_PULL_LIMIT, Entity, MAX_PULL_LIMIT, MAX_PUSH_MUTATIONS, Mutation,
    MutationResult, Op, PullResponse, PushRequest, PushResponse, Status, Verdict, merge,
};
use domain::{Money, UnitKind};
use serde_json::{Map, Value};

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

/// Applies a push for `caller`.
pub async fn push(db: &Db, caller: &Caller, req: &PushRequest) -> Result<PushResponse, ApiError> {
    check_batch(req)?;
    let client_id = req.client_id.to_string();
    let now = db::now_text();
    let mut tx: Tx = db.pool().begin().await.map_err(DbError::from)?;
    // serialise writers (and reserve a change number; gaps are harmless)
    let mut change_no = cases::next_change_no(&mut tx).await?;
    let (mut last_seq, owner) =
        cases::client_state(&mut tx, &client_id, &caller.account_id, &now).await?;
    if owner != caller.account_id {
        return Err(ApiError::Forbidden);
    }
    let mut results = Vec::with_capacity(req.mutations.len());
    let mut used_change_no = false;
    for m in &req.mutations {
        let seq = m.seq as i64;
        if seq <= last_seq {
            results.push(replayed(&mut tx, &client_id, m).await?);
            continue;
        }
        if cases::mutation_seen(&mut tx, &m.mutation_id.to_string()).await? {
            results.push(rejected(
                m,
                "duplicate",
                "mutation_id",
                "此变更已用另一序号提交过 / this mutation was already pushed under another seq",
            ));
            continue;
        }
        if used_change_no {
            change_no = cases::next_change_no(&mut tx).await?;
        }
        let (result, wrote) = apply(&mut tx, caller, m, change_no, &now).await?;
        used_change_no = wrote;
        let stored = serde_json::to_string(&result).map_err(|e| ApiError::Internal(e.into()))?;
        cases::store_result(
            &mut tx,
            &client_id,
            seq,
            &m.mutation_id.to_string(),
            &stored,
            &now,
        )
        .await?;
        last_seq = seq;
        results.push(result);
    }
    cases::set_last_seq(&mut tx, &client_id, last_seq, &now).await?;
    tx.commit().await.map_err(DbError::from)?;
    Ok(PushResponse {
        last_seq: last_seq as u64,
        results,
    })
}

/// The stored answer to a seq already applied; a different mutation under a
/// used seq is refused (and not stored: the seq keeps its first answer).
async fn replayed(tx: &mut Tx, client_id: &str, m: &Mutation) -> Result<MutationResult, ApiError> {
    match cases::stored_result(tx, client_id, m.seq as i64).await? {
        Some((mutation_id, result)) if mutation_id == m.mutation_id.to_string() => {
            serde_json::from_str(&result).map_err(|e| ApiError::Internal(e.into()))
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

/// Applies one mutation. Returns its answer and whether it wrote a change.
async fn apply(
    tx: &mut Tx,
    caller: &Caller,
    m: &Mutation,
    change_no: i64,
    now: &str,
) -> Result<(MutationResult, bool), ApiError> {
    match m.entity {
        Entity::Case => apply_case(tx, caller, m, change_no, now).await,
    }
}

async fn apply_case(
    tx: &mut Tx,
    caller: &Caller,
    m: &Mutation,
    change_no: i64,
    now: &str,
) -> Result<(MutationResult, bool), ApiError> {
    let id = m.entity_id.to_string();
    let existing = cases::get(tx, &id).await?;
    if let Some(old) = &existing {
        if !caller.sees(&old.unit_path) {
            // the same answer as for a case that does not exist elsewhere:
            // ids outside the caller's scope reveal nothing
            return Ok((
                rejected(
                    m,
                    "scope",
                    "entity_id",
                    "超出您的管辖范围 / outside your organisation",
                ),
                false,
            ));
        }
        if let Some(reason) = &old.locked_reason {
            return Ok((
                rejected(
                    m,
                    "locked",
                    "entity_id",
                    &format!("案件已锁定，不能修改：{reason} / the case is locked: {reason}"),
                ),
                false,
            ));
        }
        if old.deleted == 1 {
            return Ok((
                rejected(
                    m,
                    "deleted",
                    "entity_id",
                    "案件已删除 / the case was deleted",
                ),
                false,
            ));
        }
        if m.base_version > old.version as u64 {
            return Ok((
                rejected(
                    m,
                    "bad_version",
                    "base_version",
                    "基础版本号高于服务器版本 / base_version is newer than the server's",
                ),
                false,
            ));
        }
    } else if m.base_version != 0 {
        return Ok((
            rejected(
                m,
                "unknown",
                "entity_id",
                "服务器上没有此案件 / no such case on the server",
            ),
            false,
        ));
    }

    match m.op {
        Op::Delete => {
            let Some(old) = existing else {
                // nothing to delete: the tombstone's effect already holds
                return Ok((applied(m, None, None), false));
            };
            cases::keep_history(tx, &old, &m.mutation_id.to_string(), &[], now).await?;
            let version = old.version + 1;
            cases::upsert(
                tx,
                &cases::Write {
                    id: &id,
                    unit_id: &old.unit_id,
                    unit_path: &old.unit_path,
                    version,
                    payload: None,
                    tier: None,
                    amount_fen: 0,
                    change_no,
                },
                now,
            )
            .await?;
            Ok((applied(m, Some(version as u64), None), true))
        }
        Op::Upsert => {
            let Some(payload) = &m.payload else {
                return Ok((
                    rejected(
                        m,
                        "invalid",
                        "payload",
                        "缺少案件内容 / the case itself is missing",
                    ),
                    false,
                ));
            };
            let Value::Object(incoming) = payload else {
                return Ok((
                    rejected(
                        m,
                        "invalid",
                        "payload",
                        "案件内容必须是对象 / the case must be an object",
                    ),
                    false,
                ));
            };
            // the record the device changed, the server's now, and the merge
            let (record, overridden) = match &existing {
                Some(old) if m.base_version as i64 != old.version => {
                    let base = base_record(tx, old, m.base_version).await?;
                    let current = parse_object(old.payload.as_deref())?;
                    let merged = merge(&base, &current, incoming);
                    (merged.record, merged.overridden)
                }
                _ => (incoming.clone(), Vec::new()),
            };
            let mut case: Case = match serde_path_to_error::deserialize(Value::Object(record)) {
                Ok(case) => case,
                Err(e) => {
                    let field = format!("payload.{}", e.path());
                    return Ok((
                        rejected(
                            m,
                            "invalid",
                            &field,
                            &format!("案件内容无法读取 / unreadable case: {}", e.inner()),
                        ),
                        false,
                    ));
                }
            };
            if case.id.0 != m.entity_id {
                return Ok((
                    rejected(
                        m,
                        "invalid",
                        "payload.id",
                        "案件编号与 entity_id 不一致 / payload.id differs from entity_id",
                    ),
                    false,
                ));
            }
            let today = domain::dates::china_date(jiff::Timestamp::now());
            if let Some(problem) = case.check(today).into_iter().next() {
                let field = format!("payload.{}", problem.field);
                return Ok((
                    rejected(
                        m,
                        "invalid",
                        &field,
                        &format!("{} / {}", problem.zh, problem.en),
                    ),
                    false,
                ));
            }
            let unit_id = case.unit_id.to_string();
            let Some((unit_path, unit_kind, parent_id)) = cases::unit(tx, &unit_id).await? else {
                return Ok((
                    rejected(
                        m,
                        "invalid",
                        "payload.unit_id",
                        "未知的调委会 / unknown committee",
                    ),
                    false,
                ));
            };
            if !caller.sees(&unit_path) {
                return Ok((
                    rejected(
                        m,
                        "scope",
                        "payload.unit_id",
                        "超出您的管辖范围 / outside your organisation",
                    ),
                    false,
                ));
            }
            let version = existing.as_ref().map_or(1, |old| old.version + 1);
            // the server owns these
            case.version = version as u64;
            case.updated_at = now.to_owned();
            case.claim_id = None;
            let verdict = verdict(tx, &case, &unit_kind, parent_id.as_deref()).await?;
            let payload = serde_json::to_string(&case).map_err(|e| ApiError::Internal(e.into()))?;
            if let Some(old) = &existing {
                cases::keep_history(tx, old, &m.mutation_id.to_string(), &overridden, now).await?;
            }
            cases::upsert(
                tx,
                &cases::Write {
                    id: &id,
                    unit_id: &unit_id,
                    unit_path: &unit_path,
                    version,
                    payload: Some(&payload),
                    tier: verdict.tier.as_deref(),
                    amount_fen: verdict.amount.to_fen(),
                    change_no,
                },
                now,
            )
            .await?;
            let mut result = applied(m, Some(version as u64), Some(verdict));
            if !overridden.is_empty() {
                result.status = Status::Conflict;
                result.overridden = overridden;
                result.server = serde_json::to_value(&case).ok();
            }
            Ok((result, true))
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
    tx: &mut Tx,
    old: &CaseRow,
    base_version: u64,
) -> Result<Map<String, Value>, ApiError> {
    let version = (base_version as i64).max(1);
    if version == old.version {
        return parse_object(old.payload.as_deref());
    }
    match cases::history_payload(tx, &old.id, version).await? {
        Some(payload) => parse_object(payload.as_deref()),
        // not kept: every field both sides hold differently counts as theirs
        None => Ok(Map::new()),
    }
}

/// The tier by the shared rules, as the server decides it. A case
/// registered at a group is judged as its village's or community's.
async fn verdict(
    tx: &mut Tx,
    case: &Case,
    unit_kind: &str,
    parent_id: Option<&str>,
) -> Result<Verdict, ApiError> {
    let kind = |code: &str| {
        code.parse::<UnitKind>()
            .ok()
            .and_then(CommitteeKind::of_unit)
    };
    let mut committee = kind(unit_kind);
    if committee.is_none()
        && let Some(parent) = parent_id
    {
        committee = cases::unit_kind(tx, parent)
            .await?
            .as_deref()
            .and_then(kind);
    }
    let evaluation = committee
        .and_then(|c| case.facts(c))
        .and_then(|facts| evaluate(&facts, builtin()).ok());
    Ok(match evaluation {
        Some(e) => Verdict {
            tier: e.tier,
            amount: e.amount,
        },
        None => Verdict {
            tier: None,
            amount: Money::ZERO,
        },
    })
}

/// Answers a pull: the latest state of every record in the caller's
/// subtrees changed after `cursor`, oldest change first.
pub async fn pull(
    db: &Db,
    caller: &Caller,
    cursor: i64,
    limit: Option<u32>,
) -> Result<PullResponse, ApiError> {
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
    let roots = caller.roots();
    let mut rows = cases::changes_since(db.pool(), cursor, &roots, i64::from(limit) + 1).await?;
    let has_more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next = rows.last().map_or(cursor, |r| r.change_no);
    let changes = rows
        .into_iter()
        .map(|r| {
            let deleted = r.deleted == 1;
            let payload = r
                .payload
                .as_deref()
                .map(serde_json::from_str)
                .transpose()
                .map_err(|e: serde_json::Error| ApiError::Internal(e.into()))?;
            Ok(Change {
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
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(PullResponse {
        changes,
        cursor: next,
        has_more,
    })
}
