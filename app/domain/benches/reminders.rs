//! Screening reminders for a province-sized tree (20,000 units, a year of
//! records) and for one mediator's own units (a village and its groups).
//! `cargo bench -p domain --bench reminders`. Prints numbers; the results
//! and the machine go in docs/perf.md.

use domain::UnitKind;
use domain::ids::{CaseId, UnitId};
use domain::org::UnitRecord;
use domain::sample::Mix;
use domain::screening::{
    Period, RecordIndex, RecordRef, RiskRef, Schedule, UnitRef, applying_by_unit, china_today,
    reminders, report, summary,
};
use jiff::Span;
use jiff::civil::Date;
use std::hint::black_box;
use std::time::Instant;

const UNITS: usize = 20_000;
const TOWNSHIPS: usize = 100;
const VILLAGES: usize = 1_800;

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// 1 city, 100 townships, 1,800 villages and communities (1 in 8 a
/// community), and villager/resident groups for the rest, ~10 per village.
/// `parent[i]` is the index of unit i's parent.
fn tree() -> (Vec<UnitRef>, Vec<usize>) {
    let unit = |key: String, kind| UnitRef {
        id: UnitId::stable(&key),
        kind,
        since: None,
    };
    let mut units = vec![unit("city".into(), UnitKind::City)];
    let mut parent = vec![0];
    for t in 0..TOWNSHIPS {
        units.push(unit(format!("t{t}"), UnitKind::Township));
        parent.push(0);
    }
    for v in 0..VILLAGES {
        let kind = if v % 8 == 7 {
            UnitKind::Community
        } else {
            UnitKind::Village
        };
        units.push(unit(format!("v{v}"), kind));
        parent.push(1 + v % TOWNSHIPS);
    }
    let first_village = 1 + TOWNSHIPS;
    for g in 0..UNITS - units.len() {
        let v = first_village + g % VILLAGES;
        let kind = if units[v].kind == UnitKind::Community {
            UnitKind::ResidentGroup
        } else {
            UnitKind::VillagerGroup
        };
        units.push(unit(format!("g{g}"), kind));
        parent.push(v);
    }
    (units, parent)
}

/// A year of records up to `today`: each unit does each of its duties in
/// most periods (groups 85 %, villages 90 %, townships 95 %, meetings and
/// trainings 80–90 %) on a random day, sometimes twice; shuffled, as a
/// database returns them.
fn records<'s>(
    schedule: &'s Schedule,
    units: &[UnitRef],
    today: Date,
    mix: &mut Mix,
) -> Vec<RecordRef<'s>> {
    let from = today - Span::new().days(365);
    let mut out = Vec::new();
    for unit in units {
        for duty in schedule.duties.iter().filter(|d| d.applies_to(unit.kind)) {
            let percent = match (unit.kind, duty.code.as_str()) {
                (UnitKind::VillagerGroup | UnitKind::ResidentGroup, _) => 85,
                (UnitKind::Village | UnitKind::Community, _) => 90,
                (_, "township_monthly_screening") => 95,
                (_, "quarterly_training") => 80,
                _ => 90,
            };
            let mut p = Period::containing(duty.cadence, from);
            while p.start() <= today {
                if mix.chance(percent) {
                    let span = (p.end().min(today) - p.start()).get_days() + 1;
                    for _ in 0..1 + usize::from(mix.chance(5)) {
                        let day = p.start() + Span::new().days(mix.below(span as u64) as i64);
                        out.push(RecordRef {
                            unit_id: unit.id,
                            duty: &duty.code,
                            date: day,
                        });
                    }
                }
                p = p.next().expect("a 21st-century period has a next");
            }
        }
    }
    for i in (1..out.len()).rev() {
        out.swap(i, mix.below(i as u64 + 1) as usize);
    }
    out
}

/// Open risk items: about one village in three has one, some two.
fn risks(units: &[UnitRef], today: Date, mix: &mut Mix) -> Vec<RiskRef<'static>> {
    let mut out = Vec::new();
    for (i, unit) in units.iter().enumerate() {
        if !matches!(unit.kind, UnitKind::Village | UnitKind::Community) {
            continue;
        }
        for k in 0..mix.weighted(&[6, 3, 1]) {
            out.push(RiskRef {
                case_id: CaseId::stable(&format!("risk:{i}:{k}")),
                unit_id: unit.id,
                level: ["high", "medium", "medium", "low", "low", "low"][mix.below(6) as usize],
                last_follow_up: today - Span::new().days(mix.below(40) as i64),
            });
        }
    }
    out
}

fn main() {
    let schedule = Schedule::five_ones();
    // Wednesday of 2027-W01, 10:00 in China
    let now: jiff::Timestamp = "2027-01-06T02:00:00Z".parse().unwrap();
    let today = china_today(now);
    let mut mix = Mix(20_270_106);
    let (units, parent) = tree();
    let records = records(&schedule, &units, today, &mut mix);
    let risks = risks(&units, today, &mut mix);
    let count = |kind: &[UnitKind]| units.iter().filter(|u| kind.contains(&u.kind)).count();
    println!(
        "tree: {} units ({} townships, {} villages/communities, {} groups), {} records, {} risk items, today {today}",
        units.len(),
        count(&[UnitKind::Township]),
        count(&[UnitKind::Village, UnitKind::Community]),
        count(&[UnitKind::VillagerGroup, UnitKind::ResidentGroup]),
        records.len(),
        risks.len(),
    );

    // the server: every unit
    let all = reminders(&schedule, &units, &records, &risks, now);
    let c = summary(&all);
    println!(
        "all units: {} reminders ({} due, {} overdue, {} done)",
        all.len(),
        c.due,
        c.overdue,
        c.done
    );
    let (mut total, mut build, mut ask, mut rate) = (vec![], vec![], vec![], vec![]);
    for _ in 0..9 {
        let t = Instant::now();
        black_box(reminders(
            &schedule,
            black_box(&units),
            black_box(&records),
            &risks,
            now,
        ));
        total.push(t.elapsed().as_secs_f64() * 1e3);

        let t = Instant::now();
        let index = RecordIndex::build(&schedule, black_box(&records), today);
        build.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        black_box(index.reminders(black_box(&units), &risks));
        ask.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        black_box(index.compliance(black_box(&units), 52));
        rate.push(t.elapsed().as_secs_f64() * 1e3);
    }
    println!(
        "all {} units, {} records: reminders median {:.1} ms (index {:.1} ms + reminders {:.1} ms); compliance over 52 periods {:.1} ms (median of 9, one core)",
        units.len(),
        records.len(),
        median(total),
        median(build),
        median(ask),
        median(rate),
    );

    // the offices' compliance view of the whole tree (GET /api/v1/compliance)
    let records_of_tree: Vec<UnitRecord> = units
        .iter()
        .enumerate()
        .map(|(i, u)| UnitRecord {
            id: u.id,
            code: format!("{i:06}"),
            name: format!("unit {i}"),
            kind: u.kind,
            parent_id: (i > 0).then(|| units[parent[i]].id),
        })
        .collect();
    let view = report(&schedule, &records_of_tree, &records, &[], today);
    let mut times = Vec::new();
    for _ in 0..9 {
        let t = Instant::now();
        black_box(report(
            &schedule,
            black_box(&records_of_tree),
            black_box(&records),
            &[],
            today,
        ));
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    println!(
        "compliance view of all {} units: {} rows, {} overdue (unit, duty) pairs, median {:.1} ms (of 9, one core)",
        units.len(),
        view.townships.len(),
        view.overdue_total,
        median(times),
    );

    // the server's pass: which schedule applies to each unit (every
    // unit's ancestors' codes), with three localities' schedules stored;
    // the tree's codes are `000000`… so the city's is `000000`
    let schedules = [
        Schedule {
            locality: "000000".into(),
            version: 2,
            ..schedule.clone()
        },
        Schedule {
            id: "elsewhere".into(),
            locality: "999999".into(),
            version: 7,
            ..schedule.clone()
        },
        schedule.clone(),
    ];
    let applies = applying_by_unit(&schedules, &records_of_tree);
    assert!(
        applies.values().all(|&i| i == 0),
        "the city's own schedule applies everywhere"
    );
    let mut times = Vec::new();
    for _ in 0..9 {
        let t = Instant::now();
        black_box(applying_by_unit(&schedules, black_box(&records_of_tree)));
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    println!(
        "the schedule of each of {} units (3 stored): median {:.1} ms (of 9, one core)",
        applies.len(),
        median(times),
    );

    // the phone: one village committee's mediator, its village and groups,
    // with only their own records and risk items
    let village = (1 + TOWNSHIPS..1 + TOWNSHIPS + VILLAGES)
        .find(|&v| risks.iter().filter(|r| r.unit_id == units[v].id).count() == 2)
        .expect("some village has two risk items");
    let mine: Vec<UnitRef> = (0..units.len())
        .filter(|&i| i == village || parent[i] == village)
        .map(|i| units[i])
        .collect();
    let ids: Vec<UnitId> = mine.iter().map(|u| u.id).collect();
    let my_records: Vec<RecordRef> = records
        .iter()
        .filter(|r| ids.contains(&r.unit_id))
        .copied()
        .collect();
    let my_risks: Vec<RiskRef> = risks
        .iter()
        .filter(|r| ids.contains(&r.unit_id))
        .copied()
        .collect();
    let rs = reminders(&schedule, &mine, &my_records, &my_risks, now);
    let c = summary(&rs);
    let mut times = Vec::new();
    for _ in 0..1_000 {
        let t = Instant::now();
        black_box(reminders(
            &schedule,
            black_box(&mine),
            black_box(&my_records),
            &my_risks,
            now,
        ));
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    println!(
        "one mediator: {} units, {} records, {} risk items -> {} reminders ({} due, {} overdue, {} done) in median {:.3} ms (of 1,000)",
        mine.len(),
        my_records.len(),
        my_risks.len(),
        rs.len(),
        c.due,
        c.overdue,
        c.done,
        median(times),
    );
}
