//! The Windows Security channel as Elastic Agent's System integration indexes it
//! (`logs-system.security-*`).

use super::{ip, ip_str, Cx, Ev, Logon};
use crate::json::Json;
use crate::rng::Rng;

const ECS: &str = "8.11.0";
const PROVIDER_GUID: &str = "{54849625-5478-4994-a5ba-3e3b0328c30d}";

/// `winlog.logon.type` names by logon type number, as the System integration maps them.
fn logon_type_name(t: u8) -> &'static str {
    match t {
        2 => "Interactive",
        3 => "Network",
        4 => "Batch",
        5 => "Service",
        7 => "Unlock",
        8 => "NetworkCleartext",
        9 => "NewCredentials",
        10 => "RemoteInteractive",
        11 => "CachedInteractive",
        _ => "Unknown",
    }
}

#[allow(clippy::too_many_arguments)]
fn head(
    j: &mut Json<'_>,
    cx: &Cx<'_>,
    code: u16,
    action: &str,
    categories: &[&str],
    types: &[&str],
    outcome: &str,
) {
    super::preamble(j, cx, "system.security", &cx.host.frag_agent_beat, ECS);
    j.open("event");
    j.str("action", action);
    j.strs("category", categories);
    j.str("code", &code.to_string());
    j.time("created", cx.ts + 40);
    j.str("dataset", "system.security");
    j.str("id", cx.id);
    j.time("ingested", cx.ingested);
    j.str("kind", "event");
    j.str("module", "system");
    j.str("outcome", outcome);
    j.str("provider", "Microsoft-Windows-Security-Auditing");
    j.strs("type", types);
    j.close();
    j.open("log");
    j.str("level", "information");
    j.close();
}

fn winlog_tail(j: &mut Json<'_>, cx: &Cx<'_>, code: u16, task: &str, ok: bool, rng: &mut Rng) {
    j.str("channel", "Security");
    j.str(
        "computer_name",
        &format!("{}.{}", cx.host.name, crate::catalog::net::AD_DOMAIN),
    );
    j.str("event_id", &code.to_string());
    j.strs(
        "keywords",
        &[if ok { "Audit Success" } else { "Audit Failure" }],
    );
    j.str("opcode", "Info");
    j.open("process");
    j.u64("pid", 700 + u64::from(cx.host.guid_prefix % 100) * 4);
    j.open("thread");
    j.u64("id", rng.range(700, 9_000));
    j.close();
    j.close();
    j.str("provider_guid", PROVIDER_GUID);
    j.str("provider_name", "Microsoft-Windows-Security-Auditing");
    j.str("record_id", &cx.seq.to_string());
    j.str("task", task);
}

/// 4624 / 4625 / 4634 / 4672.
pub(crate) fn logon(j: &mut Json<'_>, cx: &Cx<'_>, l: &Logon<'_>, rng: &mut Rng) {
    let (action, cats, types, outcome, task): (&str, &[&str], &[&str], &str, &str) = match l.code {
        4624 => (
            "logged-in",
            &["authentication"],
            &["start"],
            "success",
            "Logon",
        ),
        4625 => (
            "logon-failed",
            &["authentication"],
            &["start"],
            "failure",
            "Logon",
        ),
        4634 => (
            "logged-out",
            &["authentication"],
            &["end"],
            "success",
            "Logoff",
        ),
        _ => (
            "logged-in-special",
            &["iam"],
            &["admin"],
            "success",
            "Special Logon",
        ),
    };
    head(j, cx, l.code, action, cats, types, outcome);
    j.open("related");
    if let Some(src) = l.source {
        j.strs("ip", &[&ip_str(src)]);
    }
    j.strs("user", &[l.user]);
    j.close();
    if let Some(src) = l.source {
        j.open("source");
        if !l.workstation.is_empty() {
            j.str("domain", l.workstation);
        }
        ip(j, "ip", src);
        j.u64("port", rng.range(49_152, 65_535));
        j.close();
    }
    j.open("user");
    j.str("domain", l.domain);
    j.str("id", l.user_sid);
    j.str("name", l.user);
    j.close();
    let logon_id = format!("0x{:x}", l.logon_id);
    j.open("winlog");
    j.open("event_data");
    match l.code {
        4624 | 4625 => {
            j.str(
                "AuthenticationPackageName",
                if l.kerberos { "Kerberos" } else { "NTLM" },
            );
            if l.source.is_some() {
                j.str("IpAddress", &l.source.map(ip_str).unwrap_or_default());
            }
            j.str(
                "LogonProcessName",
                if l.kerberos { "Kerberos" } else { "NtLmSsp " },
            );
            j.str("LogonType", &l.logon_type.to_string());
            j.str("SubjectDomainName", "-");
            j.str("SubjectUserName", "-");
            j.str("SubjectUserSid", "S-1-0-0");
            if l.code == 4625 {
                j.str("Status", "0xc000006d");
                j.str("SubStatus", "0xc000006a");
                j.str("FailureReason", "%%2313");
            } else {
                j.str("ElevatedToken", "%%1843");
                j.str("ImpersonationLevel", "%%1833");
                j.str("TargetLogonId", &logon_id);
                j.str("VirtualAccount", "%%1843");
            }
            j.str("TargetDomainName", l.domain);
            j.str("TargetUserName", l.user);
            j.str("TargetUserSid", l.user_sid);
            if !l.workstation.is_empty() {
                j.str("WorkstationName", l.workstation);
            }
        }
        4634 => {
            j.str("LogonType", &l.logon_type.to_string());
            j.str("TargetDomainName", l.domain);
            j.str("TargetLogonId", &logon_id);
            j.str("TargetUserName", l.user);
            j.str("TargetUserSid", l.user_sid);
        }
        _ => {
            j.str("PrivilegeList", "SeSecurityPrivilege\n\t\t\tSeBackupPrivilege\n\t\t\tSeRestorePrivilege\n\t\t\tSeTakeOwnershipPrivilege\n\t\t\tSeDebugPrivilege\n\t\t\tSeSystemEnvironmentPrivilege\n\t\t\tSeLoadDriverPrivilege\n\t\t\tSeImpersonatePrivilege\n\t\t\tSeDelegateSessionUserImpersonatePrivilege");
            j.str("SubjectDomainName", l.domain);
            j.str("SubjectLogonId", &logon_id);
            j.str("SubjectUserName", l.user);
            j.str("SubjectUserSid", l.user_sid);
        }
    }
    j.close();
    if l.code != 4672 {
        j.open("logon");
        j.str("id", &logon_id);
        j.str("type", logon_type_name(l.logon_type));
        j.close();
    }
    winlog_tail(j, cx, l.code, task, l.code != 4625, rng);
    j.close();
}

/// 4724 (password reset) and 4738 (account changed), performed by an administrator on a DC.
pub(crate) fn account(j: &mut Json<'_>, cx: &Cx<'_>, ev: &Ev<'_>, rng: &mut Rng) {
    let Ev::Account {
        code,
        actor,
        target,
        target_sid,
    } = *ev
    else {
        return;
    };
    let action = if code == 4724 {
        "reset-password"
    } else {
        "modified-user-account"
    };
    head(
        j,
        cx,
        code,
        action,
        &["iam"],
        &["user", "change"],
        "success",
    );
    j.open("group");
    j.str("domain", crate::catalog::net::NETBIOS);
    j.close();
    j.open("related");
    j.strs("user", &[actor, target]);
    j.close();
    j.open("user");
    j.str("domain", crate::catalog::net::NETBIOS);
    j.str("name", actor);
    j.open("target");
    j.str("domain", crate::catalog::net::NETBIOS);
    j.str("id", target_sid);
    j.str("name", target);
    j.close();
    j.close();
    j.open("winlog");
    j.open("event_data");
    j.str("SubjectDomainName", crate::catalog::net::NETBIOS);
    j.str("SubjectUserName", actor);
    j.str("TargetDomainName", crate::catalog::net::NETBIOS);
    j.str("TargetSid", target_sid);
    j.str("TargetUserName", target);
    j.close();
    winlog_tail(j, cx, code, "User Account Management", true, rng);
    j.close();
}
