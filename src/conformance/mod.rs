//! The conformance runner: black-box scenarios (`FORMAT.md`) against the server over its
//! real interfaces, Kafka and REST.
//!
//! By default the runner sets everything up itself: the embedded broker, the foreign
//! stub, a fresh SQLite database, and `atlas-actors serve` as a child process.
//!
//! - `scenario`: the file format and discovery.
//! - `matcher`, `captures`: the subset rule, placeholders, `$ref` substitution.
//! - `kafka`: topics, the producer, the tenant-demultiplexing consumer.
//! - `stub`: the foreign-service HTTP stub.
//! - `harness`: work folder and the server child process.
//! - `runner`: executing steps; `report`: output.

mod captures;
mod clients;
mod harness;
mod kafka;
mod matcher;
mod report;
mod runner;
pub mod scenario;
pub mod stub;

use crate::broker::EmbeddedBroker;
use crate::contracts::topics;
use anyhow::Context as _;
use futures::StreamExt as _;
use report::{Failure, Outcome, Summary};
use scenario::{Loaded, Scenario};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::PathBuf;
use std::time::Instant;

#[derive(Debug, Clone, clap::Args)]
pub struct ConformanceArgs {
    /// Scenario folders, searched recursively for `*.json` (files may be given too).
    #[arg(value_name = "DIR", default_value = "../shared/conformance")]
    pub dirs: Vec<PathBuf>,

    /// Use this Kafka cluster instead of starting the embedded broker. (BOOTSTRAP_SERVERS
    /// is deliberately not read: a stray variable must not redirect a test run.)
    #[arg(long, value_name = "HOSTS")]
    pub bootstrap_servers: Option<String>,

    /// Test an already running server at this URL (no child process is started; point
    /// its BASE_SERVICE_URL at the stub, see --stub-port).
    #[arg(long, value_name = "URL")]
    pub server_url: Option<String>,

    /// The channel WebSocket of an already running server (`ws://host:port`), for
    /// scenarios with client steps.
    #[arg(long, value_name = "URL")]
    pub channel_url: Option<String>,

    /// Database of the child server (default: a fresh SQLite file in a temporary folder).
    /// Used as given; fresh tenants keep runs apart.
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,

    /// Scenarios run concurrently.
    #[arg(long, default_value_t = 4)]
    pub jobs: usize,

    /// Only scenarios whose `domain/name` contains this text.
    #[arg(long, value_name = "TEXT")]
    pub filter: Option<String>,

    /// File of domains (one per line, `#` comments) whose failures do not fail the run.
    #[arg(long, value_name = "FILE")]
    pub pending: Option<PathBuf>,

    /// Port of the foreign-service stub (0: any free port).
    #[arg(long, default_value_t = 0)]
    pub stub_port: u16,

    /// Partitions of the topics the runner creates. One keeps a topic's records in
    /// production order even across keys, which per-topic `expect` ordering relies on.
    #[arg(long, default_value_t = 1)]
    pub partitions: i32,
}

/// Runs the scenarios; true when no scenario outside the pending domains failed.
pub fn run(args: ConformanceArgs) -> anyhow::Result<bool> {
    let pending = match &args.pending {
        Some(path) => read_pending(path)?,
        None => HashSet::new(),
    };
    let mut loaded: Vec<Loaded> = scenario::discover(&args.dirs)?.iter().map(|p| scenario::load(p)).collect();
    if let Some(filter) = &args.filter {
        loaded.retain(|l| l.id().contains(filter.as_str()));
    }
    if loaded.is_empty() {
        anyhow::bail!(
            "no scenarios found in {:?}{}",
            args.dirs,
            args.filter.as_ref().map_or(String::new(), |f| format!(" matching {f:?}"))
        );
    }
    warn_about(&loaded);
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().context("starting the tokio runtime")?;
    runtime.block_on(execute(args, loaded, pending))
}

fn read_pending(path: &std::path::Path) -> anyhow::Result<HashSet<String>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(text
        .lines()
        .map(|line| line.split('#').next().unwrap_or_default().trim())
        .filter(|line| !line.is_empty())
        .map(str::to_string)
        .collect())
}

fn warn_about(loaded: &[Loaded]) {
    let mut seen: HashMap<String, &PathBuf> = HashMap::new();
    for l in loaded {
        if let Ok(s) = &l.scenario {
            for warning in s.warnings(&l.path) {
                eprintln!("warning: {}: {warning}", l.path.display());
            }
            if let Some(other) = seen.insert(s.id(), &l.path) {
                eprintln!("warning: {} and {} are both {}", other.display(), l.path.display(), s.id());
            }
        }
    }
}

/// The topic names every scenario step mentions.
fn scenario_topics(scenarios: &[Scenario]) -> Vec<String> {
    let names: BTreeSet<String> =
        scenarios.iter().flat_map(|s| s.steps.iter()).filter_map(|step| step.topic()).map(topics::resolve).collect();
    names.into_iter().collect()
}

async fn execute(args: ConformanceArgs, loaded: Vec<Loaded>, pending: HashSet<String>) -> anyhow::Result<bool> {
    let started = Instant::now();
    let mut summary = Summary::default();
    let mut scenarios = Vec::new();
    for l in loaded {
        let domain = l.domain();
        let id = l.id();
        match l.scenario {
            Ok(s) => scenarios.push(s),
            Err(error) => {
                let outcome = Outcome { id, domain, failure: Some(Failure::new(format!("{}: {error}", l.path.display()))) };
                let is_pending = pending.contains(&outcome.domain);
                report::print(&outcome, is_pending);
                summary.add(&outcome, is_pending);
            }
        }
    }

    let mut workdir = harness::WorkDir::create()?;
    if !scenarios.is_empty() {
        run_scenarios(&args, scenarios, &pending, &mut summary, &mut workdir).await?;
    }
    if summary.failed > 0 {
        workdir.keep();
    }
    // Before the summary: its last line must be the last line of the output.
    eprintln!("conformance: finished in {:.1} s", started.elapsed().as_secs_f64());
    print!("{}", summary.render(&pending));
    Ok(summary.counted_failures == 0)
}

/// Sets up broker, stub and server, runs the scenarios `--jobs` at a time, tears down.
async fn run_scenarios(
    args: &ConformanceArgs,
    scenarios: Vec<Scenario>,
    pending: &HashSet<String>,
    summary: &mut Summary,
    workdir: &mut harness::WorkDir,
) -> anyhow::Result<()> {
    let topics = scenario_topics(&scenarios);
    // Declared first, dropped last: the child server and every client need the broker.
    let mut embedded = None;
    let bootstrap = match &args.bootstrap_servers {
        Some(servers) => {
            kafka::create_missing_topics(servers, &topics, args.partitions).await?;
            servers.clone()
        }
        None => {
            let broker = EmbeddedBroker::start()?;
            let bootstrap = broker.bootstrap_servers().to_string();
            // The server's topics too, so it finds its full set, as in production.
            let all: BTreeSet<String> = topics.iter().cloned().chain(topics::VARIABLES.iter().map(|v| topics::resolve(v))).collect();
            let _waking = harness::MockWaker::start(&bootstrap);
            broker.create_topics(all.iter().map(String::as_str), args.partitions)?;
            embedded = Some(broker);
            bootstrap
        }
    };
    let tap = {
        let (bootstrap, topics) = (bootstrap.clone(), topics.clone());
        tokio::task::spawn_blocking(move || kafka::Tap::start(&bootstrap, &topics)).await.context("starting the consumer")??
    };
    let producer = kafka::producer(&bootstrap)?;
    let stub = stub::Stub::start(args.stub_port)?;
    let http = reqwest::Client::builder().build().context("creating the HTTP client")?;

    let mut child = None;
    let mut channel_url = args.channel_url.clone();
    let server_url = match &args.server_url {
        Some(url) => url.trim_end_matches('/').to_string(),
        None => {
            let database_url = match &args.database_url {
                Some(url) => url.clone(),
                None => format!("sqlite://{}?mode=rwc", workdir.path().join("conformance.db").display()),
            };
            let env = harness::ServerEnv {
                bootstrap: bootstrap.clone(),
                database_url,
                rest_port: harness::free_port()?,
                channel_port: harness::free_port()?,
                base_service_url: stub.base_url(),
            };
            channel_url = Some(format!("ws://127.0.0.1:{}", env.channel_port));
            let mut server = harness::ServerProcess::spawn(&env, workdir.path().join("server.log"))?;
            eprintln!("conformance: server log {}", server.log.display());
            if let Err(error) = server.wait_healthy(&http).await {
                workdir.keep();
                return Err(error);
            }
            let url = server.url.clone();
            child = Some(server);
            url
        }
    };
    eprintln!(
        "conformance: {} scenarios, broker {bootstrap}, stub {}, server {server_url}, {} jobs",
        scenarios.len(),
        stub.base_url(),
        args.jobs.max(1)
    );

    let ctx = runner::Context { producer, tap, stub, http, server_url, server_log: child.as_ref().map(|c| c.log.clone()), channel_url };
    let mut outcomes = futures::stream::iter(scenarios.iter())
        .map(|s| {
            let ctx = &ctx;
            async move { Outcome { id: s.id(), domain: s.domain.clone(), failure: runner::run(ctx, s).await } }
        })
        .buffer_unordered(args.jobs.max(1));
    let interrupted = interrupted();
    tokio::pin!(interrupted);
    loop {
        let outcome = tokio::select! {
            outcome = outcomes.next() => outcome,
            signal = &mut interrupted => {
                // Returning drops the guards: the child server is killed, not orphaned.
                anyhow::bail!("interrupted by {signal}");
            }
        };
        let Some(outcome) = outcome else { break };
        let is_pending = pending.contains(&outcome.domain);
        report::print(&outcome, is_pending);
        summary.add(&outcome, is_pending);
    }
    drop(outcomes);

    if let Some(server) = child.as_mut() {
        if let Some(status) = server.exited() {
            eprintln!("conformance: the server exited during the run ({status}); log {}", server.log.display());
        }
        if summary.failed > 0 {
            eprintln!("conformance: server log {}", server.log.display());
        }
    }
    let stray = ctx.stub.stray();
    if !stray.is_empty() {
        eprintln!("conformance: foreign requests without a running scenario's TENANT_ID (answered 404):");
        for line in stray {
            eprintln!("    {line}");
        }
    }
    // Teardown order: the server first (it uses broker and stub), the broker last.
    drop(child);
    let runner::Context { tap, stub, producer, .. } = ctx;
    stub.stop().await;
    let mut tap = tap;
    tokio::task::spawn_blocking(move || tap.shutdown()).await.context("stopping the consumer")?;
    drop(producer);
    drop(embedded);
    Ok(())
}

/// Resolves on SIGINT or SIGTERM with the signal's name.
async fn interrupted() -> &'static str {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut int), Ok(mut term)) = (signal(SignalKind::interrupt()), signal(SignalKind::terminate())) else {
        return std::future::pending().await;
    };
    tokio::select! {
        _ = int.recv() => "SIGINT",
        _ = term.recv() => "SIGTERM",
    }
}
