//! `tiaojie sample-cases`: a deterministic set of practice cases as a file
//! the phone imports on 本机数据 (the export format, `app::records::Bundle`),
//! for training, demos and the field benchmarks (docs/perf.md).

use anyhow::Context;
use app::records::{BUNDLE_FORMAT, Bundle};
use clap::Args;
use domain::{PersonId, UnitId};
use jiff::civil::Date;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct SampleArgs {
    /// How many cases.
    #[arg(long, default_value_t = 100)]
    pub cases: usize,
    /// Another seed gives other cases; the same seed the same ones.
    #[arg(long, default_value_t = 2023)]
    pub seed: u64,
    /// First and last day received (YYYY-MM-DD).
    #[arg(long, default_value = "2025-01-01")]
    pub from: String,
    #[arg(long, default_value = "2025-12-31")]
    pub to: String,
    /// Write here instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

fn date(text: &str, what: &str) -> anyhow::Result<Date> {
    domain::dates::parse_iso(text)
        .with_context(|| format!("{what} 日期无效 / not a date (YYYY-MM-DD): {text:?}"))
}

pub fn run(args: SampleArgs) -> anyhow::Result<()> {
    let (from, to) = (date(&args.from, "--from")?, date(&args.to, "--to")?);
    anyhow::ensure!(from <= to, "--from 晚于 --to / --from is after --to");
    let cases = domain::sample::cases(
        args.cases,
        args.seed,
        UnitId::stable(&format!("sample:{}:unit", args.seed)),
        PersonId::stable(&format!("sample:{}:mediator", args.seed)),
        from,
        to,
    );
    let bundle = Bundle {
        format: BUNDLE_FORMAT.into(),
        version: 1,
        exported_at: jiff::Timestamp::now().into(),
        profile: None,
        cases,
        outbox: Vec::new(),
        attachments: Vec::new(),
        screenings: Vec::new(),
    };
    let json = serde_json::to_vec(&bundle)?;
    match args.out {
        Some(path) => std::fs::write(&path, json)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => std::io::stdout().lock().write_all(&json)?,
    }
    Ok(())
}
