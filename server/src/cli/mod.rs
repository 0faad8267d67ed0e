//! The `tiaojie` command line: `serve` (the default), `migrate`,
//! `seed-demo`, `user add|passwd|disable|enable`, `org import`, `rules …`,
//! `sample-cases`, `remind`, `schedule …`.

mod org;
mod rules;
mod sample;
mod schedule;
mod user;

use crate::config::{DatabaseArgs, ServeArgs};
use crate::demo;
use crate::service::reminders;
use crate::startup::{Application, ShutdownSignal};
use crate::store::Store;
use crate::telemetry::LogFormat;
use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use jiff::civil::Date;
use std::time::{Duration, Instant};

pub use org::OrgCommand;
pub use rules::RulesCommand;
pub use sample::SampleArgs;
pub use schedule::ScheduleCommand;
pub use user::{UserAddArgs, UserCommand};

#[derive(Debug, Parser)]
#[command(
    name = "tiaojie",
    version,
    about = "调解通 Tiaojie — 人民调解员的离线记录与以案定补服务端 / server for people's mediators",
    long_about = "调解通 Tiaojie server. Without a command it serves the app on 127.0.0.1:3000 \
                  with an embedded SQLite database in ./data/tiaojie.db (created on first start).\n\
                  Set DATABASE_URL=postgres://… to use PostgreSQL instead."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// `serve`'s settings alone, to read them (from the environment) when no
/// command is given.
#[derive(Debug, Parser)]
struct ServeOnly {
    #[command(flatten)]
    args: ServeCommand,
}

// `serve`: the server's settings and the demo data to load first. (A plain
// comment: clap would read a doc comment here as help text.)
#[derive(Debug, Args)]
pub struct ServeCommand {
    #[command(flatten)]
    pub args: ServeArgs,

    /// Load the demo organisation and a year of its cases (about 2,800,
    /// ending today) before serving, as `seed-demo` does; implies --demo.
    #[arg(long)]
    pub demo_history: bool,
}

#[derive(Debug, Args)]
pub struct SeedDemoArgs {
    /// Last day of the demo case history, YYYY-MM-DD (default: today in China).
    /// The same day gives the same cases.
    #[arg(long, value_parser = parse_date)]
    pub history_end: Option<Date>,

    /// Load only the organisation and the log-ins, no case history.
    #[arg(long)]
    pub no_history: bool,
}

fn parse_date(text: &str) -> Result<Date, String> {
    domain::dates::parse_iso(text).ok_or_else(|| format!("not a date (YYYY-MM-DD): {text}"))
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    #[command(flatten)]
    pub db: DatabaseArgs,

    /// Log format; filter with RUST_LOG (e.g. RUST_LOG=debug).
    #[arg(long, env = "TIAOJIE_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply migrations and serve the app and the API (the default command).
    Serve(ServeCommand),
    /// Apply the embedded database migrations, then exit.
    Migrate,
    /// Load the demo organisation (Chuxiong City) with a year of its cases and
    /// print the demo log-ins. Safe to repeat.
    SeedDemo(SeedDemoArgs),
    /// Manage log-in accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// The organisation's units (组织机构): import a city's from a table.
    #[command(subcommand)]
    Org(OrgCommand),
    /// The per-case subsidy rules (以案定补): evaluate cases, show or check rule sets.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Write deterministic practice cases as a file the phone imports (本机数据 → 导入数据文件).
    SampleCases(SampleArgs),
    /// Run one pass of the reminder scheduler now (排查提醒): compute every
    /// unit's reminders, send those not sent yet through the configured
    /// channels, print what it did. Safe beside running servers.
    Remind(crate::config::RemindArgs),
    /// A locality's screening schedule (排查"五个一"): check a file, or
    /// publish it for the server's reminders and checks and the phones.
    #[command(subcommand)]
    Schedule(ScheduleCommand),
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let db_args = cli.global.db;
    // No command: serve, with the serve flags' environment variables applied.
    let command = cli
        .command
        .unwrap_or_else(|| Command::Serve(ServeOnly::parse_from(["tiaojie"]).args));
    match command {
        Command::Serve(args) => serve(&db_args, args).await,
        Command::Migrate => {
            let db = connect_and_migrate(&db_args).await?;
            db.close().await;
            println!("数据库已是最新 / database is up to date");
            Ok(())
        }
        Command::SeedDemo(args) => {
            let db = connect_and_migrate(&db_args).await?;
            let result = seed_demo(&db, &args).await;
            db.close().await;
            result
        }
        Command::Rules(command) => rules::run(command),
        Command::Schedule(command) => schedule::run(command, &db_args).await,
        Command::SampleCases(args) => sample::run(args),
        Command::Remind(args) => {
            let db = connect_and_migrate(&db_args).await?;
            let result = remind_once(&db, &args).await;
            db.close().await;
            result
        }
        Command::Org(command) => {
            let db = connect_and_migrate(&db_args).await?;
            let result = org::run(&db, command).await;
            db.close().await;
            result
        }
        Command::User(command) => {
            let db = connect_and_migrate(&db_args).await?;
            let result = match command {
                UserCommand::Add(args) => user::add(&db, args).await,
                UserCommand::Passwd(args) => user::passwd(&db, args).await,
                UserCommand::Disable(args) => user::set_disabled(&db, args, true).await,
                UserCommand::Enable(args) => user::set_disabled(&db, args, false).await,
            };
            db.close().await;
            result
        }
    }
}

pub(crate) async fn connect_and_migrate(args: &DatabaseArgs) -> anyhow::Result<Store> {
    let db = Store::connect(&args.database_url, args.db_max_connections)
        .await
        .context("连接数据库 / connecting to the database")?;
    db.migrate().await?;
    Ok(db)
}

async fn seed_demo(db: &Store, args: &SeedDemoArgs) -> anyhow::Result<()> {
    let report = demo::load(db).await?;
    print_demo(&report);
    if !args.no_history {
        load_history(db, args.history_end).await?;
    }
    Ok(())
}

/// Loads the demo case history ending on `end` (default: today in China)
/// and says what it did and how long it took.
async fn load_history(db: &Store, end: Option<Date>) -> anyhow::Result<()> {
    let end = end.unwrap_or_else(|| domain::dates::china_date(jiff::Timestamp::now()));
    let started = Instant::now();
    let report = demo::load_history(db, end).await?;
    let seconds = started.elapsed().as_secs_f64();
    let tiers: Vec<String> = report
        .tiers
        .iter()
        .map(|(tier, n)| format!("{} {n}", tier.as_deref().unwrap_or("无/none")))
        .collect();
    println!(
        "演示案件 / demo cases {} – {}: {} 件新增 added of {} in {seconds:.2} s; 档次 / tiers: {}",
        domain::dates::format_iso(report.from),
        domain::dates::format_iso(report.to),
        report.added,
        report.cases,
        tiers.join(", ")
    );
    let started = Instant::now();
    let claims = demo::load_claims(db, end).await?;
    println!(
        "演示补助申报 / demo claims: {} 件新增 added ({} 已完成 finished) in {:.2} s",
        claims.claims,
        claims.finished,
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    let fixed = demo::load_fixed_pay(db, end).await?;
    println!(
        "演示定额补助 / demo fixed pay: {} 条履职认定 decisions, {} 笔发放 payments in {:.2} s",
        fixed.decisions,
        fixed.payments,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn remind_once(db: &Store, args: &crate::config::RemindArgs) -> anyhow::Result<()> {
    let push = reminders::web_push_channel(db, args).await?;
    let scheduler = reminders::Scheduler::new(db.clone(), args, push)?;
    let started = Instant::now();
    let r = scheduler.pass(jiff::Timestamp::now()).await?;
    println!(
        "排查提醒 / reminders: {} 个单位 units, {} 项未完成 open, {} 项认领 claimed, {} 条已发送 sent, {} 条失败 failed, {:.1} ms{}",
        r.units,
        r.open,
        r.claimed,
        r.sent,
        r.failed,
        started.elapsed().as_secs_f64() * 1000.0,
        if r.quiet {
            " (不在发送时段 / outside the sending hours)"
        } else {
            ""
        }
    );
    Ok(())
}

async fn serve(db_args: &DatabaseArgs, command: ServeCommand) -> anyhow::Result<()> {
    let ServeCommand { args, demo_history } = command;
    let db = connect_and_migrate(db_args).await?;
    if args.demo || demo_history {
        let report = demo::load(&db).await?;
        print_demo(&report);
    }
    if demo_history {
        load_history(&db, None).await?;
    }
    let mut signals = ShutdownSignal::install().context("listening for SIGINT/SIGTERM")?;
    let app = Application::build(&args, db.clone()).await?;
    let addr = app.local_addr();
    tracing::info!(%addr, site_root = %args.site_root.display(), "listening");
    println!("调解通已启动 / Tiaojie is running: http://{addr}");

    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let mut server = tokio::spawn(app.run_until(async {
        let _ = stop_rx.await;
    }));
    tokio::select! {
        result = &mut server => {
            db.close().await;
            return result.context("server task")?.context("server stopped");
        }
        () = signals.recv() => {}
    }
    let _ = stop_tx.send(());
    let grace = Duration::from_secs(args.shutdown_grace_secs);
    match tokio::time::timeout(grace, &mut server).await {
        Ok(result) => result.context("server task")?.context("server stopped")?,
        Err(_) => {
            tracing::warn!(
                grace_secs = grace.as_secs(),
                "open requests did not finish in time; closing them"
            );
            server.abort();
        }
    }
    db.close().await;
    tracing::info!("stopped");
    Ok(())
}

fn print_demo(report: &demo::SeedReport) {
    println!(
        "演示数据 / demo data: {} 个组织新增 units added, {} 人新增 people added, {} 个账号新增 accounts added",
        report.units_added, report.people_added, report.accounts_added
    );
    println!(
        "演示账号（密码均为 {}） / demo log-ins (password for all: {}):",
        demo::DEMO_PASSWORD,
        demo::DEMO_PASSWORD
    );
    for a in &report.accounts {
        println!(
            "  {}  {:<14} {:<20} {} ({})",
            a.phone,
            a.role.name_zh(),
            a.unit_name,
            a.person_name,
            a.role.name_en()
        );
    }
}
