//! Each device's push state (`sync_client`: the last seq applied, the
//! account it belongs to) and the stored answer to every mutation
//! (`sync_mutation`), written in the same transaction as the change it
//! answers: what makes a replayed push get the same answers (exactly once).

use super::sql::{self, IDS_PER_STATEMENT, ROWS_PER_STATEMENT, SyncMutation};
use super::{Conn, StoreError};
use domain::{AccountId, DeviceId, MutationId, Timestamp};
use sea_query::{Expr, Query};

/// The device's push state: the last seq applied and the account that owns
/// the device id, creating the row (owned by `account`) on first use.
pub async fn client(
    c: &mut Conn,
    device: DeviceId,
    account: AccountId,
    now: Timestamp,
) -> Result<(u64, AccountId), StoreError> {
    async fn read(c: &mut Conn, device: DeviceId) -> Result<Option<(u64, AccountId)>, StoreError> {
        let row = sqlx::query_as::<_, (i64, String)>(
            "SELECT last_seq, account_id FROM sync_client WHERE client_id = $1",
        )
        .bind(device.to_string())
        .fetch_optional(&mut *c)
        .await?;
        row.map(|(seq, account)| {
            Ok((
                sql::count("last_seq", seq)?,
                sql::read("account id", &account)?,
            ))
        })
        .transpose()
    }
    // one round trip for every push but a device's first
    if let Some(state) = read(c, device).await? {
        return Ok(state);
    }
    sqlx::query(
        "INSERT INTO sync_client (client_id, account_id, last_seq, updated_at) VALUES ($1, $2, 0, $3) \
         ON CONFLICT (client_id) DO NOTHING",
    )
    .bind(device.to_string())
    .bind(account.to_string())
    .bind(now.to_string())
    .execute(&mut *c)
    .await?;
    read(c, device).await?.ok_or(StoreError::NotFound)
}

pub async fn set_last_seq(
    c: &mut Conn,
    device: DeviceId,
    seq: u64,
    now: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE sync_client SET last_seq = $1, updated_at = $2 WHERE client_id = $3")
        .bind(seq as i64)
        .bind(now.to_string())
        .bind(device.to_string())
        .execute(&mut *c)
        .await?;
    Ok(())
}

/// A stored answer: the mutation it answered and the answer's JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAnswer {
    pub seq: u64,
    pub mutation_id: MutationId,
    /// A `domain::sync::MutationResult` as JSON.
    pub result: String,
}

/// The device's stored answers for seqs in `from..=to`.
pub async fn answers(
    c: &mut Conn,
    device: DeviceId,
    from: u64,
    to: u64,
) -> Result<Vec<StoredAnswer>, StoreError> {
    sqlx::query_as::<_, (i64, String, String)>(
        "SELECT seq, mutation_id, result FROM sync_mutation WHERE client_id = $1 AND seq >= $2 AND seq <= $3",
    )
    .bind(device.to_string())
    .bind(from as i64)
    .bind(to as i64)
    .fetch_all(&mut *c)
    .await?
    .into_iter()
    .map(|(seq, id, result)| {
        Ok(StoredAnswer {
            seq: sql::count("seq", seq)?,
            mutation_id: sql::read("mutation id", &id)?,
            result,
        })
    })
    .collect()
}

/// Stores the device's answers.
pub async fn store_answers(
    c: &mut Conn,
    device: DeviceId,
    rows: &[StoredAnswer],
    now: Timestamp,
) -> Result<(), StoreError> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut stmt = Query::insert()
            .into_table(SyncMutation::Table)
            .columns([
                SyncMutation::ClientId,
                SyncMutation::Seq,
                SyncMutation::MutationId,
                SyncMutation::Result,
                SyncMutation::AppliedAt,
            ])
            .to_owned();
        for a in chunk {
            stmt.values_panic([
                device.to_string().into(),
                (a.seq as i64).into(),
                a.mutation_id.to_string().into(),
                a.result.clone().into(),
                now.to_string().into(),
            ]);
        }
        let (text, values) = sql::render(c, &stmt);
        sqlx::query_with(&text, values).execute(&mut *c).await?;
    }
    Ok(())
}

/// Which of these mutation ids were applied before (by any device).
pub async fn seen(c: &mut Conn, ids: &[MutationId]) -> Result<Vec<MutationId>, StoreError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(IDS_PER_STATEMENT) {
        let stmt = Query::select()
            .column(SyncMutation::MutationId)
            .from(SyncMutation::Table)
            .and_where(
                Expr::col(SyncMutation::MutationId).is_in(chunk.iter().map(|id| id.to_string())),
            )
            .to_owned();
        let (text, values) = sql::render(c, &stmt);
        for id in sqlx::query_scalar_with::<_, String, _>(&text, values)
            .fetch_all(&mut *c)
            .await?
        {
            out.push(sql::read("mutation id", &id)?);
        }
    }
    Ok(out)
}
