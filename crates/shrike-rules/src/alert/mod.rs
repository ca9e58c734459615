//! Alert documents in the shape Kibana writes them to the Elastic Security alerts index
//! (`.alerts-security.alerts-<space>`), built from a rule and the events it matched.
//!
//! What Kibana does, and so what this module does (`build_alert.ts`,
//! `transform_hit_to_alert.ts`, `build_alert_group_from_sequence.ts`):
//!
//! * **Event rules**: one alert per matching event. The event's `_source` is kept, minus
//!   fields the alerts index cannot hold ([`ecs::prepare_source`]), its `event.*` copied
//!   to `kibana.alert.original_event.*`, and the alert fields merged in: `@timestamp`
//!   (the run's time), `event.kind: "signal"`, `kibana.alert.*` (uuid, ancestors, depth,
//!   reason, severity, risk score, status, workflow status, original time) and
//!   `kibana.alert.rule.*` (the rule's parameters). Severity, risk score and rule name
//!   may be overridden per event ([`overrides`]). The uuid is the SHA-256 of the event's
//!   `_index`, `_id`, `_version` (EQL hits have none: `undefined`) and
//!   `<space>:<rule uuid>`.
//! * **Sequences**: one *building block* per event of the sequence (events of
//!   missing-event stages make none), built like an event alert without overrides and
//!   marked `kibana.alert.building_block_type: "default"`, `kibana.alert.group.id` and
//!   `kibana.alert.group.index`; then one *shell* alert: the fields every building block
//!   shares, plus the alert fields with the building blocks (and their events) as
//!   ancestors, depth 2. Its uuid (SHA-256 of the ancestors' ids and indices and the rule
//!   uuid) is also the group id. The shell is written first, then the building blocks.
//!
//! Offline there is no Kibana to assign some values; shrike's choices are:
//! `@timestamp` and `kibana.alert.intended_timestamp` are the run's time
//! ([`AlertSettings::now`], `--now` on the command line); the rule's `uuid` (a saved
//! object id in Kibana) is derived from its `rule_id` ([`rule_uuid`]), so alert ids are
//! the same on every machine; `created_at`/`updated_at` are the metadata dates;
//! `created_by`/`updated_by` are `shrike`; the space is `default`; there is no
//! `kibana.alert.url` (Kibana writes one only when it knows its public URL).

pub mod ecs;
pub mod intersect;
pub mod js;
pub mod object_hash;
pub mod overrides;
pub mod reason;

use crate::model::{Located, Rule, RuleFile, RuleType, Severity, Threat};
use ecs::EcsTypes;
use js::{fields_of, js_number_json, lodash_get, JsObject};
use serde_json::{json, Map, Value as Json};
use sha2::{Digest, Sha256};

/// Index patterns Kibana searches when a rule names none (the default of the
/// `securitySolution:defaultIndex` advanced setting).
pub const DEFAULT_INDEX_PATTERNS: [&str; 9] = [
    "apm-*-transaction*",
    "auditbeat-*",
    "endgame-*",
    "filebeat-*",
    "logs-*",
    "packetbeat-*",
    "traces-apm*",
    "winlogbeat-*",
    "-*elastic-cloud-logs-*",
];

/// Run-wide settings of the alerts built.
#[derive(Clone, Debug)]
pub struct AlertSettings {
    /// The run's time, ISO 8601 with milliseconds (`2024-05-01T12:00:00.000Z`): the
    /// alerts' `@timestamp`.
    pub now: String,
    /// Kibana space (`default`).
    pub space: String,
    /// ECS field types of the alerts index, to drop values it would reject.
    pub ecs: EcsTypes,
}

/// An event as the alert builder needs it.
#[derive(Clone, Copy, Debug)]
pub struct SourceEvent<'a> {
    /// Its index (`""` when unknown).
    pub index: &'a str,
    /// Its `_id`.
    pub id: &'a str,
    /// Its `_source`.
    pub source: &'a Json,
}

/// The UUID shrike gives a rule in place of Kibana's saved-object id: the first 16 bytes
/// of SHA-256(`shrike rule\0` + rule_id), formatted as a version-8 (custom) UUID.
pub fn rule_uuid(rule_id: &str) -> String {
    let digest = Sha256::new()
        .chain_update(b"shrike rule\0")
        .chain_update(rule_id.as_bytes())
        .finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

fn sha256_hex(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
    }
    h.finalize().iter().map(|x| format!("{x:02x}")).collect()
}

/// The fields of a suppressed alert (`wrap_suppressed_alerts.ts`).
#[derive(Clone, Debug)]
pub struct SuppressionFields {
    /// `kibana.alert.suppression.terms`: `[{field, value}]`.
    pub terms: Json,
    /// `kibana.alert.suppression.start` (nanoseconds).
    pub start: i64,
    /// `kibana.alert.suppression.end` (nanoseconds).
    pub end: i64,
    /// `kibana.alert.suppression.docs_count`.
    pub docs_count: u64,
    /// `kibana.alert.instance.id`.
    pub instance_id: String,
}

/// Builds a rule's alerts. Made once per rule; everything that does not depend on the
/// event is computed here.
#[derive(Clone, Debug)]
pub struct AlertBuilder {
    rule: Rule,
    uuid: String,
    name: String,
    severity: Severity,
    risk_score: i64,
    building_block: Option<String>,
    indices: Vec<String>,
    created_at: String,
    updated_at: String,
    parameters: Json,
    threat: Json,
    meta: Vec<(String, Json)>,
}

/// `YYYY/MM/DD` → `YYYY-MM-DDT00:00:00.000Z`.
fn metadata_time(date: Option<&str>, fallback: &str) -> String {
    match date.and_then(crate::validate::parse_date) {
        Some((y, m, d)) => format!("{y:04}-{m:02}-{d:02}T00:00:00.000Z"),
        None => fallback.to_string(),
    }
}

fn strs(v: &[String]) -> Json {
    Json::Array(v.iter().map(|s| Json::String(s.clone())).collect())
}

fn opt_str(v: &Option<Located<String>>) -> Option<Json> {
    v.as_ref().map(|s| Json::String(s.value.clone()))
}

fn threat_json(threats: &[Located<Threat>]) -> Json {
    let mitre = |m: &crate::model::MitreRef| {
        let mut o = Map::new();
        for (k, v) in [
            ("id", &m.id),
            ("name", &m.name),
            ("reference", &m.reference),
        ] {
            if let Some(v) = v {
                o.insert(k.into(), Json::String(v.value.clone()));
            }
        }
        o
    };
    Json::Array(
        threats
            .iter()
            .map(|t| {
                let t = &t.value;
                let mut o = Map::new();
                if let Some(f) = &t.framework {
                    o.insert("framework".into(), Json::String(f.value.clone()));
                }
                if let Some(tactic) = &t.tactic {
                    o.insert("tactic".into(), Json::Object(mitre(&tactic.value)));
                }
                if !t.technique.is_empty() {
                    let techniques = t
                        .technique
                        .iter()
                        .map(|tech| {
                            let mut m = mitre(&tech.value.technique);
                            if !tech.value.subtechnique.is_empty() {
                                m.insert(
                                    "subtechnique".into(),
                                    Json::Array(
                                        tech.value
                                            .subtechnique
                                            .iter()
                                            .map(|s| Json::Object(mitre(&s.value)))
                                            .collect(),
                                    ),
                                );
                            }
                            Json::Object(m)
                        })
                        .collect();
                    o.insert("technique".into(), Json::Array(techniques));
                }
                Json::Object(o)
            })
            .collect(),
    )
}

impl AlertBuilder {
    /// The builder for `file`'s rule. `now` stands in for Kibana's rule creation time when
    /// the file has no metadata dates.
    pub fn new(file: &RuleFile, now: &str) -> Option<AlertBuilder> {
        let rule = file.rule.as_ref()?.value.clone();
        let meta = file.metadata.as_ref().map(|m| &m.value);
        let uuid = rule_uuid(rule.rule_id());
        let severity = rule.severity.as_ref().map_or(Severity::Low, |s| s.value);
        let risk_score = rule.risk_score.as_ref().map_or(0, |r| r.value);
        let indices: Vec<String> = match rule.index_patterns() {
            Some(p) => p.into_iter().map(String::from).collect(),
            None => DEFAULT_INDEX_PATTERNS
                .iter()
                .map(|s| s.to_string())
                .collect(),
        };
        let created_at = metadata_time(
            meta.and_then(|m| m.creation_date.as_ref())
                .map(|d| d.value.as_str()),
            now,
        );
        let updated_at = metadata_time(
            meta.and_then(|m| m.updated_date.as_ref())
                .map(|d| d.value.as_str()),
            &created_at,
        );
        let threat = threat_json(&rule.threat);
        let mut meta_fields = Vec::new();
        if let Some(m) = &rule.meta {
            js::flatten_with_prefix("kibana.alert.rule.meta", m, &mut meta_fields);
        }
        let mut b = AlertBuilder {
            name: rule.name().to_string(),
            building_block: rule.building_block_type.as_ref().map(|b| b.value.clone()),
            uuid,
            severity,
            risk_score,
            indices,
            created_at,
            updated_at,
            parameters: Json::Null,
            threat,
            meta: meta_fields,
            rule,
        };
        b.parameters = b.parameters_json();
        Some(b)
    }

    /// The rule's uuid in alerts (`kibana.alert.rule.uuid`).
    pub fn rule_uuid(&self) -> &str {
        &self.uuid
    }

    /// Uses `uuid` as the rule's uuid (the id of the rule as installed in a Kibana), so
    /// that alert ids match that Kibana's.
    pub fn with_rule_uuid(mut self, uuid: &str) -> Self {
        self.uuid = uuid.to_string();
        self
    }

    /// The index patterns the rule searches (its `index`, or Kibana's defaults).
    pub fn indices(&self) -> &[String] {
        &self.indices
    }

    fn severity_mapping_json(&self) -> Json {
        Json::Array(
            self.rule
                .severity_mapping
                .iter()
                .map(|m| {
                    let m = &m.value;
                    // Kibana's schema order: field, operator, severity, value.
                    let mut o = Map::new();
                    for (k, v) in [("field", &m.field), ("operator", &m.operator)] {
                        if let Some(v) = v {
                            o.insert(k.into(), Json::String(v.value.clone()));
                        }
                    }
                    if let Some(s) = &m.severity {
                        o.insert("severity".into(), json!(s.value.as_str()));
                    }
                    if let Some(v) = &m.value {
                        o.insert("value".into(), Json::String(v.value.clone()));
                    }
                    Json::Object(o)
                })
                .collect(),
        )
    }

    fn risk_score_mapping_json(&self) -> Json {
        Json::Array(
            self.rule
                .risk_score_mapping
                .iter()
                .map(|m| {
                    let m = &m.value;
                    let mut o = Map::new();
                    for (k, v) in [
                        ("field", &m.field),
                        ("operator", &m.operator),
                        ("value", &m.value),
                    ] {
                        if let Some(v) = v {
                            o.insert(k.into(), Json::String(v.value.clone()));
                        }
                    }
                    if let Some(r) = &m.risk_score {
                        o.insert("risk_score".into(), json!(r.value));
                    }
                    Json::Object(o)
                })
                .collect(),
        )
    }

    fn exceptions_list_json(&self) -> Json {
        Json::Array(
            self.rule
                .exceptions_list
                .iter()
                .map(|e| {
                    let e = &e.value;
                    let mut o = Map::new();
                    for (k, v) in [
                        ("id", &e.id),
                        ("list_id", &e.list_id),
                        ("type", &e.list_type),
                        ("namespace_type", &e.namespace_type),
                    ] {
                        if let Some(v) = v {
                            o.insert(k.into(), Json::String(v.value.clone()));
                        }
                    }
                    Json::Object(o)
                })
                .collect(),
        )
    }

    fn alert_suppression_json(&self) -> Option<Json> {
        let s = &self.rule.alert_suppression.as_ref()?.value;
        let mut o = Map::new();
        o.insert(
            "group_by".into(),
            Json::Array(s.group_by.iter().map(|g| json!(g.value)).collect()),
        );
        if let Some(d) = &s.duration {
            let mut dur = Map::new();
            if let Some(v) = &d.value.value {
                dur.insert("value".into(), json!(v.value));
            }
            if let Some(u) = &d.value.unit {
                dur.insert("unit".into(), json!(u.value));
            }
            o.insert("duration".into(), Json::Object(dur));
        }
        if let Some(m) = &s.missing_fields_strategy {
            o.insert("missing_fields_strategy".into(), json!(m.value));
        }
        Some(Json::Object(o))
    }

    /// `kibana.alert.rule.parameters`: the rule's common parameters then its type's, in
    /// the order Kibana's `commonParamsCamelToSnake` and `typeSpecificCamelToSnake` give
    /// them, with Kibana's defaults for what a rule file leaves out.
    fn parameters_json(&self) -> Json {
        let r = &self.rule;
        let mut p = JsObject::new();
        p.put(
            "description",
            r.description
                .as_ref()
                .map_or(String::new(), |d| d.value.clone()),
        );
        p.put("risk_score", self.risk_score);
        p.put("severity", self.severity.as_str());
        p.set(
            "building_block_type",
            self.building_block.clone().map(Json::String),
        );
        p.set("namespace", opt_str(&r.namespace));
        p.set("note", opt_str(&r.note));
        p.set("license", opt_str(&r.license));
        p.set("timeline_id", opt_str(&r.timeline_id));
        p.set("timeline_title", opt_str(&r.timeline_title));
        p.set("meta", r.meta.clone());
        p.set("rule_name_override", opt_str(&r.rule_name_override));
        p.set("timestamp_override", opt_str(&r.timestamp_override));
        p.set(
            "timestamp_override_fallback_disabled",
            r.timestamp_override_fallback_disabled.map(Json::Bool),
        );
        p.set(
            "investigation_fields",
            r.investigation_fields.as_ref().map(|f| {
                json!({"field_names": f.value.iter().map(|n| n.value.clone()).collect::<Vec<_>>()})
            }),
        );
        p.put("author", strs(&r.author));
        p.put("false_positives", strs(&r.false_positives));
        p.put(
            "from",
            r.from
                .as_ref()
                .map_or("now-6m".to_string(), |f| f.value.clone()),
        );
        p.put("rule_id", r.rule_id());
        p.put(
            "max_signals",
            r.max_signals.as_ref().map_or(100, |m| m.value),
        );
        p.put("risk_score_mapping", self.risk_score_mapping_json());
        p.put("severity_mapping", self.severity_mapping_json());
        p.put("threat", self.threat.clone());
        p.put(
            "to",
            r.to.as_ref().map_or("now".to_string(), |t| t.value.clone()),
        );
        p.put("references", strs(&r.references));
        p.put("version", r.version.as_ref().map_or(1, |v| v.value));
        p.put("exceptions_list", self.exceptions_list_json());
        p.put("immutable", false);
        p.put("rule_source", json!({"type": "internal"}));
        p.put(
            "related_integrations",
            r.related_integrations.clone().unwrap_or_else(|| json!([])),
        );
        p.put(
            "required_fields",
            r.required_fields.clone().unwrap_or_else(|| json!([])),
        );
        p.set("response_actions", r.response_actions.clone());
        p.put(
            "setup",
            r.setup.as_ref().map_or(String::new(), |s| s.value.clone()),
        );
        // Type-specific parameters (EQL; other types add theirs as they are supported).
        let ty = r.rule_type().unwrap_or(RuleType::Eql);
        p.put("type", ty.as_str());
        p.set("language", r.language().map(|l| json!(l.as_str())));
        p.set("index", r.index_patterns().map(|v| json!(v)));
        p.set("data_view_id", opt_str(&r.data_view_id));
        p.set("query", opt_str(&r.query));
        p.set(
            "filters",
            r.filters.as_ref().map(|f| Json::Array(f.value.clone())),
        );
        if ty == RuleType::Eql {
            p.set("timestamp_field", opt_str(&r.timestamp_field));
            p.set(
                "event_category_override",
                opt_str(&r.event_category_override),
            );
            p.set("tiebreaker_field", opt_str(&r.tiebreaker_field));
        }
        p.set("alert_suppression", self.alert_suppression_json());
        p.to_json()
    }

    /// Kibana's `buildAlertFields`: the `kibana.alert.*` fields (and `@timestamp`,
    /// `event.kind`) of one alert.
    fn alert_fields(&self, a: &PerAlert, settings: &AlertSettings) -> JsObject {
        let r = &self.rule;
        let mut f = JsObject::new();
        f.put("@timestamp", settings.now.as_str());
        f.put("kibana.space_ids", json!([settings.space]));
        f.put("event.kind", "signal");
        f.set(
            "kibana.alert.original_time",
            a.original_time.clone().map(Json::String),
        );
        f.put("kibana.alert.rule.consumer", "siem");
        f.put("kibana.alert.ancestors", a.ancestors.clone());
        f.put("kibana.alert.status", "active");
        f.put("kibana.alert.workflow_status", "open");
        f.put("kibana.alert.depth", a.depth);
        f.put("kibana.alert.reason", a.reason.as_str());
        f.set(
            "kibana.alert.building_block_type",
            self.building_block.clone().map(Json::String),
        );
        f.put("kibana.alert.severity", a.severity.as_str());
        f.put("kibana.alert.risk_score", a.risk_score.clone());
        f.put("kibana.alert.rule.parameters", self.parameters.clone());
        f.put("kibana.alert.rule.actions", json!([]));
        f.put("kibana.alert.rule.author", strs(&r.author));
        f.put("kibana.alert.rule.created_at", self.created_at.as_str());
        f.put("kibana.alert.rule.created_by", "shrike");
        f.put(
            "kibana.alert.rule.description",
            r.description
                .as_ref()
                .map_or(String::new(), |d| d.value.clone()),
        );
        f.put("kibana.alert.rule.enabled", true);
        f.put(
            "kibana.alert.rule.exceptions_list",
            self.exceptions_list_json(),
        );
        f.put(
            "kibana.alert.rule.false_positives",
            strs(&r.false_positives),
        );
        f.put(
            "kibana.alert.rule.from",
            r.from
                .as_ref()
                .map_or("now-6m".to_string(), |v| v.value.clone()),
        );
        f.put("kibana.alert.rule.immutable", false);
        f.put(
            "kibana.alert.rule.interval",
            r.interval
                .as_ref()
                .map_or("5m".to_string(), |v| v.value.clone()),
        );
        f.put("kibana.alert.rule.indices", strs(&self.indices));
        f.set("kibana.alert.rule.license", opt_str(&r.license));
        f.put(
            "kibana.alert.rule.max_signals",
            r.max_signals.as_ref().map_or(100, |m| m.value),
        );
        f.put("kibana.alert.rule.name", a.name.as_str());
        f.set("kibana.alert.rule.namespace", opt_str(&r.namespace));
        f.set("kibana.alert.rule.note", opt_str(&r.note));
        f.put("kibana.alert.rule.references", strs(&r.references));
        f.put(
            "kibana.alert.rule.risk_score_mapping",
            self.risk_score_mapping_json(),
        );
        f.put("kibana.alert.rule.rule_id", r.rule_id());
        f.set(
            "kibana.alert.rule.rule_name_override",
            opt_str(&r.rule_name_override),
        );
        f.put(
            "kibana.alert.rule.severity_mapping",
            self.severity_mapping_json(),
        );
        f.put("kibana.alert.rule.tags", strs(&r.tags));
        f.put("kibana.alert.rule.threat", self.threat.clone());
        f.set("kibana.alert.rule.throttle", opt_str(&r.throttle));
        f.set("kibana.alert.rule.timeline_id", opt_str(&r.timeline_id));
        f.set(
            "kibana.alert.rule.timeline_title",
            opt_str(&r.timeline_title),
        );
        f.set(
            "kibana.alert.rule.timestamp_override",
            opt_str(&r.timestamp_override),
        );
        f.put(
            "kibana.alert.rule.to",
            r.to.as_ref().map_or("now".to_string(), |t| t.value.clone()),
        );
        f.put(
            "kibana.alert.rule.type",
            r.rule_type().unwrap_or(RuleType::Eql).as_str(),
        );
        f.put("kibana.alert.rule.updated_at", self.updated_at.as_str());
        f.put("kibana.alert.rule.updated_by", "shrike");
        f.put("kibana.alert.rule.uuid", self.uuid.as_str());
        f.put(
            "kibana.alert.rule.version",
            r.version.as_ref().map_or(1, |v| v.value),
        );
        f.put("kibana.alert.uuid", a.uuid.as_str());
        f.put("kibana.alert.workflow_tags", json!([]));
        f.put("kibana.alert.workflow_assignee_ids", json!([]));
        for (k, v) in &self.meta {
            f.put(k, v.clone());
        }
        f.put("kibana.alert.rule.risk_score", self.risk_score);
        f.put("kibana.alert.rule.severity", self.severity.as_str());
        f.set(
            "kibana.alert.rule.building_block_type",
            self.building_block.clone().map(Json::String),
        );
        f.put("kibana.alert.intended_timestamp", settings.now.as_str());
        f.put("kibana.alert.rule.execution.type", "scheduled");
        f
    }

    /// The alert for one event an event rule matched (`transformHitToAlert` with
    /// overrides).
    pub fn event_alert(&self, event: SourceEvent, settings: &AlertSettings) -> Json {
        let uuid = sha256_hex(&[
            event.index,
            event.id,
            "undefined",
            &format!("{}:{}", settings.space, self.uuid),
        ]);
        self.base_alert(event, settings, true, uuid).to_json()
    }

    /// The alert of one event of a new-terms rule: an event alert with Kibana's
    /// new-terms id, `objectHash([_index, _id, String(_version), "<space>:<rule uuid>",
    /// newTerms])` (`wrap_new_terms_alerts.ts`), and `kibana.alert.new_terms`.
    pub fn new_terms_alert(
        &self,
        event: SourceEvent,
        terms: &[Json],
        settings: &AlertSettings,
    ) -> Json {
        use object_hash::{object_hash, Hashed};
        let rule = format!("{}:{}", settings.space, self.uuid);
        let terms_json = Json::Array(terms.to_vec());
        let parts = [
            Hashed::Str(event.index),
            Hashed::Str(event.id),
            Hashed::Str("undefined"),
            Hashed::Str(&rule),
            Hashed::Json(&terms_json),
        ];
        let uuid = object_hash(&Hashed::Array(&parts));
        let mut doc = self.base_alert(event, settings, true, uuid);
        doc.put("kibana.alert.new_terms", terms_json);
        doc.to_json()
    }

    /// The alert of a suppressed group (`wrapSuppressedAlerts`): the event alert of the
    /// group's event, with id `uuid`, then the suppression fields (dates as ISO 8601
    /// with milliseconds, as `Date`s serialise).
    pub fn suppressed_alert(
        &self,
        event: SourceEvent,
        uuid: &str,
        fields: &SuppressionFields,
        settings: &AlertSettings,
    ) -> Json {
        let mut doc = self.base_alert(event, settings, true, uuid.to_string());
        let ms = |t: i64| shrike_ir::date::format_iso(t.div_euclid(1_000_000) * 1_000_000, false);
        doc.put("kibana.alert.suppression.terms", fields.terms.clone());
        doc.put("kibana.alert.suppression.start", ms(fields.start));
        doc.put("kibana.alert.suppression.end", ms(fields.end));
        doc.put("kibana.alert.suppression.docs_count", fields.docs_count);
        doc.put("kibana.alert.instance.id", fields.instance_id.as_str());
        doc.to_json()
    }

    /// `transformHitToAlert`: the event's prepared source with the alert fields merged in.
    fn base_alert(
        &self,
        event: SourceEvent,
        settings: &AlertSettings,
        overrides: bool,
        uuid: String,
    ) -> JsObject {
        let source = event.source;
        let mut name = self.name.clone();
        let mut severity = self.severity;
        let mut risk_score = Json::from(self.risk_score);
        if overrides {
            if let Some(n) = overrides::rule_name(source, &self.rule) {
                name = n;
            }
            let sev: Vec<_> = self
                .rule
                .severity_mapping
                .iter()
                .map(|m| &m.value)
                .collect();
            if let Some(s) = overrides::severity(source, &sev) {
                severity = s;
            }
            let risk: Vec<_> = self
                .rule
                .risk_score_mapping
                .iter()
                .map(|m| &m.value)
                .collect();
            if let Some(r) = overrides::risk_score(source, &risk) {
                risk_score = js_number_json(r);
            }
        }
        // Kibana reads the reason's fields from the hit's `fields` (the fields API).
        let fields = Json::Object(fields_of(source));
        let reason = reason::reason(&name, severity.as_str(), &fields);
        let per = PerAlert {
            original_time: original_time(source),
            ancestors: json!([{"id": event.id, "type": "event", "index": event.index, "depth": 0}]),
            depth: 1,
            reason,
            severity,
            risk_score,
            name,
            uuid,
        };
        let fields = self.alert_fields(&per, settings);
        let (mut doc, _removed) = ecs::prepare_source(source, &settings.ecs);
        // The alert's `event.kind` replaces the event's, wherever it was.
        unset_event_kind(&mut doc);
        merge(&mut doc, &fields);
        doc
    }

    /// The alerts for a sequence: the shell first, then one building block per event
    /// present (missing-event stages are `None` and make none). Empty if every stage is
    /// missing.
    pub fn sequence_alerts(
        &self,
        events: &[Option<SourceEvent>],
        settings: &AlertSettings,
    ) -> Vec<Json> {
        let present: Vec<SourceEvent> = events.iter().flatten().copied().collect();
        if present.is_empty() {
            return Vec::new();
        }
        let mut blocks: Vec<JsObject> = present
            .iter()
            .map(|e| self.base_alert(*e, settings, false, "placeholder-alert-uuid".into()))
            .collect();
        // Each building block's id depends on every building block's ancestors.
        let mut base = String::new();
        for e in &present {
            base.push_str(e.id);
            base.push_str(e.index);
            base.push_str(&self.uuid);
        }
        let ids: Vec<String> = (0..blocks.len())
            .map(|i| sha256_hex(&[&base, &i.to_string()]))
            .collect();
        for (b, id) in blocks.iter_mut().zip(&ids) {
            b.put("kibana.alert.uuid", id.as_str());
        }

        // The shell: the building blocks' shared fields, then its own alert fields.
        let merged = intersect::all(&blocks);
        // Kibana reads the merged document's `fields`, else its `_source`, else itself.
        let merged_json = merged.as_ref().map_or(Json::Null, JsObject::to_json);
        let truthy = |v: Option<&Json>| {
            v.filter(|v| !matches!(v, Json::Null | Json::Bool(false)) && v.as_str() != Some(""))
                .cloned()
        };
        let reason_doc = truthy(merged_json.get("fields"))
            .or_else(|| truthy(merged_json.get("_source")))
            .unwrap_or_else(|| merged_json.clone());
        let reason = if merged.is_some() {
            reason::reason(&self.name, self.severity.as_str(), &reason_doc)
        } else {
            String::new()
        };
        let mut ancestors = Vec::new();
        for (e, id) in present.iter().zip(&ids) {
            ancestors.push(json!({"id": e.id, "type": "event", "index": e.index, "depth": 0}));
            ancestors.push(
                json!({"id": id, "type": "signal", "index": "", "depth": 1, "rule": self.uuid}),
            );
        }
        let mut id_parts = String::new();
        for a in &ancestors {
            id_parts.push_str(a["id"].as_str().unwrap_or_default());
            id_parts.push_str(a["index"].as_str().unwrap_or_default());
        }
        id_parts.push_str(&self.uuid);
        let shell_id = sha256_hex(&[&id_parts]);
        let per = PerAlert {
            // Kibana reads the first building block's `@timestamp`: the run's time.
            original_time: original_time(&json!({"@timestamp": settings.now})),
            ancestors: Json::Array(ancestors),
            depth: 2,
            reason,
            severity: self.severity,
            risk_score: Json::from(self.risk_score),
            name: self.name.clone(),
            uuid: shell_id.clone(),
        };
        let mut shell = merged.unwrap_or_default();
        shell.spread(&self.alert_fields(&per, settings));
        shell.put("kibana.alert.uuid", shell_id.as_str());
        shell.put("kibana.alert.group.id", shell_id.as_str());

        let mut out = vec![shell.to_json()];
        for (i, mut b) in blocks.into_iter().enumerate() {
            b.put("kibana.alert.building_block_type", "default");
            b.put("kibana.alert.group.id", shell_id.as_str());
            b.put("kibana.alert.group.index", i);
            out.push(b.to_json());
        }
        out
    }
}

/// What differs between the alerts of one rule.
struct PerAlert {
    original_time: Option<String>,
    ancestors: Json,
    depth: i64,
    reason: String,
    severity: Severity,
    risk_score: Json,
    name: String,
    uuid: String,
}

/// `kibana.alert.original_time`: the document's `@timestamp` as an ISO time in UTC with
/// milliseconds (Kibana parses it with moment and writes `toISOString()`).
fn original_time(source: &Json) -> Option<String> {
    let v = lodash_get(source, "@timestamp")?;
    let fmt = shrike_ir::DateFormat::parse("strict_date_optional_time||epoch_millis");
    let nanos = match v {
        Json::String(s) => fmt.parse_str(s)?,
        Json::Number(n) => fmt.parse_number(n.as_f64()?)?,
        _ => return None,
    };
    let millis = nanos.div_euclid(1_000_000) * 1_000_000;
    Some(shrike_ir::date::format_iso(millis, false))
}

/// Removes the event's `event.kind`, as Kibana's `robustSet(event.kind, undefined)`:
/// where `robustGet` finds it (a dotted key, or inside `event`).
fn unset_event_kind(doc: &mut JsObject) {
    if doc.get("event.kind").is_some_and(|k| !k.is_null()) {
        doc.set("event.kind", None);
        return;
    }
    if let Some(Json::Object(event)) = doc.get("event").cloned() {
        if event.get("kind").is_some_and(|k| !k.is_null()) {
            let mut event = event;
            event.remove("kind");
            doc.put("event", Json::Object(event));
        }
    }
}

/// lodash `merge(doc, fields)` for alert fields: top-level keys set in place or added;
/// `undefined` fields only create a key that is missing.
fn merge(doc: &mut JsObject, fields: &JsObject) {
    for (k, v) in fields.entries() {
        match v {
            Some(v) => doc.put(k, v.clone()),
            None if !doc.has(k) => doc.set(k, None),
            None => {}
        }
    }
}

#[cfg(test)]
mod tests;
