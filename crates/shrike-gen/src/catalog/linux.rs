//! Linux programs: systemd services of a server fleet, SSH sessions of administrators and
//! developers, cron and timer jobs, and the commands they run.

// Every entry ends with `..P` so the tables read alike, even where all fields are given.
#![allow(clippy::needless_update)]

use super::net::{Group, Role};
use super::{Act, Dir, FileOp, Peer, Port, Program, RunAs, P};

const SSH_IN: Act = Act::Net {
    w: 4,
    dir: Dir::Ingress,
    udp: false,
    peer: Peer::Internal,
    port: Port::Fixed(22),
};

/// Linux programs. Residents have weight 0 and no parents (or a resident parent).
pub(crate) const PROGRAMS: &[Program] = &[
    // --- residents ---------------------------------------------------------------------------
    Program {
        name: "systemd",
        key: "systemd",
        path: "/usr/lib/systemd/systemd",
        cmds: &["/sbin/init", "/usr/lib/systemd/systemd --switched-root --system --deserialize=31"],
        run_as: RunAs::System,
        ..P
    },
    Program {
        name: "systemd-journald",
        key: "systemd-journald",
        path: "/usr/lib/systemd/systemd-journald",
        cmds: &["/usr/lib/systemd/systemd-journald"],
        parents: &["systemd"],
        run_as: RunAs::System,
        acts: &[Act::File { w: 4, op: FileOp::Modify, path: "/var/log/journal/{hex16}{hex16}/system.journal" }],
        ..P
    },
    Program {
        name: "sshd",
        key: "sshd",
        path: "/usr/sbin/sshd",
        cmds: &["sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups"],
        parents: &["systemd"],
        run_as: RunAs::System,
        acts: &[SSH_IN],
        ..P
    },
    Program {
        name: "cron",
        key: "cron",
        path: "/usr/sbin/cron",
        cmds: &["/usr/sbin/cron -f -P"],
        parents: &["systemd"],
        run_as: RunAs::System,
        ..P
    },
    Program {
        name: "rsyslogd",
        key: "rsyslogd",
        path: "/usr/sbin/rsyslogd",
        cmds: &["/usr/sbin/rsyslogd -n -iNONE"],
        parents: &["systemd"],
        run_as: RunAs::Service,
        acts: &[
            Act::File { w: 4, op: FileOp::Modify, path: "/var/log/syslog" },
            Act::File { w: 2, op: FileOp::Modify, path: "/var/log/auth.log" },
        ],
        ..P
    },
    Program {
        name: "systemd-resolved",
        key: "systemd-resolved",
        path: "/usr/lib/systemd/systemd-resolved",
        cmds: &["/usr/lib/systemd/systemd-resolved"],
        parents: &["systemd"],
        run_as: RunAs::Service,
        acts: &[Act::Net { w: 4, dir: Dir::Egress, udp: true, peer: Peer::Server(Role::DomainController), port: Port::Fixed(53) }],
        ..P
    },
    Program {
        name: "chronyd",
        key: "chronyd",
        path: "/usr/sbin/chronyd",
        cmds: &["/usr/sbin/chronyd -F 1"],
        parents: &["systemd"],
        run_as: RunAs::Service,
        acts: &[Act::Net { w: 1, dir: Dir::Egress, udp: true, peer: Peer::Server(Role::DomainController), port: Port::Fixed(123) }],
        ..P
    },
    Program {
        name: "elastic-agent",
        key: "elastic-agent",
        path: "/opt/Elastic/Agent/elastic-agent",
        cmds: &["/opt/Elastic/Agent/elastic-agent"],
        parents: &["systemd"],
        run_as: RunAs::System,
        acts: &[
            Act::Net { w: 5, dir: Dir::Egress, udp: false, peer: Peer::Server(Role::Fleet), port: Port::Fixed(8220) },
            Act::Net { w: 2, dir: Dir::Egress, udp: false, peer: Peer::Server(Role::Fleet), port: Port::Fixed(9200) },
            Act::File { w: 2, op: FileOp::Modify, path: "/opt/Elastic/Agent/data/elastic-agent-8.15.3-3f1f3a/logs/elastic-agent-{date}.ndjson" },
        ],
        ..P
    },
    Program {
        name: "containerd",
        key: "containerd",
        path: "/usr/bin/containerd",
        cmds: &["/usr/bin/containerd"],
        parents: &["systemd"],
        run_as: RunAs::System,
        acts: &[Act::File { w: 2, op: FileOp::Modify, path: "/var/lib/containerd/io.containerd.metadata.v1.bolt/meta.db" }],
        ..P
    },
    Program {
        name: "dockerd",
        key: "dockerd",
        path: "/usr/bin/dockerd",
        cmds: &["/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock"],
        parents: &["systemd"],
        run_as: RunAs::System,
        acts: &[Act::Net { w: 2, dir: Dir::Egress, udp: false, peer: Peer::Internet(Group::LinuxRepo), port: Port::Fixed(443) }],
        ..P
    },
    Program {
        name: "nginx",
        key: "nginx",
        path: "/usr/sbin/nginx",
        cmds: &["nginx: worker process"],
        parents: &["systemd"],
        run_as: RunAs::Service,
        acts: &[
            Act::Net { w: 8, dir: Dir::Ingress, udp: false, peer: Peer::Anywhere, port: Port::Fixed(443) },
            Act::Net { w: 2, dir: Dir::Ingress, udp: false, peer: Peer::Anywhere, port: Port::Fixed(80) },
            Act::Net { w: 4, dir: Dir::Egress, udp: false, peer: Peer::Loopback, port: Port::Fixed(8080) },
            Act::File { w: 3, op: FileOp::Modify, path: "/var/log/nginx/access.log" },
        ],
        ..P
    },
    Program {
        name: "java",
        key: "java",
        path: "/usr/lib/jvm/java-17-openjdk-amd64/bin/java",
        cmds: &["/usr/lib/jvm/java-17-openjdk-amd64/bin/java -Xms2g -Xmx2g -XX:+UseG1GC -Dspring.profiles.active=prod -jar /opt/app/orders-service.jar"],
        parents: &["systemd"],
        run_as: RunAs::Service,
        acts: &[
            Act::Net { w: 5, dir: Dir::Ingress, udp: false, peer: Peer::Loopback, port: Port::Fixed(8080) },
            Act::Net { w: 4, dir: Dir::Egress, udp: false, peer: Peer::Server(Role::Database), port: Port::Fixed(5432) },
            Act::File { w: 2, op: FileOp::Modify, path: "/var/log/app/orders-service.log" },
        ],
        ..P
    },
    Program {
        name: "postgres",
        key: "postgres",
        path: "/usr/lib/postgresql/16/bin/postgres",
        cmds: &["/usr/lib/postgresql/16/bin/postgres -D /var/lib/postgresql/16/main -c config_file=/etc/postgresql/16/main/postgresql.conf"],
        parents: &["systemd"],
        run_as: RunAs::Service,
        acts: &[
            Act::Net { w: 6, dir: Dir::Ingress, udp: false, peer: Peer::Internal, port: Port::Fixed(5432) },
            Act::File { w: 3, op: FileOp::Modify, path: "/var/lib/postgresql/16/main/pg_wal/0000000100000{HEX4}000000{HEX4}" },
        ],
        ..P
    },
    // --- started by the system ---------------------------------------------------------------
    Program {
        name: "sshd",
        key: "sshd#session",
        path: "/usr/sbin/sshd",
        cmds: &["sshd: {user} [priv]", "sshd: {user}@pts/{n1}"],
        parents: &["sshd"],
        run_as: RunAs::System,
        life: (60_000, 3_600_000),
        ..P
    },
    Program {
        name: "bash",
        key: "bash#login",
        path: "/usr/bin/bash",
        cmds: &["-bash"],
        parents: &["sshd#session"],
        run_as: RunAs::User,
        weight: 3,
        life: (60_000, 3_600_000),
        acts: &[
            Act::Spawn { w: 6, child: "ls" },
            Act::Spawn { w: 3, child: "cat" },
            Act::Spawn { w: 3, child: "grep" },
            Act::Spawn { w: 2, child: "ps" },
            Act::Spawn { w: 2, child: "tail" },
            Act::Spawn { w: 2, child: "systemctl" },
            Act::Spawn { w: 2, child: "sudo" },
            Act::Spawn { w: 2, child: "vim" },
            Act::Spawn { w: 2, child: "df" },
            Act::Spawn { w: 1, child: "git" },
            Act::Spawn { w: 1, child: "python3" },
            Act::Spawn { w: 1, child: "journalctl" },
            Act::Spawn { w: 1, child: "docker" },
            Act::File { w: 1, op: FileOp::Modify, path: "/home/{user}/.bash_history" },
        ],
        n_acts: (2, 8),
        cwd: "/home/{user}",
        ..P
    },
    Program {
        name: "dash",
        key: "sh#cron",
        path: "/usr/bin/dash",
        cmds: &[
            "/bin/sh -c    test -x /usr/sbin/anacron || { cd / && run-parts --report /etc/cron.hourly; }",
            "/bin/sh -c /usr/local/bin/backup.sh >> /var/log/backup.log 2>&1",
            "/bin/sh -c [ -x /usr/lib/php/sessionclean ] && if [ ! -d /run/systemd/system ]; then /usr/lib/php/sessionclean; fi",
            "/bin/sh -c /usr/lib/sysstat/debian-sa1 1 1",
        ],
        parents: &["cron"],
        run_as: RunAs::System,
        weight: 3,
        life: (100, 60_000),
        acts: &[
            Act::Spawn { w: 3, child: "run-parts" },
            Act::Spawn { w: 2, child: "find" },
            Act::File { w: 1, op: FileOp::Modify, path: "/var/log/backup.log" },
        ],
        n_acts: (1, 2),
        cwd: "/root",
        ..P
    },
    Program {
        name: "logrotate",
        key: "logrotate",
        path: "/usr/sbin/logrotate",
        cmds: &["/usr/sbin/logrotate /etc/logrotate.conf"],
        parents: &["systemd"],
        run_as: RunAs::System,
        weight: 1,
        life: (200, 5_000),
        acts: &[
            Act::File { w: 3, op: FileOp::Rename, path: "/var/log/{word}.log.1" },
            Act::File { w: 2, op: FileOp::Create, path: "/var/log/{word}.log" },
            Act::File { w: 1, op: FileOp::Modify, path: "/var/lib/logrotate/status" },
        ],
        n_acts: (1, 4),
        cwd: "/",
        ..P
    },
    Program {
        name: "apt-get",
        key: "apt-get",
        path: "/usr/bin/apt-get",
        cmds: &["/usr/bin/apt-get -qq -y update", "apt-get update"],
        parents: &["systemd"],
        run_as: RunAs::System,
        weight: 1,
        life: (3_000, 60_000),
        acts: &[
            Act::Net { w: 4, dir: Dir::Egress, udp: false, peer: Peer::Internet(Group::LinuxRepo), port: Port::Fixed(80) },
            Act::Net { w: 2, dir: Dir::Egress, udp: false, peer: Peer::Internet(Group::LinuxRepo), port: Port::Fixed(443) },
            Act::File { w: 2, op: FileOp::Create, path: "/var/lib/apt/lists/partial/deb.debian.org_debian_dists_bookworm_{word}_binary-amd64_Packages.xz" },
        ],
        n_acts: (2, 5),
        cwd: "/",
        ..P
    },
    Program {
        name: "systemd-tmpfiles",
        key: "systemd-tmpfiles",
        path: "/usr/bin/systemd-tmpfiles",
        cmds: &["systemd-tmpfiles --clean"],
        parents: &["systemd"],
        run_as: RunAs::System,
        weight: 1,
        life: (100, 2_000),
        acts: &[Act::File { w: 2, op: FileOp::Delete, path: "/tmp/{word}-{hex8}" }],
        n_acts: (0, 3),
        cwd: "/",
        ..P
    },
    Program {
        name: "nginx",
        key: "nginx#reload",
        path: "/usr/sbin/nginx",
        cmds: &["/usr/sbin/nginx -t -q -g daemon on; master_process on;"],
        parents: &["systemd"],
        run_as: RunAs::System,
        life: (50, 500),
        ..P
    },
    Program {
        name: "filebeat",
        key: "filebeat",
        path: "/opt/Elastic/Agent/data/elastic-agent-8.15.3-3f1f3a/components/filebeat",
        cmds: &["/opt/Elastic/Agent/data/elastic-agent-8.15.3-3f1f3a/components/filebeat -E setup.ilm.enabled=false -E setup.template.enabled=false -E management.enabled=true -E management.restart_on_output_change=true -E logging.level=info -E logging.to_stderr=true -E gc_percent=${FILEBEAT_GOGC:100} -E filebeat.config.modules.enabled=false"],
        parents: &["elastic-agent"],
        run_as: RunAs::System,
        weight: 1,
        life: (600_000, 3_600_000),
        acts: &[Act::Net { w: 2, dir: Dir::Egress, udp: false, peer: Peer::Server(Role::Fleet), port: Port::Fixed(9200) }],
        n_acts: (0, 2),
        cwd: "/opt/Elastic/Agent",
        ..P
    },
    // --- containers (residents of container nodes, see CONTAINERS_RUN) ---------------------
    Program {
        name: "containerd-shim-runc-v2",
        key: "containerd-shim-runc-v2",
        path: "/usr/bin/containerd-shim-runc-v2",
        cmds: &["/usr/bin/containerd-shim-runc-v2 -namespace k8s.io -id {hex16}{hex16}{hex16}{hex16} -address /run/containerd/containerd.sock"],
        run_as: RunAs::System,
        ..P
    },
    Program {
        name: "node",
        key: "node-app",
        path: "/usr/local/bin/node",
        cmds: &["node --max-old-space-size=512 /app/dist/server.js"],
        run_as: RunAs::Service,
        acts: &[
            Act::Net { w: 6, dir: Dir::Ingress, udp: false, peer: Peer::Internal, port: Port::Fixed(8080) },
            Act::Net { w: 3, dir: Dir::Egress, udp: false, peer: Peer::Server(Role::Database), port: Port::Fixed(5432) },
            Act::Net { w: 1, dir: Dir::Egress, udp: false, peer: Peer::Internet(Group::Aws), port: Port::Fixed(443) },
        ],
        cwd: "/app",
        ..P
    },
    Program {
        name: "python3.12",
        key: "py-worker",
        path: "/usr/local/bin/python3.12",
        cmds: &["python3 -m worker --queue payments --concurrency 4"],
        run_as: RunAs::Service,
        acts: &[
            Act::Net { w: 4, dir: Dir::Egress, udp: false, peer: Peer::Internal, port: Port::Fixed(6379) },
            Act::Net { w: 2, dir: Dir::Egress, udp: false, peer: Peer::Server(Role::Database), port: Port::Fixed(5432) },
            Act::File { w: 1, op: FileOp::Create, path: "/tmp/worker-{hex8}.lock" },
        ],
        cwd: "/srv",
        ..P
    },
    Program {
        name: "redis-server",
        key: "redis-server",
        path: "/usr/local/bin/redis-server",
        cmds: &["redis-server *:6379"],
        run_as: RunAs::Service,
        acts: &[
            Act::Net { w: 5, dir: Dir::Ingress, udp: false, peer: Peer::Internal, port: Port::Fixed(6379) },
            Act::File { w: 1, op: FileOp::Modify, path: "/data/dump.rdb" },
        ],
        cwd: "/data",
        ..P
    },
    Program {
        name: "nginx",
        key: "nginx-ingress",
        path: "/usr/bin/nginx",
        cmds: &["nginx: worker process"],
        run_as: RunAs::Service,
        acts: &[
            Act::Net { w: 6, dir: Dir::Ingress, udp: false, peer: Peer::Anywhere, port: Port::Fixed(443) },
            Act::Net { w: 4, dir: Dir::Egress, udp: false, peer: Peer::Internal, port: Port::Fixed(8080) },
        ],
        cwd: "/etc/nginx",
        ..P
    },
    Program {
        name: "healthcheck",
        key: "probe",
        path: "/app/bin/healthcheck",
        cmds: &["/app/bin/healthcheck --port 8080 --timeout 1s", "/app/bin/healthcheck --ready"],
        run_as: RunAs::Service,
        life: (5, 200),
        cwd: "/app",
        ..P
    },
    // --- commands ----------------------------------------------------------------------------
    Program { name: "ls", key: "ls", path: "/usr/bin/ls", cmds: &["ls --color=auto -la", "ls", "ls -lh /var/log", "ls --color=auto"], run_as: RunAs::User, life: (2, 50), cwd: "/home/{user}", ..P },
    Program { name: "cat", key: "cat", path: "/usr/bin/cat", cmds: &["cat /etc/os-release", "cat config.yml", "cat /proc/meminfo", "cat README.md"], run_as: RunAs::User, life: (2, 50), cwd: "/home/{user}", ..P },
    Program { name: "grep", key: "grep", path: "/usr/bin/grep", cmds: &["grep --color=auto -i error /var/log/syslog", "grep -rn TODO src/", "grep --color=auto -c GET /var/log/nginx/access.log"], run_as: RunAs::User, life: (5, 2_000), cwd: "/home/{user}", ..P },
    Program { name: "ps", key: "ps", path: "/usr/bin/ps", cmds: &["ps aux", "ps -ef", "ps -o pid,cmd -p {n}"], run_as: RunAs::User, life: (10, 200), cwd: "/home/{user}", ..P },
    Program { name: "tail", key: "tail", path: "/usr/bin/tail", cmds: &["tail -f /var/log/app/orders-service.log", "tail -n 200 /var/log/syslog"], run_as: RunAs::User, life: (1_000, 300_000), cwd: "/home/{user}", ..P },
    Program { name: "df", key: "df", path: "/usr/bin/df", cmds: &["df -h", "df -hT /"], run_as: RunAs::User, life: (2, 50), cwd: "/home/{user}", ..P },
    Program { name: "find", key: "find", path: "/usr/bin/find", cmds: &["find /var/cache/app -type f -mtime +7 -delete", "find /tmp -maxdepth 1 -name *.tmp -mmin +60"], run_as: RunAs::System, life: (50, 5_000), cwd: "/", ..P },
    Program {
        name: "run-parts",
        key: "run-parts",
        path: "/usr/bin/run-parts",
        cmds: &["run-parts --report /etc/cron.hourly", "run-parts --report /etc/cron.daily"],
        run_as: RunAs::System,
        life: (50, 10_000),
        cwd: "/",
        ..P
    },
    Program {
        name: "systemctl",
        key: "systemctl",
        path: "/usr/bin/systemctl",
        cmds: &["systemctl status nginx", "systemctl status orders-service", "systemctl list-units --failed", "systemctl is-active elastic-agent"],
        run_as: RunAs::User,
        life: (20, 500),
        cwd: "/home/{user}",
        ..P
    },
    Program {
        name: "journalctl",
        key: "journalctl",
        path: "/usr/bin/journalctl",
        cmds: &["journalctl -u nginx --since today", "journalctl -xe", "journalctl -u orders-service -n 100 --no-pager"],
        run_as: RunAs::User,
        life: (100, 60_000),
        cwd: "/home/{user}",
        ..P
    },
    Program {
        name: "sudo",
        key: "sudo",
        path: "/usr/bin/sudo",
        cmds: &["sudo systemctl restart nginx", "sudo tail -n 100 /var/log/auth.log", "sudo docker ps", "sudo apt-get install -y htop"],
        run_as: RunAs::User,
        life: (100, 30_000),
        cwd: "/home/{user}",
        ..P
    },
    Program {
        name: "vim.basic",
        key: "vim",
        path: "/usr/bin/vim.basic",
        cmds: &["vim config.yml", "vim notes.md", "vim /home/{user}/deploy/values.yaml"],
        run_as: RunAs::User,
        life: (10_000, 900_000),
        acts: &[
            Act::File { w: 2, op: FileOp::Create, path: "/home/{user}/.{word}.yml.swp" },
            Act::File { w: 2, op: FileOp::Modify, path: "/home/{user}/{word}.yml" },
            Act::File { w: 1, op: FileOp::Delete, path: "/home/{user}/.{word}.yml.swp" },
        ],
        n_acts: (1, 3),
        cwd: "/home/{user}",
        ..P
    },
    Program {
        name: "git",
        key: "git",
        path: "/usr/bin/git",
        cmds: &["git pull", "git status", "git log --oneline -5", "git fetch origin"],
        run_as: RunAs::User,
        life: (20, 5_000),
        acts: &[
            Act::Net { w: 2, dir: Dir::Egress, udp: false, peer: Peer::Internet(Group::Dev), port: Port::Fixed(443) },
            Act::File { w: 1, op: FileOp::Modify, path: "/home/{user}/src/{word}/.git/index" },
        ],
        n_acts: (0, 2),
        cwd: "/home/{user}/src/{word}",
        ..P
    },
    Program {
        name: "python3.11",
        key: "python3",
        path: "/usr/bin/python3.11",
        cmds: &["python3 manage.py check", "python3 -m pip list", "python3 scripts/report.py --since 7d"],
        run_as: RunAs::User,
        life: (200, 60_000),
        acts: &[
            Act::Net { w: 1, dir: Dir::Egress, udp: false, peer: Peer::Server(Role::Database), port: Port::Fixed(5432) },
            Act::File { w: 1, op: FileOp::Create, path: "/home/{user}/src/{word}/__pycache__/{word}.cpython-311.pyc" },
        ],
        n_acts: (0, 2),
        cwd: "/home/{user}/src/{word}",
        ..P
    },
    Program {
        name: "docker",
        key: "docker",
        path: "/usr/bin/docker",
        cmds: &["docker ps", "docker logs --tail 50 orders", "docker images"],
        run_as: RunAs::User,
        life: (50, 3_000),
        cwd: "/home/{user}",
        ..P
    },
];

/// Residents started at boot on every Linux server.
pub(crate) const BOOT: &[&str] = &[
    "systemd",
    "systemd-journald",
    "sshd",
    "cron",
    "rsyslogd",
    "systemd-resolved",
    "chronyd",
    "elastic-agent",
];

/// Web server residents.
pub(crate) const WEB: &[&str] = &["nginx", "java"];
/// Database server residents.
pub(crate) const DB: &[&str] = &["postgres"];
/// Container host residents.
pub(crate) const CONTAINERS: &[&str] = &["containerd", "dockerd"];

/// Containers a container node runs: (name, image, program key of the workload).
pub(crate) const CONTAINERS_RUN: &[(&str, &str, &str)] = &[
    (
        "orders-api",
        "registry.example.com/shop/orders-api:2.14.1",
        "node-app",
    ),
    (
        "payments-worker",
        "registry.example.com/shop/payments-worker:1.9.0",
        "py-worker",
    ),
    (
        "redis",
        "docker.io/library/redis:7.2-alpine",
        "redis-server",
    ),
    (
        "ingress-nginx",
        "registry.k8s.io/ingress-nginx/controller:v1.11.3",
        "nginx-ingress",
    ),
];
