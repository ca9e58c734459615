//! Networks: the internal address plan, server roles, and internet services (domains with
//! addresses in the ranges their operators actually announce).

/// A family of internet services, used to pick plausible destinations per program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Group {
    Microsoft,
    Google,
    Web,
    Collab,
    Aws,
    LinuxRepo,
    Apple,
    Dev,
}

/// An internet service: a DNS name and an address it resolves to.
pub(crate) struct Service {
    pub(crate) group: Group,
    pub(crate) domain: &'static str,
    pub(crate) ip: [u8; 4],
}

macro_rules! svc {
    ($g:ident, $d:expr, $a:expr, $b:expr, $c:expr, $e:expr) => {
        Service {
            group: Group::$g,
            domain: $d,
            ip: [$a, $b, $c, $e],
        }
    };
}

/// Internet services by group.
pub(crate) const SERVICES: &[Service] = &[
    svc!(Microsoft, "login.microsoftonline.com", 20, 190, 151, 68),
    svc!(Microsoft, "settings-win.data.microsoft.com", 20, 42, 73, 29),
    svc!(Microsoft, "v10.events.data.microsoft.com", 13, 89, 179, 12),
    svc!(Microsoft, "ctldl.windowsupdate.com", 93, 184, 221, 240),
    svc!(
        Microsoft,
        "fe3cr.delivery.mp.microsoft.com",
        20,
        72,
        235,
        82
    ),
    svc!(Microsoft, "wdcp.microsoft.com", 20, 54, 24, 148),
    svc!(Microsoft, "go.microsoft.com", 104, 71, 216, 15),
    svc!(Microsoft, "officeclient.microsoft.com", 52, 109, 56, 131),
    svc!(Microsoft, "outlook.office365.com", 52, 96, 88, 162),
    svc!(Microsoft, "graph.microsoft.com", 20, 190, 132, 43),
    svc!(Microsoft, "onedrive.live.com", 13, 107, 42, 13),
    svc!(Microsoft, "oneclient.sfx.ms", 152, 199, 19, 161),
    svc!(Google, "www.google.com", 142, 250, 185, 196),
    svc!(Google, "clients2.google.com", 142, 250, 74, 110),
    svc!(Google, "update.googleapis.com", 142, 251, 32, 67),
    svc!(Google, "fonts.gstatic.com", 142, 250, 180, 3),
    svc!(Google, "accounts.google.com", 142, 250, 72, 237),
    svc!(Google, "www.youtube.com", 142, 250, 64, 78),
    svc!(Web, "www.wikipedia.org", 208, 80, 154, 224),
    svc!(Web, "www.linkedin.com", 13, 107, 42, 14),
    svc!(Web, "cdn.jsdelivr.net", 151, 101, 1, 229),
    svc!(Web, "www.nytimes.com", 151, 101, 193, 164),
    svc!(Web, "ajax.cloudflare.com", 104, 16, 132, 229),
    svc!(Web, "www.salesforce.com", 104, 109, 10, 129),
    svc!(Web, "www.bbc.co.uk", 151, 101, 0, 81),
    svc!(Web, "stackoverflow.com", 172, 64, 155, 249),
    svc!(Collab, "slack.com", 34, 226, 36, 52),
    svc!(Collab, "wss-primary.slack.com", 54, 92, 203, 12),
    svc!(Collab, "zoom.us", 170, 114, 52, 2),
    svc!(Collab, "teams.microsoft.com", 52, 113, 194, 132),
    svc!(Collab, "api.dropboxapi.com", 162, 125, 6, 20),
    svc!(Aws, "s3.amazonaws.com", 52, 216, 8, 181),
    svc!(Aws, "sts.amazonaws.com", 209, 54, 177, 164),
    svc!(Aws, "ec2.us-east-1.amazonaws.com", 67, 220, 224, 36),
    svc!(Aws, "monitoring.us-east-1.amazonaws.com", 72, 21, 206, 186),
    svc!(LinuxRepo, "deb.debian.org", 151, 101, 2, 132),
    svc!(LinuxRepo, "security.debian.org", 151, 101, 130, 132),
    svc!(LinuxRepo, "archive.ubuntu.com", 91, 189, 91, 83),
    svc!(LinuxRepo, "security.ubuntu.com", 185, 125, 190, 39),
    svc!(LinuxRepo, "download.docker.com", 18, 160, 10, 30),
    svc!(LinuxRepo, "artifacts.elastic.co", 34, 120, 127, 130),
    svc!(Apple, "gateway.icloud.com", 17, 248, 185, 139),
    svc!(Apple, "swscan.apple.com", 17, 253, 53, 207),
    svc!(Apple, "gs.apple.com", 17, 111, 105, 243),
    svc!(Apple, "mesu.apple.com", 17, 253, 119, 202),
    svc!(Apple, "ocsp.apple.com", 17, 253, 37, 203),
    svc!(Dev, "github.com", 140, 82, 112, 3),
    svc!(Dev, "api.github.com", 140, 82, 112, 5),
    svc!(Dev, "registry.npmjs.org", 104, 16, 27, 34),
    svc!(Dev, "pypi.org", 151, 101, 64, 223),
    svc!(Dev, "files.pythonhosted.org", 151, 101, 1, 63),
    svc!(Dev, "proxy.golang.org", 142, 251, 41, 17),
    svc!(Dev, "index.crates.io", 18, 161, 6, 104),
];

/// Indices into [`SERVICES`] per group, computed once.
pub(crate) fn services(group: Group) -> impl Iterator<Item = &'static Service> {
    SERVICES.iter().filter(move |s| s.group == group)
}

/// The role of an internal server that others talk to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    DomainController,
    FileServer,
    WebApp,
    Database,
    Fleet,
    Proxy,
}

/// Fixed internal infrastructure: (role, address, name).
pub(crate) const INFRA: &[(Role, [u8; 4], &str)] = &[
    (Role::DomainController, [10, 0, 0, 10], "dc01"),
    (Role::DomainController, [10, 0, 0, 11], "dc02"),
    (Role::FileServer, [10, 0, 1, 20], "fs01"),
    (Role::WebApp, [10, 0, 2, 30], "intranet"),
    (Role::WebApp, [10, 0, 2, 31], "jira"),
    (Role::Database, [10, 0, 3, 40], "pgsql01"),
    (Role::Fleet, [10, 0, 4, 50], "fleet"),
    (Role::Proxy, [10, 0, 5, 60], "proxy"),
];

/// The internal DNS domain.
pub(crate) const AD_DOMAIN: &str = "corp.example.com";
/// The NetBIOS domain name.
pub(crate) const NETBIOS: &str = "CORP";
/// The e-mail domain of the organisation.
pub(crate) const MAIL_DOMAIN: &str = "example.com";

/// Remote address blocks clients of public services come from (a handful of ISP and cloud
/// ranges), as (first octet, second octet).
pub(crate) const CLIENT_NETS: &[(u8, u8)] = &[
    (73, 15),
    (24, 6),
    (86, 150),
    (81, 2),
    (98, 207),
    (92, 40),
    (31, 13),
    (176, 32),
    (45, 33),
    (66, 249),
    (49, 36),
    (41, 190),
];
