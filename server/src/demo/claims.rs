//! The demo's quarterly claims (以案定补兑现), made through the same
//! services the offices use, as the demo's people: in 鹿城镇, the two
//! quarters before the last are claimed by ten committees and finished
//! (approved, paid to the township and to each mediator, received); the
//! last full quarter is claimed by the others, one waiting at each of the
//! eight steps and the rest at 初审, so every demo office log-in finds
//! work waiting (the judicial office several claims, to sign at once). The
//! demo log-ins' own committees (the head's village and the first
//! community) leave the last quarter unclaimed for a newcomer to claim.
//! One case of the claim waiting at 审批 is reported as especially grave
//! and waits for the party group; one of a finished claim was decided.
//! The judicial office has called back the sample of every claim past 初审
//! and of those waiting there but one (回访抽查): the largest, whose sample
//! is not drawn yet.
//!
//! Loaded once: a database that holds any claim is left alone.

use super::chuxiong;
use super::load::SeedError;
use crate::service::auth::acting_as;
use crate::service::{Caller, claims, special_cases, spot_checks};
use crate::store::{self, Store, StoreError};
use domain::api::{
    ClaimDraft, ClaimView, MediatorPaymentRequest, NewClaim, ReceiptRequest, StepRequest,
    TownshipPaymentRequest,
};
use domain::claim::{Decision, PayMethod, Payee, Quarter, Stage, Step};
use domain::special::{self, SpecialReport, SpecialRequest};
use domain::spot_check::{CallRequest, DrawRequest};
use domain::{CaseId, ClaimId, Money, PersonId, Role, UnitId, UnitKind};
use jiff::civil::Date;

/// What the claims load did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClaimsReport {
    pub claims: usize,
    pub finished: usize,
}

fn failed(e: claims::ClaimError) -> SeedError {
    match e {
        claims::ClaimError::Store(e) => SeedError::Store(e),
        other => SeedError::Store(StoreError::Corrupt(format!("demo claims: {other}"))),
    }
}

/// A demo person acting on the server (no device session).
async fn caller(db: &Store, person: PersonId) -> Result<Caller, SeedError> {
    Ok(acting_as(db, person).await?)
}

/// The person holding `role` in the demo organisation (the first one).
fn holder(role: Role) -> Option<(PersonId, UnitId)> {
    chuxiong()
        .grants
        .iter()
        .find(|g| g.role == role)
        .map(|g| (g.person_id, g.unit_id))
}

/// The claimant of `unit` and its draft of `quarter`, when it has cases
/// to claim.
async fn drafted(
    db: &Store,
    person: Option<PersonId>,
    unit: UnitId,
    quarter: Quarter,
) -> Result<Option<(Caller, ClaimDraft)>, SeedError> {
    let Some(person) = person else {
        return Ok(None);
    };
    let who = caller(db, person).await?;
    let draft = claims::draft(db, &who, unit, quarter)
        .await
        .map_err(failed)?;
    Ok((!draft.lines.is_empty()).then_some((who, draft)))
}

/// Submits the whole draft; when `grave`, its first case that may be
/// reported as especially grave is. Answers the claim and whether a case
/// was reported.
async fn submit(
    db: &Store,
    who: &Caller,
    draft: ClaimDraft,
    grave: bool,
) -> Result<(ClaimId, bool), SeedError> {
    let special: Vec<SpecialReport> = draft
        .may_report_special
        .first()
        .filter(|_| grave)
        .map(|&case_id| SpecialReport {
            case_id,
            reason: "山林权属群体性纠纷，涉及三个村民小组，社会影响特别重大".into(),
        })
        .into_iter()
        .collect();
    let reported = !special.is_empty();
    let req = NewClaim {
        unit_id: draft.unit_id,
        quarter: draft.quarter,
        cases: draft.lines.iter().map(|l| l.case_id).collect(),
        special,
    };
    let claim = claims::submit(db, who, req).await.map_err(failed)?;
    Ok((claim.claim.id, reported))
}

/// The party group recognises the claim's grave cases (3,000 yuan each).
async fn decide_grave(db: &Store, id: ClaimId, now: &ClaimView) -> Result<(), SeedError> {
    let Some((person, _)) = holder(Role::BureauPartyGroup) else {
        return Ok(());
    };
    let who = caller(db, person).await?;
    let mut version = now.claim.version;
    for case_id in special::awaiting(&now.claim) {
        let req = SpecialRequest {
            version,
            case_id,
            approved: true,
            amount: Some(Money::yuan(3_000)),
            minutes: format!(
                "市司法局党组会议纪要〔{}〕{} 号",
                now.claim.quarter.year(),
                version
            ),
        };
        version = special_cases::decide(db, &who, id, req)
            .await
            .map_err(failed)?
            .claim
            .version;
    }
    Ok(())
}

/// The judicial office draws the claim's call-back sample and reaches a
/// party of each sampled case, who confirms the mediation (回访抽查).
async fn call_back(db: &Store, id: ClaimId) -> Result<(), SeedError> {
    let Some((person, _)) = holder(Step::FirstReview.role()) else {
        return Ok(());
    };
    let who = caller(db, person).await?;
    let now = claims::get(db, &who, id).await.map_err(failed)?;
    let mut view = spot_checks::draw(
        db,
        &who,
        id,
        DrawRequest {
            version: now.claim.version,
        },
    )
    .await
    .map_err(failed)?;
    let sample = view
        .claim
        .spot_check
        .as_ref()
        .map(|c| c.cases.clone())
        .unwrap_or_default();
    for (i, case_id) in sample.into_iter().enumerate() {
        let req = CallRequest {
            version: view.claim.version,
            case_id,
            reached: true,
            confirms: true,
            satisfied: i % 3 != 2,
            notes: if i % 3 == 2 {
                "认可调解，但对方还没有按协议赔偿".into()
            } else {
                "当事人认可调解，协议已履行".into()
            },
        };
        view = spot_checks::call(db, &who, id, req).await.map_err(failed)?;
    }
    Ok(())
}

/// Takes the claim through the first `steps` steps (0: just submitted);
/// the call-backs are made before 初审 signs, or, when `called`, even if
/// the claim stays at 初审.
async fn advance(db: &Store, id: ClaimId, steps: usize, called: bool) -> Result<Stage, SeedError> {
    let mut stage = Stage::At(Step::FirstReview);
    let reader = who_for_reading(db).await?;
    if called || steps > 0 {
        call_back(db, id).await?;
    }
    for step in Step::ALL.into_iter().take(steps) {
        let Some((person, _)) = holder(step.role()) else {
            break;
        };
        let who = caller(db, person).await?;
        let mut now = claims::get(db, &reader, id).await.map_err(failed)?;
        let today = domain::dates::china_date(jiff::Timestamp::now());
        if step == Step::Approval && !special::awaiting(&now.claim).is_empty() {
            decide_grave(db, id, &now).await?;
            now = claims::get(db, &reader, id).await.map_err(failed)?;
        }
        stage = match step {
            s if s.is_review() => {
                let req = StepRequest {
                    step: s,
                    version: now.claim.version,
                    decision: Decision::Pass,
                    opinion: match s {
                        Step::FirstReview => "经审核，案件材料齐全，同意申报".into(),
                        Step::SecondReview => "同意".into(),
                        Step::TownshipCheck => "同意，列入本镇兑现审批表".into(),
                        Step::CitySummary => "已复核汇总".into(),
                        _ => "同意拨付".into(),
                    },
                    lines: Vec::new(),
                    // kept only when the township's claims exceed its fund
                    overspend_note: (s == Step::Approval)
                        .then(|| "含重特大纠纷补助，超支部分由市级统筹解决".into()),
                };
                claims::sign(db, &who, id, req)
                    .await
                    .map_err(failed)?
                    .claim
                    .stage
            }
            Step::TownshipPayment => {
                let req = TownshipPaymentRequest {
                    township_id: now.claim.township_id,
                    quarter: now.claim.quarter,
                    claims: vec![id],
                    amount: now.total,
                    paid_on: today,
                    voucher: format!(
                        "记-{}-{:04}",
                        now.claim.quarter,
                        (id.0.as_u128() % 10_000) as u32
                    ),
                };
                claims::pay_township(db, &who, req).await.map_err(failed)?;
                Stage::At(Step::MediatorPayment)
            }
            Step::MediatorPayment => {
                let mut last = stage;
                for (mediator, _, amount) in now.claim.due_by_mediator() {
                    let req = MediatorPaymentRequest {
                        mediator_id: mediator,
                        amount,
                        paid_on: today,
                        method: PayMethod::BankTransfer,
                        reference: format!("农信社代发 {}", &mediator.to_string()[..8]),
                    };
                    last = claims::pay_mediator(db, &who, id, req)
                        .await
                        .map_err(failed)?
                        .claim
                        .stage;
                }
                last
            }
            Step::Receipt => {
                let mut last = stage;
                for p in now.payments.iter().filter(|p| p.payee == Payee::Mediator) {
                    let Some(mediator) = p.mediator_id else {
                        continue;
                    };
                    let paid = caller(db, mediator).await?;
                    let req = ReceiptRequest {
                        received: true,
                        note: "已到账".into(),
                    };
                    claims::confirm_receipt(db, &paid, p.id, req)
                        .await
                        .map_err(failed)?;
                    last = claims::get(db, &reader, id)
                        .await
                        .map_err(failed)?
                        .claim
                        .stage;
                }
                last
            }
            _ => stage,
        };
    }
    Ok(stage)
}

/// Someone who reads every claim of the city (the bureau's business section).
async fn who_for_reading(db: &Store) -> Result<Caller, SeedError> {
    let (person, _) = holder(Role::BureauSection).ok_or(SeedError::NoDemoOrganisation)?;
    caller(db, person).await
}

/// Loads the demo claims as of `end` (the history's last day).
#[tracing::instrument(skip(db), err)]
pub async fn load_claims(db: &Store, end: Date) -> Result<ClaimsReport, SeedError> {
    let reader = who_for_reading(db).await?;
    if !claims::list(db, &reader, None)
        .await
        .map_err(failed)?
        .is_empty()
    {
        return Ok(ClaimsReport::default());
    }
    let org = chuxiong();
    let (_, township) = holder(Role::JudicialStaff).ok_or(SeedError::NoDemoOrganisation)?;
    let committees: Vec<UnitId> = org
        .units
        .iter()
        .filter(|u| {
            u.parent_id == Some(township)
                && matches!(u.kind, UnitKind::Village | UnitKind::Community)
        })
        .map(|u| u.id)
        .collect();
    let head = holder(Role::CommitteeHead);
    // who claims for a committee: its head, or its first mediator
    let claimant = |unit: UnitId| {
        head.filter(|(_, at)| *at == unit)
            .map(|(p, _)| p)
            .or_else(|| {
                org.grants
                    .iter()
                    .find(|g| g.unit_id == unit && g.role == Role::Mediator)
                    .map(|g| g.person_id)
            })
    };
    let Some(last) = Quarter::containing(end).prev() else {
        return Ok(ClaimsReport::default());
    };
    // the demo log-ins' committees (the head's village, the first
    // community), then eight others
    let village = head.map(|(_, at)| at);
    let community = org
        .units
        .iter()
        .find(|u| u.parent_id == Some(township) && u.kind == UnitKind::Community)
        .map(|u| u.id);
    let own: Vec<UnitId> = [village, community].into_iter().flatten().collect();
    let others: Vec<UnitId> = committees
        .iter()
        .copied()
        .filter(|u| !own.contains(u))
        .take(Step::ALL.len() + 4)
        .collect();
    let mut report = ClaimsReport::default();
    // the two quarters before: every committee's claim goes all the way;
    // the first with a case that may be reported as grave reports it (the
    // party group recognises it at 审批)
    let mut decided_grave = false;
    let earlier = last.prev().map(|b| [b.prev(), Some(b)]).unwrap_or_default();
    for quarter in earlier.into_iter().flatten() {
        for &unit in own.iter().chain(&others) {
            let Some((who, draft)) = drafted(db, claimant(unit), unit, quarter).await? else {
                continue;
            };
            let grave = !decided_grave;
            let (claim, reported) = submit(db, &who, draft, grave).await?;
            decided_grave |= reported;
            let stage = advance(db, claim, Step::ALL.len(), true).await?;
            report.claims += 1;
            report.finished += usize::from(stage == Stage::Finished);
        }
    }
    // the last quarter: the committees that have cases in it, one waiting
    // at each step; at 审批 one with a case to report as grave, which waits
    // for the party group
    let mut ready = Vec::new();
    for &unit in &others {
        if let Some(drafted) = drafted(db, claimant(unit), unit, last).await? {
            ready.push(drafted);
        }
    }
    // a claim with a line that looks like another case (the history plants
    // one) goes last, to wait at 初审, where the judicial office finds it
    let mut flagged = Vec::new();
    let mut plain = Vec::new();
    let mut c = db.read().await?;
    for drafted in ready {
        let lines: Vec<CaseId> = drafted.1.lines.iter().map(|l| l.case_id).collect();
        let alike = store::marks::shared(&mut c, &lines)
            .await?
            .iter()
            .any(store::marks::Shared::alike);
        if alike { &mut flagged } else { &mut plain }.push(drafted);
    }
    drop(c);
    let mut ready = plain;
    let at_approval = Step::REVIEWS.len() - 1;
    if let Some(k) = ready
        .iter()
        .position(|(_, d)| !d.may_report_special.is_empty())
        .filter(|_| ready.len() > at_approval)
    {
        let grave = ready.remove(k);
        ready.insert(at_approval, grave);
    }
    // of those left at 初审 (not the flagged), the one with the most lines
    // waits for its call-backs (so its sample has several cases)
    let steps_of = |i: usize| if i < Step::ALL.len() { i } else { 0 };
    let uncalled = (0..ready.len())
        .filter(|&i| steps_of(i) == 0)
        .max_by_key(|&i| (ready[i].1.lines.len(), std::cmp::Reverse(i)));
    ready.extend(flagged);
    // one waiting at each step; the rest wait at 初审 too, their calls
    // made (to be signed at once with 全部通过), but one: its sample is not
    // drawn yet
    for (i, (who, draft)) in ready.into_iter().enumerate() {
        let steps = steps_of(i);
        let (claim, _) = submit(db, &who, draft, i == at_approval).await?;
        advance(db, claim, steps, Some(i) != uncalled).await?;
        report.claims += 1;
    }
    tracing::info!(
        claims = report.claims,
        finished = report.finished,
        "demo claims loaded"
    );
    Ok(report)
}
