//! Settings of the server, from flags or environment variables (clap).

use clap::Args;
use std::net::SocketAddr;
use std::path::PathBuf;

/// The embedded default: a SQLite file under ./data, created on first start.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/tiaojie.db";

#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// Database to use: `sqlite://PATH` (embedded, the default; the file and
    /// its folder are created) or `postgres://USER@HOST:PORT/DB`. Add
    /// `?options=-c%20search_path%3DSCHEMA` to a PostgreSQL URL to use a schema.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true)]
    pub database_url: String,

    /// Largest number of pooled database connections.
    #[arg(
        long,
        env = "TIAOJIE_DB_MAX_CONNECTIONS",
        default_value_t = 8,
        global = true
    )]
    pub db_max_connections: u32,
}

impl Default for DatabaseArgs {
    fn default() -> Self {
        DatabaseArgs {
            database_url: DEFAULT_DATABASE_URL.to_owned(),
            db_max_connections: 8,
        }
    }
}

/// Photo storage per account by default: a busy mediator's year of
/// signed forms (about 300 cases × 6 photos × 300 KB) four times over.
pub const DEFAULT_PHOTO_QUOTA_MIB: u64 = 2048;

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address and port to listen on (port 0 picks a free one).
    #[arg(long, env = "TIAOJIE_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,

    /// Folder of the built site (cargo-leptos output: pkg/, icons, sw.js…).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,

    /// Load the demo organisation (Chuxiong City) before serving, as `seed-demo` does.
    #[arg(long)]
    pub demo: bool,

    /// Seconds to let open requests finish after SIGINT/SIGTERM.
    #[arg(long, env = "TIAOJIE_SHUTDOWN_GRACE_SECS", default_value_t = 10)]
    pub shutdown_grace_secs: u64,

    /// Behind a reverse proxy: the request header it writes the client's
    /// address in (`X-Real-IP`, or `X-Forwarded-For`, of which the last
    /// address counts). The log-in limits go by it. Unset, the header is
    /// ignored and the connection's own address counts (docs/security.md).
    #[arg(long, env = "TIAOJIE_CLIENT_IP_HEADER")]
    pub client_ip_header: Option<axum::http::HeaderName>,

    /// Seconds a client may take to send a request's line and headers.
    #[arg(long, env = "TIAOJIE_HEAD_TIMEOUT_SECS", default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..))]
    pub head_timeout_secs: u64,

    /// Seconds a request body may go without sending a byte (then 408).
    #[arg(long, env = "TIAOJIE_BODY_IDLE_TIMEOUT_SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    pub body_idle_timeout_secs: u64,

    /// Photo storage per account, in MiB: the photos it sent first and its
    /// uploads under way (then 413 `quota_exceeded`).
    #[arg(long, env = "TIAOJIE_PHOTO_QUOTA_MIB", default_value_t = DEFAULT_PHOTO_QUOTA_MIB, value_parser = clap::value_parser!(u64).range(1..))]
    pub photo_quota_mib: u64,

    /// Seconds a device session may go unused before it expires (the
    /// phone keeps its data and asks for the password at its next sync).
    #[arg(long, env = "TIAOJIE_SESSION_IDLE_SECS", default_value_t = DEFAULT_SESSION_IDLE_SECS, value_parser = clap::value_parser!(i64).range(1..))]
    pub session_idle_secs: i64,

    /// Seconds a device session lasts at most from its log-in.
    #[arg(long, env = "TIAOJIE_SESSION_MAX_SECS", default_value_t = DEFAULT_SESSION_MAX_SECS, value_parser = clap::value_parser!(i64).range(1..))]
    pub session_max_secs: i64,

    #[command(flatten)]
    pub remind: RemindArgs,
}

/// A session unused for 30 days expires: a mediator without a signal for
/// weeks keeps working offline, and gives the password at the next sync.
pub const DEFAULT_SESSION_IDLE_SECS: i64 = 30 * 86_400;
/// Every session expires 180 days after its log-in.
pub const DEFAULT_SESSION_MAX_SECS: i64 = 180 * 86_400;

impl Default for ServeArgs {
    fn default() -> Self {
        ServeArgs {
            addr: "127.0.0.1:3000".parse().expect("valid address"),
            site_root: PathBuf::from("target/site"),
            demo: false,
            shutdown_grace_secs: 10,
            client_ip_header: None,
            head_timeout_secs: 15,
            body_idle_timeout_secs: 30,
            photo_quota_mib: DEFAULT_PHOTO_QUOTA_MIB,
            session_idle_secs: DEFAULT_SESSION_IDLE_SECS,
            session_max_secs: DEFAULT_SESSION_MAX_SECS,
            remind: RemindArgs::default(),
        }
    }
}

/// The reminder scheduler and its channels (docs/screening.md, "The
/// server's reminders").
#[derive(Debug, Clone, Args)]
pub struct RemindArgs {
    /// Seconds between the scheduler's passes; 0 turns it off.
    #[arg(long, env = "TIAOJIE_REMIND_EVERY_SECS", default_value_t = 900)]
    pub remind_every_secs: u64,

    /// China-time hours in which reminders are sent, `FROM-TO` (from
    /// included, to excluded): nobody's phone buzzes at night.
    #[arg(long, env = "TIAOJIE_REMIND_HOURS", default_value = "8-21")]
    pub remind_hours: String,

    /// Where to POST the signed JSON of each recipient's reminders (an SMS
    /// or messaging gateway). Off when unset.
    #[arg(long, env = "TIAOJIE_WEBHOOK_URL")]
    pub webhook_url: Option<String>,

    /// The webhook's HMAC-SHA256 key (16 characters or more).
    #[arg(long, env = "TIAOJIE_WEBHOOK_SECRET", hide_env_values = true)]
    pub webhook_secret: Option<String>,

    /// Turn the Web Push channel off (`TIAOJIE_NO_WEB_PUSH=1`).
    #[arg(long, env = "TIAOJIE_NO_WEB_PUSH", value_parser = clap::builder::FalseyValueParser::new())]
    pub no_web_push: bool,

    /// The VAPID `sub` claim: how a push service reaches the operator.
    #[arg(
        long,
        env = "TIAOJIE_PUSH_SUBJECT",
        default_value = "mailto:tiaojie@localhost"
    )]
    pub push_subject: String,

    /// Accept `http://` push endpoints (tests on loopback only).
    #[arg(long, hide = true)]
    pub push_allow_http_endpoints: bool,

    /// Days a claim (以案定补申报) may wait at a step before its signer is
    /// reminded, in the inbox and through the channels; 0 turns it off.
    #[arg(long, env = "TIAOJIE_CLAIM_REMIND_DAYS", default_value_t = 5)]
    pub claim_remind_days: u32,
}

impl Default for RemindArgs {
    /// As tests want it: no passes unless asked for.
    fn default() -> Self {
        RemindArgs {
            remind_every_secs: 0,
            remind_hours: "0-24".to_owned(),
            webhook_url: None,
            webhook_secret: None,
            no_web_push: false,
            push_subject: "mailto:tiaojie@localhost".to_owned(),
            push_allow_http_endpoints: false,
            claim_remind_days: 5,
        }
    }
}

impl RemindArgs {
    /// The sending hours, `(from, to)`.
    pub fn hours(&self) -> anyhow::Result<(u8, u8)> {
        let bad = || {
            anyhow::anyhow!(
                "提醒时段应为 起-止 (0–24) / remind hours must be FROM-TO within 0-24: {:?}",
                self.remind_hours
            )
        };
        let (from, to) = self.remind_hours.split_once('-').ok_or_else(bad)?;
        let (from, to): (u8, u8) = (
            from.trim().parse().map_err(|_| bad())?,
            to.trim().parse().map_err(|_| bad())?,
        );
        if from >= to || to > 24 {
            return Err(bad());
        }
        Ok((from, to))
    }
}
