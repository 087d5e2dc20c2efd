//! End-to-end load benchmark over a real broker running as its own process (the embedded
//! broker, in this bench binary started again), as a broker is in production.
//!
//! Baseline: the leanest relay the Kafka client allows (a `BaseConsumer` polled in a loop
//! feeding a `BaseProducer` polled by the same thread; no decoding, no logic): consume
//! topic A, produce the same key, value and headers to topic B. It stands for the physical
//! limit of a consume → produce hop on this broker and machine. Ours: the server binary
//! consuming skill commands and emitting status events. Each is measured the same way:
//! (1) throughput, pushing N records as fast as possible and timing until the last output
//! arrives; (2) latency percentiles at half of each side's own burst throughput. The report
//! gives our figures as ratios of the baseline's, measured in the same run.
//!
//! How cost grows: `E2E_SCALE=1` repeats (1) and (2) for 1,000 → 10,000 → 100,000 active
//! characters (4 partitions) and for 1 → 4 → 16 partitions (1,000 characters), each point
//! on a fresh broker and server, and draws `docs/benchmarks/e2e-scaling.svg`
//! (`E2E_CHART` to write elsewhere). `E2E_CHARACTERS` and `E2E_PARTITIONS` (comma lists)
//! choose the points by hand.
//!
//! Then (3) mixed load at the first point: `atlas-actors simulate`'s virtual players
//! (skill creates and updates, cooldowns, macros, sagas) at a quarter of the server's
//! skill-update burst throughput (`E2E_MIXED_RATE`) for `E2E_MIXED_SECONDS` (default 10;
//! 0 skips it), against the server, and against relays on a second broker that copy each
//! command topic to its answer topic (an answer carries the command's transactionId
//! either way, so the player measures both alike).
//!
//! `cargo bench --bench e2e` (SQLite); `E2E_DATABASE_URL=postgres://… cargo bench --bench e2e`
//! (each point gets a fresh database on that server, named `e2e_…`).
//! `E2E_RECORDS` sets N (default 20000; at least one update per character);
//! `E2E_RATE` fixes the server's latency-phase rate.

#[path = "support/chart.rs"]
mod chart;

use atlas_actors::contracts::{key, tenant::Tenant};
use atlas_actors::simulate::{self, Report, SimulateArgs};
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Message, OwnedHeaders};
use rdkafka::producer::{BaseProducer, BaseRecord, DefaultProducerContext, Producer, ThreadedProducer};
use rdkafka::{Offset, TopicPartitionList};
use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};
use uuid::Uuid;

fn producer_config(bootstrap: &str) -> ClientConfig {
    let mut config = ClientConfig::new();
    config
        .set("bootstrap.servers", bootstrap)
        .set("enable.idempotence", "true")
        .set("partitioner", "murmur2_random")
        .set("linger.ms", "1")
        .set("queue.buffering.max.messages", "1000000");
    config
}

fn producer(bootstrap: &str) -> ThreadedProducer<DefaultProducerContext> {
    producer_config(bootstrap).create().expect("producer")
}

fn consumer(bootstrap: &str, topic: &str, from: Offset, group: Option<&str>) -> BaseConsumer {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", group.map(str::to_string).unwrap_or_else(|| format!("e2e-{}", Uuid::new_v4())))
        .set("enable.auto.commit", "false")
        .set("fetch.wait.max.ms", "5")
        .create()
        .expect("consumer");
    let metadata = consumer.fetch_metadata(Some(topic), Duration::from_secs(10)).expect("metadata");
    let mut list = TopicPartitionList::new();
    for partition in metadata.topics()[0].partitions() {
        list.add_partition_offset(topic, partition.id(), from).expect("partition");
    }
    consumer.assign(&list).expect("assign");
    consumer
}

/// The only field the sink reads of an output.
#[derive(serde::Deserialize)]
struct Correlated<'a> {
    #[serde(rename = "transactionId", borrow)]
    transaction_id: &'a str,
}

/// Reads `topic` from its end, sending (transaction id, arrival) of every record.
fn sink(bootstrap: &str, topic: &str) -> mpsc::Receiver<(String, Instant)> {
    let consumer = consumer(bootstrap, topic, Offset::End, None);
    // Let the assignment resolve its end offsets before anything is produced.
    let _ = consumer.poll(Duration::from_millis(500));
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || loop {
        if let Some(Ok(message)) = consumer.poll(Duration::from_millis(50)) {
            let id = serde_json::from_slice::<Correlated>(message.payload().unwrap_or_default())
                .map(|c| c.transaction_id.to_string())
                .unwrap_or_default();
            if tx.send((id, Instant::now())).is_err() {
                return;
            }
        }
    });
    rx
}

/// The raw relay: consume `from`, produce the same value, key and headers to `to`, on one
/// thread, until dropped.
struct Relay(Arc<AtomicBool>);

impl Relay {
    fn start(bootstrap: &str, from: &str, to: &str) -> Relay {
        let consumer = consumer(bootstrap, from, Offset::End, None);
        let producer: BaseProducer = producer_config(bootstrap).create().expect("relay producer");
        let to = to.to_string();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        std::thread::spawn(move || {
            while !stopped.load(Ordering::Relaxed) {
                if let Some(Ok(message)) = consumer.poll(Duration::from_millis(20)) {
                    let mut record = BaseRecord::<[u8], [u8]>::to(&to).payload(message.payload().unwrap_or_default());
                    if let Some(key) = message.key() {
                        record = record.key(key);
                    }
                    if let Some(headers) = message.headers() {
                        record = record.headers(headers.detach());
                    }
                    while let Err((_, r)) = producer.send(record) {
                        record = r;
                        producer.poll(Duration::from_millis(1));
                    }
                }
                producer.poll(Duration::ZERO);
            }
            let _ = producer.flush(Duration::from_secs(5));
        });
        Relay(stop)
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}
struct Run {
    per_second: f64,
    /// The offered rate of the latency phase.
    rate: f64,
    p50: Duration,
    p99: Duration,
}

/// Pushes `n` records through (throughput), then records at `rate` per second for a few
/// seconds (latency). `record(i, transaction)` builds the i-th input.
fn measure(
    bootstrap: &str,
    (input, output): (&str, &str),
    n: usize,
    rate: Option<f64>,
    tenant: &Tenant,
    record: &dyn Fn(usize, &str) -> (u32, String),
    after_burst: &mut dyn FnMut(),
) -> Run {
    let sink = sink(bootstrap, output);
    let producer = producer(bootstrap);
    let headers = || tenant.to_kafka(OwnedHeaders::new());
    let send = |i: usize| -> String {
        let transaction = Uuid::new_v4().to_string();
        let (k, value) = record(i, &transaction);
        let key = key::encode(k);
        let mut r = BaseRecord::to(input).key(&key[..]).payload(value.as_bytes()).headers(headers());
        while let Err((_, back)) = producer.send(r) {
            r = back;
            producer.poll(Duration::from_millis(1));
        }
        transaction
    };
    let wait_for = |count: usize, sent: &HashMap<String, Instant>, latencies: &mut Vec<Duration>| -> Instant {
        let mut last = Instant::now();
        let mut seen = 0;
        while seen < count {
            let (id, at) = sink.recv_timeout(Duration::from_secs(120)).expect("outputs keep arriving");
            if let Some(start) = sent.get(&id) {
                latencies.push(at - *start);
                seen += 1;
                last = at;
            }
        }
        last
    };

    let started = Instant::now();
    let mut sent = HashMap::with_capacity(n);
    for i in 0..n {
        sent.insert(send(i), Instant::now());
    }
    let _ = producer.flush(Duration::from_secs(30));
    let mut ignored = Vec::new();
    let finished = wait_for(n, &sent, &mut ignored);
    let per_second = n as f64 / (finished - started).as_secs_f64();
    after_burst();

    let rate = rate.unwrap_or(per_second / 2.0);
    let count = ((rate * 4.0) as usize).max(200);
    let interval = Duration::from_secs_f64(1.0 / rate);
    let mut sent = HashMap::with_capacity(count);
    let begin = Instant::now();
    for i in 0..count {
        let due = begin + interval * i as u32;
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        sent.insert(send(n + i), Instant::now());
        producer.poll(Duration::ZERO);
    }
    let mut latencies = Vec::with_capacity(count);
    wait_for(count, &sent, &mut latencies);
    latencies.sort_unstable();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    Run { per_second, rate, p50: at(0.50), p99: at(0.99) }
}

/// A child process killed when dropped.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

/// The embedded broker in a process of its own (this bench binary run again), with
/// `topics` created with `partitions` partitions each: the embedded broker only creates
/// topics in process (it auto-creates with its default count over the wire). Returns once
/// it answers metadata requests.
fn broker_process<'a>(topics: impl IntoIterator<Item = &'a str>, partitions: u32) -> (Process, String) {
    let address = format!("127.0.0.1:{}", free_port());
    let topics: Vec<&str> = topics.into_iter().collect();
    let child = Command::new(std::env::current_exe().expect("this bench's path"))
        .env(BROKER_CHILD, format!("{address};{partitions};{}", topics.join(",")))
        .stdout(Stdio::null())
        .spawn()
        .expect("broker process");
    let process = Process(child);
    let probe: BaseConsumer = ClientConfig::new().set("bootstrap.servers", &address).create().expect("probe");
    let deadline = Instant::now() + Duration::from_secs(30);
    while probe.fetch_metadata(None, Duration::from_secs(1)).map_or(true, |m| m.topics().len() < topics.len()) {
        assert!(Instant::now() < deadline, "the broker process answers");
        std::thread::sleep(Duration::from_millis(100));
    }
    (process, address)
}

/// Set in the environment of the broker's process: `ADDRESS;PARTITIONS;TOPIC,TOPIC,…`.
const BROKER_CHILD: &str = "E2E_BROKER_CHILD";

/// The broker process's body: serves until killed.
fn run_broker(spec: &str) -> ! {
    let mut parts = spec.splitn(3, ';');
    let (address, partitions, topics) =
        (parts.next().unwrap_or_default(), parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
    let broker = atlas_actors::broker::EmbeddedBroker::start().expect("broker");
    broker.create_topics(topics.split(',').filter(|t| !t.is_empty()), partitions.parse().expect("partitions")).expect("topics");
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
    runtime.block_on(async {
        broker.forward(address.parse().expect("address")).await.expect("forward");
        std::future::pending::<()>().await
    });
    unreachable!("the broker serves until killed")
}

/// Where the server keeps its state for one point: a fresh SQLite file, or a fresh
/// database created next to the given PostgreSQL one (`E2E_DATABASE_URL`).
fn database(dir: &std::path::Path) -> String {
    let Ok(url) = std::env::var("E2E_DATABASE_URL") else {
        return format!("sqlite://{}/atlas.db?mode=rwc", dir.display());
    };
    let name = format!("e2e_{}", Uuid::new_v4().simple());
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        use sqlx::Connection as _;
        let mut connection = sqlx::PgConnection::connect(&url).await.expect("PostgreSQL");
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut connection).await.expect("create database");
    });
    let (server, _) = url.rsplit_once('/').expect("a database URL ends with /NAME");
    format!("{server}/{name}")
}

/// Every topic the server uses: they exist before it starts, as in production.
fn server_topics() -> atlas_actors::contracts::topics::Topics {
    atlas_actors::contracts::topics::Topics::from_env()
}

fn list(name: &str, default: &[u32]) -> Vec<u32> {
    std::env::var(name)
        .ok()
        .map(|v| v.split(',').filter_map(|p| p.trim().parse().ok()).collect())
        .filter(|v: &Vec<u32>| !v.is_empty())
        .unwrap_or_else(|| default.to_vec())
}

/// The server on `bootstrap`, storing in `database`, once `/health` says it consumes;
/// with its REST port.
fn server(bootstrap: &str, database: &str, partitions: u32) -> (Process, u16) {
    let port = free_port();
    let process = Process(
        Command::new(env!("CARGO_BIN_EXE_atlas-actors"))
            .arg("serve")
            .env("BOOTSTRAP_SERVERS", bootstrap)
            .env("DATABASE_URL", database)
            .env("REST_PORT", port.to_string())
            .env("CHANNEL_PORT", "0")
            .env("TOPIC_PARTITIONS", partitions.to_string())
            // No other Atlas service runs here: refused at once (a login's name look-up
            // would otherwise wait out the foreign timeout).
            .env("BASE_SERVICE_URL", "http://127.0.0.1:1/api/")
            .env("CONSUMER_GROUP_ID", format!("e2e-{}", Uuid::new_v4()))
            .env("LOG_LEVEL", "error")
            .stdout(Stdio::null())
            .spawn()
            .expect("server"),
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    while !healthy(port) {
        assert!(Instant::now() < deadline, "the server turns healthy");
        std::thread::sleep(Duration::from_millis(100));
    }
    (process, port)
}

/// Whether `GET /health` on `port` answers 200 (the server has its partitions).
fn healthy(port: u16) -> bool {
    let answer = http_get(port, "/health");
    answer.starts_with("HTTP/1.1 200") || answer.starts_with("HTTP/1.0 200")
}

/// The whole answer (status line, headers, body) to `GET path` on `port`; empty when the
/// server does not answer.
fn http_get(port: u16, path: &str) -> String {
    use std::io::{Read as _, Write as _};
    let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) else { return String::new() };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    if stream.write_all(format!("GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n").as_bytes()).is_err() {
        return String::new();
    }
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer
}

/// One measured point: the relay and the server on a fresh broker with `partitions`
/// partitions per topic, `characters` active characters.
struct Point {
    characters: u32,
    partitions: u32,
    relay: Run,
    server: Run,
    /// The server's group committer during the burst, then at half load.
    committer: (Committer, Committer),
}

/// The group committer's counters from the server's `/metrics`, or their growth over a
/// burst (then `elapsed` is the burst's length): whether the store is what it waits for.
#[derive(Debug, Default, Clone)]
struct Committer {
    batches: f64,
    units: f64,
    busy_seconds: f64,
    elapsed: Duration,
}

impl Committer {
    fn read(port: u16) -> Committer {
        let text = http_get(port, "/metrics");
        let value = |name: &str| text.lines().find_map(|line| line.strip_prefix(name)?.trim().parse::<f64>().ok()).unwrap_or_default();
        Committer {
            batches: value("atlas_commit_batches_total "),
            units: value("atlas_commit_units_total "),
            busy_seconds: value("atlas_commit_busy_seconds_total "),
            elapsed: Duration::ZERO,
        }
    }

    fn since(&self, before: &Committer, elapsed: Duration) -> Committer {
        Committer {
            batches: self.batches - before.batches,
            units: self.units - before.units,
            busy_seconds: self.busy_seconds - before.busy_seconds,
            elapsed,
        }
    }
}

/// Measures one point.
fn point(characters: u32, partitions: u32, records: usize, tenant: &Tenant) -> Point {
    let topics = server_topics();
    let (_broker, bootstrap) = broker_process(["E2E_IN", "E2E_OUT"].into_iter().chain(topics.all()), partitions);
    let update = move |i: usize, transaction: &str| -> (u32, String) {
        let character = (i as u32 % characters) + 1;
        let value = format!(
            r#"{{"characterId":{character},"type":"REQUEST_UPDATE","transactionId":"{transaction}","body":{{"skillId":1000,"level":{},"masterLevel":30,"expiration":"0001-01-01T00:00:00Z"}}}}"#,
            i % 30
        );
        (character, value)
    };
    let records = records.max(characters as usize);

    let relay = {
        let _relay = Relay::start(&bootstrap, "E2E_IN", "E2E_OUT");
        measure(&bootstrap, ("E2E_IN", "E2E_OUT"), records, None, tenant, &update, &mut || {})
    };

    let dir = std::env::temp_dir().join(format!("atlas-e2e-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("data directory");
    let (_server, port) = server(&bootstrap, &database(&dir), partitions);
    // Create each character's skill, so the measured commands are updates.
    let create = |i: usize, transaction: &str| -> (u32, String) {
        let character = i as u32 + 1;
        let value = format!(
            r#"{{"characterId":{character},"type":"REQUEST_CREATE","transactionId":"{transaction}","body":{{"skillId":1000,"level":1,"masterLevel":30}}}}"#
        );
        (character, value)
    };
    let _ = measure(
        &bootstrap,
        ("COMMAND_TOPIC_SKILL", "EVENT_TOPIC_SKILL_STATUS"),
        characters as usize,
        Some(2000.0),
        tenant,
        &create,
        &mut || {},
    );
    let rate = std::env::var("E2E_RATE").ok().and_then(|v| v.parse().ok());
    let before = (Committer::read(port), Instant::now());
    let mut burst = (Committer::default(), Committer::default(), Instant::now());
    let server = measure(&bootstrap, ("COMMAND_TOPIC_SKILL", "EVENT_TOPIC_SKILL_STATUS"), records, rate, tenant, &update, &mut || {
        let now = Committer::read(port);
        burst = (now.since(&before.0, before.1.elapsed()), now, Instant::now());
    });
    let half_load = Committer::read(port).since(&burst.1, burst.2.elapsed());
    if std::env::var("E2E_DATABASE_URL").is_err() {
        let _ = std::fs::remove_dir_all(dir);
    }
    Point { characters, partitions, relay, server, committer: (burst.0, half_load) }
}

/// Mixed load: `simulate`'s players against a fresh server, then against relays that
/// copy each command topic to its answer topic on another broker process.
fn mixed(rate: f64, seconds: u64) -> (Report, Report) {
    let players = |bootstrap: &str| SimulateArgs {
        bootstrap_servers: bootstrap.to_string(),
        players: 200,
        first_character: 2_000_000,
        rate,
        duration: Duration::from_secs(seconds),
        timeout: Duration::from_secs(10),
        no_messengers: true,
        tenant: None,
    };
    let against_server = {
        let (_broker, bootstrap) = broker_process(server_topics().all(), 4);
        let dir = std::env::temp_dir().join(format!("atlas-e2e-{}", Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("data directory");
        let _server = server(&bootstrap, &database(&dir), 4);
        let report = simulate::play(&players(&bootstrap), false).expect("mixed load against the server");
        let _ = std::fs::remove_dir_all(dir);
        report
    };
    let pairs = [
        ("COMMAND_TOPIC_SKILL", "EVENT_TOPIC_SKILL_STATUS"),
        ("COMMAND_TOPIC_SKILL_MACRO", "STATUS_EVENT_TOPIC_SKILL_MACRO"),
        ("COMMAND_TOPIC_SAGA", "EVENT_TOPIC_SAGA_STATUS"),
    ];
    let names = pairs.iter().flat_map(|(a, b)| [*a, *b]).chain(["EVENT_TOPIC_CHARACTER_STATUS", "EVENT_TOPIC_MESSENGER_STATUS"]);
    let (_broker, bootstrap) = broker_process(names, 4);
    let _relays: Vec<Relay> = pairs.iter().map(|(from, to)| Relay::start(&bootstrap, from, to)).collect();
    let against_relays = simulate::play(&players(&bootstrap), false).expect("mixed load against the relays");
    (against_relays, against_server)
}

fn print_point(p: &Point) {
    println!("{} characters, {} partitions per topic:", p.characters, p.partitions);
    for (name, run) in [("raw relay   ", &p.relay), ("atlas-actors", &p.server)] {
        println!(
            "  {name}: {:>9.0} records/s   p50 {:>7.1?}   p99 {:>7.1?}  (latency at {:.0} records/s)",
            run.per_second, run.p50, run.p99, run.rate
        );
    }
    println!(
        "  ratios      : throughput {:.2} of the relay; p50 {:.2}x, p99 {:.2}x the relay's",
        p.server.per_second / p.relay.per_second,
        p.server.p50.as_secs_f64() / p.relay.p50.as_secs_f64(),
        p.server.p99.as_secs_f64() / p.relay.p99.as_secs_f64()
    );
    for (phase, c) in [("the burst", &p.committer.0), ("half load", &p.committer.1)] {
        if c.batches > 0.0 {
            println!(
                "  committer   : {:.0} transactions in {phase}, {:.1} units each, busy {:.0}% of the time",
                c.batches,
                c.units / c.batches,
                100.0 * c.busy_seconds / c.elapsed.as_secs_f64()
            );
        }
    }
}

/// Throughput and p99 against active characters and against partitions, relay and server.
fn draw(points: &[Point], middle: u32, first: u32, path: &std::path::Path) {
    let series = |name: &str, filter: &dyn Fn(&Point) -> bool, x: &dyn Fn(&Point) -> f64, y: &dyn Fn(&Point) -> f64| {
        let mut points: Vec<(f64, f64)> = points.iter().filter(|p| filter(p)).map(|p| (x(p), y(p))).collect();
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        chart::Series { name: name.to_string(), points }
    };
    let by_characters = |p: &Point| p.partitions == middle;
    let by_partitions = |p: &Point| p.characters == first;
    let characters = |p: &Point| f64::from(p.characters);
    let partitions = |p: &Point| f64::from(p.partitions);
    let relay_rate = |p: &Point| p.relay.per_second;
    let server_rate = |p: &Point| p.server.per_second;
    let relay_p99 = |p: &Point| p.relay.p99.as_secs_f64() * 1e3;
    let server_p99 = |p: &Point| p.server.p99.as_secs_f64() * 1e3;
    let panel = |title: String,
                 x: &str,
                 y: &str,
                 filter: &dyn Fn(&Point) -> bool,
                 xf: &dyn Fn(&Point) -> f64,
                 relay: &dyn Fn(&Point) -> f64,
                 server: &dyn Fn(&Point) -> f64| chart::Panel {
        title,
        x: x.into(),
        y: y.into(),
        series: vec![series("raw relay", filter, xf, relay), series("atlas-actors", filter, xf, server)],
    };
    let panels = [
        panel(
            format!("throughput, {middle} partitions"),
            "active characters",
            "records/s",
            &by_characters,
            &characters,
            &relay_rate,
            &server_rate,
        ),
        panel(
            format!("p99 at half load, {middle} partitions"),
            "active characters",
            "ms",
            &by_characters,
            &characters,
            &relay_p99,
            &server_p99,
        ),
        panel(
            format!("throughput, {first} characters"),
            "partitions per topic",
            "records/s",
            &by_partitions,
            &partitions,
            &relay_rate,
            &server_rate,
        ),
        panel(
            format!("p99 at half load, {first} characters"),
            "partitions per topic",
            "ms",
            &by_partitions,
            &partitions,
            &relay_p99,
            &server_p99,
        ),
    ];
    chart::draw(path, &panels).expect("chart");
}

fn main() {
    if let Ok(spec) = std::env::var(BROKER_CHILD) {
        run_broker(&spec);
    }
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let records: usize = std::env::var("E2E_RECORDS").ok().and_then(|v| v.parse().ok()).unwrap_or(20_000);
    let scale = std::env::var("E2E_SCALE").is_ok_and(|v| v == "1");
    let characters = list("E2E_CHARACTERS", if scale { &[1_000, 10_000, 100_000] } else { &[1_000] });
    let partitions = list("E2E_PARTITIONS", if scale { &[1, 4, 16] } else { &[4] });
    let tenant = Tenant { id: Uuid::new_v4(), region: "GMS".into(), major: 83, minor: 1 };
    let engine = if std::env::var("E2E_DATABASE_URL").is_ok() { "PostgreSQL" } else { "SQLite" };
    let load = || std::fs::read_to_string("/proc/loadavg").unwrap_or_default().split_whitespace().take(3).collect::<Vec<_>>().join(" ");
    println!("e2e over a broker process, {records} records or one per character, {engine}; load average before: {}", load());

    // The grid: every character count at the middle partition count, then every other
    // partition count at the first character count.
    let middle = partitions[partitions.len() / 2];
    let mut plan: Vec<(u32, u32)> = characters.iter().map(|&c| (c, middle)).collect();
    plan.extend(partitions.iter().filter(|&&p| p != middle).map(|&p| (characters[0], p)));
    let mut points = Vec::new();
    for &(c, p) in &plan {
        let point = point(c, p, records, &tenant);
        print_point(&point);
        points.push(point);
    }

    let seconds: u64 = std::env::var("E2E_MIXED_SECONDS").ok().and_then(|v| v.parse().ok()).unwrap_or(10);
    if seconds > 0 {
        // Sagas and cooldowns cost the server more than skill updates: a quarter of the
        // skill-update burst, unless given.
        let rate = std::env::var("E2E_MIXED_RATE").ok().and_then(|v| v.parse().ok()).unwrap_or(points[0].server.per_second / 4.0);
        let (relays, server) = mixed(rate, seconds);
        println!("mixed load (simulate, 200 players, {rate:.0} commands/s for {seconds} s):");
        for (name, r) in [("relays      ", &relays), ("atlas-actors", &server)] {
            println!("  {name}: {}", summary(r));
        }
        println!("  ratios      : p50 {:.2}x, p99 {:.2}x the relays'", server.p50_ms / relays.p50_ms, server.p99_ms / relays.p99_ms);
    }
    println!("load average after: {}", load());
    if plan.len() > 1 {
        let path = std::env::var("E2E_CHART").unwrap_or_else(|_| "docs/benchmarks/e2e-scaling.svg".into());
        draw(&points, middle, characters[0], std::path::Path::new(&path));
        println!("chart: {path}");
    }
}

fn summary(r: &Report) -> String {
    let lost: Vec<String> = r.lost.iter().map(|(kind, n)| format!("{kind} {n}")).collect();
    format!(
        "{} sent, {} answered ({} refused, {} unanswered{}), p50 {:.1} ms, p99 {:.1} ms",
        r.sent,
        r.answered,
        r.refused,
        r.unanswered,
        if lost.is_empty() { String::new() } else { format!(": {}", lost.join(", ")) },
        r.p50_ms,
        r.p99_ms
    )
}
