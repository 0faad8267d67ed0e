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
        RulesCommand::Show => {
            let json = serde_json::to_string_pretty(rules::builtin())?;
            println!("{json}");
            Ok(())
        }
        RulesCommand::Check { file } => {
            let rs = load(&file)?;
            println!(
                "正确 / ok: {} ({} 个档次 tiers), {} – {}",
                rs.id,
                rs.tiers.len(),
                rs.effective_from,
                rs.effective_until.map_or("…".to_owned(), |d| d.to_string())
            );
            Ok(())
        }
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

/// The eval loop: every input line gives exactly one output line.
pub fn eval_lines(
    input: impl BufRead,
    mut output: impl Write,
    sets: &[RuleSet],
) -> anyhow::Result<()> {
    let mut out = std::io::BufWriter::new(&mut output);
    for line in input.lines() {
        let line = line.context("reading stdin")?;
        if line.trim().is_empty() {
            continue;
        }
        let result = rules::parse_facts(&line)
            .map_err(|e| serde_json::json!({ "error": e.to_string(), "field": e.field }))
            .and_then(|facts| {
                rules::evaluate(&facts, sets).map_err(
                    |e| serde_json::json!({ "error": e.to_string(), "field": "closed_on" }),
                )
            });
        match result {
            Ok(evaluation) => serde_json::to_writer(&mut out, &evaluation)?,
            Err(error) => serde_json::to_writer(&mut out, &error)?,
        }
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}
