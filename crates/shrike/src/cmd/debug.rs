//! `shrike debug ast '<query>'`: how shrike parses an EQL (or, with `--kql`, a KQL) query.

use super::FINDINGS;
use clap::Subcommand;
use std::io::{Read, Write};
use std::process::ExitCode;

/// Developer views.
#[derive(Subcommand)]
pub enum Command {
    /// Print the syntax tree of an EQL (or KQL) query, with byte spans, and its canonical
    /// form.
    Ast(AstArgs),
}

/// Arguments of `shrike debug ast`.
#[derive(clap::Args)]
pub struct AstArgs {
    /// The EQL query; `-` reads it from standard input.
    query: String,
    /// The query is KQL (Kibana's `kuery` language), as in rules with `language = "kuery"`.
    #[arg(long)]
    kql: bool,
    /// Skip the checks Elasticsearch makes after parsing (function arity, field-to-field
    /// comparisons, sequence rules…) and show the tree of any grammatical query.
    #[arg(long)]
    syntax_only: bool,
}

/// Runs a `debug` subcommand.
pub fn run(command: Command) -> std::io::Result<ExitCode> {
    match command {
        Command::Ast(args) => ast(args),
    }
}

fn ast(args: AstArgs) -> std::io::Result<ExitCode> {
    let query = if args.query == "-" {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text)?;
        text
    } else {
        args.query
    };
    if args.kql {
        return kql_ast(&query);
    }
    let parsed = if args.syntax_only {
        shrike_eql::parse_syntax(&query)
    } else {
        shrike_eql::parse(&query)
    };
    match parsed {
        Ok(tree) => {
            let mut out = std::io::stdout().lock();
            write!(out, "{}", shrike_eql::debug::tree(&tree))?;
            writeln!(out, "-- printed --\n{}", shrike_eql::print(&tree))?;
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Err(diags) => {
            eprint!("{}", shrike_diag::render_all(&diags, "query", &query));
            Ok(ExitCode::from(FINDINGS))
        }
    }
}

fn kql_ast(query: &str) -> std::io::Result<ExitCode> {
    match shrike_kql::parse(query) {
        Ok(tree) => {
            let mut out = std::io::stdout().lock();
            write!(out, "{}", shrike_kql::dump::dump(&tree))?;
            writeln!(out, "-- printed --\n{}", shrike_kql::print(&tree))?;
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Err(diags) => {
            eprint!("{}", shrike_diag::render_all(&diags, "query", query));
            Ok(ExitCode::from(FINDINGS))
        }
    }
}
