//! Device sessions: who is behind a bearer token, and what they may see.

use super::{Db, DbError};
use domain::sync::DeviceSession;

/// A live or revoked session, with its account.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub id: String,
    pub account_id: String,
    pub person_id: String,
    pub device_id: String,
    pub last_seen_at: String,
    pub revoked_at: Option<String>,
    pub disabled_at: Option<String>,
}

/// A role the person holds, at a unit whose subtree is its scope.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct GrantRow {
    pub role: String,
    pub unit_id: String,
    pub unit_name: String,
    pub unit_kind: String,
    pub path: String,
}

pub struct NewSession<'a> {
    pub id: &'a str,
    pub account_id: &'a str,
    pub device_id: &'a str,
    pub device_name: &'a str,
    pub token_hash: &'a str,
}

pub async fn insert(db: &Db, s: &NewSession<'_>, now: &str) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO device_session (id, account_id, device_id, device_name, token_hash, created_at, last_seen_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(s.id)
    .bind(s.account_id)
    .bind(s.device_id)
    .bind(s.device_name)
    .bind(s.token_hash)
    .bind(now)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// A session with one of its person's grants per row (none: one row with
/// the grant columns empty): who is calling and what they reach, in one
/// round trip on every authenticated request.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CallerRow {
    #[sqlx(flatten)]
    pub session: SessionRow,
    pub role: Option<String>,
    pub unit_id: Option<String>,
    pub unit_name: Option<String>,
    pub unit_kind: Option<String>,
    pub path: Option<String>,
}

pub async fn caller_by_token_hash(db: &Db, token_hash: &str) -> Result<Vec<CallerRow>, DbError> {
    Ok(sqlx::query_as::<_, CallerRow>(
        "SELECT s.id, s.account_id, a.person_id, s.device_id, s.last_seen_at, s.revoked_at, a.disabled_at, \
         g.role, g.unit_id, u.name AS unit_name, u.kind AS unit_kind, u.path \
         FROM device_session s JOIN account a ON a.id = s.account_id \
         LEFT JOIN role_grant g ON g.person_id = a.person_id LEFT JOIN org_unit u ON u.id = g.unit_id \
         WHERE s.token_hash = $1 ORDER BY u.path, g.role",
    )
    .bind(token_hash)
    .fetch_all(db.pool())
    .await?)
}

/// Records activity, at most once per `older_than` (cheap on hot paths).
pub async fn touch(db: &Db, id: &str, now: &str, older_than: &str) -> Result<(), DbError> {
    sqlx::query("UPDATE device_session SET last_seen_at = $1 WHERE id = $2 AND last_seen_at < $3")
        .bind(now)
        .bind(id)
        .bind(older_than)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Revokes one session (log-out, or an office revoking a lost phone).
/// Returns whether it was live.
pub async fn revoke(db: &Db, id: &str, now: &str) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE device_session SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn grants(db: &Db, person_id: &str) -> Result<Vec<GrantRow>, DbError> {
    Ok(sqlx::query_as::<_, GrantRow>(
        "SELECT g.role, g.unit_id, u.name AS unit_name, u.kind AS unit_kind, u.path FROM role_grant g JOIN org_unit u ON u.id = g.unit_id \
         WHERE g.person_id = $1 ORDER BY u.path, g.role",
    )
    .bind(person_id)
    .fetch_all(db.pool())
    .await?)
}

/// The person's name, for the app's cached identity.
pub async fn person_name(db: &Db, person_id: &str) -> Result<Option<String>, DbError> {
    Ok(
        sqlx::query_scalar::<_, String>("SELECT name FROM person WHERE id = $1")
            .bind(person_id)
            .fetch_optional(db.pool())
            .await?,
    )
}

/// A row of [`DEVICE_SELECT`], in the order of [`DeviceSession`]'s fields.
type DeviceTuple = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
);

fn device(
    (id, person_name, phone, unit_name, device_name, created_at, last_seen_at, revoked_at): DeviceTuple,
) -> DeviceSession {
    DeviceSession {
        id,
        person_name,
        phone,
        unit_name,
        device_name,
        created_at,
        last_seen_at,
        revoked_at,
    }
}

const DEVICE_SELECT: &str = "SELECT s.id, p.name AS person_name, a.phone, u.name AS unit_name, s.device_name, \
     s.created_at, s.last_seen_at, s.revoked_at \
     FROM device_session s JOIN account a ON a.id = s.account_id JOIN person p ON p.id = a.person_id \
     JOIN org_unit u ON u.id = p.unit_id";

fn under(roots: &[&str], first: usize) -> String {
    (0..roots.len())
        .map(|i| format!("u.path LIKE ${}", i + first))
        .collect::<Vec<_>>()
        .join(" OR ")
}

/// The sessions of people whose unit is inside one of `roots`, newest
/// first (at most `limit`).
pub async fn devices_under(
    db: &Db,
    roots: &[&str],
    limit: i64,
) -> Result<Vec<DeviceSession>, DbError> {
    if roots.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "{DEVICE_SELECT} WHERE {} ORDER BY s.last_seen_at DESC, s.id LIMIT ${}",
        under(roots, 1),
        roots.len() + 1
    );
    let mut q = sqlx::query_as::<_, DeviceTuple>(&sql);
    for root in roots {
        q = q.bind(format!("{root}%"));
    }
    Ok(q.bind(limit)
        .fetch_all(db.pool())
        .await?
        .into_iter()
        .map(device)
        .collect())
}

/// One session, if its person's unit is inside one of `roots`.
pub async fn device_under(
    db: &Db,
    id: &str,
    roots: &[&str],
) -> Result<Option<DeviceSession>, DbError> {
    if roots.is_empty() {
        return Ok(None);
    }
    let sql = format!("{DEVICE_SELECT} WHERE s.id = $1 AND ({})", under(roots, 2));
    let mut q = sqlx::query_as::<_, DeviceTuple>(&sql).bind(id);
    for root in roots {
        q = q.bind(format!("{root}%"));
    }
    Ok(q.fetch_optional(db.pool()).await?.map(device))
}

/// Whether a device id is already another account's (a session of another
/// account under it, or its sync state): a log-in may not take it over, or
/// it could push under, and read the answers of, someone else's device.
pub async fn device_taken(db: &Db, device_id: &str, account_id: &str) -> Result<bool, DbError> {
    let taken: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM device_session WHERE device_id = $1 AND account_id <> $2) \
         + (SELECT COUNT(*) FROM sync_client WHERE client_id = $1 AND account_id <> $2)",
    )
    .bind(device_id)
    .bind(account_id)
    .fetch_one(db.pool())
    .await?;
    Ok(taken > 0)
}
