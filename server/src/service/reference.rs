//! The reference stream (docs/sync.md): what the phones keep a copy of
//! besides cases — the organisation units in and above the caller's scope,
//! the screening schedules and the subsidy rule sets — pulled the same way
//! (change numbers, a cursor, pages), read-only on the phone; and the
//! schedules the server itself checks records against.

use super::caller::Caller;
use super::sync::{PullPage, PulledChange, SyncError, page_limit};
use crate::store::reference::{self, Document, Published, Replace};
use crate::store::{self, Conn, Store, StoreError, org::Unit};
use domain::screening::{Schedule, ScheduleError, applying_index, parse_schedule};
use domain::sync::Entity;
use domain::{Capability, Timestamp, UnitPath};

/// Stores the documents this build ships with (the "five ones" schedule,
/// the built-in rule sets) where they are new or changed, so devices pull
/// them — but not over a stored document of the same id whose own version
/// is higher (an operator's `tiaojie schedule publish`). Run at start-up;
/// returns how many changed.
pub async fn publish_builtin(store: &Store) -> Result<usize, StoreError> {
    let now = Timestamp::from(jiff::Timestamp::now());
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
        let text = text.map_err(|e| StoreError::corrupt("built-in document", e))?;
        match reference::publish(store, entity, &id, &text, now, Replace::UnlessNewer).await? {
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

/// The schedules stored in the reference stream, by id, that read and pass
/// their checks — a stored one that does not is logged and left out, so
/// that one bad document does not stop the reminders or the pushes.
/// [`Schedule::five_ones`] alone when none is left (a database no server
/// has started on yet). Never empty.
pub async fn stored_schedules(store: &Store) -> Result<Vec<Schedule>, StoreError> {
    let mut c = store.read().await?;
    schedules_in(&mut c).await
}

/// [`stored_schedules`], read on a connection or inside a transaction.
pub async fn schedules_in(c: &mut Conn) -> Result<Vec<Schedule>, StoreError> {
    let mut out = Vec::new();
    for text in reference::payloads_of(c, Entity::Schedule).await? {
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
/// and of the units above it decide, `domain::screening::applying`).
pub async fn schedule_for_path(c: &mut Conn, path: &UnitPath) -> Result<Schedule, StoreError> {
    let schedules = schedules_in(c).await?;
    Ok(schedule_at(c, &schedules, path).await?.clone())
}

/// Of `schedules` (as [`schedules_in`] read them: never empty), the one
/// that applies to the unit at `path`; a push reads the schedules once and
/// asks this for each record. Reads the unit codes only when there is more
/// than one schedule to choose from.
pub async fn schedule_at<'s>(
    c: &mut Conn,
    schedules: &'s [Schedule],
    path: &UnitPath,
) -> Result<&'s Schedule, StoreError> {
    let codes = if schedules.len() > 1 {
        store::org::codes_on_paths(c, &[path]).await?
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
    store: &Store,
    caller: &Caller,
    cursor: i64,
    limit: Option<u32>,
) -> Result<PullPage, SyncError> {
    let limit = page_limit(cursor, limit)?;
    // the units of every subtree the caller reads anything of
    let roots = caller.roots_for(Capability::ReadAmounts);
    // two tables, two queries: both read up to one committed change
    // number, so a change committed between them is not skipped
    let upto = store::cases::committed_change_no(store).await?;
    let mut units = reference::units_since(store, cursor, upto, &roots, limit + 1)
        .await?
        .into_iter()
        .peekable();
    let mut documents = reference::documents_since(store, cursor, upto, limit + 1)
        .await?
        .into_iter()
        .peekable();
    let mut changes = Vec::with_capacity(limit as usize);
    let mut has_more = false;
    loop {
        let unit_first = match (units.peek(), documents.peek()) {
            (None, None) => break,
            (Some(u), Some(d)) => u.1 < d.change_no,
            (Some(_), None) => true,
            (None, Some(_)) => false,
        };
        if changes.len() == limit as usize {
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

fn unit_change((unit, change_no): (Unit, i64)) -> Result<PulledChange, StoreError> {
    let record = unit.record();
    let payload =
        serde_json::value::to_raw_value(&record).map_err(|e| StoreError::corrupt("unit", e))?;
    Ok(PulledChange {
        change_no,
        entity: Entity::Unit,
        entity_id: record.id.0,
        version: 1,
        deleted: false,
        payload: Some(payload),
        verdict: None,
        overridden: Vec::new(),
    })
}

fn document_change(d: Document) -> Result<PulledChange, StoreError> {
    Ok(PulledChange {
        change_no: d.change_no,
        entity: d.entity,
        entity_id: d.entity.document_id(&d.id),
        version: d.version,
        deleted: false,
        payload: Some(super::sync::raw(d.payload)?),
        verdict: None,
        overridden: Vec::new(),
    })
}
