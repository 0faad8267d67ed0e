//! Cases and their history. A save writes the case, its outbox entry and
//! the version it replaces in one transaction: all of it, or none.

use super::meta::{case_counter, set_case_counter};
use super::{LocalStore, NewAttachment, OutboxEntry, StoreError, stores};
use crate::records::HistoryEntry;
use domain::case::Case;
use domain::case_query::CaseLine;
use domain::problem::{FieldError, Problem};
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;

impl LocalStore {
    /// Saves a case and queues it for the server, in one transaction: the
    /// case, its outbox entry and the version it replaces are all stored, or
    /// none is.
    pub async fn save_case(&self, case: &Case, entry: &OutboxEntry) -> Result<(), StoreError> {
        self.save_case_with(case, entry, None).await
    }

    /// [`save_case`](Self::save_case), storing a photo's bytes in the same
    /// transaction (the case already refers to it).
    pub async fn save_case_with(
        &self,
        case: &Case,
        entry: &OutboxEntry,
        attachment: Option<&NewAttachment>,
    ) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction([
                stores::CASES,
                stores::OUTBOX,
                stores::HISTORY,
                stores::ATTACHMENTS,
            ])
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        if let Some(attachment) = attachment {
            tx.object_store(stores::ATTACHMENTS)?
                .put(attachment.to_js()?)
                .primitive()?
                .await?;
        }
        let cases = tx.object_store(stores::CASES)?;
        let previous: Option<Case> = cases.get(case.id.to_string()).serde()?.await?;
        if let Some(previous) = previous.filter(|p| p != case) {
            let entry = HistoryEntry::replaced(
                &case.id.to_string(),
                entry.created_at,
                entry.mutation_id.clone(),
                previous,
            );
            tx.object_store(stores::HISTORY)?
                .add(&entry)
                .serde()?
                .await?;
        }
        cases.put(case).serde()?.await?;
        drop(cases);
        // `add`, not `put`: a mutation id is used once; a repeat aborts the transaction
        tx.object_store(stores::OUTBOX)?.add(entry).serde()?.await?;
        tx.commit().await?;
        Ok(())
    }

    /// Changes a case as it is stored *now*, in one transaction: `edit` is
    /// given the stored case (not a copy a page read earlier), so changes made
    /// close together — a photo still being compressed, a box ticked
    /// meanwhile — all land. If `edit` finds problems, nothing is stored. A
    /// locked (claimed) case refuses every change. A photo's bytes, when
    /// given, are stored in the same transaction.
    pub async fn edit_case<F>(
        &self,
        id: &str,
        attachment: Option<&NewAttachment>,
        edit: F,
    ) -> Result<Result<Case, Vec<FieldError>>, StoreError>
    where
        F: FnOnce(&Case) -> Result<Case, Vec<FieldError>>,
    {
        let tx = self
            .db
            .transaction([
                stores::CASES,
                stores::OUTBOX,
                stores::HISTORY,
                stores::ATTACHMENTS,
            ])
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let cases = tx.object_store(stores::CASES)?;
        let current: Option<Case> = cases.get(id.to_owned()).serde()?.await?;
        let Some(current) = current else {
            return Err(StoreError(
                "本机没有这个案件 / the case is not on this phone".into(),
            ));
        };
        if current.is_locked() {
            // (dropping the transaction unused aborts it: nothing is written)
            return Ok(Err(vec![FieldError::new("case", Problem::CaseLocked)]));
        }
        let next = match edit(&current) {
            Ok(next) => next,
            Err(problems) => return Ok(Err(problems)),
        };
        if next == current && attachment.is_none() {
            return Ok(Ok(current));
        }
        let entry = super::case_upsert(&next);
        tx.object_store(stores::HISTORY)?
            .add(&HistoryEntry::replaced(
                id,
                entry.created_at,
                entry.mutation_id.clone(),
                current,
            ))
            .serde()?
            .await?;
        cases.put(&next).serde()?.await?;
        drop(cases);
        if let Some(attachment) = attachment {
            tx.object_store(stores::ATTACHMENTS)?
                .put(attachment.to_js()?)
                .primitive()?
                .await?;
        }
        tx.object_store(stores::OUTBOX)?
            .add(&entry)
            .serde()?
            .await?;
        tx.commit().await?;
        Ok(Ok(next))
    }

    pub async fn case(&self, id: &str) -> Result<Option<Case>, StoreError> {
        let tx = self.db.transaction(stores::CASES).build()?;
        let case: Option<Case> = tx
            .object_store(stores::CASES)?
            .get(id.to_owned())
            .serde()?
            .await?;
        Ok(case)
    }

    pub async fn cases(&self) -> Result<Vec<Case>, StoreError> {
        let tx = self.db.transaction(stores::CASES).build()?;
        let all = tx
            .object_store(stores::CASES)?
            .get_all::<Case>()
            .serde()?
            .await?;
        Ok(all.collect::<indexed_db_futures::Result<Vec<Case>>>()?)
    }

    /// Every case as a list line shows it, the rest of each record
    /// skipped (Home's recent cases).
    pub async fn case_lines(&self) -> Result<Vec<CaseLine>, StoreError> {
        let tx = self.db.transaction(stores::CASES).build()?;
        let all = tx
            .object_store(stores::CASES)?
            .get_all::<CaseLine>()
            .serde()?
            .await?;
        Ok(all.collect::<indexed_db_futures::Result<Vec<CaseLine>>>()?)
    }

    /// Earlier versions of a case, oldest first.
    pub async fn history(&self, case_id: &str) -> Result<Vec<HistoryEntry>, StoreError> {
        let tx = self.db.transaction(stores::HISTORY).build()?;
        let store = tx.object_store(stores::HISTORY)?;
        let all = store
            .index(stores::BY_CASE)?
            .get_all::<HistoryEntry>()
            .with_query(case_id.to_owned())
            .serde()?
            .await?;
        let mut entries = all.collect::<indexed_db_futures::Result<Vec<HistoryEntry>>>()?;
        entries.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(entries)
    }

    /// Saves a case new to this phone, numbering it in the same
    /// transaction: one more than its committee's highest number of the year
    /// (kept in `meta`, so a save does not read every case). Returns the
    /// number given. The server confirms numbers at sync.
    ///
    /// The form's draft `draft_key`, if given, is deleted in the same
    /// transaction: a tab killed right after the save cannot bring the form
    /// back and save the case twice.
    pub async fn save_new_case(
        &self,
        case: &mut Case,
        entry: &OutboxEntry,
        draft_key: Option<&str>,
    ) -> Result<u32, StoreError> {
        let tx = self
            .db
            .transaction([stores::CASES, stores::OUTBOX, stores::META, stores::DRAFTS])
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let (unit, year) = (case.unit_id, case.received_on.year());
        let meta = tx.object_store(stores::META)?;
        let counter = case_counter(&meta, unit, year).await?;
        let cases = tx.object_store(stores::CASES)?;
        let highest = match counter {
            Some(n) => n,
            // the year's first case here, or cases from before the counters: look once
            None => {
                let all = cases.get_all::<Case>().serde()?.await?;
                let mut highest = 0;
                for c in all {
                    let c = c?;
                    if c.unit_id == case.unit_id && c.received_on.year() == case.received_on.year()
                    {
                        highest = highest.max(c.seq.unwrap_or(0));
                    }
                }
                highest
            }
        };
        let seq = highest + 1;
        case.seq = Some(seq);
        set_case_counter(&meta, unit, year, seq).await?;
        drop(meta);
        cases.put(&*case).serde()?.await?;
        drop(cases);
        tx.object_store(stores::OUTBOX)?.add(entry).serde()?.await?;
        if let Some(key) = draft_key {
            tx.object_store(stores::DRAFTS)?
                .delete(key.to_owned())
                .await?;
        }
        tx.commit().await?;
        Ok(seq)
    }
}
