//! Group commit for sync pushes. Pushes are serialised anyway (one writer
//! on SQLite; the change-counter row lock on PostgreSQL), and on SQLite a
//! commit's fsync costs more than a small push's statements. So one task
//! applies the pushes waiting at that moment in one transaction, each inside
//! its own savepoint, and commits once: a push that fails rolls back alone;
//! a failed commit fails every push of the group, and nothing of them is
//! stored (each client retries). Answers go out only after the commit, so an
//! acknowledged push is durable.
//!
//! Savepoints cost two round trips per push on PostgreSQL, and pushes
//! rarely fail: a group is first applied without them; only when one of
//! its pushes fails is the whole group rolled back and applied again with
//! a savepoint each.

use super::{Shared, SyncError, check_batch, push_shared};
use crate::service::caller::Caller;
use crate::store::{Store, StoreError};
use domain::sync::{PushRequest, PushResponse};
use tokio::sync::{mpsc, oneshot};

/// At most this many pushes, or this many mutations, per transaction.
const MAX_GROUP_PUSHES: usize = 128;
const MAX_GROUP_MUTATIONS: usize = 2_000;

struct Job {
    caller: Caller,
    req: PushRequest,
    reply: oneshot::Sender<Result<PushResponse, SyncError>>,
}

#[derive(Clone)]
pub struct PushQueue {
    sender: mpsc::Sender<Job>,
}

impl PushQueue {
    /// Starts the writer task (needs a Tokio runtime).
    pub fn start(store: Store) -> PushQueue {
        let (sender, receiver) = mpsc::channel(4_096);
        tokio::spawn(writer(store, receiver));
        PushQueue { sender }
    }

    /// Pushes waiting for the writer (not counting the group it is applying).
    pub fn queued(&self) -> usize {
        self.sender.max_capacity() - self.sender.capacity()
    }

    pub async fn push(&self, caller: Caller, req: PushRequest) -> Result<PushResponse, SyncError> {
        // a bad batch, or one under another device's id, is refused before
        // it waits for its turn (and cannot make its group run twice)
        check_batch(&req)?;
        if req.client_id != caller.device_id {
            return Err(SyncError::Forbidden);
        }
        let (reply, answer) = oneshot::channel();
        self.sender
            .send(Job { caller, req, reply })
            .await
            .map_err(|_| SyncError::Unavailable("the push queue has stopped"))?;
        answer
            .await
            .map_err(|_| SyncError::Unavailable("the push queue dropped a push"))?
    }
}

async fn writer(store: Store, mut receiver: mpsc::Receiver<Job>) {
    while let Some(first) = receiver.recv().await {
        let mut mutations = first.req.mutations.len();
        let mut jobs = vec![first];
        while jobs.len() < MAX_GROUP_PUSHES && mutations < MAX_GROUP_MUTATIONS {
            match receiver.try_recv() {
                Ok(job) => {
                    mutations += job.req.mutations.len();
                    jobs.push(job);
                }
                Err(_) => break,
            }
        }
        let answers = apply_group(&store, &jobs).await;
        for (job, answer) in jobs.into_iter().zip(answers) {
            let _ = job.reply.send(answer);
        }
    }
}

/// A failure of the transaction itself: every push of the group fails
/// with it (the clients retry).
fn failed(e: &StoreError) -> SyncError {
    SyncError::Failed(e.to_string())
}

async fn apply_group(store: &Store, jobs: &[Job]) -> Vec<Result<PushResponse, SyncError>> {
    match apply_all(store, jobs).await {
        Ok(answers) => answers,
        // one push alone: its error is its answer
        Err(e) if jobs.len() == 1 => vec![Err(e)],
        // one push of several failed (and all were rolled back): again,
        // each in a savepoint, so it fails alone
        Err(_) => apply_each(store, jobs).await,
    }
}

/// The usual case, in as few round trips as can be: every push of the group
/// in one transaction, no savepoints; change numbers reserved once for all.
/// If any push fails, nothing of the group is kept and the error returned.
async fn apply_all(
    store: &Store,
    jobs: &[Job],
) -> Result<Vec<Result<PushResponse, SyncError>>, SyncError> {
    let mut tx = store.write().await.map_err(|e| failed(&e))?;
    let mut shared = Shared::default();
    let mutations = jobs.iter().map(|j| j.req.mutations.len()).sum();
    shared.reserve(&mut tx, mutations).await?;
    let mut answers = Vec::with_capacity(jobs.len());
    for job in jobs {
        match push_shared(&mut tx, &job.caller, &job.req, &mut shared).await {
            Ok(answer) => answers.push(answer),
            Err(e) => {
                // undone now, before the group runs again (not later, when
                // the connection goes back to the pool)
                let _ = tx.rollback().await;
                return Err(e);
            }
        }
    }
    match tx.commit().await {
        Ok(()) => Ok(answers.into_iter().map(Ok).collect()),
        Err(e) => Ok(jobs.iter().map(|_| Err(failed(&e))).collect()),
    }
}

/// After a failure: each push in its own savepoint, so a push that fails
/// rolls back alone.
async fn apply_each(store: &Store, jobs: &[Job]) -> Vec<Result<PushResponse, SyncError>> {
    let mut tx = match store.write().await {
        Ok(tx) => tx,
        Err(e) => return jobs.iter().map(|_| Err(failed(&e))).collect(),
    };
    let mut shared = Shared::default();
    let mut answers = Vec::with_capacity(jobs.len());
    for job in jobs {
        let mut savepoint = match tx.savepoint().await {
            Ok(sp) => sp,
            Err(e) => {
                answers.push(Err(failed(&e)));
                continue;
            }
        };
        match push_shared(&mut savepoint, &job.caller, &job.req, &mut shared).await {
            Ok(answer) => answers.push(
                savepoint
                    .commit()
                    .await
                    .map(|()| answer)
                    .map_err(|e| failed(&e)),
            ),
            Err(e) => {
                let _ = savepoint.rollback().await;
                answers.push(Err(e));
            }
        }
    }
    if let Err(e) = tx.commit().await {
        return answers
            .into_iter()
            .map(|a| a.and_then(|_| Err(failed(&e))))
            .collect();
    }
    answers
}
