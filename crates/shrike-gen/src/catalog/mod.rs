//! What the generated machines run: programs, their usual parents and command lines, and what
//! they do while alive (connect, resolve, write files, set registry values, load libraries,
//! start children). The tables are data, written from how these systems behave in practice, so
//! that Elastic's rules see the binaries, paths, arguments and values they are written against,
//! overwhelmingly in their benign forms.
//!
//! Templates in strings are expanded by [`crate::expand`]: `{user}`, `{sid}`, `{guid}`, `{hex8}`,
//! `{n}`, `{doc}`, `{exe}` and friends.

pub(crate) mod cloud;
pub(crate) mod linux;
pub(crate) mod macos;
pub(crate) mod net;
pub(crate) mod windows;

/// The operating system family of a host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Os {
    Windows,
    Linux,
    Macos,
}

/// Whose account a program runs under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RunAs {
    /// `NT AUTHORITY\SYSTEM` / `root`.
    System,
    /// A service account (`LOCAL SERVICE`, `NETWORK SERVICE`, `www-data`, `postgres`, `_spotlight`).
    Service,
    /// The interactive user of the session.
    User,
}

/// Direction of a connection as seen from the host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dir {
    Egress,
    Ingress,
}

/// Who is at the other end of a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Peer {
    /// An internet service of the given group (see [`net::SERVICES`]).
    Internet(net::Group),
    /// An internal server with the given role.
    Server(net::Role),
    /// Any internal workstation or server.
    Internal,
    /// A remote address on the internet (clients of a public web server).
    Anywhere,
    /// The host itself.
    Loopback,
}

/// A port choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Port {
    Fixed(u16),
    /// The dynamic RPC range (49152-65535) used by Windows services.
    Dynamic,
}

/// A file operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FileOp {
    Create,
    Modify,
    Delete,
    Rename,
}

/// Registry value data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RegData {
    Dword(u32),
    /// A random DWORD.
    AnyDword,
    Sz(&'static str),
    Binary,
}

/// One thing a process may do while alive, with a relative weight.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Act {
    Net {
        w: u32,
        dir: Dir,
        udp: bool,
        peer: Peer,
        port: Port,
    },
    Dns {
        w: u32,
        group: net::Group,
    },
    File {
        w: u32,
        op: FileOp,
        path: &'static str,
    },
    Reg {
        w: u32,
        /// Full path with the hive first (`HKLM\...`, `HKU\{sid}\...`), value name last.
        path: &'static str,
        data: RegData,
    },
    Lib {
        w: u32,
        dlls: &'static [&'static str],
    },
    Spawn {
        w: u32,
        child: &'static str,
    },
}

impl Act {
    pub(crate) fn weight(&self) -> u32 {
        match *self {
            Act::Net { w, .. }
            | Act::Dns { w, .. }
            | Act::File { w, .. }
            | Act::Reg { w, .. }
            | Act::Lib { w, .. }
            | Act::Spawn { w, .. } => w,
        }
    }
}

/// A program: an executable with its metadata and habits.
#[derive(Debug)]
pub(crate) struct Program {
    /// `process.name`.
    pub(crate) name: &'static str,
    /// A key to tell apart programs sharing a name (svchost groups, browser helpers); usually
    /// equal to `name`.
    pub(crate) key: &'static str,
    /// `process.executable` template.
    pub(crate) path: &'static str,
    /// `process.pe.original_file_name` (Windows).
    pub(crate) original: &'static str,
    /// `process.pe.description`.
    pub(crate) description: &'static str,
    /// `process.pe.company`.
    pub(crate) company: &'static str,
    /// `process.pe.product`.
    pub(crate) product: &'static str,
    /// `process.pe.file_version`.
    pub(crate) version: &'static str,
    /// `process.code_signature.subject_name`; empty when unsigned.
    pub(crate) signer: &'static str,
    /// Command line templates; `{exe}` is the executable (quoted when it has spaces).
    pub(crate) cmds: &'static [&'static str],
    /// Keys of the programs that usually start this one (first found on the host wins).
    pub(crate) parents: &'static [&'static str],
    /// The account it runs as.
    pub(crate) run_as: RunAs,
    /// How often it is started, relative to the other programs of its OS (0: only as a
    /// resident or a child).
    pub(crate) weight: u32,
    /// How long it lives, in milliseconds (min, max).
    pub(crate) life: (u32, u32),
    /// What it does while alive.
    pub(crate) acts: &'static [Act],
    /// How many acts per run (min, max).
    pub(crate) n_acts: (u8, u8),
    /// Working directory template.
    pub(crate) cwd: &'static str,
}

/// A default program, for struct update syntax in the tables.
pub(crate) const P: Program = Program {
    name: "",
    key: "",
    path: "",
    original: "",
    description: "",
    company: "",
    product: "",
    version: "",
    signer: "",
    cmds: &["{exe}"],
    parents: &[],
    run_as: RunAs::User,
    weight: 0,
    life: (200, 5_000),
    acts: &[],
    n_acts: (0, 0),
    cwd: "",
};

/// The program table of an OS.
pub(crate) fn programs(os: Os) -> &'static [Program] {
    match os {
        Os::Windows => windows::PROGRAMS,
        Os::Linux => linux::PROGRAMS,
        Os::Macos => macos::PROGRAMS,
    }
}

/// Finds a program by key.
pub(crate) fn program(os: Os, key: &str) -> Option<&'static Program> {
    programs(os).iter().find(|p| p.key == key)
}

/// First names for generated people.
pub(crate) const FIRST: &[&str] = &[
    "james",
    "mary",
    "robert",
    "patricia",
    "john",
    "jennifer",
    "michael",
    "linda",
    "david",
    "elizabeth",
    "william",
    "barbara",
    "richard",
    "susan",
    "joseph",
    "jessica",
    "thomas",
    "sarah",
    "charles",
    "karen",
    "daniel",
    "nancy",
    "matthew",
    "lisa",
    "anthony",
    "betty",
    "mark",
    "margaret",
    "paul",
    "sandra",
    "steven",
    "ashley",
    "andrew",
    "emily",
    "kenneth",
    "donna",
    "joshua",
    "michelle",
    "kevin",
    "carol",
    "brian",
    "amanda",
    "george",
    "melissa",
    "timothy",
    "deborah",
    "ronald",
    "stephanie",
    "jason",
    "rebecca",
    "ryan",
    "laura",
    "jacob",
    "helen",
    "gary",
    "sharon",
    "nicholas",
    "cynthia",
    "eric",
    "kathleen",
    "priya",
    "wei",
    "ahmed",
    "sofia",
    "lucas",
    "chloe",
    "mateo",
    "yuki",
    "olga",
    "fatima",
    "arjun",
    "ines",
    "noah",
    "hana",
];

/// Last names for generated people.
pub(crate) const LAST: &[&str] = &[
    "smith",
    "johnson",
    "williams",
    "brown",
    "jones",
    "garcia",
    "miller",
    "davis",
    "rodriguez",
    "martinez",
    "hernandez",
    "lopez",
    "gonzalez",
    "wilson",
    "anderson",
    "thomas",
    "taylor",
    "moore",
    "jackson",
    "martin",
    "lee",
    "perez",
    "thompson",
    "white",
    "harris",
    "sanchez",
    "clark",
    "ramirez",
    "lewis",
    "robinson",
    "walker",
    "young",
    "allen",
    "king",
    "wright",
    "scott",
    "torres",
    "nguyen",
    "hill",
    "flores",
    "green",
    "adams",
    "nelson",
    "baker",
    "hall",
    "rivera",
    "campbell",
    "mitchell",
    "carter",
    "roberts",
    "patel",
    "kim",
    "chen",
    "mueller",
    "rossi",
    "dubois",
    "silva",
    "tanaka",
    "kowalski",
    "novak",
];

/// Document base names users work on.
pub(crate) const DOCS: &[&str] = &[
    "Q3 Forecast",
    "Budget 2025",
    "meeting notes",
    "Project Plan",
    "invoice_10423",
    "Roadmap",
    "onboarding checklist",
    "Sales Pipeline",
    "architecture",
    "report-final",
    "Timesheet",
    "contract draft v2",
    "Org Chart",
    "KPI dashboard",
    "release-notes",
    "vendor list",
    "expenses march",
    "design review",
    "customer feedback",
    "inventory",
];

/// Document extensions and how common they are.
pub(crate) const DOC_EXTS: &[&str] = &["docx", "xlsx", "pptx", "pdf", "txt", "csv", "png", "zip"];

/// Words for file names and task names.
pub(crate) const WORDS: &[&str] = &[
    "alpha", "backup", "cache", "data", "export", "final", "images", "logs", "metrics", "notes",
    "old", "prod", "report", "staging", "temp", "update", "users", "build", "config", "assets",
];
