//! Sysmon events as Elastic Agent's Windows integration indexes them
//! (`logs-windows.sysmon_operational-*`): ECS fields filled by the ingest pipeline, the
//! leftover `winlog.event_data`, and the rendered `message`.

use super::endpoint::{conn, registry};
use super::{ip_str, split_path, Cx, Ev, RegValue};
use crate::catalog::FileOp;
use crate::json::Json;
use crate::rng::Rng;
use crate::world::Proc;

const ECS: &str = "8.0.0";
const PROVIDER_GUID: &str = "{5770385f-c22a-43e0-bf4c-06f5698ffbd9}";

fn head(
    j: &mut Json<'_>,
    cx: &Cx<'_>,
    code: &str,
    action: &str,
    categories: &[&str],
    types: &[&str],
) {
    super::preamble(
        j,
        cx,
        "windows.sysmon_operational",
        &cx.host.frag_agent_beat,
        ECS,
    );
    j.open("event");
    j.str("action", action);
    j.strs("category", categories);
    j.str("code", code);
    j.time("created", cx.ts + 3);
    j.str("dataset", "windows.sysmon_operational");
    j.str("id", cx.id);
    j.time("ingested", cx.ingested);
    j.str("kind", "event");
    j.str("module", "windows");
    j.str("provider", "Microsoft-Windows-Sysmon");
    j.strs("type", types);
    j.close();
    j.open("log");
    j.str("level", "information");
    j.close();
}

fn winlog(
    j: &mut Json<'_>,
    cx: &Cx<'_>,
    code: &str,
    rng: &mut Rng,
    event_data: impl FnOnce(&mut Json<'_>),
) {
    j.open("winlog");
    j.str("api", "wineventlog");
    j.str("channel", "Microsoft-Windows-Sysmon/Operational");
    j.str("computer_name", &fqdn(cx));
    j.open("event_data");
    event_data(j);
    j.close();
    j.str("event_id", code);
    j.str("opcode", "Info");
    j.open("process");
    j.u64("pid", 2_000 + u64::from(cx.host.guid_prefix % 2_000) * 4);
    j.open("thread");
    j.u64("id", rng.range(1_000, 9_000));
    j.close();
    j.close();
    j.str("provider_guid", PROVIDER_GUID);
    j.str("provider_name", "Microsoft-Windows-Sysmon");
    j.str("record_id", &cx.seq.to_string());
    j.open("user");
    j.str("domain", "NT AUTHORITY");
    j.str("identifier", "S-1-5-18");
    j.str("name", "SYSTEM");
    j.str("type", "User");
    j.close();
    j.u64("version", 5);
    j.close();
}

fn fqdn(cx: &Cx<'_>) -> String {
    format!("{}.{}", cx.host.name, crate::catalog::net::AD_DOMAIN)
}

fn utc(cx: &Cx<'_>) -> String {
    let mut s = crate::time::format_time(cx.ts);
    s = s.replace('T', " ");
    s.pop();
    s
}

fn proc_core(j: &mut Json<'_>, p: &Proc) {
    j.str("entity_id", &p.entity_id);
    j.str("executable", &p.exe);
    j.str("name", p.prog.name);
    j.u64("pid", u64::from(p.pid));
}

fn user_of(j: &mut Json<'_>, cx: &Cx<'_>, p: &Proc) {
    super::user(j, cx.host, p.user);
}

/// Renders a Sysmon document; false for events Sysmon does not log.
pub(crate) fn render(j: &mut Json<'_>, cx: &Cx<'_>, ev: &Ev<'_>, rng: &mut Rng) -> bool {
    match *ev {
        Ev::ProcStart(r) => {
            let p = cx.proc(r);
            let parent = cx.parent(p);
            let acct = &cx.host.accounts[p.user as usize];
            head(j, cx, "1", "Process creation", &["process"], &["start"]);
            let mut msg = String::with_capacity(512);
            msg.push_str("Process Create:\nRuleName: -\nUtcTime: ");
            msg.push_str(&utc(cx));
            msg.push_str("\nProcessGuid: ");
            msg.push_str(&p.entity_id);
            msg.push_str("\nProcessId: ");
            msg.push_str(&p.pid.to_string());
            msg.push_str("\nImage: ");
            msg.push_str(&p.exe);
            msg.push_str("\nCommandLine: ");
            msg.push_str(&p.cmd);
            msg.push_str("\nUser: ");
            msg.push_str(&acct.domain);
            msg.push('\\');
            msg.push_str(&acct.name);
            if let Some(pp) = parent {
                msg.push_str("\nParentImage: ");
                msg.push_str(&pp.exe);
                msg.push_str("\nParentCommandLine: ");
                msg.push_str(&pp.cmd);
            }
            j.str("message", &msg);
            j.open("process");
            j.strings("args", &p.args);
            j.u64("args_count", p.args.len() as u64);
            j.str("command_line", &p.cmd);
            j.str("entity_id", &p.entity_id);
            j.str("executable", &p.exe);
            super::hashes(j, p.prog.key, false);
            j.str("name", p.prog.name);
            if let Some(pp) = parent {
                j.open("parent");
                j.strings("args", &pp.args);
                j.u64("args_count", pp.args.len() as u64);
                j.str("command_line", &pp.cmd);
                j.str("entity_id", &pp.entity_id);
                j.str("executable", &pp.exe);
                j.str("name", pp.prog.name);
                j.u64("pid", u64::from(pp.pid));
                j.close();
            }
            j.open("pe");
            j.str("company", p.prog.company);
            j.str("description", p.prog.description);
            j.str("file_version", p.prog.version);
            j.str("original_file_name", p.prog.original);
            j.str("product", p.prog.product);
            j.close();
            j.u64("pid", u64::from(p.pid));
            if !p.cwd.is_empty() {
                j.str("working_directory", &p.cwd);
            }
            j.close();
            user_of(j, cx, p);
            winlog(j, cx, "1", rng, |j| {
                j.str("Company", p.prog.company);
                j.str("Description", p.prog.description);
                j.str("FileVersion", p.prog.version);
                j.str(
                    "IntegrityLevel",
                    match acct.kind {
                        crate::catalog::RunAs::User => "Medium",
                        _ => "System",
                    },
                );
                j.str("LogonGuid", "{00000000-0000-0000-0000-000000000000}");
                j.str(
                    "LogonId",
                    if acct.kind == crate::catalog::RunAs::User {
                        "0x3f2a71"
                    } else {
                        "0x3e7"
                    },
                );
                if let Some(pp) = parent {
                    let pa = &cx.host.accounts[pp.user as usize];
                    j.str("ParentUser", &format!("{}\\{}", pa.domain, pa.name));
                }
                j.str("Product", p.prog.product);
                j.str(
                    "TerminalSessionId",
                    if acct.kind == crate::catalog::RunAs::User {
                        "1"
                    } else {
                        "0"
                    },
                );
            });
        }
        Ev::ProcEnd(r, _) => {
            let p = cx.proc(r);
            head(j, cx, "5", "Process terminated", &["process"], &["end"]);
            j.open("process");
            proc_core(j, p);
            j.close();
            user_of(j, cx, p);
            winlog(j, cx, "5", rng, |_| {});
        }
        Ev::Net(r, c) => {
            if c.end {
                return false;
            }
            let p = cx.proc(r);
            head(
                j,
                cx,
                "3",
                "Network connection",
                &["network"],
                &["start", "connection", "protocol"],
            );
            conn(j, &c);
            j.open("process");
            proc_core(j, p);
            j.close();
            j.open("related");
            j.strs("ip", &[&ip_str(c.src), &ip_str(c.dst)]);
            j.close();
            user_of(j, cx, p);
            winlog(j, cx, "3", rng, |_| {});
        }
        Ev::Dns(r, name, resolved) => {
            let p = cx.proc(r);
            head(
                j,
                cx,
                "22",
                "DNSEvent (DNS query)",
                &["network"],
                &["connection", "protocol", "info"],
            );
            let ip = ip_str(resolved);
            j.open("dns");
            j.open_arr("answers");
            j.item_open();
            j.str("data", &ip);
            j.str("type", "A");
            j.close();
            j.close_arr();
            j.open("question");
            j.str("name", name);
            if let Some((sub, reg)) = name.split_once('.') {
                j.str("registered_domain", reg);
                j.str("subdomain", sub);
            }
            j.close();
            j.strs("resolved_ip", &[&ip]);
            j.close();
            j.open("network");
            j.str("protocol", "dns");
            j.close();
            j.open("process");
            proc_core(j, p);
            j.close();
            user_of(j, cx, p);
            winlog(j, cx, "22", rng, |_| {});
        }
        Ev::File(r, op, path) => {
            let (code, action, ty) = match op {
                FileOp::Create => ("11", "FileCreate", "creation"),
                FileOp::Delete => ("23", "FileDelete (File Delete archived)", "deletion"),
                FileOp::Modify | FileOp::Rename => return false,
            };
            let p = cx.proc(r);
            head(j, cx, code, action, &["file"], &[ty]);
            let (dir, name, ext) = split_path(path);
            j.open("file");
            j.str("directory", dir);
            if !ext.is_empty() {
                j.str("extension", ext);
            }
            j.str("name", name);
            j.str("path", path);
            j.close();
            j.open("process");
            proc_core(j, p);
            j.close();
            user_of(j, cx, p);
            winlog(j, cx, code, rng, |_| {});
        }
        Ev::Reg(r, path, value) => {
            let p = cx.proc(r);
            head(
                j,
                cx,
                "13",
                "RegistryEvent (Value Set)",
                &["configuration", "registry"],
                &["change"],
            );
            registry(j, path, value, false);
            j.open("process");
            proc_core(j, p);
            j.close();
            user_of(j, cx, p);
            winlog(j, cx, "13", rng, |j| {
                j.str(
                    "Details",
                    &match value {
                        RegValue::Dword(v) => format!("DWORD (0x{v:08x})"),
                        RegValue::Sz(s) => s.to_string(),
                        RegValue::Binary => "Binary Data".to_string(),
                    },
                );
                j.str("EventType", "SetValue");
            });
        }
        Ev::Lib(r, dll) => {
            let p = cx.proc(r);
            head(j, cx, "7", "Image loaded", &["process"], &["change"]);
            let path = format!(r"C:\Windows\System32\{dll}");
            j.open("file");
            j.open("code_signature");
            j.bool("signed", true);
            j.str("status", "Valid");
            j.str("subject_name", "Microsoft Windows");
            j.bool("valid", true);
            j.close();
            j.str("directory", r"C:\Windows\System32");
            j.str("extension", "dll");
            j.str("name", dll);
            j.str("path", &path);
            j.close();
            j.open("process");
            proc_core(j, p);
            j.close();
            user_of(j, cx, p);
            winlog(j, cx, "7", rng, |j| {
                j.str("Signed", "true");
            });
        }
        Ev::Access {
            src,
            target,
            granted,
            trace,
        } => {
            let p = cx.proc(src);
            let t = cx.proc(target);
            head(j, cx, "10", "ProcessAccess", &["process"], &["access"]);
            j.open("process");
            proc_core(j, p);
            j.open("thread");
            j.u64("id", rng.range(1_000, 20_000));
            j.close();
            j.close();
            user_of(j, cx, p);
            winlog(j, cx, "10", rng, |j| {
                j.str("CallTrace", trace);
                j.str("GrantedAccess", granted);
                j.str("SourceUser", &{
                    let a = &cx.host.accounts[p.user as usize];
                    format!("{}\\{}", a.domain, a.name)
                });
                j.str("TargetImage", &t.exe);
                j.str("TargetProcessGUID", &t.entity_id);
                j.str("TargetProcessId", &t.pid.to_string());
                j.str("TargetUser", r"NT AUTHORITY\SYSTEM");
            });
        }
        Ev::Logon(_) | Ev::Account { .. } | Ev::Ssh { .. } | Ev::Sudo { .. } => return false,
    }
    true
}
