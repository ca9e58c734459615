//! The `shrike` command line. `main` only parses flags and dispatches; each subcommand
//! lives in its own module under `cmd/`, with its own arguments and `run`.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod cmd;

/// mimalloc instead of the system allocator: the hunt allocates on its decoding threads
/// what its hunting thread frees (matched documents, chunk results), which glibc's
/// per-thread arenas handle slowly, and small allocations are a large share of its work.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// Check rule files: load each one and parse its query, reporting errors with their
    /// location in the rule file.
    Check(cmd::check::Args),
    /// Run Elastic detection rules over log files and write the alerts Kibana would.
    Hunt(Box<cmd::hunt::Args>),
    /// Run an ad-hoc EQL search over NDJSON / JSON files (the local `_eql/search`).
    Query(cmd::query::Args),
    /// Write a deterministic, realistic stream of ECS events, optionally with planted attacks.
    Generate(cmd::generate::Args),
    /// Developer views of how shrike understands a query.
    #[command(subcommand)]
    Debug(cmd::debug::Command),
    /// Convert Windows event logs (EVTX) to ECS documents (NDJSON).
    Convert(cmd::convert::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check(args) => cmd::finish(cmd::check::run(args)),
        Command::Hunt(args) => cmd::hunt::run(*args),
        Command::Query(args) => cmd::query::run(args),
        Command::Generate(args) => cmd::generate::run(args),
        Command::Debug(command) => cmd::finish(cmd::debug::run(command)),
        Command::Convert(args) => cmd::convert::run(args),
    }
}
