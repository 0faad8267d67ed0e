//! `tiaojie org import`: a real city's organisation from a table (the
//! demo loader makes its own). See `service::org_import` for what is
//! checked; docs/domain.md ("Importing the organisation") for the file.

use crate::service::org_import::{self, ImportError};
use crate::store::Store;
use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Import units from a CSV file (UTF-8 or GBK, as Excel or WPS saves
    /// it): columns 代码 code, 名称 name, 类型 kind (e.g. village or
    /// 村人民调解委员会), 上级代码 parent_code. Every row is checked before
    /// anything is written; a unit already held (same code) may be renamed,
    /// not moved. Safe to repeat.
    Import(OrgImportArgs),
}

#[derive(Debug, Args)]
pub struct OrgImportArgs {
    /// The CSV file.
    #[arg(long)]
    pub file: PathBuf,
    /// Check the file and say what would change, writing nothing.
    #[arg(long)]
    pub dry_run: bool,
}

pub async fn run(db: &Store, command: OrgCommand) -> anyhow::Result<()> {
    let OrgCommand::Import(args) = command;
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("读取 / reading {}", args.file.display()))?;
    match org_import::import(db, &bytes, args.dry_run).await {
        Ok(plan) => {
            println!(
                "{}组织机构 / units: {} 个新增 new, {} 个改名 renamed, {} 个不变 unchanged",
                if args.dry_run {
                    "（试运行，未写入 / dry run, nothing written）"
                } else {
                    ""
                },
                plan.new.len(),
                plan.renamed.len(),
                plan.unchanged
            );
            Ok(())
        }
        Err(ImportError::Rejected(problems)) => {
            for p in &problems {
                eprintln!("{p}");
            }
            bail!(
                "{} 处问题，未导入任何单位 / {} problems: nothing was imported",
                problems.len(),
                problems.len()
            )
        }
        Err(e @ ImportError::DemoDatabase) => Err(e.into()),
        Err(ImportError::Store(e)) => Err(e).context("写入数据库 / writing to the database"),
    }
}
