//! People's inboxes (`inbox_item`, 收件箱): what the server told them in
//! the app, once per person and subject.

use super::sql;
use super::{Store, StoreError};
use domain::api::{InboxItem, InboxKind};
use domain::{CaseId, InboxItemId, PersonId, Timestamp, UnitId};

/// An item to put in someone's inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewItem<'a> {
    pub person: PersonId,
    /// What it is about, once per person: a second item with the same
    /// subject is not stored.
    pub subject: &'a str,
    pub kind: InboxKind,
    pub title: &'a str,
    pub body: &'a str,
    pub case_id: Option<CaseId>,
    pub unit_id: UnitId,
}

/// Stores an item once per person and subject.
pub async fn put(store: &Store, item: &NewItem<'_>, now: Timestamp) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO inbox_item (id, person_id, subject, kind, title, body, case_id, unit_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (person_id, subject) DO NOTHING",
    )
    .bind(InboxItemId::new_v7().to_string())
    .bind(item.person.to_string())
    .bind(item.subject)
    .bind(item.kind.code())
    .bind(item.title)
    .bind(item.body)
    .bind(item.case_id.map(|c| c.to_string()))
    .bind(item.unit_id.to_string())
    .bind(now.to_string())
    .execute(store.pool())
    .await?;
    Ok(())
}

/// A person's newest items, and how many are unread.
pub async fn of(
    store: &Store,
    person: PersonId,
    limit: u32,
) -> Result<(Vec<InboxItem>, u64), StoreError> {
    type Row = (
        String,
        String,
        String,
        String,
        Option<String>,
        String,
        String,
        Option<String>,
    );
    let items = sqlx::query_as::<_, Row>(
        "SELECT id, kind, title, body, case_id, unit_id, created_at, read_at FROM inbox_item \
         WHERE person_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
    )
    .bind(person.to_string())
    .bind(i64::from(limit))
    .fetch_all(store.pool())
    .await?
    .into_iter()
    .map(
        |(id, kind, title, body, case_id, unit_id, created_at, read_at)| {
            Ok(InboxItem {
                id: sql::read("inbox item id", &id)?,
                kind: InboxKind::of_code(&kind)
                    .ok_or_else(|| StoreError::corrupt("inbox kind", &kind))?,
                title,
                body,
                case_id: sql::read_opt("case id", case_id.as_deref())?,
                unit_id: sql::read("unit id", &unit_id)?,
                created_at: sql::read("created_at", &created_at)?,
                read: read_at.is_some(),
            })
        },
    )
    .collect::<Result<Vec<_>, StoreError>>()?;
    let unread: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM inbox_item WHERE person_id = $1 AND read_at IS NULL",
    )
    .bind(person.to_string())
    .fetch_one(store.pool())
    .await?;
    Ok((items, sql::count("unread", unread)?))
}

/// Marks one of the person's items read; false when it is not theirs.
pub async fn mark_read(
    store: &Store,
    person: PersonId,
    id: InboxItemId,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE inbox_item SET read_at = COALESCE(read_at, $1) WHERE id = $2 AND person_id = $3",
    )
    .bind(now.to_string())
    .bind(id.to_string())
    .bind(person.to_string())
    .execute(store.pool())
    .await?;
    Ok(done.rows_affected() > 0)
}
