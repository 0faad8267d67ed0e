//! The reference stream (docs/sync.md): what the phones keep a copy of
//! besides cases — the organisation units in and above the caller's scope,
//! the screening schedules and the subsidy rule sets — pulled the same way
//! (change numbers, a cursor, pages), read-only on the phone.

use crate::auth::Caller;
use crate::db::cases::Tx;
use crate::db::reference::{self, DocumentRow, Published, Replace, UnitChangeRow};
use crate::db::{self, Db, DbError, org};
use crate::error::ApiError;
use crate::sync::{PullPage, PulledChange, page_limit};
use domain::screening::{Schedule, ScheduleError, applying_index, parse_schedule};
use domain::sync::Entity;
use serde_json::value::RawValue;

/// Stores the documents this build ships with (the "five ones" schedule,
/// the built-in rule sets) where they are new or changed, so devices pull
/// them — but not over a stored document of the same id whose own version
/// is higher (an operator's `tiaojie schedule publish`). Run at start-up;
/// returns how many changed.
pub async fn publish_builtin(db: &Db) -> Result<usize, DbError> {
    let now = db::now_text();
    let mut documents = vec![(
        Entity::Schedule,
        Schedule::five_ones().id,
        serde_json::to_string(&Schedule::five_ones()),
    )];
    for rules in domain::rules::builtin() {
        documents.push((
            Entity::RuleSet,
            rules.id.clone(),
            serde_json::to_string(rules),
        ));
    }
    let mut changed = 0;
    for (entity, id, text) in documents {
        let text = text.expect("a built-in document serialises");
        let published =
            reference::publish(db, entity.code(), &id, &text, &now, Replace::UnlessNewer).await?;
        match published {
            Published::Stored => changed += 1,
            Published::Unchanged => {}
            Published::Kept { stored_version } => tracing::info!(
                entity = entity.code(),
                id = %id,
                stored_version,
                "a newer stored document is kept over the built-in one"
            ),
        }
    }
    Ok(changed)
}

/// The schedules stored in the reference stream (`entity: "schedule"`),
/// by id, that read and pass their checks — a stored one that does not is
/// logged and left out, so that one bad document does not stop the
/// reminders or the pushes. [`Schedule::five_ones`] alone when none is
/// left (a database no server has started on yet). Never empty.
pub async fn stored_schedules(db: &Db) -> Result<Vec<Schedule>, DbError> {
    let mut conn = db.pool().acquire().await?;
    schedules_in(&mut conn).await
}

/// [`stored_schedules`], read on a connection or inside a transaction.
pub async fn schedules_in(tx: &mut Tx) -> Result<Vec<Schedule>, DbError> {
    let mut out = Vec::new();
    for text in reference::payloads_of(tx, Entity::Schedule.code()).await? {
        match parse_schedule(&text) {
            Ok(schedule) => out.push(schedule),
            Err(problems) => tracing::error!(
                problems = %problems
                    .iter()
                    .map(describe_problem)
                    .collect::<Vec<_>>()
                    .join("; "),
                "a stored schedule is not used"
            ),
        }
    }
    if out.is_empty() {
        out.push(Schedule::five_ones());
    }
    Ok(out)
}

/// The schedule that applies to the unit at `path` (the codes of the unit
/// and of the units above it decide, `domain::screening::applying`): what
/// a pushed screening record is checked against. Reads the unit codes only
/// when there is more than one schedule to choose from.
pub async fn schedule_for_path(tx: &mut Tx, path: &str) -> Result<Schedule, DbError> {
    let schedules = schedules_in(tx).await?;
    Ok(schedule_at(tx, &schedules, path).await?.clone())
}

/// Of `schedules` (as [`schedules_in`] read them: never empty), the one
/// that applies to the unit at `path`; a push reads the schedules once and
/// asks this for each record.
pub async fn schedule_at<'s>(
    tx: &mut Tx,
    schedules: &'s [Schedule],
    path: &str,
) -> Result<&'s Schedule, DbError> {
    let codes = if schedules.len() > 1 {
        org::codes_on_paths(tx, &[path]).await?
    } else {
        Vec::new()
    };
    let codes: Vec<&str> = codes.iter().map(String::as_str).collect();
    Ok(&schedules[applying_index(schedules, &codes).unwrap_or(0)])
}

/// One problem of a schedule with its field: `duties[2].code: 职责代码…`.
pub fn describe_problem(problem: &ScheduleError) -> String {
    match problem {
        // its text names the place already
        ScheduleError::Syntax { .. } => problem.to_string(),
        _ => format!("{}: {problem}", problem.field()),
    }
}

/// Answers a pull of the reference stream: units and documents changed
/// after `cursor`, oldest first, merged by change number.
pub async fn pull(
    db: &Db,
    caller: &Caller,
    cursor: i64,
    limit: Option<u32>,
) -> Result<PullPage, ApiError> {
    let limit = page_limit(cursor, limit)? as usize;
    let roots = caller.roots();
    // two tables, two queries: both read up to one committed change
    // number, so a change committed between them is not skipped
    let upto = reference::committed_change_no(db.pool()).await?;
    let fetch = limit as i64 + 1;
    let mut units = reference::units_since(db.pool(), cursor, upto, &roots, fetch)
        .await?
        .into_iter()
        .peekable();
    let mut documents = reference::documents_since(db.pool(), cursor, upto, fetch)
        .await?
        .into_iter()
        .peekable();
    let mut changes = Vec::with_capacity(limit);
    let mut has_more = false;
    loop {
        let unit_first = match (units.peek(), documents.peek()) {
            (None, None) => break,
            (Some(u), Some(d)) => u.change_no < d.change_no,
            (Some(_), None) => true,
            (None, Some(_)) => false,
        };
        if changes.len() == limit {
            has_more = true;
            break;
        }
        let change = if unit_first {
            units.next().map(unit_change)
        } else {
            documents.next().map(document_change)
        };
        if let Some(change) = change {
            changes.push(change?);
        }
    }
    let next = changes
        .last()
        .map_or(cursor, |c: &PulledChange| c.change_no);
    Ok(PullPage {
        changes,
        cursor: next,
        has_more,
    })
}

fn internal(e: impl Into<anyhow::Error>) -> ApiError {
    ApiError::Internal(e.into())
}

fn unit_change(row: UnitChangeRow) -> Result<PulledChange, ApiError> {
    let record = org::SubtreeUnit {
        id: row.id,
        code: row.code,
        name: row.name,
        kind: row.kind,
        parent_id: row.parent_id,
    }
    .into_record()
    .map_err(internal)?;
    let id = record.id;
    let payload = serde_json::value::to_raw_value(&record).map_err(internal)?;
    Ok(PulledChange {
        change_no: row.change_no,
        entity: Entity::Unit,
        entity_id: id.0,
        version: 1,
        deleted: false,
        payload: Some(payload),
        verdict: None,
        overridden: Vec::new(),
    })
}

fn document_change(row: DocumentRow) -> Result<PulledChange, ApiError> {
    let Some(entity) = [Entity::Schedule, Entity::RuleSet]
        .into_iter()
        .find(|e| e.code() == row.entity)
    else {
        return Err(internal(anyhow::anyhow!(
            "unknown reference entity {}",
            row.entity
        )));
    };
    Ok(PulledChange {
        change_no: row.change_no,
        entity,
        entity_id: entity.document_id(&row.id),
        version: row.version as u64,
        deleted: false,
        payload: Some(RawValue::from_string(row.payload).map_err(internal)?),
        verdict: None,
        overridden: Vec::new(),
    })
}
