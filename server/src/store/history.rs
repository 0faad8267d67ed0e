//! A case's versions as the server keeps them (`case_history`, one row per
//! replaced version, and `case_record` for the latest), with who made
//! each: the account behind the push that made it, or behind the office's
//! device session for a change made on the server (a lock, a risk step, a
//! referral).

use super::sql::{self, IDS_PER_STATEMENT};
use super::{Conn, StoreError};
use domain::{CaseId, DeviceSessionId, PersonId, Timestamp};
use sea_query::{Alias, Expr, Query};

/// One replaced version.
#[derive(Debug, Clone, PartialEq)]
pub struct Replaced {
    pub version: u64,
    /// `None`: the version was a tombstone.
    pub payload: Option<String>,
    /// When the next version replaced it.
    pub replaced_at: Timestamp,
    /// What made the next version: a push (`Push`) or an office's action on
    /// the server (`Action`, e.g. `lock`).
    pub by: Maker,
    /// The fields where the next version's change replaced this version's
    /// value by the server's order (a conflict).
    pub overridden: Vec<String>,
}

/// Who made a version, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Maker {
    /// A push from a phone, by the person of the account that pushed it.
    Push { person: Option<PersonId> },
    /// An action on the server (`lock`, `unlock`, `risk`, `referral`…), by
    /// the person of the device session that took it.
    Action {
        action: String,
        person: Option<PersonId>,
    },
}

/// The replaced versions of a case, oldest first, with their makers.
pub async fn replaced(c: &mut Conn, id: CaseId) -> Result<Vec<Replaced>, StoreError> {
    type Row = (
        i64,
        Option<String>,
        String,
        String,
        Option<String>,
        Option<String>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT h.version, h.payload, h.replaced_at, h.replaced_by, h.overridden, a.person_id \
         FROM case_history h \
         LEFT JOIN sync_mutation m ON m.mutation_id = h.replaced_by \
         LEFT JOIN sync_client s ON s.client_id = m.client_id \
         LEFT JOIN account a ON a.id = s.account_id \
         WHERE h.case_id = $1 ORDER BY h.version",
    )
    .bind(id.to_string())
    .fetch_all(&mut *c)
    .await?;
    // an action's maker: `<action>:<device session>`
    let sessions: Vec<DeviceSessionId> = rows
        .iter()
        .filter_map(|r| r.3.split_once(':').and_then(|(_, s)| s.parse().ok()))
        .collect();
    let people = session_people(c, &sessions).await?;
    rows.into_iter()
        .map(|(version, payload, at, by, overridden, pusher)| {
            let by = match by.split_once(':') {
                Some((action, session)) => Maker::Action {
                    action: action.to_owned(),
                    person: session
                        .parse::<DeviceSessionId>()
                        .ok()
                        .and_then(|s| people.iter().find(|(id, _)| *id == s))
                        .map(|(_, p)| *p),
                },
                None => Maker::Push {
                    person: sql::read_opt("person id", pusher.as_deref())?,
                },
            };
            Ok(Replaced {
                version: sql::count("version", version)?,
                payload,
                replaced_at: sql::read("replaced_at", &at)?,
                by,
                overridden: overridden
                    .as_deref()
                    .and_then(|o| serde_json::from_str(o).ok())
                    .unwrap_or_default(),
            })
        })
        .collect()
}

/// When a case was first stored.
pub async fn created_at(c: &mut Conn, id: CaseId) -> Result<Option<Timestamp>, StoreError> {
    let at: Option<String> = sqlx::query_scalar("SELECT created_at FROM case_record WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(&mut *c)
        .await?;
    at.map(|t| sql::read("created_at", &t)).transpose()
}

/// The person behind each of these device sessions.
async fn session_people(
    c: &mut Conn,
    ids: &[DeviceSessionId],
) -> Result<Vec<(DeviceSessionId, PersonId)>, StoreError> {
    let mut out = Vec::new();
    let (d, a) = (Alias::new("d"), Alias::new("a"));
    for chunk in ids.chunks(IDS_PER_STATEMENT) {
        let stmt = Query::select()
            .column((d.clone(), Alias::new("id")))
            .column((a.clone(), Alias::new("person_id")))
            .from_as(Alias::new("device_session"), d.clone())
            .join_as(
                sea_query::JoinType::InnerJoin,
                Alias::new("account"),
                a.clone(),
                Expr::col((a.clone(), Alias::new("id")))
                    .equals((d.clone(), Alias::new("account_id"))),
            )
            .and_where(
                Expr::col((d.clone(), Alias::new("id")))
                    .is_in(chunk.iter().map(|id| id.to_string())),
            )
            .to_owned();
        let (text, values) = sql::render(c, &stmt);
        let rows: Vec<(String, String)> = sqlx::query_as_with(&text, values)
            .fetch_all(&mut *c)
            .await?;
        for (session, person) in rows {
            out.push((
                sql::read("session id", &session)?,
                sql::read("person id", &person)?,
            ));
        }
    }
    Ok(out)
}
