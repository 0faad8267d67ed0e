//! `tiaojie rules …`: the subsidy rules for auditors, from the command line.
//! No database: these read files and stdin only.

use anyhow::{Context, bail};
use clap::Subcommand;
use domain::rules::{self, RuleSet};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Evaluate cases: one JSON object per line on stdin, one result per line
    /// on stdout, in order (see docs/rules.md). A bad line gives
    /// {"error": …, "field": …} and the others still evaluate.
    Eval {
        /// Rule set file(s) to use instead of the built-in ones; repeat for several.
        #[arg(long = "rules", value_name = "FILE")]
        rules: Vec<PathBuf>,
    },
    /// Print the built-in rule sets (JSON).
    Show,
    /// Check a rule set file and report every problem; exits 1 if any.
    Check {
        /// The rule set file (JSON).
        file: PathBuf,
    },
}

pub fn run(command: RulesCommand) -> anyhow::Result<()> {
    match command {
        RulesCommand::Eval { rules } => {
            let sets = if rules.is_empty() {
                rules::builtin().to_vec()
            } else {
                load_all(&rules)?
            };
            let stdin = std::io::stdin();
            let stdout = std::io::stdout();
            eval_lines(stdin.lock(), stdout.lock(), &sets)
        }
        RulesCommand::Show => print(&serde_json::to_string_pretty(rules::builtin())?),
        RulesCommand::Check { file } => {
            let rs = load(&file)?;
            print(&format!(
                "正确 / ok: {} ({} 个档次 tiers), {} – {}",
                rs.id,
                rs.tiers.len(),
                domain::dates::format_iso(rs.effective_from),
                rs.effective_until
                    .map_or("…".to_owned(), domain::dates::format_iso)
            ))
        }
    }
}

/// Writes a line to stdout; a reader that went away (`| head`) is not an error.
fn print(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

fn load(file: &Path) -> anyhow::Result<RuleSet> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    rules::parse_rule_set(&text).map_err(|problems| {
        let list: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
        anyhow::anyhow!(
            "{}: {} 个问题 / {} problem(s):\n{}",
            file.display(),
            problems.len(),
            problems.len(),
            list.join("\n")
        )
    })
}

fn load_all(files: &[PathBuf]) -> anyhow::Result<Vec<RuleSet>> {
    let sets = files
        .iter()
        .map(|f| load(f))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut ids: Vec<&str> = sets.iter().map(|s| s.id.as_str()).collect();
    ids.sort_unstable();
    if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
        bail!("--rules: 规则编号重复 / rule set id {} given twice", w[0]);
    }
    Ok(sets)
}

/// The eval loop: every non-blank input line gives exactly one output line.
pub fn eval_lines(
    mut input: impl BufRead,
    mut output: impl Write,
    sets: &[RuleSet],
) -> anyhow::Result<()> {
    let mut out = std::io::BufWriter::new(&mut output);
    let mut raw = Vec::new();
    loop {
        raw.clear();
        if input.read_until(b'\n', &mut raw).context("reading stdin")? == 0 {
            break;
        }
        let result = match std::str::from_utf8(&raw) {
            Err(_) => {
                Err(serde_json::json!({ "error": "不是UTF-8文本 / not UTF-8 text", "field": "." }))
            }
            Ok(line) if line.trim().is_empty() => continue,
            Ok(line) => rules::parse_facts(line)
                .map_err(|e| serde_json::json!({ "error": e.to_string(), "field": e.field }))
                .and_then(|facts| {
                    rules::evaluate(&facts, sets).map_err(
                        |e| serde_json::json!({ "error": e.to_string(), "field": "closed_on" }),
                    )
                }),
        };
        let written = match result {
            Ok(evaluation) => serde_json::to_writer(&mut out, &evaluation),
            Err(error) => serde_json::to_writer(&mut out, &error),
        }
        .map_err(std::io::Error::from)
        .and_then(|()| out.write_all(b"\n"));
        match written {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
            other => other?,
        }
    }
    match out.flush() {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}
