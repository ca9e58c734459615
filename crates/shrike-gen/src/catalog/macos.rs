//! macOS programs: launchd services, the apps of a laptop user, and a developer's terminal.

// Every entry ends with `..P` so the tables read alike, even where all fields are given.
#![allow(clippy::needless_update)]

use super::net::Group;
use super::{Act, Dir, FileOp, Peer, Port, Program, RunAs, P};

const APPLE: &str = "Software Signing";
const APPLE_443: Act = Act::Net {
    w: 4,
    dir: Dir::Egress,
    udp: false,
    peer: Peer::Internet(Group::Apple),
    port: Port::Fixed(443),
};

/// macOS programs.
pub(crate) const PROGRAMS: &[Program] = &[
    Program { name: "launchd", key: "launchd", path: "/sbin/launchd", cmds: &["/sbin/launchd"], signer: APPLE, run_as: RunAs::System, ..P },
    Program {
        name: "WindowServer",
        key: "WindowServer",
        path: "/System/Library/PrivateFrameworks/SkyLight.framework/Versions/A/Resources/WindowServer",
        cmds: &["/System/Library/PrivateFrameworks/SkyLight.framework/Resources/WindowServer -daemon"],
        signer: APPLE,
        parents: &["launchd"],
        run_as: RunAs::Service,
        ..P
    },
    Program {
        name: "mds",
        key: "mds",
        path: "/System/Library/Frameworks/CoreServices.framework/Versions/A/Frameworks/Metadata.framework/Versions/A/Support/mds",
        cmds: &["/System/Library/Frameworks/CoreServices.framework/Frameworks/Metadata.framework/Support/mds"],
        signer: APPLE,
        parents: &["launchd"],
        run_as: RunAs::System,
        acts: &[Act::File { w: 2, op: FileOp::Modify, path: "/private/var/db/Spotlight-V100/BootVolume/Store-V2/{GUID}/store.db" }],
        ..P
    },
    Program {
        name: "trustd",
        key: "trustd",
        path: "/usr/libexec/trustd",
        cmds: &["/usr/libexec/trustd"],
        signer: APPLE,
        parents: &["launchd"],
        run_as: RunAs::System,
        acts: &[APPLE_443],
        ..P
    },
    Program {
        name: "Finder",
        key: "Finder",
        path: "/System/Library/CoreServices/Finder.app/Contents/MacOS/Finder",
        cmds: &["/System/Library/CoreServices/Finder.app/Contents/MacOS/Finder"],
        signer: APPLE,
        parents: &["launchd"],
        run_as: RunAs::User,
        acts: &[
            Act::File { w: 2, op: FileOp::Modify, path: "/Users/{user}/Desktop/.DS_Store" },
            Act::File { w: 2, op: FileOp::Rename, path: "/Users/{user}/Documents/{doc}.{ext}" },
        ],
        ..P
    },
    Program {
        name: "Google Chrome",
        key: "Google Chrome",
        path: "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
        cmds: &["/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"],
        signer: "Developer ID Application: Google LLC (EQHXZ8M8AV)",
        parents: &["launchd"],
        run_as: RunAs::User,
        acts: &[
            Act::Net { w: 6, dir: Dir::Egress, udp: false, peer: Peer::Internet(Group::Web), port: Port::Fixed(443) },
            Act::Net { w: 3, dir: Dir::Egress, udp: true, peer: Peer::Internet(Group::Google), port: Port::Fixed(443) },
            Act::File { w: 3, op: FileOp::Create, path: "/Users/{user}/Library/Caches/Google/Chrome/Default/Cache/Cache_Data/f_{hex6}" },
            Act::File { w: 1, op: FileOp::Create, path: "/Users/{user}/Downloads/{doc}.{ext}" },
        ],
        ..P
    },
    Program {
        name: "Slack",
        key: "Slack",
        path: "/Applications/Slack.app/Contents/MacOS/Slack",
        cmds: &["/Applications/Slack.app/Contents/MacOS/Slack"],
        signer: "Developer ID Application: Slack Technologies, Inc. (BQR82RBBHL)",
        parents: &["launchd"],
        run_as: RunAs::User,
        acts: &[Act::Net { w: 4, dir: Dir::Egress, udp: false, peer: Peer::Internet(Group::Collab), port: Port::Fixed(443) }],
        ..P
    },
    Program {
        name: "elastic-endpoint",
        key: "elastic-endpoint",
        path: "/Library/Elastic/Endpoint/elastic-endpoint.app/Contents/MacOS/elastic-endpoint",
        cmds: &["/Library/Elastic/Endpoint/elastic-endpoint.app/Contents/MacOS/elastic-endpoint run"],
        signer: "Developer ID Application: Elasticsearch, Inc. (2BT3HPN62Z)",
        parents: &["launchd"],
        run_as: RunAs::System,
        acts: &[Act::Net { w: 2, dir: Dir::Egress, udp: false, peer: Peer::Server(super::net::Role::Fleet), port: Port::Fixed(9200) }],
        ..P
    },
    Program {
        name: "mdworker_shared",
        key: "mdworker_shared",
        path: "/System/Library/Frameworks/CoreServices.framework/Versions/A/Frameworks/Metadata.framework/Versions/A/Support/mdworker_shared",
        cmds: &["/System/Library/Frameworks/CoreServices.framework/Frameworks/Metadata.framework/Versions/A/Support/mdworker_shared -s mdworker -c MDSImporterWorker -m com.apple.mdworker.shared"],
        signer: APPLE,
        parents: &["launchd"],
        run_as: RunAs::User,
        weight: 8,
        life: (1_000, 60_000),
        ..P
    },
    Program {
        name: "XprotectService",
        key: "XprotectService",
        path: "/System/Library/PrivateFrameworks/XprotectFramework.framework/Versions/A/XPCServices/XprotectService.xpc/Contents/MacOS/XprotectService",
        cmds: &["/System/Library/PrivateFrameworks/XprotectFramework.framework/Versions/A/XPCServices/XprotectService.xpc/Contents/MacOS/XprotectService"],
        signer: APPLE,
        parents: &["launchd"],
        run_as: RunAs::User,
        weight: 3,
        life: (500, 10_000),
        ..P
    },
    Program {
        name: "softwareupdated",
        key: "softwareupdated",
        path: "/System/Library/PrivateFrameworks/SoftwareUpdate.framework/Versions/A/Resources/softwareupdated",
        cmds: &["/System/Library/PrivateFrameworks/SoftwareUpdate.framework/Resources/softwareupdated"],
        signer: APPLE,
        parents: &["launchd"],
        run_as: RunAs::System,
        weight: 1,
        life: (10_000, 300_000),
        acts: &[APPLE_443, Act::Dns { w: 1, group: Group::Apple }],
        n_acts: (1, 3),
        ..P
    },
    Program {
        name: "Google Chrome Helper (Renderer)",
        key: "chrome-helper",
        path: "/Applications/Google Chrome.app/Contents/Frameworks/Google Chrome Framework.framework/Versions/131.0.6778.86/Helpers/Google Chrome Helper (Renderer).app/Contents/MacOS/Google Chrome Helper (Renderer)",
        cmds: &["/Applications/Google Chrome.app/Contents/Frameworks/Google Chrome Framework.framework/Versions/131.0.6778.86/Helpers/Google Chrome Helper (Renderer).app/Contents/MacOS/Google Chrome Helper (Renderer) --type=renderer --lang=en-US --num-raster-threads=4 --enable-zero-copy --renderer-client-id={n} --seatbelt-client={n}"],
        signer: "Developer ID Application: Google LLC (EQHXZ8M8AV)",
        parents: &["Google Chrome"],
        run_as: RunAs::User,
        weight: 8,
        life: (2_000, 600_000),
        ..P
    },
    Program {
        name: "zsh",
        key: "zsh",
        path: "/bin/zsh",
        cmds: &["-zsh", "/bin/zsh -il"],
        signer: APPLE,
        parents: &["launchd"],
        run_as: RunAs::User,
        weight: 2,
        life: (60_000, 3_600_000),
        acts: &[
            Act::Spawn { w: 4, child: "mac-git" },
            Act::Spawn { w: 3, child: "mac-ls" },
            Act::Spawn { w: 2, child: "brew" },
            Act::Spawn { w: 1, child: "mac-python3" },
            Act::File { w: 1, op: FileOp::Modify, path: "/Users/{user}/.zsh_history" },
        ],
        n_acts: (1, 5),
        cwd: "/Users/{user}",
        ..P
    },
    Program {
        name: "git",
        key: "mac-git",
        path: "/Applications/Xcode.app/Contents/Developer/usr/bin/git",
        cmds: &["git status", "git pull --rebase", "git push origin main", "git diff"],
        signer: APPLE,
        run_as: RunAs::User,
        life: (20, 5_000),
        acts: &[Act::Net { w: 2, dir: Dir::Egress, udp: false, peer: Peer::Internet(Group::Dev), port: Port::Fixed(443) }],
        n_acts: (0, 1),
        cwd: "/Users/{user}/src/{word}",
        ..P
    },
    Program { name: "ls", key: "mac-ls", path: "/bin/ls", cmds: &["ls -la", "ls"], signer: APPLE, run_as: RunAs::User, life: (2, 50), cwd: "/Users/{user}", ..P },
    Program {
        name: "ruby",
        key: "brew",
        path: "/opt/homebrew/Library/Homebrew/vendor/portable-ruby/3.3.6/bin/ruby",
        cmds: &["/opt/homebrew/Library/Homebrew/vendor/portable-ruby/current/bin/ruby -W1 --disable=gems,rubyopt /opt/homebrew/Library/Homebrew/brew.rb update", "/opt/homebrew/Library/Homebrew/vendor/portable-ruby/current/bin/ruby -W1 --disable=gems,rubyopt /opt/homebrew/Library/Homebrew/brew.rb outdated"],
        run_as: RunAs::User,
        life: (1_000, 30_000),
        acts: &[Act::Net { w: 2, dir: Dir::Egress, udp: false, peer: Peer::Internet(Group::Dev), port: Port::Fixed(443) }],
        n_acts: (1, 2),
        cwd: "/Users/{user}",
        ..P
    },
    Program {
        name: "python3.12",
        key: "mac-python3",
        path: "/opt/homebrew/Cellar/python@3.12/3.12.7/Frameworks/Python.framework/Versions/3.12/bin/python3.12",
        cmds: &["python3 -m pytest -q", "python3 notebook_export.py"],
        run_as: RunAs::User,
        life: (500, 120_000),
        cwd: "/Users/{user}/src/{word}",
        ..P
    },
];

/// Residents of every Mac.
pub(crate) const BOOT: &[&str] = &[
    "launchd",
    "WindowServer",
    "mds",
    "trustd",
    "elastic-endpoint",
];
/// Residents of the user session.
pub(crate) const SESSION: &[&str] = &["Finder", "Google Chrome", "Slack"];
