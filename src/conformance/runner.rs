//! Executes one scenario's steps in a fresh tenant.

use super::captures::{self, Captures};
use super::clients::Clients;
use super::kafka::{self, Inbox, Payload, Record, Tap};
use super::matcher::{self, Mismatch};
use super::report::{self, Failure, Section};
use super::scenario::{self, Expect, ExpectAbsent, Http, Produce, Scenario, Step};
use super::stub::Stub;
use crate::contracts::tenant::Tenant;
use crate::contracts::{key, topics};
use rdkafka::producer::FutureProducer;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

const HTTP_TIMEOUT: Duration = Duration::from_secs(15);
/// Server log lines of the failing tenant shown in a report.
const LOG_LINES: usize = 20;

/// What every scenario shares.
pub struct Context {
    pub producer: FutureProducer,
    pub tap: Tap,
    pub stub: Stub,
    pub http: reqwest::Client,
    /// Base URL of the server under test, without a trailing slash.
    pub server_url: String,
    /// The child server's log, when the runner started it.
    pub server_log: Option<PathBuf>,
    /// `ws://host:port` of the server's channel listener, for client steps.
    pub channel_url: Option<String>,
}

/// A fresh tenant of the format: random id, GMS 83.1.
pub fn fresh_tenant() -> Tenant {
    Tenant { id: Uuid::new_v4(), region: "GMS".to_string(), major: 83, minor: 1 }
}

/// One scenario's running state: its tenant, records, captures and per-topic cursors.
struct Run {
    tenant: Tenant,
    inbox: Arc<Inbox>,
    captures: Captures,
    /// Per topic name: the index after the record the last `expect` matched.
    cursors: HashMap<String, usize>,
    clients: Clients,
}

/// Runs the scenario; `None` when it passed.
pub async fn run(ctx: &Context, scenario: &Scenario) -> Option<Failure> {
    let tenant = fresh_tenant();
    let inbox = ctx.tap.open(tenant.id);
    ctx.stub.register(tenant.id, scenario.foreign.clone());
    let mut run = Run { tenant, inbox, captures: Captures::new(), cursors: HashMap::new(), clients: Clients::default() };
    let mut failure = None;
    for (i, step) in scenario.steps.iter().enumerate() {
        if let Err(mut f) = run_step(ctx, &mut run, step).await {
            f.step = Some(format!("step {}/{} ({})", i + 1, scenario.steps.len(), describe(step)));
            failure = Some(f);
            break;
        }
        ctx.stub.set_captures(run.tenant.id, &run.captures);
    }
    if let Some(f) = failure.as_mut() {
        context_sections(ctx, &run, f);
    }
    run.clients.close_all().await;
    ctx.tap.close(run.tenant.id);
    ctx.stub.unregister(run.tenant.id);
    failure
}

fn describe(step: &Step) -> String {
    match step {
        Step::Http(h) => format!("http {} {}", h.method.to_ascii_uppercase(), h.path),
        Step::SleepMs(ms) => format!("sleep_ms {ms}"),
        Step::Connect(c) => format!("connect {}", c.client),
        Step::Send(s) => format!("send {} {}", s.client, s.frame["type"].as_str().unwrap_or_default()),
        Step::Receive(r) | Step::ReceiveAbsent(r) => {
            format!("{} {} {}", step.kind(), r.client, r.frame["type"].as_str().unwrap_or_default())
        }
        Step::Disconnect(d) => format!("disconnect {}", d.client),
        other => format!("{} {}", other.kind(), other.topic().unwrap_or_default()),
    }
}

/// What helps beyond the step itself: the tenant, other topics' traffic, foreign calls,
/// and the server's log lines for this tenant.
fn context_sections(ctx: &Context, run: &Run, failure: &mut Failure) {
    let id = run.tenant.id.to_string();
    failure.sections.push(Section::line("tenant", &id));
    let counts = run.inbox.counts();
    if !counts.is_empty() {
        let text = counts.iter().map(|(t, n)| format!("{t} ({n})")).collect::<Vec<_>>().join(", ");
        failure.sections.push(Section::line("records received by topic", &text));
    }
    let hits = ctx.stub.hits(run.tenant.id);
    if !hits.is_empty() {
        failure.sections.push(Section::block("foreign requests", hits.join("\n")));
    }
    if let Some(log) = &ctx.server_log {
        let lines = super::harness::log_lines_with(log, &id, LOG_LINES);
        if !lines.is_empty() {
            failure.sections.push(Section::block("server log lines of this tenant", lines.join("\n")));
        }
    }
}

async fn run_step(ctx: &Context, run: &mut Run, step: &Step) -> Result<(), Failure> {
    match step {
        Step::Produce(p) => produce(ctx, run, p).await,
        Step::Expect(e) => expect(run, e).await,
        Step::ExpectAbsent(e) => expect_absent(run, e).await,
        Step::Http(h) => http(ctx, run, h).await,
        Step::SleepMs(ms) => {
            tokio::time::sleep(Duration::from_millis(*ms)).await;
            Ok(())
        }
        Step::Connect(c) => run.clients.connect(ctx.channel_url.as_deref(), &run.tenant, c).await,
        Step::Send(s) => run.clients.send(s, &run.captures).await,
        Step::Receive(r) => {
            run.captures = run.clients.receive(r, &run.captures).await?;
            Ok(())
        }
        Step::ReceiveAbsent(r) => run.clients.receive_absent(r, &run.captures).await,
        Step::Disconnect(d) => run.clients.disconnect(&d.client).await,
    }
}

fn resolve(topic: &str) -> String {
    topics::resolve(topic)
}

async fn produce(ctx: &Context, run: &mut Run, p: &Produce) -> Result<(), Failure> {
    let topic = resolve(&p.topic);
    let payload = match (&p.raw, &p.value) {
        (Some(raw), _) => raw.as_bytes().to_vec(),
        (None, Some(value)) => captures::substitute_value(value, &run.captures).map_err(Failure::new)?.to_string().into_bytes(),
        (None, None) => return Err(Failure::new("produce needs `value` or `raw`")),
    };
    let headers = p
        .headers
        .iter()
        .map(|(name, value)| {
            let text = value.as_str().map_or_else(|| value.to_string(), str::to_string);
            Ok((name.clone(), captures::substitute_text(&text, &run.captures)?))
        })
        .collect::<Result<Vec<_>, String>>()
        .map_err(Failure::new)?;
    let out = kafka::Outgoing { topic: &topic, key: p.key, payload: &payload, headers: &headers, tenant: &run.tenant };
    kafka::send(&ctx.producer, out).await.map_err(|e| Failure::new(format!("{e:#}")))
}

/// The criteria a record must meet, shared by `expect` and `expect_absent`.
struct Wanted<'a> {
    key: Option<u32>,
    value: Option<&'a Value>,
    headers: Option<&'a Map<String, Value>>,
}

impl<'a> Wanted<'a> {
    fn of_expect(e: &'a Expect) -> Wanted<'a> {
        Wanted { key: e.key, value: e.value.as_ref(), headers: e.headers.as_ref() }
    }

    fn of_absent(e: &'a ExpectAbsent) -> Wanted<'a> {
        Wanted { key: e.key, value: e.value.as_ref(), headers: e.headers.as_ref() }
    }

    fn sections(&self, failure: &mut Failure) {
        if let Some(k) = self.key {
            failure.sections.push(Section::line("expected key", &k.to_string()));
        }
        match self.value {
            Some(v) => failure.sections.push(Section::json("expected value", v)),
            None => failure.sections.push(Section::line("expected value", "(any)")),
        }
        if let Some(h) = self.headers {
            failure.sections.push(Section::json("expected headers", &Value::Object(h.clone())));
        }
    }
}

/// Whether `record` meets `wanted`; on success, `known` plus the captures made.
pub fn record_matches(
    record: &Record,
    key: Option<u32>,
    value: Option<&Value>,
    headers: Option<&Map<String, Value>>,
    known: &Captures,
) -> Result<Captures, Mismatch> {
    if let Some(expected) = key {
        let actual = record.key.as_deref().and_then(key::decode);
        if actual != Some(expected) {
            return Err(Mismatch {
                path: "key".into(),
                reason: format!("expected {expected}, got {}", report::key_text(record.key.as_deref())),
            });
        }
    }
    let mut captures = match value {
        None => known.clone(),
        Some(expected) => match &record.value {
            Payload::Json(actual) => matcher::matches(expected, actual, known)?,
            Payload::Text(text) => matcher::matches(expected, &Value::String(text.clone()), known)
                .map_err(|_| Mismatch { path: "$".into(), reason: "the value is not JSON".into() })?,
            Payload::Null => return Err(Mismatch { path: "$".into(), reason: "the record has no value".into() }),
        },
    };
    if let Some(expected) = headers {
        for (name, expected) in expected {
            let Some(actual) = record.header_text(name) else {
                return Err(Mismatch { path: format!("header {name}"), reason: "missing (or not UTF-8)".into() });
            };
            captures = matcher::matches(expected, &Value::String(actual), &captures)
                .map_err(|m| Mismatch { path: format!("header {name}"), reason: m.reason })?;
        }
    }
    Ok(captures)
}

/// The first record of `records` meeting `wanted`: its index and the resulting captures.
fn first_match(records: &[Record], wanted: &Wanted<'_>, known: &Captures) -> Option<(usize, Captures)> {
    records.iter().enumerate().find_map(|(i, r)| record_matches(r, wanted.key, wanted.value, wanted.headers, known).ok().map(|c| (i, c)))
}

async fn expect(run: &mut Run, e: &Expect) -> Result<(), Failure> {
    let topic = resolve(&e.topic);
    let wanted = Wanted::of_expect(e);
    let timeout = e.timeout_ms.unwrap_or(scenario::DEFAULT_EXPECT_TIMEOUT_MS);
    let from = run.cursors.get(&topic).copied().unwrap_or(0);
    match watch_records(run, &topic, from, Duration::from_millis(timeout), &wanted).await {
        Some((index, captures)) => {
            run.cursors.insert(topic, index + 1);
            run.captures = captures;
            Ok(())
        }
        None => {
            let mut failure = Failure::new(format!("no matching record on {topic} within {timeout} ms"));
            wanted.sections(&mut failure);
            failure.sections.push(seen(run, &topic, from, &wanted));
            Err(failure)
        }
    }
}

async fn expect_absent(run: &mut Run, e: &ExpectAbsent) -> Result<(), Failure> {
    let topic = resolve(&e.topic);
    let wanted = Wanted::of_absent(e);
    let wait = e.wait_ms.unwrap_or(scenario::DEFAULT_ABSENT_WAIT_MS);
    let from = run.cursors.get(&topic).copied().unwrap_or(0);
    match watch_records(run, &topic, from, Duration::from_millis(wait), &wanted).await {
        None => Ok(()),
        Some((index, _)) => {
            let mut failure = Failure::new(format!("a record on {topic} matched what must be absent"));
            wanted.sections(&mut failure);
            let record = run.inbox.since(&topic, index).into_iter().next();
            if let Some(record) = record {
                failure.sections.push(Section::block("matching record", report::record(&record, None)));
            }
            Err(failure)
        }
    }
}

/// Waits up to `limit` for a record of `topic` at index `from` or later meeting `wanted`;
/// its absolute index and the resulting captures.
async fn watch_records(run: &Run, topic: &str, from: usize, limit: Duration, wanted: &Wanted<'_>) -> Option<(usize, Captures)> {
    let deadline = tokio::time::Instant::now() + limit;
    // Subscribed before the first scan, so no arrival between scan and wait is missed.
    let mut arrivals = run.inbox.subscribe();
    let mut scanned = from;
    loop {
        arrivals.borrow_and_update();
        let records = run.inbox.since(topic, scanned);
        if let Some((i, captures)) = first_match(&records, wanted, &run.captures) {
            return Some((scanned + i, captures));
        }
        scanned += records.len();
        match tokio::time::timeout_at(deadline, arrivals.changed()).await {
            Ok(Ok(())) => continue,
            // Timed out (or the tap went away: nothing more can arrive).
            _ => return None,
        }
    }
}

/// The records of `topic` since the last match, each with why it did not match.
fn seen(run: &Run, topic: &str, from: usize, wanted: &Wanted<'_>) -> Section {
    let records = run.inbox.since(topic, from);
    if records.is_empty() {
        return Section::line(&format!("seen on {topic} since the last match"), "nothing");
    }
    let shown = records.len().min(report::MAX_RECORDS);
    let skipped = records.len() - shown;
    let mut text = String::new();
    if skipped > 0 {
        text.push_str(&format!("({skipped} earlier records not shown)\n"));
    }
    for record in &records[skipped..] {
        let why = record_matches(record, wanted.key, wanted.value, wanted.headers, &run.captures).err();
        text.push_str(&report::record(record, why.as_ref()));
        text.push('\n');
    }
    Section::block(&format!("seen on {topic} since the last match ({})", records.len()), text.trim_end().to_string())
}

async fn http(ctx: &Context, run: &mut Run, h: &Http) -> Result<(), Failure> {
    let path = captures::substitute_text(&h.path, &run.captures).map_err(Failure::new)?;
    let url = if path.starts_with('/') { format!("{}{path}", ctx.server_url) } else { format!("{}/{path}", ctx.server_url) };
    let method = reqwest::Method::from_bytes(h.method.to_ascii_uppercase().as_bytes())
        .map_err(|_| Failure::new(format!("bad HTTP method {:?}", h.method)))?;
    let mut request = ctx.http.request(method.clone(), &url).timeout(HTTP_TIMEOUT);
    for (name, value) in run.tenant.http_headers() {
        request = request.header(name, value);
    }
    let sent = match &h.request {
        Some(body) => {
            let body = captures::substitute_value(body, &run.captures).map_err(Failure::new)?;
            request = request.header(reqwest::header::CONTENT_TYPE, "application/vnd.api+json").body(body.to_string());
            Some(body)
        }
        None => None,
    };
    let response = request.send().await.map_err(|e| Failure::new(format!("{method} {url} failed: {e}")))?;
    let status = response.status().as_u16();
    let text = response.text().await.map_err(|e| Failure::new(format!("reading the response of {method} {url}: {e}")))?;
    let parsed: Option<Value> = serde_json::from_str(&text).ok();

    let mut problems = Vec::new();
    if status != h.status {
        problems.push(format!("expected status {}, got {status}", h.status));
    }
    let mut captures = None;
    if let Some(expected) = &h.body {
        match &parsed {
            Some(actual) => match matcher::matches(expected, actual, &run.captures) {
                Ok(c) => captures = Some(c),
                Err(m) => problems.push(format!("body mismatch {m}")),
            },
            // With the wrong status already reported, a non-JSON body adds nothing.
            None if status != h.status => {}
            None => problems.push("the response body is not JSON".to_string()),
        }
    }
    if problems.is_empty() {
        if let Some(c) = captures {
            run.captures = c;
        }
        return Ok(());
    }
    let mut failure = Failure::new(format!("{method} {path}: {}", problems.join("; ")));
    if let Some(body) = &sent {
        failure.sections.push(Section::json("request body", body));
    }
    failure.sections.push(Section::line("expected status", &h.status.to_string()));
    if let Some(expected) = &h.body {
        failure.sections.push(Section::json("expected body", expected));
    }
    failure.sections.push(Section::line("received status", &status.to_string()));
    failure.sections.push(match &parsed {
        Some(actual) => Section::json("received body", actual),
        None if text.is_empty() => Section::line("received body", "(empty)"),
        None => Section::block("received body", report::truncate(&text, 4000)),
    });
    Err(failure)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record(key: Option<u32>, value: Value) -> Record {
        Record {
            partition: 0,
            offset: 0,
            key: key.map(|k| key::encode(k).to_vec()),
            value: Payload::Json(value),
            headers: vec![("TENANT_ID".into(), Some(b"t".to_vec()))],
        }
    }

    #[test]
    fn keys_values_and_headers_must_all_match() {
        let r = record(Some(1001), json!({"type": "CREATED", "id": 7}));
        let none = Captures::new();
        assert!(record_matches(&r, Some(1001), Some(&json!({"type": "CREATED"})), None, &none).is_ok());
        assert!(record_matches(&r, None, None, None, &none).is_ok());
        let m = record_matches(&r, Some(1002), Some(&json!({"type": "CREATED"})), None, &none).unwrap_err();
        assert_eq!(m.path, "key");
        assert!(record_matches(&record(None, json!({})), Some(1), None, None, &none).is_err());
        let headers = json!({"TENANT_ID": "$capture:t"});
        let c = record_matches(&r, None, None, headers.as_object(), &none).expect("test fixture");
        assert_eq!(c["t"], json!("t"));
        let missing = json!({"traceparent": "$any"});
        assert!(record_matches(&r, None, None, missing.as_object(), &none).is_err());
        let raw = Record { value: Payload::Text("not json".into()), ..r.clone() };
        assert!(record_matches(&raw, None, Some(&json!({"a": 1})), None, &none).is_err());
        let tombstone = Record { value: Payload::Null, ..r };
        assert!(record_matches(&tombstone, None, Some(&json!("$any")), None, &none).is_err());
    }

    /// Step by step as the runner does it: a capture in one expect feeds a later one, and
    /// each expect only looks after the previous match.
    #[test]
    fn captures_carry_across_steps_and_cursors_advance() {
        let records = vec![
            record(Some(1), json!({"type": "CREATED", "messengerId": 41})),
            record(Some(1), json!({"type": "JOINED", "messengerId": 99})),
            record(Some(1), json!({"type": "JOINED", "messengerId": 41})),
            record(Some(1), json!({"type": "CREATED", "messengerId": 42})),
        ];
        let step1 = json!({"type": "CREATED", "messengerId": "$capture:mid"});
        let wanted = Wanted { key: Some(1), value: Some(&step1), headers: None };
        let (i, captures) = first_match(&records, &wanted, &Captures::new()).expect("test fixture");
        assert_eq!((i, &captures["mid"]), (0, &json!(41)));

        let step2 = json!({"type": "JOINED", "messengerId": "$ref:mid"});
        let wanted = Wanted { key: None, value: Some(&step2), headers: None };
        let (j, captures) = first_match(&records[i + 1..], &wanted, &captures).expect("test fixture");
        assert_eq!(i + 1 + j, 2);

        // A produce value and an HTTP path of a later step use the capture.
        let produced = captures::substitute_value(&json!({"body": {"messengerId": "$ref:mid"}}), &captures).expect("test fixture");
        assert_eq!(produced, json!({"body": {"messengerId": 41}}));
        assert_eq!(
            captures::substitute_text("/api/messengers/$ref:mid/members", &captures).expect("test fixture"),
            "/api/messengers/41/members"
        );

        // After the match at index 2 the CREATED at index 0 is no longer visible.
        let again = Wanted { key: None, value: Some(&step1), headers: None };
        let (k, recaptured) = first_match(&records[3..], &again, &captures).expect("test fixture");
        assert_eq!((k, &recaptured["mid"]), (0, &json!(42)));
    }
}
