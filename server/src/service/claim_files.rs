//! The quarter's claims as files for finance (以案定补兑现汇总): an Excel
//! workbook (`rust_xlsxwriter`) with the city's summary — each township's
//! committees and subtotal, the total in figures and in capitals (大写) —
//! and every line behind it; and the lines as CSV. Amounts are written
//! from whole fen: in the workbook as numbers with two places (exact: a
//! quarter's fen are far below 2^53), in the CSV as decimal text.

use domain::Money;
use domain::claim::{Claim, Summary};
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};

/// One line of a claim as the detail sheet and the CSV show it: no
/// party's name (finance pays on numbers and amounts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetailRow {
    pub township: String,
    pub committee: String,
    pub number: String,
    pub closed_on: String,
    pub dispute_type: String,
    pub mediator: String,
    pub tier: String,
    pub amount: Money,
    pub late: bool,
    pub note: String,
}

/// The detail rows of the claims a summary counts, in its order.
pub fn detail_rows(summary: &Summary, claims: &[Claim]) -> Vec<DetailRow> {
    let mut out = Vec::new();
    for table in &summary.townships {
        for row in &table.committees {
            let Some(claim) = claims.iter().find(|c| c.id == row.claim_id) else {
                continue;
            };
            for (line, now) in claim.lines.iter().zip(claim.current()) {
                if now.returned {
                    continue;
                }
                out.push(DetailRow {
                    township: table.township_name.clone(),
                    committee: claim.unit_name.clone(),
                    number: line.number.clone(),
                    closed_on: domain::dates::format_iso(line.closed_on),
                    dispute_type: domain::case::dispute_type_name(&line.dispute_type)
                        .unwrap_or(&line.dispute_type)
                        .to_owned(),
                    mediator: line.mediator.clone(),
                    tier: now.tier.clone().unwrap_or_default(),
                    amount: now.amount,
                    late: line.late,
                    note: now.reason.clone().unwrap_or_default(),
                });
            }
        }
    }
    out
}

fn yuan(m: Money) -> f64 {
    // exact for whole fen below 2^53: the cell shows it with two places
    m.to_fen() as f64 / 100.0
}

const DETAIL_HEADERS: [&str; 10] = [
    "乡镇",
    "调委会",
    "案号",
    "结案日期",
    "纠纷类型",
    "调解员",
    "档次",
    "金额（元）",
    "补报",
    "核减或说明",
];

/// The workbook: sheet 汇总 (the summary) and sheet 明细 (the lines).
pub fn workbook(
    summary: &Summary,
    rows: &[DetailRow],
    tiers: &[String],
) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let title = Format::new().set_bold().set_font_size(14);
    let head = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center);
    let cell = Format::new().set_border(FormatBorder::Thin);
    let money = Format::new()
        .set_border(FormatBorder::Thin)
        .set_num_format("#,##0.00");
    let bold_money = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_num_format("#,##0.00");
    let bold = Format::new().set_bold().set_border(FormatBorder::Thin);

    let sheet = book.add_worksheet().set_name("汇总")?;
    sheet.write_with_format(
        0,
        0,
        format!(
            "人民调解“以案定补”补助兑现汇总表（{}）",
            summary.quarter.label_zh()
        ),
        &title,
    )?;
    let mut headers: Vec<String> = vec![
        "乡镇".into(),
        "调委会".into(),
        "环节".into(),
        "案件数".into(),
    ];
    headers.extend(tiers.iter().map(|t| format!("{t}档（件）")));
    headers.push("金额（元）".into());
    headers.push("经费（元）".into());
    headers.push("超支（元）".into());
    for (c, h) in headers.iter().enumerate() {
        sheet.write_with_format(2, c as u16, h.as_str(), &head)?;
    }
    let amount_col = headers.len() as u16 - 3;
    let tier_cases = |by: &[domain::claim::TierCount], t: &str| {
        by.iter().find(|x| x.tier == t).map_or(0, |x| x.cases)
    };
    let mut r: u32 = 3;
    for table in &summary.townships {
        for row in &table.committees {
            sheet.write_with_format(r, 0, table.township_name.as_str(), &cell)?;
            sheet.write_with_format(r, 1, row.unit_name.as_str(), &cell)?;
            sheet.write_with_format(r, 2, row.stage.name_zh(), &cell)?;
            sheet.write_with_format(r, 3, row.cases, &cell)?;
            for (i, t) in tiers.iter().enumerate() {
                sheet.write_with_format(r, 4 + i as u16, tier_cases(&row.by_tier, t), &cell)?;
            }
            sheet.write_with_format(r, amount_col, yuan(row.total), &money)?;
            r += 1;
        }
        sheet.write_with_format(r, 0, table.township_name.as_str(), &bold)?;
        sheet.write_with_format(r, 1, "小计", &bold)?;
        sheet.write_with_format(r, 2, "", &bold)?;
        sheet.write_with_format(r, 3, table.cases, &bold)?;
        for (i, t) in tiers.iter().enumerate() {
            sheet.write_with_format(r, 4 + i as u16, tier_cases(&table.by_tier, t), &bold)?;
        }
        sheet.write_with_format(r, amount_col, yuan(table.total), &bold_money)?;
        sheet.write_with_format(r, amount_col + 1, yuan(table.fund), &bold_money)?;
        sheet.write_with_format(r, amount_col + 2, yuan(table.overspend), &bold_money)?;
        r += 1;
    }
    sheet.write_with_format(r, 0, "合计", &bold)?;
    sheet.write_with_format(r, 1, "", &bold)?;
    sheet.write_with_format(r, 2, "", &bold)?;
    sheet.write_with_format(r, 3, summary.cases, &bold)?;
    for (i, t) in tiers.iter().enumerate() {
        sheet.write_with_format(r, 4 + i as u16, tier_cases(&summary.by_tier, t), &bold)?;
    }
    sheet.write_with_format(r, amount_col, yuan(summary.total), &bold_money)?;
    sheet.write(
        r + 1,
        0,
        format!("合计金额（大写）：{}", summary.total_in_capitals),
    )?;
    sheet.write(
        r + 3,
        0,
        "经办人：                复核人：                审批人：                日期：",
    )?;
    sheet.set_column_width(0, 12)?;
    sheet.set_column_width(1, 28)?;
    sheet.set_column_width(amount_col, 14)?;

    let detail = book.add_worksheet().set_name("明细")?;
    for (c, h) in DETAIL_HEADERS.iter().enumerate() {
        detail.write_with_format(0, c as u16, *h, &head)?;
    }
    for (i, row) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        detail.write_with_format(r, 0, row.township.as_str(), &cell)?;
        detail.write_with_format(r, 1, row.committee.as_str(), &cell)?;
        detail.write_with_format(r, 2, row.number.as_str(), &cell)?;
        detail.write_with_format(r, 3, row.closed_on.as_str(), &cell)?;
        detail.write_with_format(r, 4, row.dispute_type.as_str(), &cell)?;
        detail.write_with_format(r, 5, row.mediator.as_str(), &cell)?;
        detail.write_with_format(r, 6, row.tier.as_str(), &cell)?;
        detail.write_with_format(r, 7, yuan(row.amount), &money)?;
        detail.write_with_format(r, 8, if row.late { "是" } else { "" }, &cell)?;
        detail.write_with_format(r, 9, row.note.as_str(), &cell)?;
    }
    detail.set_column_width(1, 28)?;
    detail.set_column_width(2, 26)?;
    book.save_to_buffer()
}

/// The lines as CSV (UTF-8 with a byte-order mark, so a spreadsheet on a
/// Chinese Windows reads the characters).
pub fn lines_csv(rows: &[DetailRow]) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    out.write_record(DETAIL_HEADERS)?;
    for row in rows {
        out.write_record([
            row.township.as_str(),
            row.committee.as_str(),
            row.number.as_str(),
            row.closed_on.as_str(),
            row.dispute_type.as_str(),
            row.mediator.as_str(),
            row.tier.as_str(),
            &row.amount.to_string(),
            if row.late { "是" } else { "" },
            row.note.as_str(),
        ])?;
    }
    out.into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))
}
