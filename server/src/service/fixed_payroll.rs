//! Paying the fixed part (定额补助发放, docs/claims.md): the quarter's
//! payroll of each township's full-time mediators from the judicial
//! office's decisions (履职认定), the bureau's payment of it to the
//! township (拨付) once every month is decided, and the township's payment
//! to each mediator (核发) of their months as paid; the mediator confirms
//! receipt like any payment (`claims::confirm_receipt`).

use super::caller::Caller;
use super::claims::{ClaimError, check_reference, now, stale_on_conflict};
use crate::store::{self, Conn, Store, org::Unit};
use domain::claim::{self, PayMethod, Payee, Payment, Quarter};
use domain::fixed_pay::{self, FixedPart};
use domain::fixed_payroll::{
    self, FixedMediatorPayment, FixedTownshipPayment, Payroll, PayrollPerson, PayrollTownship,
};
use domain::{PaymentId, PersonId, Role, UnitKind, UnitPath};

/// The roles that read a township's payroll: those who pay it and the
/// judicial office that decides it.
const READERS: [Role; 4] = [
    Role::BureauFinance,
    Role::TownshipFinance,
    Role::JudicialStaff,
    Role::JudicialDirector,
];

/// The townships in the subtrees where the caller holds one of `roles`.
async fn townships(
    store: &Store,
    caller: &Caller,
    roles: &[Role],
) -> Result<Vec<Unit>, ClaimError> {
    let mut roots: Vec<&UnitPath> = caller
        .scopes
        .iter()
        .filter(|s| roles.contains(&s.role))
        .map(|s| &s.path)
        .collect();
    roots.sort_unstable();
    roots.dedup();
    if roots.is_empty() {
        return Ok(Vec::new());
    }
    let mut out: Vec<Unit> = store::org::under(store, &roots)
        .await?
        .into_iter()
        .filter(|u| u.kind == UnitKind::Township)
        .collect();
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// A township's quarter: its full-time mediators' decided months (as
/// paid, once paid to the township) — the active ones', and those of one
/// who left with months decided — what is left to decide (the active
/// ones' months), and the payments made.
async fn township_payroll(
    c: &mut Conn,
    township: &Unit,
    quarter: Quarter,
) -> Result<PayrollTownship, ClaimError> {
    let months = fixed_payroll::months(quarter);
    // the active full-time mediators, and those who left with months of
    // the quarter decided (those months are owed; nothing more is asked)
    let mut people = store::duty::full_time_under(c, &[&township.path]).await?;
    let active: Vec<PersonId> = people.iter().map(|p| p.person_id).collect();
    for left in store::duty::decided_under(c, &[&township.path], &months).await? {
        if !active.contains(&left.person_id) {
            people.push(left);
        }
    }
    let ids: Vec<PersonId> = people.iter().map(|p| p.person_id).collect();
    let decided: Vec<_> = store::duty::of(c, &ids, None)
        .await?
        .into_iter()
        .filter(|d| months.contains(&d.month))
        .collect();
    let payments = store::claims::fixed_payments(c, &[township.id], quarter).await?;
    let to_township = payments
        .iter()
        .find(|p| p.payee == Payee::Township)
        .cloned();
    let (parts, undecided) = match &to_township {
        // once paid, the months are what was paid
        Some(paid) => (paid.fixed.clone(), Vec::new()),
        None => {
            let (parts, mut undecided) =
                fixed_payroll::township_parts(quarter, &ids, &fixed_pay::latest(decided));
            undecided.retain(|(who, _)| active.contains(who));
            (parts, undecided)
        }
    };
    let rows = people
        .into_iter()
        .map(|p| {
            let paid_to = payments
                .iter()
                .find(|x| x.payee == Payee::Mediator && x.mediator_id == Some(p.person_id));
            let mine: Vec<FixedPart> = parts
                .iter()
                .filter(|x| x.person_id == p.person_id)
                .cloned()
                .collect();
            PayrollPerson {
                amount: fixed_payroll::total(&mine),
                undecided: undecided
                    .iter()
                    .filter(|(who, _)| *who == p.person_id)
                    .map(|(_, m)| *m)
                    .collect(),
                state: paid_to.map(fixed_payroll::paid_words).unwrap_or_default(),
                paid: paid_to.cloned(),
                months: mine,
                person_id: p.person_id,
                name: p.name,
                unit_name: p.unit_name,
            }
        })
        .collect();
    Ok(PayrollTownship {
        township_id: township.id,
        township: township.name.clone(),
        people: rows,
        amount: fixed_payroll::total(&parts),
        undecided: undecided.len() as u32,
        state: fixed_payroll::township_state(to_township.as_ref(), undecided.len() as u32),
        paid: to_township,
    })
}

/// The quarter's fixed subsidies of every township the caller pays, pays
/// out or decides for.
pub async fn payroll(
    store: &Store,
    caller: &Caller,
    quarter: Quarter,
) -> Result<Payroll, ClaimError> {
    let units = townships(store, caller, &READERS).await?;
    if units.is_empty() {
        return Err(ClaimError::Forbidden);
    }
    let mut c = store.read().await?;
    let mut out = Vec::with_capacity(units.len());
    for township in &units {
        out.push(township_payroll(&mut c, township, quarter).await?);
    }
    Ok(Payroll {
        quarter,
        amount: claim::sum(out.iter().map(|t| t.amount)),
        townships: out,
    })
}

/// A payment's date lies between `earliest` (the quarter's first day, or
/// the day the township was paid) and today.
fn check_paid_on(
    paid_on: jiff::civil::Date,
    earliest: jiff::civil::Date,
) -> Result<(), ClaimError> {
    if paid_on > now().china_date() || paid_on < earliest {
        let from = domain::dates::format_iso(earliest);
        return Err(ClaimError::invalid(
            "paid_on",
            format!("付款日期应在 {from} 至今天之间 / the date lies between {from} and today"),
        ));
    }
    Ok(())
}

/// 拨付: the bureau's finance paid the township the quarter's decided
/// months, their total to the fen; every month must be decided first, and
/// a township's quarter is paid once.
pub async fn pay_township(
    store: &Store,
    caller: &Caller,
    req: FixedTownshipPayment,
) -> Result<Payment, ClaimError> {
    let voucher = check_reference("voucher", &req.voucher)?;
    let ours = townships(store, caller, &[Role::BureauFinance]).await?;
    if ours.is_empty() {
        return Err(ClaimError::Forbidden);
    }
    let Some(township) = ours.into_iter().find(|t| t.id == req.township_id) else {
        return Err(ClaimError::invalid(
            "township_id",
            "没有此乡镇 / no such township of yours",
        ));
    };
    check_paid_on(req.paid_on, req.quarter.first_day())?;
    let name = store::people::name(store, caller.person_id)
        .await?
        .unwrap_or_default();
    let mut tx = store.write().await?;
    let now_paying = township_payroll(&mut tx, &township, req.quarter).await?;
    if now_paying.paid.is_some() {
        return Err(ClaimError::invalid(
            "quarter",
            "本季度定额补助已拨付 / the quarter was paid to the township already",
        ));
    }
    if now_paying.undecided > 0 {
        return Err(ClaimError::invalid(
            "quarter",
            format!(
                "还有 {} 个人月没有履职认定，认定后才能拨付 / {} mediator-months are not decided yet",
                now_paying.undecided, now_paying.undecided
            ),
        ));
    }
    let parts: Vec<FixedPart> = now_paying
        .people
        .iter()
        .flat_map(|p| p.months.iter().cloned())
        .collect();
    if parts.is_empty() {
        return Err(ClaimError::invalid(
            "township_id",
            "此乡镇没有专职调解员 / the township has no full-time mediators",
        ));
    }
    claim::check_amount(req.amount, fixed_payroll::total(&parts))?;
    let payment = Payment {
        id: PaymentId::new_v7(),
        payee: Payee::Township,
        township_id: township.id,
        quarter: req.quarter,
        mediator_id: None,
        mediator: None,
        amount: req.amount,
        paid_on: req.paid_on,
        method: PayMethod::BankTransfer,
        reference: voucher,
        by: caller.person_id,
        by_name: name,
        at: now(),
        parts: Vec::new(),
        fixed: parts,
        receipts: Vec::new(),
    };
    store::claims::insert_payment(&mut tx, &payment)
        .await
        .map_err(stale_on_conflict)?;
    tx.commit().await?;
    tracing::info!(payment = %payment.id, amount = %payment.amount, "fixed subsidy paid to a township");
    Ok(payment)
}

/// 核发: the township's finance office paid a mediator their months of the
/// quarter as the bureau paid them, to the fen, once.
pub async fn pay_mediator(
    store: &Store,
    caller: &Caller,
    req: FixedMediatorPayment,
) -> Result<Payment, ClaimError> {
    let reference = check_reference("reference", &req.reference)?;
    let mine = townships(store, caller, &[Role::TownshipFinance]).await?;
    if mine.is_empty() {
        return Err(ClaimError::Forbidden);
    }
    let name = store::people::name(store, caller.person_id)
        .await?
        .unwrap_or_default();
    let mut tx = store.write().await?;
    let mut found = None;
    for township in &mine {
        let payroll = township_payroll(&mut tx, township, req.quarter).await?;
        if let Some(person) = payroll
            .people
            .iter()
            .find(|p| p.person_id == req.mediator_id)
        {
            found = Some((payroll.paid.clone(), person.clone(), township.id));
            break;
        }
    }
    let Some((to_township, person, township_id)) = found else {
        return Err(ClaimError::invalid(
            "mediator_id",
            "本乡镇没有这位专职调解员 / no such full-time mediator in your township",
        ));
    };
    let Some(to_township) = to_township else {
        return Err(ClaimError::invalid(
            "quarter",
            "市司法局还没有拨付本季度定额补助 / the bureau has not paid the quarter to the township yet",
        ));
    };
    if person.paid.is_some() {
        return Err(ClaimError::invalid(
            "mediator_id",
            "已向此调解员核发过 / the mediator was paid already",
        ));
    }
    let due = fixed_payroll::due_to(req.mediator_id, &to_township);
    let owed = fixed_payroll::total(&due);
    if owed == domain::Money::ZERO {
        return Err(ClaimError::invalid(
            "mediator_id",
            "此调解员本季度没有应发的定额补助 / nothing is due to the mediator this quarter",
        ));
    }
    check_paid_on(req.paid_on, to_township.paid_on)?;
    claim::check_amount(req.amount, owed)?;
    let payment = Payment {
        id: PaymentId::new_v7(),
        payee: Payee::Mediator,
        township_id,
        quarter: req.quarter,
        mediator_id: Some(req.mediator_id),
        mediator: Some(person.name),
        amount: req.amount,
        paid_on: req.paid_on,
        method: req.method,
        reference,
        by: caller.person_id,
        by_name: name,
        at: now(),
        parts: Vec::new(),
        fixed: due,
        receipts: Vec::new(),
    };
    store::claims::insert_payment(&mut tx, &payment)
        .await
        .map_err(stale_on_conflict)?;
    tx.commit().await?;
    Ok(payment)
}
