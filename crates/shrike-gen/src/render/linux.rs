//! Linux sources other than Elastic Defend: auditd through Elastic Agent's Auditd Manager
//! integration (`logs-auditd_manager.auditd-*`) and sshd in the system auth log
//! (`logs-system.auth-*`).

use super::{ip, split_path, Cx, Ev};
use crate::catalog::{Dir, FileOp};
use crate::json::Json;
use crate::world::Proc;

const ECS: &str = "8.0.0";

fn head(j: &mut Json<'_>, cx: &Cx<'_>, action: &str, category: &str, types: &[&str]) {
    super::preamble(
        j,
        cx,
        "auditd_manager.auditd",
        &cx.host.frag_agent_beat,
        ECS,
    );
    j.open("event");
    j.str("action", action);
    j.strs("category", &[category]);
    j.str("dataset", "auditd_manager.auditd");
    j.str("id", cx.id);
    j.time("ingested", cx.ingested);
    j.str("kind", "event");
    j.str("module", "auditd");
    j.str("outcome", "success");
    j.strs("type", types);
    j.close();
}

fn auditd(
    j: &mut Json<'_>,
    cx: &Cx<'_>,
    p: &Proc,
    syscall: &str,
    how: &str,
    object: &str,
    object_type: &str,
) {
    let acct = &cx.host.accounts[p.user as usize];
    j.open("auditd");
    j.open("data");
    j.str("arch", "x86_64");
    j.str("exit", "0");
    j.str("syscall", syscall);
    j.str(
        "tty",
        if acct.kind == crate::catalog::RunAs::User {
            "pts0"
        } else {
            "(none)"
        },
    );
    j.close();
    j.str("message_type", "syscall");
    j.str("result", "success");
    j.u64("sequence", cx.seq);
    j.str(
        "session",
        if acct.kind == crate::catalog::RunAs::User {
            "3"
        } else {
            "unset"
        },
    );
    j.open("summary");
    j.open("actor");
    j.str("primary", &acct.name);
    j.str("secondary", &acct.name);
    j.close();
    j.str("how", how);
    j.open("object");
    j.str("primary", object);
    j.str("type", object_type);
    j.close();
    j.close();
    j.close();
}

fn process(j: &mut Json<'_>, cx: &Cx<'_>, p: &Proc, full: bool) {
    j.open("process");
    if full {
        j.strings("args", &p.args);
        j.u64("args_count", p.args.len() as u64);
    }
    j.str("executable", &p.exe);
    j.str("name", p.prog.name);
    if let Some(pp) = cx.parent(p) {
        j.open("parent");
        j.u64("pid", u64::from(pp.pid));
        j.close();
    }
    j.u64("pid", u64::from(p.pid));
    if full {
        j.str("title", &p.cmd);
        if !p.cwd.is_empty() {
            j.str("working_directory", &p.cwd);
        }
    }
    j.close();
}

fn user(j: &mut Json<'_>, cx: &Cx<'_>, p: &Proc) {
    let a = &cx.host.accounts[p.user as usize];
    j.open("user");
    j.open("audit");
    j.str("id", &a.id);
    j.str("name", &a.name);
    j.close();
    j.open("effective");
    j.str("id", &a.id);
    j.str("name", &a.name);
    j.close();
    j.str("id", &a.id);
    j.str("name", &a.name);
    j.close();
}

/// Renders an auditd document; false for events the audit rules do not record.
pub(crate) fn auditd_doc(j: &mut Json<'_>, cx: &Cx<'_>, ev: &Ev<'_>) -> bool {
    match *ev {
        Ev::ProcStart(r) => {
            let p = cx.proc(r);
            head(j, cx, "executed", "process", &["start"]);
            auditd(j, cx, p, "execve", &p.exe, &p.exe, "file");
            process(j, cx, p, true);
            user(j, cx, p);
        }
        Ev::Net(r, c) => {
            if c.end || c.dir == Dir::Ingress {
                return false;
            }
            let p = cx.proc(r);
            head(j, cx, "connected-to", "network", &["connection", "start"]);
            auditd(j, cx, p, "connect", &p.exe, &super::ip_str(c.dst), "socket");
            j.open("destination");
            ip(j, "ip", c.dst);
            j.u64("port", u64::from(c.dport));
            j.close();
            j.open("network");
            j.str("direction", "egress");
            j.close();
            process(j, cx, p, false);
            user(j, cx, p);
        }
        Ev::File(r, op, path) => {
            let p = cx.proc(r);
            let (action, syscall, ty) = match op {
                FileOp::Create => ("opened-file", "openat", "creation"),
                FileOp::Modify => ("opened-file", "openat", "change"),
                FileOp::Delete => ("deleted", "unlinkat", "deletion"),
                FileOp::Rename => ("renamed", "rename", "change"),
            };
            head(j, cx, action, "file", &[ty]);
            auditd(j, cx, p, syscall, &p.exe, path, "file");
            let (dir, name, ext) = split_path(path);
            j.open("file");
            j.str("directory", dir);
            if !ext.is_empty() {
                j.str("extension", ext);
            }
            j.str("name", name);
            j.str("path", path);
            j.close();
            process(j, cx, p, false);
            user(j, cx, p);
        }
        _ => return false,
    }
    true
}

/// A sudo line of the auth log, as the System integration parses it: a PAM authentication
/// failure (`authentication` / `authentication_failure`), or the `COMMAND=` line logged once
/// the user is authorised (a `process` start).
pub(crate) fn sudo(j: &mut Json<'_>, cx: &Cx<'_>, ev: &Ev<'_>) {
    let Ev::Sudo {
        user,
        ok,
        command,
        cwd,
    } = *ev
    else {
        return;
    };
    super::preamble(j, cx, "system.auth", &cx.host.frag_agent_beat, ECS);
    j.open("event");
    if ok {
        j.strs("category", &["process"]);
    } else {
        j.str("action", "authentication_failure");
        j.strs("category", &["authentication"]);
    }
    j.str("dataset", "system.auth");
    j.str("id", cx.id);
    j.time("ingested", cx.ingested);
    j.str("kind", "event");
    j.str("module", "system");
    if !ok {
        j.str("outcome", "failure");
    }
    j.strs("type", if ok { &["start"] } else { &["info"] });
    j.close();
    let msg = if ok {
        format!("{user} : TTY=pts/0 ; PWD={cwd} ; USER=root ; COMMAND={command}")
    } else {
        format!("pam_unix(sudo:auth): authentication failure; logname={user} uid=1000 euid=0 tty=/dev/pts/0 ruser={user} rhost=  user={user}")
    };
    j.str("message", &msg);
    j.open("process");
    j.str("name", "sudo");
    j.u64("pid", 2_000 + cx.seq % 60_000);
    j.close();
    j.open("related");
    j.strs("hosts", &[&cx.host.name.to_ascii_lowercase()]);
    j.strs("user", &[user]);
    j.close();
    if ok {
        j.open("system");
        j.open("auth");
        j.open("sudo");
        j.str("command", command);
        j.str("pwd", cwd);
        j.str("tty", "pts/0");
        j.str("user", "root");
        j.close();
        j.close();
        j.close();
    }
    j.open("user");
    if ok {
        j.open("effective");
        j.str("name", "root");
        j.close();
    }
    j.str("name", user);
    j.close();
}

/// An sshd login line of the auth log.
pub(crate) fn ssh(j: &mut Json<'_>, cx: &Cx<'_>, ev: &Ev<'_>) {
    let Ev::Ssh {
        user,
        ok,
        method,
        src,
        port,
    } = *ev
    else {
        return;
    };
    super::preamble(j, cx, "system.auth", &cx.host.frag_agent_beat, ECS);
    j.open("event");
    j.str("action", "ssh_login");
    j.strs("category", &["authentication", "session"]);
    j.str("dataset", "system.auth");
    j.str("id", cx.id);
    j.time("ingested", cx.ingested);
    j.str("kind", "event");
    j.str("module", "system");
    j.str("outcome", if ok { "success" } else { "failure" });
    j.strs("type", &["info"]);
    j.close();
    let msg = format!(
        "{} {} for {}{} from {} port {} ssh2",
        if ok { "Accepted" } else { "Failed" },
        method,
        if ok { "" } else { "invalid user " },
        user,
        super::ip_str(src),
        port
    );
    j.str("message", &msg);
    j.open("process");
    j.str("name", "sshd");
    j.u64("pid", 1_000 + cx.seq % 60_000);
    j.close();
    j.open("related");
    j.strs("hosts", &[&cx.host.name.to_ascii_lowercase()]);
    j.strs("ip", &[&super::ip_str(src)]);
    j.strs("user", &[user]);
    j.close();
    j.open("source");
    ip(j, "address", src);
    ip(j, "ip", src);
    j.u64("port", u64::from(port));
    j.close();
    j.open("system");
    j.open("auth");
    j.open("ssh");
    j.str("event", if ok { "Accepted" } else { "Failed" });
    j.str("method", method);
    j.close();
    j.close();
    j.close();
    j.open("user");
    j.str("name", user);
    j.close();
}
