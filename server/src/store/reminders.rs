//! What the reminder scheduler claims and records: the devices' Web Push
//! subscriptions (`push_subscription`), the claims (`reminder_notice`, one
//! row per reminder, channel and recipient: each goes out once however
//! many instances run) and the log of passes (`reminder_run`).

use super::sql::{self, ROWS_PER_STATEMENT, ReminderNotice as Rn};
use super::{Store, StoreError};
use domain::{DeviceSessionId, PersonId, Timestamp, UnitId};
use sea_query::{Expr, OnConflict, Query};

/// A device's push subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// The SHA-256 of its endpoint.
    pub id: String,
    pub person_id: PersonId,
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
}

/// The subscriptions of sessions not revoked.
pub async fn subscriptions(store: &Store) -> Result<Vec<Subscription>, StoreError> {
    sqlx::query_as::<_, (String, String, String, String, String)>(
        "SELECT s.id, s.person_id, s.endpoint, s.p256dh, s.auth FROM push_subscription s \
         JOIN device_session d ON d.id = s.session_id WHERE d.revoked_at IS NULL \
         ORDER BY s.person_id, s.id",
    )
    .fetch_all(store.pool())
    .await?
    .into_iter()
    .map(|(id, person_id, endpoint, p256dh, auth)| {
        Ok(Subscription {
            id,
            person_id: sql::read("person id", &person_id)?,
            endpoint,
            p256dh,
            auth,
        })
    })
    .collect()
}

/// Stores (or moves to this session) a subscription.
pub async fn save_subscription(
    store: &Store,
    sub: &Subscription,
    session: DeviceSessionId,
    now: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO push_subscription (id, session_id, person_id, endpoint, p256dh, auth, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (id) DO UPDATE SET session_id = excluded.session_id, \
         person_id = excluded.person_id, p256dh = excluded.p256dh, auth = excluded.auth",
    )
    .bind(&sub.id)
    .bind(session.to_string())
    .bind(sub.person_id.to_string())
    .bind(&sub.endpoint)
    .bind(&sub.p256dh)
    .bind(&sub.auth)
    .bind(now.to_string())
    .execute(store.pool())
    .await?;
    Ok(())
}

/// Forgets a subscription: of this session (`DELETE` by the device), or
/// any (the push service said it is gone).
pub async fn delete_subscription(
    store: &Store,
    id: &str,
    session: Option<DeviceSessionId>,
) -> Result<bool, StoreError> {
    let done = match session {
        Some(session) => {
            sqlx::query("DELETE FROM push_subscription WHERE id = $1 AND session_id = $2")
                .bind(id)
                .bind(session.to_string())
                .execute(store.pool())
                .await?
        }
        None => {
            sqlx::query("DELETE FROM push_subscription WHERE id = $1")
                .bind(id)
                .execute(store.pool())
                .await?
        }
    };
    Ok(done.rows_affected() > 0)
}

/// One claim: a reminder for one channel and one recipient.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Notice {
    pub reminder_key: String,
    /// `webhook`, `web_push`, `inbox`.
    pub channel: String,
    pub recipient_id: PersonId,
    pub unit_id: UnitId,
    /// `due` or `overdue`.
    pub state: String,
    /// `YYYY-MM-DD`.
    pub due_on: String,
}

type NoticeRow = (String, String, String, String, String, String);

fn notices(rows: Vec<NoticeRow>) -> Result<Vec<Notice>, StoreError> {
    rows.into_iter()
        .map(|(reminder_key, channel, recipient, unit, state, due_on)| {
            Ok(Notice {
                reminder_key,
                channel,
                recipient_id: sql::read("person id", &recipient)?,
                unit_id: sql::read("unit id", &unit)?,
                state,
                due_on,
            })
        })
        .collect()
}

/// Claims the notices no instance has claimed before; returns those this
/// call claimed (the others were already someone's).
pub async fn claim(
    store: &Store,
    wanted: &[Notice],
    instance: &str,
    now: Timestamp,
) -> Result<Vec<Notice>, StoreError> {
    let mut claimed = Vec::new();
    for chunk in wanted.chunks(ROWS_PER_STATEMENT) {
        let mut stmt = Query::insert()
            .into_table(Rn::Table)
            .columns([
                Rn::ReminderKey,
                Rn::Channel,
                Rn::RecipientId,
                Rn::UnitId,
                Rn::State,
                Rn::DueOn,
                Rn::ClaimedBy,
                Rn::ClaimedAt,
            ])
            .on_conflict(
                OnConflict::columns([Rn::ReminderKey, Rn::Channel, Rn::RecipientId])
                    .do_nothing()
                    .to_owned(),
            )
            .returning(Query::returning().columns([
                Rn::ReminderKey,
                Rn::Channel,
                Rn::RecipientId,
                Rn::UnitId,
                Rn::State,
                Rn::DueOn,
            ]))
            .to_owned();
        for n in chunk {
            stmt.values_panic([
                n.reminder_key.clone().into(),
                n.channel.clone().into(),
                n.recipient_id.to_string().into(),
                n.unit_id.to_string().into(),
                n.state.clone().into(),
                n.due_on.clone().into(),
                instance.into(),
                now.to_string().into(),
            ]);
        }
        let (text, values) = sql::render_for(store.backend(), &stmt);
        claimed.extend(notices(
            sqlx::query_as_with::<_, NoticeRow, _>(&text, values)
                .fetch_all(store.pool())
                .await?,
        )?);
    }
    Ok(claimed)
}

/// The part of an escalation's key after the unit: `<unit>/escalate:…`.
pub const ESCALATION_MARK: &str = "/escalate:";

/// The part of a waiting claim's key after the unit: `<unit>/claim:…`.
pub const CLAIM_MARK: &str = "/claim:";

/// The kinds of notice a pass delivers, each taken over on its own (a
/// pass of one kind must not finish another kind's notices).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    /// Screening duties and follow-ups: keys with neither mark.
    Duty,
    /// High-risk escalations (`ESCALATION_MARK`).
    Escalation,
    /// Claims waiting for a step (`CLAIM_MARK`).
    Claim,
}

/// Takes over the notices whose sending failed or whose instance stopped
/// before it finished: unsent, claimed before `stale_before`, tried fewer
/// than `max_attempts` times, of one kind. One instance wins each row.
pub async fn reclaim(
    store: &Store,
    instance: &str,
    now: Timestamp,
    stale_before: Timestamp,
    max_attempts: u32,
    of: NoticeKind,
) -> Result<Vec<Notice>, StoreError> {
    let escalation = format!("%{ESCALATION_MARK}%");
    let claim = format!("%{CLAIM_MARK}%");
    let kind = match of {
        NoticeKind::Escalation => Expr::col(Rn::ReminderKey).like(escalation),
        NoticeKind::Claim => Expr::col(Rn::ReminderKey).like(claim),
        NoticeKind::Duty => Expr::col(Rn::ReminderKey)
            .not_like(escalation)
            .and(Expr::col(Rn::ReminderKey).not_like(claim)),
    };
    let stmt = Query::update()
        .table(Rn::Table)
        .value(Rn::ClaimedBy, instance)
        .value(Rn::ClaimedAt, now.to_string())
        .value(
            sea_query::Alias::new("attempts"),
            Expr::col(sea_query::Alias::new("attempts")).add(1),
        )
        .and_where(Expr::col(sea_query::Alias::new("sent_at")).is_null())
        .and_where(Expr::col(Rn::ClaimedAt).lt(stale_before.to_string()))
        .and_where(Expr::col(sea_query::Alias::new("attempts")).lt(i64::from(max_attempts)))
        .and_where(kind)
        .returning(Query::returning().columns([
            Rn::ReminderKey,
            Rn::Channel,
            Rn::RecipientId,
            Rn::UnitId,
            Rn::State,
            Rn::DueOn,
        ]))
        .to_owned();
    let (text, values) = sql::render_for(store.backend(), &stmt);
    notices(
        sqlx::query_as_with::<_, NoticeRow, _>(&text, values)
            .fetch_all(store.pool())
            .await?,
    )
}

/// Marks notices sent (`error` none) or failed (kept for a retry).
pub async fn finish(
    store: &Store,
    done: &[&Notice],
    now: Timestamp,
    error: Option<&str>,
) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    for n in done {
        let q = match error {
            None => sqlx::query(
                "UPDATE reminder_notice SET sent_at = $1, last_error = NULL \
                 WHERE reminder_key = $2 AND channel = $3 AND recipient_id = $4",
            )
            .bind(now.to_string()),
            Some(e) => sqlx::query(
                "UPDATE reminder_notice SET last_error = $1 \
                 WHERE reminder_key = $2 AND channel = $3 AND recipient_id = $4",
            )
            .bind(e.to_owned()),
        };
        q.bind(&n.reminder_key)
            .bind(&n.channel)
            .bind(n.recipient_id.to_string())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await
}

/// Gives up notices the other side refused: no pass tries them again.
pub async fn give_up(store: &Store, done: &[&Notice], max_attempts: u32) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    for n in done {
        sqlx::query(
            "UPDATE reminder_notice SET attempts = $1 \
             WHERE reminder_key = $2 AND channel = $3 AND recipient_id = $4",
        )
        .bind(i64::from(max_attempts))
        .bind(&n.reminder_key)
        .bind(&n.channel)
        .bind(n.recipient_id.to_string())
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}

/// What one pass of the scheduler did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub instance: String,
    pub started_at: Timestamp,
    pub finished_at: Timestamp,
    pub units: u64,
    pub reminders: u64,
    pub claimed: u64,
    pub sent: u64,
    pub failed: u64,
}

pub async fn record_run(store: &Store, run: &Run) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO reminder_run (id, instance, started_at, finished_at, units, reminders, claimed, sent, failed) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(&run.instance)
    .bind(run.started_at.to_string())
    .bind(run.finished_at.to_string())
    .bind(run.units as i64)
    .bind(run.reminders as i64)
    .bind(run.claimed as i64)
    .bind(run.sent as i64)
    .bind(run.failed as i64)
    .execute(store.pool())
    .await?;
    Ok(())
}
