//! Bounds at the channel edge against a real server: oversized frames end the session,
//! errors repeat only a prefix of the input, idle connections cannot exhaust the port
//! (or REST), a session's frame rate is limited, attack lists and amounts are checked
//! against the game's limits, and a login answer naming another character ends the
//! session.

mod common;

use atlas_actors::contracts::tenant::Tenant;
use common::{broker, json_records, produce_all, producer, sqlite_url, tempdir, Collector, Server};
use futures::{SinkExt as _, StreamExt as _};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// How long the character service takes for characters whose id ends in 99.
const SLOW: Duration = Duration::from_secs(2);

/// Stands in for the character and buddy services: character `{id}` of account `{id}`
/// (those ending in 99 answer after `SLOW`).
fn services() -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let server = actix_web::HttpServer::new(|| {
                actix_web::App::new()
                    .route(
                        "/api/characters/{id}",
                        actix_web::web::get().to(|id: actix_web::web::Path<u32>| async move {
                            let id = id.into_inner();
                            if id % 100 == 99 {
                                actix_web::rt::time::sleep(SLOW).await;
                            }
                            actix_web::HttpResponse::Ok().json(json!({"data": {"type": "characters", "id": id.to_string(),
                                "attributes": {"accountId": id, "worldId": 0, "name": format!("c{id}"), "mapId": 100000000, "hp": 50}}}))
                        }),
                    )
                    .route(
                        "/api/characters/{id}/buddy-list",
                        actix_web::web::get().to(|| async {
                            actix_web::HttpResponse::Ok()
                                .json(json!({"data": {"type": "buddy-lists", "id": "1", "attributes": {"capacity": 20, "buddies": []}}}))
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
    format!("http://127.0.0.1:{}/api/", rx.recv().expect("stub port"))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

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

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status.lines().find_map(|l| l.strip_prefix("VmRSS:")).and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok()).unwrap_or(0)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime")
}

#[test]
fn clients_sending_huge_frames_without_reading_are_cut_off_and_memory_stays_bounded() {
    let _serial = common::serial();
    let broker = broker();
    let dir = tempdir::Dir::new("edge-frames");
    let port = free_port();
    let server = Server::start(broker.bootstrap_servers(), &sqlite_url(&dir), &[("CHANNEL_PORT", &port.to_string())]);
    let tenant = common::tenant();
    let before = rss_kib(server.pid());
    runtime().block_on(async {
        // An unknown type of 10,000 characters: the error repeats a short prefix of it.
        let (mut socket, _) = tokio_tungstenite::connect_async(url(port, &tenant)).await.expect("connect");
        let long_type = "A".repeat(10_000);
        socket.send(Message::text(json!({"type": long_type}).to_string())).await.expect("send");
        let error = next(&mut socket, "Error", Duration::from_secs(10)).await.expect("an Error frame");
        let message = error["message"].as_str().unwrap_or_default();
        assert!(message.len() < 200, "the error echoes a prefix only ({} bytes)", message.len());

        // Twenty clients each send 4 MB frames and never read: each is ended at its first.
        let mut closes = Vec::new();
        for _ in 0..20 {
            let (mut socket, _) = tokio_tungstenite::connect_async(url(port, &tenant)).await.expect("connect");
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
    let after = rss_kib(server.pid());
    println!("server RSS: {before} KiB before, {after} KiB after 20 clients × 40 frames of 4 MB");
    assert!(after < before + 256 * 1024, "RSS grew from {before} KiB to {after} KiB");
}

#[test]
fn idle_connections_time_out_sessions_are_capped_with_a_reason_and_rest_keeps_answering() {
    let _serial = common::serial();
    let broker = broker();
    let dir = tempdir::Dir::new("edge-idle");
    let port = free_port();
    let env = [("CHANNEL_PORT", port.to_string()), ("CHANNEL_MAX_SESSIONS", "100".into()), ("CHANNEL_HANDSHAKE_TIMEOUT", "3s".into())];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let server = Server::start(broker.bootstrap_servers(), &sqlite_url(&dir), &env);
    let tenant = common::tenant();
    // 2,000 connections that never handshake: REST answers meanwhile, and the server
    // closes each once its handshake time is over.
    let mut idle: Vec<std::net::TcpStream> = (0..2000).filter_map(|_| std::net::TcpStream::connect(("127.0.0.1", port)).ok()).collect();
    assert!(idle.len() > 1000, "connections opened: {}", idle.len());
    assert_eq!(common::http("GET", &server.url("/health"), None, None).0, 200, "REST answers meanwhile");
    for stream in idle.iter_mut().step_by(100) {
        use std::io::Read as _;
        stream.set_read_timeout(Some(Duration::from_secs(20))).expect("timeout");
        // The HTTP server says why before it closes: 408 Request Timeout.
        let mut answer = Vec::new();
        let closed = stream.read_to_end(&mut answer);
        assert!(closed.is_ok(), "an idle connection is closed by the server: {closed:?}");
        assert!(answer.is_empty() || answer.starts_with(b"HTTP/1.1 408"), "{}", String::from_utf8_lossy(&answer));
    }
    drop(idle);
    runtime().block_on(async {
        // Every session slot taken by a client that handshook: the next is told why not.
        let mut held = Vec::new();
        for _ in 0..100 {
            let (mut socket, _) = tokio_tungstenite::connect_async(url(port, &tenant)).await.expect("connect");
            socket.send(Message::text(json!({"type": "Ping"}).to_string())).await.expect("ping");
            next(&mut socket, "Pong", Duration::from_secs(10)).await.expect("a session");
            held.push(socket);
        }
        let (mut refused, _) = tokio_tungstenite::connect_async(url(port, &tenant)).await.expect("connect");
        let (code, text) = next(&mut refused, "Pong", Duration::from_secs(10)).await.err().flatten().expect("a close frame");
        assert_eq!(code, CloseCode::Again);
        assert!(text.contains("too many sessions"), "{text}");
        let health = std::thread::scope(|scope| scope.spawn(|| common::http("GET", &server.url("/health"), None, None).0).join());
        assert_eq!(health.ok(), Some(200), "REST answers meanwhile");
        // A slot freed: a client gets in again.
        drop(held.pop());
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok((mut socket, _)) = tokio_tungstenite::connect_async(url(port, &tenant)).await {
                let _ = socket.send(Message::text(json!({"type": "Ping"}).to_string())).await;
                if next(&mut socket, "Pong", Duration::from_secs(5)).await.is_ok() {
                    break;
                }
            }
            assert!(Instant::now() < deadline, "a session is accepted once a slot is free");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });
}

#[test]
fn a_session_over_its_frame_rate_is_ended_with_a_reason() {
    let _serial = common::serial();
    let broker = broker();
    let dir = tempdir::Dir::new("edge-rate");
    let port = free_port();
    let env = [("CHANNEL_PORT", port.to_string()), ("CHANNEL_FRAME_RATE", "5".into()), ("CHANNEL_FRAME_BURST", "10".into())];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let _server = Server::start(broker.bootstrap_servers(), &sqlite_url(&dir), &env);
    let tenant = common::tenant();
    runtime().block_on(async {
        let (mut socket, _) = tokio_tungstenite::connect_async(url(port, &tenant)).await.expect("connect");
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
    let broker = broker();
    let bootstrap = broker.bootstrap_servers().to_string();
    let dir = tempdir::Dir::new("edge-frames-checked");
    let port = free_port();
    let base = services();
    let env = [("CHANNEL_PORT", port.to_string()), ("BASE_SERVICE_URL", base)];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let _server = Server::start(&bootstrap, &sqlite_url(&dir), &env);
    let tenant = common::tenant();
    runtime().block_on(async {
        let mut player = login_answered(port, &tenant, 7301, 7301, &bootstrap).await;
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
        let mut monsters = Collector::new(&bootstrap, "COMMAND_TOPIC_MONSTER", Some(&tenant));
        let valid = json!({"type": "CharacterAttack", "targets": [lines(2)]});
        player.send(Message::text(valid.to_string())).await.expect("send");
        assert!(monsters.until(Duration::from_secs(15), |seen| seen.len() >= 2), "the valid attack's damage");
        monsters.poll_for(Duration::from_secs(1));
        assert_eq!(monsters.seen.len(), 2, "only the valid attack's lines");

        // A login answer naming another character than the one asked for.
        let mut impostor = login_answered(port, &tenant, 7302, 7303, &bootstrap).await;
        let outcome = next(&mut impostor, "SetField", Duration::from_secs(15)).await;
        assert!(outcome.is_err(), "the session ended instead of becoming 7303: {outcome:?}");
    });
}

#[test]
fn a_burst_of_channel_records_behind_a_slow_service_stays_bounded() {
    let _serial = common::serial();
    let broker = broker();
    let bootstrap = broker.bootstrap_servers().to_string();
    let dir = tempdir::Dir::new("edge-backlog");
    let port = free_port();
    let base = services();
    const MAX: f64 = 50.0;
    let env = [
        ("CHANNEL_PORT", port.to_string()),
        ("BASE_SERVICE_URL", base),
        ("FOREIGN_TIMEOUT_MS", "10000".into()),
        ("CHANNEL_CONSUMER_MAX_IN_FLIGHT", (MAX as usize).to_string()),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let server = Server::start(&bootstrap, &sqlite_url(&dir), &env);
    let tenant = common::tenant();
    runtime().block_on(async {
        let mut slow = login_answered(port, &tenant, 7199, 7199, &bootstrap).await;
        next(&mut slow, "SetField", Duration::from_secs(30)).await.expect("logged in");
        // Each push about 7199 waits on its slow look-up.
        let stat = json!({"worldId": 0, "characterId": 7199, "type": "STAT_CHANGED", "body": {"channelId": 1, "exclRequestSent": true, "updates": ["HP"]}});
        let burst: Vec<(u32, Value)> = (0..2000).map(|_| (7199, stat.clone())).collect();
        send(&bootstrap, "EVENT_TOPIC_CHARACTER_STATUS", &tenant, &burst);
    });
    let in_flight = || {
        let url = server.url("/metrics");
        std::thread::scope(|scope| scope.spawn(|| common::text(&url)).join())
            .unwrap_or_default()
            .lines()
            .find_map(|l| l.strip_prefix("atlas_channel_records_in_flight ")?.trim().parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while in_flight() < MAX / 2.0 {
        assert!(Instant::now() < deadline, "the lanes fill up behind the slow look-up");
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut highest: f64 = 0.0;
    let until = Instant::now() + Duration::from_secs(5);
    while Instant::now() < until {
        highest = highest.max(in_flight());
        std::thread::sleep(Duration::from_millis(100));
    }
    println!("channel records in flight: at most {highest} of a 2,000-record burst (bound {MAX})");
    assert!(highest <= 2.0 * MAX, "the backlog stays bounded: {highest}");
}
