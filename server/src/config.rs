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
}

impl Default for ServeArgs {
    fn default() -> Self {
        ServeArgs {
            addr: "127.0.0.1:3000".parse().expect("valid address"),
            site_root: PathBuf::from("target/site"),
            demo: false,
            shutdown_grace_secs: 10,
        }
    }
}
