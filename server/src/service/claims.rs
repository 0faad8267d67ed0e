//! The quarterly claim (以案定补兑现, docs/claims.md): what a committee
//! may claim, its submission — which locks every claimed case on every
//! phone — and the signatures of the approval's steps, each by the role
//! the article names over the claiming committee, nobody signing two steps
//! of one claim. Amounts are the server's verdicts; a reviewer may only
//! lower them or send lines back.

use super::caller::Caller;
use super::cases::{self as case_service, CaseError};
use crate::store::{self, Conn, Store, StoreError, claims::StoredClaim, org::Unit};
use domain::api::InboxKind;
use domain::api::{
    BulkStepRequest, ClaimDraft, ClaimSummary, ClaimView, MAX_BULK_CLAIMS, MediatorPaymentRequest,
    MyLine, MySubsidy, NewClaim, ReceiptRequest, StepRequest, TownshipPaymentRequest,
};
use domain::case::{Case, CaseStatus};
use domain::claim::{
    self, Claim, ClaimLine, Decision, DecisionError, PayMethod, Payee, Payment, PaymentPart,
    Quarter, Receipt, Signature, Stage, Step,
};
use domain::reconcile::{self, Reconciliation};
use domain::rules::{CommitteeKind, RuleSet, builtin, in_force};
use domain::special;
use domain::{Capability, CaseId, ClaimId, PaymentId, Role, Timestamp, UnitId, UnitKind};
use std::collections::HashMap;

/// The short name of the city in case numbers (`(2026)楚人调字第 N 号`).
pub const NUMBER_PREFIX: &str = "楚";

/// Why a claim could not be read, made or signed.
#[derive(Debug, thiserror::Error)]
pub enum ClaimError {
    /// Not there, or not the caller's to see.
    #[error("not found")]
    NotFound,
    /// Seen, but not the caller's to do.
    #[error("forbidden")]
    Forbidden,
    /// A field of the request is refused.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// Signed by someone else since the caller read it.
    #[error("the claim changed meanwhile")]
    Stale,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ClaimError {
    pub(super) fn invalid(field: impl Into<String>, message: impl Into<String>) -> ClaimError {
        ClaimError::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl From<DecisionError> for ClaimError {
    fn from(e: DecisionError) -> Self {
        ClaimError::Invalid {
            field: e.field,
            message: e.message,
        }
    }
}

impl From<CaseError> for ClaimError {
    fn from(e: CaseError) -> Self {
        match e {
            CaseError::Store(e) => ClaimError::Store(e),
            CaseError::NotFound | CaseError::Deleted => ClaimError::NotFound,
            CaseError::Forbidden => ClaimError::Forbidden,
            CaseError::Invalid { field, message } => ClaimError::Invalid { field, message },
        }
    }
}

/// A unique key taken by another writer (a case claimed, a claim paid or
/// signed meanwhile): the caller reads again.
pub(super) fn stale_on_conflict(e: StoreError) -> ClaimError {
    match e {
        StoreError::Conflict(_) => ClaimError::Stale,
        other => other.into(),
    }
}

/// The claim `id` when the caller sees its amounts; not found otherwise.
pub(super) async fn visible_claim(
    c: &mut Conn,
    caller: &Caller,
    id: ClaimId,
) -> Result<StoredClaim, ClaimError> {
    store::claims::get(c, id)
        .await?
        .filter(|s| caller.may(Capability::ReadAmounts, &s.unit_path))
        .ok_or(ClaimError::NotFound)
}

pub(super) fn now() -> Timestamp {
    Timestamp::from(jiff::Timestamp::now())
}

/// The rule set of a quarter: the one in force on its last day.
fn rules_of(quarter: Quarter) -> Option<&'static RuleSet> {
    in_force(builtin(), quarter.last_day())
}

pub(super) fn rules_named(id: &str) -> Result<&'static RuleSet, StoreError> {
    builtin()
        .iter()
        .find(|r| r.id == id)
        .ok_or_else(|| StoreError::corrupt("rule set", id))
}

/// A committee that claims: its unit, the units whose cases it claims (it
/// and its villager or resident groups), its township and the rules.
struct Committee {
    unit: Unit,
    units: Vec<UnitId>,
    township: Unit,
    rules: &'static RuleSet,
}

/// The committee at `unit_id`, when the caller submits its claims: its
/// committee head, or one of its mediators where it has no head with an
/// account; a committee of a kind the quarter's rules pay for, in a
/// township.
async fn committee(
    store: &Store,
    c: &mut Conn,
    caller: &Caller,
    unit_id: UnitId,
    quarter: Quarter,
) -> Result<Committee, ClaimError> {
    let unit = store::org::one(c, unit_id)
        .await?
        .filter(|u| caller.may(Capability::ReadAmounts, &u.path))
        .ok_or_else(|| {
            ClaimError::invalid("unit_id", "没有此调委会 / no such committee in your units")
        })?;
    let head = caller.holds(Role::CommitteeHead, &unit.path);
    if !head {
        let has_head = !store::people::holding_at(store, &[Role::CommitteeHead], &[unit.id])
            .await?
            .is_empty();
        if has_head || !caller.holds(Role::Mediator, &unit.path) {
            return Err(ClaimError::Forbidden);
        }
    }
    let rules = rules_of(quarter).ok_or_else(|| {
        ClaimError::invalid(
            "quarter",
            "该季度没有适用的补助规则 / no subsidy rules for the quarter",
        )
    })?;
    let eligible =
        CommitteeKind::of_unit(unit.kind).is_some_and(|k| rules.eligible_committees.contains(&k));
    if !eligible {
        return Err(ClaimError::invalid(
            "unit_id",
            "只有乡镇和村（社区）调委会的案件按以案定补申报 / only township and village or community committees claim",
        ));
    }
    let ancestors: Vec<UnitId> = unit.path.unit_ids().collect();
    let township = store::org::many(c, &ancestors)
        .await?
        .into_iter()
        .find(|u| u.kind == UnitKind::Township)
        .ok_or_else(|| {
            ClaimError::invalid(
                "unit_id",
                "此调委会不属于任何乡镇 / the committee is in no township",
            )
        })?;
    let mut units = vec![unit.id];
    units.extend(
        store::org::children(c, unit.id)
            .await?
            .into_iter()
            .filter(|u| CommitteeKind::of_unit(u.kind).is_none())
            .map(|u| u.id),
    );
    Ok(Committee {
        unit,
        units,
        township,
        rules,
    })
}

/// The quarter may be claimed once it has begun (China's calendar).
fn check_quarter(quarter: Quarter, today: jiff::civil::Date) -> Result<(), ClaimError> {
    if quarter.first_day() > today {
        return Err(ClaimError::invalid(
            "quarter",
            format!(
                "{}还没有开始 / {} has not begun",
                quarter.label_zh(),
                quarter.label_en()
            ),
        ));
    }
    Ok(())
}

/// The line a case makes in a claim of `quarter`, if it may be claimed
/// then: closed, in or before the quarter, with the server's tier.
fn line_of(
    stored: &store::cases::StoredCase,
    case: &Case,
    quarter: Quarter,
) -> Result<ClaimLine, &'static str> {
    let (CaseStatus::Closed, Some(closed_on)) = (case.status, case.closed_on) else {
        return Err("案件还没有结案 / the case is not closed");
    };
    if closed_on > quarter.last_day() {
        return Err(
            "案件在本季度之后结案，请在下个季度申报 / closed after the quarter: claim it in its own quarter",
        );
    }
    let Some(tier) = stored.verdict.tier.clone() else {
        return Err("案件不符合补助条件 / the case earns no tier");
    };
    Ok(ClaimLine {
        case_id: case.id,
        number: case
            .number(NUMBER_PREFIX)
            .unwrap_or_else(|| "（未编号）".into()),
        parties: case.parties.iter().map(|p| p.name.clone()).collect(),
        dispute_type: case.dispute_type.clone(),
        closed_on,
        mediator_id: case.owner_id,
        mediator: case.mediator.clone(),
        tier,
        amount: stored.verdict.amount,
        late: closed_on < quarter.first_day(),
        special: None,
    })
}

/// The lines the committee may claim for the quarter now.
async fn claimable_lines(
    c: &mut Conn,
    committee: &Committee,
    quarter: Quarter,
) -> Result<Vec<(store::cases::StoredCase, Case, ClaimLine)>, ClaimError> {
    let mut out = Vec::new();
    for stored in store::cases::claimable(c, &committee.units).await? {
        let Some(case) = stored.case()? else { continue };
        if let Ok(line) = line_of(&stored, &case, quarter) {
            out.push((stored, case, line));
        }
    }
    out.sort_by(|a, b| (a.2.closed_on, &a.2.number).cmp(&(b.2.closed_on, &b.2.number)));
    Ok(out)
}

/// What the committee may claim for `quarter` now.
pub async fn draft(
    store: &Store,
    caller: &Caller,
    unit_id: UnitId,
    quarter: Quarter,
) -> Result<ClaimDraft, ClaimError> {
    let today = now().china_date();
    let mut c = store.read().await?;
    let committee = committee(store, &mut c, caller, unit_id, quarter).await?;
    check_quarter(quarter, today)?;
    let rows = claimable_lines(&mut c, &committee, quarter).await?;
    let may_report_special = rows
        .iter()
        .filter(|(_, case, _)| may_report(&committee, case))
        .map(|(_, case, _)| case.id)
        .collect();
    let lines: Vec<ClaimLine> = rows.into_iter().map(|(_, _, line)| line).collect();
    Ok(ClaimDraft {
        unit_id,
        unit_name: committee.unit.name,
        quarter,
        total: claim::sum(lines.iter().map(|l| l.amount)),
        lines,
        may_report_special,
    })
}

/// Why the case `id` cannot be claimed by this committee now.
async fn why_not(
    c: &mut Conn,
    committee: &Committee,
    quarter: Quarter,
    id: CaseId,
) -> Result<String, ClaimError> {
    let Some(stored) = store::cases::get(c, id).await? else {
        return Ok("没有此案件，或尚未同步到服务器 / no such case on the server".into());
    };
    if !committee.units.contains(&stored.unit_id) {
        return Ok("不是本调委会的案件 / not a case of this committee".into());
    }
    let Some(case) = stored.case()? else {
        return Ok("案件已删除 / the case was deleted".into());
    };
    if let Some((_, held)) = store::claims::claimed(c, &[id]).await?.pop() {
        return Ok(format!(
            "案件已在申报 {held} 中，不能重复申报 / already in claim {held}"
        ));
    }
    if stored.locked_reason.is_some() {
        return Ok("案件被锁定审核中，不能申报 / locked for an office's review".into());
    }
    Ok(match line_of(&stored, &case, quarter) {
        Err(why) => why.into(),
        Ok(_) => "案件不符合补助条件 / the case earns nothing".into(),
    })
}

/// The lock a claimed case carries (shown on the phone when an edit is
/// refused).
fn lock_reason(claim: &Claim) -> String {
    format!(
        "已列入{}以案定补申报（{}），审批期间不能修改",
        claim.quarter.label_zh(),
        claim.unit_name
    )
}

/// Submits the committee's claim of these cases for the quarter: each
/// checked again (a case of another committee, an open one, one in a
/// claim, one that earns nothing is refused with its index); every one is
/// locked on every phone, in one transaction with the claim.
pub async fn submit(
    store: &Store,
    caller: &Caller,
    req: NewClaim,
) -> Result<ClaimView, ClaimError> {
    let at = now();
    check_quarter(req.quarter, at.china_date())?;
    if req.cases.is_empty() {
        return Err(ClaimError::invalid(
            "cases",
            "请选择要申报的案件 / choose the cases to claim",
        ));
    }
    let name = store::people::name(store, caller.person_id)
        .await?
        .unwrap_or_default();
    let mut tx = store.write().await?;
    // first: the change counter's lock orders this after every writer
    store::cases::reserve_change_nos(&mut tx, 1).await?;
    let committee = committee(store, &mut tx, caller, req.unit_id, req.quarter).await?;
    let mut open: HashMap<CaseId, (store::cases::StoredCase, Case, ClaimLine)> =
        claimable_lines(&mut tx, &committee, req.quarter)
            .await?
            .into_iter()
            .map(|row| (row.1.id, row))
            .collect();
    let mut chosen = Vec::with_capacity(req.cases.len());
    for (i, id) in req.cases.iter().enumerate() {
        if req.cases[..i].contains(id) {
            return Err(ClaimError::invalid(
                format!("cases[{i}]"),
                "同一案件列了两次 / the case is listed twice",
            ));
        }
        match open.remove(id) {
            Some(row) => chosen.push(row),
            None => {
                let why = why_not(&mut tx, &committee, req.quarter, *id).await?;
                return Err(ClaimError::invalid(format!("cases[{i}]"), why));
            }
        }
    }
    report_special(&committee, &req, &mut chosen)?;
    let claim = Claim {
        id: ClaimId::new_v7(),
        unit_id: committee.unit.id,
        unit_name: committee.unit.name.clone(),
        township_id: committee.township.id,
        township_name: committee.township.name.clone(),
        quarter: req.quarter,
        rule_set: committee.rules.id.clone(),
        stage: Stage::At(Step::FirstReview),
        version: 1,
        submitted_by: caller.person_id,
        submitted_by_name: name,
        submitted_at: at,
        lines: chosen.iter().map(|row| row.2.clone()).collect(),
        changes: Vec::new(),
        signatures: Vec::new(),
        special_decisions: Vec::new(),
        spot_check: None,
    };
    store::claims::insert(&mut tx, &claim, &committee.unit.path)
        .await
        .map_err(stale_on_conflict)?;
    let reason = lock_reason(&claim);
    let locked = chosen
        .into_iter()
        .map(|(stored, mut case, _)| {
            case.claim_id = Some(claim.id);
            case.locked_reason = Some(reason.clone());
            (stored, case)
        })
        .collect();
    case_service::rewrite_in(&mut tx, locked, "claimed", caller, at).await?;
    tx.commit().await?;
    tracing::info!(claim = %claim.id, lines = claim.lines.len(), total = %claim.total(), "claim submitted");
    Ok(shown(
        caller,
        StoredClaim {
            claim,
            unit_path: committee.unit.path,
        },
        Vec::new(),
    ))
}

/// Whether the committee may report the case as especially grave: it
/// would earn the special tier once the party group decides.
fn may_report(committee: &Committee, case: &Case) -> bool {
    CommitteeKind::of_unit(committee.unit.kind)
        .and_then(|k| case.facts(k))
        .is_some_and(|facts| special::may_be_reported(&facts, committee.rules))
}

/// Marks the lines the committee reports as especially grave (一案一报):
/// each a case of the claim, reported once, with a reason, and one that
/// would earn the special tier once the party group decides.
fn report_special(
    committee: &Committee,
    req: &NewClaim,
    chosen: &mut [(store::cases::StoredCase, Case, ClaimLine)],
) -> Result<(), ClaimError> {
    for (i, report) in req.special.iter().enumerate() {
        let field = |f: &str| format!("special[{i}].{f}");
        if req.special[..i].iter().any(|r| r.case_id == report.case_id) {
            return Err(ClaimError::invalid(
                field("case_id"),
                "同一案件报了两次 / the case is reported twice",
            ));
        }
        let Some(row) = chosen.iter_mut().find(|r| r.1.id == report.case_id) else {
            return Err(ClaimError::invalid(
                field("case_id"),
                "只能把本次申报的案件报为重特大纠纷 / only a case of this claim can be reported",
            ));
        };
        let reason = claim::check_words(&field("reason"), &report.reason, "重特大的理由")?;
        if !may_report(committee, &row.1) {
            return Err(ClaimError::invalid(
                field("case_id"),
                "重特大纠纷须由本调委会独立调解成功、六表齐全并归档 / an especially grave dispute must be mediated alone, agreed, with its six forms, archived",
            ));
        }
        row.2.special = Some(reason);
    }
    Ok(())
}

/// The step the caller signs on this claim now, if it waits for them.
fn my_step(caller: &Caller, stored: &StoredClaim) -> Option<Step> {
    let step = stored.claim.stage.step()?;
    (caller.holds(step.role(), &stored.unit_path)
        && claim::may_sign(&stored.claim, step, caller.person_id).is_ok())
    .then_some(step)
}

/// The reported lines waiting for the caller's decision, when the caller
/// speaks for the party group over the committee.
pub(super) fn special_for(caller: &Caller, path: &domain::UnitPath, claim: &Claim) -> Vec<CaseId> {
    if caller.holds(Role::BureauPartyGroup, path) {
        special::awaiting(claim)
    } else {
        Vec::new()
    }
}

fn view(mut claim: Claim, names: bool, payments: Vec<Payment>) -> ClaimView {
    if !names {
        for line in &mut claim.lines {
            line.parties.clear();
        }
        // what the parties said on the telephone is theirs too
        for call in claim.spot_check.iter_mut().flat_map(|c| c.calls.iter_mut()) {
            call.notes.clear();
        }
    }
    ClaimView {
        current: claim.current(),
        claimed_total: claim.claimed_total(),
        total: claim.total(),
        my_step: None,
        special_for_me: Vec::new(),
        payments,
        claim,
    }
}

pub(super) fn shown(caller: &Caller, stored: StoredClaim, payments: Vec<Payment>) -> ClaimView {
    let step = my_step(caller, &stored);
    let names = caller.may(Capability::ReadCases, &stored.unit_path);
    let special_for_me = special_for(caller, &stored.unit_path, &stored.claim);
    let mut v = view(stored.claim, names, payments);
    v.my_step = step;
    v.special_for_me = special_for_me;
    v
}

/// The claims of the committees the caller sees the amounts of, of one
/// quarter or all; those waiting for the caller's signature say so.
pub async fn list(
    store: &Store,
    caller: &Caller,
    quarter: Option<Quarter>,
) -> Result<Vec<ClaimSummary>, ClaimError> {
    let roots = caller.roots_for(Capability::ReadAmounts);
    let mut c = store.read().await?;
    let claims = store::claims::under(&mut c, &roots, quarter).await?;
    Ok(claims
        .into_iter()
        .map(|stored| {
            let my_step = my_step(caller, &stored);
            let stored_path = stored.unit_path;
            let claim = stored.claim;
            let current = claim.current();
            ClaimSummary {
                id: claim.id,
                unit_id: claim.unit_id,
                unit_name: claim.unit_name.clone(),
                township_id: claim.township_id,
                township_name: claim.township_name.clone(),
                quarter: claim.quarter,
                stage: claim.stage,
                version: claim.version,
                submitted_at: claim.submitted_at,
                lines: claim.lines.len() as u32,
                lines_left: current.iter().filter(|l| !l.returned).count() as u32,
                claimed_total: claim.claimed_total(),
                total: claim::sum(current.iter().map(|l| l.amount)),
                my_step,
                special_waiting: special_for(caller, &stored_path, &claim).len() as u32,
                call_backs: call_backs_due(&claim),
            }
        })
        .collect())
}

/// What 初审 still has to do for the claim's call-backs, if anything.
fn call_backs_due(claim: &Claim) -> Option<domain::api::CallBacksDue> {
    use domain::api::CallBacksDue;
    let asks = rules_named(&claim.rule_set)
        .ok()
        .is_some_and(|r| r.spot_check.is_some());
    if claim.stage != Stage::At(Step::FirstReview) || !asks {
        return None;
    }
    match &claim.spot_check {
        None => Some(CallBacksDue::NotDrawn),
        Some(_) => match domain::spot_check::waiting(claim).len() {
            0 => None,
            n => Some(CallBacksDue::Waiting {
                calls: u32::try_from(n).unwrap_or(u32::MAX),
            }),
        },
    }
}

/// One claim the caller sees the amounts of (the parties' names only to
/// those who read its cases).
pub async fn get(store: &Store, caller: &Caller, id: ClaimId) -> Result<ClaimView, ClaimError> {
    let mut c = store.read().await?;
    let stored = visible_claim(&mut c, caller, id).await?;
    let payments = store::claims::payments_of(&mut c, &[id]).await?;
    Ok(shown(caller, stored, payments))
}

/// Signs the step the claim waits for: the caller holds its role over the
/// claiming committee and signed no other step of it; the claim is still
/// at the version they read. Line reductions and returns are appended,
/// then the signature; returned cases are freed on every phone.
pub async fn sign(
    store: &Store,
    caller: &Caller,
    id: ClaimId,
    req: StepRequest,
) -> Result<ClaimView, ClaimError> {
    let opinion = claim::check_words("opinion", &req.opinion, "意见")?;
    if !req.step.is_review() {
        return Err(ClaimError::invalid(
            "step",
            "拨付、核发和到账确认按付款办理，不在此签署 / payments and receipts are recorded as payments",
        ));
    }
    let name = store::people::name(store, caller.person_id)
        .await?
        .unwrap_or_default();
    let at = now();
    let mut tx = store.write().await?;
    store::cases::reserve_change_nos(&mut tx, 1).await?;
    let stored = visible_claim(&mut tx, caller, id).await?;
    if !caller.holds(req.step.role(), &stored.unit_path) {
        return Err(ClaimError::Forbidden);
    }
    if stored.claim.version != req.version {
        return Err(ClaimError::Stale);
    }
    let mut claim = stored.claim;
    claim::may_sign(&claim, req.step, caller.person_id)?;
    let rules = rules_named(&claim.rule_set)?;
    let changes = claim::line_changes(
        &claim,
        rules,
        req.step,
        &req.lines,
        caller.person_id,
        &name,
        at,
    )?;
    let from = claim.changes.len();
    claim.changes.extend(changes.iter().cloned());
    let left = claim.current().iter().filter(|l| !l.returned).count();
    let stage = claim::stage_after(req.step, req.decision, left);
    if req.step == Step::Approval && stage != Stage::Returned {
        waits_for_no_party_group(&claim)?;
    }
    if req.step == Step::FirstReview && stage != Stage::Returned {
        domain::spot_check::ready_to_pass(&claim, rules.spot_check.as_ref())?;
    }
    let mut opinion = opinion;
    let over = if req.step == Step::Approval && stage != Stage::Returned {
        approval_overspend(store, &mut tx, &claim).await?
    } else {
        None
    };
    if let Some((spent, fund, over)) = over {
        let note = req.overspend_note.as_deref().map(str::trim).unwrap_or("");
        if note.is_empty() {
            return Err(ClaimError::invalid(
                "overspend_note",
                format!(
                    "{}本季度补助 {spent} 元超出以案定补经费 {fund} 元（超 {over} 元），请填写超支说明 / the township's claims of {spent} exceed its case fund of {fund} by {over}: explain the overspend",
                    claim.township_name
                ),
            ));
        }
        let note = claim::check_words("overspend_note", note, "超支说明")?;
        opinion = format!("{opinion}（超支 {over} 元，说明：{note}）");
    }
    let signature = Signature {
        step: req.step,
        decision: req.decision,
        by: caller.person_id,
        by_name: name,
        at,
        opinion,
        total: claim.total(),
    };
    sign_in(&mut tx, &claim, &signature, stage, at).await?;
    store::claims::append_changes(&mut tx, id, from, &changes).await?;
    // the cases that go back to the committee: those returned now, or
    // every one still in the claim when it is returned whole
    let freed: Vec<CaseId> = if stage == Stage::Returned {
        let returned_earlier: Vec<CaseId> = claim.changes[..from]
            .iter()
            .filter(|c| c.tier.is_none())
            .map(|c| c.case_id)
            .collect();
        claim
            .lines
            .iter()
            .map(|l| l.case_id)
            .filter(|id| !returned_earlier.contains(id))
            .collect()
    } else {
        changes
            .iter()
            .filter(|c| c.tier.is_none())
            .map(|c| c.case_id)
            .collect()
    };
    free_cases(&mut tx, caller, id, &freed, at).await?;
    claim.stage = stage;
    claim.version += 1;
    claim.signatures.push(signature);
    tx.commit().await?;
    tracing::info!(claim = %id, step = %req.step, stage = %stage, "claim signed");
    Ok(shown(
        caller,
        StoredClaim {
            claim,
            unit_path: stored.unit_path,
        },
        Vec::new(),
    ))
}

/// An approval that would pass lines the party group has not decided is
/// refused, naming them (they may be returned instead).
fn waits_for_no_party_group(claim: &Claim) -> Result<(), ClaimError> {
    let waiting = special::awaiting(claim);
    if waiting.is_empty() {
        return Ok(());
    }
    let numbers: Vec<&str> = claim
        .lines
        .iter()
        .filter(|l| waiting.contains(&l.case_id))
        .map(|l| l.number.as_str())
        .collect();
    Err(ClaimError::invalid(
        "decision",
        format!(
            "{} 按重特大纠纷上报，须先由党组决定 / reported as especially grave: the party group decides first",
            numbers.join("、")
        ),
    ))
}

/// Takes cases out of a claim and unlocks them on every phone (a new
/// version each), so the committee can fix them and claim them again.
pub(super) async fn free_cases(
    tx: &mut store::Tx,
    caller: &Caller,
    claim: ClaimId,
    ids: &[CaseId],
    at: Timestamp,
) -> Result<(), ClaimError> {
    if ids.is_empty() {
        return Ok(());
    }
    store::claims::release(tx, claim, ids).await?;
    let mut changed = Vec::with_capacity(ids.len());
    for stored in store::cases::get_many(tx, ids).await? {
        let Some(mut case) = stored.case()? else {
            continue;
        };
        if case.claim_id != Some(claim) {
            continue;
        }
        case.claim_id = None;
        case.locked_reason = None;
        changed.push((stored, case));
    }
    case_service::rewrite_in(tx, changed, "claim_returned", caller, at).await?;
    Ok(())
}

/// The longest voucher number or payment reference, in characters.
pub const MAX_REFERENCE_CHARS: usize = 100;

pub(super) fn check_reference(field: &str, text: &str) -> Result<String, ClaimError> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > MAX_REFERENCE_CHARS {
        return Err(ClaimError::invalid(
            field,
            format!(
                "请填写凭证号或转账流水号（最多 {MAX_REFERENCE_CHARS} 字） / give the voucher or reference (at most {MAX_REFERENCE_CHARS} characters)"
            ),
        ));
    }
    Ok(text.to_owned())
}

fn check_paid_on(paid_on: jiff::civil::Date, claims: &[&Claim]) -> Result<(), ClaimError> {
    let today = now().china_date();
    let earliest = claims
        .iter()
        .map(|c| c.submitted_at.china_date())
        .max()
        .unwrap_or(today);
    if paid_on > today || paid_on < earliest {
        return Err(ClaimError::invalid(
            "paid_on",
            "付款日期应在申报之后、今天之前 / the payment date is after the claim and not after today",
        ));
    }
    Ok(())
}

/// Signs a step of a claim inside a transaction: the claim must still be
/// at the version read; the signature is appended and the claim moves to
/// `stage`.
async fn sign_in(
    tx: &mut store::Tx,
    claim: &Claim,
    signature: &Signature,
    stage: Stage,
    at: Timestamp,
) -> Result<Stage, ClaimError> {
    if !store::claims::advance(tx, claim.id, claim.version, stage, at).await? {
        return Err(ClaimError::Stale);
    }
    store::claims::append_signature(tx, claim.id, claim.signatures.len() + 1, signature)
        .await
        .map_err(stale_on_conflict)?;
    Ok(stage)
}

/// 批量签署: passes each claim at the same review step with one opinion,
/// each signed on its own exactly as [`sign`] signs one (its own
/// transaction, its version, every check); a claim refused leaves the
/// others signed. The request itself is refused whole when its opinion,
/// step or list is.
pub async fn sign_many(
    store: &Store,
    caller: &Caller,
    req: BulkStepRequest,
) -> Result<Vec<(ClaimId, Result<ClaimView, ClaimError>)>, ClaimError> {
    claim::check_words("opinion", &req.opinion, "意见")?;
    if !req.step.is_review() {
        return Err(ClaimError::invalid(
            "step",
            "拨付、核发和到账确认按付款办理，不在此签署 / payments and receipts are recorded as payments",
        ));
    }
    if req.claims.is_empty() || req.claims.len() > MAX_BULK_CLAIMS {
        return Err(ClaimError::invalid(
            "claims",
            format!(
                "一次签署 1 至 {MAX_BULK_CLAIMS} 件申报 / sign 1 to {MAX_BULK_CLAIMS} claims at a time"
            ),
        ));
    }
    for (i, at) in req.claims.iter().enumerate() {
        if req.claims[..i].iter().any(|c| c.id == at.id) {
            return Err(ClaimError::invalid(
                format!("claims[{i}]"),
                "同一申报列了两次 / listed twice",
            ));
        }
    }
    let mut out = Vec::with_capacity(req.claims.len());
    for at in &req.claims {
        if let Some(refusal) = looks_duplicated(store, caller, at, req.step).await? {
            out.push((at.id, Err(refusal)));
            continue;
        }
        let one = StepRequest {
            step: req.step,
            version: at.version,
            decision: Decision::Pass,
            opinion: req.opinion.clone(),
            lines: Vec::new(),
            overspend_note: req.overspend_note.clone(),
        };
        match sign(store, caller, at.id, one).await {
            // the database failing is no answer about this claim
            Err(ClaimError::Store(e)) if !matches!(e, StoreError::Conflict(_)) => {
                return Err(ClaimError::Store(e));
            }
            result => out.push((at.id, result)),
        }
    }
    Ok(out)
}

/// A claim waiting at `step` with a line that looks like another case
/// (重复申报核查) is not signed blind: 全部通过 leaves it, with why, for
/// the reviewer to open, see the flags and sign on its own. (A single
/// signature is made on the claim's page, where the flags are shown.)
async fn looks_duplicated(
    store: &Store,
    caller: &Caller,
    at: &domain::api::ClaimAt,
    step: Step,
) -> Result<Option<ClaimError>, StoreError> {
    let mut c = store.read().await?;
    let Ok(stored) = visible_claim(&mut c, caller, at.id).await else {
        // the signature itself says why not
        return Ok(None);
    };
    if stored.claim.stage != Stage::At(step) || stored.claim.version != at.version {
        return Ok(None);
    }
    let lines: Vec<CaseId> = stored
        .claim
        .current()
        .iter()
        .filter(|l| !l.returned)
        .map(|l| l.case_id)
        .collect();
    let mut flagged: Vec<CaseId> = store::marks::shared(&mut c, &lines)
        .await?
        .into_iter()
        .filter(store::marks::Shared::alike)
        .map(|p| p.this.seen.case_id)
        .collect();
    flagged.sort_unstable();
    flagged.dedup();
    let n = flagged.len();
    Ok((n > 0).then(|| {
        let unit = &stored.claim.unit_name;
        ClaimError::invalid(
            "duplicates",
            format!(
                "{unit}的申报有 {n} 件案件可能重复，请打开核实后单独签署 / {unit}: {n} lines may be duplicates: open the claim, check them and sign it on its own"
            ),
        )
    }))
}

/// 拨付: the bureau's finance paid a township's finance office these
/// approved claims of the quarter, their total to the fen, with the
/// voucher's number; each claim moves on to 核发.
pub async fn pay_township(
    store: &Store,
    caller: &Caller,
    req: TownshipPaymentRequest,
) -> Result<Payment, ClaimError> {
    let voucher = check_reference("voucher", &req.voucher)?;
    if req.claims.is_empty() {
        return Err(ClaimError::invalid(
            "claims",
            "请选择要拨付的申报 / choose the claims paid",
        ));
    }
    let name = store::people::name(store, caller.person_id)
        .await?
        .unwrap_or_default();
    let at = now();
    let mut tx = store.write().await?;
    store::cases::reserve_change_nos(&mut tx, 1).await?;
    let mut claims = Vec::with_capacity(req.claims.len());
    for (i, id) in req.claims.iter().enumerate() {
        let field = format!("claims[{i}]");
        if req.claims[..i].contains(id) {
            return Err(ClaimError::invalid(
                field,
                "同一申报列了两次 / listed twice",
            ));
        }
        let stored = store::claims::get(&mut tx, *id)
            .await?
            .filter(|s| caller.may(Capability::ReadAmounts, &s.unit_path))
            .ok_or_else(|| ClaimError::invalid(field.clone(), "没有此申报 / no such claim"))?;
        if !caller.holds(Role::BureauFinance, &stored.unit_path) {
            return Err(ClaimError::Forbidden);
        }
        let c = &stored.claim;
        if c.township_id != req.township_id || c.quarter != req.quarter {
            return Err(ClaimError::invalid(
                field,
                format!(
                    "此申报属于{}{}，不在本次拨付 / the claim is of another township or quarter",
                    c.township_name,
                    c.quarter.label_zh()
                ),
            ));
        }
        claim::may_sign(c, Step::TownshipPayment, caller.person_id)
            .map_err(|e| ClaimError::invalid(field, e.message))?;
        claims.push(stored);
    }
    let refs: Vec<&Claim> = claims.iter().map(|s| &s.claim).collect();
    check_paid_on(req.paid_on, &refs)?;
    let due = claim::sum(refs.iter().map(|c| c.total()));
    claim::check_amount(req.amount, due)?;
    for stored in &claims {
        let c = &stored.claim;
        let signature = Signature {
            step: Step::TownshipPayment,
            decision: Decision::Pass,
            by: caller.person_id,
            by_name: name.clone(),
            at,
            opinion: format!("已拨付，凭证号 {voucher}"),
            total: c.total(),
        };
        sign_in(
            &mut tx,
            c,
            &signature,
            Stage::after(Step::TownshipPayment),
            at,
        )
        .await?;
    }
    let payment = Payment {
        id: PaymentId::new_v7(),
        payee: Payee::Township,
        township_id: req.township_id,
        quarter: req.quarter,
        mediator_id: None,
        mediator: None,
        amount: req.amount,
        paid_on: req.paid_on,
        method: PayMethod::BankTransfer,
        reference: voucher,
        by: caller.person_id,
        by_name: name,
        at,
        parts: refs
            .iter()
            .map(|c| PaymentPart {
                claim_id: c.id,
                amount: c.total(),
            })
            .collect(),
        fixed: Vec::new(),
        receipts: Vec::new(),
    };
    store::claims::insert_payment(&mut tx, &payment)
        .await
        .map_err(stale_on_conflict)?;
    tx.commit().await?;
    tracing::info!(payment = %payment.id, amount = %payment.amount, claims = payment.parts.len(), "paid to a township");
    Ok(payment)
}

/// 核发: the township's finance office paid a mediator what they earn in
/// the claim, to the fen; once every mediator of it is paid, the claim
/// waits for their receipts.
pub async fn pay_mediator(
    store: &Store,
    caller: &Caller,
    id: ClaimId,
    req: MediatorPaymentRequest,
) -> Result<ClaimView, ClaimError> {
    let reference = check_reference("reference", &req.reference)?;
    let name = store::people::name(store, caller.person_id)
        .await?
        .unwrap_or_default();
    let at = now();
    let mut tx = store.write().await?;
    store::cases::reserve_change_nos(&mut tx, 1).await?;
    let stored = visible_claim(&mut tx, caller, id).await?;
    if !caller.holds(Role::TownshipFinance, &stored.unit_path) {
        return Err(ClaimError::Forbidden);
    }
    let mut claim = stored.claim.clone();
    claim::may_sign(&claim, Step::MediatorPayment, caller.person_id)?;
    let due = claim.due_by_mediator();
    let Some((_, mediator, owed)) = due.iter().find(|(m, _, _)| *m == req.mediator_id).cloned()
    else {
        return Err(ClaimError::invalid(
            "mediator_id",
            "此调解员在本申报中没有补助 / the mediator earns nothing in this claim",
        ));
    };
    let mut payments = store::claims::payments_of(&mut tx, &[id]).await?;
    let paid = |payments: &[Payment], m| {
        payments
            .iter()
            .any(|p| p.payee == Payee::Mediator && p.mediator_id == Some(m))
    };
    if paid(&payments, req.mediator_id) {
        return Err(ClaimError::invalid(
            "mediator_id",
            "已向此调解员核发过 / the mediator was paid already",
        ));
    }
    check_paid_on(req.paid_on, &[&claim])?;
    claim::check_amount(req.amount, owed)?;
    let payment = Payment {
        id: PaymentId::new_v7(),
        payee: Payee::Mediator,
        township_id: claim.township_id,
        quarter: claim.quarter,
        mediator_id: Some(req.mediator_id),
        mediator: Some(mediator),
        amount: req.amount,
        paid_on: req.paid_on,
        method: req.method,
        reference,
        by: caller.person_id,
        by_name: name.clone(),
        at,
        parts: vec![PaymentPart {
            claim_id: id,
            amount: req.amount,
        }],
        fixed: Vec::new(),
        receipts: Vec::new(),
    };
    store::claims::insert_payment(&mut tx, &payment)
        .await
        .map_err(stale_on_conflict)?;
    payments.push(payment);
    if due.iter().all(|(m, _, _)| paid(&payments, *m)) {
        let signature = Signature {
            step: Step::MediatorPayment,
            decision: Decision::Pass,
            by: caller.person_id,
            by_name: name,
            at,
            opinion: format!("已核发 {} 名调解员", due.len()),
            total: claim.total(),
        };
        claim.stage = sign_in(
            &mut tx,
            &claim,
            &signature,
            Stage::after(Step::MediatorPayment),
            at,
        )
        .await?;
        claim.version += 1;
        claim.signatures.push(signature);
    }
    tx.commit().await?;
    Ok(shown(
        caller,
        StoredClaim {
            claim,
            unit_path: stored.unit_path,
        },
        payments,
    ))
}

/// 到账确认: the mediator paid says the money arrived — once every
/// mediator of a claim has, the claim is finished — or that it did not,
/// which the township's judicial office hears of in its inbox.
pub async fn confirm_receipt(
    store: &Store,
    caller: &Caller,
    id: PaymentId,
    req: ReceiptRequest,
) -> Result<Payment, ClaimError> {
    let note = req.note.trim().to_owned();
    if note.chars().count() > claim::MAX_OPINION_CHARS {
        return Err(ClaimError::invalid(
            "note",
            "说明最多 500 字 / at most 500 characters",
        ));
    }
    if !req.received && note.is_empty() {
        return Err(ClaimError::invalid(
            "note",
            "请说明没有收到的情况（如：查了银行卡，没有这笔钱） / say what you found",
        ));
    }
    let at = now();
    let mut tx = store.write().await?;
    store::cases::reserve_change_nos(&mut tx, 1).await?;
    let mut payment = store::claims::payment(&mut tx, id)
        .await?
        .filter(|p| p.payee == Payee::Mediator && p.mediator_id == Some(caller.person_id))
        .ok_or(ClaimError::NotFound)?;
    if payment.received() {
        return Err(ClaimError::invalid(
            "received",
            "已确认到账 / already confirmed",
        ));
    }
    let receipt = Receipt {
        received: req.received,
        note,
        by: caller.person_id,
        at,
    };
    store::claims::append_receipt(&mut tx, id, payment.receipts.len() + 1, &receipt).await?;
    payment.receipts.push(receipt);
    let mut told = Vec::new();
    for part in &payment.parts {
        let Some(stored) = store::claims::get(&mut tx, part.claim_id).await? else {
            continue;
        };
        let claim = &stored.claim;
        if !req.received {
            told.push(claim.clone());
            continue;
        }
        if claim.stage != Stage::At(Step::Receipt) {
            continue;
        }
        let payments = store::claims::payments_of(&mut tx, &[claim.id]).await?;
        let all = payments
            .iter()
            .filter(|p| p.payee == Payee::Mediator)
            .all(|p| p.id == id || p.received());
        if all {
            let signature = Signature {
                step: Step::Receipt,
                decision: Decision::Pass,
                by: caller.person_id,
                by_name: payment.mediator.clone().unwrap_or_default(),
                at,
                opinion: "补助已全部到账".into(),
                total: claim.total(),
            };
            sign_in(&mut tx, claim, &signature, Stage::Finished, at).await?;
        }
    }
    tx.commit().await?;
    for claim in told {
        let about = format!("{} {}", claim.unit_name, claim.quarter.label_zh());
        tell_judicial_office(store, claim.unit_id, &about, &payment, at).await?;
    }
    if !req.received && !payment.fixed.is_empty() {
        let about = format!("{}定额补助", payment.quarter.label_zh());
        tell_judicial_office(store, payment.township_id, &about, &payment, at).await?;
    }
    Ok(payment)
}

/// The judicial office of the payment's township hears that it did not
/// arrive (收件箱); `about` names what was paid, `unit` is the unit the
/// item is about.
async fn tell_judicial_office(
    store: &Store,
    unit: UnitId,
    about: &str,
    payment: &Payment,
    at: Timestamp,
) -> Result<(), ClaimError> {
    let roles = [Role::JudicialStaff, Role::JudicialDirector];
    let subject = format!("payment:{}:{}", payment.id, payment.receipts.len());
    let title = format!(
        "补助未到账 · {}",
        payment.mediator.clone().unwrap_or_default()
    );
    let body = format!(
        "{about} 核发的 {} 元，调解员说没有收到：{}",
        payment.amount,
        payment
            .receipts
            .last()
            .map(|r| r.note.as_str())
            .unwrap_or("")
    );
    for holder in store::people::holding_at(store, &roles, &[payment.township_id]).await? {
        store::inbox::put(
            store,
            &store::inbox::NewItem {
                person: holder.person_id,
                subject: &subject,
                kind: InboxKind::Payment,
                title: &title,
                body: &body,
                case_id: None,
                unit_id: unit,
            },
            at,
        )
        .await?;
    }
    Ok(())
}

/// 我的补助: the caller's lines in every claim and the payments made to them.
pub async fn mine(store: &Store, caller: &Caller) -> Result<MySubsidy, ClaimError> {
    let mut c = store.read().await?;
    let claims = store::claims::with_lines_of(&mut c, caller.person_id).await?;
    let mut lines = Vec::new();
    for stored in claims {
        let claim = stored.claim;
        let current = claim.current();
        for (line, now) in claim.lines.iter().zip(current) {
            if line.mediator_id == caller.person_id {
                lines.push(MyLine {
                    claim_id: claim.id,
                    quarter: claim.quarter,
                    stage: claim.stage,
                    line: line.clone(),
                    current: now,
                });
            }
        }
    }
    lines.sort_by_key(|l| std::cmp::Reverse((l.quarter, l.line.closed_on)));
    let payments = store::claims::payments_to(&mut c, caller.person_id).await?;
    let mut fixed =
        domain::fixed_pay::latest(store::duty::of(&mut c, &[caller.person_id], None).await?);
    fixed.sort_by_key(|d| std::cmp::Reverse(d.month));
    Ok(MySubsidy {
        lines,
        payments,
        fixed,
    })
}

/// The quarter's claims the caller sees the amounts of, summed by township
/// and for all (复核汇总), with the claims behind the sums.
pub async fn summary(
    store: &Store,
    caller: &Caller,
    quarter: Quarter,
) -> Result<(claim::Summary, Vec<Claim>), ClaimError> {
    let roots = caller.roots_for(Capability::ReadAmounts);
    let mut c = store.read().await?;
    let claims: Vec<Claim> = store::claims::under(&mut c, &roots, Some(quarter))
        .await?
        .into_iter()
        .map(|s| s.claim)
        .collect();
    let mut townships: Vec<UnitId> = claims.iter().map(|c| c.township_id).collect();
    townships.sort_unstable();
    townships.dedup();
    let mut funds = Vec::with_capacity(townships.len());
    for township in townships {
        funds.push((township, fund_of(store, &mut c, township, quarter).await?));
    }
    Ok((claim::summarise(quarter, &claims, &funds), claims))
}

/// Reconciles the quarter's claims the caller sees the amounts of with
/// the payments made on them (对账), link by link, to the fen.
pub async fn reconciliation(
    store: &Store,
    caller: &Caller,
    quarter: Quarter,
) -> Result<Reconciliation, ClaimError> {
    let roots = caller.roots_for(Capability::ReadAmounts);
    let mut c = store.read().await?;
    let claims: Vec<Claim> = store::claims::under(&mut c, &roots, Some(quarter))
        .await?
        .into_iter()
        .map(|s| s.claim)
        .collect();
    let ids: Vec<ClaimId> = claims.iter().map(|c| c.id).collect();
    let payments = store::claims::payments_of(&mut c, &ids).await?;
    Ok(reconcile::reconcile(quarter, &claims, &payments))
}

/// A township's case fund for the quarter: its full-time mediators, by the
/// quarter's rules.
async fn fund_of(
    store: &Store,
    c: &mut Conn,
    township: UnitId,
    quarter: Quarter,
) -> Result<domain::Money, ClaimError> {
    let Some(rules) = rules_of(quarter) else {
        return Ok(domain::Money::ZERO);
    };
    let Some(unit) = store::org::one(c, township).await? else {
        return Ok(domain::Money::ZERO);
    };
    let n =
        store::people::count_in_subtree(store, &unit.path, domain::PersonKind::MediatorFullTime)
            .await?;
    Ok(claim::quarter_fund(
        rules,
        u32::try_from(n).unwrap_or(u32::MAX),
    ))
}

/// At 审批: whether the township's approved claims of the quarter with this
/// one exceed its case fund, and by how much (the approver then explains).
async fn approval_overspend(
    store: &Store,
    c: &mut Conn,
    claim: &Claim,
) -> Result<Option<(domain::Money, domain::Money, domain::Money)>, ClaimError> {
    let Some(township) = store::org::one(c, claim.township_id).await? else {
        return Ok(None);
    };
    let approved = store::claims::under(c, &[&township.path], Some(claim.quarter))
        .await?
        .into_iter()
        .map(|s| s.claim)
        .filter(|other| {
            other.id != claim.id
                && matches!(
                    other.stage,
                    Stage::At(Step::TownshipPayment | Step::MediatorPayment | Step::Receipt)
                        | Stage::Finished
                )
        })
        .map(|other| other.total());
    let spent = claim::sum(approved.chain([claim.total()]));
    let fund = fund_of(store, c, claim.township_id, claim.quarter).await?;
    let over = claim::overspend(spent, fund);
    Ok((over > domain::Money::ZERO).then_some((spent, fund, over)))
}

/// The tier codes of a quarter's rule set, best paid first reversed (A, B, …).
pub fn tier_codes(quarter: Quarter) -> Vec<String> {
    let mut codes: Vec<String> = rules_of(quarter)
        .map(|r| r.tiers.iter().map(|t| t.code.clone()).collect())
        .unwrap_or_default();
    codes.sort();
    codes
}
