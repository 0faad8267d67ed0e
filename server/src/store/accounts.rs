//! The accounts an office manages (账号管理): the people whose unit lies in
//! a set of subtrees, with the units of every role they hold, whether the
//! account is stopped, and when one of its phones last reached the server.

use super::sql::{self, Account, DeviceSession as Ds, OrgUnit, Person, RoleGrant};
use super::{Store, StoreError};
use domain::{AccountId, PersonId, Role, Timestamp, UnitPath};
use sea_query::{Alias, Expr, Func, JoinType, Order, Query, SimpleExpr};

/// An account, its person and the roles they hold (and where).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldAccount {
    pub id: AccountId,
    pub person_id: PersonId,
    pub person_name: String,
    pub phone: String,
    pub unit_name: String,
    /// The person's own unit.
    pub unit_path: UnitPath,
    /// Each role and the unit it is held at.
    pub grants: Vec<(Role, UnitPath)>,
    pub disabled_at: Option<Timestamp>,
    pub last_seen_at: Option<Timestamp>,
}

/// Rows read at most (an account per row and role): a city's people many
/// times over.
const MAX_ROWS: u64 = 20_000;

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
);

fn query(roots: &[&UnitPath]) -> sea_query::SelectStatement {
    let (a, p, u, g, gu, s) = (
        Alias::new("a"),
        Alias::new("p"),
        Alias::new("u"),
        Alias::new("g"),
        Alias::new("gu"),
        Alias::new("s"),
    );
    let last_seen = Query::select()
        .expr(Func::max(Expr::col((s.clone(), Ds::LastSeenAt))))
        .from_as(Ds::Table, s.clone())
        .and_where(Expr::col((s.clone(), Ds::AccountId)).equals((a.clone(), Account::Id)))
        .to_owned();
    Query::select()
        .column((a.clone(), Account::Id))
        .column((a.clone(), Account::PersonId))
        .column((p.clone(), Person::Name))
        .column((a.clone(), Account::Phone))
        .column((u.clone(), OrgUnit::Name))
        .column((u.clone(), OrgUnit::Path))
        .column((a.clone(), Account::DisabledAt))
        .expr(SimpleExpr::SubQuery(
            None,
            Box::new(last_seen.into_sub_query_statement()),
        ))
        .column((g.clone(), RoleGrant::Role))
        .column((gu.clone(), OrgUnit::Path))
        .from_as(Account::Table, a.clone())
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
        .join_as(
            JoinType::LeftJoin,
            RoleGrant::Table,
            g.clone(),
            Expr::col((g.clone(), RoleGrant::PersonId)).equals((a.clone(), Account::PersonId)),
        )
        .join_as(
            JoinType::LeftJoin,
            OrgUnit::Table,
            gu.clone(),
            Expr::col((gu.clone(), OrgUnit::Id)).equals((g.clone(), RoleGrant::UnitId)),
        )
        .cond_where(sql::under((u.clone(), OrgUnit::Path), roots))
        .order_by((u.clone(), OrgUnit::Path), Order::Asc)
        .order_by((p.clone(), Person::Name), Order::Asc)
        .order_by((a.clone(), Account::Id), Order::Asc)
        .order_by((g.clone(), RoleGrant::Role), Order::Asc)
        .limit(MAX_ROWS)
        .to_owned()
}

/// Folds the rows (one per account and role, in account order).
fn accounts(rows: Vec<Row>) -> Result<Vec<HeldAccount>, StoreError> {
    let mut out: Vec<HeldAccount> = Vec::new();
    for (id, person, name, phone, unit_name, path, disabled, seen, role, at) in rows {
        let id: AccountId = sql::read("account id", &id)?;
        if out.last().is_none_or(|last| last.id != id) {
            out.push(HeldAccount {
                id,
                person_id: sql::read("person id", &person)?,
                person_name: name,
                phone,
                unit_name,
                unit_path: sql::path(&path)?,
                grants: Vec::new(),
                disabled_at: sql::read_opt("disabled_at", disabled.as_deref())?,
                last_seen_at: sql::read_opt("last_seen_at", seen.as_deref())?,
            });
        }
        if let (Some(role), Some(at), Some(last)) = (role, at, out.last_mut()) {
            last.grants
                .push((sql::read("role", &role)?, sql::path(&at)?));
        }
    }
    Ok(out)
}

/// The accounts of the people whose unit is inside one of `roots`.
pub async fn under(store: &Store, roots: &[&UnitPath]) -> Result<Vec<HeldAccount>, StoreError> {
    if roots.is_empty() {
        return Ok(Vec::new());
    }
    let (text, values) = sql::render_for(store.backend(), &query(roots));
    accounts(
        sqlx::query_as_with::<_, Row, _>(&text, values)
            .fetch_all(store.pool())
            .await?,
    )
}

/// One account, if its person's unit is inside one of `roots`.
pub async fn one_under(
    store: &Store,
    id: AccountId,
    roots: &[&UnitPath],
) -> Result<Option<HeldAccount>, StoreError> {
    if roots.is_empty() {
        return Ok(None);
    }
    let stmt = query(roots)
        .and_where(Expr::col((Alias::new("a"), Account::Id)).eq(id.to_string()))
        .to_owned();
    let (text, values) = sql::render_for(store.backend(), &stmt);
    Ok(accounts(
        sqlx::query_as_with::<_, Row, _>(&text, values)
            .fetch_all(store.pool())
            .await?,
    )?
    .pop())
}
