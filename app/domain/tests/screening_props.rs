//! Properties of the screening calendar and reminders that must hold for
//! every date, record and unit.

use domain::dates::china;
use domain::screening::{
    Cadence, Period, RecordIndex, RecordRef, ReminderState, RiskRef, Schedule, Subject, UnitRef,
    applying, reminders, summary,
};
use domain::{CaseId, UnitId, UnitKind};
use jiff::Span;
use jiff::civil::{Date, date};
use proptest::prelude::*;
use std::collections::HashSet;

fn cadence() -> impl Strategy<Value = Cadence> {
    prop::sample::select(Cadence::ALL.to_vec())
}

/// Any date jiff knows.
fn any_date() -> impl Strategy<Value = Date> {
    let days = (Date::MAX - Date::MIN).get_days();
    (0..=days).prop_map(|n| Date::MIN + Span::new().days(n))
}

/// A date of this century, where the records live.
fn day() -> impl Strategy<Value = Date> {
    (0i32..36_500).prop_map(|n| date(2001, 1, 1) + Span::new().days(n))
}

fn plus(d: Date, days: i64) -> Date {
    d + Span::new().days(days)
}

/// A moment on China's calendar day `d`, at some hour.
fn moment(d: Date, minute_of_day: i16) -> jiff::Timestamp {
    d.at((minute_of_day / 60) as i8, (minute_of_day % 60) as i8, 0, 0)
        .to_zoned(china())
        .unwrap()
        .timestamp()
}

fn days_in(p: Period) -> i32 {
    (p.end() - p.start()).get_days() + 1
}

const KINDS: [UnitKind; 5] = [
    UnitKind::VillagerGroup,
    UnitKind::Village,
    UnitKind::Township,
    UnitKind::City,
    UnitKind::Sector,
];

proptest! {
    #[test]
    fn every_date_is_in_the_period_that_contains_it(c in cadence(), d in any_date()) {
        let p = Period::containing(c, d);
        prop_assert!(p.contains(d));
        prop_assert!(p.start() <= d && d <= p.end());
        prop_assert_eq!(Period::containing(c, p.start()), p);
        prop_assert_eq!(Period::containing(c, p.end()), p);
        if p.end() < Date::MAX {
            let len = days_in(p);
            let ok = match c {
                Cadence::Weekly => len == 7,
                Cadence::Monthly => (28..=31).contains(&len),
                Cadence::Quarterly => (90..=92).contains(&len),
            };
            prop_assert!(ok, "{} has {} days", p, len);
        }
    }

    #[test]
    fn periods_follow_each_other_without_gaps(c in cadence(), d in any_date()) {
        let p = Period::containing(c, d);
        if let Some(next) = p.next() {
            prop_assert_eq!(next.start(), p.end().tomorrow().unwrap());
            prop_assert_eq!(next.prev(), Some(p));
            prop_assert!(next > p);
        } else {
            prop_assert_eq!(p.end(), Date::MAX);
        }
        if let Some(prev) = p.prev() {
            prop_assert_eq!(prev.end().tomorrow().unwrap(), p.start());
            prop_assert_eq!(prev.next(), Some(p));
        } else {
            prop_assert_eq!(p.start(), Date::MIN);
        }
        if c == Cadence::Weekly {
            prop_assert_eq!(p.start().weekday(), jiff::civil::Weekday::Monday);
            prop_assert_eq!(i32::from(p.number()), i32::from(d.iso_week_date().week()));
        }
    }

    #[test]
    fn a_key_round_trips_through_parse(c in cadence(), d in any_date()) {
        let p = Period::containing(c, d);
        prop_assert_eq!(Period::parse(&p.key()), Ok(p));
        prop_assert_eq!(p.key().parse::<Period>(), Ok(p));
        let json = serde_json::to_string(&p).unwrap();
        prop_assert_eq!(serde_json::from_str::<Period>(&json).unwrap(), p);
    }

    /// A record dated inside a period makes that unit's duty done for that
    /// period whenever "now" is inside the period, whatever else is recorded.
    #[test]
    fn a_record_in_the_running_period_makes_it_done(
        duty_index in 0usize..5,
        d in day(),
        record_at in 0i64..92,
        today_at in 0i64..92,
        minute in 0i16..1440,
        noise in prop::collection::vec((0u8..3, 0usize..5, -400i64..400), 0..40),
    ) {
        let s = Schedule::five_ones();
        let duty = &s.duties[duty_index];
        let p = Period::containing(duty.cadence, d);
        let len = i64::from(days_in(p));
        let (record_day, today) = (plus(p.start(), record_at % len), plus(p.start(), today_at % len));
        let unit = UnitRef { id: UnitId::stable("u0"), kind: duty.applies_to[0], since: None };
        let units: Vec<UnitRef> = (0..3)
            .map(|i| UnitRef { id: UnitId::stable(&format!("u{i}")), ..unit })
            .collect();
        let mut records = vec![RecordRef { unit_id: unit.id, duty: &duty.code, date: record_day }];
        for (u, k, offset) in &noise {
            records.push(RecordRef {
                unit_id: units[usize::from(*u)].id,
                duty: &s.duties[*k].code,
                date: plus(today, *offset),
            });
        }
        let rs = reminders(&s, &units, &records, &[], moment(today, minute));
        let mine: Vec<_> = rs
            .iter()
            .filter(|r| r.unit_id == unit.id && r.period() == Some(p)
                && matches!(&r.subject, Subject::Duty { code, .. } if *code == duty.code))
            .map(|r| r.state)
            .collect();
        prop_assert_eq!(mine, vec![ReminderState::Done]);
    }

    /// One computation never names a (unit, subject, period) twice, and
    /// every state agrees with its due date.
    #[test]
    fn reminder_keys_are_unique_and_states_agree_with_due_dates(
        units in prop::collection::vec((0u8..12, 0usize..5, prop::option::of(-200i64..30)), 0..30),
        records in prop::collection::vec((0u8..12, 0usize..5, -500i64..20), 0..200),
        risks in prop::collection::vec((0u8..8, 0u8..12, 0usize..4, -60i64..5), 0..20),
        today in day(),
        minute in 0i16..1440,
        grace in prop::collection::vec(0u8..7, 5),
        lead in prop::collection::vec(prop::option::of(1u16..40), 5),
        effective in prop::option::of(-400i64..10),
    ) {
        let mut s = Schedule::five_ones();
        for (i, d) in s.duties.iter_mut().enumerate() {
            d.grace_days = grace[i];
            d.lead_days = lead[i];
        }
        s.effective_from = effective.map(|n| plus(today, n));
        prop_assert_eq!(s.check(), vec![]);
        let units: Vec<UnitRef> = units
            .iter()
            .map(|&(u, k, since)| UnitRef {
                id: UnitId::stable(&format!("u{u}")),
                kind: KINDS[k],
                since: since.map(|n| plus(today, n)),
            })
            .collect();
        let records: Vec<RecordRef> = records
            .iter()
            .map(|&(u, k, n)| RecordRef {
                unit_id: UnitId::stable(&format!("u{u}")),
                duty: &s.duties[k].code,
                date: plus(today, n),
            })
            .collect();
        let levels = ["high", "medium", "low", "unknown"];
        let risks: Vec<RiskRef> = risks
            .iter()
            .map(|&(c, u, l, n)| RiskRef {
                case_id: CaseId::stable(&format!("c{c}")),
                unit_id: UnitId::stable(&format!("u{u}")),
                level: levels[l],
                last_follow_up: plus(today, n),
            })
            .collect();
        let rs = reminders(&s, &units, &records, &risks, moment(today, minute));
        let mut keys = HashSet::new();
        for r in &rs {
            prop_assert!(keys.insert(r.reminder_key()), "twice: {}", r.reminder_key());
            match r.state {
                ReminderState::Overdue => prop_assert!(r.due_on < today, "{:?}", r),
                ReminderState::Due => prop_assert!(r.due_on >= today, "{:?}", r),
                ReminderState::Done => prop_assert!(r.period().unwrap().contains(today)),
            }
            if let Some(p) = r.period() {
                prop_assert!(p.start() <= today, "no reminder for a future period");
            }
        }
        let c = summary(&rs);
        prop_assert_eq!((c.due + c.overdue + c.done) as usize, rs.len());
        // the index gives the same answer as the one-call function
        let index = RecordIndex::build(&s, &records, today);
        prop_assert_eq!(index.reminders(&units, &risks), rs);
        for c in index.compliance(&units, 10) {
            prop_assert!(c.done <= c.of && c.of <= 10);
        }
    }
}

proptest! {
    /// Day after day, with records arriving as they are made (some late):
    /// a reminder's key, once it is gone, never comes back, and its state
    /// only moves forward (due → overdue, due → done), so a sender that
    /// sends each key once per channel (the server's unique index) never
    /// sends a period's reminder twice and never misses one.
    #[test]
    fn a_reminder_fires_once_per_period_as_the_days_pass(
        units in prop::collection::vec((0u8..6, 0usize..5), 1..8),
        records in prop::collection::vec((0u8..6, 0usize..5, 0i64..120, 0i64..20), 0..60),
        start in day(),
        grace in prop::collection::vec(0u8..7, 5),
        lead in prop::collection::vec(prop::option::of(1u16..40), 5),
    ) {
        let mut s = Schedule::five_ones();
        for (i, d) in s.duties.iter_mut().enumerate() {
            d.grace_days = grace[i];
            d.lead_days = lead[i];
        }
        prop_assert_eq!(s.check(), vec![]);
        let units: Vec<UnitRef> = units
            .iter()
            .map(|&(u, k)| UnitRef { id: UnitId::stable(&format!("u{u}")), kind: KINDS[k], since: None })
            .collect();
        // (unit, duty, the day the work was done, the day it reached the data)
        let records: Vec<(UnitId, &str, Date, Date)> = records
            .iter()
            .map(|&(u, k, done, delay)| {
                let done = plus(start, done);
                (UnitId::stable(&format!("u{u}")), s.duties[k].code.as_str(), done, plus(done, delay))
            })
            .collect();
        let rank = |st: ReminderState| match st {
            ReminderState::Due => 0,
            ReminderState::Overdue => 1,
            ReminderState::Done => 2,
        };
        // key → (last day seen, last state)
        let mut seen: std::collections::HashMap<String, (i64, ReminderState)> = Default::default();
        for day_no in 0..150i64 {
            let today = plus(start, day_no);
            let known: Vec<RecordRef> = records
                .iter()
                .filter(|r| r.3 <= today)
                .map(|&(unit_id, duty, date, _)| RecordRef { unit_id, duty, date })
                .collect();
            for r in reminders(&s, &units, &known, &[], moment(today, 600)) {
                let key = r.reminder_key();
                if let Some(&(last_day, last_state)) = seen.get(&key) {
                    prop_assert_eq!(last_day, day_no - 1, "{} came back", key);
                    prop_assert!(rank(r.state) >= rank(last_state), "{}: {:?} after {:?}", key, r.state, last_state);
                }
                // a period with a record that has arrived is never due or overdue
                if let Subject::Duty { code, period } = &r.subject {
                    let recorded = known
                        .iter()
                        .any(|k| k.unit_id == r.unit_id && k.duty == code && period.contains(k.date));
                    prop_assert!(!recorded || r.state == ReminderState::Done, "{} is {:?} with a record", key, r.state);
                }
                seen.insert(key, (day_no, r.state));
            }
        }
    }
}

const LOCALITIES: [&str; 3] = ["532301", "532302", "532901"];

proptest! {
    /// The phone and the server pick a unit's schedule with the same
    /// function from lists in different orders: the pick depends on the
    /// schedules alone, is a schedule of a locality given when there is
    /// one, and has the highest version among those it was chosen from.
    #[test]
    fn the_applying_schedule_does_not_depend_on_the_order_of_the_list(
        // (id, locality, version); ids are unique, as in the store and on the phone
        list in prop::collection::vec((0usize..3, 1u32..5), 0..8)
            .prop_map(|v| {
                v.into_iter()
                    .enumerate()
                    .map(|(id, (locality, version))| (id, locality, version))
                    .collect::<Vec<_>>()
            })
            .prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle())),
        codes in prop::collection::vec(0usize..3, 0..3),
    ) {
        let schedules = |v: &[(usize, usize, u32)]| -> Vec<Schedule> {
            v.iter()
                .map(|&(id, locality, version)| Schedule {
                    id: format!("s{id}"),
                    locality: LOCALITIES[locality].into(),
                    version,
                    ..Schedule::five_ones()
                })
                .collect()
        };
        let (listed, shuffled) = (schedules(&list.0[..]), schedules(&list.1[..]));
        let codes: Vec<&str> = codes.iter().map(|&i| LOCALITIES[i]).collect();
        let picked = applying(&listed, &codes);
        prop_assert_eq!(picked, applying(&shuffled, &codes));
        prop_assert_eq!(picked.is_none(), listed.is_empty());
        if let Some(p) = picked {
            let local: Vec<&Schedule> = listed
                .iter()
                .filter(|s| codes.contains(&s.locality.as_str()))
                .collect();
            let from: Vec<&Schedule> = if local.is_empty() { listed.iter().collect() } else { local };
            prop_assert!(from.contains(&p), "{} of {} is not among those to choose from", p.id, p.locality);
            prop_assert!(from.iter().all(|s| s.version <= p.version));
        }
    }
}
