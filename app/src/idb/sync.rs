//! The phone's side of sync (docs/sync.md): the session, numbering the
//! outbox for a push, applying the server's answers and pulled changes.
//! Each step is one IndexedDB transaction; the network calls happen between
//! them (app/src/online.rs), never inside one.

use super::meta::{MetaRecord, PROFILE, case_counter, set_case_counter};
use super::{LocalStore, OutboxEntry, StoreError, stores};
use crate::records::{HistoryEntry, Profile, ReferenceDocument, Session};
pub use crate::sync_plan::PushOutcome;
use crate::sync_plan::{self, LocalOp};
use domain::case::Case;
use domain::org::UnitRecord;
use domain::screening::ScreeningRecord;
use domain::sync::{Change, Entity, MutationResult};
use indexed_db_futures::object_store::ObjectStore;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use std::collections::HashMap;

const SESSION: &str = "session";

fn json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError(e.to_string()))
}

/// The session as stored in `meta`, inside the caller's transaction.
/// Moves a committee's case-number counter here past `seq`. A counter not
/// kept yet stays so: numbering then looks at every case here, `seq`'s too.
async fn raise_counter(
    meta: &ObjectStore<'_>,
    unit: domain::UnitId,
    year: i16,
    seq: u32,
) -> Result<(), StoreError> {
    if case_counter(meta, unit, year)
        .await?
        .is_some_and(|n| n < seq)
    {
        set_case_counter(meta, unit, year, seq).await?;
    }
    Ok(())
}

async fn read_session(meta: &ObjectStore<'_>) -> Result<Option<Session>, StoreError> {
    let record: Option<MetaRecord> = meta.get(SESSION.to_owned()).serde()?.await?;
    Ok(record.and_then(|r| serde_json::from_str(&r.json).ok()))
}

async fn write_session(meta: &ObjectStore<'_>, session: &Session) -> Result<(), StoreError> {
    meta.put(&MetaRecord {
        key: SESSION.into(),
        json: json(session)?,
    })
    .serde()?
    .await?;
    Ok(())
}

/// Every queued change, oldest first, inside the caller's transaction.
async fn queued(outbox: &ObjectStore<'_>) -> Result<Vec<OutboxEntry>, StoreError> {
    Ok(outbox
        .get_all::<OutboxEntry>()
        .serde()?
        .await?
        .collect::<indexed_db_futures::Result<Vec<OutboxEntry>>>()?)
}

impl LocalStore {
    pub async fn session(&self) -> Result<Option<Session>, StoreError> {
        let tx = self.db.transaction(stores::META).build()?;
        read_session(&tx.object_store(stores::META)?).await
    }

    /// Marks the session expired (the server said so): nothing else
    /// changes; the sync card asks for the password.
    pub async fn mark_expired(&self) -> Result<(), StoreError> {
        self.update_session(|s| s.expired = true).await
    }

    /// A new token for the session after the password was given again
    /// (same account, same device): the cursors, the next seq and every
    /// record stay as they are.
    pub async fn renew_session(&self, token: &str) -> Result<(), StoreError> {
        self.update_session(|s| {
            s.token = token.to_owned();
            s.expired = false;
        })
        .await
    }

    /// Changes the stored session in one transaction (none: nothing to do).
    async fn update_session(&self, change: impl FnOnce(&mut Session)) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction(stores::META)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let meta = tx.object_store(stores::META)?;
        if let Some(mut session) = read_session(&meta).await? {
            change(&mut session);
            write_session(&meta, &session).await?;
        }
        drop(meta);
        tx.commit().await?;
        Ok(())
    }

    /// Stores a new log-in and binds this phone to it: the profile takes the
    /// server's committee and person, and cases recorded before the log-in
    /// under the phone's own made-up ids move to them (one transaction).
    pub async fn begin_session(
        &self,
        session: &Session,
        profile: &Profile,
    ) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction([stores::META, stores::CASES])
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let meta = tx.object_store(stores::META)?;
        let old: Option<MetaRecord> = meta.get(PROFILE.to_owned()).serde()?.await?;
        let old: Option<Profile> = old.and_then(|r| serde_json::from_str(&r.json).ok());
        write_session(&meta, session).await?;
        meta.put(&MetaRecord {
            key: PROFILE.into(),
            json: json(profile)?,
        })
        .serde()?
        .await?;
        drop(meta);
        if let Some(old) =
            old.filter(|o| o.unit_id != profile.unit_id || o.mediator_id != profile.mediator_id)
        {
            let cases = tx.object_store(stores::CASES)?;
            let all = cases.get_all::<Case>().serde()?.await?;
            for case in all {
                let mut case = case?;
                let mut changed = false;
                if case.unit_id == old.unit_id {
                    case.unit_id = profile.unit_id;
                    changed = true;
                }
                if case.owner_id == old.mediator_id {
                    case.owner_id = profile.mediator_id;
                    changed = true;
                }
                if changed {
                    cases.put(&case).serde()?.await?;
                }
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// The next push: up to `limit` queued changes in seq order, each with the
    /// record (a case or a screening record) as it now is, as JSON. Changes
    /// sent for the first time get their seq here (kept for every retry).
    /// Changes the server refused are left out.
    pub async fn next_push(
        &self,
        limit: usize,
    ) -> Result<(Session, Vec<(OutboxEntry, Option<serde_json::Value>)>), StoreError> {
        let tx = self
            .db
            .transaction([
                stores::OUTBOX,
                stores::META,
                stores::CASES,
                stores::SCREENINGS,
            ])
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let meta = tx.object_store(stores::META)?;
        let mut session = read_session(&meta)
            .await?
            .ok_or_else(|| StoreError("未登录 / not logged in".into()))?;
        let outbox = tx.object_store(stores::OUTBOX)?;
        let mut entries = queued(&outbox).await?;
        let mut numbered = false;
        for entry in entries.iter_mut().filter(|e| e.seq.is_none()) {
            entry.seq = Some(session.next_seq);
            session.next_seq += 1;
            outbox.put(&*entry).serde()?.await?;
            numbered = true;
        }
        if numbered {
            write_session(&meta, &session).await?;
        }
        drop(meta);
        drop(outbox);
        entries.retain(|e| e.error.is_none());
        entries.sort_by_key(|e| e.seq);
        entries.truncate(limit);
        let cases = tx.object_store(stores::CASES)?;
        let screenings = tx.object_store(stores::SCREENINGS)?;
        let mut out = Vec::with_capacity(entries.len());
        for entry in entries {
            // read typed, written as the server reads it
            let payload = match entry.entity.as_str() {
                "screening" => {
                    let record: Option<ScreeningRecord> =
                        screenings.get(entry.entity_id.clone()).serde()?.await?;
                    record.map(serde_json::to_value).transpose()
                }
                _ => {
                    let case: Option<Case> = cases.get(entry.entity_id.clone()).serde()?.await?;
                    case.map(serde_json::to_value).transpose()
                }
            }
            .map_err(|e| StoreError(e.to_string()))?;
            out.push((entry, payload));
        }
        drop(cases);
        drop(screenings);
        tx.commit().await?;
        Ok((session, out))
    }

    /// Applies the server's answers, as `crate::sync_plan::apply_answers`
    /// decides, in one transaction: acknowledged changes leave the outbox
    /// and the case takes the server's version (and, after a conflict with
    /// nothing newer queued here, the server's record; the replaced one goes
    /// to the history); refused ones stay with the reason.
    pub async fn apply_push(&self, answers: &[MutationResult]) -> Result<PushOutcome, StoreError> {
        let tx = self
            .db
            .transaction([stores::OUTBOX, stores::CASES, stores::HISTORY, stores::META])
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let outbox = tx.object_store(stores::OUTBOX)?;
        let cases = tx.object_store(stores::CASES)?;
        let history = tx.object_store(stores::HISTORY)?;
        let meta = tx.object_store(stores::META)?;
        let waiting = queued(&outbox).await?;
        let mut local: HashMap<String, Case> = HashMap::new();
        for entry in waiting.iter().filter(|e| e.entity == "case") {
            if !local.contains_key(&entry.entity_id)
                && let Some(case) = cases.get(entry.entity_id.clone()).serde()?.await?
            {
                local.insert(entry.entity_id.clone(), case);
            }
        }
        let (ops, outcome) = sync_plan::apply_answers(&waiting, &local, answers);
        for op in ops {
            match op {
                LocalOp::Refuse {
                    mutation_id,
                    reason,
                } => {
                    if let Some(entry) = waiting.iter().find(|e| e.mutation_id == mutation_id) {
                        let mut entry = entry.clone();
                        entry.error = Some(reason);
                        outbox.put(&entry).serde()?.await?;
                    }
                }
                LocalOp::Acknowledge { mutation_id } => outbox.delete(mutation_id).await?,
                LocalOp::TakeServer {
                    mutation_id,
                    replaced,
                    server,
                    overridden,
                } => {
                    let case_id = replaced.id.to_string();
                    history
                        .put(&HistoryEntry {
                            overridden,
                            ..HistoryEntry::replaced(
                                &case_id,
                                crate::clock::now(),
                                mutation_id,
                                *replaced,
                            )
                        })
                        .serde()?
                        .await?;
                    cases.put(&*server).serde()?.await?;
                }
                LocalOp::Advance { case } => cases.put(&*case).serde()?.await?,
                LocalOp::Renumbered {
                    mutation_id,
                    was,
                    seq,
                } => {
                    let (unit, year) = (was.unit_id, was.received_on.year());
                    history
                        .put(&HistoryEntry {
                            overridden: vec!["seq".into()],
                            theirs_won: true,
                            ..HistoryEntry::replaced(
                                &was.id.to_string(),
                                crate::clock::now(),
                                mutation_id,
                                *was,
                            )
                        })
                        .serde()?
                        .await?;
                    raise_counter(&meta, unit, year, seq).await?;
                }
            }
        }
        drop(meta);
        drop(history);
        drop(cases);
        drop(outbox);
        tx.commit().await?;
        Ok(outcome)
    }

    /// Applies pulled changes and moves the cursor, in one transaction. A
    /// case with changes still queued here keeps its local state (the next
    /// push merges it on the server); the others take the server's.
    pub async fn apply_pull(&self, changes: &[Change], cursor: i64) -> Result<u32, StoreError> {
        let tx = self
            .db
            .transaction([
                stores::OUTBOX,
                stores::CASES,
                stores::META,
                stores::HISTORY,
                stores::SCREENINGS,
            ])
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let waiting = queued(&tx.object_store(stores::OUTBOX)?).await?;
        let cases = tx.object_store(stores::CASES)?;
        let history = tx.object_store(stores::HISTORY)?;
        let screenings = tx.object_store(stores::SCREENINGS)?;
        let mut applied = 0;
        let mut numbered: HashMap<(domain::UnitId, i16), u32> = HashMap::new();
        for change in changes {
            let id = change.entity_id.to_string();
            if waiting.iter().any(|e| e.entity_id == id) {
                continue;
            }
            match change.entity {
                Entity::Case => {}
                Entity::Screening => {
                    // records are never deleted; one that does not read
                    // stops the page (the cursor stays) rather than vanish
                    if let Some(payload) = change.payload.clone() {
                        let record: ScreeningRecord = serde_json::from_value(payload)
                            .map_err(|e| StoreError(format!("screening {id}: {e}")))?;
                        screenings.put(&record).serde()?.await?;
                        applied += 1;
                    }
                    continue;
                }
                Entity::Unit | Entity::Schedule | Entity::RuleSet => continue,
            }
            // someone's later change replaced values this phone had: keep
            // them, and tell the user on the case page
            if !change.overridden.is_empty() {
                let local: Option<Case> = cases.get(id.clone()).serde()?.await?;
                if let Some(local) = local.filter(|l| l.version < change.version) {
                    history
                        .put(&HistoryEntry {
                            overridden: change.overridden.clone(),
                            theirs_won: true,
                            ..HistoryEntry::replaced(
                                &id,
                                crate::clock::now(),
                                format!("change:{}", change.change_no),
                                local,
                            )
                        })
                        .serde()?
                        .await?;
                }
            }
            if change.deleted {
                cases.delete(id).await?;
            } else if let Some(case) = change
                .payload
                .clone()
                .and_then(|v| serde_json::from_value::<Case>(v).ok())
            {
                if let Some(seq) = case.seq {
                    let key = (case.unit_id, case.received_on.year());
                    let top = numbered.entry(key).or_insert(seq);
                    *top = (*top).max(seq);
                }
                cases.put(&case).serde()?.await?;
            }
            applied += 1;
        }
        drop(history);
        drop(cases);
        drop(screenings);
        let meta = tx.object_store(stores::META)?;
        // the committee's numbers given on other phones: numbering here
        // goes on after them, so fewer clash at the next sync
        for ((unit, year), seq) in numbered {
            raise_counter(&meta, unit, year, seq).await?;
        }
        if let Some(mut session) = read_session(&meta).await? {
            session.cursor = cursor;
            session.last_sync = Some(crate::clock::now());
            write_session(&meta, &session).await?;
        }
        drop(meta);
        tx.commit().await?;
        Ok(applied)
    }

    /// Applies a page of the reference stream and moves its cursor, in one
    /// transaction: units and documents are replaced whole (the phone never
    /// changes them).
    pub async fn apply_reference(
        &self,
        changes: &[Change],
        cursor: i64,
    ) -> Result<u32, StoreError> {
        let tx = self
            .db
            .transaction([stores::UNITS, stores::DOCUMENTS, stores::META])
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let units = tx.object_store(stores::UNITS)?;
        let documents = tx.object_store(stores::DOCUMENTS)?;
        let mut applied = 0;
        for change in changes {
            let id = change.entity_id.to_string();
            match change.entity {
                Entity::Case | Entity::Screening => continue,
                Entity::Unit if change.deleted => units.delete(id).await?,
                Entity::Unit => {
                    // a unit that does not read stops the page (the cursor
                    // stays): skipping it would lose it for good
                    let unit: UnitRecord =
                        serde_json::from_value(change.payload.clone().unwrap_or_default())
                            .map_err(|e| StoreError(format!("unit {id}: {e}")))?;
                    units.put(&unit).serde()?.await?;
                }
                Entity::Schedule | Entity::RuleSet if change.deleted => {
                    documents.delete(id).await?
                }
                Entity::Schedule | Entity::RuleSet => {
                    let Some(payload) = change.payload.clone() else {
                        continue;
                    };
                    documents
                        .put(&ReferenceDocument {
                            id,
                            entity: change.entity,
                            version: change.version,
                            payload,
                        })
                        .serde()?
                        .await?;
                }
            }
            applied += 1;
        }
        drop(units);
        drop(documents);
        let meta = tx.object_store(stores::META)?;
        if let Some(mut session) = read_session(&meta).await? {
            session.reference_cursor = cursor;
            write_session(&meta, &session).await?;
        }
        drop(meta);
        tx.commit().await?;
        Ok(applied)
    }

    /// The units this phone knows (its user's scope and above).
    pub async fn units(&self) -> Result<Vec<UnitRecord>, StoreError> {
        let tx = self.db.transaction(stores::UNITS).build()?;
        let all = tx
            .object_store(stores::UNITS)?
            .get_all::<UnitRecord>()
            .serde()?
            .await?;
        Ok(all.collect::<indexed_db_futures::Result<Vec<_>>>()?)
    }

    /// The schedules or rule sets this phone has, as pulled.
    pub async fn documents(&self, entity: Entity) -> Result<Vec<ReferenceDocument>, StoreError> {
        let tx = self.db.transaction(stores::DOCUMENTS).build()?;
        let all = tx
            .object_store(stores::DOCUMENTS)?
            .get_all::<ReferenceDocument>()
            .serde()?
            .await?;
        let mut docs = all.collect::<indexed_db_futures::Result<Vec<_>>>()?;
        docs.retain(|d| d.entity == entity);
        Ok(docs)
    }

    /// The changes to a case that the server refused, with its reasons.
    pub async fn refused(&self, case_id: &str) -> Result<Vec<OutboxEntry>, StoreError> {
        let tx = self.db.transaction(stores::OUTBOX).build()?;
        let mut entries = queued(&tx.object_store(stores::OUTBOX)?).await?;
        entries.retain(|e| e.entity_id == case_id && e.error.is_some());
        Ok(entries)
    }

    /// Sends a case's refused changes again at the next sync, as one new
    /// change of the case as it is now (on its current version): after the
    /// user fixed the case, or once an office unlocked it. The refused
    /// answers stay with their old seqs on the server; this gets a new
    /// mutation id and seq. Returns how many refused changes it replaced.
    pub async fn retry_refused(&self, case_id: &str) -> Result<u32, StoreError> {
        let tx = self
            .db
            .transaction([stores::OUTBOX, stores::CASES])
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let outbox = tx.object_store(stores::OUTBOX)?;
        let refused: Vec<OutboxEntry> = queued(&outbox)
            .await?
            .into_iter()
            .filter(|e| e.entity_id == case_id && e.error.is_some())
            .collect();
        let Some(last) = refused.last().cloned() else {
            return Ok(0);
        };
        for entry in &refused {
            outbox.delete(entry.mutation_id.clone()).await?;
        }
        let case: Option<Case> = tx
            .object_store(stores::CASES)?
            .get(case_id.to_owned())
            .serde()?
            .await?;
        let again = OutboxEntry::new(
            &last.entity,
            case_id,
            last.op,
            case.map_or(last.base_version, |c| c.version),
            crate::clock::now(),
        );
        outbox.add(&again).serde()?.await?;
        drop(outbox);
        tx.commit().await?;
        Ok(refused.len() as u32)
    }

    /// Marks a case's conflict notices as read.
    pub async fn mark_conflicts_seen(&self, case_id: &str) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction(stores::HISTORY)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let store = tx.object_store(stores::HISTORY)?;
        let entries = store
            .index(stores::BY_CASE)?
            .get_all::<HistoryEntry>()
            .with_query(case_id.to_owned())
            .serde()?
            .await?
            .collect::<indexed_db_futures::Result<Vec<HistoryEntry>>>()?;
        for mut entry in entries {
            if !entry.overridden.is_empty() && !entry.seen {
                entry.seen = true;
                store.put(&entry).serde()?.await?;
            }
        }
        drop(store);
        tx.commit().await?;
        Ok(())
    }
}
