//! People, the roles they hold, and their log-in accounts.

use super::{Backend, Db, DbError, values_placeholders};
use domain::{AccountId, PersonId, PersonKind, Phone, Role, UnitId};
use sqlx::{Any, Transaction};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPerson {
    pub id: PersonId,
    pub unit_id: UnitId,
    pub name: String,
    pub kind: PersonKind,
    /// "male" | "female"
    pub sex: Option<&'static str>,
    pub phone: Option<Phone>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewGrant {
    pub person_id: PersonId,
    pub role: Role,
    pub unit_id: UnitId,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccount {
    pub id: AccountId,
    pub person_id: PersonId,
    pub phone: Phone,
    pub password_hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AccountRow {
    pub id: String,
    pub person_id: String,
    pub phone: String,
    pub password_hash: String,
    pub disabled_at: Option<String>,
}

const BATCH_ROWS: usize = 200;

/// Inserts people, skipping ids that exist. Returns how many were new.
pub async fn insert_people(
    tx: &mut Transaction<'static, Any>,
    people: &[NewPerson],
    now: &str,
) -> Result<u64, DbError> {
    let mut inserted = 0;
    for chunk in people.chunks(BATCH_ROWS) {
        let sql = format!(
            "INSERT INTO person (id, unit_id, name, kind, sex, phone, created_at, updated_at) \
             VALUES {} ON CONFLICT (id) DO NOTHING",
            values_placeholders(Backend::of(tx), chunk.len(), 8)
        );
        let mut q = sqlx::query(&sql);
        for p in chunk {
            q = q
                .bind(p.id.to_string())
                .bind(p.unit_id.to_string())
                .bind(p.name.clone())
                .bind(p.kind.code())
                .bind(p.sex)
                .bind(p.phone.as_ref().map(|ph| ph.as_str().to_owned()))
                .bind(now.to_owned())
                .bind(now.to_owned());
        }
        inserted += q.execute(&mut **tx).await?.rows_affected();
    }
    Ok(inserted)
}

/// Grants roles, skipping grants that exist.
pub async fn insert_grants(
    tx: &mut Transaction<'static, Any>,
    grants: &[NewGrant],
    now: &str,
) -> Result<u64, DbError> {
    let mut inserted = 0;
    for chunk in grants.chunks(BATCH_ROWS) {
        let sql = format!(
            "INSERT INTO role_grant (person_id, role, unit_id, created_at) VALUES {} \
             ON CONFLICT (person_id, role, unit_id) DO NOTHING",
            values_placeholders(Backend::of(tx), chunk.len(), 4)
        );
        let mut q = sqlx::query(&sql);
        for g in chunk {
            q = q
                .bind(g.person_id.to_string())
                .bind(g.role.code())
                .bind(g.unit_id.to_string())
                .bind(now.to_owned());
        }
        inserted += q.execute(&mut **tx).await?.rows_affected();
    }
    Ok(inserted)
}

/// Creates an account unless one exists for the id, person or phone.
/// Returns whether it was created.
pub async fn insert_account(
    tx: &mut Transaction<'static, Any>,
    account: &NewAccount,
    now: &str,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "INSERT INTO account (id, person_id, phone, password_hash, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
    )
    .bind(account.id.to_string())
    .bind(account.person_id.to_string())
    .bind(account.phone.as_str().to_owned())
    .bind(account.password_hash.clone())
    .bind(now.to_owned())
    .bind(now.to_owned())
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn account_by_phone(db: &Db, phone: &Phone) -> Result<Option<AccountRow>, DbError> {
    Ok(sqlx::query_as::<_, AccountRow>(
        "SELECT id, person_id, phone, password_hash, disabled_at FROM account WHERE phone = $1",
    )
    .bind(phone.as_str().to_owned())
    .fetch_optional(db.pool())
    .await?)
}

/// Number of active people of a kind inside the subtree at `path`.
pub async fn count_in_subtree(db: &Db, path: &str, kind: PersonKind) -> Result<i64, DbError> {
    Ok(sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM person p JOIN org_unit u ON u.id = p.unit_id \
         WHERE p.kind = $1 AND p.active = 1 AND u.path LIKE $2",
    )
    .bind(kind.code())
    .bind(format!("{path}%"))
    .fetch_one(db.pool())
    .await?)
}

/// Roles held by a person, with the code of the unit each is held at.
pub async fn roles_of(db: &Db, person_id: &str) -> Result<Vec<(String, String)>, DbError> {
    Ok(sqlx::query_as::<_, (String, String)>(
        "SELECT g.role, u.code FROM role_grant g JOIN org_unit u ON u.id = g.unit_id \
         WHERE g.person_id = $1 ORDER BY g.role, u.code",
    )
    .bind(person_id)
    .fetch_all(db.pool())
    .await?)
}
