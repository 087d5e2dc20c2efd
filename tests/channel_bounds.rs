//! Bounds at the channel edge against a real server: oversized frames end the session,
//! errors repeat only a prefix of the input, idle connections cannot exhaust the port
//! (or REST), a session's frame rate is limited, attack lists and amounts are checked
//! against the game's limits, and a login answer naming another character ends the
//! session.

mod common;

use atlas_actors::contracts::tenant::Tenant;
use common::{json_records, produce_all, producer, wait_until, wait_until_async, Collector, Fixture};
use futures::{SinkExt as _, StreamExt as _};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// How long the character service takes for characters whose id ends in 99.
const SLOW: Duration = Duration::from_secs(2);

fn url(port: u16, tenant: &Tenant) -> String {
    format!("ws://127.0.0.1:{port}/worlds/0/channels/1?tenant={}&region=GMS&major=83&minor=1", tenant.id)
}

fn send(bootstrap: &str, topic: &str, tenant: &Tenant, values: &[(u32, Value)]) {
    std::thread::scope(|scope| {
        scope.spawn(|| produce_all(&producer(bootstrap), topic, &json_records(tenant, values))).join().expect("produce");
    });
}

/// Asks to log in as `asked` and answers as the account service would, naming `named`.
async fn login_answered(port: u16, tenant: &Tenant, asked: u32, named: u32, bootstrap: &str) -> Socket {
    let (mut socket, _) = tokio_tungstenite::connect_async(url(port, tenant)).await.expect("connect");
    let frame = json!({"type": "CharacterLoggedIn", "characterId": asked});
    socket.send(Message::text(frame.to_string())).await.expect("send");
    let mut requests = Collector::new(bootstrap, "COMMAND_TOPIC_ACCOUNT_SESSION", Some(tenant));
    let found = |seen: &[common::Seen]| seen.iter().any(|s| s.json()["body"]["params"]["characterId"] == asked);
    assert!(requests.until(Duration::from_secs(20), found), "PROGRESS_STATE for {asked}");
    let request = requests.seen.iter().map(|s| s.json()).find(|v| v["body"]["params"]["characterId"] == asked).expect("request");
    let answer = json!({"sessionId": request["sessionId"], "accountId": asked, "type": "STATE_CHANGED",
        "body": {"state": 1, "params": {"characterId": named}}});
    send(bootstrap, "EVENT_TOPIC_ACCOUNT_SESSION_STATUS", tenant, &[(asked, answer)]);
    socket
}

/// The next frame of type `kind` within `limit`; `Err` with the close frame (if any) when
/// the server ended the session first.
async fn next(socket: &mut Socket, kind: &str, limit: Duration) -> Result<Value, Option<(CloseCode, String)>> {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        match tokio::time::timeout_at(deadline, socket.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => {
                let frame: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                if frame["type"] == kind {
                    return Ok(frame);
                }
            }
            Ok(Some(Ok(Message::Close(close)))) => return Err(close.map(|c| (c.code, c.reason.to_string()))),
            Ok(Some(Ok(_))) => {}
            Ok(None | Some(Err(_))) | Err(_) => return Err(None),
        }
    }
}

/// The number of open file descriptors of a process.
fn descriptors(pid: u32) -> u64 {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |entries| entries.count() as u64)
}

/// Whether a connection is still open or queued (reading it would block, no end of stream).
fn still_open(stream: &std::net::TcpStream) -> bool {
    use std::io::Read as _;
    stream.set_nonblocking(true).expect("non-blocking");
    let mut buffer = [0u8; 16];
    matches!((&*stream).read(&mut buffer), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime")
}

#[test]
fn clients_sending_huge_frames_without_reading_are_cut_off_and_memory_stays_bounded() {
    let _serial = common::serial();
    let fixture = Fixture::sqlite("edge-frames").channel().start();
    let (server, tenant, port) = (&fixture.server, &fixture.tenant, fixture.channel_port());
    let before = common::rss_kib(server.pid());
    runtime().block_on(async {
        // An unknown type of 10,000 characters: the error repeats a short prefix of it.
        let (mut socket, _) = tokio_tungstenite::connect_async(url(port, tenant)).await.expect("connect");
        let long_type = "A".repeat(10_000);
        socket.send(Message::text(json!({"type": long_type}).to_string())).await.expect("send");
        let error = next(&mut socket, "Error", Duration::from_secs(10)).await.expect("an Error frame");
        let message = error["message"].as_str().unwrap_or_default();
        assert!(message.len() < 200, "the error echoes a prefix only ({} bytes)", message.len());

        // Twenty clients each send 4 MB frames and never read: each is ended at its first.
        let mut closes = Vec::new();
        for _ in 0..20 {
            let (mut socket, _) = tokio_tungstenite::connect_async(url(port, tenant)).await.expect("connect");
            let huge = json!({"type": "X".repeat(4 * 1024 * 1024)}).to_string();
            for _ in 0..40 {
                if socket.send(Message::text(huge.clone())).await.is_err() {
                    break;
                }
            }
            closes.push(next(&mut socket, "never", Duration::from_secs(10)).await.err().flatten());
        }
        let refused = closes.iter().filter(|c| matches!(c, Some((code, _)) if *code == CloseCode::Size)).count();
        assert!(refused > 0, "oversized frames end the session with close code 1009: {closes:?}");
    });
    let after = common::rss_kib(server.pid());
    println!("server RSS: {before} KiB before, {after} KiB after 20 clients × 40 frames of 4 MB");
    assert!(after < before + 256 * 1024, "RSS grew from {before} KiB to {after} KiB");
}

/// Refusals the server handles at once at its session limit (`MAX_REFUSING` in the
/// socket module); connections beyond them are dropped.
const MAX_REFUSING: u64 = 64;

/// Idle connections one holder process opens: well under a process's open-file limit,
/// which a test cannot raise beyond its hard limit without privileges.
const PER_HOLDER: u64 = 8_000;

/// A process holding idle connections for the probe below (this test binary again,
/// running [`idle_connection_holder`]), driven by lines on its stdin and stdout.
struct Holder {
    child: std::process::Child,
    lines: std::io::Lines<std::io::BufReader<std::process::ChildStdout>>,
}

impl Holder {
    fn start(port: u16, count: u64, read_timeout: Duration) -> Holder {
        let mut child = std::process::Command::new(std::env::current_exe().expect("test binary"))
            .args(["idle_connection_holder", "--exact", "--ignored", "--nocapture", "--test-threads", "1"])
            .env("EDGE_HOLDER_PORT", port.to_string())
            .env("EDGE_HOLDER_COUNT", count.to_string())
            .env("EDGE_HOLDER_READ_TIMEOUT_MS", read_timeout.as_millis().to_string())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("holder process");
        let lines = std::io::BufRead::lines(std::io::BufReader::new(child.stdout.take().expect("stdout")));
        Holder { child, lines }
    }

    /// Sends a request line and reads the number the holder answers with.
    fn ask(&mut self, request: &str) -> u64 {
        use std::io::Write as _;
        if !request.is_empty() {
            let stdin = self.child.stdin.as_mut().expect("stdin");
            writeln!(stdin, "{request}").and_then(|_| stdin.flush()).expect("to the holder");
        }
        loop {
            let line = self.lines.next().expect("a holder's answer").expect("a line");
            // The harness may print its "test … ..." on the same line first.
            if let Some((_, number)) = line.rsplit_once("holder: ") {
                return number.trim().parse().expect("a number");
            }
        }
    }
}

impl Drop for Holder {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Not a test of its own: the holder process of the idle-connection probe. Opens
/// `EDGE_HOLDER_COUNT` connections to `EDGE_HOLDER_PORT` and answers, one line each:
/// how many it opened; on `held`, how many the server still holds; on `closed`, how
/// many of a sample of 20 the server closed within the read timeout.
#[test]
#[ignore = "started by the idle-connection probe"]
fn idle_connection_holder() {
    use std::io::{BufRead as _, Read as _};
    let Ok(port) = std::env::var("EDGE_HOLDER_PORT") else { return };
    let port: u16 = port.parse().expect("port");
    let count = common::setting("EDGE_HOLDER_COUNT", 0);
    let read_timeout = Duration::from_millis(common::setting("EDGE_HOLDER_READ_TIMEOUT_MS", 20_000));
    let idle: Vec<std::net::TcpStream> = (0..count).filter_map(|_| std::net::TcpStream::connect(("127.0.0.1", port)).ok()).collect();
    println!("holder: {}", idle.len());
    for request in std::io::stdin().lock().lines() {
        match request.expect("a request").as_str() {
            "held" => println!("holder: {}", idle.iter().filter(|stream| still_open(stream)).count()),
            "closed" => {
                let sample: Vec<&std::net::TcpStream> = idle.iter().step_by((idle.len() / 20).max(1)).collect();
                // Closed: the stream ends (after the HTTP server's 408, if it says why)
                // or is reset within the read timeout; a timeout means still open.
                let deadline = std::time::Instant::now() + read_timeout;
                let closed = sample
                    .iter()
                    .filter(|stream| {
                        let mut stream: &std::net::TcpStream = stream;
                        stream.set_nonblocking(false).expect("blocking");
                        let left = deadline.saturating_duration_since(std::time::Instant::now()).max(Duration::from_millis(1));
                        stream.set_read_timeout(Some(left)).expect("timeout");
                        let mut answer = Vec::new();
                        match stream.read_to_end(&mut answer) {
                            Ok(_) => answer.is_empty() || answer.starts_with(b"HTTP/1.1 408"),
                            Err(e) => !matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut),
                        }
                    })
                    .count();
                println!("holder: {}", sample.len() - closed);
            }
            _ => return,
        }
    }
}

/// Sizes from the environment, CI defaults: `EDGE_IDLE_CONNECTIONS` (2,000) connections
/// that never handshake against `EDGE_MAX_SESSIONS` (100) sessions, with a handshake
/// timeout of `EDGE_HANDSHAKE_TIMEOUT_S` (5) seconds. The probe is
/// `EDGE_IDLE_CONNECTIONS=20000 EDGE_MAX_SESSIONS=10000 EDGE_HANDSHAKE_TIMEOUT_S=60`
/// (opening 20,000 connections takes longer than 5 s here). The connections are held by
/// holder processes of up to 8,000 each, since one process's open-file limit (20,000
/// here, hard) does not fit them all.
#[test]
fn idle_connections_time_out_sessions_are_capped_with_a_reason_and_rest_keeps_answering() {
    let _serial = common::serial();
    let (connections, max_sessions) = (common::setting("EDGE_IDLE_CONNECTIONS", 2_000), common::setting("EDGE_MAX_SESSIONS", 100));
    let handshake = Duration::from_secs(common::setting("EDGE_HANDSHAKE_TIMEOUT_S", 5));
    // The server inherits this process's limit; it holds at most its sessions.
    let limit = common::raise_descriptor_limit(max_sessions + 1_000);
    let fixture = Fixture::sqlite("edge-idle")
        .channel()
        .env("CHANNEL_MAX_SESSIONS", max_sessions)
        .env("CHANNEL_HANDSHAKE_TIMEOUT", format!("{}s", handshake.as_secs()))
        .start();
    let (server, tenant, port) = (&fixture.server, &fixture.tenant, fixture.channel_port());
    let (rss_before, calm) = (common::rss_kib(server.pid()), common::health_latency(server, 20));
    // Connections that never handshake: the server accepts at most its sessions and its
    // refusals (the rest wait in the listen queue, which costs it nothing), answers REST
    // meanwhile, and closes each accepted one once its handshake time is over, accepting
    // the next ones as slots free: the last are closed after about one handshake time per
    // round of accepted connections.
    let descriptors_before = descriptors(server.pid());
    let rounds = connections.div_ceil(max_sessions + MAX_REFUSING) + 1;
    let started = Instant::now();
    let mut holders: Vec<Holder> = (0..connections.div_ceil(PER_HOLDER))
        .map(|i| Holder::start(port, PER_HOLDER.min(connections - i * PER_HOLDER), handshake * rounds as u32 + Duration::from_secs(20)))
        .collect();
    let opened: u64 = holders.iter_mut().map(|h| h.ask("")).sum();
    let opening = started.elapsed();
    assert_eq!(opened, connections, "connections opened");
    // What the server holds is what it accepted: its own open descriptors. It fills its
    // session slots with the idle connections first.
    let held = || descriptors(server.pid()).saturating_sub(descriptors_before);
    assert!(wait_until(Duration::from_secs(10), || held() >= max_sessions), "the server took only {} idle connections in 10 s", held());
    let waiting: u64 = holders.iter_mut().map(|h| h.ask("held")).sum();
    let held = held();
    let during = common::health_latency(server, 20);
    let rss_during = common::rss_kib(server.pid());
    println!(
        "{opened} idle connections opened in {opening:?} by {} processes (server's open-file limit {limit}); held by the server: \
         {held} (bound {max_sessions} + {MAX_REFUSING} refusing), open or queued: {waiting}; /health median/max {:?}/{:?} before, \
         {:?}/{:?} during; RSS {rss_before} KiB before, {rss_during} KiB during",
        holders.len(),
        calm.0,
        calm.1,
        during.0,
        during.1
    );
    assert!(held <= max_sessions + MAX_REFUSING, "the server holds {held} connections, over its bound");
    let left_open: u64 = holders.iter_mut().map(|h| h.ask("closed")).sum();
    assert_eq!(left_open, 0, "every idle connection is closed by the server after its handshake time");
    drop(holders);
    runtime().block_on(async {
        // Every session slot taken by a client that handshook: the next is told why not.
        let mut held = Vec::new();
        for _ in 0..max_sessions {
            let (mut socket, _) = tokio_tungstenite::connect_async(url(port, tenant)).await.expect("connect");
            socket.send(Message::text(json!({"type": "Ping"}).to_string())).await.expect("ping");
            next(&mut socket, "Pong", Duration::from_secs(10)).await.expect("a session");
            held.push(socket);
        }
        let (mut refused, _) = tokio_tungstenite::connect_async(url(port, tenant)).await.expect("connect");
        let (code, text) = next(&mut refused, "Pong", Duration::from_secs(10)).await.err().flatten().expect("a close frame");
        assert_eq!(code, CloseCode::Again);
        assert!(text.contains("too many sessions"), "{text}");
        let health = std::thread::scope(|scope| scope.spawn(|| common::http("GET", &server.url("/health"), None, None).0).join());
        assert_eq!(health.ok(), Some(200), "REST answers meanwhile");
        // A slot freed: a client gets in again.
        drop(held.pop());
        let session = || async move {
            let Ok((mut socket, _)) = tokio_tungstenite::connect_async(url(port, tenant)).await else { return false };
            let _ = socket.send(Message::text(json!({"type": "Ping"}).to_string())).await;
            next(&mut socket, "Pong", Duration::from_secs(5)).await.is_ok()
        };
        assert!(wait_until_async(Duration::from_secs(30), session).await, "no session was accepted within 30 s of a slot being freed");
    });
}

#[test]
fn a_session_over_its_frame_rate_is_ended_with_a_reason() {
    let _serial = common::serial();
    let fixture = Fixture::sqlite("edge-rate").channel().env("CHANNEL_FRAME_RATE", 5).env("CHANNEL_FRAME_BURST", 10).start();
    runtime().block_on(async {
        let (mut socket, _) = tokio_tungstenite::connect_async(url(fixture.channel_port(), &fixture.tenant)).await.expect("connect");
        for _ in 0..100 {
            if socket.send(Message::text(json!({"type": "Ping"}).to_string())).await.is_err() {
                break;
            }
        }
        let close = next(&mut socket, "never", Duration::from_secs(10)).await.err().flatten();
        assert_eq!(close.map(|(code, _)| code), Some(CloseCode::Policy), "ended for its frame rate");
    });
}

#[test]
fn oversized_attack_lists_and_out_of_range_amounts_are_refused_and_a_mismatched_login_ends_the_session() {
    let _serial = common::serial();
    let fixture = Fixture::sqlite("edge-frames-checked").channel().env("BASE_SERVICE_URL", common::character_services(SLOW)).start();
    let (bootstrap, tenant, port) = (&fixture.bootstrap, &fixture.tenant, fixture.channel_port());
    runtime().block_on(async {
        let mut player = login_answered(port, tenant, 7301, 7301, bootstrap).await;
        next(&mut player, "SetField", Duration::from_secs(20)).await.expect("logged in");

        let lines = |n: usize| json!({"monsterId": 9300001, "damages": vec![7; n]});
        let attack = json!({"type": "CharacterAttack", "targets": vec![lines(100); 200]});
        player.send(Message::text(attack.to_string())).await.expect("send");
        let refused = next(&mut player, "Error", Duration::from_secs(10)).await.expect("the attack is refused");
        assert!(refused["message"].as_str().unwrap_or_default().contains("targets"), "{refused}");
        let ap = json!({"type": "CharacterAutoDistributeAp", "entries": [{"flag": 64, "value": 255}]});
        player.send(Message::text(ap.to_string())).await.expect("send");
        let refused = next(&mut player, "Error", Duration::from_secs(10)).await.expect("the amount is refused");
        assert!(refused["message"].as_str().unwrap_or_default().contains("value"), "{refused}");

        // A valid attack afterwards is served: its two lines and nothing of the refused one.
        let mut monsters = fixture.collect("COMMAND_TOPIC_MONSTER");
        let valid = json!({"type": "CharacterAttack", "targets": [lines(2)]});
        player.send(Message::text(valid.to_string())).await.expect("send");
        assert!(monsters.until(Duration::from_secs(15), |seen| seen.len() >= 2), "the valid attack's damage");
        monsters.poll_for(Duration::from_secs(1));
        assert_eq!(monsters.seen.len(), 2, "only the valid attack's lines");

        // A login answer naming another character than the one asked for.
        let mut impostor = login_answered(port, tenant, 7302, 7303, bootstrap).await;
        let outcome = next(&mut impostor, "SetField", Duration::from_secs(15)).await;
        assert!(outcome.is_err(), "the session ended instead of becoming 7303: {outcome:?}");
    });
}

/// The burst's size from `CHANNEL_BURST_RECORDS` (CI default 2,000; the probe is
/// 200,000).
#[test]
fn a_burst_of_channel_records_behind_a_slow_service_stays_bounded() {
    let _serial = common::serial();
    let records = common::setting("CHANNEL_BURST_RECORDS", 2_000) as usize;
    const MAX: f64 = 50.0;
    let fixture = Fixture::sqlite("edge-backlog")
        .channel()
        .env("BASE_SERVICE_URL", common::character_services(SLOW))
        .env("FOREIGN_TIMEOUT_MS", 10000)
        .env("CHANNEL_CONSUMER_MAX_IN_FLIGHT", MAX as usize)
        .start();
    let (server, bootstrap, tenant) = (&fixture.server, &fixture.bootstrap, &fixture.tenant);
    let mut rss_before = 0;
    let produced = Instant::now();
    runtime().block_on(async {
        let mut slow = login_answered(fixture.channel_port(), tenant, 7199, 7199, bootstrap).await;
        next(&mut slow, "SetField", Duration::from_secs(30)).await.expect("logged in");
        rss_before = common::rss_kib(server.pid());
        // Each push about 7199 waits on its slow look-up.
        let stat = json!({"worldId": 0, "characterId": 7199, "type": "STAT_CHANGED", "body": {"channelId": 1, "exclRequestSent": true, "updates": ["HP"]}});
        let burst: Vec<(u32, Value)> = (0..records).map(|_| (7199, stat.clone())).collect();
        for chunk in burst.chunks(20_000) {
            send(bootstrap, "EVENT_TOPIC_CHARACTER_STATUS", tenant, chunk);
        }
    });
    let produced = produced.elapsed();
    let in_flight = || {
        let url = server.url("/metrics");
        std::thread::scope(|scope| scope.spawn(|| common::text(&url)).join())
            .unwrap_or_default()
            .lines()
            .find_map(|l| l.strip_prefix("atlas_channel_records_in_flight ")?.trim().parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    assert!(wait_until(Duration::from_secs(30), || in_flight() >= MAX / 2.0), "the lanes did not fill up behind the slow look-up in 30 s");
    let mut highest: f64 = 0.0;
    let until = Instant::now() + Duration::from_secs(5);
    while Instant::now() < until {
        highest = highest.max(in_flight());
        // why: the sampling interval of a five-second measurement, not a wait
        std::thread::sleep(Duration::from_millis(100));
    }
    let rss_after = common::rss_kib(server.pid());
    let (median, max) = common::health_latency(server, 20);
    println!(
        "channel records in flight: at most {highest} of a {records}-record burst (bound {MAX}, produced in {produced:?}); \
         RSS {rss_before} KiB before, {rss_after} KiB after; /health median/max {median:?}/{max:?} meanwhile"
    );
    assert!(highest <= 2.0 * MAX, "the backlog stays bounded: {highest}");
}
