//! The server's reminders (docs/screening.md, "The server's reminders"):
//! a scheduler that, every few minutes, computes the same reminders the
//! phones compute (`domain::screening`) for every unit, claims each open
//! one for each channel and recipient in the database, and sends what it
//! claimed. The claim is a row with a unique key (reminder, channel,
//! recipient): several server instances may run the scheduler at once and
//! each reminder still goes out at most once per period per channel.
//!
//! A claim whose sending failed, or whose instance stopped before sending,
//! is taken over by the next pass after [`Scheduler::lease`] and tried
//! again, up to [`MAX_ATTEMPTS`] times. A message that reached the other
//! side just before its instance died may so be sent twice: the webhook's
//! `X-Tiaojie-Delivery` key lets a gateway drop the copy.

pub mod channel;
pub mod message;
pub mod recipients;
pub mod web_push;
pub mod webhook;

use crate::config::RemindArgs;
use crate::db::{self, Db, org, reminders as store};
use channel::{Channel, Reach};
use domain::UnitId;
use domain::case::Case;
use domain::org::UnitRecord;
use domain::screening::{
    Cadence, Period, RECENT_PERIODS, RecordIndex, RecordRef, Reminder, ReminderState, Schedule,
    case_risks, units_in_charge,
};
use recipients::Directory;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

/// Tries of one claim before it is given up.
pub const MAX_ATTEMPTS: i64 = 5;
/// Messages sent at once.
const PARALLEL_SENDS: usize = 8;

/// What one pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PassReport {
    pub units: usize,
    /// Open (due or overdue) reminders computed.
    pub open: usize,
    /// Claims this pass made or took over.
    pub claimed: usize,
    /// Messages accepted by the other side.
    pub sent: usize,
    /// Messages that failed (retried by a later pass).
    pub failed: usize,
    /// Outside the sending hours: computed, nothing claimed.
    pub quiet: bool,
}

pub struct Scheduler {
    db: Db,
    instance: String,
    channels: Vec<Arc<dyn Channel>>,
    every: Duration,
    hours: (u8, u8),
}

impl Scheduler {
    /// A scheduler with the channels `args` configures: the webhook when
    /// it has a URL, Web Push when `push` is given (none: it still computes
    /// and logs its passes).
    pub fn new(
        db: Db,
        args: &RemindArgs,
        push: Option<Arc<web_push::WebPush>>,
    ) -> anyhow::Result<Scheduler> {
        let mut channels: Vec<Arc<dyn Channel>> = Vec::new();
        if let Some(url) = &args.webhook_url {
            let secret = args.webhook_secret.clone().ok_or_else(|| {
                anyhow::anyhow!("TIAOJIE_WEBHOOK_SECRET is needed with TIAOJIE_WEBHOOK_URL")
            })?;
            channels.push(Arc::new(webhook::Webhook::new(url.clone(), secret)?));
        }
        if let Some(push) = push {
            channels.push(push);
        }
        Ok(Scheduler {
            db,
            instance: format!("{}-{}", hostname(), uuid::Uuid::now_v7().simple()),
            channels,
            every: Duration::from_secs(args.remind_every_secs),
            hours: args.hours()?,
        })
    }

    pub fn instance(&self) -> &str {
        &self.instance
    }

    /// After this long unsent, a claim is taken over by another pass.
    pub fn lease(&self) -> Duration {
        (self.every * 2).max(Duration::from_secs(600))
    }

    /// Runs a pass every `every` until the process ends (spawned by `serve`).
    pub fn spawn(self) -> Option<tokio::task::JoinHandle<()>> {
        if self.every.is_zero() {
            return None;
        }
        Some(tokio::spawn(async move {
            // the first pass a little after start, when the server is warm
            let first = tokio::time::Instant::now() + self.every.min(Duration::from_secs(30));
            let mut tick = tokio::time::interval_at(first, self.every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                match self.pass(jiff::Timestamp::now()).await {
                    Ok(r) => tracing::info!(
                        units = r.units,
                        open = r.open,
                        claimed = r.claimed,
                        sent = r.sent,
                        failed = r.failed,
                        quiet = r.quiet,
                        "reminder pass"
                    ),
                    Err(e) => tracing::error!(error = %e, "reminder pass failed"),
                }
            }
        }))
    }

    /// One pass at `now`: compute, claim, send, record.
    #[tracing::instrument(skip_all, fields(instance = %self.instance))]
    pub async fn pass(&self, now: jiff::Timestamp) -> anyhow::Result<PassReport> {
        let started = db::timestamp_text(now);
        let today = domain::dates::china_date(now);
        let schedule = Schedule::five_ones();
        let pool = self.db.pool();

        // every unit, the records that can still matter, the open cases
        let rows = org::units_under(pool, &["/"]).await?;
        let parents: Vec<(String, Option<String>)> = rows
            .iter()
            .map(|u| (u.id.clone(), u.parent_id.clone()))
            .collect();
        let unit_names: HashMap<String, String> = rows
            .iter()
            .map(|u| (u.id.clone(), u.name.clone()))
            .collect();
        let records: Vec<UnitRecord> = rows
            .into_iter()
            .map(org::SubtreeUnit::into_record)
            .collect::<anyhow::Result<_>>()?;
        let units: Vec<_> = records
            .iter()
            .filter(|u| u.parent_id.is_none())
            .flat_map(|root| units_in_charge(root.id, &records))
            .collect();
        let from = domain::dates::format_iso(records_needed_from(today));
        let done = store::done_since(pool, &from).await?;
        let refs: Vec<RecordRef<'_>> = done
            .iter()
            .filter_map(|row| {
                Some(RecordRef {
                    unit_id: UnitId::parse(&row.unit_id).ok()?,
                    duty: &row.duty,
                    date: domain::dates::parse_iso(&row.done_on)?,
                })
            })
            .collect();
        let cases: Vec<Case> = store::live_case_payloads(pool)
            .await?
            .iter()
            .filter_map(|p| serde_json::from_str(p).ok())
            .collect();
        let risks = case_risks(&cases);
        let index = RecordIndex::build(&schedule, &refs, today);
        let open: Vec<Reminder> = index
            .reminders(&units, &risks)
            .into_iter()
            .filter(|r| r.state != ReminderState::Done)
            .collect();
        let mut report = PassReport {
            units: units.len(),
            open: open.len(),
            ..PassReport::default()
        };

        let hour = now.to_zoned(domain::dates::china()).hour() as u8;
        report.quiet = !(self.hours.0 <= hour && hour < self.hours.1);
        if !report.quiet && !self.channels.is_empty() {
            self.claim_and_send(now, &schedule, &open, parents, &unit_names, &mut report)
                .await?;
        }

        store::record_run(
            pool,
            &store::RunLog {
                id: uuid::Uuid::now_v7().to_string(),
                instance: self.instance.clone(),
                started_at: started,
                finished_at: db::now_text(),
                units: report.units as i64,
                reminders: report.open as i64,
                claimed: report.claimed as i64,
                sent: report.sent as i64,
                failed: report.failed as i64,
            },
        )
        .await?;
        Ok(report)
    }

    async fn claim_and_send(
        &self,
        now: jiff::Timestamp,
        schedule: &Schedule,
        open: &[Reminder],
        parents: Vec<(String, Option<String>)>,
        unit_names: &HashMap<String, String>,
        report: &mut PassReport,
    ) -> anyhow::Result<()> {
        let pool = self.db.pool();
        let directory = Directory::new(parents, store::answering(pool).await?);
        let mut subscriptions: HashMap<String, Vec<store::Subscription>> = HashMap::new();
        for s in store::subscriptions(pool).await? {
            subscriptions
                .entry(s.person_id.clone())
                .or_default()
                .push(s);
        }
        let no_subscriptions = Vec::new();
        let subs_of = |person: &str| subscriptions.get(person).unwrap_or(&no_subscriptions);

        // what each channel could send, then what this instance claims
        let by_key: HashMap<String, &Reminder> =
            open.iter().map(|r| (r.reminder_key(), r)).collect();
        let mut wanted = Vec::new();
        for r in open {
            let unit = r.unit_id.to_string();
            for person in directory.answering_for(&unit) {
                let reach = Reach {
                    recipient: person,
                    subscriptions: subs_of(&person.person_id),
                };
                for channel in &self.channels {
                    if channel.reaches(&reach) {
                        wanted.push(store::Notice {
                            reminder_key: r.reminder_key(),
                            channel: channel.name().to_owned(),
                            recipient_id: person.person_id.clone(),
                            unit_id: unit.clone(),
                            state: r.state.code().to_owned(),
                            due_on: domain::dates::format_iso(r.due_on),
                        });
                    }
                }
            }
        }
        let now_text = db::timestamp_text(now);
        let stale = now
            .checked_sub(jiff::SignedDuration::try_from(self.lease())?)
            .unwrap_or(now);
        let mut claimed = store::reclaim(
            pool,
            &self.instance,
            &now_text,
            &db::timestamp_text(stale),
            MAX_ATTEMPTS,
        )
        .await?;
        // a taken-over claim whose reminder is done by now is not sent
        let (still_open, closed): (Vec<_>, Vec<_>) = claimed
            .drain(..)
            .partition(|n| by_key.contains_key(&n.reminder_key));
        if !closed.is_empty() {
            let refs: Vec<&store::Notice> = closed.iter().collect();
            store::finish(pool, &refs, &now_text, Some("no longer open")).await?;
        }
        claimed = still_open;
        claimed.extend(store::claim(pool, &wanted, &self.instance, &now_text).await?);
        report.claimed = claimed.len();

        // one message per channel and recipient
        let mut groups: HashMap<(String, String), Vec<&store::Notice>> = HashMap::new();
        for n in &claimed {
            groups
                .entry((n.channel.clone(), n.recipient_id.clone()))
                .or_default()
                .push(n);
        }
        let people: HashMap<&str, &recipients::Recipient> = claimed
            .iter()
            .filter_map(|n| {
                directory
                    .answering_for(&n.unit_id)
                    .iter()
                    .find(|p| p.person_id == n.recipient_id)
                    .map(|p| (n.recipient_id.as_str(), p))
            })
            .collect();
        let mut jobs = Vec::new();
        for ((channel_name, person_id), notices) in groups {
            let Some(channel) = self.channels.iter().find(|c| c.name() == channel_name) else {
                continue;
            };
            let Some(person) = people.get(person_id.as_str()) else {
                continue;
            };
            let mut seen = HashSet::new();
            let items: Vec<&Reminder> = notices
                .iter()
                .filter_map(|n| by_key.get(&n.reminder_key).copied())
                .filter(|r| seen.insert(r.reminder_key()))
                .collect();
            let message = message::compose(person, &items, schedule, unit_names);
            jobs.push((channel.clone(), (*person).clone(), message, notices));
        }

        let semaphore = Arc::new(tokio::sync::Semaphore::new(PARALLEL_SENDS));
        let mut sends = tokio::task::JoinSet::new();
        for (index, (channel, person, message, _)) in jobs.iter().enumerate() {
            let (channel, person, message) = (channel.clone(), person.clone(), message.clone());
            let subs = subs_of(&person.person_id).clone();
            let permit = semaphore.clone().acquire_owned().await?;
            sends.spawn(async move {
                let reach = Reach {
                    recipient: &person,
                    subscriptions: &subs,
                };
                let result = channel.send(reach, &message).await;
                drop(permit);
                (index, result)
            });
        }
        while let Some(joined) = sends.join_next().await {
            let (index, result) = joined?;
            let notices = &jobs[index].3;
            match result {
                Ok(outcome) => {
                    report.sent += 1;
                    store::finish(pool, notices, &db::now_text(), None).await?;
                    for gone in outcome.gone {
                        store::delete_subscription(pool, &gone, None).await?;
                    }
                }
                Err(e) => {
                    report.failed += 1;
                    tracing::warn!(channel = jobs[index].0.name(), error = %e, "reminder not sent");
                    let error = e.to_string();
                    store::finish(pool, notices, &db::now_text(), Some(&error)).await?;
                    if matches!(e, channel::SendError::Refused(_)) {
                        store::give_up(pool, notices).await?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// The Web Push channel, with the instances' shared VAPID key (generated
/// by the first one); none when `args` turn it off.
pub async fn web_push_channel(
    db: &Db,
    args: &RemindArgs,
) -> anyhow::Result<Option<Arc<web_push::WebPush>>> {
    if args.no_web_push {
        return Ok(None);
    }
    let key = store::shared_setting(
        db.pool(),
        web_push::VAPID_SETTING,
        web_push::new_private_key,
        &db::now_text(),
    )
    .await?;
    Ok(Some(Arc::new(web_push::WebPush::new(
        &key,
        args.push_subject.clone(),
        args.push_allow_http_endpoints,
    )?)))
}

/// The first day whose records a pass needs: the start of the quarter
/// [`RECENT_PERIODS`] before the running one (weeks and months need less).
fn records_needed_from(today: jiff::civil::Date) -> jiff::civil::Date {
    let mut p = Period::containing(Cadence::Quarterly, today);
    for _ in 0..RECENT_PERIODS {
        match p.prev() {
            Some(prev) => p = prev,
            None => break,
        }
    }
    p.start()
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "server".to_owned())
}
