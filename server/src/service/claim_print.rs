//! The claims' papers for A4 (docs/claims.md, "Papers"): one committee's
//! approval slip 《"以案定补"补助兑现审批单》 — its lines, the total in
//! figures and in capitals (大写), and a box per step with who signed,
//! when and what they wrote, blank where the step is still to come — and
//! the quarter's 兑现审批表, one page per township and the city's page,
//! with signature lines. Self-contained HTML with its print style, written
//! by the server: nothing of it is in the phone's app. Every text from a
//! person (names, opinions, reasons) is escaped.

use domain::Money;
use domain::api::ClaimView;
use domain::claim::{Decision, Step, Summary, TownshipTable, in_capitals};
use domain::spot_check::CheckResult;
use html_escape::encode_text as esc;
use std::fmt::Write;

const STYLE: &str = "
@page { size: A4; margin: 18mm 15mm; }
body { font-family: 'SimSun', 'Songti SC', 'Noto Serif CJK SC', serif; font-size: 11pt; color: #000; margin: 0; }
.page { page-break-after: always; }
.page:last-child { page-break-after: auto; }
h1 { font-size: 17pt; text-align: center; margin: 0 0 4mm; letter-spacing: 1pt; }
.meta { display: flex; justify-content: space-between; margin-bottom: 3mm; }
table { width: 100%; border-collapse: collapse; margin-bottom: 3mm; }
th, td { border: 1px solid #000; padding: 1.6mm 2mm; vertical-align: top; }
th { font-weight: bold; background: #f2f2f2; }
td.n { text-align: right; white-space: nowrap; }
.sign td { height: 18mm; }
.sign th { width: 22%; }
.blank { color: #666; }
.total { font-weight: bold; }
@media screen { body { max-width: 190mm; margin: 8mm auto; } .page { border-bottom: 1px dashed #999; padding-bottom: 8mm; margin-bottom: 8mm; } }
";

fn document(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>{body}</body></html>",
        esc(title)
    )
}

fn yuan(m: Money) -> String {
    format!("{m}")
}

/// The approval slip of one claim. `names`: the parties' names are shown
/// (only to those who read the committee's cases; a finance office gets
/// the slip without them).
pub fn slip(view: &ClaimView) -> String {
    let claim = &view.claim;
    let names = claim.lines.iter().any(|l| !l.parties.is_empty());
    let title = format!(
        "“以案定补”补助兑现审批单 · {} · {}",
        claim.unit_name,
        claim.quarter.label_zh()
    );
    let mut b = String::new();
    let _ = write!(
        b,
        "<div class=\"page\"><h1>“以案定补”补助兑现审批单</h1><div class=\"meta\"><span>申报单位：{}（{}）</span><span>{}</span></div>",
        esc(&claim.unit_name),
        esc(&claim.township_name),
        esc(&claim.quarter.label_zh())
    );
    b.push_str("<table><thead><tr><th>序号</th><th>案号</th>");
    if names {
        b.push_str("<th>当事人</th>");
    }
    b.push_str("<th>纠纷类型</th><th>结案日期</th><th>调解员</th><th>档次</th><th>补助金额（元）</th><th>备注</th></tr></thead><tbody>");
    for (i, (line, now)) in claim.lines.iter().zip(&view.current).enumerate() {
        let kind =
            domain::case::dispute_type_name(&line.dispute_type).unwrap_or(&line.dispute_type);
        let mut note = String::new();
        if line.late {
            note.push_str("补报；");
        }
        if line.special.is_some() {
            note.push_str("重特大纠纷；");
        }
        if now.returned {
            note.push_str("已退回；");
        }
        if let Some(reason) = &now.reason {
            note.push_str(reason);
        }
        let _ = write!(
            b,
            "<tr><td class=\"n\">{}</td><td>{}</td>",
            i + 1,
            esc(&line.number)
        );
        if names {
            let _ = write!(b, "<td>{}</td>", esc(&line.parties.join("、")));
        }
        let _ = write!(
            b,
            "<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            esc(kind),
            domain::dates::format_iso(line.closed_on),
            esc(&line.mediator),
            esc(now.tier.as_deref().unwrap_or("—")),
            yuan(now.amount),
            esc(note.trim_end_matches('；'))
        );
    }
    let cols = if names { 7 } else { 6 };
    let _ = write!(
        b,
        "<tr class=\"total\"><td colspan=\"{cols}\">合计（{} 件）　大写：{}</td><td class=\"n\">{}</td><td></td></tr></tbody></table>",
        view.current.iter().filter(|l| !l.returned).count(),
        in_capitals(view.total),
        yuan(view.total)
    );
    let _ = write!(
        b,
        "<p>申报人：{}　申报时间：{}　申报金额：{} 元</p>",
        esc(&claim.submitted_by_name),
        claim.submitted_at.china_minute(),
        yuan(view.claimed_total)
    );
    b.push_str("<table class=\"sign\"><tbody>");
    for step in Step::ALL {
        let label = match step {
            Step::FirstReview => "司法所初审意见",
            Step::SecondReview => "司法所长复审意见",
            Step::TownshipCheck => "乡（镇）分管领导复核意见",
            Step::CitySummary => "市司法局业务科室复核汇总意见",
            Step::Approval => "市司法局审批意见",
            Step::TownshipPayment => "市司法局财务拨付",
            Step::MediatorPayment => "乡（镇）财政所核发",
            Step::Receipt => "调解员到账确认",
        };
        let signed = claim.signatures.iter().rev().find(|s| s.step == step);
        let cell = match signed {
            Some(s) => format!(
                "{}：{}<br>金额 {} 元<br>签字：{}　{}",
                if s.decision == Decision::Pass {
                    "同意"
                } else {
                    "退回"
                },
                esc(&s.opinion),
                yuan(s.total),
                esc(&s.by_name),
                s.at.china_minute()
            ),
            None => "<span class=\"blank\">签字：＿＿＿＿＿＿　　年　　月　　日</span>".to_owned(),
        };
        let _ = write!(b, "<tr><th>{label}</th><td>{cell}</td></tr>");
    }
    b.push_str("</tbody></table>");
    for d in &claim.special_decisions {
        let number = claim
            .lines
            .iter()
            .find(|l| l.case_id == d.case_id)
            .map_or("", |l| l.number.as_str());
        let _ = write!(
            b,
            "<p>党组决定（重特大纠纷 {}）：{}，{}；{}　{}</p>",
            esc(number),
            match d.amount {
                Some(a) => format!("认定，补助 {} 元", yuan(a)),
                None => "不予认定".to_owned(),
            },
            esc(&d.minutes),
            esc(&d.by_name),
            d.at.china_minute()
        );
    }
    if let Some(check) = &claim.spot_check {
        // 回访抽查: each sampled case, its result, by whom (the parties'
        // words stay on the screen of those who read cases)
        let results: Vec<String> = check
            .cases
            .iter()
            .map(|case| {
                let number = claim
                    .lines
                    .iter()
                    .find(|l| l.case_id == *case)
                    .map_or("", |l| l.number.as_str());
                let result = match check.result(*case) {
                    CheckResult::Passed => "通过",
                    CheckResult::Failed => "未通过，已退回",
                    CheckResult::Waiting => "待回访",
                };
                format!("{} {result}", esc(number))
            })
            .collect();
        let _ = write!(
            b,
            "<p>回访抽查（抽取 {} 件，随机数 {}；{}　{}）：{}</p>",
            check.cases.len(),
            check.seed,
            esc(&check.by_name),
            check.at.china_minute(),
            results.join("；")
        );
    }
    b.push_str("</div>");
    document(&title, &b)
}

fn township_page(b: &mut String, t: &TownshipTable, summary: &Summary, tiers: &[String]) {
    let _ = write!(
        b,
        "<div class=\"page\"><h1>{}“以案定补”补助兑现审批表</h1><div class=\"meta\"><span>{}</span><span>以案定补经费 {} 元</span></div>",
        esc(&t.township_name),
        esc(&summary.quarter.label_zh()),
        yuan(t.fund)
    );
    b.push_str("<table><thead><tr><th>调委会</th><th>件数</th>");
    for tier in tiers {
        let _ = write!(b, "<th>{} 档（元）</th>", esc(tier));
    }
    b.push_str("<th>合计（元）</th></tr></thead><tbody>");
    let by = |counts: &[domain::claim::TierCount], tier: &str| {
        counts
            .iter()
            .find(|c| c.tier == tier)
            .map_or_else(String::new, |c| {
                format!("{} 件 {}", c.cases, yuan(c.amount))
            })
    };
    for row in &t.committees {
        let _ = write!(
            b,
            "<tr><td>{}</td><td class=\"n\">{}</td>",
            esc(&row.unit_name),
            row.cases
        );
        for tier in tiers {
            let _ = write!(b, "<td class=\"n\">{}</td>", by(&row.by_tier, tier));
        }
        let _ = write!(b, "<td class=\"n\">{}</td></tr>", yuan(row.total));
    }
    let _ = write!(
        b,
        "<tr class=\"total\"><td>合计</td><td class=\"n\">{}</td>",
        t.cases
    );
    for tier in tiers {
        let _ = write!(b, "<td class=\"n\">{}</td>", by(&t.by_tier, tier));
    }
    let _ = write!(
        b,
        "<td class=\"n\">{}</td></tr></tbody></table><p>合计大写：{}{}</p>",
        yuan(t.total),
        in_capitals(t.total),
        if t.overspend > Money::ZERO {
            format!("　超出经费 {} 元", yuan(t.overspend))
        } else {
            String::new()
        }
    );
    b.push_str("<table class=\"sign\"><tbody><tr><th>司法所长</th><td></td></tr><tr><th>乡（镇）分管领导</th><td></td></tr><tr><th>乡（镇）财政所</th><td></td></tr></tbody></table></div>");
}

/// The quarter's 兑现审批表: a page per township (its committees by tier,
/// the total in figures and capitals, its fund), then the city's page.
pub fn tables(summary: &Summary, tiers: &[String]) -> String {
    let mut b = String::new();
    for t in &summary.townships {
        township_page(&mut b, t, summary, tiers);
    }
    let _ = write!(
        b,
        "<div class=\"page\"><h1>“以案定补”补助兑现复核汇总表</h1><div class=\"meta\"><span>{}</span><span>以案定补经费 {} 元</span></div><table><thead><tr><th>乡（镇）</th><th>件数</th><th>经费（元）</th><th>超支（元）</th><th>合计（元）</th></tr></thead><tbody>",
        esc(&summary.quarter.label_zh()),
        yuan(summary.fund)
    );
    for t in &summary.townships {
        let _ = write!(
            b,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            esc(&t.township_name),
            t.cases,
            yuan(t.fund),
            yuan(t.overspend),
            yuan(t.total)
        );
    }
    let _ = write!(
        b,
        "<tr class=\"total\"><td>合计</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr></tbody></table><p>合计大写：{}</p>",
        summary.cases,
        yuan(summary.fund),
        yuan(summary.overspend),
        yuan(summary.total),
        esc(&summary.total_in_capitals)
    );
    b.push_str("<table class=\"sign\"><tbody><tr><th>业务科室</th><td></td></tr><tr><th>审批</th><td></td></tr><tr><th>财务</th><td></td></tr></tbody></table></div>");
    document(
        &format!("“以案定补”补助兑现审批表 · {}", summary.quarter.label_zh()),
        &b,
    )
}
