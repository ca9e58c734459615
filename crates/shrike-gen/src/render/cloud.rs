//! Cloud audit logs as Elastic Agent's integrations index them: AWS CloudTrail
//! (`logs-aws.cloudtrail-*`), Azure activity and sign-in logs, Okta system log, Google Cloud
//! audit logs.

use super::ip;
use crate::json::Json;

/// Per-document context of a cloud event (no host).
pub(crate) struct CloudCx<'a> {
    pub(crate) ts: i64,
    pub(crate) ingested: i64,
    pub(crate) id: &'a str,
}

/// An AWS principal as CloudTrail's `userIdentity` describes it.
pub(crate) struct AwsIdentity<'a> {
    pub(crate) kind: &'a str,
    pub(crate) arn: &'a str,
    pub(crate) name: &'a str,
    pub(crate) access_key: &'a str,
    pub(crate) account: &'a str,
}

/// A cloud control-plane event.
pub(crate) enum CloudEv<'a> {
    Aws {
        provider: &'a str,
        action: &'a str,
        read_only: bool,
        params: &'a str,
        region: &'a str,
        who: AwsIdentity<'a>,
        ok: bool,
        src: [u8; 4],
        agent: &'a str,
    },
    Azure {
        op: &'a str,
        category: &'a str,
        resource_id: &'a str,
        group: &'a str,
        provider: &'a str,
        caller: &'a str,
        subscription: &'a str,
        tenant: &'a str,
        ok: bool,
        src: [u8; 4],
    },
    AzureSignin {
        user: &'a str,
        app: &'a str,
        ok: bool,
        src: [u8; 4],
        agent: &'a str,
        tenant: &'a str,
        correlation: &'a str,
    },
    Okta {
        event_type: &'a str,
        message: &'a str,
        categories: &'a [&'a str],
        user: &'a str,
        app: &'a str,
        ok: bool,
        src: [u8; 4],
        agent: &'a str,
        session: &'a str,
    },
    Gcp {
        service: &'a str,
        method: &'a str,
        project: &'a str,
        principal: &'a str,
        ok: bool,
        src: [u8; 4],
        agent: &'a str,
        resource: &'a str,
    },
}

fn preamble(j: &mut Json<'_>, cx: &CloudCx<'_>, dataset: &str) {
    j.time("@timestamp", cx.ts);
    j.open("agent");
    j.str("id", "7d1a1c40-1b2f-4f8e-9a51-3c7b3a0c9e11");
    j.str("name", "cloud-collector");
    j.str("type", "filebeat");
    j.str("version", "8.15.3");
    j.close();
    j.open("data_stream");
    j.str("dataset", dataset);
    j.str("namespace", "default");
    j.str("type", "logs");
    j.close();
    j.open("ecs");
    j.str("version", "8.11.0");
    j.close();
}

#[allow(clippy::too_many_arguments)]
fn event(
    j: &mut Json<'_>,
    cx: &CloudCx<'_>,
    dataset: &str,
    module: &str,
    action: &str,
    provider: Option<&str>,
    categories: &[&str],
    types: &[&str],
    ok: bool,
) {
    j.open("event");
    j.str("action", action);
    j.strs("category", categories);
    j.time("created", cx.ts + 900);
    j.str("dataset", dataset);
    j.str("id", cx.id);
    j.time("ingested", cx.ingested);
    j.str("kind", "event");
    j.str("module", module);
    j.str("outcome", if ok { "success" } else { "failure" });
    if let Some(p) = provider {
        j.str("provider", p);
    }
    j.strs("type", types);
    j.close();
}

fn source(j: &mut Json<'_>, src: [u8; 4]) {
    j.open("source");
    ip(j, "address", src);
    ip(j, "ip", src);
    j.close();
}

/// Renders a cloud event.
pub(crate) fn render(j: &mut Json<'_>, cx: &CloudCx<'_>, ev: &CloudEv<'_>) {
    match ev {
        CloudEv::Aws {
            provider,
            action,
            read_only,
            params,
            region,
            who,
            ok,
            src,
            agent,
        } => {
            preamble(j, cx, "aws.cloudtrail");
            let cats: &[&str] = if provider.starts_with("iam.")
                || provider.starts_with("sts.")
                || provider.starts_with("signin.")
            {
                &["iam"]
            } else {
                &["configuration"]
            };
            let types: &[&str] = if *read_only { &["info"] } else { &["change"] };
            event(
                j,
                cx,
                "aws.cloudtrail",
                "aws",
                action,
                Some(provider),
                cats,
                types,
                *ok,
            );
            j.open("aws");
            j.open("cloudtrail");
            j.str(
                "event_category",
                if provider.starts_with("s3.") && action.ends_with("Object") {
                    "Data"
                } else {
                    "Management"
                },
            );
            j.str(
                "event_type",
                if *action == "ConsoleLogin" {
                    "AwsConsoleSignIn"
                } else {
                    "AwsApiCall"
                },
            );
            j.str("event_version", "1.09");
            j.bool(
                "management_event",
                !(provider.starts_with("s3.") && action.ends_with("Object")),
            );
            j.str("read_only", if *read_only { "true" } else { "false" });
            j.str("recipient_account_id", who.account);
            if !params.is_empty() {
                j.str("request_parameters", params);
            }
            j.str("request_id", cx.id);
            j.open("user_identity");
            if !who.access_key.is_empty() {
                j.str("access_key_id", who.access_key);
            }
            j.str("arn", who.arn);
            j.str("type", who.kind);
            j.close();
            if !*ok {
                j.str("error_code", "AccessDenied");
                j.str(
                    "error_message",
                    &format!("User: {} is not authorized to perform: {}", who.arn, action),
                );
            }
            j.close();
            j.close();
            j.open("cloud");
            j.open("account");
            j.str("id", who.account);
            j.close();
            j.str("provider", "aws");
            j.str("region", region);
            j.close();
            j.open("related");
            j.strs("user", &[who.name]);
            j.close();
            source(j, *src);
            j.open("user");
            j.str("id", who.arn);
            j.str("name", who.name);
            j.close();
            j.open("user_agent");
            j.str("original", agent);
            j.close();
        }
        CloudEv::Azure {
            op,
            category,
            resource_id,
            group,
            provider,
            caller,
            subscription,
            tenant,
            ok,
            src,
        } => {
            preamble(j, cx, "azure.activitylogs");
            event(
                j,
                cx,
                "azure.activitylogs",
                "azure",
                op,
                None,
                &["configuration"],
                &["change"],
                *ok,
            );
            j.open("azure");
            j.open("activitylogs");
            j.str("category", category);
            j.str("event_category", category);
            j.open("identity");
            j.open("claims_initiated_by_user");
            j.str("name", caller);
            j.close();
            j.close();
            j.str("operation_name", op);
            j.str("result_type", if *ok { "Success" } else { "Failure" });
            j.close();
            j.open("resource");
            j.str("group", group);
            j.str("id", resource_id);
            j.str("provider", provider);
            j.close();
            j.str("subscription_id", subscription);
            j.str("tenant_id", tenant);
            j.close();
            j.open("cloud");
            j.str("provider", "azure");
            j.close();
            source(j, *src);
            j.open("user");
            j.str("email", caller);
            j.str("name", caller);
            j.close();
        }
        CloudEv::AzureSignin {
            user,
            app,
            ok,
            src,
            agent,
            tenant,
            correlation,
        } => {
            preamble(j, cx, "azure.signinlogs");
            event(
                j,
                cx,
                "azure.signinlogs",
                "azure",
                "Sign-in activity",
                None,
                &["authentication"],
                &["info"],
                *ok,
            );
            j.open("azure");
            j.open("signinlogs");
            j.str("category", "SignInLogs");
            j.str("operation_name", "Sign-in activity");
            j.open("properties");
            j.str("app_display_name", app);
            j.str("app_id", "00000003-0000-0000-c000-000000000000");
            j.str("authentication_requirement", "multiFactorAuthentication");
            j.str("client_app_used", "Browser");
            j.str("conditional_access_status", "success");
            j.str("correlation_id", correlation);
            j.bool("is_interactive", true);
            j.str("resource_display_name", "Microsoft Graph");
            j.open("status");
            j.i64("error_code", if *ok { 0 } else { 50126 });
            j.close();
            j.str("user_principal_name", user);
            j.str("user_type", "Member");
            j.close();
            j.str("result_type", if *ok { "0" } else { "50126" });
            j.close();
            j.str("tenant_id", tenant);
            j.close();
            j.open("cloud");
            j.str("provider", "azure");
            j.close();
            source(j, *src);
            j.open("user");
            j.str("email", user);
            j.str("name", user);
            j.close();
            j.open("user_agent");
            j.str("original", agent);
            j.close();
        }
        CloudEv::Okta {
            event_type,
            message,
            categories,
            user,
            app,
            ok,
            src,
            agent,
            session,
        } => {
            preamble(j, cx, "okta.system");
            event(
                j,
                cx,
                "okta.system",
                "okta",
                event_type,
                None,
                categories,
                &["info"],
                *ok,
            );
            j.open("client");
            ip(j, "ip", *src);
            j.open("user");
            j.str("full_name", user);
            j.str("id", session);
            j.close();
            j.close();
            j.open("okta");
            j.open("actor");
            j.str("alternate_id", user);
            j.str("display_name", user);
            j.str("type", "User");
            j.close();
            j.open("authentication_context");
            j.str("external_session_id", session);
            j.close();
            j.open("client");
            ip(j, "ip", *src);
            j.open("user_agent");
            j.str("raw_user_agent", agent);
            j.close();
            j.str("zone", "null");
            j.close();
            j.str("display_message", message);
            j.str("event_type", event_type);
            j.open("outcome");
            j.str("result", if *ok { "SUCCESS" } else { "FAILURE" });
            j.close();
            if !app.is_empty() {
                j.open_arr("target");
                j.item_open();
                j.str("display_name", app);
                j.str("type", "AppInstance");
                j.close();
                j.close_arr();
            }
            j.close();
            j.open("related");
            j.strs("user", &[user]);
            j.close();
            source(j, *src);
            j.open("user");
            j.str("email", user);
            j.str("name", user);
            j.close();
            j.open("user_agent");
            j.str("original", agent);
            j.close();
        }
        CloudEv::Gcp {
            service,
            method,
            project,
            principal,
            ok,
            src,
            agent,
            resource,
        } => {
            preamble(j, cx, "gcp.audit");
            event(
                j,
                cx,
                "gcp.audit",
                "gcp",
                method,
                Some(service),
                &["configuration"],
                &["access"],
                *ok,
            );
            j.open("cloud");
            j.open("project");
            j.str("id", project);
            j.close();
            j.str("provider", "gcp");
            j.close();
            j.open("gcp");
            j.open("audit");
            j.open("authentication_info");
            j.str("principal_email", principal);
            j.close();
            j.str("method_name", method);
            j.str("resource_name", resource);
            j.str("service_name", service);
            j.open("status");
            j.i64("code", if *ok { 0 } else { 7 });
            j.close();
            j.str("type", "type.googleapis.com/google.cloud.audit.AuditLog");
            j.close();
            j.close();
            source(j, *src);
            j.open("user");
            j.str("email", principal);
            j.close();
            j.open("user_agent");
            j.str("original", agent);
            j.close();
        }
    }
}
