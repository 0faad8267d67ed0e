//! What the reminder scheduler reads and claims: the people who answer for
//! a unit's duties, the devices' Web Push subscriptions, the claims
//! (`reminder_notice`, one row per reminder, channel and recipient) and the
//! log of passes. Shared settings (the VAPID key) live here too.

use super::DbError;

/// Roles whose holders are told of their unit's duties: the mediators and
/// committee heads of a committee or group, the judicial office of a
/// township, the bureau's business section for the city.
pub const ANSWERING_ROLES: [&str; 5] = [
    "mediator",
    "committee_head",
    "judicial_staff",
    "judicial_director",
    "bureau_section",
];

/// A person who answers for a unit's duties.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Answering {
    pub unit_id: String,
    pub person_id: String,
    pub name: String,
    pub phone: Option<String>,
}

/// Roles whose holders hear at once of a high-risk dispute below them:
/// the township's judicial office, the city bureau's business section.
pub const SUPERVISING_ROLES: [&str; 3] = ["judicial_staff", "judicial_director", "bureau_section"];

/// Everyone active holding one of [`ANSWERING_ROLES`], by unit.
pub async fn answering(pool: &sqlx::AnyPool) -> Result<Vec<Answering>, DbError> {
    holding(pool, &ANSWERING_ROLES).await
}

/// Everyone active holding one of [`SUPERVISING_ROLES`], by unit.
pub async fn supervising(pool: &sqlx::AnyPool) -> Result<Vec<Answering>, DbError> {
    holding(pool, &SUPERVISING_ROLES).await
}

/// `'a', 'b'`: a list of role codes (constants of ours) for `IN (…)`.
fn roles_sql(roles: &[&str]) -> String {
    roles
        .iter()
        .map(|r| format!("'{r}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

async fn holding(pool: &sqlx::AnyPool, roles: &[&str]) -> Result<Vec<Answering>, DbError> {
    let roles = roles_sql(roles);
    let sql = format!(
        "SELECT DISTINCT g.unit_id, p.id AS person_id, p.name, p.phone \
         FROM role_grant g JOIN person p ON p.id = g.person_id \
         WHERE p.active = 1 AND g.role IN ({roles}) ORDER BY g.unit_id, p.id"
    );
    Ok(sqlx::query_as::<_, Answering>(&sql).fetch_all(pool).await?)
}

/// A device's push subscription, of a session not revoked.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Subscription {
    pub id: String,
    pub person_id: String,
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
}

pub async fn subscriptions(pool: &sqlx::AnyPool) -> Result<Vec<Subscription>, DbError> {
    Ok(sqlx::query_as::<_, Subscription>(
        "SELECT s.id, s.person_id, s.endpoint, s.p256dh, s.auth FROM push_subscription s \
         JOIN device_session d ON d.id = s.session_id WHERE d.revoked_at IS NULL \
         ORDER BY s.person_id, s.id",
    )
    .fetch_all(pool)
    .await?)
}

/// Stores (or moves to this session) a subscription.
pub async fn save_subscription(
    pool: &sqlx::AnyPool,
    sub: &Subscription,
    session_id: &str,
    now: &str,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO push_subscription (id, session_id, person_id, endpoint, p256dh, auth, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (id) DO UPDATE SET session_id = excluded.session_id, \
         person_id = excluded.person_id, p256dh = excluded.p256dh, auth = excluded.auth",
    )
    .bind(&sub.id)
    .bind(session_id)
    .bind(&sub.person_id)
    .bind(&sub.endpoint)
    .bind(&sub.p256dh)
    .bind(&sub.auth)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(())
}

/// Forgets a subscription: of this session (`DELETE` by the device), or
/// any (the push service said it is gone).
pub async fn delete_subscription(
    pool: &sqlx::AnyPool,
    id: &str,
    session_id: Option<&str>,
) -> Result<bool, DbError> {
    let done = match session_id {
        Some(session) => {
            sqlx::query("DELETE FROM push_subscription WHERE id = $1 AND session_id = $2")
                .bind(id)
                .bind(session)
                .execute(pool)
                .await?
        }
        None => {
            sqlx::query("DELETE FROM push_subscription WHERE id = $1")
                .bind(id)
                .execute(pool)
                .await?
        }
    };
    Ok(done.rows_affected() > 0)
}

/// A setting generated once for every instance: the first to ask stores
/// `make()`'s value, everyone reads the stored one.
pub async fn shared_setting(
    pool: &sqlx::AnyPool,
    name: &str,
    make: impl FnOnce() -> String,
    now: &str,
) -> Result<String, DbError> {
    if let Some(v) = sqlx::query_scalar("SELECT value FROM server_setting WHERE name = $1")
        .bind(name)
        .fetch_optional(pool)
        .await?
    {
        return Ok(v);
    }
    sqlx::query(
        "INSERT INTO server_setting (name, value, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO NOTHING",
    )
    .bind(name)
    .bind(make())
    .bind(now)
    .execute(pool)
    .await?;
    Ok(
        sqlx::query_scalar("SELECT value FROM server_setting WHERE name = $1")
            .bind(name)
            .fetch_one(pool)
            .await?,
    )
}

/// One claim: a reminder for one channel and one recipient.
#[derive(Debug, Clone, PartialEq, Eq, Hash, sqlx::FromRow)]
pub struct Notice {
    pub reminder_key: String,
    pub channel: String,
    pub recipient_id: String,
    pub unit_id: String,
    pub state: String,
    pub due_on: String,
}

/// Rows per INSERT (7 values each, far under either database's limit).
const CLAIM_BATCH: usize = 200;

/// Claims the notices no instance has claimed before; returns those this
/// call claimed (the others were already someone's).
pub async fn claim(
    pool: &sqlx::AnyPool,
    notices: &[Notice],
    instance: &str,
    now: &str,
) -> Result<Vec<Notice>, DbError> {
    let mut claimed = Vec::new();
    for chunk in notices.chunks(CLAIM_BATCH) {
        let values = (0..chunk.len())
            .map(|i| {
                let b = i * 6 + 3;
                format!(
                    "(${b}, ${}, ${}, ${}, ${}, ${}, $1, $2)",
                    b + 1,
                    b + 2,
                    b + 3,
                    b + 4,
                    b + 5
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO reminder_notice (reminder_key, channel, recipient_id, unit_id, state, due_on, claimed_by, claimed_at) \
             VALUES {values} ON CONFLICT (reminder_key, channel, recipient_id) DO NOTHING \
             RETURNING reminder_key, channel, recipient_id, unit_id, state, due_on"
        );
        let mut q = sqlx::query_as::<_, Notice>(&sql).bind(instance).bind(now);
        for n in chunk {
            q = q
                .bind(&n.reminder_key)
                .bind(&n.channel)
                .bind(&n.recipient_id)
                .bind(&n.unit_id)
                .bind(&n.state)
                .bind(&n.due_on);
        }
        claimed.extend(q.fetch_all(pool).await?);
    }
    Ok(claimed)
}

/// The part of an escalation's key after the unit: `<unit>/escalate:…`.
pub const ESCALATION_MARK: &str = "/escalate:";

/// Takes over the notices whose sending failed or whose instance stopped
/// before it finished: unsent, claimed before `stale_before`, tried fewer
/// than `max_attempts` times; escalations or the others. One instance wins
/// each row.
pub async fn reclaim(
    pool: &sqlx::AnyPool,
    instance: &str,
    now: &str,
    stale_before: &str,
    max_attempts: i64,
    escalations: bool,
) -> Result<Vec<Notice>, DbError> {
    let kind = if escalations { "LIKE" } else { "NOT LIKE" };
    let sql = format!(
        "UPDATE reminder_notice SET claimed_by = $1, claimed_at = $2, attempts = attempts + 1 \
         WHERE sent_at IS NULL AND claimed_at < $3 AND attempts < $4 AND reminder_key {kind} $5 \
         RETURNING reminder_key, channel, recipient_id, unit_id, state, due_on"
    );
    Ok(sqlx::query_as::<_, Notice>(&sql)
        .bind(instance)
        .bind(now)
        .bind(stale_before)
        .bind(max_attempts)
        .bind(format!("%{ESCALATION_MARK}%"))
        .fetch_all(pool)
        .await?)
}

/// Marks notices sent (`error` none) or failed (kept for a retry).
pub async fn finish(
    pool: &sqlx::AnyPool,
    notices: &[&Notice],
    now: &str,
    error: Option<&str>,
) -> Result<(), DbError> {
    let mut tx = pool.begin().await?;
    for n in notices {
        let q = match error {
            None => sqlx::query(
                "UPDATE reminder_notice SET sent_at = $1, last_error = NULL \
                 WHERE reminder_key = $2 AND channel = $3 AND recipient_id = $4",
            )
            .bind(now),
            Some(e) => sqlx::query(
                "UPDATE reminder_notice SET last_error = $1 \
                 WHERE reminder_key = $2 AND channel = $3 AND recipient_id = $4",
            )
            .bind(e),
        };
        q.bind(&n.reminder_key)
            .bind(&n.channel)
            .bind(&n.recipient_id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// What one pass of the scheduler did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunLog {
    pub id: String,
    pub instance: String,
    pub started_at: String,
    pub finished_at: String,
    pub units: i64,
    pub reminders: i64,
    pub claimed: i64,
    pub sent: i64,
    pub failed: i64,
}

pub async fn record_run(pool: &sqlx::AnyPool, run: &RunLog) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO reminder_run (id, instance, started_at, finished_at, units, reminders, claimed, sent, failed) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&run.id)
    .bind(&run.instance)
    .bind(&run.started_at)
    .bind(&run.finished_at)
    .bind(run.units)
    .bind(run.reminders)
    .bind(run.claimed)
    .bind(run.sent)
    .bind(run.failed)
    .execute(pool)
    .await?;
    Ok(())
}

/// Every screening record's (unit, duty, day) dated on or after `from`.
pub async fn done_since(
    pool: &sqlx::AnyPool,
    from: &str,
) -> Result<Vec<super::screenings::DoneRow>, DbError> {
    Ok(
        sqlx::query_as("SELECT unit_id, duty, done_on FROM screening_record WHERE done_on >= $1")
            .bind(from)
            .fetch_all(pool)
            .await?,
    )
}

/// The stored cases that are not deleted, as JSON (for their risk
/// follow-ups).
pub async fn live_case_payloads(pool: &sqlx::AnyPool) -> Result<Vec<String>, DbError> {
    Ok(sqlx::query_scalar(
        "SELECT payload FROM case_record WHERE deleted = 0 AND payload IS NOT NULL",
    )
    .fetch_all(pool)
    .await?)
}

/// Gives up notices the other side refused: no pass tries them again.
pub async fn give_up(pool: &sqlx::AnyPool, notices: &[&Notice]) -> Result<(), DbError> {
    let mut tx = pool.begin().await?;
    for n in notices {
        sqlx::query(
            "UPDATE reminder_notice SET attempts = $1 \
             WHERE reminder_key = $2 AND channel = $3 AND recipient_id = $4",
        )
        .bind(crate::reminders::MAX_ATTEMPTS)
        .bind(&n.reminder_key)
        .bind(&n.channel)
        .bind(&n.recipient_id)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The stored cases that may be open high-risk disputes (the JSON is
/// compact, as the server writes it): the caller parses and checks them.
pub async fn high_risk_payloads(pool: &sqlx::AnyPool) -> Result<Vec<String>, DbError> {
    Ok(
        sqlx::query_scalar("SELECT payload FROM case_record WHERE deleted = 0 AND payload LIKE $1")
            .bind("%\"risk\":\"high\"%")
            .fetch_all(pool)
            .await?,
    )
}

/// One item of a person's inbox.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct InboxRow {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub case_id: Option<String>,
    pub unit_id: String,
    pub created_at: String,
    pub read_at: Option<String>,
}

/// Stores an inbox item once per person and subject.
#[allow(clippy::too_many_arguments)]
pub async fn put_inbox(
    pool: &sqlx::AnyPool,
    person_id: &str,
    subject: &str,
    kind: &str,
    title: &str,
    body: &str,
    case_id: Option<&str>,
    unit_id: &str,
    now: &str,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO inbox_item (id, person_id, subject, kind, title, body, case_id, unit_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (person_id, subject) DO NOTHING",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(person_id)
    .bind(subject)
    .bind(kind)
    .bind(title)
    .bind(body)
    .bind(case_id)
    .bind(unit_id)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(())
}

/// A person's newest inbox items, and how many are unread.
pub async fn inbox_of(
    pool: &sqlx::AnyPool,
    person_id: &str,
    limit: i64,
) -> Result<(Vec<InboxRow>, i64), DbError> {
    let items = sqlx::query_as::<_, InboxRow>(
        "SELECT id, kind, title, body, case_id, unit_id, created_at, read_at FROM inbox_item \
         WHERE person_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
    )
    .bind(person_id)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    let unread = sqlx::query_scalar(
        "SELECT COUNT(*) FROM inbox_item WHERE person_id = $1 AND read_at IS NULL",
    )
    .bind(person_id)
    .fetch_one(pool)
    .await?;
    Ok((items, unread))
}

/// Marks one of the person's items read; false when it is not theirs.
pub async fn mark_read(
    pool: &sqlx::AnyPool,
    person_id: &str,
    id: &str,
    now: &str,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE inbox_item SET read_at = COALESCE(read_at, $1) WHERE id = $2 AND person_id = $3",
    )
    .bind(now)
    .bind(id)
    .bind(person_id)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// (person id, name, unit name, role) of everyone active holding an
/// answering role at one of `units`.
pub async fn answering_at(
    pool: &sqlx::AnyPool,
    units: &[&str],
) -> Result<Vec<(String, String, String, String)>, DbError> {
    if units.is_empty() {
        return Ok(Vec::new());
    }
    let roles = roles_sql(&ANSWERING_ROLES);
    let ids = (1..=units.len())
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT p.id, p.name, u.name, g.role FROM role_grant g \
         JOIN person p ON p.id = g.person_id JOIN org_unit u ON u.id = g.unit_id \
         WHERE p.active = 1 AND g.role IN ({roles}) AND g.unit_id IN ({ids}) \
         ORDER BY u.depth DESC, p.name"
    );
    let mut q = sqlx::query_as::<_, (String, String, String, String)>(&sql);
    for u in units {
        q = q.bind(*u);
    }
    Ok(q.fetch_all(pool).await?)
}
