//! People (`person`), the roles they hold (`role_grant`) and their log-in
//! accounts (`account`).

use super::sql::{self, Person, ROWS_PER_STATEMENT, RoleGrant};
use super::{Conn, Store, StoreError};
use domain::{AccountId, PersonId, PersonKind, Phone, Role, Timestamp, UnitId, UnitPath};
use sea_query::{OnConflict, Query};

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

/// An account as a log-in reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: AccountId,
    pub person_id: PersonId,
    pub phone: String,
    /// argon2id, PHC string.
    pub password_hash: String,
    pub disabled_at: Option<Timestamp>,
}

/// Inserts people, skipping ids that exist. Returns how many were new.
pub async fn insert_people(
    c: &mut Conn,
    people: &[NewPerson],
    now: Timestamp,
) -> Result<u64, StoreError> {
    let mut inserted = 0;
    for chunk in people.chunks(ROWS_PER_STATEMENT) {
        let mut stmt = Query::insert()
            .into_table(Person::Table)
            .columns([
                Person::Id,
                Person::UnitId,
                Person::Name,
                Person::Kind,
                Person::Sex,
                Person::Phone,
                Person::CreatedAt,
                Person::UpdatedAt,
            ])
            .on_conflict(OnConflict::column(Person::Id).do_nothing().to_owned())
            .to_owned();
        for p in chunk {
            stmt.values_panic([
                p.id.to_string().into(),
                p.unit_id.to_string().into(),
                p.name.clone().into(),
                p.kind.code().into(),
                p.sex.into(),
                p.phone.as_ref().map(|ph| ph.as_str().to_owned()).into(),
                now.to_string().into(),
                now.to_string().into(),
            ]);
        }
        let (text, values) = sql::render(c, &stmt);
        inserted += sqlx::query_with(&text, values)
            .execute(&mut *c)
            .await?
            .rows_affected();
    }
    Ok(inserted)
}

/// Grants roles, skipping grants that exist.
pub async fn insert_grants(
    c: &mut Conn,
    grants: &[NewGrant],
    now: Timestamp,
) -> Result<u64, StoreError> {
    let mut inserted = 0;
    for chunk in grants.chunks(ROWS_PER_STATEMENT) {
        let mut stmt = Query::insert()
            .into_table(RoleGrant::Table)
            .columns([
                RoleGrant::PersonId,
                RoleGrant::Role,
                RoleGrant::UnitId,
                RoleGrant::CreatedAt,
            ])
            .on_conflict(
                OnConflict::columns([RoleGrant::PersonId, RoleGrant::Role, RoleGrant::UnitId])
                    .do_nothing()
                    .to_owned(),
            )
            .to_owned();
        for g in chunk {
            stmt.values_panic([
                g.person_id.to_string().into(),
                g.role.code().into(),
                g.unit_id.to_string().into(),
                now.to_string().into(),
            ]);
        }
        let (text, values) = sql::render(c, &stmt);
        inserted += sqlx::query_with(&text, values)
            .execute(&mut *c)
            .await?
            .rows_affected();
    }
    Ok(inserted)
}

/// Creates an account unless one exists for the id, person or phone.
/// Returns whether it was created.
pub async fn insert_account(
    c: &mut Conn,
    account: &NewAccount,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO account (id, person_id, phone, password_hash, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT DO NOTHING",
    )
    .bind(account.id.to_string())
    .bind(account.person_id.to_string())
    .bind(account.phone.as_str().to_owned())
    .bind(account.password_hash.clone())
    .bind(now.to_string())
    .execute(&mut *c)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces an account's password hash.
pub async fn set_password_hash(
    store: &Store,
    id: AccountId,
    hash: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE account SET password_hash = $1, updated_at = $2 WHERE id = $3")
        .bind(hash.to_owned())
        .bind(now.to_string())
        .bind(id.to_string())
        .execute(store.pool())
        .await?;
    Ok(())
}

/// Disables an account from `at`, or enables it (`None`).
pub async fn set_disabled(
    store: &Store,
    id: AccountId,
    at: Option<Timestamp>,
    now: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE account SET disabled_at = $1, updated_at = $2 WHERE id = $3")
        .bind(at.map(|t| t.to_string()))
        .bind(now.to_string())
        .bind(id.to_string())
        .execute(store.pool())
        .await?;
    Ok(())
}

/// Every account's phone number.
pub async fn account_phones(store: &Store) -> Result<Vec<String>, StoreError> {
    Ok(sqlx::query_scalar("SELECT phone FROM account")
        .fetch_all(store.pool())
        .await?)
}

pub async fn account_by_phone(store: &Store, phone: &Phone) -> Result<Option<Account>, StoreError> {
    sqlx::query_as::<_, (String, String, String, String, Option<String>)>(
        "SELECT id, person_id, phone, password_hash, disabled_at FROM account WHERE phone = $1",
    )
    .bind(phone.as_str().to_owned())
    .fetch_optional(store.pool())
    .await?
    .map(|(id, person_id, phone, password_hash, disabled_at)| {
        Ok(Account {
            id: sql::read("account id", &id)?,
            person_id: sql::read("person id", &person_id)?,
            phone,
            password_hash,
            disabled_at: sql::read_opt("disabled_at", disabled_at.as_deref())?,
        })
    })
    .transpose()
}

/// The phone number an account logs in with.
pub async fn account_phone(store: &Store, id: AccountId) -> Result<String, StoreError> {
    Ok(
        sqlx::query_scalar::<_, String>("SELECT phone FROM account WHERE id = $1")
            .bind(id.to_string())
            .fetch_one(store.pool())
            .await?,
    )
}

/// A person's name.
pub async fn name(store: &Store, id: PersonId) -> Result<Option<String>, StoreError> {
    Ok(
        sqlx::query_scalar::<_, String>("SELECT name FROM person WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(store.pool())
            .await?,
    )
}

/// The names of those of `ids` that exist.
pub async fn names(store: &Store, ids: &[PersonId]) -> Result<Vec<(PersonId, String)>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let stmt = Query::select()
        .columns([Person::Id, Person::Name])
        .from(Person::Table)
        .and_where(sea_query::Expr::col(Person::Id).is_in(ids.iter().map(|id| id.to_string())))
        .to_owned();
    let (text, values) = sql::render_for(store.backend(), &stmt);
    sqlx::query_as_with::<_, (String, String), _>(&text, values)
        .fetch_all(store.pool())
        .await?
        .into_iter()
        .map(|(id, name)| Ok((sql::read("person id", &id)?, name)))
        .collect()
}

/// Number of active people of a kind inside the subtree at `path`.
pub async fn count_in_subtree(
    store: &Store,
    path: &UnitPath,
    kind: PersonKind,
) -> Result<u64, StoreError> {
    let n = sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM person p JOIN org_unit u ON u.id = p.unit_id \
         WHERE p.kind = $1 AND p.active = 1 AND u.path LIKE $2",
    )
    .bind(kind.code())
    .bind(format!("{path}%"))
    .fetch_one(store.pool())
    .await?;
    sql::count("count", n)
}

/// Roles held by a person, with the code of the unit each is held at.
pub async fn roles_of(store: &Store, id: PersonId) -> Result<Vec<(Role, String)>, StoreError> {
    sqlx::query_as::<_, (String, String)>(
        "SELECT g.role, u.code FROM role_grant g JOIN org_unit u ON u.id = g.unit_id \
         WHERE g.person_id = $1 ORDER BY g.role, u.code",
    )
    .bind(id.to_string())
    .fetch_all(store.pool())
    .await?
    .into_iter()
    .map(|(role, code)| Ok((sql::read("role", &role)?, code)))
    .collect()
}

/// Someone who answers for a unit's duties (the reminders' recipients).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answering {
    pub unit_id: UnitId,
    pub person_id: PersonId,
    pub name: String,
    pub phone: Option<String>,
}

/// Everyone active holding one of `roles`, once per unit, by unit.
pub async fn holding(store: &Store, roles: &[Role]) -> Result<Vec<Answering>, StoreError> {
    use sea_query::{Alias, Expr, JoinType, Order};
    if roles.is_empty() {
        return Ok(Vec::new());
    }
    let (g, p) = (Alias::new("g"), Alias::new("p"));
    let stmt = Query::select()
        .distinct()
        .column((g.clone(), RoleGrant::UnitId))
        .column((p.clone(), Person::Id))
        .column((p.clone(), Person::Name))
        .column((p.clone(), Person::Phone))
        .from_as(RoleGrant::Table, g.clone())
        .join_as(
            JoinType::InnerJoin,
            Person::Table,
            p.clone(),
            Expr::col((p.clone(), Person::Id)).equals((g.clone(), RoleGrant::PersonId)),
        )
        .and_where(Expr::col((p.clone(), Person::Active)).eq(1))
        .and_where(Expr::col((g.clone(), RoleGrant::Role)).is_in(roles.iter().map(|r| r.code())))
        .order_by((g.clone(), RoleGrant::UnitId), Order::Asc)
        .order_by((p.clone(), Person::Id), Order::Asc)
        .to_owned();
    let (text, values) = sql::render_for(store.backend(), &stmt);
    sqlx::query_as_with::<_, (String, String, String, Option<String>), _>(&text, values)
        .fetch_all(store.pool())
        .await?
        .into_iter()
        .map(|(unit_id, person_id, name, phone)| {
            Ok(Answering {
                unit_id: sql::read("unit id", &unit_id)?,
                person_id: sql::read("person id", &person_id)?,
                name,
                phone,
            })
        })
        .collect()
}

/// Someone holding a role at a unit, as a list of people to choose from
/// shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub person_id: PersonId,
    pub name: String,
    pub unit_name: String,
    pub role: Role,
}

/// Everyone active holding one of `roles` at one of `units`: the units
/// nearest the tree's leaves first, then by name.
pub async fn holding_at(
    store: &Store,
    roles: &[Role],
    units: &[UnitId],
) -> Result<Vec<Holder>, StoreError> {
    use sea_query::{Alias, Expr, JoinType, Order};
    if roles.is_empty() || units.is_empty() {
        return Ok(Vec::new());
    }
    let (g, p, u) = (Alias::new("g"), Alias::new("p"), Alias::new("u"));
    let stmt = Query::select()
        .column((p.clone(), Person::Id))
        .column((p.clone(), Person::Name))
        .column((u.clone(), sql::OrgUnit::Name))
        .column((g.clone(), RoleGrant::Role))
        .from_as(RoleGrant::Table, g.clone())
        .join_as(
            JoinType::InnerJoin,
            Person::Table,
            p.clone(),
            Expr::col((p.clone(), Person::Id)).equals((g.clone(), RoleGrant::PersonId)),
        )
        .join_as(
            JoinType::InnerJoin,
            sql::OrgUnit::Table,
            u.clone(),
            Expr::col((u.clone(), sql::OrgUnit::Id)).equals((g.clone(), RoleGrant::UnitId)),
        )
        .and_where(Expr::col((p.clone(), Person::Active)).eq(1))
        .and_where(Expr::col((g.clone(), RoleGrant::Role)).is_in(roles.iter().map(|r| r.code())))
        .and_where(
            Expr::col((g.clone(), RoleGrant::UnitId)).is_in(units.iter().map(|id| id.to_string())),
        )
        .order_by((u.clone(), sql::OrgUnit::Depth), Order::Desc)
        .order_by((p.clone(), Person::Name), Order::Asc)
        .to_owned();
    let (text, values) = sql::render_for(store.backend(), &stmt);
    sqlx::query_as_with::<_, (String, String, String, String), _>(&text, values)
        .fetch_all(store.pool())
        .await?
        .into_iter()
        .map(|(person_id, name, unit_name, role)| {
            Ok(Holder {
                person_id: sql::read("person id", &person_id)?,
                name,
                unit_name,
                role: sql::read("role", &role)?,
            })
        })
        .collect()
}
