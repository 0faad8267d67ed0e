//! `tiaojie`: parse the command line → set up logging → run the command.

use clap::Parser;
use tiaojie_server::{cli, telemetry};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    telemetry::init(cli.global.log_format);
    match cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("错误 / error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
