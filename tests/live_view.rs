//! The live view: the Grafana dashboard's queries against what `/metrics` serves, and the
//! embedded `/dashboard` page loaded in headless Chromium while records flow.

mod common;

use common::*;
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

fn create(character: u32) -> (u32, Value) {
    let body = json!({"skillId": 1000, "level": 1, "masterLevel": 10, "expiration": "0001-01-01T00:00:00Z"});
    (character, json!({"characterId": character, "type": "REQUEST_CREATE", "body": body}))
}

/// Waits until the summed counter `name` reaches `at_least`.
fn wait_for_metric(server: &Server, name: &str, at_least: f64) -> bool {
    wait_until(Duration::from_secs(30), || metric_sum(server, name) >= at_least)
}

/// The metric names in the dashboard's queries.
fn dashboard_metrics() -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/grafana/dashboards/atlas-actors.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let dashboard: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
    let mut names = Vec::new();
    for panel in dashboard["panels"].as_array().expect("panels") {
        for target in panel["targets"].as_array().expect("targets") {
            let expr = target["expr"].as_str().expect("an expression");
            let mut rest = expr;
            while let Some(start) = rest.find("atlas_") {
                let name: String = rest[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                rest = &rest[start + name.len()..];
                if !names.contains(&name) {
                    names.push(name);
                }
            }
        }
    }
    names
}

#[test]
fn every_metric_the_grafana_dashboard_queries_is_served() {
    let _serial = serial();
    let wanted = dashboard_metrics();
    for figure in [
        "records_in",
        "records_out",
        "handler_seconds",
        "in_flight",
        "dead_letters",
        "live_actors",
        "channel_sessions",
        "consumer_lag",
        "outbox_backlog",
    ] {
        assert!(wanted.iter().any(|name| name.contains(figure)), "the dashboard shows no {figure}: {wanted:?}");
    }
    let fixture = Fixture::sqlite("grafana").start();
    let server = &fixture.server;
    // One command (records in and out, a handler time) and one record without a tenant
    // (a dead letter), so that every labelled family has a series.
    fixture.produce("COMMAND_TOPIC_SKILL", &[create(1)]);
    produce_all(&fixture.producer(), "COMMAND_TOPIC_SKILL", &[(Some(2), Some(create(2).1.to_string().into_bytes()), None)]);
    assert!(wait_for_metric(server, "atlas_records_out_total", 1.0), "no output published");
    assert!(wait_for_metric(server, "atlas_dead_letters_total", 1.0), "no dead letter counted");
    let exposition = text(&server.url("/metrics"));
    let served = |name: &str| exposition.lines().any(|line| line.starts_with(name) && line[name.len()..].starts_with(['{', ' ']));
    let missing: Vec<&String> = wanted.iter().filter(|name| !served(name)).collect();
    assert!(missing.is_empty(), "queried by the dashboard but not in /metrics: {missing:?}\n{exposition}");
}

/// Chromium's binary, or `None` after saying so on stderr.
fn chromium() -> Option<String> {
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|name| Command::new(name).arg("--version").output().map(|o| o.status.success()).unwrap_or(false));
    if found.is_none() {
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "live_view: headless-browser test NOT run (no chromium on PATH); install Debian's `chromium` to run it"
        );
    }
    found.map(str::to_string)
}

/// Loads `url` in headless Chromium, lets the page run for a few (virtual) seconds, and
/// returns the resulting DOM. With `screenshot`, also saves a PNG of the page there.
fn render(browser: &str, url: &str, screenshot: Option<&str>) -> String {
    let profile = tempdir::Dir::new("chromium-profile");
    let mut command = Command::new(browser);
    command.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
        "--window-size=1280,860",
        "--virtual-time-budget=4000",
    ]);
    command.arg(format!("--user-data-dir={}", profile.path()));
    match screenshot {
        Some(path) => command.arg(format!("--screenshot={path}")),
        None => command.arg("--dump-dom"),
    };
    let output = command.arg(url).output().unwrap_or_else(|e| panic!("running {browser}: {e}"));
    assert!(output.status.success(), "{browser} on {url} exited with {}: {}", output.status, String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The number shown in the element with `id`.
fn shown(dom: &str, id: &str) -> f64 {
    let marker = format!("id=\"{id}\">");
    let start = dom.find(&marker).unwrap_or_else(|| panic!("no #{id} in the page:\n{dom}")) + marker.len();
    let text: String = dom[start..].chars().take_while(|c| *c != '<').filter(|c| *c != ',').collect();
    text.trim().parse().unwrap_or_else(|_| panic!("#{id} shows {text:?}, not a number"))
}

#[test]
fn dashboard_page_shows_the_figures_change_in_a_headless_browser() {
    let _serial = serial();
    let Some(browser) = chromium() else { return };
    let fixture = Fixture::sqlite("dashboard").start();
    let server = &fixture.server;
    let page = server.url("/dashboard");

    let before = render(&browser, &page, None);
    assert!(before.contains("poll "), "the page never polled:\n{before}");
    let (records_in, records_out) = (shown(&before, "recordsIn"), shown(&before, "recordsOut"));

    let commands: Vec<(u32, Value)> = (1..=50).map(create).collect();
    fixture.produce("COMMAND_TOPIC_SKILL", &commands);
    assert!(wait_for_metric(server, "atlas_records_out_total", records_out + 50.0), "the outputs were not published");
    // The live-actor gauge is sampled once a second: wait for the sample that counts them.
    assert!(wait_for_metric(server, "atlas_live_actors", 1.0), "no live actor counted in /metrics");

    let after = render(&browser, &page, None);
    assert!(shown(&after, "recordsIn") >= records_in + 50.0, "records in did not move:\n{after}");
    assert!(shown(&after, "recordsOut") >= records_out + 50.0, "records out did not move:\n{after}");
    assert!(shown(&after, "liveActorsTotal") >= 1.0, "no live actor shown:\n{after}");
    // The page keeps polling: several polls within the few seconds it ran.
    let polls = after.split("data-polls=\"").nth(1).and_then(|rest| rest.split('"').next()?.parse::<u32>().ok());
    assert!(polls.is_some_and(|n| n >= 2), "the page polled {polls:?} times");

    // `DASHBOARD_SCREENSHOT=docs/dashboard.png` saves the README's screenshot.
    if let Ok(path) = std::env::var("DASHBOARD_SCREENSHOT") {
        render(&browser, &page, Some(&path));
        assert!(Path::new(&path).exists(), "no screenshot at {path}");
    }
}
