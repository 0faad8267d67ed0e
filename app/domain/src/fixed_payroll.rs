//! Paying the fixed part (定额补助发放, docs/claims.md): a quarter's decided
//! months of a township's full-time mediators, paid by the bureau's finance
//! to the township's finance office (拨付) once every month is decided, then
//! by the township to each mediator (核发), who confirms receipt (到账确认)
//! like any other payment. What is paid is what the judicial office decided
//! (履职认定): the township's payment fixes each month's amount, and a
//! month once paid is not decided again.

use crate::claim::{Payment, Quarter, sum};
use crate::fixed_pay::{DutyDecision, FixedPart, Month};
use crate::money::Money;
use crate::{PersonId, UnitId};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// The quarter's three months, oldest first.
pub fn months(quarter: Quarter) -> [Month; 3] {
    let first = quarter.first_day();
    // try_months and checked_add: no panicking jiff call (docs/perf.md)
    let at = |n: i64| {
        let day = jiff::Span::new()
            .try_months(n)
            .ok()
            .and_then(|span| first.checked_add(span).ok())
            .unwrap_or(first);
        Month::containing(day)
    };
    [at(0), at(1), at(2)]
}

/// What a township is owed for the quarter's months of `people`, from the
/// last decisions (`domain::fixed_pay::latest`): each decided month as a
/// part (a month not performed is a part of 0.00: paid as decided), and
/// the months nobody decided yet.
pub fn township_parts(
    quarter: Quarter,
    people: &[PersonId],
    latest: &[DutyDecision],
) -> (Vec<FixedPart>, Vec<(PersonId, Month)>) {
    let mut parts = Vec::new();
    let mut undecided = Vec::new();
    for &person in people {
        for month in months(quarter) {
            match latest
                .iter()
                .find(|d| d.person_id == person && d.month == month)
            {
                Some(d) => parts.push(FixedPart {
                    person_id: person,
                    month,
                    amount: d.amount,
                }),
                None => undecided.push((person, month)),
            }
        }
    }
    (parts, undecided)
}

/// What the township owes a mediator of the quarter: their months in the
/// township's payment.
pub fn due_to(person: PersonId, to_township: &Payment) -> Vec<FixedPart> {
    to_township
        .fixed
        .iter()
        .filter(|p| p.person_id == person)
        .cloned()
        .collect()
}

/// `已拨付 · 记-1 · 2026-10-20 / paid · 记-1 · 2026-10-20` (to the
/// township), `已核发 · … / paid out · …` (to a mediator).
pub fn paid_words(p: &Payment) -> String {
    let (zh, en) = match p.payee {
        crate::claim::Payee::Township => ("已拨付", "paid"),
        crate::claim::Payee::Mediator => ("已核发", "paid out"),
    };
    let what = format!("{} · {}", p.reference, crate::dates::format_iso(p.paid_on));
    format!("{zh} · {what} / {en} · {what}")
}

/// Where a township's quarter stands (see [`PayrollTownship::state`]).
pub fn township_state(paid: Option<&Payment>, undecided: u32) -> String {
    match (paid, undecided) {
        (Some(p), _) => paid_words(p),
        (None, 0) => "待拨付 / to pay".to_owned(),
        (None, n) => format!("{n} 个人月未认定 / {n} mediator-months not decided"),
    }
}

/// The parts' amounts, summed.
pub fn total(parts: &[FixedPart]) -> Money {
    sum(parts.iter().map(|p| p.amount))
}

/// A full-time mediator's quarter in the payroll.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PayrollPerson {
    pub person_id: PersonId,
    pub name: String,
    pub unit_name: String,
    /// The decided months (paid to the township: as paid), oldest first.
    pub months: Vec<FixedPart>,
    /// Months no decision was recorded for yet.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>, examples(json!(["2026-09"]))))]
    pub undecided: Vec<Month>,
    /// The months' amounts, summed.
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("2400.00")))]
    pub amount: Money,
    /// The township's payment to the mediator (核发), once made.
    pub paid: Option<Payment>,
    /// Where the mediator's quarter stands, `中文 / English`: `已核发 ·
    /// <reference> · <date> / paid out · …`, or empty.
    pub state: String,
}

/// A township's quarter of fixed subsidies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PayrollTownship {
    pub township_id: UnitId,
    pub township: String,
    pub people: Vec<PayrollPerson>,
    /// The decided months' amounts, summed: what the bureau pays.
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("88800.00")))]
    pub amount: Money,
    /// Months not decided yet; the township is paid when none is left.
    pub undecided: u32,
    /// The bureau's payment to the township (拨付), once made.
    pub paid: Option<Payment>,
    /// Where the township's quarter stands, `中文 / English`: `待拨付 / to
    /// pay`, `3 个人月未认定 / …`, `已拨付 · <voucher> · <date> / paid · …`.
    pub state: String,
}

/// `GET /api/v1/duty/payroll?quarter=…`: the quarter's fixed subsidies of
/// the townships the caller pays, pays out or decides for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Payroll {
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("2026-Q3")))]
    pub quarter: Quarter,
    pub townships: Vec<PayrollTownship>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("88800.00")))]
    pub amount: Money,
}

/// `POST /api/v1/duty/township-payments` (拨付): the bureau's finance paid
/// a township's finance office the quarter's fixed subsidies; `amount` is
/// the decided months' total to the fen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FixedTownshipPayment {
    pub township_id: UnitId,
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("2026-Q3")))]
    pub quarter: Quarter,
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("88800.00")))]
    pub amount: Money,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    #[serde(with = "crate::dates::iso")]
    pub paid_on: Date,
    /// 凭证号.
    pub voucher: String,
}

/// `POST /api/v1/duty/mediator-payments` (核发): the township's finance
/// office paid a mediator their months of the quarter, to the fen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FixedMediatorPayment {
    pub mediator_id: PersonId,
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("2026-Q3")))]
    pub quarter: Quarter,
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("2400.00")))]
    pub amount: Money,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    #[serde(with = "crate::dates::iso")]
    pub paid_on: Date,
    pub method: crate::claim::PayMethod,
    /// The bank's reference or the receipt number.
    pub reference: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claim::{PayMethod, Payee};
    use crate::fixed_pay::latest;
    use proptest::prelude::*;

    fn q3() -> Quarter {
        "2026-Q3".parse().unwrap()
    }

    fn decision(person: PersonId, month: &str, performed: bool, at: &str) -> DutyDecision {
        DutyDecision {
            person_id: person,
            month: month.parse().unwrap(),
            performed,
            amount: if performed {
                Money::yuan(800)
            } else {
                Money::ZERO
            },
            reason: (!performed).then(|| "未按月排查".into()),
            by: PersonId::stable("staff"),
            by_name: "所员".into(),
            at: at.parse().unwrap(),
        }
    }

    fn to_township(parts: Vec<FixedPart>) -> Payment {
        Payment {
            id: crate::PaymentId::stable("p"),
            payee: Payee::Township,
            township_id: UnitId::stable("t"),
            quarter: q3(),
            mediator_id: None,
            mediator: None,
            amount: total(&parts),
            paid_on: Date::new(2026, 10, 20).unwrap(),
            method: PayMethod::BankTransfer,
            reference: "记-1".into(),
            by: PersonId::stable("finance"),
            by_name: "财务".into(),
            at: "2026-10-20T02:00:00Z".parse().unwrap(),
            parts: Vec::new(),
            fixed: parts,
            receipts: Vec::new(),
        }
    }

    #[test]
    fn a_quarter_has_its_three_months() {
        let m: Vec<String> = months(q3()).iter().map(|m| m.to_string()).collect();
        assert_eq!(m, ["2026-07", "2026-08", "2026-09"]);
        let q4: Quarter = "2026-Q4".parse().unwrap();
        assert_eq!(months(q4)[2].to_string(), "2026-12");
    }

    #[test]
    fn the_township_is_owed_the_decided_months_and_told_the_rest() {
        let (a, b) = (PersonId::stable("a"), PersonId::stable("b"));
        let all = latest(vec![
            decision(a, "2026-07", true, "2026-08-01T01:00:00Z"),
            decision(a, "2026-08", false, "2026-09-01T01:00:00Z"),
            decision(a, "2026-09", true, "2026-10-01T01:00:00Z"),
            decision(b, "2026-07", false, "2026-08-01T01:00:00Z"),
            // corrected: the last holds
            decision(b, "2026-07", true, "2026-08-02T01:00:00Z"),
            decision(b, "2026-06", true, "2026-07-01T01:00:00Z"),
        ]);
        let (parts, undecided) = township_parts(q3(), &[a, b], &all);
        assert_eq!(parts.len(), 4, "a's three months and b's July");
        assert_eq!(total(&parts), Money::yuan(2400));
        assert_eq!(
            undecided,
            vec![
                (b, "2026-08".parse().unwrap()),
                (b, "2026-09".parse().unwrap())
            ]
        );
        let paid = to_township(parts);
        assert_eq!(total(&due_to(a, &paid)), Money::yuan(1600));
        assert_eq!(total(&due_to(b, &paid)), Money::yuan(800));
        assert!(due_to(PersonId::stable("c"), &paid).is_empty());
    }

    proptest! {
        /// Whatever the decisions, the township's parts are the people's
        /// parts summed: what the bureau pays is what the mediators get.
        #[test]
        fn the_township_total_is_the_mediators_totals(
            decided in proptest::collection::vec((0usize..4, 0usize..3, any::<bool>()), 0..24)
        ) {
            let people: Vec<PersonId> = (0..4).map(|i| PersonId::stable(&format!("p{i}"))).collect();
            let ms = months(q3());
            let all = latest(decided.iter().enumerate().map(|(i, (p, m, ok))| {
                decision(people[*p], &ms[*m].to_string(), *ok, &format!("2026-10-01T01:{:02}:00Z", i))
            }).collect());
            let (parts, undecided) = township_parts(q3(), &people, &all);
            prop_assert_eq!(parts.len() + undecided.len(), 12);
            let paid = to_township(parts.clone());
            let by_person = sum(people.iter().map(|p| total(&due_to(*p, &paid))));
            prop_assert_eq!(by_person, total(&parts));
        }
    }
}
