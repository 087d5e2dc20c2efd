//! Shared test harness: a real broker (librdkafka's mock cluster, in this test process, so
//! it outlives a killed server), the server binary as a child process, a tenant, and
//! helpers to produce commands and collect records. `Fixture` (fixture.rs) sets them up
//! together for one test; tests wait on conditions (`wait_until`, `holds_for`,
//! `Collector::until`), never for a fixed time.

#![allow(dead_code)]

pub mod fixture;
pub mod messengers_model;
pub mod postgres;
pub mod sagas_model;
pub mod skills_model;

// `postgres_url` is for tests that cannot skip; it panics with the reason.
#[allow(unused_imports)]
pub use postgres::{postgres, postgres_url};

#[allow(unused_imports)]
pub use fixture::{Fixture, FixtureBuilder};

use atlas_actors::broker::EmbeddedBroker;
use atlas_actors::contracts::{key, tenant::Tenant, topics};
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Headers, Message, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::util::Timeout;
use rdkafka::{Offset, TopicPartitionList};
use serde_json::Value;
use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// How often the wait helpers look at their condition.
const POLL: Duration = Duration::from_millis(50);

/// Polls `condition` until it holds or `within` has passed; returns whether it held. The
/// condition is checked at least once, even with a zero `within`. Callers assert on the
/// result with a message saying what did not happen.
pub fn wait_until(within: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + within;
    loop {
        if condition() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        // why: the poll interval of this wait
        std::thread::sleep(POLL);
    }
}

/// [`wait_until`] for a condition that must be awaited (inside a test's async runtime).
pub async fn wait_until_async<F: std::future::Future<Output = bool>>(within: Duration, mut condition: impl FnMut() -> F) -> bool {
    let deadline = Instant::now() + within;
    loop {
        if condition().await {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        // why: the poll interval of this wait
        tokio::time::sleep(POLL).await;
    }
}

/// Whether `condition` holds at every look for all of `window`: for what must *not*
/// happen, where there is no event to wait for. Returns `false` as soon as it fails.
pub fn holds_for(window: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + window;
    loop {
        if !condition() {
            return false;
        }
        if Instant::now() >= deadline {
            return true;
        }
        // why: the poll interval of this wait
        std::thread::sleep(POLL);
    }
}

/// A size of a test from the environment (`name`), else its CI default.
pub fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.replace('_', "").parse().ok()).unwrap_or(default)
}

/// Raises this process's open-file limit to at least `wanted` with util-linux's
/// `prlimit`, before a probe that holds many sockets; a server started afterwards
/// inherits it. Beyond the hard limit this needs `CAP_SYS_RESOURCE` (which root in a
/// container may lack); then nothing changes. Returns the soft limit now in force.
pub fn raise_descriptor_limit(wanted: u64) -> u64 {
    let limit = || {
        let limits = std::fs::read_to_string("/proc/self/limits").unwrap_or_default();
        let line = limits.lines().find(|l| l.starts_with("Max open files")).map(str::to_string).unwrap_or_default();
        line.split_whitespace().nth(3).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0)
    };
    if limit() < wanted {
        let pid = std::process::id().to_string();
        let _ = Command::new("prlimit").args(["--pid", &pid, &format!("--nofile={wanted}:{wanted}")]).status();
    }
    limit()
}

/// A process's resident set size, KiB.
pub fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status.lines().find_map(|l| l.strip_prefix("VmRSS:")).and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok()).unwrap_or(0)
}

/// How long `/health` takes to answer, several times: (median, highest).
pub fn health_latency(server: &Server, samples: usize) -> (Duration, Duration) {
    let mut taken: Vec<Duration> = (0..samples)
        .map(|_| {
            let started = Instant::now();
            let status = http("GET", &server.url("/health"), None, None).0;
            assert_eq!(status, 200, "REST answers");
            started.elapsed()
        })
        .collect();
    taken.sort();
    (taken[taken.len() / 2], taken[taken.len() - 1])
}

pub fn sqlite_url(dir: &tempdir::Dir) -> String {
    format!("sqlite://{}/atlas.db?mode=rwc", dir.path())
}

/// A tiny temp-dir helper (no extra crate): removed on drop.
pub mod tempdir {
    pub struct Dir(std::path::PathBuf);
    impl Dir {
        pub fn new(prefix: &str) -> Dir {
            let path = std::env::temp_dir().join(format!("{prefix}-{}", uuid::Uuid::new_v4()));
            std::fs::create_dir_all(&path).expect("temp dir");
            Dir(path)
        }
        pub fn path(&self) -> String {
            self.0.display().to_string()
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// Tests that run a server take this lock, so the tests of one binary run one at a time:
/// each server uses both cores, and timeouts are about the system under test, not about
/// neighbouring tests.
pub fn serial() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub fn broker() -> EmbeddedBroker {
    let broker = EmbeddedBroker::start().expect("embedded broker");
    broker.create_topics(topics::Topics::from_env().all(), 4).expect("topics");
    broker
}

pub fn tenant() -> Tenant {
    Tenant { id: Uuid::new_v4(), region: "GMS".into(), major: 83, minor: 1 }
}

/// A port nothing listens on right now (for a server's listener).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

/// The server under test, as a child process.
pub struct Server {
    child: Child,
    pub port: u16,
    pub bootstrap: String,
    pub database_url: String,
    pub group: String,
}

impl Server {
    pub fn start(bootstrap: &str, database_url: &str, env: &[(&str, &str)]) -> Server {
        Self::start_in_group(bootstrap, database_url, &format!("test-{}", Uuid::new_v4()), env)
    }

    pub fn start_in_group(bootstrap: &str, database_url: &str, group: &str, env: &[(&str, &str)]) -> Server {
        let port = free_port();
        let mut command = Command::new(env!("CARGO_BIN_EXE_atlas-actors"));
        command
            .arg("serve")
            .env("BOOTSTRAP_SERVERS", bootstrap)
            .env("DATABASE_URL", database_url)
            .env("REST_PORT", port.to_string())
            .env("CHANNEL_PORT", "0")
            .env("CONSUMER_GROUP_ID", group)
            .env("LOG_LEVEL", std::env::var("TEST_LOG_LEVEL").unwrap_or_else(|_| "warn".into()))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        for (name, value) in env {
            command.env(name, value);
        }
        let child = command.spawn().expect("spawn server");
        let server =
            Server { child, port, bootstrap: bootstrap.to_string(), database_url: database_url.to_string(), group: group.to_string() };
        server.wait_healthy();
        server
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{}", self.port, path)
    }

    fn wait_healthy(&self) {
        let healthy = wait_until(Duration::from_secs(60), || http("GET", &self.url("/health"), None, None).0 == 200);
        assert!(
            healthy,
            "server at {} did not become healthy within 60 s (database {}, broker {})",
            self.url("/health"),
            self.database_url,
            self.bootstrap
        );
    }

    /// The server's process id (to send it signals).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL: no shutdown, no flush.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Waits for the process to end by itself (e.g. an injected abort).
    pub fn wait_exit(&mut self, timeout: Duration) -> bool {
        self.wait_status(timeout).is_some()
    }

    /// Waits for the process to end by itself; its exit status, or `None` at the timeout.
    pub fn wait_status(&mut self, timeout: Duration) -> Option<std::process::ExitStatus> {
        let mut status = None;
        wait_until(timeout, || {
            status = self.child.try_wait().ok().flatten();
            status.is_some()
        });
        status
    }

    /// Restarts in the same consumer group, database and broker.
    pub fn restart(&mut self, env: &[(&str, &str)]) {
        self.kill();
        *self = Server::start_in_group(&self.bootstrap.clone(), &self.database_url.clone(), &self.group.clone(), env);
    }

    pub fn get(&self, path: &str, tenant: &Tenant) -> (u16, Value) {
        http("GET", &self.url(path), Some(tenant), None)
    }
}

/// The server on its zero-configuration defaults, started in `dir`: its own embedded broker
/// and the SQLite file under `dir/data`, REST on `port`. Returns once `/health` answers 200,
/// with the process and its broker's address, read from the start-up log.
pub fn start_embedded_default(dir: &tempdir::Dir, port: u16) -> (Child, String) {
    use std::io::{BufRead as _, BufReader};
    let mut child = Command::new(env!("CARGO_BIN_EXE_atlas-actors"))
        .current_dir(dir.path())
        .env_remove("BOOTSTRAP_SERVERS")
        .env_remove("DATABASE_URL")
        .env_remove("DB_HOST")
        .env("REST_PORT", port.to_string())
        .env("CHANNEL_PORT", "0")
        .env("LOG_LEVEL", "info")
        .env("LOG_FORMAT", "json")
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn server");
    let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let bootstrap = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|line| {
            let entry: Value = serde_json::from_str(&line).ok()?;
            entry["fields"]["bootstrap"].as_str().map(str::to_string)
        })
        .expect("the embedded broker's address is logged");
    std::thread::spawn(move || lines.for_each(drop));
    let healthy = wait_until(Duration::from_secs(60), || http("GET", &format!("http://127.0.0.1:{port}/health"), None, None).0 == 200);
    assert!(healthy, "the server on its defaults did not answer GET /health with 200 within 60 s");
    (child, bootstrap)
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A blocking GET returning the body as text (for `/metrics`).
pub fn text(url: &str) -> String {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    runtime.block_on(async { reqwest::get(url).await.ok()?.text().await.ok() }).unwrap_or_default()
}

/// The sum of a Prometheus counter over all its labels, from `/metrics`.
pub fn metric_sum(server: &Server, name: &str) -> f64 {
    text(&server.url("/metrics"))
        .lines()
        .filter(|line| line.starts_with(name) && line[name.len()..].starts_with(['{', ' ']))
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

/// A blocking HTTP call with reqwest on a throwaway runtime.
pub fn http(method: &str, url: &str, tenant: Option<&Tenant>, body: Option<&Value>) -> (u16, Value) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        let client = reqwest::Client::new();
        let mut request = client.request(method.parse().expect("method"), url);
        if let Some(tenant) = tenant {
            for (name, value) in tenant.http_headers() {
                request = request.header(name, value);
            }
        }
        if let Some(body) = body {
            request = request.header("Content-Type", "application/vnd.api+json").body(body.to_string());
        }
        match request.send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                let text = response.text().await.unwrap_or_default();
                (status, serde_json::from_str(&text).unwrap_or(Value::Null))
            }
            Err(_) => (0, Value::Null),
        }
    })
}

pub fn producer(bootstrap: &str) -> FutureProducer {
    ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("partitioner", "murmur2_random")
        .set("linger.ms", "5")
        .create()
        .expect("producer")
}

/// Produces records in order and waits until all are acknowledged.
pub fn produce_all(producer: &FutureProducer, topic_variable: &str, records: &[(Option<u32>, Option<Vec<u8>>, Option<&Tenant>)]) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let topic = topics::resolve(topic_variable);
    runtime.block_on(async {
        let sends = records.iter().map(|(k, value, tenant)| {
            let key = k.map(key::encode);
            let headers = tenant.map(|t| t.to_kafka(OwnedHeaders::new())).unwrap_or_default();
            let topic = topic.clone();
            let value = value.clone();
            async move {
                let mut record: FutureRecord<'_, [u8], [u8]> = FutureRecord::to(&topic).headers(headers);
                if let Some(key) = &key {
                    record = record.key(&key[..]);
                }
                if let Some(value) = &value {
                    record = record.payload(&value[..]);
                }
                producer.send(record, Timeout::Never).await.expect("produce");
            }
        });
        futures::future::join_all(sends).await;
    });
}

pub fn json_records<'a>(tenant: &'a Tenant, values: &[(u32, Value)]) -> Vec<(Option<u32>, Option<Vec<u8>>, Option<&'a Tenant>)> {
    values.iter().map(|(k, v)| (Some(*k), Some(v.to_string().into_bytes()), Some(tenant))).collect()
}

/// A record seen on a topic.
#[derive(Debug, Clone)]
pub struct Seen {
    /// The record's timestamp (when the server published it), Unix ms.
    pub at_ms: i64,
    pub key: Option<Vec<u8>>,
    pub value: Vec<u8>,
    pub headers: HashMap<String, Vec<u8>>,
}

impl Seen {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.value).unwrap_or(Value::Null)
    }
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).map(|v| String::from_utf8_lossy(v).into_owned())
    }
    pub fn key_id(&self) -> Option<u32> {
        self.key.as_deref().and_then(key::decode)
    }
}

/// Reads a topic from the beginning, keeping the records of one tenant.
pub struct Collector {
    consumer: BaseConsumer,
    tenant: Uuid,
    pub seen: Vec<Seen>,
}

impl Collector {
    pub fn new(bootstrap: &str, topic_variable: &str, tenant: Option<&Tenant>) -> Collector {
        let consumer: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", bootstrap)
            .set("group.id", format!("collector-{}", Uuid::new_v4()))
            .set("enable.auto.commit", "false")
            .set("fetch.wait.max.ms", "5")
            .create()
            .expect("consumer");
        let topic = topics::resolve(topic_variable);
        let metadata = consumer.fetch_metadata(Some(&topic), Duration::from_secs(10)).expect("metadata");
        let mut list = TopicPartitionList::new();
        for partition in metadata.topics()[0].partitions() {
            list.add_partition_offset(&topic, partition.id(), Offset::Beginning).expect("partition");
        }
        consumer.assign(&list).expect("assign");
        Collector { consumer, tenant: tenant.map(|t| t.id).unwrap_or_default(), seen: Vec::new() }
    }

    /// Polls for `duration`, keeping records whose TENANT_ID is this collector's tenant
    /// (or all records, for a nil tenant).
    pub fn poll_for(&mut self, duration: Duration) {
        let deadline = Instant::now() + duration;
        while Instant::now() < deadline {
            self.poll_once(Duration::from_millis(50));
        }
    }

    fn poll_once(&mut self, wait: Duration) {
        while let Some(Ok(message)) = self.consumer.poll(wait) {
            let headers: HashMap<String, Vec<u8>> = message
                .headers()
                .map(|h| h.iter().map(|h| (h.key.to_string(), h.value.unwrap_or_default().to_vec())).collect())
                .unwrap_or_default();
            let tenant = headers.get("TENANT_ID").map(|v| String::from_utf8_lossy(v).into_owned());
            if self.tenant.is_nil() || tenant.as_deref() == Some(self.tenant.hyphenated().to_string().as_str()) {
                self.seen.push(Seen {
                    at_ms: message.timestamp().to_millis().unwrap_or_default(),
                    key: message.key().map(<[u8]>::to_vec),
                    value: message.payload().unwrap_or_default().to_vec(),
                    headers,
                });
            }
        }
    }

    /// Polls until `done(seen)` holds or the timeout passes; returns whether it held.
    pub fn until(&mut self, timeout: Duration, done: impl Fn(&[Seen]) -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if done(&self.seen) {
                return true;
            }
            if Instant::now() > deadline {
                return false;
            }
            self.poll_once(Duration::from_millis(50));
        }
    }
}

/// A stand-in for the character service: `GET /api/characters/{id}` answers `answer(id)`'s
/// document after its delay. Returns the port it listens on.
pub fn character_service(answer: fn(u32) -> (Duration, Value)) -> u16 {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let server = actix_web::HttpServer::new(move || {
                actix_web::App::new().route(
                    "/api/characters/{id}",
                    actix_web::web::get().to(move |path: actix_web::web::Path<u32>| async move {
                        let (delay, document) = answer(path.into_inner());
                        // why: the stand-in's deliberate slow answer, not a wait
                        actix_web::rt::time::sleep(delay).await;
                        actix_web::HttpResponse::Ok().json(document)
                    }),
                )
            })
            .workers(1)
            .bind(("127.0.0.1", 0))
            .expect("bind stub");
            tx.send(server.addrs()[0].port()).expect("port");
            server.run().await.expect("stub");
        });
    });
    rx.recv().expect("stub port")
}

/// Runs the conformance runner on one of the project's scenario folders (under `tests/`)
/// with `env` for the server it starts; asserts that some ran and none failed.
pub fn run_scenarios(folder: &str, database_url: Option<&str>, env: &[(&str, &str)]) {
    let scenarios = format!("{}/tests/{folder}", env!("CARGO_MANIFEST_DIR"));
    let mut command = Command::new(env!("CARGO_BIN_EXE_atlas-actors"));
    command.arg("conformance").arg(scenarios).env("LOG_LEVEL", "warn").envs(env.iter().copied());
    if let Some(url) = database_url {
        command.arg("--database-url").arg(url);
    }
    let output = command.output().expect("run the conformance runner");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "conformance runner on {folder} ({}) exited with {}:\n{stdout}\n{stderr}",
        database_url.unwrap_or("SQLite"),
        output.status
    );
    let last = stdout.trim_end().lines().last().unwrap_or_default();
    assert!(last.ends_with(" 0 failed") && !last.starts_with("0 passed"), "{stdout}");
}

/// Stands in for the character and buddy services of the channel tests: character `{id}`
/// of account `{id}`, in world 0, in Henesys; those ending in 99 answer after `slow`.
pub fn character_services(slow: Duration) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let server = actix_web::HttpServer::new(move || {
                actix_web::App::new()
                    .route(
                        "/api/characters/{id}",
                        actix_web::web::get().to(move |id: actix_web::web::Path<u32>| async move {
                            let id = id.into_inner();
                            if id % 100 == 99 {
                                // why: the stand-in's deliberate slow answer, not a wait
                                actix_web::rt::time::sleep(slow).await;
                            }
                            actix_web::HttpResponse::Ok().json(serde_json::json!({"data": {"type": "characters", "id": id.to_string(),
                                "attributes": {"accountId": id, "worldId": 0, "name": format!("c{id}"), "mapId": 100000000, "hp": 50}}}))
                        }),
                    )
                    .route(
                        "/api/characters/{id}/buddy-list",
                        actix_web::web::get().to(|| async {
                            actix_web::HttpResponse::Ok()
                                .json(serde_json::json!({"data": {"type": "buddy-lists", "id": "1", "attributes": {"capacity": 20, "buddies": []}}}))
                        }),
                    )
            })
            .workers(2)
            .bind(("127.0.0.1", 0))
            .expect("bind stub");
            tx.send(server.addrs()[0].port()).expect("port");
            server.run().await.expect("stub");
        });
    });
    format!("http://127.0.0.1:{}/api/", rx.recv().expect("stub port"))
}
