//! `tiaojie schedule …`: a locality's screening schedule (排查"五个一",
//! docs/screening.md), checked from its file and published to the server's
//! reminders and checks and to the phones (the reference stream).

use crate::config::DatabaseArgs;
use crate::service::reference::describe_problem;
use crate::store::reference::{self, Published, Replace};
use crate::store::{Store, org};
use anyhow::{Context, bail};
use clap::Subcommand;
use domain::screening::{Schedule, parse_schedule};
use domain::sync::Entity;
use std::path::{Path, PathBuf};

#[derive(Debug, Subcommand)]
pub enum ScheduleCommand {
    /// Check a schedule file (JSON) and print every problem with its field
    /// (e.g. duties[2].code); exits 1 if there is any. No database.
    Check {
        /// The schedule file (JSON, as `schedule show` prints).
        file: PathBuf,
    },
    /// Check a schedule file, then store it: the server's reminders and
    /// checks use it for the units of its locality, and phones get it with
    /// their next sync. Its version must be higher than the stored one of
    /// the same id; the same file again changes nothing.
    Publish {
        /// The schedule file (JSON).
        file: PathBuf,
    },
    /// Print the built-in "five ones" schedule (JSON): a start for a
    /// locality's own.
    Show,
}

pub async fn run(command: ScheduleCommand, db_args: &DatabaseArgs) -> anyhow::Result<()> {
    match command {
        ScheduleCommand::Check { file } => {
            let schedule = load(&file)?;
            println!(
                "正确 / ok: {} 第 {} 版 version {} ({}): {} 项职责 duties, {} 个回访间隔 follow-ups",
                schedule.id,
                schedule.version,
                schedule.version,
                schedule.locality,
                schedule.duties.len(),
                schedule.follow_ups.len()
            );
            Ok(())
        }
        ScheduleCommand::Show => {
            println!("{}", serde_json::to_string_pretty(&Schedule::five_ones())?);
            Ok(())
        }
        ScheduleCommand::Publish { file } => {
            // checked before the database is touched
            let schedule = load(&file)?;
            let db = crate::cli::connect_and_migrate(db_args).await?;
            let result = publish(&db, &schedule).await;
            db.close().await;
            result
        }
    }
}

/// Reads a schedule file and checks it, its risk levels with it (every
/// follow-up names one of its levels, every level has one). Every problem
/// is listed, one a line, with its field.
pub fn load(file: &Path) -> anyhow::Result<Schedule> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let problems = match parse_schedule(&text) {
        Ok(schedule) => return Ok(schedule),
        Err(problems) => problems,
    };
    let list: Vec<String> = problems
        .iter()
        .map(|p| format!("  {}", describe_problem(p)))
        .collect();
    bail!(
        "{}: {} 个问题 / {} problem(s):\n{}",
        file.display(),
        problems.len(),
        problems.len(),
        list.join("\n")
    )
}

/// Stores a checked schedule unless the stored one of its id has the same
/// or a higher version (then nothing changes and it says so).
async fn publish(db: &Store, schedule: &Schedule) -> anyhow::Result<()> {
    let text = serde_json::to_string(schedule)?;
    let published = reference::publish(
        db,
        Entity::Schedule,
        &schedule.id,
        &text,
        domain::Timestamp::from(jiff::Timestamp::now()),
        Replace::OnlyHigher,
    )
    .await?;
    let (id, version) = (&schedule.id, schedule.version);
    match published {
        Published::Stored => println!(
            "已发布 / published: {id} 第 {version} 版 version {version} ({}); \
             手机下次同步时获取 / phones get it with their next sync",
            schedule.locality
        ),
        Published::Unchanged => println!(
            "未改变 / unchanged: {id} 第 {version} 版已发布 / version {version} is published already"
        ),
        Published::Kept { stored_version } => bail!(
            "version: 版本号 {version} 须高于已发布的第 {stored_version} 版，未发布 / \
             the version must be higher than the published version {stored_version} of {id}; \
             nothing was published"
        ),
    }
    if org::by_code(db, &schedule.locality).await?.is_none() {
        println!(
            "注意 / note: 没有代码为 {} 的组织 / no unit has this code: the schedule is used \
             only where no unit's locality has a schedule and it is the newest",
            schedule.locality
        );
    }
    Ok(())
}
