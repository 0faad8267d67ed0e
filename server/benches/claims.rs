//! The quarterly money loop at Chuxiong's scale (docs/perf.md, "Claims"):
//! the demo organisation and its year of cases (2,785), every village and
//! community committee (154) claiming each quarter of that year through the
//! services; then
//!
//! 1. the city's summary of a quarter (复核汇总: every claim of the city
//!    read and summed by township), as the bureau asks for it;
//! 2. the quarter's reconciliation (对账: every claim and payment read,
//!    every link compared) and its A4 tables (兑现审批表, HTML);
//! 3. the quarter's payroll of the fixed part (定额补助发放表: 186
//!    full-time mediators' decided months, by township);
//! 4. the Excel workbook of the year's claimed lines (汇总 and 明细).
//! 5. the duplicate check (重复申报核查) over the year's cases, as the
//!    bureau sees them (every case against every case of the city).
//!
//! Prints medians and the 95th percentile of 20 rounds (5 for the
//! workbook); asserts only that the sums reconcile. SQLite always;
//! PostgreSQL when `TEST_DATABASE_URL` or 127.0.0.1:5432/test answers.
//! `cargo bench -p server --bench claims`

mod support;

use domain::Money;
use domain::api::NewClaim;
use domain::claim::Quarter;
use domain::fixed_pay::DutyDecision;
use domain::{PersonId, Role, UnitId, UnitKind};
use std::time::Instant;
use support::pct;
use tiaojie_server::service::auth::acting_as;
use tiaojie_server::service::{
    Caller, claim_files, claim_print, claims, duplicates, fixed_payroll,
};
use tiaojie_server::store::{self, Store};
use uuid::Uuid;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

async fn caller(db: &Store, person: PersonId) -> Caller {
    acting_as(db, person).await.unwrap()
}

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn run(name: &str, url: &str) {
    let db = Store::connect(url, 8).await.expect("database");
    db.migrate().await.expect("migrations");
    tiaojie_server::demo::load(&db)
        .await
        .expect("demo organisation");
    let end = domain::dates::parse_iso("2026-12-05").unwrap();
    tiaojie_server::demo::load_history(&db, end)
        .await
        .expect("demo history");
    let org = tiaojie_server::demo::chuxiong();
    let committees: Vec<UnitId> = org
        .units
        .iter()
        .filter(|u| matches!(u.kind, UnitKind::Village | UnitKind::Community))
        .map(|u| u.id)
        .collect();
    let claimant = |unit: UnitId| {
        let at = |role: Role| {
            org.grants
                .iter()
                .find(|g| g.unit_id == unit && g.role == role)
                .map(|g| g.person_id)
        };
        at(Role::CommitteeHead).or_else(|| at(Role::Mediator))
    };
    let quarters: Vec<Quarter> = ["2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"]
        .iter()
        .map(|q| q.parse().unwrap())
        .collect();
    let started = Instant::now();
    let mut submitted = 0;
    for &quarter in &quarters {
        for &unit in &committees {
            let person = claimant(unit).expect("every committee has a mediator");
            let who = caller(&db, person).await;
            let draft = claims::draft(&db, &who, unit, quarter).await.unwrap();
            if draft.lines.is_empty() {
                continue;
            }
            let req = NewClaim {
                unit_id: unit,
                quarter,
                cases: draft.lines.iter().map(|l| l.case_id).collect(),
                special: Vec::new(),
            };
            claims::submit(&db, &who, req).await.unwrap();
            submitted += 1;
        }
    }
    println!(
        "[{name}] {submitted} claims of {} committees over 4 quarters submitted in {:.1} s",
        committees.len(),
        started.elapsed().as_secs_f64()
    );

    let bureau = org
        .grants
        .iter()
        .find(|g| g.role == Role::BureauSection)
        .map(|g| g.person_id)
        .unwrap();
    let bureau = caller(&db, bureau).await;
    let q3: Quarter = "2026-Q3".parse().unwrap();
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..20 {
        let t = Instant::now();
        let (summary, all) = claims::summary(&db, &bureau, q3).await.unwrap();
        times.push(ms(t.elapsed()));
        last = Some((summary, all));
    }
    times.sort_by(f64::total_cmp);
    let (summary, _) = last.unwrap();
    let committees_in = summary
        .townships
        .iter()
        .map(|t| t.committees.len())
        .sum::<usize>();
    assert_eq!(
        domain::claim::sum(summary.townships.iter().map(|t| t.total)),
        summary.total
    );
    println!(
        "[{name}] city summary of {q3}: {} townships, {committees_in} claims, {} cases, {} yuan: median {:.1} ms, p95 {:.1} ms",
        summary.townships.len(),
        summary.cases,
        summary.total,
        pct(&times, 0.5),
        pct(&times, 0.95)
    );

    // the quarter's reconciliation (对账) for the city
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..20 {
        let t = Instant::now();
        let r = claims::reconciliation(&db, &bureau, q3).await.unwrap();
        times.push(ms(t.elapsed()));
        last = Some(r);
    }
    times.sort_by(f64::total_cmp);
    let r = last.unwrap();
    assert_eq!(
        r.city.lines, summary.total,
        "the reconciliation's lines are the summary's"
    );
    assert!(r.differences.is_empty(), "submitted claims differ nowhere");
    println!(
        "[{name}] reconciliation of {q3}: {} claims, {} yuan: median {:.1} ms, p95 {:.1} ms",
        r.claims.len(),
        r.city.lines,
        pct(&times, 0.5),
        pct(&times, 0.95)
    );

    // the city's A4 tables (兑现审批表) of the quarter
    let mut times = Vec::new();
    let mut size = 0;
    for _ in 0..20 {
        let t = Instant::now();
        let html = claim_print::tables(&summary, &claims::tier_codes(q3));
        times.push(ms(t.elapsed()));
        size = html.len();
    }
    times.sort_by(f64::total_cmp);
    println!(
        "[{name}] A4 tables of {q3} ({} KiB of HTML): median {:.2} ms, p95 {:.2} ms",
        size / 1024,
        pct(&times, 0.5),
        pct(&times, 0.95)
    );

    // the quarter's fixed part (定额补助发放表): every full-time mediator of
    // the city (186) decided for its three months, read by the bureau
    let months = domain::fixed_payroll::months(q3);
    let mut c = db.write().await.unwrap();
    let city = org.units.iter().find(|u| u.kind == UnitKind::City).unwrap();
    let everyone = store::duty::full_time_under(&mut c, &[&city.path])
        .await
        .unwrap();
    for (i, p) in everyone.iter().enumerate() {
        for month in months {
            let performed = !(i + month.first_day().month() as usize).is_multiple_of(23);
            let d = DutyDecision {
                person_id: p.person_id,
                month,
                performed,
                amount: if performed {
                    Money::yuan(800)
                } else {
                    Money::ZERO
                },
                reason: (!performed).then(|| "未按月排查".into()),
                by: bureau.person_id,
                by_name: "所员".into(),
                at: domain::Timestamp::from(jiff::Timestamp::now()),
            };
            store::duty::append(&mut c, &d, 1).await.unwrap();
        }
    }
    c.commit().await.unwrap();
    let finance = org
        .grants
        .iter()
        .find(|g| g.role == Role::BureauFinance)
        .map(|g| g.person_id)
        .unwrap();
    let finance = caller(&db, finance).await;
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..20 {
        let t = Instant::now();
        let payroll = fixed_payroll::payroll(&db, &finance, q3).await.unwrap();
        times.push(ms(t.elapsed()));
        last = Some(payroll);
    }
    times.sort_by(f64::total_cmp);
    let payroll = last.unwrap();
    let people: usize = payroll.townships.iter().map(|t| t.people.len()).sum();
    assert_eq!(people, everyone.len());
    assert_eq!(
        domain::claim::sum(
            payroll
                .townships
                .iter()
                .flat_map(|t| t.people.iter().map(|p| p.amount))
        ),
        payroll.amount,
        "the payroll's total is its people's"
    );
    println!(
        "[{name}] payroll of {q3}: {} townships, {people} mediators, {} yuan: median {:.1} ms, p95 {:.1} ms",
        payroll.townships.len(),
        payroll.amount,
        pct(&times, 0.5),
        pct(&times, 0.95)
    );

    // the duplicate check over the year's cases, as the bureau sees them
    let year: Vec<domain::CaseId> = tiaojie_server::demo::history_cases(end)
        .iter()
        .filter(|c| c.received_on > end.saturating_sub(jiff::Span::new().days(365)))
        .map(|c| c.id)
        .collect();
    let mut times = Vec::new();
    let mut flagged = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        let mut c = db.read().await.unwrap();
        flagged = duplicates::flags(&mut c, &bureau, &year).await.unwrap();
        times.push(ms(t.elapsed()));
    }
    times.sort_by(f64::total_cmp);
    let flags: usize = flagged.iter().map(|d| d.flags.len()).sum();
    println!(
        "[{name}] duplicate check of the year's {} cases: {} flagged, {flags} flags: median {:.1} ms, p95 {:.1} ms",
        year.len(),
        flagged.len(),
        pct(&times, 0.5),
        pct(&times, 0.95)
    );

    // the year's lines in one workbook
    let mut rows = Vec::new();
    for &quarter in &quarters {
        let (s, all) = claims::summary(&db, &bureau, quarter).await.unwrap();
        rows.extend(claim_files::detail_rows(&s, &all));
    }
    let tiers = claims::tier_codes(q3);
    let mut times = Vec::new();
    let mut size = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let bytes = claim_files::workbook(&summary, &rows, &tiers).unwrap();
        times.push(ms(t.elapsed()));
        size = bytes.len();
    }
    times.sort_by(f64::total_cmp);
    println!(
        "[{name}] workbook of the year's {} lines ({} KiB): median {:.1} ms, p95 {:.1} ms",
        rows.len(),
        size / 1024,
        pct(&times, 0.5),
        pct(&times, 0.95)
    );
    db.close().await;
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    run(
        "sqlite",
        &format!("sqlite://{}", dir.path().join("bench.db").display()),
    )
    .await;

    let base = std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let schema = format!("bench_{}", Uuid::now_v7().simple());
    let Ok(admin) = Store::connect(&base, 1).await else {
        println!("[postgres] not reachable at {base}: skipped");
        return;
    };
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(admin.pool())
        .await
        .unwrap();
    let sep = if base.contains('?') { '&' } else { '?' };
    run(
        "postgres",
        &format!("{base}{sep}options=-c%20search_path%3D{schema}"),
    )
    .await;
    sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
        .execute(admin.pool())
        .await
        .unwrap();
}
