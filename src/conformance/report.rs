//! What the runner prints: a line per scenario (with details under a FAIL), then a
//! per-domain summary and the final `N passed, N failed`.

use super::kafka::{Payload, Record};
use super::matcher::Mismatch;
use crate::contracts::key;
use crate::contracts::tenant::{MAJOR_VERSION, MINOR_VERSION};
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::io::Write as _;

/// Records shown per topic in a failure report (the most recent ones).
pub const MAX_RECORDS: usize = 20;

/// Why a scenario failed: the step, a one-line reason, then labelled details.
#[derive(Debug, Clone)]
pub struct Failure {
    /// "step 3/12 (expect EVENT_TOPIC_SKILL_STATUS)"; `None` for file problems.
    pub step: Option<String>,
    pub reason: String,
    pub sections: Vec<Section>,
}

impl Failure {
    pub fn new(reason: impl Into<String>) -> Failure {
        Failure { step: None, reason: reason.into(), sections: Vec::new() }
    }
}

/// A titled detail: a short value on the title line, or an indented block below it.
#[derive(Debug, Clone)]
pub struct Section {
    pub title: String,
    pub body: String,
    pub inline: bool,
}

impl Section {
    pub fn line(title: &str, text: &str) -> Section {
        Section { title: title.to_string(), body: text.to_string(), inline: true }
    }

    pub fn block(title: &str, text: String) -> Section {
        Section { title: title.to_string(), body: text, inline: false }
    }

    pub fn json(title: &str, value: &Value) -> Section {
        Section::block(title, pretty(value))
    }
}

/// The result of one scenario.
#[derive(Debug)]
pub struct Outcome {
    pub id: String,
    pub domain: String,
    pub failure: Option<Failure>,
}

pub fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}

pub fn truncate(text: &str, limit: usize) -> String {
    if text.len() <= limit {
        return text.to_string();
    }
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes in all)", &text[..end], text.len())
}

/// A key as Atlas would read it, else its bytes.
pub fn key_text(bytes: Option<&[u8]>) -> String {
    match bytes {
        None => "no key".to_string(),
        Some(bytes) => match key::decode(bytes) {
            Some(id) => id.to_string(),
            None => format!("bytes {}", hex(bytes)),
        },
    }
}

fn hex(bytes: &[u8]) -> String {
    let mut text = String::from("0x");
    for b in bytes {
        let _ = write!(text, "{b:02x}");
    }
    text
}

fn header_text(name: &str, value: Option<&[u8]>) -> String {
    match value {
        None => "(null)".to_string(),
        Some(&[hi, lo]) if name == MAJOR_VERSION || name == MINOR_VERSION => u16::from_be_bytes([hi, lo]).to_string(),
        Some(bytes) => match std::str::from_utf8(bytes) {
            Ok(text) if !text.chars().any(char::is_control) => text.to_string(),
            _ => hex(bytes),
        },
    }
}

/// A consumed record: where it sits, key, headers, value, and why it did not match.
pub fn record(record: &Record, mismatch: Option<&Mismatch>) -> String {
    let headers: Vec<String> = record.headers.iter().map(|(n, v)| format!("{n}={}", header_text(n, v.as_deref()))).collect();
    let mut text = format!(
        "- partition {} offset {}, key {}, headers {}\n",
        record.partition,
        record.offset,
        key_text(record.key.as_deref()),
        if headers.is_empty() { "none".to_string() } else { headers.join(" ") }
    );
    let value = match &record.value {
        Payload::Null => "(no value)".to_string(),
        Payload::Json(v) => pretty(v),
        Payload::Text(t) if t.is_empty() => "(zero-length value)".to_string(),
        Payload::Text(t) => format!("(not JSON) {}", truncate(t, 2000)),
    };
    text.push_str(&indent(&value, "  "));
    if let Some(m) = mismatch {
        let _ = write!(text, "\n  ≠ {m}");
    }
    text
}

fn indent(text: &str, by: &str) -> String {
    text.lines().map(|l| format!("{by}{l}")).collect::<Vec<_>>().join("\n")
}

/// The lines printed for one scenario.
pub fn render(outcome: &Outcome, pending: bool) -> String {
    let mark = if pending { " (pending)" } else { "" };
    let Some(failure) = &outcome.failure else {
        return format!("PASS {}\n", outcome.id);
    };
    let mut text = format!("FAIL {}{mark}\n", outcome.id);
    match &failure.step {
        Some(step) => {
            let _ = writeln!(text, "    {step}: {}", failure.reason);
        }
        None => {
            let _ = writeln!(text, "    {}", failure.reason);
        }
    }
    for section in &failure.sections {
        if section.inline {
            let _ = writeln!(text, "    {}: {}", section.title, section.body);
        } else {
            let _ = writeln!(text, "    {}:", section.title);
            let _ = writeln!(text, "{}", indent(&section.body, "        "));
        }
    }
    text
}

/// Prints one scenario's result at once, so concurrent scenarios do not interleave.
pub fn print(outcome: &Outcome, pending: bool) {
    let text = render(outcome, pending);
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// Counts per domain; the exit verdict ignores pending domains.
#[derive(Debug, Default)]
pub struct Summary {
    domains: BTreeMap<String, (usize, usize)>,
    pub passed: usize,
    pub failed: usize,
    pub counted_failures: usize,
}

impl Summary {
    pub fn add(&mut self, outcome: &Outcome, pending: bool) {
        let entry = self.domains.entry(outcome.domain.clone()).or_default();
        if outcome.failure.is_none() {
            entry.0 += 1;
            self.passed += 1;
        } else {
            entry.1 += 1;
            self.failed += 1;
            if !pending {
                self.counted_failures += 1;
            }
        }
    }

    pub fn render(&self, pending: &HashSet<String>) -> String {
        let mut text = String::from("\n");
        let mut listed: Vec<&str> = pending.iter().map(String::as_str).filter(|d| self.domains.contains_key(*d)).collect();
        if !listed.is_empty() {
            listed.sort_unstable();
            let _ = writeln!(text, "pending (not counted in the exit status): {}", listed.join(", "));
        }
        for (domain, (passed, failed)) in &self.domains {
            let _ = writeln!(text, "{domain}: {passed} passed, {failed} failed");
        }
        let _ = writeln!(text, "{} passed, {} failed", self.passed, self.failed);
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pass_and_fail_lines() {
        let pass = Outcome { id: "skills/a".into(), domain: "skills".into(), failure: None };
        assert_eq!(render(&pass, true), "PASS skills/a\n");
        let mut failure = Failure::new("no matching record on T within 5000 ms");
        failure.step = Some("step 2/3 (expect T)".into());
        failure.sections.push(Section::line("expected key", "1001"));
        failure.sections.push(Section::json("expected value", &json!({"a": 1})));
        let fail = Outcome { id: "skills/b".into(), domain: "skills".into(), failure: Some(failure) };
        let text = render(&fail, true);
        assert!(text.starts_with("FAIL skills/b (pending)\n    step 2/3 (expect T): no matching"), "{text}");
        assert!(text.contains("    expected key: 1001\n    expected value:\n        {\n          \"a\": 1\n        }\n"), "{text}");

        let mut summary = Summary::default();
        summary.add(&pass, false);
        summary.add(&fail, true);
        assert_eq!(summary.counted_failures, 0);
        let pending = HashSet::from(["skills".to_string()]);
        assert_eq!(
            summary.render(&pending),
            "\npending (not counted in the exit status): skills\nskills: 1 passed, 1 failed\n1 passed, 1 failed\n"
        );
    }

    #[test]
    fn records_show_key_headers_and_value() {
        let r = Record {
            partition: 1,
            offset: 9,
            key: Some(key::encode(1001).to_vec()),
            value: Payload::Json(json!({"a": 1})),
            headers: vec![("REGION".into(), Some(b"GMS".to_vec())), ("MAJOR_VERSION".into(), Some(vec![0, 83]))],
        };
        let text = record(&r, Some(&Mismatch { path: "$.a".into(), reason: "expected 2, got 1".into() }));
        assert!(text.starts_with("- partition 1 offset 9, key 1001, headers REGION=GMS MAJOR_VERSION=83\n  {"), "{text}");
        assert!(text.ends_with("≠ at $.a: expected 2, got 1"), "{text}");
        assert_eq!(key_text(Some(&[1, 2])), "bytes 0x0102");
    }
}
