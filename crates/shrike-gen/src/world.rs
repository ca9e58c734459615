//! The simulated organisation: hosts with their OS, role, telemetry sources, users and
//! long-lived processes; the people behind the accounts; the cloud tenants. Built once from the
//! seed and shared read-only by every block, so a block's events only depend on
//! (seed, flags, block number).

use crate::catalog::{self, net, Os, Program, RunAs};
use crate::json::{fragment, Json};
use crate::rng::{fnv1a, Rng};
use crate::time::{DAY, HOUR, MIN};
use crate::Config;

/// What a Windows or Linux host reports process activity through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Telemetry {
    /// Elastic Defend (`logs-endpoint.events.*`).
    Defend,
    /// Sysmon collected by Elastic Agent's Windows integration.
    Sysmon,
    /// auditd collected by Elastic Agent's Auditd Manager integration.
    Auditd,
}

/// What a host is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HostRole {
    Workstation,
    DomainController,
    WebServer,
    SqlServer,
    FileServer,
    LinuxWeb,
    LinuxDb,
    LinuxContainers,
}

/// Operating system release details, as Elastic Agent reports them in `host.os`.
pub(crate) struct OsInfo {
    pub(crate) name: &'static str,
    pub(crate) family: &'static str,
    pub(crate) platform: &'static str,
    pub(crate) full: &'static str,
    pub(crate) version: &'static str,
    pub(crate) kernel: &'static str,
}

const WIN10: OsInfo = OsInfo {
    name: "Windows",
    family: "windows",
    platform: "windows",
    full: "Windows 10 Enterprise 22H2 (10.0.19045.5131)",
    version: "22H2",
    kernel: "22H2 (10.0.19045.5131)",
};
const WIN11: OsInfo = OsInfo {
    name: "Windows",
    family: "windows",
    platform: "windows",
    full: "Windows 11 Enterprise 23H2 (10.0.22631.4460)",
    version: "23H2",
    kernel: "23H2 (10.0.22631.4460)",
};
const WIN2019: OsInfo = OsInfo {
    name: "Windows",
    family: "windows",
    platform: "windows",
    full: "Windows Server 2019 Datacenter 1809 (10.0.17763.6532)",
    version: "1809",
    kernel: "1809 (10.0.17763.6532)",
};
const WIN2022: OsInfo = OsInfo {
    name: "Windows",
    family: "windows",
    platform: "windows",
    full: "Windows Server 2022 Standard 21H2 (10.0.20348.2849)",
    version: "21H2",
    kernel: "21H2 (10.0.20348.2849)",
};
const UBUNTU: OsInfo = OsInfo {
    name: "Linux",
    family: "ubuntu",
    platform: "ubuntu",
    full: "Ubuntu 22.04.5",
    version: "22.04.5",
    kernel: "5.15.0-125-generic #135-Ubuntu SMP Fri Sep 27 13:53:58 UTC 2024",
};
const DEBIAN: OsInfo = OsInfo {
    name: "Linux",
    family: "debian",
    platform: "debian",
    full: "Debian 12.8",
    version: "12.8",
    kernel: "6.1.0-27-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.115-1 (2024-11-01)",
};
const RHEL: OsInfo = OsInfo {
    name: "Linux",
    family: "rhel",
    platform: "rhel",
    full: "Red Hat Enterprise Linux 9.4",
    version: "9.4",
    kernel: "5.14.0-427.42.1.el9_4.x86_64 #1 SMP PREEMPT_DYNAMIC Fri Oct 18 14:35:40 EDT 2024",
};
const MACOS: OsInfo = OsInfo {
    name: "macOS",
    family: "macos",
    platform: "macos",
    full: "macOS 15.1.1",
    version: "15.1.1",
    kernel: "24.1.0",
};

/// An account on a host.
#[derive(Clone, Debug)]
pub(crate) struct Account {
    pub(crate) name: String,
    /// SID on Windows, uid on Unix.
    pub(crate) id: String,
    /// `NT AUTHORITY`, `CORP` or the host name; empty on Unix.
    pub(crate) domain: String,
    pub(crate) kind: RunAs,
    /// Index into [`World::people`] for interactive users.
    pub(crate) person: Option<usize>,
}

/// A person of the organisation (shared by their accounts everywhere).
#[derive(Clone, Debug)]
pub(crate) struct Person {
    /// Login name (`jsmith`).
    pub(crate) login: String,
    /// `james.smith@example.com`.
    pub(crate) email: String,
    /// Windows domain RID.
    pub(crate) rid: u32,
    /// Unix uid.
    pub(crate) uid: u32,
    /// Where this person usually connects from (an internal workstation address).
    pub(crate) home_ip: [u8; 4],
    /// Public address of their home or office connection.
    pub(crate) public_ip: [u8; 4],
}

/// Where a process record lives: among the host's residents or in the current block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PRef {
    Res(u32),
    Blk(u32),
}

/// A process.
#[derive(Clone, Debug)]
pub(crate) struct Proc {
    pub(crate) prog: &'static Program,
    pub(crate) exe: String,
    pub(crate) cmd: String,
    pub(crate) args: Vec<String>,
    pub(crate) pid: u32,
    pub(crate) entity_id: String,
    /// Index into the host's accounts.
    pub(crate) user: u16,
    pub(crate) parent: Option<PRef>,
    pub(crate) cwd: String,
    /// Index into the host's containers when the process runs in one.
    pub(crate) container: Option<u8>,
}

/// A container running on a Linux node.
#[derive(Clone, Debug)]
pub(crate) struct Container {
    /// 64 hex digits, as the runtime names it.
    pub(crate) id: String,
}

/// A machine.
pub(crate) struct Host {
    pub(crate) os: Os,
    pub(crate) role: HostRole,
    pub(crate) info: &'static OsInfo,
    pub(crate) name: String,
    pub(crate) id: String,
    pub(crate) ip: [u8; 4],
    pub(crate) telemetry: Telemetry,
    /// Windows Security channel (Windows) or system auth log (Linux) collected.
    pub(crate) security_log: bool,
    pub(crate) agent_id: String,
    pub(crate) accounts: Vec<Account>,
    pub(crate) residents: Vec<Proc>,
    /// Containers (Linux container nodes).
    pub(crate) containers: Vec<Container>,
    /// Relative share of the stream's events.
    pub(crate) weight: u32,
    pub(crate) boot: i64,
    /// Per-host prefix of Sysmon process GUIDs.
    pub(crate) guid_prefix: u32,
    /// Pre-rendered `"host":{...}` member.
    pub(crate) frag_host: Vec<u8>,
    /// Pre-rendered `"agent":{...}` member for Elastic Defend documents.
    pub(crate) frag_agent_endpoint: Vec<u8>,
    /// Pre-rendered `"agent":{...}` member for Elastic Agent integration documents.
    pub(crate) frag_agent_beat: Vec<u8>,
}

impl Host {
    /// The process behind a resident reference.
    pub(crate) fn resident(&self, i: u32) -> &Proc {
        &self.residents[i as usize]
    }

    /// Interactive accounts of the host.
    pub(crate) fn interactive(&self) -> impl Iterator<Item = (usize, &Account)> {
        self.accounts
            .iter()
            .enumerate()
            .filter(|(_, a)| a.kind == RunAs::User)
    }

    /// Index of an account of the given kind (the first interactive one for `User`).
    pub(crate) fn account_of(&self, kind: RunAs, rng: &mut Rng) -> u16 {
        let candidates: Vec<usize> = self
            .accounts
            .iter()
            .enumerate()
            .filter(|(_, a)| a.kind == kind)
            .map(|(i, _)| i)
            .collect();
        if candidates.is_empty() {
            return 0;
        }
        candidates[rng.index(candidates.len())] as u16
    }
}

/// The organisation.
pub(crate) struct World {
    pub(crate) hosts: Vec<Host>,
    pub(crate) host_weights: Vec<u32>,
    pub(crate) people: Vec<Person>,
    pub(crate) domain_sid: String,
    pub(crate) aws_account: String,
    pub(crate) azure_subscription: String,
    pub(crate) azure_tenant: String,
    pub(crate) seed: u64,
}

/// Lower-case hex digits.
pub(crate) const HEX: &[u8; 16] = b"0123456789abcdef";

/// Appends `n` random lower-case hex digits.
pub(crate) fn push_hex(out: &mut String, rng: &mut Rng, n: usize) {
    let mut bits = rng.next_u64();
    for i in 0..n {
        if i % 16 == 15 {
            bits = rng.next_u64();
        }
        out.push(HEX[(bits & 15) as usize] as char);
        bits >>= 4;
    }
}

/// A random RFC 4122 version 4 UUID, lower case.
pub(crate) fn uuid(rng: &mut Rng) -> String {
    let a = rng.next_u64();
    let b = rng.next_u64();
    let a = (a & 0xffff_ffff_ffff_0fff) | 0x0000_0000_0000_4000;
    let b = (b & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xffff,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}

/// Base64 (standard alphabet, padded), as Elastic Defend encodes its entity ids.
pub(crate) fn base64(input: &[u8]) -> String {
    const ALPHA: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.push(ALPHA[(n >> 18) as usize & 63] as char);
        out.push(ALPHA[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 {
            ALPHA[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if chunk.len() > 2 {
            ALPHA[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

/// Windows `CommandLineToArgvW` splitting (the rule Elastic's pipelines apply to fill
/// `process.args` from a command line).
pub(crate) fn split_windows(cmd: &str, out: &mut Vec<String>) {
    out.clear();
    let chars: Vec<char> = cmd.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        while i < chars.len() && (chars[i] == ' ' || chars[i] == '\t') {
            i += 1;
        }
        if i >= chars.len() {
            break;
        }
        let mut arg = String::new();
        let mut quoted = false;
        let mut slashes = 0usize;
        while i < chars.len() {
            let c = chars[i];
            if (c == ' ' || c == '\t') && !quoted {
                break;
            }
            if c == '\\' {
                slashes += 1;
                i += 1;
                continue;
            }
            if c == '"' {
                arg.extend(std::iter::repeat_n('\\', slashes / 2));
                if slashes % 2 == 0 {
                    if quoted && chars.get(i + 1) == Some(&'"') {
                        arg.push('"');
                        i += 1;
                    }
                    quoted = !quoted;
                } else {
                    arg.push('"');
                }
                slashes = 0;
                i += 1;
                continue;
            }
            arg.extend(std::iter::repeat_n('\\', slashes));
            slashes = 0;
            arg.push(c);
            i += 1;
        }
        arg.extend(std::iter::repeat_n('\\', slashes));
        out.push(arg);
    }
}

/// Unix argv: split on spaces, honouring simple quotes (generated command lines are simple).
pub(crate) fn split_unix(cmd: &str, out: &mut Vec<String>) {
    out.clear();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    for c in cmd.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                any = true;
            }
            (None, ' ') => {
                if any || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                any = false;
            }
            (None, c) => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        out.push(cur);
    }
}

/// ROT13-encoded UserAssist entries (Explorer stores program paths this way).
const USERASSIST: &[&str] = &[
    "{1NP14R77-02R7-4R5Q-O744-2RO1NR5198O7}\\pzq.rkr",
    "{1NP14R77-02R7-4R5Q-O744-2RO1NR5198O7}\\abgrcnq.rkr",
    "{6Q809377-6NS0-444O-8957-N3773S02200R}\\Zvpebfbsg Bssvpr\\ebbg\\Bssvpr16\\JVAJBEQ.RKR",
    "{6Q809377-6NS0-444O-8957-N3773S02200R}\\Tbbtyr\\Puebzr\\Nccyvpngvba\\puebzr.rkr",
    "Zvpebfbsg.Jvaqbjf.Rkcybere",
];

/// What `{...}` placeholders expand to.
pub(crate) struct ExpandCtx<'a> {
    pub(crate) user: &'a str,
    pub(crate) sid: &'a str,
    pub(crate) exe: &'a str,
    pub(crate) host: &'a str,
    pub(crate) account: &'a str,
    pub(crate) now: i64,
}

/// Expands a template. Known placeholders are replaced; any other `{...}` (GUIDs, PowerShell
/// script blocks, CloudTrail maps) is copied literally.
pub(crate) fn expand(tpl: &str, cx: &ExpandCtx<'_>, rng: &mut Rng, out: &mut String) {
    out.clear();
    let mut rest = tpl;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find('}');
        let name = close.map(|c| &after[..c]).filter(|n| {
            !n.is_empty() && n.len() <= 12 && n.bytes().all(|b| b.is_ascii_alphanumeric())
        });
        let Some(name) = name else {
            out.push('{');
            rest = after;
            continue;
        };
        if !expand_one(name, cx, rng, out) {
            out.push('{');
            out.push_str(name);
            out.push('}');
        }
        rest = &after[name.len() + 1..];
    }
    out.push_str(rest);
}

fn expand_one(name: &str, cx: &ExpandCtx<'_>, rng: &mut Rng, out: &mut String) -> bool {
    match name {
        "user" => out.push_str(cx.user),
        "sid" => out.push_str(cx.sid),
        "host" => out.push_str(cx.host),
        "account" => out.push_str(cx.account),
        "exe" => {
            if cx.exe.contains(' ') {
                out.push('"');
                out.push_str(cx.exe);
                out.push('"');
            } else {
                out.push_str(cx.exe);
            }
        }
        "guid" | "GUID" | "guidl" => {
            let g = uuid(rng);
            match name {
                "guid" => {
                    out.push('{');
                    out.push_str(&g.to_ascii_uppercase());
                    out.push('}');
                }
                "GUID" => out.push_str(&g.to_ascii_uppercase()),
                _ => out.push_str(&g),
            }
        }
        "hex4" | "hex5" | "hex6" | "hex8" | "hex16" | "hex17" => {
            let n: usize = name[3..].parse().unwrap_or(8);
            push_hex(out, rng, n);
        }
        "HEX4" | "HEX8" => {
            let n: usize = name[3..].parse().unwrap_or(8);
            let start = out.len();
            push_hex(out, rng, n);
            let upper = out[start..].to_ascii_uppercase();
            out.truncate(start);
            out.push_str(&upper);
        }
        "n" => out.push_str(&rng.range(1, 9999).to_string()),
        "n1" => out.push_str(&rng.range(0, 9).to_string()),
        "n5" => out.push_str(&rng.range(10_000, 99_999).to_string()),
        "doc" => {
            let v: &&str = rng.pick(catalog::DOCS);
            out.push_str(v)
        }
        "ext" => {
            let v: &&str = rng.pick(catalog::DOC_EXTS);
            out.push_str(v)
        }
        "word" => {
            let v: &&str = rng.pick(catalog::WORDS);
            out.push_str(v)
        }
        "rot13" => {
            let v: &&str = rng.pick(USERASSIST);
            out.push_str(v)
        }
        "date" | "yymmdd" => {
            let mut v = Vec::with_capacity(10);
            crate::time::write_index_date(&mut v, cx.now);
            let s = String::from_utf8_lossy(&v).replace('.', if name == "date" { "-" } else { "" });
            out.push_str(if name == "date" { &s } else { &s[2..] });
        }
        "prefetch" => {
            let p = rng.pick(catalog::windows::PROGRAMS);
            out.push_str(&p.name.to_ascii_uppercase());
            out.push('-');
            let start = out.len();
            push_hex(out, rng, 8);
            let upper = out[start..].to_ascii_uppercase();
            out.truncate(start);
            out.push_str(&upper);
            out.push_str(".pf");
        }
        "psname" => {
            for _ in 0..2 {
                for _ in 0..8 {
                    out.push((b'a' + rng.below(26) as u8) as char);
                }
                out.push('.');
            }
            out.pop();
        }
        _ => return false,
    }
    true
}

fn ip_string(ip: [u8; 4]) -> String {
    format!("{}.{}.{}.{}", ip[0], ip[1], ip[2], ip[3])
}

impl World {
    /// Builds the organisation for `cfg`.
    pub(crate) fn build(cfg: &Config) -> World {
        let mut rng = Rng::stream(cfg.seed, u64::MAX);
        let domain_sid = format!(
            "S-1-5-21-{}-{}-{}",
            rng.range(1_000_000_000, 4_000_000_000),
            rng.range(1_000_000_000, 4_000_000_000),
            rng.range(1_000_000_000, 4_000_000_000)
        );
        let aws_account = format!("{:012}", rng.range(100_000_000_000, 999_999_999_999));
        let azure_subscription = uuid(&mut rng);
        let azure_tenant = uuid(&mut rng);

        // People: enough for every host's users, with unique logins.
        let n_people = (cfg.hosts as usize * cfg.users_per_host.max(1) as usize).clamp(8, 50_000);
        let mut people = Vec::with_capacity(n_people);
        let mut seen = std::collections::HashSet::new();
        for i in 0..n_people {
            let first = *rng.pick(catalog::FIRST);
            let last = *rng.pick(catalog::LAST);
            let mut login = format!("{}{}", &first[..1], last);
            let mut email_local = format!("{first}.{last}");
            if !seen.insert(login.clone()) {
                login = format!("{login}{}", i);
                email_local = format!("{email_local}{}", i);
                seen.insert(login.clone());
            }
            people.push(Person {
                login,
                email: format!("{email_local}@{}", net::MAIL_DOMAIN),
                rid: 1100 + i as u32,
                uid: 1000 + i as u32,
                home_ip: [
                    10,
                    1 + (i / 250 % 50) as u8,
                    (i / 250 / 50) as u8,
                    10 + (i % 240) as u8,
                ],
                public_ip: {
                    let (a, b) = *rng.pick(net::CLIENT_NETS);
                    [a, b, rng.below(256) as u8, rng.range(1, 254) as u8]
                },
            });
        }

        let mut hosts = Vec::with_capacity(cfg.hosts as usize);
        for i in 0..cfg.hosts as usize {
            hosts.push(build_host(cfg, i, &people, &domain_sid, &mut rng));
        }
        let host_weights = hosts.iter().map(|h| h.weight).collect();
        World {
            hosts,
            host_weights,
            people,
            domain_sid,
            aws_account,
            azure_subscription,
            azure_tenant,
            seed: cfg.seed,
        }
    }

    /// The process behind a reference, given the block's process arena.
    pub(crate) fn proc<'a>(&'a self, host: u32, r: PRef, block: &'a [Proc]) -> &'a Proc {
        match r {
            PRef::Res(i) => self.hosts[host as usize].resident(i),
            PRef::Blk(i) => &block[i as usize],
        }
    }
}

/// Picks the OS, role and telemetry of host `i`. The first hosts cover every combination the
/// planted attacks need, so small worlds still host them; the rest follow a typical mix.
fn host_kind(i: usize, rng: &mut Rng) -> (Os, HostRole, Telemetry) {
    const FIXED: &[(Os, HostRole, Telemetry)] = &[
        (Os::Windows, HostRole::Workstation, Telemetry::Sysmon),
        (Os::Windows, HostRole::Workstation, Telemetry::Defend),
        (Os::Linux, HostRole::LinuxWeb, Telemetry::Defend),
        (Os::Windows, HostRole::DomainController, Telemetry::Defend),
        (Os::Macos, HostRole::Workstation, Telemetry::Defend),
        (Os::Linux, HostRole::LinuxDb, Telemetry::Auditd),
        (Os::Windows, HostRole::FileServer, Telemetry::Sysmon),
        (Os::Linux, HostRole::LinuxContainers, Telemetry::Defend),
    ];
    if let Some(k) = FIXED.get(i) {
        return *k;
    }
    let os = [Os::Windows, Os::Linux, Os::Macos][rng.weighted(&[60, 28, 12])];
    match os {
        Os::Windows => {
            let role = [
                HostRole::Workstation,
                HostRole::WebServer,
                HostRole::SqlServer,
                HostRole::FileServer,
                HostRole::DomainController,
            ][rng.weighted(&[80, 6, 5, 5, 2])];
            let tel = if rng.chance(0.3) {
                Telemetry::Sysmon
            } else {
                Telemetry::Defend
            };
            (os, role, tel)
        }
        Os::Linux => {
            let role = [
                HostRole::LinuxWeb,
                HostRole::LinuxDb,
                HostRole::LinuxContainers,
            ][rng.weighted(&[50, 20, 30])];
            let tel = if rng.chance(0.35) {
                Telemetry::Auditd
            } else {
                Telemetry::Defend
            };
            (os, role, tel)
        }
        Os::Macos => (os, HostRole::Workstation, Telemetry::Defend),
    }
}

fn build_host(cfg: &Config, i: usize, people: &[Person], domain_sid: &str, rng: &mut Rng) -> Host {
    let (os, role, telemetry) = host_kind(i, rng);
    let info: &'static OsInfo = match (os, role) {
        (Os::Windows, HostRole::Workstation) => {
            if rng.chance(0.6) {
                &WIN11
            } else {
                &WIN10
            }
        }
        (Os::Windows, _) => {
            if rng.chance(0.5) {
                &WIN2022
            } else {
                &WIN2019
            }
        }
        (Os::Linux, _) => [&UBUNTU, &DEBIAN, &RHEL][rng.weighted(&[5, 3, 2])],
        (Os::Macos, _) => &MACOS,
    };
    let name = match (os, role) {
        (Os::Windows, HostRole::Workstation) => format!("WS-{:04}", 1000 + i),
        (Os::Windows, HostRole::DomainController) => format!("DC-{:02}", i),
        (Os::Windows, HostRole::WebServer) => format!("WEB-{:02}", i),
        (Os::Windows, HostRole::SqlServer) => format!("SQL-{:02}", i),
        (Os::Windows, _) => format!("FS-{:02}", i),
        (Os::Linux, HostRole::LinuxDb) => format!("db-{:02}", i),
        (Os::Linux, HostRole::LinuxContainers) => format!("k8s-node-{:02}", i),
        (Os::Linux, _) => format!("web-{:02}", i),
        (Os::Macos, _) => format!("mbp-{:04}", 2000 + i),
    };
    let id = match os {
        Os::Windows => uuid(rng),
        Os::Linux => {
            let mut s = String::new();
            push_hex(&mut s, rng, 32);
            s
        }
        Os::Macos => uuid(rng).to_ascii_uppercase(),
    };
    let ip = [
        10,
        10 + (i / 250 % 100) as u8,
        (i / 25_000 % 250) as u8,
        10 + (i % 240) as u8,
    ];
    let agent_id = uuid(rng);
    // Relative event volume: Windows machines are the chattiest (Defend and Sysmon log a
    // lot per process), domain controllers and servers more than workstations.
    let weight = match (os, role) {
        (Os::Windows, HostRole::Workstation) => rng.range(60, 140) as u32,
        (Os::Windows, HostRole::DomainController) => 300,
        (Os::Windows, _) => rng.range(120, 240) as u32,
        (Os::Linux, _) => rng.range(30, 80) as u32,
        (Os::Macos, _) => rng.range(30, 80) as u32,
    };
    let boot = cfg.start - rng.range(HOUR as u64, 20 * DAY as u64) as i64;

    // Accounts: system ones first, then the people using this machine.
    let mut accounts = Vec::new();
    match os {
        Os::Windows => {
            for (n, sid, kind) in [
                ("SYSTEM", "S-1-5-18", RunAs::System),
                ("LOCAL SERVICE", "S-1-5-19", RunAs::Service),
                ("NETWORK SERVICE", "S-1-5-20", RunAs::Service),
            ] {
                accounts.push(Account {
                    name: n.into(),
                    id: sid.into(),
                    domain: "NT AUTHORITY".into(),
                    kind,
                    person: None,
                });
            }
        }
        Os::Linux => {
            accounts.push(Account {
                name: "root".into(),
                id: "0".into(),
                domain: String::new(),
                kind: RunAs::System,
                person: None,
            });
            let (svc, uid) = match role {
                HostRole::LinuxDb => ("postgres", "113"),
                _ => ("www-data", "33"),
            };
            accounts.push(Account {
                name: svc.into(),
                id: uid.into(),
                domain: String::new(),
                kind: RunAs::Service,
                person: None,
            });
        }
        Os::Macos => {
            accounts.push(Account {
                name: "root".into(),
                id: "0".into(),
                domain: String::new(),
                kind: RunAs::System,
                person: None,
            });
            accounts.push(Account {
                name: "_spotlight".into(),
                id: "89".into(),
                domain: String::new(),
                kind: RunAs::Service,
                person: None,
            });
        }
    }
    let n_users = match role {
        HostRole::Workstation => 1 + usize::from(cfg.users_per_host > 1 && rng.chance(0.3)),
        _ => cfg.users_per_host.max(1) as usize,
    };
    for k in 0..n_users {
        let p = if role == HostRole::Workstation && k == 0 {
            i % people.len()
        } else {
            rng.index(people.len())
        };
        let person = &people[p];
        let (name, id, domain) = match os {
            Os::Windows => (
                person.login.clone(),
                format!("{domain_sid}-{}", person.rid),
                net::NETBIOS.to_string(),
            ),
            Os::Linux => (person.login.clone(), person.uid.to_string(), String::new()),
            Os::Macos => (person.login.clone(), (501 + k).to_string(), String::new()),
        };
        if accounts.iter().any(|a| a.name == name) {
            continue;
        }
        accounts.push(Account {
            name,
            id,
            domain,
            kind: RunAs::User,
            person: Some(p),
        });
    }

    let mut host = Host {
        os,
        role,
        info,
        name,
        id,
        ip,
        telemetry,
        security_log: os != Os::Macos,
        agent_id,
        accounts,
        residents: Vec::new(),
        containers: Vec::new(),
        weight,
        boot,
        guid_prefix: rng.next_u64() as u32,
        frag_host: Vec::new(),
        frag_agent_endpoint: Vec::new(),
        frag_agent_beat: Vec::new(),
    };
    let mac = {
        let m = rng.next_u64();
        format!(
            "00-50-56-{:02X}-{:02X}-{:02X}",
            (m >> 16) as u8,
            (m >> 8) as u8,
            m as u8
        )
    };
    host.frag_host = render_host(&host, &mac);
    host.frag_agent_endpoint = fragment(|j| {
        j.open("agent");
        j.str("id", &host.agent_id);
        j.str("type", "endpoint");
        j.str("version", "8.15.3");
        j.close();
    });
    host.frag_agent_beat = fragment(|j| {
        j.open("agent");
        j.str(
            "ephemeral_id",
            &uuid(&mut Rng::new(fnv1a(host.agent_id.as_bytes()))),
        );
        j.str("id", &host.agent_id);
        j.str("name", &host.name);
        j.str(
            "type",
            if os == Os::Windows {
                "filebeat"
            } else {
                "auditbeat"
            },
        );
        j.str("version", "8.15.3");
        j.close();
        j.open("elastic_agent");
        j.str("id", &host.agent_id);
        j.bool("snapshot", false);
        j.str("version", "8.15.3");
        j.close();
    });
    spawn_residents(&mut host, rng);
    host
}

fn render_host(h: &Host, mac: &str) -> Vec<u8> {
    let ip = ip_string(h.ip);
    fragment(|j: &mut Json<'_>| {
        j.open("host");
        j.str(
            "architecture",
            if h.os == Os::Macos { "arm64" } else { "x86_64" },
        );
        j.str("hostname", &h.name);
        j.str("id", &h.id);
        j.strs("ip", &[&ip, "fe80::250:56ff:fe8c:1a2b"]);
        j.strs("mac", &[mac]);
        let lower = h.name.to_ascii_lowercase();
        if h.os == Os::Windows {
            j.str("name", &format!("{lower}.{}", net::AD_DOMAIN));
        } else {
            j.str("name", &lower);
        }
        j.open("os");
        if h.os != Os::Macos {
            j.open("Ext");
            j.str(
                "variant",
                h.info.full.split(" (").next().unwrap_or(h.info.full),
            );
            j.close();
        }
        j.str("family", h.info.family);
        j.str("full", h.info.full);
        j.str("kernel", h.info.kernel);
        j.str("name", h.info.name);
        j.str("platform", h.info.platform);
        j.str(
            "type",
            match h.os {
                Os::Windows => "windows",
                Os::Linux => "linux",
                Os::Macos => "macos",
            },
        );
        j.str("version", h.info.version);
        j.close();
        j.close();
    })
}

/// A process id in the range the OS hands out.
pub(crate) fn new_pid(os: Os, rng: &mut Rng) -> u32 {
    match os {
        Os::Windows => rng.range(400, 30_000) as u32 & !3,
        Os::Linux => rng.range(300, 4_194_303) as u32,
        Os::Macos => rng.range(300, 99_999) as u32,
    }
}

/// The entity id of a process, in the format of the host's telemetry source.
pub(crate) fn entity_id(host: &Host, pid: u32, start: i64, rng: &mut Rng) -> String {
    match (host.os, host.telemetry) {
        (Os::Windows, Telemetry::Sysmon) => {
            // Sysmon ProcessGuid: machine part, start time seconds, a sequence.
            let secs = (start / 1000) as u32;
            format!(
                "{{{:08x}-{:04x}-{:04x}-{:04x}-{:012x}}}",
                host.guid_prefix,
                secs & 0xffff,
                (secs >> 16) & 0xffff,
                rng.below(0x1_0000),
                rng.below(0x1_0000_0000)
            )
        }
        _ => {
            // Elastic Defend: base64 of "<agent id>-<pid>-<start as Windows file time>".
            let filetime = (start + 11_644_473_600_000) * 10_000;
            base64(format!("{}-{}-{}", host.agent_id, pid, filetime).as_bytes())
        }
    }
}

/// Creates a process record (command line expanded, args split, ids assigned).
pub(crate) fn make_proc(
    host: &Host,
    prog: &'static Program,
    user: u16,
    parent: Option<PRef>,
    start: i64,
    cmd_override: Option<&str>,
    rng: &mut Rng,
) -> Proc {
    let acct = &host.accounts[user as usize];
    let cx = ExpandCtx {
        user: &acct.name,
        sid: &acct.id,
        exe: "",
        host: &host.name,
        account: "",
        now: start,
    };
    let mut exe = String::new();
    expand(prog.path, &cx, rng, &mut exe);
    let cx = ExpandCtx { exe: &exe, ..cx };
    let mut cmd = String::new();
    match cmd_override {
        Some(c) => expand(c, &cx, rng, &mut cmd),
        None => {
            let tpl = *rng.pick(prog.cmds);
            expand(tpl, &cx, rng, &mut cmd)
        }
    }
    let mut args = Vec::new();
    if host.os == Os::Windows {
        split_windows(&cmd, &mut args);
    } else {
        split_unix(&cmd, &mut args);
    }
    let mut cwd = String::new();
    if !prog.cwd.is_empty() {
        expand(prog.cwd, &cx, rng, &mut cwd);
    }
    let pid = if prog.key == "System" {
        4
    } else if prog.key == "systemd" || prog.key == "launchd" {
        1
    } else {
        new_pid(host.os, rng)
    };
    let entity_id = entity_id(host, pid, start, rng);
    Proc {
        prog,
        exe,
        cmd,
        args,
        pid,
        entity_id,
        user,
        parent,
        cwd,
        container: None,
    }
}

fn spawn_residents(host: &mut Host, rng: &mut Rng) {
    let mut keys: Vec<(&str, Option<usize>)> = Vec::new();
    let (boot, session): (&[&str], &[&str]) = match host.os {
        Os::Windows => (catalog::windows::BOOT, catalog::windows::SESSION),
        Os::Linux => (catalog::linux::BOOT, &[]),
        Os::Macos => (catalog::macos::BOOT, catalog::macos::SESSION),
    };
    keys.extend(boot.iter().map(|k| (*k, None)));
    let extra: &[&str] = match host.role {
        HostRole::WebServer => catalog::windows::WEB_SERVER,
        HostRole::SqlServer => catalog::windows::SQL_SERVER,
        HostRole::DomainController => catalog::windows::DC,
        HostRole::LinuxWeb => catalog::linux::WEB,
        HostRole::LinuxDb => catalog::linux::DB,
        HostRole::LinuxContainers => catalog::linux::CONTAINERS,
        _ => &[],
    };
    keys.extend(extra.iter().map(|k| (*k, None)));
    let users: Vec<usize> = host.interactive().map(|(i, _)| i).collect();
    if let Some(&first) = users.first() {
        let session: &[&str] = if host.role == HostRole::Workstation {
            session
        } else {
            &session[..session.len().min(2)]
        };
        keys.extend(session.iter().map(|k| (*k, Some(first))));
    }
    let mut t = host.boot;
    // Containers: a shim under systemd, the workload under the shim.
    if host.role == HostRole::LinuxContainers {
        let n = rng.range(2, catalog::linux::CONTAINERS_RUN.len() as u64) as usize;
        for _ in 0..n {
            let mut id = String::new();
            push_hex(&mut id, rng, 64);
            host.containers.push(Container { id });
        }
    }
    for (key, user) in keys {
        let Some(prog) = catalog::program(host.os, key) else {
            continue;
        };
        let parent = prog
            .parents
            .iter()
            .find_map(|pk| host.residents.iter().position(|r| r.prog.key == *pk))
            .map(|p| PRef::Res(p as u32));
        let acct = match user {
            Some(u) => u as u16,
            None => host.account_of(prog.run_as, rng),
        };
        t += if user.is_some() {
            rng.range(MIN as u64, HOUR as u64) as i64
        } else {
            rng.range(50, 3_000) as i64
        };
        let p = make_proc(host, prog, acct, parent, t, None, rng);
        host.residents.push(p);
    }
    let systemd = host
        .residents
        .iter()
        .position(|r| r.pid == 1)
        .map(|i| PRef::Res(i as u32));
    for c in 0..host.containers.len() {
        let (Some(shim), Some(app)) = (
            catalog::program(host.os, "containerd-shim-runc-v2"),
            catalog::program(host.os, catalog::linux::CONTAINERS_RUN[c].2),
        ) else {
            continue;
        };
        t += rng.range(50, 3_000) as i64;
        let cmd = format!(
            "/usr/bin/containerd-shim-runc-v2 -namespace k8s.io -id {} -address /run/containerd/containerd.sock",
            host.containers[c].id
        );
        let shim = make_proc(host, shim, 0, systemd, t, Some(&cmd), rng);
        host.residents.push(shim);
        let shim_ref = PRef::Res(host.residents.len() as u32 - 1);
        let acct = host.account_of(app.run_as, rng);
        let mut p = make_proc(host, app, acct, Some(shim_ref), t + 200, None, rng);
        p.container = Some(c as u8);
        host.residents.push(p);
    }
    // Keep resident pids unique on the host.
    let mut seen = std::collections::HashSet::new();
    for r in &mut host.residents {
        while !seen.insert(r.pid) {
            r.pid = r.pid.wrapping_add(4);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split_w(s: &str) -> Vec<String> {
        let mut v = Vec::new();
        split_windows(s, &mut v);
        v
    }

    #[test]
    fn windows_argv_rules() {
        assert_eq!(
            split_w(r#""C:\Program Files\a.exe" -x "y z""#),
            ["C:\\Program Files\\a.exe", "-x", "y z"]
        );
        assert_eq!(split_w(r#"a\\\"b c"#), ["a\\\"b", "c"]);
        assert_eq!(
            split_w(r"C:\Windows\system32\svchost.exe -k netsvcs"),
            [r"C:\Windows\system32\svchost.exe", "-k", "netsvcs"]
        );
        assert_eq!(split_w("  "), Vec::<String>::new());
        assert_eq!(split_w(r#"x """#), ["x", ""]);
    }

    #[test]
    fn unix_argv() {
        let mut v = Vec::new();
        split_unix("/bin/sh -c 'a b' x", &mut v);
        assert_eq!(v, ["/bin/sh", "-c", "a b", "x"]);
    }

    #[test]
    fn expands_known_placeholders_only() {
        let cx = ExpandCtx {
            user: "jsmith",
            sid: "S-1",
            exe: r"C:\Program Files\x.exe",
            host: "WS-1",
            account: "1",
            now: 0,
        };
        let mut rng = Rng::new(1);
        let mut out = String::new();
        expand(
            r"{exe} {user} {CEBFF5CD-ACE2} {$_.Status} {instancesSet={}} {hex8}",
            &cx,
            &mut rng,
            &mut out,
        );
        assert!(
            out.starts_with(
                r#""C:\Program Files\x.exe" jsmith {CEBFF5CD-ACE2} {$_.Status} {instancesSet={}} "#
            ),
            "{out}"
        );
        assert_eq!(out.len(), out.rfind(' ').unwrap() + 9);
        expand("{date}|{yymmdd}", &cx, &mut rng, &mut out);
        assert_eq!(out, "1970-01-01|700101");
    }

    #[test]
    fn base64_matches_rfc4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }
}
