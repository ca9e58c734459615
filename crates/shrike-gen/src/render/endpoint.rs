//! Elastic Defend documents (`logs-endpoint.events.*`).

use super::{code_signature, hashes, integrity, ip, split_path, user, Conn, Cx, Ev, RegValue};
use crate::catalog::{Dir, FileOp, Os};
use crate::json::Json;
use crate::world::Proc;

const ECS: &str = "8.10.0";

fn head(
    j: &mut Json<'_>,
    cx: &Cx<'_>,
    dataset: &str,
    action: &str,
    category: &str,
    types: &[&str],
    message: &str,
) {
    super::preamble(j, cx, dataset, &cx.host.frag_agent_endpoint, ECS);
    j.open("event");
    j.str("action", action);
    j.str("agent_id_status", "verified");
    j.strs("category", &[category]);
    j.time("created", cx.ts);
    j.str("dataset", dataset);
    j.str("id", cx.id);
    j.time("ingested", cx.ingested);
    j.str("kind", "event");
    j.str("module", "endpoint");
    j.u64("sequence", cx.seq);
    j.strs("type", types);
    j.close();
    j.str("message", message);
}

/// Renders a Defend document; false when Defend does not report this event kind on this OS.
pub(crate) fn render(j: &mut Json<'_>, cx: &Cx<'_>, ev: &Ev<'_>) -> bool {
    let os = cx.host.os;
    match *ev {
        Ev::ProcStart(p) => {
            let p = cx.proc(p);
            let action = if os == Os::Windows { "start" } else { "exec" };
            head(
                j,
                cx,
                "endpoint.events.process",
                action,
                "process",
                &["start"],
                "Endpoint process event",
            );
            container(j, cx, p);
            process_full(j, cx, p);
            user(j, cx.host, p.user);
        }
        Ev::ProcEnd(p, code) => {
            let p = cx.proc(p);
            head(
                j,
                cx,
                "endpoint.events.process",
                "end",
                "process",
                &["end"],
                "Endpoint process event",
            );
            j.open("process");
            process_core(j, cx, p);
            j.i64("exit_code", i64::from(code));
            j.close();
            container(j, cx, p);
            user(j, cx.host, p.user);
        }
        Ev::Net(p, c) => {
            let p = cx.proc(p);
            let (action, ty) = match (c.end, c.dir) {
                (true, _) => ("disconnect_received", "end"),
                (false, Dir::Egress) => ("connection_attempted", "start"),
                (false, Dir::Ingress) => ("connection_accepted", "start"),
            };
            head(
                j,
                cx,
                "endpoint.events.network",
                action,
                "network",
                &[ty],
                "Endpoint network event",
            );
            conn(j, &c);
            container(j, cx, p);
            j.open("process");
            process_core(j, cx, p);
            j.close();
            user(j, cx.host, p.user);
        }
        Ev::Dns(p, name, resolved) => {
            if os != Os::Windows {
                return false;
            }
            let p = cx.proc(p);
            head(
                j,
                cx,
                "endpoint.events.network",
                "lookup_result",
                "network",
                &["protocol", "info"],
                "Endpoint DNS event",
            );
            j.open("dns");
            j.open("Ext");
            j.str("options", "0x4000000000");
            j.u64("status", 0);
            j.close();
            j.open("question");
            j.str("name", name);
            j.str("type", "A");
            j.close();
            j.open_arr("resolved_ip");
            j.item_str(&super::ip_str(resolved));
            j.close_arr();
            j.close();
            j.open("network");
            j.str("protocol", "dns");
            j.str("transport", "udp");
            j.close();
            j.open("process");
            process_core(j, cx, p);
            j.close();
            user(j, cx.host, p.user);
        }
        Ev::File(p, op, path) => {
            let p = cx.proc(p);
            let (action, ty) = match op {
                FileOp::Create => ("creation", "creation"),
                FileOp::Modify => ("overwrite", "change"),
                FileOp::Delete => ("deletion", "deletion"),
                FileOp::Rename => ("rename", "change"),
            };
            let action = if op == FileOp::Modify && os != Os::Windows {
                "modification"
            } else {
                action
            };
            head(
                j,
                cx,
                "endpoint.events.file",
                action,
                "file",
                &[ty],
                "Endpoint file event",
            );
            let (dir, name, ext) = split_path(path);
            j.open("file");
            if op == FileOp::Rename {
                j.open("Ext");
                j.open("original");
                let sep = if os == Os::Windows { '\\' } else { '/' };
                let orig_name = format!("{name}.tmp");
                j.str("name", &orig_name);
                j.str("path", &format!("{dir}{sep}{orig_name}"));
                j.close();
                j.close();
            }
            j.str("directory", dir);
            if !ext.is_empty() {
                j.str("extension", ext);
            }
            j.str("name", name);
            j.str("path", path);
            j.close();
            j.open("process");
            process_core(j, cx, p);
            j.close();
            user(j, cx.host, p.user);
        }
        Ev::Reg(p, path, value) => {
            if os != Os::Windows {
                return false;
            }
            let p = cx.proc(p);
            head(
                j,
                cx,
                "endpoint.events.registry",
                "modification",
                "registry",
                &["change"],
                "Endpoint registry event",
            );
            registry(j, path, value, true);
            j.open("process");
            process_core(j, cx, p);
            j.close();
            user(j, cx.host, p.user);
        }
        Ev::Lib(p, dll) => {
            if os != Os::Windows {
                return false;
            }
            let p = cx.proc(p);
            head(
                j,
                cx,
                "endpoint.events.library",
                "load",
                "library",
                &["start"],
                "Endpoint DLL load event",
            );
            j.open("dll");
            code_signature(j, os, "Microsoft Windows");
            hashes(j, dll, true);
            j.str("name", dll);
            j.str("path", &format!(r"C:\Windows\System32\{dll}"));
            j.close();
            j.open("process");
            process_core(j, cx, p);
            j.close();
            user(j, cx.host, p.user);
        }
        Ev::Access { .. }
        | Ev::Logon(_)
        | Ev::Account { .. }
        | Ev::Ssh { .. }
        | Ev::Sudo { .. } => return false,
    }
    true
}

/// `container.id` of a containerised process (Defend reads it from the cgroup).
fn container(j: &mut Json<'_>, cx: &Cx<'_>, p: &Proc) {
    if let Some(c) = p.container.and_then(|c| cx.host.containers.get(c as usize)) {
        j.open("container");
        j.str("id", &c.id);
        j.close();
    }
}

/// The members of `process` every Defend event carries.
fn process_core(j: &mut Json<'_>, cx: &Cx<'_>, p: &Proc) {
    if cx.host.os == Os::Windows {
        code_signature(j, cx.host.os, p.prog.signer);
    }
    j.str("entity_id", &p.entity_id);
    j.str("executable", &p.exe);
    j.str("name", p.prog.name);
    j.u64("pid", u64::from(p.pid));
}

fn process_full(j: &mut Json<'_>, cx: &Cx<'_>, p: &Proc) {
    let os = cx.host.os;
    j.open("process");
    j.open("Ext");
    j.open_arr("ancestry");
    let mut cur = cx.parent(p);
    let mut depth = 0;
    while let Some(a) = cur {
        if depth == 5 {
            break;
        }
        j.item_str(&a.entity_id);
        cur = cx.parent(a);
        depth += 1;
    }
    j.close_arr();
    if os == Os::Windows {
        j.open("token");
        j.str(
            "integrity_level_name",
            integrity(cx.host.accounts[p.user as usize].kind),
        );
        j.close();
    }
    j.close();
    j.strings("args", &p.args);
    j.u64("args_count", p.args.len() as u64);
    if os != Os::Linux {
        code_signature(j, os, p.prog.signer);
    }
    j.str("command_line", &p.cmd);
    j.str("entity_id", &p.entity_id);
    j.str("executable", &p.exe);
    hashes(j, p.prog.key, true);
    j.str("name", p.prog.name);
    if let Some(parent) = cx.parent(p) {
        j.open("parent");
        j.strings("args", &parent.args);
        j.u64("args_count", parent.args.len() as u64);
        if os != Os::Linux {
            code_signature(j, os, parent.prog.signer);
        }
        j.str("command_line", &parent.cmd);
        j.str("entity_id", &parent.entity_id);
        j.str("executable", &parent.exe);
        j.str("name", parent.prog.name);
        j.u64("pid", u64::from(parent.pid));
        j.close();
    }
    if os == Os::Windows {
        j.open("pe");
        j.str("company", p.prog.company);
        j.str("description", p.prog.description);
        j.str("file_version", p.prog.version);
        j.str("original_file_name", p.prog.original);
        j.str("product", p.prog.product);
        j.close();
    }
    j.u64("pid", u64::from(p.pid));
    if os != Os::Windows {
        leaders(j, cx, p);
        if !p.cwd.is_empty() {
            j.str("working_directory", &p.cwd);
        }
    }
    j.close();
}

/// Linux and macOS session model: entry, session and group leaders.
fn leaders(j: &mut Json<'_>, cx: &Cx<'_>, p: &Proc) {
    let mut chain: Vec<&Proc> = vec![p];
    let mut cur = cx.parent(p);
    while let Some(a) = cur {
        if chain.len() > 8 {
            break;
        }
        chain.push(a);
        cur = cx.parent(a);
    }
    let shell = chain
        .iter()
        .position(|q| matches!(q.prog.key, "bash#login" | "zsh"));
    // In a container, the entry leader is the process the runtime started under the shim.
    let in_container = chain.iter().position(|q| {
        q.container.is_some()
            && q.parent
                .is_some_and(|r| cx.proc(r).prog.key == "containerd-shim-runc-v2")
    });
    let (entry, kind) = match (in_container, shell) {
        (Some(i), _) => (chain[i], "container"),
        (None, Some(i)) if chain[i].prog.key == "zsh" => (chain[i], "terminal"),
        (None, Some(i)) => (chain[i], "sshd"),
        (None, None) => {
            // The service under init: the last ancestor before pid 1.
            let i = chain.iter().position(|q| q.pid == 1).unwrap_or(chain.len());
            (chain[i.saturating_sub(1).min(chain.len() - 1)], "init")
        }
    };
    // Commands started from a shell lead their own job's process group.
    let group = chain[0];
    let same = |q: &Proc| q.entity_id == p.entity_id;
    j.open("entry_leader");
    j.strings("args", &entry.args);
    j.open("entry_meta");
    j.str("type", kind);
    j.close();
    j.str("entity_id", &entry.entity_id);
    j.str("executable", &entry.exe);
    j.str("name", entry.prog.name);
    j.u64("pid", u64::from(entry.pid));
    j.bool("same_as_process", same(entry));
    j.close();
    j.open("group_leader");
    j.str("entity_id", &group.entity_id);
    j.str("name", group.prog.name);
    j.u64("pid", u64::from(group.pid));
    j.bool("same_as_process", same(group));
    j.close();
    j.bool("interactive", matches!(kind, "sshd" | "terminal"));
    j.open("session_leader");
    j.str("entity_id", &entry.entity_id);
    j.str("name", entry.prog.name);
    j.u64("pid", u64::from(entry.pid));
    j.bool("same_as_process", same(entry));
    j.close();
}

/// `source`, `destination` and `network`.
pub(crate) fn conn(j: &mut Json<'_>, c: &Conn) {
    j.open("destination");
    ip(j, "address", c.dst);
    ip(j, "ip", c.dst);
    j.u64("port", u64::from(c.dport));
    j.close();
    j.open("network");
    j.str(
        "direction",
        if c.dir == Dir::Egress {
            "egress"
        } else {
            "ingress"
        },
    );
    j.str("transport", if c.udp { "udp" } else { "tcp" });
    j.str("type", "ipv4");
    j.close();
    j.open("source");
    ip(j, "address", c.src);
    ip(j, "ip", c.src);
    j.u64("port", u64::from(c.sport));
    j.close();
}

/// `registry`: `path` is a Sysmon-style target (`HKLM\...\Value`). Defend spells the hive
/// out in `registry.path` (`HKEY_LOCAL_MACHINE\...`); Sysmon keeps the short form.
pub(crate) fn registry(j: &mut Json<'_>, path: &str, value: RegValue<'_>, long_hive: bool) {
    let (hive, rest) = path.split_once('\\').unwrap_or((path, ""));
    let (key, name) = rest.rsplit_once('\\').unwrap_or(("", rest));
    j.open("registry");
    j.open("data");
    match value {
        RegValue::Dword(v) => {
            j.strs("strings", &[&v.to_string()]);
            j.str("type", if long_hive { "REG_DWORD" } else { "SZ_DWORD" });
        }
        RegValue::Sz(s) => {
            j.strs("strings", &[s]);
            j.str("type", "REG_SZ");
        }
        RegValue::Binary => {
            j.strs("strings", &["Binary Data"]);
            j.str("type", "REG_BINARY");
        }
    }
    j.close();
    j.str("hive", hive);
    if long_hive {
        j.str("key", key);
        let long = match hive {
            "HKLM" => "HKEY_LOCAL_MACHINE",
            "HKU" => "HKEY_USERS",
            "HKCR" => "HKEY_CLASSES_ROOT",
            "HKCU" => "HKEY_CURRENT_USER",
            other => other,
        };
        j.str("path", &format!("{long}\\{rest}"));
    } else {
        j.str("key", rest);
        j.str("path", path);
    }
    j.str("value", name);
    j.close();
}
