//! REST reads of effective stats for characters without a session do not pin actors:
//! the entries they build are passivated with their actors after the idle timeout.

mod common;

use common::*;
use std::time::{Duration, Instant};

fn answer(id: u32) -> (Duration, serde_json::Value) {
    let document = serde_json::json!({"data": {"type": "characters", "id": id.to_string(),
        "attributes": {"strength": 4, "dexterity": 4, "intelligence": 4, "luck": 4, "maxHp": 50, "maxMp": 5}}});
    (Duration::ZERO, document)
}

#[test]
fn stats_reads_of_many_characters_leave_the_live_actors_bounded() {
    let _serial = serial();
    let broker = broker();
    let dir = tempdir::Dir::new("stats-reads");
    let stub = character_service(answer);
    let base = format!("http://127.0.0.1:{stub}/api/");
    let env = [("BASE_SERVICE_URL", base.as_str()), ("ACTOR_IDLE_TIMEOUT", "1s"), ("INVENTORY_SERVICE_URL", "http://127.0.0.1:1/api/")];
    let server = Server::start(broker.bootstrap_servers(), &sqlite_url(&dir), &env);
    let tenant = tenant();
    const READS: u32 = 2_000;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let answered = runtime.block_on(async {
        let client = reqwest::Client::new();
        let mut answered = 0;
        for chunk in (1..=READS).collect::<Vec<_>>().chunks(50) {
            let reads = chunk.iter().map(|id| {
                let mut request = client.get(server.url(&format!("/api/worlds/0/channels/1/characters/{id}/stats")));
                for (name, value) in tenant.http_headers() {
                    request = request.header(name, value);
                }
                request.send()
            });
            answered += futures::future::join_all(reads).await.iter().filter(|r| r.as_ref().is_ok_and(|r| r.status() == 200)).count();
        }
        answered
    });
    assert_eq!(answered, READS as usize, "every read answered");
    let live = || metric_sum(&server, "atlas_live_actors{kind=\"character\"}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while live() > 50.0 {
        assert!(Instant::now() < deadline, "{} character actors still live after {READS} reads", live());
        std::thread::sleep(Duration::from_millis(250));
    }
}
