//! Running mapping steps over a document.

use super::spec::{
    ArgsStyle, BasenameStyle, Categorization, Convert, Op, Separator, Step, TemplatePart,
    TimeFormat,
};
use super::text;
use crate::doc::{self, Key, Node, Obj, Path};

/// What a step needs besides the document: the event id and the event table.
pub(crate) struct Ctx<'a> {
    pub code: Option<u32>,
    pub category: Option<&'a Categorization>,
    pub event_data: &'a Path,
}

/// Runs `steps` in order.
pub(crate) fn run(steps: &[Step], d: &mut Obj, ctx: &Ctx<'_>) {
    for step in steps {
        if applies(step, d, ctx) {
            apply(&step.op, d, ctx);
        }
    }
}

fn applies(step: &Step, d: &Obj, ctx: &Ctx<'_>) -> bool {
    let w = &step.when;
    if let Some(codes) = &w.codes {
        if !ctx.code.is_some_and(|c| codes.contains(&c)) {
            return false;
        }
    }
    if ctx.code.is_some_and(|c| w.not_codes.contains(&c)) {
        return false;
    }
    if !w.if_set.iter().all(|p| doc::get(d, p).is_some()) {
        return false;
    }
    if !w.unless_value.is_empty() {
        if let Some(v) = step.op.primary_source().and_then(|p| doc::get_str(d, p)) {
            if w.unless_value.iter().any(|u| u == v) {
                return false;
            }
        }
    }
    true
}

/// The string at `p`, cloned (steps often write where they read).
fn string_at(d: &Obj, p: &Path) -> Option<String> {
    doc::get_str(d, p).map(str::to_string)
}

fn convert(value: &str, how: Convert) -> Option<Node> {
    match how {
        Convert::None => Some(Node::str(value)),
        Convert::Long => text::parse_long(value).map(Node::Int),
        Convert::Ip => text::is_ip(value).then(|| Node::str(value)),
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

fn apply(op: &Op, d: &mut Obj, ctx: &Ctx<'_>) {
    match op {
        Op::DropValues { values } => {
            let emptied = match doc::get_mut(d, ctx.event_data) {
                Some(Node::Obj(data)) => {
                    data.retain(|_, v| !v.as_str().is_some_and(|s| values.iter().any(|x| x == s)));
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
                let event = Path::parse("event");
                if let Some(cat) = &c.category {
                    doc::set(d, &event.join("category"), strings(cat));
                }
                if let Some(kind) = &c.kind {
                    doc::set(d, &event.join("type"), strings(kind));
                }
                if let Some(action) = &c.action {
                    doc::set(d, &event.join("action"), Node::Str(action.clone()));
                }
                if let Some(outcome) = &c.outcome {
                    doc::set(d, &event.join("outcome"), Node::Str(outcome.clone()));
                }
            }
        }
        Op::Timestamp { from, format } => {
            if let Some(s) = doc::get_str(d, from) {
                let parsed = match format {
                    TimeFormat::Sysmon => text::sysmon_time(s),
                };
                if let Some(ts) = parsed {
                    doc::set(d, &Path::parse("@timestamp"), Node::Str(ts));
                }
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
            let Some(value) = doc::get(d, from).cloned() else {
                return;
            };
            let out = match value {
                // The pipelines skip empty values (`!= ""` conditions, ignore_empty_value).
                Node::Str(s) if s.is_empty() => return,
                Node::Str(s) => {
                    let mut s = before(s, token.as_deref());
                    for x in strip {
                        s = s.replace(x.as_str(), "");
                    }
                    match convert(&s, *how) {
                        Some(v) => v,
                        None => return,
                    }
                }
                // Objects and arrays move as they are.
                other if *how == Convert::None => other,
                _ => return,
            };
            if *remove_source {
                doc::remove(d, from);
            }
            if let (Some(kind), Node::Str(s)) = (related, &out) {
                doc::append_unique(d, kind, Node::Str(s.clone()));
            }
            doc::set(d, to, out);
        }
        Op::Set { to, value } => doc::set(d, to, value.clone()),
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
            let Some(s) = doc::get_str(d, from) else {
                return;
            };
            let hit = if *lowercase {
                table.get(&s.to_lowercase())
            } else {
                table.get(s)
            };
            if let Some(v) = hit.cloned() {
                doc::set(d, to, v);
            }
        }
        Op::Flags { from, to, table } => {
            let Some(n) = doc::get_str(d, from).and_then(text::parse_long) else {
                return;
            };
            let n = n as u64;
            let names: Vec<Node> = table
                .iter()
                .filter(|(mask, _)| n & mask == *mask)
                .map(|(_, name)| Node::Str(name.clone()))
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
            let Some(s) = string_at(d, from) else {
                return;
            };
            let parts = match separator {
                Separator::Whitespace => text::java_split(&s, text::java_whitespace, true),
                Separator::Token(t) => text::split_on_token(&s, t),
            };
            let parts: Vec<Node> = parts
                .into_iter()
                .map(|p| if *trim { p.trim().to_string() } else { p })
                .filter(|p| !(*drop_empty && p.is_empty()))
                .map(Node::Str)
                .collect();
            doc::set(d, from, Node::Arr(parts));
        }
        Op::SplitUser { from, domain, name } => {
            let Some(s) = doc::get_str(d, from) else {
                return;
            };
            let parts = text::java_split(s, |c| c == '\\', false);
            if let [dom, user] = parts.as_slice() {
                let (dom, user) = (dom.clone(), user.clone());
                if !dom.is_empty() {
                    doc::set(d, domain, Node::Str(dom));
                }
                if !user.is_empty() {
                    doc::set(d, name, Node::Str(user));
                }
            }
        }
        Op::Hashes { from, targets } => hashes(d, from, targets, ctx.code),
        Op::Args {
            from,
            to,
            count_to,
            style,
        } => {
            let Some(s) = doc::get_str(d, from).filter(|s| !s.is_empty()) else {
                return;
            };
            let args = match style {
                ArgsStyle::Windows => text::windows_argv(s),
                ArgsStyle::Quoted => text::quoted_args(s),
            };
            let n = args.len();
            doc::set(d, to, Node::Arr(args.into_iter().map(Node::Str).collect()));
            if let Some(c) = count_to {
                doc::set(d, c, Node::Int(n as i64));
            }
        }
        Op::Basename { from, to, style } => {
            if doc::get(d, to).is_some() {
                return;
            }
            let Some(path) = doc::get_str(d, from) else {
                return;
            };
            let name = match style {
                BasenameStyle::AfterLastBackslash => text::after_last_backslash(path),
                BasenameStyle::LastPart => path.rsplit('\\').next(),
            };
            if let Some(n) = name.map(str::to_string) {
                doc::set(d, to, Node::Str(n));
            }
        }
        Op::FileParts { from, to } => {
            let Some(path) = doc::get_str(d, from) else {
                return;
            };
            if let Some((name, dir, ext)) = text::file_parts(path) {
                let (name, dir, ext) = (name.to_string(), dir.to_string(), ext.map(str::to_string));
                doc::set(d, &to.join("name"), Node::Str(name));
                doc::set(d, &to.join("directory"), Node::Str(dir));
                if let Some(e) = ext {
                    doc::set(d, &to.join("extension"), Node::Str(e));
                }
            }
        }
        Op::Extension { from, to } => {
            let Some(name) = doc::get_str(d, from) else {
                return;
            };
            if let Some(i) = name.rfind('.') {
                let e = name[i + 1..].to_string();
                doc::set(d, to, Node::Str(e));
            }
        }
        Op::Registry {
            from,
            details,
            to,
            kernel_paths,
        } => {
            let Some(raw) = doc::get_str(d, from).filter(|s| !s.is_empty()) else {
                return;
            };
            let path = match kernel_paths
                .then(|| text::kernel_to_hive_path(raw))
                .flatten()
            {
                Some(p) => p,
                None => raw.to_string(),
            };
            let parts = text::registry_parts(&path, doc::get_str(d, details));
            doc::set(d, &to.join("path"), Node::Str(parts.path));
            if let Some(h) = parts.hive {
                doc::set(d, &to.join("hive"), Node::Str(h));
            }
            if let Some(k) = parts.key {
                doc::set(d, &to.join("key"), Node::Str(k));
            }
            if let Some(v) = parts.value {
                doc::set(d, &to.join("value"), Node::Str(v));
            }
            if let Some(s) = parts.data_strings {
                doc::set(d, &to.join("data.strings"), Node::Arr(vec![Node::Str(s)]));
            }
            if let Some(t) = parts.data_type {
                doc::set(d, &to.join("data.type"), Node::Str(t.to_string()));
            }
        }
        Op::DnsAnswers { from, types } => {
            let Some(s) = string_at(d, from).filter(|s| !s.is_empty()) else {
                return;
            };
            dns_answers(d, &s, types);
        }
        Op::Related { kind, from } => {
            for p in from {
                match doc::get(d, p).cloned() {
                    Some(Node::Str(s)) if !s.is_empty() => {
                        doc::append_unique(d, kind, Node::Str(s));
                    }
                    Some(Node::Arr(items)) => {
                        for i in items.into_iter().filter(|i| matches!(i, Node::Str(_))) {
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
                    TemplatePart::Field(p) => match doc::get_str(d, p) {
                        Some(v) if !v.is_empty() => out.push_str(v),
                        _ => return,
                    },
                }
            }
            doc::set(d, to, Node::Str(out));
        }
        Op::Kv {
            from,
            to,
            field_split,
            value_split,
            trim,
        } => {
            let Some(s) = string_at(d, from) else {
                return;
            };
            for field in s.split(field_split.as_str()) {
                let Some((k, v)) = field.split_once(value_split.as_str()) else {
                    continue;
                };
                let k = k.trim_matches(|c| trim.contains(&c));
                let v = v.trim_matches(|c| trim.contains(&c));
                if !k.is_empty() {
                    doc::set(d, &Path::under(to, k), Node::Str(v.to_string()));
                }
            }
        }
        Op::StripKeySpaces => {
            if let Some(Node::Obj(data)) = doc::get_mut(d, ctx.event_data) {
                if data.keys().any(|k| k.chars().any(char::is_whitespace)) {
                    for (k, _) in data.entries_mut().iter_mut() {
                        if k.chars().any(char::is_whitespace) {
                            let stripped: String =
                                k.chars().filter(|c| !c.is_whitespace()).collect();
                            *k = Key::from(stripped);
                        }
                    }
                }
            }
        }
        Op::Trim { field } => {
            if let Some(s) = doc::get_str(d, field) {
                let t = s.trim();
                if t.len() != s.len() {
                    let t = t.to_string();
                    doc::set(d, field, Node::Str(t));
                }
            }
        }
        Op::StripV4Mapped { field } => {
            if let Some(v4) = doc::get_str(d, field).and_then(text::strip_v4_mapped) {
                doc::set(d, field, Node::Str(v4));
            }
        }
        Op::PutOr {
            from,
            to,
            else_to,
            before: token,
            related,
        } => {
            let Some(value) = from.iter().find_map(|p| string_at(d, p)) else {
                return;
            };
            let value = before(value, token.as_deref());
            if let Some(kind) = related {
                doc::append_unique(d, kind, Node::Str(value.clone()));
            }
            let target = if doc::get(d, to).is_none() {
                to
            } else {
                else_to
            };
            doc::set(d, target, Node::Str(value));
        }
        Op::DnPart {
            from,
            to,
            index,
            strip,
            related,
        } => {
            let Some(s) = doc::get_str(d, from) else {
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
                doc::append_unique(d, kind, Node::Str(part.clone()));
            }
            doc::set(d, to, Node::Str(part));
        }
    }
}

fn strings(items: &[String]) -> Node {
    Node::Arr(items.iter().cloned().map(Node::Str).collect())
}

/// `SHA1=…,MD5=…` → lower-cased `<target>.hash.<algo>` (IMPHASH as `<target>.pe.imphash`),
/// skipping empty and all-zero hashes; every kept hash also goes to `related.hash`.
fn hashes(d: &mut Obj, from: &Path, targets: &[(Vec<u32>, Path)], code: Option<u32>) {
    let Some(s) = string_at(d, from) else {
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
    let related = Path::parse("related.hash");
    for (_, v) in &found {
        doc::append_unique(d, &related, Node::Str(v.clone()));
    }
    let target = targets
        .iter()
        .find(|(codes, _)| code.is_some_and(|c| codes.contains(&c)))
        .map(|(_, t)| t);
    if let Some(t) = target {
        for (k, v) in found {
            let p = if k == "imphash" {
                t.join("pe.imphash")
            } else {
                Path::under(&t.join("hash"), &k)
            };
            doc::set(d, &p, Node::Str(v));
        }
    }
}

/// Sysmon QueryResults → `dns.answers`, `dns.resolved_ip` (v4-mapped addresses unwrapped,
/// invalid ones dropped, each also an A/AAAA answer), `related.hosts`.
fn dns_answers(d: &mut Obj, results: &str, types: &std::collections::HashMap<String, String>) {
    let (parsed, raw_ips) = text::dns_results(results, |t| types.get(t).cloned());
    let mut answers: Vec<Node> = Vec::new();
    let hosts = Path::parse("related.hosts");
    for a in parsed {
        let mut m = Obj::new();
        if let Some(data) = &a.data {
            m.push(Key::from("data"), Node::Str(data.clone()));
            doc::append_unique(d, &hosts, Node::Str(data.clone()));
        }
        if let Some(k) = a.kind {
            m.push(Key::from("type"), Node::Str(k));
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
        m.push(Key::from("data"), Node::Str(ip.clone()));
        let kind = if ip.contains(':') { "AAAA" } else { "A" };
        m.push(Key::from("type"), Node::Str(kind.into()));
        answers.push(Node::Obj(m));
    }
    if !answers.is_empty() {
        doc::set(d, &Path::parse("dns.answers"), Node::Arr(answers));
    }
    if !ips.is_empty() {
        doc::set(
            d,
            &Path::parse("dns.resolved_ip"),
            Node::Arr(ips.into_iter().map(Node::Str).collect()),
        );
    }
}
