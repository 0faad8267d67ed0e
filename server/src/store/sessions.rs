//! Device sessions (`device_session`): who is behind a bearer token, the
//! roles they hold and where, and the offices' list of devices.

use super::sql::{self, Account, DeviceSession as Ds, OrgUnit, Person};
use super::{Store, StoreError};
use domain::api::DeviceSession;
use domain::{
    AccountId, DeviceId, DeviceSessionId, PersonId, Role, Timestamp, UnitId, UnitKind, UnitPath,
};
use sea_query::{Alias, Expr, JoinType, Order, Query};

pub struct NewSession<'a> {
    pub id: DeviceSessionId,
    pub account_id: AccountId,
    pub device_id: DeviceId,
    pub device_name: &'a str,
    /// The token's SHA-256 (the token itself is never stored).
    pub token_hash: &'a str,
}

pub async fn insert(store: &Store, s: &NewSession<'_>, now: Timestamp) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO device_session (id, account_id, device_id, device_name, token_hash, created_at, last_seen_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(s.id.to_string())
    .bind(s.account_id.to_string())
    .bind(s.device_id.to_string())
    .bind(s.device_name)
    .bind(s.token_hash)
    .bind(now.to_string())
    .execute(store.pool())
    .await?;
    Ok(())
}

/// A role a person holds at a unit, and where that unit is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub role: Role,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub unit_kind: UnitKind,
    pub path: UnitPath,
}

/// A session behind a token, with its account's state and its person's
/// grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionGrants {
    pub id: DeviceSessionId,
    pub account_id: AccountId,
    pub person_id: PersonId,
    pub device_id: DeviceId,
    /// When the log-in opened it (the absolute expiry counts from here).
    pub created_at: Timestamp,
    /// When it was last used, to [`touch`]'s precision (the idle expiry).
    pub last_seen_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
    pub disabled_at: Option<Timestamp>,
    pub grants: Vec<Grant>,
}

type GrantColumns = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn grant(
    (role, unit_id, unit_name, unit_kind, path): GrantColumns,
) -> Result<Option<Grant>, StoreError> {
    let (Some(role), Some(unit_id), Some(unit_name), Some(unit_kind), Some(path)) =
        (role, unit_id, unit_name, unit_kind, path)
    else {
        return Ok(None);
    };
    Ok(Some(Grant {
        role: sql::read("role", &role)?,
        unit_id: sql::read("unit id", &unit_id)?,
        unit_name,
        unit_kind: sql::read("unit kind", &unit_kind)?,
        path: sql::path(&path)?,
    }))
}

/// The session whose token hashes to `token_hash`, with every grant of its
/// person, in one round trip (asked on every authenticated request).
pub async fn by_token_hash(
    store: &Store,
    token_hash: &str,
) -> Result<Option<SessionGrants>, StoreError> {
    type Row = (
        String,
        String,
        String,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let rows = sqlx::query_as::<_, Row>(
        "SELECT s.id, s.account_id, a.person_id, s.device_id, s.created_at, s.last_seen_at, s.revoked_at, a.disabled_at, \
         g.role, g.unit_id, u.name, u.kind, u.path \
         FROM device_session s JOIN account a ON a.id = s.account_id \
         LEFT JOIN role_grant g ON g.person_id = a.person_id LEFT JOIN org_unit u ON u.id = g.unit_id \
         WHERE s.token_hash = $1 ORDER BY u.path, g.role",
    )
    .bind(token_hash)
    .fetch_all(store.pool())
    .await?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let mut session = SessionGrants {
        id: sql::read("session id", &first.0)?,
        account_id: sql::read("account id", &first.1)?,
        person_id: sql::read("person id", &first.2)?,
        device_id: sql::read("device id", &first.3)?,
        created_at: sql::read("created_at", &first.4)?,
        last_seen_at: sql::read("last_seen_at", &first.5)?,
        revoked_at: sql::read_opt("revoked_at", first.6.as_deref())?,
        disabled_at: sql::read_opt("disabled_at", first.7.as_deref())?,
        grants: Vec::new(),
    };
    for row in rows {
        if let Some(g) = grant((row.8, row.9, row.10, row.11, row.12))? {
            session.grants.push(g);
        }
    }
    Ok(Some(session))
}

/// Every grant of a person.
pub async fn grants(store: &Store, person: PersonId) -> Result<Vec<Grant>, StoreError> {
    let rows = sqlx::query_as::<_, GrantColumns>(
        "SELECT g.role, g.unit_id, u.name, u.kind, u.path FROM role_grant g JOIN org_unit u ON u.id = g.unit_id \
         WHERE g.person_id = $1 ORDER BY u.path, g.role",
    )
    .bind(person.to_string())
    .fetch_all(store.pool())
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.extend(grant(row)?);
    }
    Ok(out)
}

/// Records activity, at most once per `older_than` (cheap on hot paths:
/// on SQLite every UPDATE takes the single write lock, even one that
/// matches nothing).
pub async fn touch(
    store: &Store,
    id: DeviceSessionId,
    now: Timestamp,
    older_than: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE device_session SET last_seen_at = $1 WHERE id = $2 AND last_seen_at < $3")
        .bind(now.to_string())
        .bind(id.to_string())
        .bind(older_than.to_string())
        .execute(store.pool())
        .await?;
    Ok(())
}

/// Revokes one session (log-out, or an office revoking a lost phone).
/// Returns whether it was live.
pub async fn revoke(
    store: &Store,
    id: DeviceSessionId,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE device_session SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
    )
    .bind(now.to_string())
    .bind(id.to_string())
    .execute(store.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The device list's query: sessions with their person, phone and unit.
fn devices_query(roots: &[&UnitPath]) -> sea_query::SelectStatement {
    let (s, a, p, u) = (
        Alias::new("s"),
        Alias::new("a"),
        Alias::new("p"),
        Alias::new("u"),
    );
    Query::select()
        .column((s.clone(), Ds::Id))
        .column((p.clone(), Person::Name))
        .column((a.clone(), Account::Phone))
        .column((u.clone(), OrgUnit::Name))
        .column((s.clone(), Ds::DeviceName))
        .column((s.clone(), Ds::CreatedAt))
        .column((s.clone(), Ds::LastSeenAt))
        .column((s.clone(), Ds::RevokedAt))
        .from_as(Ds::Table, s.clone())
        .join_as(
            JoinType::InnerJoin,
            Account::Table,
            a.clone(),
            Expr::col((a.clone(), Account::Id)).equals((s.clone(), Ds::AccountId)),
        )
        .join_as(
            JoinType::InnerJoin,
            Person::Table,
            p.clone(),
            Expr::col((p.clone(), Person::Id)).equals((a.clone(), Account::PersonId)),
        )
        .join_as(
            JoinType::InnerJoin,
            OrgUnit::Table,
            u.clone(),
            Expr::col((u.clone(), OrgUnit::Id)).equals((p.clone(), Person::UnitId)),
        )
        .cond_where(sql::under((u.clone(), OrgUnit::Path), roots))
        .to_owned()
}

type DeviceRow = (
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
    (id, person_name, phone, unit_name, device_name, created_at, last_seen_at, revoked_at): DeviceRow,
) -> Result<DeviceSession, StoreError> {
    Ok(DeviceSession {
        id: sql::read("session id", &id)?,
        person_name,
        phone,
        unit_name,
        device_name,
        created_at: sql::read("created_at", &created_at)?,
        last_seen_at: sql::read("last_seen_at", &last_seen_at)?,
        revoked_at: sql::read_opt("revoked_at", revoked_at.as_deref())?,
    })
}

/// The sessions of people whose unit is inside one of `roots`, newest
/// first (at most `limit`).
pub async fn devices_under(
    store: &Store,
    roots: &[&UnitPath],
    limit: u64,
) -> Result<Vec<DeviceSession>, StoreError> {
    if roots.is_empty() {
        return Ok(Vec::new());
    }
    let stmt = devices_query(roots)
        .order_by((Alias::new("s"), Ds::LastSeenAt), Order::Desc)
        .order_by((Alias::new("s"), Ds::Id), Order::Asc)
        .limit(limit)
        .to_owned();
    let (text, values) = sql::render_for(store.backend(), &stmt);
    sqlx::query_as_with::<_, DeviceRow, _>(&text, values)
        .fetch_all(store.pool())
        .await?
        .into_iter()
        .map(device)
        .collect()
}

/// One session, if its person's unit is inside one of `roots`.
pub async fn device_under(
    store: &Store,
    id: DeviceSessionId,
    roots: &[&UnitPath],
) -> Result<Option<DeviceSession>, StoreError> {
    if roots.is_empty() {
        return Ok(None);
    }
    let stmt = devices_query(roots)
        .and_where(Expr::col((Alias::new("s"), Ds::Id)).eq(id.to_string()))
        .to_owned();
    let (text, values) = sql::render_for(store.backend(), &stmt);
    sqlx::query_as_with::<_, DeviceRow, _>(&text, values)
        .fetch_optional(store.pool())
        .await?
        .map(device)
        .transpose()
}

/// Whether a device id is already another account's (a session of another
/// account under it, or its sync state): a log-in may not take it over, or
/// it could push under, and read the answers of, someone else's device.
pub async fn device_taken(
    store: &Store,
    device: DeviceId,
    account: AccountId,
) -> Result<bool, StoreError> {
    let taken: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM device_session WHERE device_id = $1 AND account_id <> $2) \
         + (SELECT COUNT(*) FROM sync_client WHERE client_id = $1 AND account_id <> $2)",
    )
    .bind(device.to_string())
    .bind(account.to_string())
    .fetch_one(store.pool())
    .await?;
    Ok(taken > 0)
}
