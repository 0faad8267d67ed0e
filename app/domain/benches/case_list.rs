//! The case list on 5,000 local cases: building the rows once, then
//! filtering per keystroke. `cargo bench -p domain --bench case_list`.
//! Prints numbers; the results and the machine go in docs/perf.md.

use domain::case::CaseStatus;
use domain::case_query::{CaseQuery, CaseRow, TierFilter};
use domain::rules::{CommitteeKind, builtin};
use domain::{PersonId, UnitId};
use jiff::civil::date;
use std::hint::black_box;
use std::time::Instant;

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn main() {
    let cases = domain::sample::cases(
        5_000,
        2023,
        UnitId::stable("bench"),
        PersonId::stable("bench"),
        date(2023, 1, 1),
        date(2024, 12, 31),
    );
    let start = Instant::now();
    let rows: Vec<CaseRow> = cases
        .iter()
        .map(|c| CaseRow::of(c, CommitteeKind::Village, builtin()))
        .collect();
    println!(
        "rows for {} cases built in {:.2} ms",
        rows.len(),
        start.elapsed().as_secs_f64() * 1e3
    );
    let queries = [
        ("no filter", CaseQuery::default()),
        (
            "text 李",
            CaseQuery {
                text: "李".into(),
                ..CaseQuery::default()
            },
        ),
        (
            "text id digits 5323011980",
            CaseQuery {
                text: "5323011980".into(),
                ..CaseQuery::default()
            },
        ),
        (
            "closed + tier A + month",
            CaseQuery {
                status: Some(CaseStatus::Closed),
                tier: Some(TierFilter::Code("A".into())),
                month: Some((2024, 5)),
                ..CaseQuery::default()
            },
        ),
    ];
    for (name, q) in &queries {
        let mut times = Vec::new();
        let mut hits = 0;
        for _ in 0..50 {
            let t = Instant::now();
            hits = black_box(q.filter(black_box(&rows))).len();
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
        println!(
            "filter 5,000 cases, {name}: median {:.3} ms ({hits} hits)",
            median(times)
        );
    }
}
