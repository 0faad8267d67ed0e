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
pub mod claim_waiting;
pub mod escalation;
pub mod inbox;
pub mod message;
pub mod public_net;
pub mod recipients;
pub mod web_push;
pub mod webhook;

use crate::config::RemindArgs;
use crate::service::reference;
use crate::service::risk::answering_roles;
use crate::store::reminders::NoticeKind as Kind;
use crate::store::{self, Store, StoreError, reminders as claims};
use channel::{Channel, Reach};
use domain::case::Case;
use domain::org::UnitRecord;
use domain::screening::{
    Cadence, Period, RECENT_PERIODS, RecordIndex, RecordRef, Reminder, ReminderState, RiskRef,
    Schedule, UnitRef, applying_by_unit, applying_index, case_risks, units_in_charge,
};
use domain::{PersonId, Timestamp, UnitId};
use message::Message;
use recipients::{Directory, Recipient};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

/// Tries of one claim before it is given up.
pub const MAX_ATTEMPTS: u32 = 5;
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
    store: Store,
    instance: String,
    channels: Vec<Arc<dyn Channel>>,
    /// Always on: where escalations land in the app.
    inbox: Arc<inbox::Inbox>,
    every: Duration,
    hours: (u8, u8),
    /// Notified when a push stored a high-risk case.
    wake: Arc<tokio::sync::Notify>,
    /// Days a claim waits at a step before its signer hears of it.
    claim_days: u32,
}

/// Which of the stored schedules applies to each unit: its locality's, or
/// the newest where no schedule names the unit's locality.
struct Localities {
    applies: HashMap<UnitId, usize>,
    newest: Option<usize>,
}

impl Localities {
    fn new(schedules: &[Schedule], units: &[UnitRecord]) -> Self {
        Localities {
            applies: applying_by_unit(schedules, units),
            newest: applying_index(schedules, &[]),
        }
    }

    /// The index in the schedules of the one that applies to `unit`.
    fn of(&self, unit: UnitId) -> Option<usize> {
        self.applies.get(&unit).copied().or(self.newest)
    }
}

/// The `high` risk level as `schedule`'s locality names it (高风险 by default).
fn high_name(schedule: Option<&Schedule>) -> String {
    schedule.map_or_else(
        || Schedule::five_ones().risk_name("high", false),
        |s| s.risk_name("high", false),
    )
}

impl Scheduler {
    /// A scheduler with the channels `args` configures: the webhook when
    /// it has a URL, Web Push when `push` is given (none: it still computes
    /// and logs its passes).
    pub fn new(
        store: Store,
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
            inbox: Arc::new(inbox::Inbox::new(store.clone())),
            store,
            instance: format!("{}-{}", hostname(), uuid::Uuid::now_v7().simple()),
            channels,
            every: Duration::from_secs(args.remind_every_secs),
            hours: args.hours()?,
            wake: Arc::new(tokio::sync::Notify::new()),
            claim_days: args.claim_remind_days,
        })
    }

    pub fn instance(&self) -> &str {
        &self.instance
    }

    /// After this long unsent, a claim is taken over by another pass.
    pub fn lease(&self) -> Duration {
        (self.every * 2).max(Duration::from_secs(600))
    }

    /// Notify it to escalate new high-risk cases now (the push handler
    /// does, after a push stored one).
    pub fn wake_handle(&self) -> Arc<tokio::sync::Notify> {
        self.wake.clone()
    }

    /// Runs until the process ends (spawned by `serve`): a pass every
    /// `every` (none when 0), and an escalation whenever woken.
    pub fn spawn(self) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let periodic = !self.every.is_zero();
            let every = self.every.max(Duration::from_secs(1));
            // the first pass a little after start, when the server is warm
            let first = tokio::time::Instant::now() + every.min(Duration::from_secs(30));
            let mut tick = tokio::time::interval_at(first, every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = tick.tick(), if periodic => {
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
                    () = self.wake.notified() => {
                        match self.escalate(jiff::Timestamp::now()).await {
                            Ok(r) => tracing::info!(claimed = r.claimed, sent = r.sent, failed = r.failed, "escalation"),
                            Err(e) => tracing::error!(error = %e, "escalation failed"),
                        }
                    }
                }
            }
        })
    }

    /// One pass at `now`: compute, claim, send, record.
    #[tracing::instrument(skip_all, fields(instance = %self.instance))]
    pub async fn pass(&self, now: jiff::Timestamp) -> Result<PassReport, StoreError> {
        let started = Timestamp::from(now);
        let today = domain::dates::china_date(now);
        let schedules = reference::stored_schedules(&self.store).await?;

        // every unit, the records that can still matter, the open cases
        let tree = Tree::read(&self.store).await?;
        let (parents, unit_names, records) = (&tree.parents, &tree.names, &tree.records);
        let units: Vec<_> = records
            .iter()
            .filter(|u| u.parent_id.is_none())
            .flat_map(|root| units_in_charge(root.id, records))
            .collect();
        let done =
            store::screenings::done_since_anywhere(&self.store, records_needed_from(today)).await?;
        let refs: Vec<RecordRef<'_>> = done.iter().map(store::screenings::Done::as_ref).collect();
        let cases: Vec<Case> = store::cases::live_payloads(&self.store)
            .await?
            .iter()
            .filter_map(|p| serde_json::from_str(p).ok())
            .collect();
        let risks = case_risks(&cases);
        // each unit's duties and follow-ups are those of the schedule of its
        // locality (as on the phones there): one index per schedule in use
        let localities = Localities::new(&schedules, records);
        let schedule_of = |unit: UnitId| localities.of(unit).unwrap_or(0);
        let mut units_of: Vec<Vec<UnitRef>> = vec![Vec::new(); schedules.len()];
        for u in &units {
            units_of[schedule_of(u.id)].push(*u);
        }
        let mut refs_of: Vec<Vec<RecordRef<'_>>> = vec![Vec::new(); schedules.len()];
        for r in &refs {
            refs_of[schedule_of(r.unit_id)].push(*r);
        }
        let mut risks_of: Vec<Vec<RiskRef<'_>>> = vec![Vec::new(); schedules.len()];
        for r in &risks {
            risks_of[schedule_of(r.unit_id)].push(*r);
        }
        let mut open: Vec<Reminder> = Vec::new();
        for (i, schedule) in schedules.iter().enumerate() {
            if units_of[i].is_empty() && risks_of[i].is_empty() {
                continue;
            }
            let index = RecordIndex::build(schedule, &refs_of[i], today);
            open.extend(
                index
                    .reminders(&units_of[i], &risks_of[i])
                    .into_iter()
                    .filter(|r| r.state != ReminderState::Done),
            );
        }
        let mut report = PassReport {
            units: units.len(),
            open: open.len(),
            ..PassReport::default()
        };

        let hour = now.to_zoned(domain::dates::china()).hour() as u8;
        report.quiet = !(self.hours.0 <= hour && hour < self.hours.1);
        if !report.quiet && !self.channels.is_empty() {
            let directory = Directory::new(
                parents.clone(),
                store::people::holding(&self.store, &answering_roles()).await?,
            );
            let by_key: HashMap<String, &Reminder> =
                open.iter().map(|r| (r.reminder_key(), r)).collect();
            let topics: Vec<(Topic, Vec<Recipient>)> = open
                .iter()
                .map(|r| {
                    let people = directory.answering_for(r.unit_id).to_vec();
                    (
                        Topic {
                            key: r.reminder_key(),
                            unit_id: r.unit_id,
                            state: r.state.code().to_owned(),
                            due_on: domain::dates::format_iso(r.due_on),
                        },
                        people,
                    )
                })
                .collect();
            let compose = |person: &Recipient, keys: &[&str]| {
                let items: Vec<&Reminder> = keys
                    .iter()
                    .filter_map(|k| by_key.get(*k).copied())
                    .collect();
                // the schedules of the items' units name their duties
                let mut own: Vec<&Schedule> = Vec::new();
                for r in &items {
                    let s = &schedules[schedule_of(r.unit_id)];
                    if !own.iter().any(|o| std::ptr::eq(*o, s)) {
                        own.push(s);
                    }
                }
                (!items.is_empty()).then(|| message::compose(person, &items, &own, unit_names))
            };
            self.deliver(
                now,
                &self.channels,
                &topics,
                Kind::Duty,
                &compose,
                &mut report,
            )
            .await?;
        }
        // claims waiting too long for a step: in working hours
        if !report.quiet && self.claim_days > 0 {
            self.remind_claims(now, parents, &mut report).await?;
        }
        // high-risk disputes go out at any hour
        let high_zh = |c: &Case| high_name(schedules.get(schedule_of(c.unit_id)));
        self.escalate_cases(now, &cases, parents, unit_names, &high_zh, &mut report)
            .await?;

        claims::record_run(
            &self.store,
            &claims::Run {
                instance: self.instance.clone(),
                started_at: started,
                finished_at: Timestamp::from(jiff::Timestamp::now()),
                units: report.units as u64,
                reminders: report.open as u64,
                claimed: report.claimed as u64,
                sent: report.sent as u64,
                failed: report.failed as u64,
            },
        )
        .await?;
        Ok(report)
    }

    /// Escalates every open high-risk case not escalated yet: its
    /// township's judicial office and the city hear of it in their inbox
    /// and through the channels, once. Run by every pass and, at once, when
    /// a push stores a high-risk case ([`Scheduler::wake`]).
    pub async fn escalate(&self, now: jiff::Timestamp) -> Result<PassReport, StoreError> {
        let cases: Vec<Case> = store::cases::high_risk_payloads(&self.store)
            .await?
            .iter()
            .filter_map(|p| serde_json::from_str(p).ok())
            .collect();
        let mut report = PassReport::default();
        // no open high-risk case (closed, closed out or lowered since): the
        // tree and the schedules are not read
        if !cases.iter().any(escalation::needs) {
            return Ok(report);
        }
        let tree = Tree::read(&self.store).await?;
        // the high level as the case's locality names it
        let schedules = reference::stored_schedules(&self.store).await?;
        let localities = Localities::new(&schedules, &tree.records);
        let high_zh = |c: &Case| high_name(localities.of(c.unit_id).and_then(|i| schedules.get(i)));
        self.escalate_cases(
            now,
            &cases,
            &tree.parents,
            &tree.names,
            &high_zh,
            &mut report,
        )
        .await?;
        Ok(report)
    }

    async fn escalate_cases(
        &self,
        now: jiff::Timestamp,
        cases: &[Case],
        parents: &[(UnitId, Option<UnitId>)],
        unit_names: &HashMap<UnitId, String>,
        high_zh: &(dyn Fn(&Case) -> String + Sync),
        report: &mut PassReport,
    ) -> Result<(), StoreError> {
        let high: Vec<&Case> = cases.iter().filter(|c| escalation::needs(c)).collect();
        if high.is_empty() {
            return Ok(());
        }
        let supervisors = Directory::new(
            parents.to_vec(),
            store::people::holding(&self.store, &SUPERVISING_ROLES).await?,
        );
        let by_key: HashMap<String, &Case> =
            high.iter().map(|c| (escalation::key(c), *c)).collect();
        let topics: Vec<(Topic, Vec<Recipient>)> = high
            .iter()
            .map(|c| {
                (
                    Topic {
                        key: escalation::key(c),
                        unit_id: c.unit_id,
                        state: "overdue".to_owned(),
                        due_on: domain::dates::format_iso(c.received_on),
                    },
                    supervisors.above(c.unit_id),
                )
            })
            .collect();
        let compose = |person: &Recipient, keys: &[&str]| {
            let items: Vec<&Case> = keys
                .iter()
                .filter_map(|k| by_key.get(*k).copied())
                .collect();
            (!items.is_empty()).then(|| escalation::compose(person, &items, unit_names, high_zh))
        };
        let mut channels = vec![self.inbox.clone() as Arc<dyn Channel>];
        channels.extend(self.channels.iter().cloned());
        self.deliver(now, &channels, &topics, Kind::Escalation, &compose, report)
            .await
    }

    /// Reminds each claim's signers when it has waited more than
    /// `claim_days` at their step (the party group, for a grave case at
    /// 审批): in the inbox and through the channels, once per step.
    async fn remind_claims(
        &self,
        now: jiff::Timestamp,
        parents: &[(UnitId, Option<UnitId>)],
        report: &mut PassReport,
    ) -> Result<(), StoreError> {
        let open = {
            let mut c = self.store.read().await?;
            store::claims::open_with_since(&mut c).await?
        };
        let waits = claim_waiting::waiting(&open, Timestamp::from(now), self.claim_days);
        if waits.is_empty() {
            return Ok(());
        }
        let mut roles: Vec<domain::Role> = waits.iter().map(|w| w.role).collect();
        roles.sort_by_key(|r| r.code());
        roles.dedup();
        let mut by_role = HashMap::new();
        for role in roles {
            let holders = store::people::holding(&self.store, &[role]).await?;
            by_role.insert(role, Directory::new(parents.to_vec(), holders));
        }
        let by_key: HashMap<String, &claim_waiting::Waiting> =
            waits.iter().map(|w| (w.key(), w)).collect();
        let topics: Vec<(Topic, Vec<Recipient>)> = waits
            .iter()
            .map(|w| {
                (
                    Topic {
                        key: w.key(),
                        unit_id: w.claim.unit_id,
                        state: "overdue".to_owned(),
                        due_on: domain::dates::format_iso(w.due_on()),
                    },
                    by_role
                        .get(&w.role)
                        .map(|d| d.above(w.claim.unit_id))
                        .unwrap_or_default(),
                )
            })
            .collect();
        let today = domain::dates::china_date(now);
        let compose = |person: &Recipient, keys: &[&str]| {
            let items: Vec<&claim_waiting::Waiting> = keys
                .iter()
                .filter_map(|k| by_key.get(*k).copied())
                .collect();
            (!items.is_empty()).then(|| claim_waiting::compose(person, &items, today))
        };
        let mut channels = vec![self.inbox.clone() as Arc<dyn Channel>];
        channels.extend(self.channels.iter().cloned());
        self.deliver(now, &channels, &topics, Kind::Claim, &compose, report)
            .await
    }

    /// Claims what `channels` can send of `topics` to their recipients,
    /// takes over this kind's stale claims, and sends one message per
    /// channel and recipient.
    async fn deliver(
        &self,
        now: jiff::Timestamp,
        channels: &[Arc<dyn Channel>],
        topics: &[(Topic, Vec<Recipient>)],
        kind: Kind,
        compose: &(dyn Fn(&Recipient, &[&str]) -> Option<Message> + Sync),
        report: &mut PassReport,
    ) -> Result<(), StoreError> {
        let mut subscriptions: HashMap<PersonId, Vec<claims::Subscription>> = HashMap::new();
        for s in claims::subscriptions(&self.store).await? {
            subscriptions.entry(s.person_id).or_default().push(s);
        }
        let no_subscriptions = Vec::new();
        let subs_of = |person: PersonId| subscriptions.get(&person).unwrap_or(&no_subscriptions);

        // what each channel could send, then what this instance claims
        let mut people: HashMap<PersonId, &Recipient> = HashMap::new();
        let mut wanted = Vec::new();
        for (topic, recipients) in topics {
            for person in recipients {
                people.insert(person.person_id, person);
                let reach = Reach {
                    recipient: person,
                    subscriptions: subs_of(person.person_id),
                };
                for channel in channels {
                    if channel.reaches(&reach) {
                        wanted.push(claims::Notice {
                            reminder_key: topic.key.clone(),
                            channel: channel.name().to_owned(),
                            recipient_id: person.person_id,
                            unit_id: topic.unit_id,
                            state: topic.state.clone(),
                            due_on: topic.due_on.clone(),
                        });
                    }
                }
            }
        }
        let now_at = Timestamp::from(now);
        let stale = now_at.plus_seconds(-(self.lease().as_secs() as i64));
        let keys: HashSet<&str> = topics.iter().map(|(t, _)| t.key.as_str()).collect();
        let retaken = claims::reclaim(
            &self.store,
            &self.instance,
            now_at,
            stale,
            MAX_ATTEMPTS,
            kind,
        )
        .await?;
        // a taken-over claim that is no longer open (the duty was done,
        // the case closed) is not sent
        let (mut claimed, closed): (Vec<_>, Vec<_>) = retaken.into_iter().partition(|n| {
            keys.contains(n.reminder_key.as_str()) && people.contains_key(&n.recipient_id)
        });
        if !closed.is_empty() {
            let refs: Vec<&claims::Notice> = closed.iter().collect();
            claims::finish(&self.store, &refs, now_at, Some("no longer open")).await?;
        }
        claimed.extend(claims::claim(&self.store, &wanted, &self.instance, now_at).await?);
        report.claimed += claimed.len();

        // one message per channel and recipient
        let mut groups: HashMap<(&str, PersonId), Vec<&claims::Notice>> = HashMap::new();
        for n in &claimed {
            groups
                .entry((n.channel.as_str(), n.recipient_id))
                .or_default()
                .push(n);
        }
        let mut jobs = Vec::new();
        for ((channel_name, person_id), notices) in groups {
            let (Some(channel), Some(person)) = (
                channels.iter().find(|c| c.name() == channel_name),
                people.get(&person_id),
            ) else {
                continue;
            };
            let mut seen = HashSet::new();
            let keys: Vec<&str> = notices
                .iter()
                .map(|n| n.reminder_key.as_str())
                .filter(|k| seen.insert(*k))
                .collect();
            if let Some(message) = compose(person, &keys) {
                jobs.push((channel.clone(), (*person).clone(), message, notices));
            }
        }

        let semaphore = Arc::new(tokio::sync::Semaphore::new(PARALLEL_SENDS));
        let mut sends = tokio::task::JoinSet::new();
        for (index, (channel, person, message, _)) in jobs.iter().enumerate() {
            let (channel, person, message) = (channel.clone(), person.clone(), message.clone());
            let subs = subs_of(person.person_id).clone();
            let permit = semaphore
                .clone()
                .acquire_owned()
                .await
                .expect("the semaphore is never closed");
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
            let Ok((index, result)) = joined else {
                report.failed += 1;
                tracing::error!("a reminder's send task failed");
                continue;
            };
            let notices = &jobs[index].3;
            match result {
                Ok(outcome) => {
                    report.sent += 1;
                    let now = Timestamp::from(jiff::Timestamp::now());
                    claims::finish(&self.store, notices, now, None).await?;
                    for gone in outcome.gone {
                        claims::delete_subscription(&self.store, &gone, None).await?;
                    }
                }
                Err(e) => {
                    report.failed += 1;
                    tracing::warn!(channel = jobs[index].0.name(), error = %e, "reminder not sent");
                    let error = e.to_string();
                    let now = Timestamp::from(jiff::Timestamp::now());
                    claims::finish(&self.store, notices, now, Some(&error)).await?;
                    if matches!(e, channel::SendError::Refused(_)) {
                        claims::give_up(&self.store, notices, MAX_ATTEMPTS).await?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// Something to tell people about, once per channel and recipient.
struct Topic {
    key: String,
    unit_id: UnitId,
    state: String,
    due_on: String,
}

/// The Web Push channel, with the instances' shared VAPID key (generated
/// by the first one); none when `args` turn it off.
pub async fn web_push_channel(
    store: &Store,
    args: &RemindArgs,
) -> anyhow::Result<Option<Arc<web_push::WebPush>>> {
    if args.no_web_push {
        return Ok(None);
    }
    let key = store::settings::shared(
        store,
        web_push::VAPID_SETTING,
        web_push::new_private_key,
        Timestamp::from(jiff::Timestamp::now()),
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

/// Roles whose holders hear at once of a high-risk dispute below them:
/// the township's judicial office, the city bureau's business section.
pub const SUPERVISING_ROLES: [domain::Role; 3] = [
    domain::Role::JudicialStaff,
    domain::Role::JudicialDirector,
    domain::Role::BureauSection,
];

/// The whole tree as a pass reads it: who is whose parent, the names, and
/// the units as the phones keep them.
struct Tree {
    parents: Vec<(UnitId, Option<UnitId>)>,
    names: HashMap<UnitId, String>,
    records: Vec<UnitRecord>,
}

impl Tree {
    async fn read(store: &Store) -> Result<Tree, StoreError> {
        let units = store::org::all(store).await?;
        Ok(Tree {
            parents: units.iter().map(|u| (u.id, u.parent_id)).collect(),
            names: units.iter().map(|u| (u.id, u.name.clone())).collect(),
            records: units.iter().map(store::org::Unit::record).collect(),
        })
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "server".to_owned())
}
