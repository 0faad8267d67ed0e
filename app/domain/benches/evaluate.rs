//! Evaluations per second: `cargo bench -p domain --bench evaluate`.
//! Prints numbers; the results and the machine go in docs/perf.md.

use domain::rules::{
    CaseFacts, CommitteeKind, FormCode, Method, Outcome, STANDARD_FORMS, builtin, evaluate,
};
use jiff::civil::date;
use std::hint::black_box;
use std::time::Instant;

const N: usize = 1_000_000;

/// A realistic mix: oral cases, general cases with gaps, failures, majors,
/// ineligible committees and both rule sets.
fn cases() -> Vec<CaseFacts> {
    (0..1024)
        .map(|i: usize| {
            let forms = STANDARD_FORMS
                .iter()
                .take(if i.is_multiple_of(5) { i % 6 } else { 6 })
                .map(|f| FormCode::new(f))
                .collect();
            CaseFacts {
                committee: [
                    CommitteeKind::Village,
                    CommitteeKind::Community,
                    CommitteeKind::Township,
                    CommitteeKind::Sector,
                ][i % 4],
                closed_on: if i.is_multiple_of(17) {
                    date(2012, 3, 1)
                } else {
                    date(2024, 1 + (i % 12) as i8, 10)
                },
                method: if i.is_multiple_of(2) {
                    Method::Simple
                } else {
                    Method::General
                },
                outcome: if i.is_multiple_of(7) {
                    Outcome::NotAgreed
                } else {
                    Outcome::Agreed
                },
                sessions: (i % 4) as u32,
                oral_register: !i.is_multiple_of(3),
                forms,
                archived: !i.is_multiple_of(9),
                recorded: !i.is_multiple_of(11),
                deaths: u32::from(i.is_multiple_of(50)),
                disability_grade: i.is_multiple_of(13).then_some((i % 10) as u8 + 1),
                independent: !i.is_multiple_of(6),
                special: false,
                approved_amount: None,
            }
        })
        .collect()
}

fn main() {
    let sets = builtin();
    let cases = cases();
    // warm up
    for c in &cases {
        black_box(evaluate(c, sets).ok());
    }
    for round in 1..=3 {
        let start = Instant::now();
        let mut earned = 0usize;
        for i in 0..N {
            let e = evaluate(black_box(&cases[i % cases.len()]), sets);
            earned += usize::from(e.is_ok_and(|e| e.tier.is_some()));
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "round {round}: {N} evaluations in {secs:.3} s = {:.0} evaluations/s on one core ({earned} earned a tier)",
            N as f64 / secs
        );
    }
}
