//! The scenario file format of `FORMAT.md`: serde types, validation and discovery.
//!
//! Parsing is lenient about unknown fields (they are reported as warnings, so a typo such
//! as `timeout` for `timeout_ms` is visible without rejecting otherwise valid files) and
//! strict about the fields the format defines.

use anyhow::Context as _;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize)]
pub struct Scenario {
    pub name: String,
    pub domain: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub foreign: Vec<ForeignRoute>,
    pub steps: Vec<Step>,
    #[serde(flatten)]
    pub unknown: Map<String, Value>,
}

/// A stand-in for another Atlas service's endpoint, served by the stub.
#[derive(Debug, Clone, Deserialize)]
pub struct ForeignRoute {
    pub method: String,
    pub path: String,
    #[serde(default = "ok_status")]
    pub status: u16,
    /// Absent: an empty body.
    #[serde(default, deserialize_with = "present")]
    pub body: Option<Value>,
    #[serde(flatten)]
    pub unknown: Map<String, Value>,
}

fn ok_status() -> u16 {
    200
}

/// One step; externally tagged, as in `{"produce": {...}}` or `{"sleep_ms": 500}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Produce(Produce),
    Expect(Expect),
    ExpectAbsent(ExpectAbsent),
    Http(Http),
    SleepMs(u64),
    // Client steps, this project's extension of FORMAT.md (see CLIENT-STEPS.md beside
    // the runner): a WebSocket client of the channel edge.
    Connect(Connect),
    Send(Send),
    Receive(Receive),
    ReceiveAbsent(Receive),
    Disconnect(Disconnect),
}

/// Opens a WebSocket session named `client` on a channel, in the scenario's tenant.
#[derive(Debug, Clone, Deserialize)]
pub struct Connect {
    pub client: String,
    #[serde(default)]
    pub world: u8,
    #[serde(default = "first_channel")]
    pub channel: u8,
    #[serde(flatten)]
    pub unknown: Map<String, Value>,
}

fn first_channel() -> u8 {
    1
}

/// Sends a frame (captures substituted) from a client.
#[derive(Debug, Clone, Deserialize)]
pub struct Send {
    pub client: String,
    pub frame: Value,
    #[serde(flatten)]
    pub unknown: Map<String, Value>,
}

/// Waits for (or, as `receive_absent`, rules out) a frame matching `frame` by the
/// subset rule, among the frames after the last one a `receive` of this client matched.
#[derive(Debug, Clone, Deserialize)]
pub struct Receive {
    pub client: String,
    pub frame: Value,
    #[serde(default)]
    pub timeout_ms: Option<u64>,
    #[serde(default)]
    pub wait_ms: Option<u64>,
    #[serde(flatten)]
    pub unknown: Map<String, Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Disconnect {
    pub client: String,
    #[serde(flatten)]
    pub unknown: Map<String, Value>,
}

impl Step {
    pub fn kind(&self) -> &'static str {
        match self {
            Step::Produce(_) => "produce",
            Step::Expect(_) => "expect",
            Step::ExpectAbsent(_) => "expect_absent",
            Step::Http(_) => "http",
            Step::SleepMs(_) => "sleep_ms",
            Step::Connect(_) => "connect",
            Step::Send(_) => "send",
            Step::Receive(_) => "receive",
            Step::ReceiveAbsent(_) => "receive_absent",
            Step::Disconnect(_) => "disconnect",
        }
    }

    /// The topic variable the step names, if it is a Kafka step.
    pub fn topic(&self) -> Option<&str> {
        match self {
            Step::Produce(p) => Some(&p.topic),
            Step::Expect(e) => Some(&e.topic),
            Step::ExpectAbsent(e) => Some(&e.topic),
            _ => None,
        }
    }

    fn unknown(&self) -> Option<&Map<String, Value>> {
        match self {
            Step::Produce(p) => Some(&p.unknown),
            Step::Expect(e) => Some(&e.unknown),
            Step::ExpectAbsent(e) => Some(&e.unknown),
            Step::Http(h) => Some(&h.unknown),
            Step::SleepMs(_) => None,
            Step::Connect(c) => Some(&c.unknown),
            Step::Send(s) => Some(&s.unknown),
            Step::Receive(r) | Step::ReceiveAbsent(r) => Some(&r.unknown),
            Step::Disconnect(d) => Some(&d.unknown),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Produce {
    pub topic: String,
    #[serde(default)]
    pub key: Option<u32>,
    /// `Some(Value::Null)` for an explicit `"value": null` (sent as the text `null`).
    #[serde(default, deserialize_with = "present")]
    pub value: Option<Value>,
    /// Sent byte for byte instead of `value`; `""` is a zero-length value.
    #[serde(default)]
    pub raw: Option<String>,
    /// Extra headers, name → UTF-8 text. A tenant header named here replaces the runner's.
    #[serde(default)]
    pub headers: Map<String, Value>,
    #[serde(flatten)]
    pub unknown: Map<String, Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Expect {
    pub topic: String,
    #[serde(default)]
    pub key: Option<u32>,
    /// Absent: any value.
    #[serde(default, deserialize_with = "present")]
    pub value: Option<Value>,
    /// Not in FORMAT.md: header name → expected text, matched like values.
    #[serde(default)]
    pub headers: Option<Map<String, Value>>,
    #[serde(default)]
    pub timeout_ms: Option<u64>,
    #[serde(flatten)]
    pub unknown: Map<String, Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ExpectAbsent {
    pub topic: String,
    #[serde(default)]
    pub key: Option<u32>,
    #[serde(default, deserialize_with = "present")]
    pub value: Option<Value>,
    #[serde(default)]
    pub headers: Option<Map<String, Value>>,
    #[serde(default)]
    pub wait_ms: Option<u64>,
    #[serde(flatten)]
    pub unknown: Map<String, Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Http {
    pub method: String,
    pub path: String,
    #[serde(default, deserialize_with = "present")]
    pub request: Option<Value>,
    pub status: u16,
    /// Absent: the response body is not checked.
    #[serde(default, deserialize_with = "present")]
    pub body: Option<Value>,
    #[serde(flatten)]
    pub unknown: Map<String, Value>,
}

pub const DEFAULT_EXPECT_TIMEOUT_MS: u64 = 5000;
pub const DEFAULT_ABSENT_WAIT_MS: u64 = 1000;

/// Keeps an explicit JSON `null` as `Some(Value::Null)`; with `#[serde(default)]` an
/// absent field stays `None`.
fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(deserializer).map(Some)
}

impl Scenario {
    /// `domain/name`, the scenario's identity in reports and filters.
    pub fn id(&self) -> String {
        format!("{}/{}", self.domain, self.name)
    }

    /// Errors that make the file unusable (beyond what serde checks).
    pub fn errors(&self) -> Vec<String> {
        let mut errors = Vec::new();
        if self.name.trim().is_empty() {
            errors.push("`name` is empty".to_string());
        }
        if self.domain.trim().is_empty() {
            errors.push("`domain` is empty".to_string());
        }
        for (i, step) in self.steps.iter().enumerate() {
            if let Step::Produce(p) = step {
                match (&p.value, &p.raw) {
                    (Some(_), Some(_)) => errors.push(format!("step {}: produce has both `value` and `raw`", i + 1)),
                    (None, None) => errors.push(format!("step {}: produce needs `value` or `raw`", i + 1)),
                    _ => {}
                }
                for (name, value) in &p.headers {
                    if !value.is_string() {
                        errors.push(format!("step {}: header {name} is not a string", i + 1));
                    }
                }
            }
            if let Step::Http(h) = step {
                if reqwest::Method::from_bytes(h.method.to_ascii_uppercase().as_bytes()).is_err() {
                    errors.push(format!("step {}: bad HTTP method {:?}", i + 1, h.method));
                }
            }
            if step.topic().is_some_and(|t| t.trim().is_empty()) {
                errors.push(format!("step {}: `topic` is empty", i + 1));
            }
        }
        errors
    }

    /// Harmless oddities worth a warning: unknown fields, a name unlike the file name.
    pub fn warnings(&self, path: &Path) -> Vec<String> {
        let mut warnings = Vec::new();
        let mut unknown = |place: String, fields: &Map<String, Value>| {
            for field in fields.keys() {
                warnings.push(format!("{place}: unknown field `{field}` ignored"));
            }
        };
        unknown("scenario".into(), &self.unknown);
        for (i, route) in self.foreign.iter().enumerate() {
            unknown(format!("foreign route {}", i + 1), &route.unknown);
        }
        for (i, step) in self.steps.iter().enumerate() {
            if let Some(fields) = step.unknown() {
                unknown(format!("step {} ({})", i + 1, step.kind()), fields);
            }
        }
        if self.description.as_deref().is_none_or(|d| d.trim().is_empty()) {
            warnings.push("no `description`".to_string());
        }
        if path.file_stem().is_some_and(|stem| stem.to_string_lossy() != self.name) {
            warnings.push(format!("name {:?} differs from the file name", self.name));
        }
        warnings
    }
}

/// A scenario file: its parsed scenario, or why it could not be used.
#[derive(Debug)]
pub struct Loaded {
    pub path: PathBuf,
    pub scenario: Result<Scenario, String>,
}

impl Loaded {
    /// `domain/name`; for unusable files guessed from the folder and file name.
    pub fn id(&self) -> String {
        match &self.scenario {
            Ok(s) => s.id(),
            Err(_) => format!("{}/{}", self.domain(), stem(&self.path)),
        }
    }

    pub fn domain(&self) -> String {
        match &self.scenario {
            Ok(s) => s.domain.clone(),
            Err(_) => self.path.parent().and_then(|p| p.file_name()).map_or_else(|| "?".to_string(), |d| d.to_string_lossy().into_owned()),
        }
    }
}

fn stem(path: &Path) -> String {
    path.file_stem().map_or_else(|| "?".to_string(), |s| s.to_string_lossy().into_owned())
}

/// Every `*.json` file under the folders (recursively), sorted; a file given directly is
/// taken as is.
pub fn discover(roots: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for root in roots {
        if root.is_file() {
            files.push(root.clone());
            continue;
        }
        let mut pending = vec![root.clone()];
        while let Some(dir) = pending.pop() {
            let entries = std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))?;
            for entry in entries {
                let path = entry.with_context(|| format!("reading {}", dir.display()))?.path();
                if path.is_dir() {
                    pending.push(path);
                } else if path.extension().is_some_and(|e| e == "json") {
                    files.push(path);
                }
            }
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
}

/// Parses and validates one file.
pub fn load(path: &Path) -> Loaded {
    let scenario = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read: {e}"))
        .and_then(|text| serde_json::from_str::<Scenario>(&text).map_err(|e| format!("invalid scenario: {e}")))
        .and_then(|scenario| {
            let errors = scenario.errors();
            if errors.is_empty() {
                Ok(scenario)
            } else {
                Err(format!("invalid scenario: {}", errors.join("; ")))
            }
        });
    Loaded { path: path.to_path_buf(), scenario }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_step_kind_and_keeps_explicit_null() {
        let text = r#"{
            "name": "n", "domain": "skills", "description": "d",
            "foreign": [{"method": "GET", "path": "/api/x?type=4", "status": 200, "body": {"a": 1}}],
            "steps": [
                {"produce": {"topic": "T", "key": 1, "value": null, "headers": {"h": "v"}}},
                {"produce": {"topic": "T", "raw": ""}},
                {"expect": {"topic": "T", "key": 4294967295, "value": {"a": "$any"}, "timeout_ms": 100}},
                {"expect_absent": {"topic": "T", "value": {}, "wait_ms": 10}},
                {"http": {"method": "post", "path": "/api/y", "request": {"data": {}}, "status": 202}},
                {"sleep_ms": 5}
            ]
        }"#;
        let s: Scenario = serde_json::from_str(text).expect("test fixture");
        assert!(s.errors().is_empty(), "{:?}", s.errors());
        assert!(s.warnings(Path::new("x/n.json")).is_empty());
        let kinds: Vec<_> = s.steps.iter().map(Step::kind).collect();
        assert_eq!(kinds, ["produce", "produce", "expect", "expect_absent", "http", "sleep_ms"]);
        match &s.steps[0] {
            Step::Produce(p) => assert_eq!(p.value, Some(Value::Null)),
            _ => unreachable!(),
        }
        match &s.steps[1] {
            Step::Produce(p) => assert_eq!((p.value.is_none(), p.raw.as_deref()), (true, Some(""))),
            _ => unreachable!(),
        }
        match &s.steps[4] {
            Step::Http(h) => assert!(h.body.is_none() && h.request.is_some()),
            _ => unreachable!(),
        }
    }

    #[test]
    fn rejects_bad_steps_and_warns_on_unknown_fields() {
        let both = r#"{"name": "n", "domain": "d", "description": "x", "steps": [{"produce": {"topic": "T", "value": 1, "raw": "x"}}]}"#;
        assert_eq!(serde_json::from_str::<Scenario>(both).expect("test fixture").errors().len(), 1);
        let neither = r#"{"name": "n", "domain": "d", "steps": [{"produce": {"topic": "T"}}]}"#;
        assert_eq!(serde_json::from_str::<Scenario>(neither).expect("test fixture").errors().len(), 1);
        let unknown_kind = r#"{"name": "n", "domain": "d", "steps": [{"consume": {"topic": "T"}}]}"#;
        assert!(serde_json::from_str::<Scenario>(unknown_kind).is_err());
        let big_key = r#"{"name": "n", "domain": "d", "steps": [{"produce": {"topic": "T", "key": 4294967296, "value": 1}}]}"#;
        assert!(serde_json::from_str::<Scenario>(big_key).is_err());
        let typo = r#"{"name": "n", "domain": "d", "description": "x", "steps": [{"expect": {"topic": "T", "timeout": 9}}]}"#;
        let s = serde_json::from_str::<Scenario>(typo).expect("test fixture");
        assert_eq!(s.warnings(Path::new("d/n.json")).len(), 1);
        assert_eq!(s.warnings(Path::new("d/other.json")).len(), 2);
    }

    /// Every public scenario parses, validates and carries no unknown fields.
    #[test]
    fn public_scenarios_parse() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance");
        if !root.is_dir() {
            return;
        }
        let files = discover(&[root]).expect("test fixture");
        assert!(!files.is_empty());
        for file in files {
            let loaded = load(&file);
            let scenario = match &loaded.scenario {
                Ok(s) => s,
                Err(e) => panic!("{}: {e}", file.display()),
            };
            assert!(scenario.warnings(&file).is_empty(), "{}: {:?}", file.display(), scenario.warnings(&file));
            assert!(!scenario.steps.is_empty(), "{}", file.display());
        }
    }
}
