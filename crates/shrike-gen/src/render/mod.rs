//! Turning what happened (an [`Ev`]) into the document a given data source would have
//! indexed: Elastic Defend, Sysmon through Elastic Agent, the Windows Security channel, Linux
//! auditd and auth logs, and cloud audit logs. One module per source, because the same
//! process start looks different in each (field sets, `event.action` vocabularies, ids).

pub(crate) mod cloud;
pub(crate) mod endpoint;
pub(crate) mod linux;
pub(crate) mod sysmon;
pub(crate) mod winsec;

use crate::catalog::{Dir, FileOp, Os, RunAs};
use crate::json::Json;
use crate::rng::{fnv1a, Rng};
use crate::world::{Host, PRef, Proc, Telemetry, World, HEX};

/// A connection between two endpoints.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Conn {
    pub(crate) dir: Dir,
    pub(crate) udp: bool,
    pub(crate) src: [u8; 4],
    pub(crate) sport: u16,
    pub(crate) dst: [u8; 4],
    pub(crate) dport: u16,
    /// The end of the connection (Defend reports both ends).
    pub(crate) end: bool,
}

/// Registry value data as written.
#[derive(Clone, Copy, Debug)]
pub(crate) enum RegValue<'a> {
    Dword(u32),
    Sz(&'a str),
    Binary,
}

/// A Windows logon (Security channel 4624/4625/4634/4672).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Logon<'a> {
    pub(crate) code: u16,
    pub(crate) logon_type: u8,
    pub(crate) user: &'a str,
    pub(crate) user_sid: &'a str,
    pub(crate) domain: &'a str,
    pub(crate) source: Option<[u8; 4]>,
    pub(crate) workstation: &'a str,
    pub(crate) kerberos: bool,
    pub(crate) logon_id: u64,
}

/// Something that happened on a host, independent of how it is logged.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Ev<'a> {
    ProcStart(PRef),
    ProcEnd(PRef, i32),
    Net(PRef, Conn),
    Dns(PRef, &'a str, [u8; 4]),
    File(PRef, FileOp, &'a str),
    Reg(PRef, &'a str, RegValue<'a>),
    Lib(PRef, &'a str),
    Access {
        src: PRef,
        target: PRef,
        granted: &'a str,
        trace: &'a str,
    },
    Logon(Logon<'a>),
    /// Windows account management by `actor` on `target` (4724, 4738).
    Account {
        code: u16,
        actor: &'a str,
        target: &'a str,
        target_sid: &'a str,
    },
    /// sudo in the Linux auth log: a PAM authentication failure, or the command line logged
    /// once authorised.
    Sudo {
        user: &'a str,
        ok: bool,
        command: &'a str,
        cwd: &'a str,
    },
    /// An SSH login recorded in the Linux auth log.
    Ssh {
        user: &'a str,
        ok: bool,
        method: &'a str,
        src: [u8; 4],
        port: u16,
    },
}

/// Everything a renderer needs besides the event itself.
pub(crate) struct Cx<'a> {
    pub(crate) world: &'a World,
    pub(crate) host: &'a Host,
    pub(crate) host_idx: u32,
    pub(crate) procs: &'a [Proc],
    pub(crate) ts: i64,
    pub(crate) ingested: i64,
    pub(crate) id: &'a str,
    pub(crate) seq: u64,
}

impl Cx<'_> {
    /// The process behind a reference.
    pub(crate) fn proc(&self, r: PRef) -> &Proc {
        self.world.proc(self.host_idx, r, self.procs)
    }

    /// The parent of a process, if known.
    pub(crate) fn parent(&self, p: &Proc) -> Option<&Proc> {
        p.parent.map(|r| self.proc(r))
    }
}

/// Renders `ev` as the host's telemetry would. Returns false when that source does not log
/// this kind of event (Sysmon does not report file modifications, for instance).
pub(crate) fn render(j: &mut Json<'_>, cx: &Cx<'_>, ev: &Ev<'_>, rng: &mut Rng) -> bool {
    match ev {
        Ev::Logon(l) => {
            winsec::logon(j, cx, l, rng);
            true
        }
        Ev::Account { .. } => {
            winsec::account(j, cx, ev, rng);
            true
        }
        Ev::Ssh { .. } => {
            linux::ssh(j, cx, ev);
            true
        }
        Ev::Sudo { .. } => {
            linux::sudo(j, cx, ev);
            true
        }
        _ => match cx.host.telemetry {
            Telemetry::Defend => endpoint::render(j, cx, ev),
            Telemetry::Sysmon => sysmon::render(j, cx, ev, rng),
            Telemetry::Auditd => linux::auditd_doc(j, cx, ev),
        },
    }
}

/// The dataset a host event lands in (for `_index` when wrapping).
pub(crate) fn dataset(telemetry: Telemetry, ev: &Ev<'_>) -> &'static str {
    match ev {
        Ev::Logon(_) | Ev::Account { .. } => "system.security",
        Ev::Ssh { .. } | Ev::Sudo { .. } => "system.auth",
        _ => match telemetry {
            Telemetry::Sysmon => "windows.sysmon_operational",
            Telemetry::Auditd => "auditd_manager.auditd",
            Telemetry::Defend => match ev {
                Ev::ProcStart(_) | Ev::ProcEnd(..) | Ev::Access { .. } => "endpoint.events.process",
                Ev::Net(..) | Ev::Dns(..) => "endpoint.events.network",
                Ev::File(..) => "endpoint.events.file",
                Ev::Reg(..) => "endpoint.events.registry",
                Ev::Lib(..) => "endpoint.events.library",
                _ => "endpoint.events.process",
            },
        },
    }
}

/// `"@timestamp"`, `data_stream`, `ecs` and the pre-rendered agent and host members.
pub(crate) fn preamble(j: &mut Json<'_>, cx: &Cx<'_>, dataset: &str, agent: &[u8], ecs: &str) {
    j.time("@timestamp", cx.ts);
    j.fragment(agent);
    j.open("data_stream");
    j.str("dataset", dataset);
    j.str("namespace", "default");
    j.str("type", "logs");
    j.close();
    j.open("ecs");
    j.str("version", ecs);
    j.close();
    j.fragment(&cx.host.frag_host);
}

/// Writes `ip` as a dotted quad string value (without key).
pub(crate) fn ip_str(ip: [u8; 4]) -> String {
    format!("{}.{}.{}.{}", ip[0], ip[1], ip[2], ip[3])
}

/// `"k":"a.b.c.d"`.
pub(crate) fn ip(j: &mut Json<'_>, k: &str, ip: [u8; 4]) {
    j.key(k);
    j.buf.push(b'"');
    for (i, o) in ip.iter().enumerate() {
        if i > 0 {
            j.buf.push(b'.');
        }
        crate::json::write_u64(j.buf, u64::from(*o));
    }
    j.buf.push(b'"');
}

/// `process.hash`: stable per binary (derived from the program's key), as real hashes are.
pub(crate) fn hashes(j: &mut Json<'_>, key: &str, with_sha1: bool) {
    let mut r = Rng::new(fnv1a(key.as_bytes()));
    j.open("hash");
    for (name, len) in [("md5", 32), ("sha1", 40), ("sha256", 64)] {
        if name == "sha1" && !with_sha1 {
            continue;
        }
        j.key(name);
        j.buf.push(b'"');
        let mut bits = 0u64;
        for i in 0..len {
            if i % 16 == 0 {
                bits = r.next_u64();
            }
            j.buf.push(HEX[(bits & 15) as usize]);
            bits >>= 4;
        }
        j.buf.push(b'"');
    }
    j.close();
}

/// `code_signature` of a program, in Elastic Defend's shape.
pub(crate) fn code_signature(j: &mut Json<'_>, os: Os, signer: &str) {
    j.open("code_signature");
    if signer.is_empty() {
        j.bool("exists", false);
    } else {
        j.bool("exists", true);
        if os == Os::Macos {
            j.str("signing_id", "com.apple.process");
        }
        j.str("status", "trusted");
        j.str("subject_name", signer);
        j.bool("trusted", true);
    }
    j.close();
}

/// The `user` member for the account a process runs as.
pub(crate) fn user(j: &mut Json<'_>, host: &Host, account: u16) {
    let a = &host.accounts[account as usize];
    j.open("user");
    if !a.domain.is_empty() {
        j.str("domain", &a.domain);
    }
    j.str("id", &a.id);
    j.str("name", &a.name);
    j.close();
}

/// Splits a file path into (directory, name, extension).
pub(crate) fn split_path(path: &str) -> (&str, &str, &str) {
    let sep = path.rfind(['\\', '/']);
    let (dir, name) = match sep {
        Some(i) => (&path[..i], &path[i + 1..]),
        None => ("", path),
    };
    let ext = match name.rfind('.') {
        Some(i) if i > 0 => &name[i + 1..],
        _ => "",
    };
    (dir, name, ext)
}

/// The Windows token integrity level of an account kind.
pub(crate) fn integrity(kind: RunAs) -> &'static str {
    match kind {
        RunAs::System => "system",
        RunAs::Service => "system",
        RunAs::User => "medium",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split() {
        assert_eq!(split_path(r"C:\a\b.txt"), (r"C:\a", "b.txt", "txt"));
        assert_eq!(split_path("/var/log/syslog"), ("/var/log", "syslog", ""));
        assert_eq!(split_path("/home/u/.bashrc"), ("/home/u", ".bashrc", ""));
        assert_eq!(split_path("x"), ("", "x", ""));
    }
}
