//! `shrike generate`: write a deterministic, realistic stream of ECS events (for demos, tests
//! and benchmarks), optionally with planted attacks and a ground-truth file.
//!
//! ```text
//! shrike generate [--events N | --size BYTES] [--seed N] [--hosts N] [--users-per-host N]
//!                 [--start TIME] [--rate EPS | --duration DUR] [--disorder FRACTION]
//!                 [--disorder-window DUR] [--wrap none|es] [--attacks N|1/M]
//!                 [--attack-kind NAME]... [--truth FILE] [--threads N] [--output FILE|-]
//! ```
//!
//! Exit status: 0 on success (and when the reader of stdout goes away), 1 when the output or
//! truth file cannot be written, 2 on bad flags.

use clap::ValueEnum;
use shrike_gen::{Attacks, Config, Limit, Wrap};
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One JSON document per line.
    Ndjson,
}

/// Document wrapping.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum WrapArg {
    /// The document itself (what Elasticsearch stores as `_source`).
    None,
    /// A search hit: `{"_index": ".ds-logs-<dataset>-default-<date>-000001", "_id", "_source"}`.
    Es,
}

const AFTER_HELP: &str = "\
WHAT IS GENERATED
  An organisation of --hosts machines (about 60% Windows workstations and servers, 28% Linux
  servers, 12% Macs) and its cloud tenants. Events are what Elastic Agent integrations index:
  logs-endpoint.events.* (Elastic Defend: process, network, dns, file, registry, library),
  logs-windows.sysmon_operational-* (Sysmon), logs-system.security-* (logons, special
  privileges, account changes), logs-auditd_manager.auditd-*, logs-system.auth-* (sshd), and
  logs-aws.cloudtrail-*, logs-azure.activitylogs-*, logs-azure.signinlogs-*, logs-okta.system-*,
  logs-gcp.audit-* (about 8% of events). Processes have parent chains and entity ids; almost
  everything is benign, but touches the fields Elastic's rules test.

DETERMINISM
  The same flags give byte-identical output on any machine and any --threads.

PLANTED ATTACKS (--attacks)
  Planted round robin over these kinds (restrict with --attack-kind), each expected to fire
  the rules named: shrike's demo rules (demo/rules/... in this repository) and Elastic's
  (rules/... in elastic/detection-rules):
  remote_scheduled_task  Remote Scheduled Task Creation
                           rules/windows/lateral_movement_scheduled_task_target.toml
                         Scheduled Task Written after an Inbound RPC Connection
                           demo/rules/windows/lateral_movement_remote_task_then_file.toml
  encoded_powershell     Suspicious Windows Powershell Arguments
                           rules/windows/execution_windows_powershell_susp_args.toml
                         PowerShell with an Encoded Command
                           demo/rules/windows/execution_encoded_powershell.toml
  lsass_access           Suspicious Lsass Process Access (Sysmon hosts)
                           rules/windows/credential_access_suspicious_lsass_access_generic.toml
  shadow_copy_delete     Volume Shadow Copy Deleted or Resized via VssAdmin
                           rules/windows/impact_volume_shadow_copy_deletion_or_resized_via_vssadmin.toml
  openssl_passwd         OpenSSL Password Hash Generation
                           rules/linux/persistence_openssl_passwd_hash_generation.toml
  office_child_shell     Command Shell Spawned by an Office Application
                           demo/rules/windows/execution_shell_spawned_by_office.toml
  reverse_shell          Reverse Shell Activity
                           demo/rules/linux/execution_reverse_shell_sequence.toml
                         Whoami Execution (KQL)
                           demo/rules/cross-platform/discovery_whoami_kql.toml
  sudo_bruteforce        Repeated sudo Failures
                           demo/rules/linux/discovery_repeated_failed_sudo.toml
  cloudtrail_deleted     AWS CloudTrail Log Deleted
                           rules/integrations/aws/defense_evasion_cloudtrail_logging_deleted.toml
  A summary of what was planted goes to stderr; --truth FILE writes one JSON line per attack
  with the event.id (and _id) of each planted event.

EXAMPLES
  shrike generate --events 100000 --attacks 10 --truth truth.ndjson -o events.ndjson
  shrike generate --size 1G --hosts 200 --disorder 0.01 --threads 2 -o bench.ndjson
  shrike generate --events 5000 --wrap es --start 2025-06-01T00:00:00Z --duration 1h";

/// Flags of `shrike generate`.
#[derive(clap::Args, Debug)]
#[command(after_long_help = AFTER_HELP)]
pub struct Args {
    /// Number of events to write [default: 10000].
    #[arg(long, value_name = "N", conflicts_with = "size")]
    pub events: Option<u64>,
    /// Write about this many bytes instead: stops after the event that reaches the size.
    /// Units K, M, G, T (powers of 1000) or KiB, MiB, GiB, TiB.
    #[arg(long, value_name = "BYTES", value_parser = shrike_gen::parse_size)]
    pub size: Option<u64>,
    /// Seed of every random choice; another seed gives another organisation and stream.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Number of machines.
    #[arg(long, value_name = "N", default_value_t = 50)]
    pub hosts: u32,
    /// People working on each server (workstations have one owner, sometimes two users).
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub users_per_host: u32,
    /// Time of the first event: ISO 8601 (2025-03-01T08:00:00Z) or epoch milliseconds.
    #[arg(long, value_name = "TIME", default_value = "2025-03-01T08:00:00Z", value_parser = shrike_gen::parse_time)]
    pub start: i64,
    /// Events per second across the organisation (sets how much time the stream covers).
    #[arg(
        long,
        value_name = "EPS",
        default_value_t = 1000.0,
        conflicts_with = "duration"
    )]
    pub rate: f64,
    /// Spread the events over this much time instead (90s, 30m, 2h, 7d).
    #[arg(long, value_name = "DUR", value_parser = shrike_gen::parse_duration)]
    pub duration: Option<i64>,
    /// Fraction of events (0..1) whose @timestamp is displaced from its place in the stream,
    /// as late or early arrivals are.
    #[arg(long, value_name = "FRACTION", default_value_t = 0.0)]
    pub disorder: f64,
    /// Largest displacement of a disordered event.
    #[arg(long, value_name = "DUR", default_value = "5s", value_parser = shrike_gen::parse_duration)]
    pub disorder_window: i64,
    /// Output format.
    #[arg(long, value_enum, default_value = "ndjson")]
    pub format: Format,
    /// Wrap each document as an Elasticsearch search hit.
    #[arg(long, value_enum, default_value = "none")]
    pub wrap: WrapArg,
    /// Plant attacks: a count spread over the stream (10), or a rate (1/100000 = one every
    /// 100,000 events). Off by default.
    #[arg(long, value_name = "N|1/M", value_parser = shrike_gen::parse_attacks)]
    pub attacks: Option<Attacks>,
    /// Plant only this kind of attack (repeatable; see the list below).
    #[arg(long, value_name = "NAME")]
    pub attack_kind: Vec<String>,
    /// Write the planted attacks' ground truth here (JSON lines).
    #[arg(long, value_name = "FILE")]
    pub truth: Option<PathBuf>,
    /// Worker threads [default: the number of CPUs]; the output does not depend on it.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Where to write the events (`-` for stdout).
    #[arg(short, long, value_name = "FILE|-", default_value = "-")]
    pub output: String,
    /// Do not print the summary to stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

/// Runs `shrike generate`.
pub fn run(args: Args) -> ExitCode {
    let limit = match (args.events, args.size) {
        (_, Some(bytes)) => Limit::Bytes(bytes),
        (Some(n), None) => Limit::Events(n),
        (None, None) => Limit::Events(10_000),
    };
    let threads = args.threads.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(16)
    });
    let mut cfg = Config {
        seed: args.seed,
        limit,
        hosts: args.hosts,
        users_per_host: args.users_per_host,
        start: args.start,
        rate: args.rate,
        disorder: args.disorder,
        disorder_window: args.disorder_window,
        wrap: match args.wrap {
            WrapArg::None => Wrap::None,
            WrapArg::Es => Wrap::Es,
        },
        attacks: args.attacks.unwrap_or(Attacks::None),
        attack_kinds: args.attack_kind.clone(),
        threads,
    };
    if let Some(ms) = args.duration {
        cfg.set_duration(ms);
    }
    if let Err(e) = cfg.validate() {
        eprintln!("shrike: error: {e}");
        return ExitCode::from(2);
    }

    let started = Instant::now();
    let result = if args.output == "-" {
        let stdout = io::stdout();
        let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
        shrike_gen::generate(&cfg, &mut out)
    } else {
        match File::create(&args.output) {
            Ok(f) => shrike_gen::generate(&cfg, &mut BufWriter::with_capacity(1 << 20, f)),
            Err(e) => {
                eprintln!("shrike: error: cannot create {}: {e}", args.output);
                return ExitCode::from(1);
            }
        }
    };
    let summary = match result {
        Ok(s) => s,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return ExitCode::SUCCESS,
        Err(e) => {
            eprintln!(
                "shrike: error: writing {}: {e}",
                if args.output == "-" {
                    "stdout"
                } else {
                    &args.output
                }
            );
            return ExitCode::from(1);
        }
    };
    let secs = started.elapsed().as_secs_f64().max(1e-9);
    if !args.quiet {
        eprintln!("{}", summary.describe());
        eprintln!(
            "{:.2}s: {:.0} events/s, {:.1} MB/s",
            secs,
            summary.events as f64 / secs,
            summary.bytes as f64 / 1e6 / secs
        );
    }
    if let Some(path) = &args.truth {
        let written = File::create(path).and_then(|f| {
            let mut w = BufWriter::new(f);
            summary.write_truth(&mut w)?;
            w.flush()
        });
        if let Err(e) = written {
            eprintln!("shrike: error: writing {}: {e}", path.display());
            return ExitCode::from(1);
        }
    }
    ExitCode::SUCCESS
}
