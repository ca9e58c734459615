//! One module per subcommand, each with its `Args` and `run`, and what they share: exit
//! codes and output errors.

pub mod check;
pub mod convert;
pub mod debug;
pub mod generate;
pub mod hunt;
pub mod query;

use std::process::ExitCode;

/// The command found problems in its input (broken rules, an invalid query).
pub const FINDINGS: u8 = 1;
/// The command could not run as asked.
pub const USAGE: u8 = 2;

/// A command-line `INDEX=PATH` (an input or a mapping for one index) or a plain `PATH`. An
/// `=` inside a path (after a `/` or `\`) does not split it.
pub fn split_index(arg: &str) -> (Option<&str>, &str) {
    match arg.split_once('=') {
        Some((idx, path)) if !idx.is_empty() && !idx.contains(['/', '\\']) => (Some(idx), path),
        _ => (None, arg),
    }
}

/// Turns a command's result into the process exit code. Writing into a closed pipe
/// (`shrike check … | head`) is a normal way to stop reading, so it exits 0 quietly;
/// other errors are printed as a chain of causes.
pub fn finish(result: std::io::Result<ExitCode>) -> ExitCode {
    match result {
        Ok(code) => code,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            let mut message = format!("error: {e}");
            let mut source = std::error::Error::source(&e);
            while let Some(cause) = source {
                message.push_str(&format!("\n  caused by: {cause}"));
                source = cause.source();
            }
            eprintln!("{message}");
            ExitCode::from(USAGE)
        }
    }
}
