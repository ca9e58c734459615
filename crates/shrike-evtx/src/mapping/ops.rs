//! Running mapping steps over a document.
//!
//! The document borrows keys from the mapping (`'a` outlives nothing the mapper owns) and
//! values from the rendered record; a value moved or copied unchanged keeps its escaped
//! form, only computed values are new strings.

use std::borrow::Cow;

use super::spec::{
    ArgsStyle, BasenameStyle, Categorization, Convert, Op, Separator, Step, Steps, TemplatePart,
    TimeFormat,
};
use super::text;
use crate::doc::{self, Key, Node, Obj, Path};

/// What a step needs besides the document: the event id and the event table.
pub(crate) struct Ctx<'a> {
    pub code: Option<u32>,
    pub category: Option<&'a Categorization>,
    pub event_data: &'a Path,
    pub paths: &'a Fixed,
}

/// Paths the ops use whatever the mapping file says.
#[derive(Debug)]
pub(crate) struct Fixed {
    timestamp: Path,
    category: Path,
    kind: Path,
    action: Path,
    outcome: Path,
    related_hash: Path,
    related_hosts: Path,
    dns_answers: Path,
    dns_resolved_ip: Path,
}

impl Fixed {
    pub(crate) fn new() -> Fixed {
        Fixed {
            timestamp: Path::parse("@timestamp"),
            category: Path::parse("event.category"),
            kind: Path::parse("event.type"),
            action: Path::parse("event.action"),
            outcome: Path::parse("event.outcome"),
            related_hash: Path::parse("related.hash"),
            related_hosts: Path::parse("related.hosts"),
            dns_answers: Path::parse("dns.answers"),
            dns_resolved_ip: Path::parse("dns.resolved_ip"),
        }
    }
}

/// Runs the steps that apply to the record, in order.
pub(crate) fn run<'a>(steps: &'a Steps, d: &mut Obj<'a>, ctx: &Ctx<'a>) {
    for step in steps.for_code(ctx.code) {
        if applies(step, d, ctx) {
            apply(&step.op, d, ctx);
        }
    }
}

/// The conditions besides `codes`, which [`Steps::for_code`] has already applied.
fn applies(step: &Step, d: &Obj<'_>, ctx: &Ctx<'_>) -> bool {
    let w = &step.when;
    if ctx.code.is_some_and(|c| w.not_codes.contains(&c)) {
        return false;
    }
    if !w.if_set.iter().all(|p| doc::get(d, p).is_some()) {
        return false;
    }
    if !w.unless_value.is_empty() {
        if let Some(v) = step.op.primary_source().and_then(|p| doc::get_text(d, p)) {
            if w.unless_value.iter().any(|u| *u == *v) {
                return false;
            }
        }
    }
    true
}

/// The text at `p`, owned (steps often write where they read).
fn text_at(d: &Obj<'_>, p: &Path) -> Option<String> {
    doc::get_text(d, p).map(Cow::into_owned)
}

fn owned<'a>(s: String) -> Node<'a> {
    Node::Str(Cow::Owned(s))
}

fn convert<'a>(value: String, how: Convert) -> Option<Node<'a>> {
    match how {
        Convert::None => Some(owned(value)),
        Convert::Long => text::parse_long(&value).map(Node::Int),
        Convert::Ip => text::is_ip(&value).then(|| owned(value)),
        Convert::Boolean => {
            if value.eq_ignore_ascii_case("true") {
                Some(Node::Bool(true))
            } else if value.eq_ignore_ascii_case("false") {
                Some(Node::Bool(false))
            } else {
                None
            }
        }
    }
}

fn before(value: String, token: Option<&str>) -> String {
    match token {
        Some(t) if !t.is_empty() => match value.find(t) {
            Some(i) => value[..i].to_string(),
            None => value,
        },
        _ => value,
    }
}

fn strings<'a>(items: &'a [String]) -> Node<'a> {
    Node::Arr(items.iter().map(|s| Node::str(s.as_str())).collect())
}

fn apply<'a>(op: &'a Op, d: &mut Obj<'a>, ctx: &Ctx<'a>) {
    let fixed = ctx.paths;
    match op {
        Op::DropValues { values } => {
            let emptied = match doc::get_mut(d, ctx.event_data) {
                Some(Node::Obj(data)) => {
                    data.retain(|_, v| !v.text().is_some_and(|s| values.iter().any(|x| **x == *s)));
                    data.is_empty()
                }
                _ => false,
            };
            if emptied {
                doc::remove(d, ctx.event_data);
            }
        }
        Op::Categorize => {
            if let Some(c) = ctx.category {
                if let Some(cat) = &c.category {
                    doc::set(d, &fixed.category, strings(cat));
                }
                if let Some(kind) = &c.kind {
                    doc::set(d, &fixed.kind, strings(kind));
                }
                if let Some(action) = &c.action {
                    doc::set(d, &fixed.action, Node::str(action.as_str()));
                }
                if let Some(outcome) = &c.outcome {
                    doc::set(d, &fixed.outcome, Node::str(outcome.as_str()));
                }
            }
        }
        Op::Timestamp { from, format } => {
            let parsed = doc::get_text(d, from).and_then(|s| match format {
                TimeFormat::Sysmon => text::sysmon_time(&s),
            });
            if let Some(ts) = parsed {
                doc::set(d, &fixed.timestamp, owned(ts));
            }
        }
        Op::Put {
            from,
            to,
            convert: how,
            rename,
            remove_source,
            before: token,
            strip,
            related,
        } => {
            if *rename && doc::get(d, to).is_some() {
                return;
            }
            let Some(value) = doc::get(d, from) else {
                return;
            };
            let plain = *how == Convert::None && token.is_none() && strip.is_empty();
            let out = if value.is_str() {
                let text = value.text().unwrap_or_default();
                // The pipelines skip empty values (`!= ""` conditions, ignore_empty_value).
                if text.is_empty() {
                    return;
                }
                if plain {
                    value.clone()
                } else {
                    let mut s = before(text.into_owned(), token.as_deref());
                    for x in strip {
                        s = s.replace(x.as_str(), "");
                    }
                    match convert(s, *how) {
                        Some(v) => v,
                        None => return,
                    }
                }
            } else if *how == Convert::None {
                // Objects and arrays move as they are.
                value.clone()
            } else {
                return;
            };
            if *remove_source {
                doc::remove(d, from);
            }
            if let Some(kind) = related {
                if out.is_str() {
                    doc::append_unique(d, kind, out.clone());
                }
            }
            doc::set(d, to, out);
        }
        Op::Set { to, value } => doc::set(d, to, value.borrowed()),
        Op::Remove { fields } => {
            for f in fields {
                doc::remove(d, f);
            }
        }
        Op::Lookup {
            from,
            to,
            table,
            lowercase,
        } => {
            let Some(s) = doc::get_text(d, from) else {
                return;
            };
            let hit = if *lowercase {
                table.get(&s.to_lowercase())
            } else {
                table.get(&*s)
            };
            if let Some(v) = hit {
                doc::set(d, to, v.borrowed());
            }
        }
        Op::Flags { from, to, table } => {
            let Some(n) = doc::get_text(d, from).and_then(|s| text::parse_long(&s)) else {
                return;
            };
            let n = n as u64;
            let names: Vec<Node<'a>> = table
                .iter()
                .filter(|(mask, _)| n & mask == *mask)
                .map(|(_, name)| Node::str(name.as_str()))
                .collect();
            if !names.is_empty() {
                doc::set(d, to, Node::Arr(names));
            }
        }
        Op::Split {
            from,
            separator,
            trim,
            drop_empty,
        } => {
            let Some(s) = text_at(d, from) else {
                return;
            };
            let parts = match separator {
                Separator::Whitespace => text::java_split(&s, text::java_whitespace, true),
                Separator::Token(t) => text::split_on_token(&s, t),
            };
            let parts: Vec<Node<'a>> = parts
                .into_iter()
                .map(|p| if *trim { p.trim().to_string() } else { p })
                .filter(|p| !(*drop_empty && p.is_empty()))
                .map(owned)
                .collect();
            doc::set(d, from, Node::Arr(parts));
        }
        Op::SplitUser { from, domain, name } => {
            let Some(s) = doc::get_text(d, from) else {
                return;
            };
            let parts = text::java_split(&s, |c| c == '\\', false);
            if let [dom, user] = parts.as_slice() {
                let (dom, user) = (dom.clone(), user.clone());
                if !dom.is_empty() {
                    doc::set(d, domain, owned(dom));
                }
                if !user.is_empty() {
                    doc::set(d, name, owned(user));
                }
            }
        }
        Op::Hashes { from, targets } => hashes(d, from, targets, ctx),
        Op::Args {
            from,
            to,
            count_to,
            style,
        } => {
            let Some(s) = doc::get_text(d, from).filter(|s| !s.is_empty()) else {
                return;
            };
            let args = match style {
                ArgsStyle::Windows => text::windows_argv(&s),
                ArgsStyle::Quoted => text::quoted_args(&s),
            };
            let n = args.len();
            doc::set(d, to, Node::Arr(args.into_iter().map(owned).collect()));
            if let Some(c) = count_to {
                doc::set(d, c, Node::Int(n as i64));
            }
        }
        Op::Basename { from, to, style } => {
            if doc::get(d, to).is_some() {
                return;
            }
            let Some(path) = doc::get_text(d, from) else {
                return;
            };
            let name = match style {
                BasenameStyle::AfterLastBackslash => text::after_last_backslash(&path),
                BasenameStyle::LastPart => path.rsplit('\\').next(),
            };
            if let Some(n) = name.map(str::to_string) {
                doc::set(d, to, owned(n));
            }
        }
        Op::FileParts { from, to } => {
            let Some(path) = doc::get_text(d, from) else {
                return;
            };
            let Some((name, dir, ext)) = text::file_parts(&path) else {
                return;
            };
            let (name, dir, ext) = (name.to_string(), dir.to_string(), ext.map(str::to_string));
            let [name_p, dir_p, ext_p] = to;
            doc::set(d, name_p, owned(name));
            doc::set(d, dir_p, owned(dir));
            if let Some(e) = ext {
                doc::set(d, ext_p, owned(e));
            }
        }
        Op::Extension { from, to } => {
            let Some(name) = doc::get_text(d, from) else {
                return;
            };
            if let Some(i) = name.rfind('.') {
                let e = name[i + 1..].to_string();
                doc::set(d, to, owned(e));
            }
        }
        Op::Registry {
            from,
            details,
            to,
            kernel_paths,
        } => {
            let Some(raw) = text_at(d, from).filter(|s| !s.is_empty()) else {
                return;
            };
            let path = match kernel_paths
                .then(|| text::kernel_to_hive_path(&raw))
                .flatten()
            {
                Some(p) => p,
                None => raw,
            };
            let parts = text::registry_parts(&path, doc::get_text(d, details).as_deref());
            let [path_p, hive_p, key_p, value_p, strings_p, type_p] = to;
            doc::set(d, path_p, owned(parts.path));
            if let Some(h) = parts.hive {
                doc::set(d, hive_p, owned(h));
            }
            if let Some(k) = parts.key {
                doc::set(d, key_p, owned(k));
            }
            if let Some(v) = parts.value {
                doc::set(d, value_p, owned(v));
            }
            if let Some(s) = parts.data_strings {
                doc::set(d, strings_p, Node::Arr(vec![owned(s)]));
            }
            if let Some(t) = parts.data_type {
                doc::set(d, type_p, Node::str(t));
            }
        }
        Op::DnsAnswers { from, types } => {
            let Some(s) = text_at(d, from).filter(|s| !s.is_empty()) else {
                return;
            };
            dns_answers(d, &s, types, fixed);
        }
        Op::Related { kind, from } => {
            for p in from {
                match doc::get(d, p).cloned() {
                    Some(v) if v.is_str() && v.text().is_some_and(|t| !t.is_empty()) => {
                        doc::append_unique(d, kind, v);
                    }
                    Some(Node::Arr(items)) => {
                        for i in items.into_iter().filter(Node::is_str) {
                            doc::append_unique(d, kind, i);
                        }
                    }
                    _ => {}
                }
            }
        }
        Op::Template { to, parts } => {
            let mut out = String::new();
            for part in parts {
                match part {
                    TemplatePart::Text(t) => out.push_str(t),
                    TemplatePart::Field(p) => match doc::get_text(d, p) {
                        Some(v) if !v.is_empty() => out.push_str(&v),
                        _ => return,
                    },
                }
            }
            doc::set(d, to, owned(out));
        }
        Op::Kv {
            from,
            to,
            field_split,
            value_split,
            trim,
        } => {
            let Some(s) = text_at(d, from) else {
                return;
            };
            let Some(Node::Obj(target)) = doc::get_mut(d, to) else {
                return;
            };
            for field in s.split(field_split.as_str()) {
                let Some((k, v)) = field.split_once(value_split.as_str()) else {
                    continue;
                };
                let k = k.trim_matches(|c| trim.contains(&c));
                let v = v.trim_matches(|c| trim.contains(&c));
                if !k.is_empty() {
                    target.insert(Key::Owned(k.to_string()), owned(v.to_string()));
                }
            }
        }
        Op::StripKeySpaces => {
            if let Some(Node::Obj(data)) = doc::get_mut(d, ctx.event_data) {
                for (k, _) in data.entries_mut().iter_mut() {
                    if k.chars().any(char::is_whitespace) {
                        let stripped: String = k.chars().filter(|c| !c.is_whitespace()).collect();
                        *k = Key::Owned(stripped);
                    }
                }
            }
        }
        Op::Trim { field } => {
            if let Some(s) = doc::get_text(d, field) {
                let t = s.trim();
                if t.len() != s.len() {
                    let t = t.to_string();
                    doc::set(d, field, owned(t));
                }
            }
        }
        Op::StripV4Mapped { field } => {
            if let Some(v4) = doc::get_text(d, field).and_then(|s| text::strip_v4_mapped(&s)) {
                doc::set(d, field, owned(v4));
            }
        }
        Op::PutOr {
            from,
            to,
            else_to,
            before: token,
            related,
        } => {
            let Some(value) = from.iter().find_map(|p| text_at(d, p)) else {
                return;
            };
            let value = before(value, token.as_deref());
            if let Some(kind) = related {
                doc::append_unique(d, kind, owned(value.clone()));
            }
            let target = if doc::get(d, to).is_none() {
                to
            } else {
                else_to
            };
            doc::set(d, target, owned(value));
        }
        Op::DnPart {
            from,
            to,
            index,
            strip,
            related,
        } => {
            let Some(s) = doc::get_text(d, from) else {
                return;
            };
            let Some(part) = s.split(',').nth(*index) else {
                return;
            };
            let mut part = part.to_string();
            for x in strip {
                part = part.replace(x.as_str(), "");
            }
            if let Some(kind) = related {
                doc::append_unique(d, kind, owned(part.clone()));
            }
            doc::set(d, to, owned(part));
        }
    }
}

/// `SHA1=…,MD5=…` → lower-cased `<target>.hash.<algo>` (IMPHASH as `<target>.pe.imphash`),
/// skipping empty and all-zero hashes; every kept hash also goes to `related.hash`.
fn hashes<'a>(d: &mut Obj<'a>, from: &Path, targets: &'a [(Vec<u32>, Path, Path)], ctx: &Ctx<'a>) {
    let Some(s) = text_at(d, from) else {
        return;
    };
    let mut found: Vec<(String, String)> = Vec::new();
    for field in s.split(',') {
        let Some((k, v)) = field.split_once('=') else {
            continue;
        };
        let v = v.to_lowercase();
        if v.is_empty() || v.bytes().all(|b| b == b'0') {
            continue;
        }
        let k = k.to_lowercase();
        match found.iter_mut().find(|(key, _)| *key == k) {
            Some(slot) => slot.1 = v,
            None => found.push((k, v)),
        }
    }
    if found.is_empty() {
        return;
    }
    for (_, v) in &found {
        doc::append_unique(d, &ctx.paths.related_hash, owned(v.clone()));
    }
    let target = targets
        .iter()
        .find(|(codes, _, _)| ctx.code.is_some_and(|c| codes.contains(&c)));
    if let Some((_, hash, imphash)) = target {
        for (k, v) in found {
            if k == "imphash" {
                doc::set(d, imphash, owned(v));
            } else {
                let slot = match doc::get_mut(d, hash) {
                    Some(Node::Obj(o)) => o,
                    _ => {
                        doc::set(d, hash, Node::Obj(Obj::new()));
                        match doc::get_mut(d, hash) {
                            Some(Node::Obj(o)) => o,
                            _ => return,
                        }
                    }
                };
                slot.insert(Key::Owned(k), owned(v));
            }
        }
    }
}

/// Sysmon QueryResults → `dns.answers`, `dns.resolved_ip` (v4-mapped addresses unwrapped,
/// invalid ones dropped, each also an A/AAAA answer), `related.hosts`.
fn dns_answers<'a>(
    d: &mut Obj<'a>,
    results: &str,
    types: &std::collections::HashMap<String, String>,
    fixed: &'a Fixed,
) {
    let (parsed, raw_ips) = text::dns_results(results, |t| types.get(t).cloned());
    let mut answers: Vec<Node<'a>> = Vec::new();
    for a in parsed {
        let mut m = Obj::new();
        if let Some(data) = &a.data {
            m.push(Key::Borrowed("data"), owned(data.clone()));
            doc::append_unique(d, &fixed.related_hosts, owned(data.clone()));
        }
        if let Some(k) = a.kind {
            m.push(Key::Borrowed("type"), owned(k));
        }
        answers.push(Node::Obj(m));
    }
    let ips: Vec<String> = raw_ips
        .into_iter()
        .map(|ip| text::strip_v4_mapped(&ip).unwrap_or(ip))
        .filter(|ip| text::is_ip(ip))
        .collect();
    for ip in &ips {
        let mut m = Obj::new();
        m.push(Key::Borrowed("data"), owned(ip.clone()));
        let kind = if ip.contains(':') { "AAAA" } else { "A" };
        m.push(Key::Borrowed("type"), Node::str(kind));
        answers.push(Node::Obj(m));
    }
    if !answers.is_empty() {
        doc::set(d, &fixed.dns_answers, Node::Arr(answers));
    }
    if !ips.is_empty() {
        doc::set(
            d,
            &fixed.dns_resolved_ip,
            Node::Arr(ips.into_iter().map(owned).collect()),
        );
    }
}
