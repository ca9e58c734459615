//! One block of the stream: a fixed number of events covering a fixed slice of time.
//!
//! Blocks are the unit of determinism and parallelism. A block's content depends only on the
//! world (built from the seed), the flags and the block number; its random numbers come from
//! its own stream. So blocks can be generated on any number of threads and concatenated in
//! order with byte-identical results.
//!
//! Inside a block, scenarios (a program run with its children and side effects, a logon, a
//! burst of cloud API calls, a planted attack) draw a start time in the block's slice and emit
//! events at offsets from it; events are then sorted by time. Timestamps are clamped to the
//! slice, so the nominal times of the whole stream are non-decreasing; `--disorder` then
//! displaces some rendered timestamps within a bounded window.

use crate::attacks::{self, Planted};
use crate::catalog::{self, net, Act, Dir, Os, Peer, Port, Program, RegData, RunAs};
use crate::json::Json;
use crate::render::cloud::{AwsIdentity, CloudCx, CloudEv};
use crate::render::{self, Conn, Cx, Ev, Logon, RegValue};
use crate::rng::{mix64, Rng};
use crate::time::SEC;
use crate::world::{self, expand, make_proc, ExpandCtx, HostRole, PRef, Proc, Telemetry, World};
use crate::{Config, Wrap};

/// Events per block.
pub(crate) const BLOCK_EVENTS: u64 = 4096;

/// Share of events that are cloud audit logs.
const CLOUD_SHARE: f64 = 0.08;

/// A rendered event inside a block.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rec {
    /// Nominal time (sort key).
    key: i64,
    /// Emission order (tie-break, so sorting is deterministic).
    order: u32,
    start: u32,
    end: u32,
    dataset: &'static str,
    pub(crate) id: [u8; 20],
    planted: bool,
}

/// The output of a block: NDJSON bytes plus what was planted in it.
#[derive(Default)]
pub(crate) struct BlockOut {
    /// Newline-terminated documents, in time order.
    pub(crate) bytes: Vec<u8>,
    /// Number of lines in `bytes`.
    pub(crate) lines: u64,
    /// Byte offset of the end of each line (only kept when the caller needs to cut).
    pub(crate) line_ends: Vec<u32>,
    /// Attacks planted in this block, with the output lines of their events.
    pub(crate) planted: Vec<Planted>,
    /// Nominal time of the first and last event.
    pub(crate) first: i64,
    pub(crate) last: i64,
}

/// Reusable per-thread state for generating blocks.
pub(crate) struct Gen<'w> {
    pub(crate) w: &'w World,
    pub(crate) cfg: &'w Config,
    pub(crate) rng: Rng,
    render_rng: Rng,
    pub(crate) procs: Vec<Proc>,
    arena: Vec<u8>,
    recs: Vec<Rec>,
    pub(crate) t0: i64,
    pub(crate) t1: i64,
    cap: usize,
    index: u64,
    pos0: u64,
    pub(crate) s1: String,
    pub(crate) s2: String,
    /// While planting an attack: every emitted event is planted and its id collected.
    pub(crate) planting: bool,
    pub(crate) planted_ids: Vec<String>,
}

/// Which events a block holds: `[pos0, pos0 + len)` of the stream.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Span {
    pub(crate) index: u64,
    pub(crate) pos0: u64,
    pub(crate) len: u64,
}

impl<'w> Gen<'w> {
    /// A generator for `w` and `cfg`.
    pub(crate) fn new(w: &'w World, cfg: &'w Config) -> Gen<'w> {
        Gen {
            w,
            cfg,
            rng: Rng::new(0),
            render_rng: Rng::new(0),
            procs: Vec::new(),
            arena: Vec::new(),
            recs: Vec::new(),
            t0: 0,
            t1: 0,
            cap: 0,
            index: 0,
            pos0: 0,
            s1: String::new(),
            s2: String::new(),
            planting: false,
            planted_ids: Vec::new(),
        }
    }

    /// The nominal time of stream position `pos`.
    pub(crate) fn time_of(cfg: &Config, pos: u64) -> i64 {
        cfg.start + (pos as f64 * 1000.0 / cfg.rate) as i64
    }

    /// Generates block `span` into `out`.
    pub(crate) fn block(&mut self, span: Span, out: &mut BlockOut) {
        self.rng = Rng::stream(self.cfg.seed, span.index);
        self.render_rng = Rng::stream(self.cfg.seed ^ 0xD15C_0DE5, span.index);
        self.procs.clear();
        self.arena.clear();
        self.recs.clear();
        self.index = span.index;
        self.pos0 = span.pos0;
        self.cap = span.len as usize;
        self.t0 = Self::time_of(self.cfg, span.pos0);
        self.t1 = Self::time_of(self.cfg, span.pos0 + span.len).max(self.t0 + 1);
        out.planted.clear();

        // Planted attacks first: they must fit whatever the block's budget.
        for (k, at) in attacks::in_span(self.cfg, span) {
            let t = Self::time_of(self.cfg, at).clamp(self.t0, self.t1 - 1);
            if let Some(p) = attacks::plant(self, k, t) {
                out.planted.push(p);
            }
        }
        let mut guard = 0;
        while self.recs.len() < self.cap && guard < self.cap * 8 {
            self.scenario();
            guard += 1;
        }
        self.finish(out);
    }

    fn finish(&mut self, out: &mut BlockOut) {
        let recs = &mut self.recs;
        recs.sort_unstable_by_key(|r| (r.key, r.order));
        out.bytes.clear();
        out.line_ends.clear();
        out.lines = recs.len() as u64;
        out.first = recs.first().map_or(self.t0, |r| r.key);
        out.last = recs.last().map_or(self.t0, |r| r.key);
        // Map planted event ids to output lines.
        let mut line_of = std::collections::HashMap::new();
        for (line, r) in recs.iter().enumerate() {
            if r.planted {
                line_of.insert(r.id, line as u64);
            }
        }
        for p in &mut out.planted {
            let lines: Vec<u64> = p
                .event_ids
                .iter()
                .filter_map(|id| {
                    let mut key = [0u8; 20];
                    key.copy_from_slice(&id.as_bytes()[..20]);
                    line_of.get(&key).copied()
                })
                .collect();
            p.first_line = lines.iter().copied().min().unwrap_or(0);
            p.last_line = lines.iter().copied().max().unwrap_or(0);
        }
        for r in recs.iter() {
            if self.cfg.wrap == Wrap::Es {
                out.bytes.extend_from_slice(b"{\"_index\":\".ds-logs-");
                out.bytes.extend_from_slice(r.dataset.as_bytes());
                out.bytes.extend_from_slice(b"-default-");
                crate::time::write_index_date(&mut out.bytes, r.key);
                out.bytes.extend_from_slice(b"-000001\",\"_id\":\"");
                out.bytes.extend_from_slice(&r.id);
                out.bytes.extend_from_slice(b"\",\"_source\":");
                out.bytes
                    .extend_from_slice(&self.arena[r.start as usize..r.end as usize]);
                out.bytes.push(b'}');
            } else {
                out.bytes
                    .extend_from_slice(&self.arena[r.start as usize..r.end as usize]);
            }
            out.bytes.push(b'\n');
            out.line_ends.push(out.bytes.len() as u32);
        }
    }

    fn next_id(&self) -> [u8; 20] {
        const ALPHA: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let n = self.recs.len() as u64;
        let a = mix64(self.cfg.seed ^ mix64((self.index << 24) | n));
        let b = mix64(a ^ 0x1D5);
        let mut id = [0u8; 20];
        for (i, c) in id.iter_mut().enumerate() {
            let bits = if i < 10 {
                a >> (i * 6)
            } else {
                b >> ((i - 10) * 6)
            };
            *c = ALPHA[(bits & 63) as usize];
        }
        id
    }

    /// Whether the block has room for more benign events.
    pub(crate) fn full(&self) -> bool {
        self.recs.len() >= self.cap
    }

    /// Computes the displayed time and ingest time of an event at nominal time `t`.
    fn times(&mut self, t: i64, planted: bool) -> (i64, i64, i64) {
        let key = t.clamp(self.t0, self.t1 - 1);
        let mut shown = key;
        if !planted && self.cfg.disorder > 0.0 && self.render_rng.chance(self.cfg.disorder) {
            let w = self.cfg.disorder_window.max(1) as u64;
            shown = key - w as i64 + self.render_rng.below(2 * w + 1) as i64;
        }
        let ingested = shown + 300 + self.render_rng.below(4_000) as i64;
        (key, shown, ingested)
    }

    /// Emits a host event; returns its id when written (benign events are dropped once the
    /// block is full; planted ones never are).
    pub(crate) fn emit(&mut self, h: u32, t: i64, ev: &Ev<'_>, planted: bool) -> Option<String> {
        let planted = planted || self.planting;
        if !planted && self.full() {
            return None;
        }
        let (key, shown, ingested) = self.times(t, planted);
        let id = self.next_id();
        let id_str = std::str::from_utf8(&id).unwrap_or_default();
        let host = &self.w.hosts[h as usize];
        let start = self.arena.len();
        let cx = Cx {
            world: self.w,
            host,
            host_idx: h,
            procs: &self.procs,
            ts: shown,
            ingested,
            id: id_str,
            seq: self.pos0 + self.recs.len() as u64,
        };
        let mut j = Json::new(&mut self.arena);
        j.begin();
        if !render::render(&mut j, &cx, ev, &mut self.render_rng) {
            self.arena.truncate(start);
            return None;
        }
        j.close();
        let dataset = render::dataset(host.telemetry, ev);
        let order = self.recs.len() as u32;
        self.recs.push(Rec {
            key,
            order,
            start: start as u32,
            end: self.arena.len() as u32,
            dataset,
            id,
            planted,
        });
        let id = id_str.to_string();
        if planted {
            self.planted_ids.push(id.clone());
        }
        Some(id)
    }

    /// Emits a cloud event.
    pub(crate) fn emit_cloud(&mut self, t: i64, ev: &CloudEv<'_>, planted: bool) -> Option<String> {
        let planted = planted || self.planting;
        if !planted && self.full() {
            return None;
        }
        let (key, shown, ingested) = self.times(t, planted);
        let id = self.next_id();
        let id_str = std::str::from_utf8(&id).unwrap_or_default();
        let start = self.arena.len();
        let mut j = Json::new(&mut self.arena);
        j.begin();
        render::cloud::render(
            &mut j,
            &CloudCx {
                ts: shown,
                ingested,
                id: id_str,
            },
            ev,
        );
        j.close();
        let dataset = match ev {
            CloudEv::Aws { .. } => "aws.cloudtrail",
            CloudEv::Azure { .. } => "azure.activitylogs",
            CloudEv::AzureSignin { .. } => "azure.signinlogs",
            CloudEv::Okta { .. } => "okta.system",
            CloudEv::Gcp { .. } => "gcp.audit",
        };
        let order = self.recs.len() as u32;
        self.recs.push(Rec {
            key,
            order,
            start: start as u32,
            end: self.arena.len() as u32,
            dataset,
            id,
            planted,
        });
        let id = id_str.to_string();
        if planted {
            self.planted_ids.push(id.clone());
        }
        Some(id)
    }

    // ----- scenarios --------------------------------------------------------------------------

    fn scenario(&mut self) {
        let t = self.t0 + self.rng.below((self.t1 - self.t0) as u64) as i64;
        if self.rng.chance(CLOUD_SHARE) {
            self.cloud(t);
            return;
        }
        let h = self.rng.weighted(&self.w.host_weights) as u32;
        let host = &self.w.hosts[h as usize];
        match host.os {
            Os::Windows => {
                let dc = host.role == HostRole::DomainController;
                let sysmon = host.telemetry == Telemetry::Sysmon;
                let weights = [
                    40,
                    45,
                    if host.security_log { 12 } else { 0 },
                    if sysmon { 3 } else { 0 },
                    u32::from(dc),
                ];
                match self.rng.weighted(&weights) {
                    0 => self.run_random(h, t),
                    1 => self.resident_activity(h, t),
                    2 => self.windows_logon(h, t),
                    3 => self.lsass_benign_access(h, t),
                    _ => self.account_change(h, t),
                }
            }
            Os::Linux => {
                let probes = if host.containers.is_empty() { 0 } else { 6 };
                match self.rng.weighted(&[30, 55, 3, probes]) {
                    0 => self.run_random(h, t),
                    1 => self.resident_activity(h, t),
                    2 => self.ssh_session(h, t),
                    _ => self.container_probe(h, t),
                }
            }
            Os::Macos => match self.rng.weighted(&[40, 60]) {
                0 => self.run_random(h, t),
                _ => self.resident_activity(h, t),
            },
        }
    }

    /// Finds or starts a parent for `prog` on host `h` at `t`.
    fn parent_for(&mut self, h: u32, prog: &'static Program, t: i64, depth: u32) -> Option<PRef> {
        let host = &self.w.hosts[h as usize];
        for key in prog.parents {
            if let Some(i) = host.residents.iter().position(|r| r.prog.key == *key) {
                return Some(PRef::Res(i as u32));
            }
        }
        if depth >= 3 {
            return None;
        }
        let key = prog.parents.first()?;
        let parent_prog = catalog::program(host.os, key)?;
        let grand = self.parent_for(h, parent_prog, t - 1, depth + 1);
        let at = t - 1 - self.rng.below(200) as i64;
        Some(self.start_proc(h, parent_prog, grand, at, None, None))
    }

    /// The account a new process of `prog` runs as.
    fn account_for(&mut self, h: u32, prog: &Program, parent: Option<PRef>) -> u16 {
        let host = &self.w.hosts[h as usize];
        if prog.run_as == RunAs::User {
            if let Some(p) = parent {
                let pu = self.w.proc(h, p, &self.procs).user;
                if host.accounts[pu as usize].kind == RunAs::User {
                    return pu;
                }
            }
        }
        host.account_of(prog.run_as, &mut self.rng)
    }

    /// Creates a process record and emits its start event.
    pub(crate) fn start_proc(
        &mut self,
        h: u32,
        prog: &'static Program,
        parent: Option<PRef>,
        t: i64,
        user: Option<u16>,
        cmd: Option<&str>,
    ) -> PRef {
        let user = user.unwrap_or_else(|| self.account_for(h, prog, parent));
        let host = &self.w.hosts[h as usize];
        let mut p = make_proc(host, prog, user, parent, t, cmd, &mut self.rng);
        // Children of a containerised process run in its container.
        p.container = parent.and_then(|r| self.w.proc(h, r, &self.procs).container);
        self.procs.push(p);
        let r = PRef::Blk(self.procs.len() as u32 - 1);
        self.emit(h, t, &Ev::ProcStart(r), false);
        r
    }

    fn run_random(&mut self, h: u32, t: i64) {
        let os = self.w.hosts[h as usize].os;
        let progs = catalog::programs(os);
        let weights: Vec<u32> = progs.iter().map(|p| p.weight).collect();
        let prog = &progs[self.rng.weighted(&weights)];
        self.run(h, prog, None, t, 0);
    }

    /// Runs `prog`: start, its acts spread over its life, and its end if within the block.
    pub(crate) fn run(
        &mut self,
        h: u32,
        prog: &'static Program,
        parent: Option<PRef>,
        t: i64,
        depth: u32,
    ) -> PRef {
        let parent = parent.or_else(|| self.parent_for(h, prog, t, 0));
        let me = self.start_proc(h, prog, parent, t, None, None);
        let life = self
            .rng
            .range(u64::from(prog.life.0), u64::from(prog.life.1)) as i64;
        let n = self
            .rng
            .range(u64::from(prog.n_acts.0), u64::from(prog.n_acts.1));
        for i in 0..n {
            let at = t + 1 + life * (i as i64 + 1) / (n as i64 + 2) + self.rng.below(50) as i64;
            self.act(h, me, prog, at, depth);
        }
        if t + life < self.t1 {
            let code = if self.rng.chance(0.97) { 0 } else { 1 };
            self.emit(h, t + life, &Ev::ProcEnd(me, code), false);
        }
        me
    }

    /// Kubernetes running a container's exec probe: runc starts it under the container's shim.
    fn container_probe(&mut self, h: u32, t: i64) {
        let host = &self.w.hosts[h as usize];
        let c = self.rng.index(host.containers.len());
        // The resident after each shim is its container's workload; find the shim of `c`.
        let Some(app) = host
            .residents
            .iter()
            .position(|r| r.container == Some(c as u8))
        else {
            return;
        };
        let Some(shim) = host.residents[app].parent else {
            return;
        };
        let Some(probe) = catalog::program(Os::Linux, "probe") else {
            return;
        };
        let user = host.residents[app].user;
        let mut p = make_proc(host, probe, user, Some(shim), t, None, &mut self.rng);
        p.container = Some(c as u8);
        self.procs.push(p);
        let me = PRef::Blk(self.procs.len() as u32 - 1);
        self.emit(h, t, &Ev::ProcStart(me), false);
        let life = self.rng.range(5, 200) as i64;
        self.emit(h, t + life, &Ev::ProcEnd(me, 0), false);
    }

    /// The auth log lines of a sudo run: the command line, sometimes after a mistyped password.
    fn sudo_log(&mut self, h: u32, sudo: PRef, t: i64) {
        let host = &self.w.hosts[h as usize];
        let p = self.w.proc(h, sudo, &self.procs);
        let user = host.accounts[p.user as usize].name.clone();
        let cwd = p.cwd.clone();
        let rest = p.cmd.strip_prefix("sudo ").unwrap_or(&p.cmd);
        let command = format!("/usr/bin/{rest}");
        if self.rng.chance(0.02) {
            let ev = Ev::Sudo {
                user: &user,
                ok: false,
                command: &command,
                cwd: &cwd,
            };
            self.emit(h, t - 2_500, &ev, false);
        }
        self.emit(
            h,
            t,
            &Ev::Sudo {
                user: &user,
                ok: true,
                command: &command,
                cwd: &cwd,
            },
            false,
        );
    }

    fn resident_activity(&mut self, h: u32, t: i64) {
        let host = &self.w.hosts[h as usize];
        let active: Vec<u32> = host
            .residents
            .iter()
            .enumerate()
            .filter(|(_, r)| !r.prog.acts.is_empty())
            .map(|(i, _)| i as u32)
            .collect();
        if active.is_empty() {
            return;
        }
        let i = active[self.rng.index(active.len())];
        let prog = host.residents[i as usize].prog;
        let n = self.rng.skewed(1, 4);
        for k in 0..n {
            let at = t + k as i64 * self.rng.range(5, 800) as i64;
            self.act(h, PRef::Res(i), prog, at, 0);
        }
    }

    fn act(&mut self, h: u32, me: PRef, prog: &'static Program, t: i64, depth: u32) {
        if prog.acts.is_empty() {
            return;
        }
        let weights: Vec<u32> = prog.acts.iter().map(Act::weight).collect();
        let act = prog.acts[self.rng.weighted(&weights)];
        let os = self.w.hosts[h as usize].os;
        match act {
            Act::Net {
                dir,
                udp,
                peer,
                port,
                ..
            } => {
                let c = self.conn(h, dir, udp, peer, port);
                self.emit(h, t, &Ev::Net(me, c), false);
                if !udp && self.rng.chance(0.4) {
                    let end = Conn { end: true, ..c };
                    let dt = self.rng.range(50, 30_000) as i64;
                    self.emit(h, t + dt, &Ev::Net(me, end), false);
                }
            }
            Act::Dns { group, .. } => {
                let svcs: Vec<&net::Service> = net::services(group).collect();
                let s = svcs[self.rng.index(svcs.len())];
                self.emit(h, t, &Ev::Dns(me, s.domain, s.ip), false);
                let c = Conn {
                    dir: Dir::Egress,
                    udp: false,
                    src: self.w.hosts[h as usize].ip,
                    sport: self.ephemeral(os),
                    dst: s.ip,
                    dport: 443,
                    end: false,
                };
                let at = t + 1 + self.rng.below(40) as i64;
                self.emit(h, at, &Ev::Net(me, c), false);
            }
            Act::File { op, path, .. } => {
                let path = self.expand_for(h, me, path, t);
                self.emit(h, t, &Ev::File(me, op, &path), false);
            }
            Act::Reg { path, data, .. } => {
                let path = self.expand_for(h, me, path, t);
                let sz;
                let value = match data {
                    RegData::Dword(v) => RegValue::Dword(v),
                    RegData::AnyDword => RegValue::Dword(self.rng.below(1 << 20) as u32),
                    RegData::Sz(tpl) => {
                        sz = self.expand_for(h, me, tpl, t);
                        RegValue::Sz(&sz)
                    }
                    RegData::Binary => RegValue::Binary,
                };
                self.emit(h, t, &Ev::Reg(me, &path, value), false);
            }
            Act::Lib { dlls, .. } => {
                let sysmon = self.w.hosts[h as usize].telemetry == Telemetry::Sysmon;
                if sysmon && !self.rng.chance(0.3) {
                    return;
                }
                for k in 0..self.rng.range(1, 3) {
                    let dll = *self.rng.pick(dlls);
                    self.emit(h, t + k as i64, &Ev::Lib(me, dll), false);
                }
            }
            Act::Spawn { child, .. } => {
                if depth >= 3 {
                    return;
                }
                if let Some(p) = catalog::program(os, child) {
                    let kid = self.run(h, p, Some(me), t, depth + 1);
                    if child == "sudo" && self.w.hosts[h as usize].security_log {
                        self.sudo_log(h, kid, t);
                    }
                }
            }
        }
    }

    /// Expands a template in the context of process `me` on host `h`.
    pub(crate) fn expand_for(&mut self, h: u32, me: PRef, tpl: &str, t: i64) -> String {
        let host = &self.w.hosts[h as usize];
        let p = self.w.proc(h, me, &self.procs);
        let acct = &host.accounts[p.user as usize];
        // Paths under a user profile need an interactive user; system processes writing
        // there (rare in the tables) use the machine's first user.
        let user_acct = if acct.kind == RunAs::User {
            acct
        } else {
            host.interactive().map(|(_, a)| a).next().unwrap_or(acct)
        };
        let cx = ExpandCtx {
            user: &user_acct.name,
            sid: &user_acct.id,
            exe: &p.exe,
            host: &host.name,
            account: &self.w.aws_account,
            now: t,
        };
        let mut out = std::mem::take(&mut self.s1);
        expand(tpl, &cx, &mut self.rng, &mut out);
        let s = out.clone();
        self.s1 = out;
        s
    }

    pub(crate) fn ephemeral(&mut self, os: Os) -> u16 {
        match os {
            Os::Linux => self.rng.range(32_768, 60_999) as u16,
            _ => self.rng.range(49_152, 65_535) as u16,
        }
    }

    /// An internal address other than `h`'s.
    pub(crate) fn internal_peer(&mut self, h: u32) -> [u8; 4] {
        let n = self.w.hosts.len();
        if n > 1 && self.rng.chance(0.7) {
            let mut o = self.rng.index(n);
            if o == h as usize {
                o = (o + 1) % n;
            }
            self.w.hosts[o].ip
        } else {
            self.w.people[self.rng.index(self.w.people.len())].home_ip
        }
    }

    pub(crate) fn conn(&mut self, h: u32, dir: Dir, udp: bool, peer: Peer, port: Port) -> Conn {
        let host = &self.w.hosts[h as usize];
        let me = host.ip;
        let os = host.os;
        let remote = match peer {
            Peer::Internet(g) => {
                let svcs: Vec<&net::Service> = net::services(g).collect();
                svcs[self.rng.index(svcs.len())].ip
            }
            Peer::Server(role) => {
                let c: Vec<[u8; 4]> = net::INFRA
                    .iter()
                    .filter(|(r, _, _)| *r == role)
                    .map(|(_, ip, _)| *ip)
                    .collect();
                c[self.rng.index(c.len())]
            }
            Peer::Internal => self.internal_peer(h),
            Peer::Anywhere => {
                let (a, b) = *self.rng.pick(net::CLIENT_NETS);
                [
                    a,
                    b,
                    self.rng.below(256) as u8,
                    self.rng.range(1, 254) as u8,
                ]
            }
            Peer::Loopback => [127, 0, 0, 1],
        };
        let port = match port {
            Port::Fixed(p) => p,
            Port::Dynamic => self.rng.range(49_152, 65_535) as u16,
        };
        match dir {
            Dir::Egress => Conn {
                dir,
                udp,
                src: me,
                sport: self.ephemeral(os),
                dst: remote,
                dport: port,
                end: false,
            },
            Dir::Ingress => {
                // Internal Windows clients use the 49152+ range; others vary.
                let sport = if matches!(peer, Peer::Internal) || self.rng.chance(0.5) {
                    self.rng.range(49_152, 65_535) as u16
                } else {
                    self.rng.range(32_768, 60_999) as u16
                };
                let src = if peer == Peer::Loopback {
                    [127, 0, 0, 1]
                } else {
                    remote
                };
                Conn {
                    dir,
                    udp,
                    src,
                    sport,
                    dst: me,
                    dport: port,
                    end: false,
                }
            }
        }
    }

    fn windows_logon(&mut self, h: u32, t: i64) {
        let host = &self.w.hosts[h as usize];
        let logon_id = 0x10_0000 + self.rng.below(0xff_ffff);
        match self.rng.weighted(&[50, 25, 10, 3]) {
            0 | 3 => {
                let failed = self.rng.chance(0.06);
                let pi = match host.interactive().next() {
                    Some((_, a)) if host.role == HostRole::Workstation && self.rng.chance(0.5) => {
                        a.person.unwrap_or(0)
                    }
                    _ => self.rng.index(self.w.people.len()),
                };
                let person = &self.w.people[pi];
                let sid = format!("{}-{}", self.w.domain_sid, person.rid);
                let src = person.home_ip;
                let ws = format!("WS-{:04}", 1000 + pi % self.w.hosts.len().max(1));
                let mut l = Logon {
                    code: if failed { 4625 } else { 4624 },
                    logon_type: 3,
                    user: &person.login,
                    user_sid: &sid,
                    domain: net::NETBIOS,
                    source: Some(src),
                    workstation: &ws,
                    kerberos: self.rng.chance(0.8),
                    logon_id,
                };
                self.emit(h, t, &Ev::Logon(l), false);
                if !failed {
                    l.code = 4634;
                    let dt = self.rng.range(200, 20 * SEC as u64) as i64;
                    if t + dt < self.t1 {
                        self.emit(h, t + dt, &Ev::Logon(l), false);
                    }
                }
            }
            1 => {
                let l = Logon {
                    code: 4624,
                    logon_type: 5,
                    user: "SYSTEM",
                    user_sid: "S-1-5-18",
                    domain: "NT AUTHORITY",
                    source: None,
                    workstation: "",
                    kerberos: false,
                    logon_id: 0x3e7,
                };
                self.emit(h, t, &Ev::Logon(l), false);
                self.emit(h, t, &Ev::Logon(Logon { code: 4672, ..l }), false);
            }
            _ => {
                let Some((_, acct)) = host.interactive().next() else {
                    return;
                };
                let l = Logon {
                    code: 4624,
                    logon_type: *self.rng.pick(&[2u8, 7, 7, 11]),
                    user: &acct.name,
                    user_sid: &acct.id,
                    domain: &acct.domain,
                    source: Some([127, 0, 0, 1]),
                    workstation: &host.name,
                    kerberos: true,
                    logon_id,
                };
                self.emit(h, t, &Ev::Logon(l), false);
            }
        }
    }

    fn lsass_benign_access(&mut self, h: u32, t: i64) {
        let host = &self.w.hosts[h as usize];
        let Some(lsass) = host
            .residents
            .iter()
            .position(|r| r.prog.key == "lsass.exe")
        else {
            return;
        };
        let (src_key, granted) = *self.rng.pick(&[
            ("MsMpEng.exe", "0x1000"),
            ("MsMpEng.exe", "0x101000"),
            ("svchost.exe#dcomlaunch", "0x1000"),
            ("csrss.exe", "0x1fffff"),
            ("wininit.exe", "0x1fffff"),
            ("svchost.exe#rpcss", "0x1400"),
        ]);
        let Some(src) = host.residents.iter().position(|r| r.prog.key == src_key) else {
            return;
        };
        let trace = r"C:\Windows\SYSTEM32\ntdll.dll+9d4c4|C:\Windows\System32\KERNELBASE.dll+2c13e|C:\Windows\system32\lsasrv.dll+6d7a1|C:\Windows\System32\RPCRT4.dll+7a1c3";
        let ev = Ev::Access {
            src: PRef::Res(src as u32),
            target: PRef::Res(lsass as u32),
            granted,
            trace,
        };
        self.emit(h, t, &ev, false);
    }

    fn account_change(&mut self, h: u32, t: i64) {
        let w = self.w;
        let actor = &w.people[self.rng.index(w.people.len())].login;
        let target = &w.people[self.rng.index(w.people.len())];
        let sid = format!("{}-{}", w.domain_sid, target.rid);
        let code = if self.rng.chance(0.5) { 4738 } else { 4724 };
        let actor = format!("adm-{actor}");
        self.emit(
            h,
            t,
            &Ev::Account {
                code,
                actor: &actor,
                target: &target.login,
                target_sid: &sid,
            },
            false,
        );
    }

    fn ssh_session(&mut self, h: u32, t: i64) {
        let host = &self.w.hosts[h as usize];
        let internet_facing = host.role == HostRole::LinuxWeb;
        if internet_facing && self.rng.chance(0.25) {
            // Background noise of password guessing from the internet.
            let (a, b) = *self.rng.pick(net::CLIENT_NETS);
            let src = [
                a,
                b,
                self.rng.below(256) as u8,
                self.rng.range(1, 254) as u8,
            ];
            let user = *self.rng.pick(&[
                "admin", "test", "oracle", "ubuntu", "git", "postgres", "user",
            ]);
            for k in 0..self.rng.range(1, 4) {
                let port = self.rng.range(30_000, 65_000) as u16;
                self.emit(
                    h,
                    t + k as i64 * 700,
                    &Ev::Ssh {
                        user,
                        ok: false,
                        method: "password",
                        src,
                        port,
                    },
                    false,
                );
            }
            return;
        }
        let Some((acct_idx, acct)) = host.interactive().next() else {
            return;
        };
        let person = acct.person.map(|p| &self.w.people[p]);
        let src = person.map_or([10, 0, 9, 9], |p| p.home_ip);
        let user = acct.name.clone();
        let port = self.rng.range(49_152, 65_535) as u16;
        self.emit(
            h,
            t,
            &Ev::Ssh {
                user: &user,
                ok: true,
                method: "publickey",
                src,
                port,
            },
            false,
        );
        if let Some(prog) = catalog::program(Os::Linux, "bash#login") {
            let listener = host
                .residents
                .iter()
                .position(|r| r.prog.key == "sshd")
                .map(|i| PRef::Res(i as u32));
            let sshd = catalog::program(Os::Linux, "sshd#session").map(|s| {
                let cmd = format!("sshd: {user} [priv]");
                self.start_proc(h, s, listener, t + 40, Some(0), Some(&cmd))
            });
            // The shell runs as the user who logged in.
            let shell = self.start_proc(h, prog, sshd, t + 60, Some(acct_idx as u16), None);
            let n = self
                .rng
                .range(u64::from(prog.n_acts.0), u64::from(prog.n_acts.1));
            for i in 0..n {
                let at = t + 500 + i as i64 * self.rng.range(1_000, 30_000) as i64;
                self.act(h, shell, prog, at, 1);
            }
        }
    }

    // ----- cloud ---------------------------------------------------------------------------

    fn cloud(&mut self, t: i64) {
        match self.rng.weighted(&[55, 20, 8, 7, 10]) {
            0 => self.aws(t),
            1 => self.okta(t),
            2 => self.azure(t),
            3 => self.azure_signin(t),
            _ => self.gcp(t),
        }
    }

    pub(crate) fn aws_identity(
        &mut self,
        person: Option<usize>,
    ) -> (String, String, String, &'static str, [u8; 4]) {
        let w = self.w;
        let acct = &w.aws_account;
        let key = |prefix: &str, n: u64| {
            let mut r = Rng::new(mix64(n ^ w.seed));
            let mut s = String::from(prefix);
            for _ in 0..16 {
                s.push(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[r.index(32)] as char);
            }
            s
        };
        match person {
            Some(p) => {
                let login = &w.people[p].login;
                if self.rng.chance(0.5) {
                    (
                        format!("arn:aws:iam::{acct}:user/{login}"),
                        login.clone(),
                        key("AKIA", p as u64),
                        "IAMUser",
                        w.people[p].public_ip,
                    )
                } else {
                    let email = &w.people[p].email;
                    (
                        format!("arn:aws:sts::{acct}:assumed-role/AWSReservedSSO_PowerUserAccess_4f1c2a9d03b7e6a1/{email}"),
                        email.clone(),
                        key("ASIA", p as u64 + 1_000_000),
                        "AssumedRole",
                        w.people[p].public_ip,
                    )
                }
            }
            None => {
                let i = self.rng.range(1, 12);
                let inst = format!("i-0{:016x}", mix64(i ^ w.seed) >> 4);
                (
                    format!("arn:aws:sts::{acct}:assumed-role/app-server-role/{inst}"),
                    inst,
                    key("ASIA", i + 2_000_000),
                    "AssumedRole",
                    [
                        52,
                        20 + (i % 8) as u8,
                        (i * 37 % 256) as u8,
                        (i * 11 % 250) as u8 + 1,
                    ],
                )
            }
        }
    }

    fn aws(&mut self, t: i64) {
        let human = self.rng.chance(0.35);
        let person = human.then(|| self.rng.index(self.w.people.len()));
        let (arn, name, access_key, kind, src) = self.aws_identity(person);
        let agent = if human && self.rng.chance(0.5) {
            "console.amazonaws.com"
        } else {
            *self.rng.pick(catalog::cloud::AWS_AGENTS)
        };
        let region = *self.rng.pick(catalog::cloud::AWS_REGIONS);
        let n = self.rng.skewed(1, 6);
        let weights: Vec<u32> = catalog::cloud::AWS_CALLS
            .iter()
            .map(|c| {
                if c.1 == "ConsoleLogin" && !human {
                    0
                } else {
                    c.2
                }
            })
            .collect();
        for k in 0..n {
            let (provider, action, _, read_only, tpl) =
                catalog::cloud::AWS_CALLS[self.rng.weighted(&weights)];
            let cx = ExpandCtx {
                user: &name,
                sid: "",
                exe: "",
                host: "",
                account: &self.w.aws_account,
                now: t,
            };
            let mut params = std::mem::take(&mut self.s2);
            expand(tpl, &cx, &mut self.rng, &mut params);
            let ok = self.rng.chance(0.97);
            let ev = CloudEv::Aws {
                provider,
                action,
                read_only,
                params: &params,
                region,
                who: AwsIdentity {
                    kind,
                    arn: &arn,
                    name: &name,
                    access_key: &access_key,
                    account: &self.w.aws_account,
                },
                ok,
                src,
                agent,
            };
            let at = t + k as i64 * self.rng.range(20, 3_000) as i64;
            self.emit_cloud(at, &ev, false);
            self.s2 = params;
        }
    }

    fn okta(&mut self, t: i64) {
        let p = self.rng.index(self.w.people.len());
        let person = &self.w.people[p];
        let agent = *self.rng.pick(catalog::cloud::BROWSER_AGENTS);
        let mut session = String::from("102");
        world::push_hex(&mut session, &mut self.rng, 20);
        let weights: Vec<u32> = catalog::cloud::OKTA_EVENTS.iter().map(|e| e.1).collect();
        for k in 0..self.rng.skewed(1, 4) {
            let (event_type, _, message, categories) =
                catalog::cloud::OKTA_EVENTS[self.rng.weighted(&weights)];
            let app = if event_type.contains("sso") {
                *self.rng.pick(catalog::cloud::OKTA_APPS)
            } else {
                ""
            };
            let ok = self.rng.chance(0.96);
            let ev = CloudEv::Okta {
                event_type,
                message,
                categories,
                user: &person.email,
                app,
                ok,
                src: person.public_ip,
                agent,
                session: &session,
            };
            let at = t + k as i64 * self.rng.range(100, 5_000) as i64;
            self.emit_cloud(at, &ev, false);
        }
    }

    fn azure(&mut self, t: i64) {
        let p = self.rng.index(self.w.people.len());
        let caller = self.w.people[p].email.clone();
        let src = self.w.people[p].public_ip;
        let weights: Vec<u32> = catalog::cloud::AZURE_OPS.iter().map(|o| o.1).collect();
        for k in 0..self.rng.skewed(1, 4) {
            let (op, _, category) = catalog::cloud::AZURE_OPS[self.rng.weighted(&weights)];
            let provider = op.split('/').next().unwrap_or(op);
            let (rprov, rtype, rname, group) = *catalog::cloud::AZURE_RESOURCES
                .iter()
                .find(|r| r.0 == provider)
                .unwrap_or(&catalog::cloud::AZURE_RESOURCES[0]);
            let resource_id = format!(
                "/SUBSCRIPTIONS/{}/RESOURCEGROUPS/{group}/PROVIDERS/{rprov}/{rtype}/{rname}",
                self.w.azure_subscription.to_ascii_uppercase()
            );
            let ev = CloudEv::Azure {
                op,
                category,
                resource_id: &resource_id,
                group,
                provider: rprov,
                caller: &caller,
                subscription: &self.w.azure_subscription,
                tenant: &self.w.azure_tenant,
                ok: self.rng.chance(0.97),
                src,
            };
            let at = t + k as i64 * self.rng.range(200, 10_000) as i64;
            self.emit_cloud(at, &ev, false);
        }
    }

    fn azure_signin(&mut self, t: i64) {
        let p = self.rng.index(self.w.people.len());
        let person = &self.w.people[p];
        let app = *self.rng.pick(&[
            "Microsoft Office",
            "Microsoft Teams",
            "Azure Portal",
            "Microsoft Edge",
            "Office 365 Exchange Online",
        ]);
        let corr = world::uuid(&mut self.rng);
        let agent = *self.rng.pick(catalog::cloud::BROWSER_AGENTS);
        let ok = self.rng.chance(0.95);
        let ev = CloudEv::AzureSignin {
            user: &person.email,
            app,
            ok,
            src: person.public_ip,
            agent,
            tenant: &self.w.azure_tenant,
            correlation: &corr,
        };
        self.emit_cloud(t, &ev, false);
    }

    fn gcp(&mut self, t: i64) {
        let project = *self.rng.pick(catalog::cloud::GCP_PROJECTS);
        let (principal, src, agent) = if self.rng.chance(0.4) {
            let p = &self.w.people[self.rng.index(self.w.people.len())];
            (
                p.email.clone(),
                p.public_ip,
                "google-cloud-sdk gcloud/502.0.0 command/gcloud.compute.instances.list",
            )
        } else {
            (
                format!("svc-etl@{project}.iam.gserviceaccount.com"),
                [35, 203, 210, 17],
                "google-api-go-client/0.5 gcloud-golang-bigquery/1.63.1",
            )
        };
        let weights: Vec<u32> = catalog::cloud::GCP_METHODS.iter().map(|m| m.2).collect();
        for k in 0..self.rng.skewed(1, 5) {
            let (service, method, _, _) = catalog::cloud::GCP_METHODS[self.rng.weighted(&weights)];
            let resource = format!(
                "projects/{project}/{}",
                if service.starts_with("storage") {
                    "buckets/corp-data-lake/objects/raw/events.parquet"
                } else {
                    "zones/us-central1-a/instances/etl-worker-1"
                }
            );
            let ev = CloudEv::Gcp {
                service,
                method,
                project,
                principal: &principal,
                ok: self.rng.chance(0.98),
                src,
                agent,
                resource: &resource,
            };
            let at = t + k as i64 * self.rng.range(50, 2_000) as i64;
            self.emit_cloud(at, &ev, false);
        }
    }
}
