//! The `shrike` command line. `main` only parses flags and dispatches; each subcommand
//! lives in its own module under `cmd/`.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod cmd;

/// Run Elastic detection rules and EQL searches over logs, offline, with
/// Elasticsearch's semantics.
#[derive(Parser)]
#[command(name = "shrike", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run an ad-hoc EQL search over NDJSON / JSON files (the local `_eql/search`).
    Query(cmd::query::Args),
    /// Write a deterministic, realistic stream of ECS events, optionally with planted attacks.
    Generate(cmd::generate::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Query(args) => cmd::query::run(args),
        Command::Generate(args) => cmd::generate::run(args),
    }
}
