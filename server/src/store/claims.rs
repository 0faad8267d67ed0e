//! Quarterly claims (以案定补兑现): `claim`, its lines as claimed
//! (`claim_line`), the claim each case is in (`case_claim`), and —
//! append-only — the reviewers' line changes (`claim_line_change`) and the
//! steps' signatures (`claim_signature`). Read back whole, as
//! [`domain::claim::Claim`].

use super::sql::{
    self, CaseClaim, Claim as C, ClaimLine as L, ClaimLineChange as Lc, ClaimPayment as Pm,
    ClaimPaymentPart as Pp, ClaimSignature as Sg, ClaimSpecialDecision as Sd,
    FixedPaymentPart as Fp, IDS_PER_STATEMENT, OrgUnit, PaymentReceipt as Rc, ROWS_PER_STATEMENT,
};
use super::{Conn, StoreError};
use domain::claim::{
    Claim, ClaimLine, Decision, LineChange, PayMethod, Payee, Payment, PaymentPart, Quarter,
    Receipt, Signature, Stage, Step,
};
use domain::fixed_pay::{FixedPart, Month};
use domain::special::SpecialDecision;
use domain::{CaseId, ClaimId, Money, PaymentId, PersonId, Timestamp, UnitId, UnitPath};
use sea_query::{Alias, Cond, Expr, JoinType, Order, Query, SelectStatement};
use std::collections::HashMap;

/// A claim as stored, with where its committee sits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredClaim {
    pub claim: Claim,
    pub unit_path: UnitPath,
}

fn money(what: &str, fen: i64) -> Result<Money, StoreError> {
    Money::from_fen(fen).map_err(|_| StoreError::corrupt(what, fen))
}

/// Writes a new claim: its row, its lines, and each case's place in it.
/// A case already in a claim makes it fail with [`StoreError::Conflict`]
/// (the caller checked first; this is the race's loser).
pub async fn insert(c: &mut Conn, claim: &Claim, unit_path: &UnitPath) -> Result<(), StoreError> {
    let stmt = Query::insert()
        .into_table(C::Table)
        .columns([
            C::Id,
            C::UnitId,
            C::UnitPath,
            C::TownshipId,
            C::Quarter,
            C::RuleSet,
            C::Stage,
            C::Version,
            C::SubmittedBy,
            C::SubmittedByName,
            C::SubmittedAt,
            C::UpdatedAt,
        ])
        .values_panic([
            claim.id.to_string().into(),
            claim.unit_id.to_string().into(),
            unit_path.as_str().into(),
            claim.township_id.to_string().into(),
            claim.quarter.to_string().into(),
            claim.rule_set.clone().into(),
            claim.stage.code().into(),
            (claim.version as i64).into(),
            claim.submitted_by.to_string().into(),
            claim.submitted_by_name.clone().into(),
            claim.submitted_at.to_string().into(),
            claim.submitted_at.to_string().into(),
        ])
        .to_owned();
    let (text, values) = sql::render(c, &stmt);
    sqlx::query_with(&text, values).execute(&mut *c).await?;
    for (n, chunk) in claim.lines.chunks(ROWS_PER_STATEMENT).enumerate() {
        let mut lines = Query::insert()
            .into_table(L::Table)
            .columns([
                L::ClaimId,
                L::CaseId,
                L::Ord,
                L::Number,
                L::Parties,
                L::DisputeType,
                L::ClosedOn,
                L::MediatorId,
                L::Mediator,
                L::Tier,
                L::AmountFen,
                L::Late,
                L::SpecialReason,
            ])
            .to_owned();
        let mut places = Query::insert()
            .into_table(CaseClaim::Table)
            .columns([CaseClaim::CaseId, CaseClaim::ClaimId])
            .to_owned();
        for (i, line) in chunk.iter().enumerate() {
            let parties = serde_json::to_string(&line.parties)
                .map_err(|e| StoreError::corrupt("parties", e))?;
            lines.values_panic([
                claim.id.to_string().into(),
                line.case_id.to_string().into(),
                ((n * ROWS_PER_STATEMENT + i) as i64).into(),
                line.number.clone().into(),
                parties.into(),
                line.dispute_type.clone().into(),
                domain::dates::format_iso(line.closed_on).into(),
                line.mediator_id.to_string().into(),
                line.mediator.clone().into(),
                line.tier.clone().into(),
                line.amount.to_fen().into(),
                i64::from(line.late).into(),
                line.special.clone().into(),
            ]);
            places.values_panic([line.case_id.to_string().into(), claim.id.to_string().into()]);
        }
        let (text, values) = sql::render(c, &lines);
        sqlx::query_with(&text, values).execute(&mut *c).await?;
        let (text, values) = sql::render(c, &places);
        sqlx::query_with(&text, values).execute(&mut *c).await?;
    }
    Ok(())
}

/// Which of these cases are in a claim now, and which.
pub async fn claimed(c: &mut Conn, ids: &[CaseId]) -> Result<Vec<(CaseId, ClaimId)>, StoreError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(IDS_PER_STATEMENT) {
        let stmt = Query::select()
            .columns([CaseClaim::CaseId, CaseClaim::ClaimId])
            .from(CaseClaim::Table)
            .and_where(Expr::col(CaseClaim::CaseId).is_in(chunk.iter().map(|id| id.to_string())))
            .to_owned();
        let (text, values) = sql::render(c, &stmt);
        let rows: Vec<(String, String)> = sqlx::query_as_with(&text, values)
            .fetch_all(&mut *c)
            .await?;
        for (case, claim) in rows {
            out.push((sql::read("case id", &case)?, sql::read("claim id", &claim)?));
        }
    }
    Ok(out)
}

/// Takes these cases out of their claim (returned to the committee): they
/// may be claimed again. Their lines and the changes that returned them stay.
pub async fn release(c: &mut Conn, claim: ClaimId, ids: &[CaseId]) -> Result<(), StoreError> {
    for chunk in ids.chunks(IDS_PER_STATEMENT) {
        let stmt = Query::delete()
            .from_table(CaseClaim::Table)
            .and_where(Expr::col(CaseClaim::ClaimId).eq(claim.to_string()))
            .and_where(Expr::col(CaseClaim::CaseId).is_in(chunk.iter().map(|id| id.to_string())))
            .to_owned();
        let (text, values) = sql::render(c, &stmt);
        sqlx::query_with(&text, values).execute(&mut *c).await?;
    }
    Ok(())
}

/// Moves a claim from `version` to the next with a new stage; false when
/// its version is no longer `version` (someone signed it meanwhile).
pub async fn advance(
    c: &mut Conn,
    id: ClaimId,
    version: u64,
    stage: Stage,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let stmt = Query::update()
        .table(C::Table)
        .value(C::Stage, stage.code())
        .value(C::Version, (version + 1) as i64)
        .value(C::UpdatedAt, now.to_string())
        .and_where(Expr::col(C::Id).eq(id.to_string()))
        .and_where(Expr::col(C::Version).eq(version as i64))
        .to_owned();
    let (text, values) = sql::render(c, &stmt);
    Ok(sqlx::query_with(&text, values)
        .execute(&mut *c)
        .await?
        .rows_affected()
        == 1)
}

/// Appends line changes after those the claim has (`from`: how many).
pub async fn append_changes(
    c: &mut Conn,
    id: ClaimId,
    from: usize,
    changes: &[LineChange],
) -> Result<(), StoreError> {
    for (n, chunk) in changes.chunks(ROWS_PER_STATEMENT).enumerate() {
        let mut stmt = Query::insert()
            .into_table(Lc::Table)
            .columns([
                Lc::ClaimId,
                Lc::Seq,
                Lc::CaseId,
                Lc::Step,
                Lc::Tier,
                Lc::AmountFen,
                Lc::Reason,
                Lc::ByPerson,
                Lc::ByName,
                Lc::At,
            ])
            .to_owned();
        for (i, ch) in chunk.iter().enumerate() {
            stmt.values_panic([
                id.to_string().into(),
                ((from + n * ROWS_PER_STATEMENT + i + 1) as i64).into(),
                ch.case_id.to_string().into(),
                ch.step.code().into(),
                ch.tier.clone().into(),
                ch.amount.to_fen().into(),
                ch.reason.clone().into(),
                ch.by.to_string().into(),
                ch.by_name.clone().into(),
                ch.at.to_string().into(),
            ]);
        }
        let (text, values) = sql::render(c, &stmt);
        sqlx::query_with(&text, values).execute(&mut *c).await?;
    }
    Ok(())
}

/// Appends a step's signature as the claim's `seq`-th.
pub async fn append_signature(
    c: &mut Conn,
    id: ClaimId,
    seq: usize,
    s: &Signature,
) -> Result<(), StoreError> {
    let stmt = Query::insert()
        .into_table(Sg::Table)
        .columns([
            Sg::ClaimId,
            Sg::Seq,
            Sg::Step,
            Sg::Decision,
            Sg::ByPerson,
            Sg::ByName,
            Sg::At,
            Sg::Opinion,
            Sg::TotalFen,
        ])
        .values_panic([
            id.to_string().into(),
            (seq as i64).into(),
            s.step.code().into(),
            decision_code(s.decision).into(),
            s.by.to_string().into(),
            s.by_name.clone().into(),
            s.at.to_string().into(),
            s.opinion.clone().into(),
            s.total.to_fen().into(),
        ])
        .to_owned();
    let (text, values) = sql::render(c, &stmt);
    sqlx::query_with(&text, values).execute(&mut *c).await?;
    Ok(())
}

fn decision_code(d: Decision) -> &'static str {
    match d {
        Decision::Pass => "pass",
        Decision::Return => "return",
    }
}

fn decision(text: &str) -> Result<Decision, StoreError> {
    match text {
        "pass" => Ok(Decision::Pass),
        "return" => Ok(Decision::Return),
        other => Err(StoreError::corrupt("decision", other)),
    }
}

fn step(text: &str) -> Result<Step, StoreError> {
    text.parse().map_err(|_| StoreError::corrupt("step", text))
}

type ClaimRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    String,
    String,
    String,
);

fn select() -> SelectStatement {
    let (c, u, t) = (Alias::new("c"), Alias::new("u"), Alias::new("t"));
    Query::select()
        .column((c.clone(), C::Id))
        .column((c.clone(), C::UnitId))
        .column((u.clone(), OrgUnit::Name))
        .column((c.clone(), C::UnitPath))
        .column((c.clone(), C::TownshipId))
        .column((t.clone(), OrgUnit::Name))
        .column((c.clone(), C::Quarter))
        .column((c.clone(), C::RuleSet))
        .column((c.clone(), C::Stage))
        .column((c.clone(), C::Version))
        .column((c.clone(), C::SubmittedBy))
        .column((c.clone(), C::SubmittedByName))
        .column((c.clone(), C::SubmittedAt))
        .from_as(C::Table, c.clone())
        .join_as(
            JoinType::InnerJoin,
            OrgUnit::Table,
            u.clone(),
            Expr::col((u, OrgUnit::Id)).equals((c.clone(), C::UnitId)),
        )
        .join_as(
            JoinType::InnerJoin,
            OrgUnit::Table,
            t.clone(),
            Expr::col((t, OrgUnit::Id)).equals((c.clone(), C::TownshipId)),
        )
        .order_by((c.clone(), C::UnitPath), Order::Asc)
        .order_by((c, C::SubmittedAt), Order::Asc)
        .to_owned()
}

/// The claims the statement selects, whole.
async fn load(c: &mut Conn, stmt: &SelectStatement) -> Result<Vec<StoredClaim>, StoreError> {
    let (text, values) = sql::render(c, stmt);
    let rows: Vec<ClaimRow> = sqlx::query_as_with(&text, values)
        .fetch_all(&mut *c)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for (
        id,
        unit,
        unit_name,
        path,
        township,
        township_name,
        quarter,
        rules,
        stage,
        version,
        by,
        by_name,
        at,
    ) in rows
    {
        out.push(StoredClaim {
            claim: Claim {
                id: sql::read("claim id", &id)?,
                unit_id: sql::read("unit id", &unit)?,
                unit_name,
                township_id: sql::read("township id", &township)?,
                township_name,
                quarter: sql::read::<Quarter>("quarter", &quarter)?,
                rule_set: rules,
                stage: stage
                    .parse()
                    .map_err(|_| StoreError::corrupt("stage", &stage))?,
                version: sql::count("version", version)?,
                submitted_by: sql::read("person id", &by)?,
                submitted_by_name: by_name,
                submitted_at: sql::read("submitted_at", &at)?,
                lines: Vec::new(),
                changes: Vec::new(),
                signatures: Vec::new(),
                special_decisions: Vec::new(),
                spot_check: None,
            },
            unit_path: sql::path(&path)?,
        });
    }
    let ids: Vec<String> = out.iter().map(|s| s.claim.id.to_string()).collect();
    let mut at: HashMap<String, usize> = HashMap::with_capacity(ids.len());
    for (i, id) in ids.iter().enumerate() {
        at.insert(id.clone(), i);
    }
    for chunk in ids.chunks(IDS_PER_STATEMENT) {
        read_lines(c, chunk, &at, &mut out).await?;
        read_changes(c, chunk, &at, &mut out).await?;
        read_signatures(c, chunk, &at, &mut out).await?;
        read_special_decisions(c, chunk, &at, &mut out).await?;
        super::spot_checks::read(c, chunk, &at, &mut out).await?;
    }
    Ok(out)
}

type LineRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    i64,
    Option<String>,
);

async fn read_lines(
    c: &mut Conn,
    ids: &[String],
    at: &HashMap<String, usize>,
    out: &mut [StoredClaim],
) -> Result<(), StoreError> {
    let stmt = Query::select()
        .columns([
            L::ClaimId,
            L::CaseId,
            L::Number,
            L::Parties,
            L::DisputeType,
            L::ClosedOn,
            L::MediatorId,
            L::Mediator,
            L::Tier,
            L::AmountFen,
            L::Late,
            L::SpecialReason,
        ])
        .from(L::Table)
        .and_where(Expr::col(L::ClaimId).is_in(ids.iter().cloned()))
        .order_by(L::ClaimId, Order::Asc)
        .order_by(L::Ord, Order::Asc)
        .to_owned();
    let (text, values) = sql::render(c, &stmt);
    let rows: Vec<LineRow> = sqlx::query_as_with(&text, values)
        .fetch_all(&mut *c)
        .await?;
    for (
        claim,
        case,
        number,
        parties,
        kind,
        closed,
        mediator_id,
        mediator,
        tier,
        fen,
        late,
        special,
    ) in rows
    {
        let Some(&i) = at.get(&claim) else { continue };
        out[i].claim.lines.push(ClaimLine {
            case_id: sql::read("case id", &case)?,
            number,
            parties: serde_json::from_str(&parties)
                .map_err(|e| StoreError::corrupt("parties", e))?,
            dispute_type: kind,
            closed_on: domain::dates::parse_iso(&closed)
                .ok_or_else(|| StoreError::corrupt("closed_on", &closed))?,
            mediator_id: sql::read("person id", &mediator_id)?,
            mediator,
            tier,
            amount: money("amount_fen", fen)?,
            late: sql::flag(late),
            special,
        });
    }
    Ok(())
}

type ChangeRow = (
    String,
    String,
    String,
    Option<String>,
    i64,
    String,
    String,
    String,
    String,
);

async fn read_changes(
    c: &mut Conn,
    ids: &[String],
    at: &HashMap<String, usize>,
    out: &mut [StoredClaim],
) -> Result<(), StoreError> {
    let stmt = Query::select()
        .columns([
            Lc::ClaimId,
            Lc::CaseId,
            Lc::Step,
            Lc::Tier,
            Lc::AmountFen,
            Lc::Reason,
            Lc::ByPerson,
            Lc::ByName,
            Lc::At,
        ])
        .from(Lc::Table)
        .and_where(Expr::col(Lc::ClaimId).is_in(ids.iter().cloned()))
        .order_by(Lc::ClaimId, Order::Asc)
        .order_by(Lc::Seq, Order::Asc)
        .to_owned();
    let (text, values) = sql::render(c, &stmt);
    let rows: Vec<ChangeRow> = sqlx::query_as_with(&text, values)
        .fetch_all(&mut *c)
        .await?;
    for (claim, case, st, tier, fen, reason, by, by_name, when) in rows {
        let Some(&i) = at.get(&claim) else { continue };
        out[i].claim.changes.push(LineChange {
            case_id: sql::read("case id", &case)?,
            step: step(&st)?,
            tier,
            amount: money("amount_fen", fen)?,
            reason,
            by: sql::read("person id", &by)?,
            by_name,
            at: sql::read("at", &when)?,
        });
    }
    Ok(())
}

type SignatureRow = (String, String, String, String, String, String, String, i64);

async fn read_signatures(
    c: &mut Conn,
    ids: &[String],
    at: &HashMap<String, usize>,
    out: &mut [StoredClaim],
) -> Result<(), StoreError> {
    let stmt = Query::select()
        .columns([
            Sg::ClaimId,
            Sg::Step,
            Sg::Decision,
            Sg::ByPerson,
            Sg::ByName,
            Sg::At,
            Sg::Opinion,
            Sg::TotalFen,
        ])
        .from(Sg::Table)
        .and_where(Expr::col(Sg::ClaimId).is_in(ids.iter().cloned()))
        .order_by(Sg::ClaimId, Order::Asc)
        .order_by(Sg::Seq, Order::Asc)
        .to_owned();
    let (text, values) = sql::render(c, &stmt);
    let rows: Vec<SignatureRow> = sqlx::query_as_with(&text, values)
        .fetch_all(&mut *c)
        .await?;
    for (claim, st, dec, by, by_name, when, opinion, fen) in rows {
        let Some(&i) = at.get(&claim) else { continue };
        out[i].claim.signatures.push(Signature {
            step: step(&st)?,
            decision: decision(&dec)?,
            by: sql::read("person id", &by)?,
            by_name,
            at: sql::read("at", &when)?,
            opinion,
            total: money("total_fen", fen)?,
        });
    }
    Ok(())
}

type SpecialRow = (
    String,
    String,
    i64,
    Option<i64>,
    String,
    String,
    String,
    String,
);

async fn read_special_decisions(
    c: &mut Conn,
    ids: &[String],
    at: &HashMap<String, usize>,
    out: &mut [StoredClaim],
) -> Result<(), StoreError> {
    let stmt = Query::select()
        .columns([
            Sd::ClaimId,
            Sd::CaseId,
            Sd::Approved,
            Sd::AmountFen,
            Sd::Minutes,
            Sd::ByPerson,
            Sd::ByName,
            Sd::At,
        ])
        .from(Sd::Table)
        .and_where(Expr::col(Sd::ClaimId).is_in(ids.iter().cloned()))
        .order_by(Sd::ClaimId, Order::Asc)
        .order_by(Sd::At, Order::Asc)
        .to_owned();
    let (text, values) = sql::render(c, &stmt);
    let rows: Vec<SpecialRow> = sqlx::query_as_with(&text, values)
        .fetch_all(&mut *c)
        .await?;
    for (claim, case, approved, fen, minutes, by, by_name, when) in rows {
        let Some(&i) = at.get(&claim) else { continue };
        out[i].claim.special_decisions.push(SpecialDecision {
            case_id: sql::read("case id", &case)?,
            approved: sql::flag(approved),
            amount: fen.map(|f| money("amount_fen", f)).transpose()?,
            minutes,
            by: sql::read("person id", &by)?,
            by_name,
            at: sql::read("at", &when)?,
        });
    }
    Ok(())
}

/// Appends the party group's decision on a reported line; a second one
/// for the same line fails with [`StoreError::Conflict`].
pub async fn append_special_decision(
    c: &mut Conn,
    id: ClaimId,
    d: &SpecialDecision,
) -> Result<(), StoreError> {
    let stmt = Query::insert()
        .into_table(Sd::Table)
        .columns([
            Sd::ClaimId,
            Sd::CaseId,
            Sd::Approved,
            Sd::AmountFen,
            Sd::Minutes,
            Sd::ByPerson,
            Sd::ByName,
            Sd::At,
        ])
        .values_panic([
            id.to_string().into(),
            d.case_id.to_string().into(),
            i64::from(d.approved).into(),
            d.amount.map(Money::to_fen).into(),
            d.minutes.clone().into(),
            d.by.to_string().into(),
            d.by_name.clone().into(),
            d.at.to_string().into(),
        ])
        .to_owned();
    let (text, values) = sql::render(c, &stmt);
    sqlx::query_with(&text, values).execute(&mut *c).await?;
    Ok(())
}

/// The claims still on their way (not finished, not returned), whole,
/// each with when it last moved (its last signature, payment or decision).
pub async fn open_with_since(c: &mut Conn) -> Result<Vec<(StoredClaim, Timestamp)>, StoreError> {
    let done = [Stage::Finished.code(), Stage::Returned.code()];
    let stmt = select()
        .and_where(Expr::col((Alias::new("c"), C::Stage)).is_not_in(done))
        .to_owned();
    let claims = load(c, &stmt).await?;
    let since = Query::select()
        .columns([C::Id, C::UpdatedAt])
        .from(C::Table)
        .and_where(Expr::col(C::Stage).is_not_in(done))
        .to_owned();
    let (text, values) = sql::render(c, &since);
    let rows: Vec<(String, String)> = sqlx::query_as_with(&text, values)
        .fetch_all(&mut *c)
        .await?;
    let mut moved: HashMap<String, Timestamp> = HashMap::with_capacity(rows.len());
    for (id, at) in rows {
        moved.insert(id, sql::read("updated_at", &at)?);
    }
    Ok(claims
        .into_iter()
        .filter_map(|s| {
            let at = moved.get(&s.claim.id.to_string()).copied()?;
            Some((s, at))
        })
        .collect())
}

/// One claim, whole.
pub async fn get(c: &mut Conn, id: ClaimId) -> Result<Option<StoredClaim>, StoreError> {
    let stmt = select()
        .and_where(Expr::col((Alias::new("c"), C::Id)).eq(id.to_string()))
        .to_owned();
    Ok(load(c, &stmt).await?.pop())
}

/// The claims of committees inside `roots`, of one quarter or all.
pub async fn under(
    c: &mut Conn,
    roots: &[&UnitPath],
    quarter: Option<Quarter>,
) -> Result<Vec<StoredClaim>, StoreError> {
    if roots.is_empty() {
        return Ok(Vec::new());
    }
    let mut cond = Cond::all().add(sql::under((Alias::new("c"), C::UnitPath), roots));
    if let Some(q) = quarter {
        cond = cond.add(Expr::col((Alias::new("c"), C::Quarter)).eq(q.to_string()));
    }
    let stmt = select().cond_where(cond).to_owned();
    load(c, &stmt).await
}

fn payee_code(p: Payee) -> &'static str {
    match p {
        Payee::Township => "township",
        Payee::Mediator => "mediator",
    }
}

fn method_code(m: PayMethod) -> &'static str {
    match m {
        PayMethod::BankTransfer => "bank_transfer",
        PayMethod::Cash => "cash",
    }
}

/// Writes a payment and its parts. A claim paid twice to the same payee
/// fails with [`StoreError::Conflict`].
pub async fn insert_payment(c: &mut Conn, p: &Payment) -> Result<(), StoreError> {
    let stmt = Query::insert()
        .into_table(Pm::Table)
        .columns([
            Pm::Id,
            Pm::Payee,
            Pm::TownshipId,
            Pm::Quarter,
            Pm::MediatorId,
            Pm::Mediator,
            Pm::AmountFen,
            Pm::PaidOn,
            Pm::Method,
            Pm::Reference,
            Pm::ByPerson,
            Pm::ByName,
            Pm::At,
        ])
        .values_panic([
            p.id.to_string().into(),
            payee_code(p.payee).into(),
            p.township_id.to_string().into(),
            p.quarter.to_string().into(),
            p.mediator_id.map(|m| m.to_string()).into(),
            p.mediator.clone().into(),
            p.amount.to_fen().into(),
            domain::dates::format_iso(p.paid_on).into(),
            method_code(p.method).into(),
            p.reference.clone().into(),
            p.by.to_string().into(),
            p.by_name.clone().into(),
            p.at.to_string().into(),
        ])
        .to_owned();
    let (text, values) = sql::render(c, &stmt);
    sqlx::query_with(&text, values).execute(&mut *c).await?;
    for chunk in p.parts.chunks(ROWS_PER_STATEMENT) {
        let mut parts = Query::insert()
            .into_table(Pp::Table)
            .columns([
                Pp::PaymentId,
                Pp::ClaimId,
                Pp::Payee,
                Pp::MediatorId,
                Pp::AmountFen,
            ])
            .to_owned();
        for part in chunk {
            parts.values_panic([
                p.id.to_string().into(),
                part.claim_id.to_string().into(),
                payee_code(p.payee).into(),
                p.mediator_id.map(|m| m.to_string()).into(),
                part.amount.to_fen().into(),
            ]);
        }
        let (text, values) = sql::render(c, &parts);
        sqlx::query_with(&text, values).execute(&mut *c).await?;
    }
    for chunk in p.fixed.chunks(ROWS_PER_STATEMENT) {
        let mut parts = Query::insert()
            .into_table(Fp::Table)
            .columns([
                Fp::PaymentId,
                Fp::Payee,
                Fp::PersonId,
                Fp::Month,
                Fp::AmountFen,
            ])
            .to_owned();
        for part in chunk {
            parts.values_panic([
                p.id.to_string().into(),
                payee_code(p.payee).into(),
                part.person_id.to_string().into(),
                part.month.to_string().into(),
                part.amount.to_fen().into(),
            ]);
        }
        let (text, values) = sql::render(c, &parts);
        sqlx::query_with(&text, values).execute(&mut *c).await?;
    }
    Ok(())
}

/// Appends a mediator's word on a payment as its `seq`-th.
pub async fn append_receipt(
    c: &mut Conn,
    payment: PaymentId,
    seq: usize,
    r: &Receipt,
) -> Result<(), StoreError> {
    let stmt = Query::insert()
        .into_table(Rc::Table)
        .columns([
            Rc::PaymentId,
            Rc::Seq,
            Rc::Received,
            Rc::Note,
            Rc::ByPerson,
            Rc::At,
        ])
        .values_panic([
            payment.to_string().into(),
            (seq as i64).into(),
            i64::from(r.received).into(),
            r.note.clone().into(),
            r.by.to_string().into(),
            r.at.to_string().into(),
        ])
        .to_owned();
    let (text, values) = sql::render(c, &stmt);
    sqlx::query_with(&text, values).execute(&mut *c).await?;
    Ok(())
}

type PaymentRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
);

/// The payments the condition selects, with their parts and receipts.
async fn load_payments(c: &mut Conn, cond: Cond) -> Result<Vec<Payment>, StoreError> {
    let stmt = Query::select()
        .columns([
            Pm::Id,
            Pm::Payee,
            Pm::TownshipId,
            Pm::Quarter,
            Pm::MediatorId,
            Pm::Mediator,
            Pm::AmountFen,
            Pm::PaidOn,
            Pm::Method,
            Pm::Reference,
            Pm::ByPerson,
            Pm::ByName,
            Pm::At,
        ])
        .from(Pm::Table)
        .cond_where(cond)
        .order_by(Pm::At, Order::Asc)
        .order_by(Pm::Id, Order::Asc)
        .to_owned();
    let (text, values) = sql::render(c, &stmt);
    let rows: Vec<PaymentRow> = sqlx::query_as_with(&text, values)
        .fetch_all(&mut *c)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for (
        id,
        payee,
        township,
        quarter,
        mediator_id,
        mediator,
        fen,
        paid_on,
        method,
        reference,
        by,
        by_name,
        at,
    ) in rows
    {
        out.push(Payment {
            id: sql::read("payment id", &id)?,
            payee: match payee.as_str() {
                "township" => Payee::Township,
                "mediator" => Payee::Mediator,
                other => return Err(StoreError::corrupt("payee", other)),
            },
            township_id: sql::read("township id", &township)?,
            quarter: sql::read::<Quarter>("quarter", &quarter)?,
            mediator_id: sql::read_opt("person id", mediator_id.as_deref())?,
            mediator,
            amount: money("amount_fen", fen)?,
            paid_on: domain::dates::parse_iso(&paid_on)
                .ok_or_else(|| StoreError::corrupt("paid_on", &paid_on))?,
            method: match method.as_str() {
                "bank_transfer" => PayMethod::BankTransfer,
                "cash" => PayMethod::Cash,
                other => return Err(StoreError::corrupt("method", other)),
            },
            reference,
            by: sql::read("person id", &by)?,
            by_name,
            at: sql::read("at", &at)?,
            parts: Vec::new(),
            fixed: Vec::new(),
            receipts: Vec::new(),
        });
    }
    let ids: Vec<String> = out.iter().map(|p| p.id.to_string()).collect();
    let at: HashMap<String, usize> = ids.iter().cloned().zip(0..).collect();
    for chunk in ids.chunks(IDS_PER_STATEMENT) {
        let stmt = Query::select()
            .columns([Pp::PaymentId, Pp::ClaimId, Pp::AmountFen])
            .from(Pp::Table)
            .and_where(Expr::col(Pp::PaymentId).is_in(chunk.iter().cloned()))
            .order_by(Pp::PaymentId, Order::Asc)
            .order_by(Pp::ClaimId, Order::Asc)
            .to_owned();
        let (text, values) = sql::render(c, &stmt);
        let rows: Vec<(String, String, i64)> = sqlx::query_as_with(&text, values)
            .fetch_all(&mut *c)
            .await?;
        for (payment, claim, fen) in rows {
            if let Some(&i) = at.get(&payment) {
                out[i].parts.push(PaymentPart {
                    claim_id: sql::read("claim id", &claim)?,
                    amount: money("amount_fen", fen)?,
                });
            }
        }
        let stmt = Query::select()
            .columns([Fp::PaymentId, Fp::PersonId, Fp::Month, Fp::AmountFen])
            .from(Fp::Table)
            .and_where(Expr::col(Fp::PaymentId).is_in(chunk.iter().cloned()))
            .order_by(Fp::PaymentId, Order::Asc)
            .order_by(Fp::PersonId, Order::Asc)
            .order_by(Fp::Month, Order::Asc)
            .to_owned();
        let (text, values) = sql::render(c, &stmt);
        let rows: Vec<(String, String, String, i64)> = sqlx::query_as_with(&text, values)
            .fetch_all(&mut *c)
            .await?;
        for (payment, person, month, fen) in rows {
            if let Some(&i) = at.get(&payment) {
                out[i].fixed.push(FixedPart {
                    person_id: sql::read("person id", &person)?,
                    month: sql::read::<Month>("month", &month)?,
                    amount: money("amount_fen", fen)?,
                });
            }
        }
        let stmt = Query::select()
            .columns([Rc::PaymentId, Rc::Received, Rc::Note, Rc::ByPerson, Rc::At])
            .from(Rc::Table)
            .and_where(Expr::col(Rc::PaymentId).is_in(chunk.iter().cloned()))
            .order_by(Rc::PaymentId, Order::Asc)
            .order_by(Rc::Seq, Order::Asc)
            .to_owned();
        let (text, values) = sql::render(c, &stmt);
        let rows: Vec<(String, i64, String, String, String)> = sqlx::query_as_with(&text, values)
            .fetch_all(&mut *c)
            .await?;
        for (payment, received, note, by, when) in rows {
            if let Some(&i) = at.get(&payment) {
                out[i].receipts.push(Receipt {
                    received: sql::flag(received),
                    note,
                    by: sql::read("person id", &by)?,
                    at: sql::read("at", &when)?,
                });
            }
        }
    }
    Ok(out)
}

/// The payments that paid any of these claims.
pub async fn payments_of(c: &mut Conn, claims: &[ClaimId]) -> Result<Vec<Payment>, StoreError> {
    if claims.is_empty() {
        return Ok(Vec::new());
    }
    let mut out: Vec<Payment> = Vec::new();
    for chunk in claims.chunks(IDS_PER_STATEMENT) {
        let paying = Query::select()
            .column(Pp::PaymentId)
            .from(Pp::Table)
            .and_where(Expr::col(Pp::ClaimId).is_in(chunk.iter().map(|id| id.to_string())))
            .to_owned();
        for p in load_payments(c, Cond::all().add(Expr::col(Pm::Id).in_subquery(paying))).await? {
            if !out.iter().any(|q| q.id == p.id) {
                out.push(p);
            }
        }
    }
    Ok(out)
}

/// One payment.
pub async fn payment(c: &mut Conn, id: PaymentId) -> Result<Option<Payment>, StoreError> {
    Ok(
        load_payments(c, Cond::all().add(Expr::col(Pm::Id).eq(id.to_string())))
            .await?
            .pop(),
    )
}

/// The fixed-subsidy payments (定额补助) of these townships' quarter: to
/// the townships and to their mediators.
pub async fn fixed_payments(
    c: &mut Conn,
    townships: &[UnitId],
    quarter: Quarter,
) -> Result<Vec<Payment>, StoreError> {
    if townships.is_empty() {
        return Ok(Vec::new());
    }
    let fixed = Query::select()
        .column(Fp::PaymentId)
        .from(Fp::Table)
        .to_owned();
    let mut out = Vec::new();
    for chunk in townships.chunks(IDS_PER_STATEMENT) {
        let cond = Cond::all()
            .add(Expr::col(Pm::TownshipId).is_in(chunk.iter().map(|t| t.to_string())))
            .add(Expr::col(Pm::Quarter).eq(quarter.to_string()))
            .add(Expr::col(Pm::Id).in_subquery(fixed.clone()));
        out.extend(load_payments(c, cond).await?);
    }
    Ok(out)
}

/// Whether a mediator's month was paid to their township already (its
/// decision is then final).
pub async fn fixed_month_paid(
    c: &mut Conn,
    person: PersonId,
    month: Month,
) -> Result<bool, StoreError> {
    let stmt = Query::select()
        .expr(Expr::col(Fp::PaymentId).count())
        .from(Fp::Table)
        .and_where(Expr::col(Fp::Payee).eq(payee_code(Payee::Township)))
        .and_where(Expr::col(Fp::PersonId).eq(person.to_string()))
        .and_where(Expr::col(Fp::Month).eq(month.to_string()))
        .to_owned();
    let (text, values) = sql::render(c, &stmt);
    let n: i64 = sqlx::query_scalar_with(&text, values)
        .fetch_one(&mut *c)
        .await?;
    Ok(n > 0)
}

/// The payments made to a mediator.
pub async fn payments_to(c: &mut Conn, mediator: PersonId) -> Result<Vec<Payment>, StoreError> {
    load_payments(
        c,
        Cond::all().add(Expr::col(Pm::MediatorId).eq(mediator.to_string())),
    )
    .await
}

/// The claims holding a line of this case, whatever became of them.
pub async fn with_line_of_case(c: &mut Conn, case: CaseId) -> Result<Vec<StoredClaim>, StoreError> {
    let holding = Query::select()
        .column(L::ClaimId)
        .from(L::Table)
        .and_where(Expr::col(L::CaseId).eq(case.to_string()))
        .to_owned();
    let stmt = select()
        .and_where(Expr::col((Alias::new("c"), C::Id)).in_subquery(holding))
        .to_owned();
    load(c, &stmt).await
}

/// The claims holding a line of this mediator's.
pub async fn with_lines_of(
    c: &mut Conn,
    mediator: PersonId,
) -> Result<Vec<StoredClaim>, StoreError> {
    let holding = Query::select()
        .column(L::ClaimId)
        .from(L::Table)
        .and_where(Expr::col(L::MediatorId).eq(mediator.to_string()))
        .to_owned();
    let stmt = select()
        .and_where(Expr::col((Alias::new("c"), C::Id)).in_subquery(holding))
        .to_owned();
    load(c, &stmt).await
}
