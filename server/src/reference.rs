//! The reference stream (docs/sync.md): what the phones keep a copy of
//! besides cases — the organisation units in and above the caller's scope,
//! the screening schedules and the subsidy rule sets — pulled the same way
//! (change numbers, a cursor, pages), read-only on the phone.

use crate::auth::Caller;
use crate::db::reference::{self, DocumentRow, UnitChangeRow};
use crate::db::{self, Db, DbError, org};
use crate::error::ApiError;
use crate::sync::{PullPage, PulledChange, page_limit};
use domain::screening::Schedule;
use domain::sync::Entity;
use serde_json::value::RawValue;

/// Stores the documents this build ships with (the "five ones" schedule,
/// the built-in rule sets) where they are new or changed, so devices pull
/// them. Run at start-up; returns how many changed.
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
        if reference::publish(db, entity.code(), &id, &text, &now).await? {
            changed += 1;
        }
    }
    Ok(changed)
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
