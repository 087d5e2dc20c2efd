//! REST reads of effective stats for characters without a session do not pin actors:
//! the entries they build are passivated with their actors after the idle timeout.
//! `STATS_READS` sets the number of reads (CI default 2,000; the probe is 40,000).

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
    let stub = character_service(answer);
    let fixture = Fixture::sqlite("stats-reads")
        .env("BASE_SERVICE_URL", format!("http://127.0.0.1:{stub}/api/"))
        .env("ACTOR_IDLE_TIMEOUT", "1s")
        .env("INVENTORY_SERVICE_URL", "http://127.0.0.1:1/api/")
        .start();
    let (server, tenant) = (&fixture.server, &fixture.tenant);
    let reads = setting("STATS_READS", 2_000) as u32;
    let rss_before = rss_kib(server.pid());
    let live = || metric_sum(server, "atlas_live_actors{kind=\"character\"}");
    // The live count is sampled while the reads run (the gauge is refreshed every second).
    let reading = std::sync::atomic::AtomicBool::new(true);
    let started = Instant::now();
    let (answered, slowest, highest) = std::thread::scope(|scope| {
        let sampler = scope.spawn(|| {
            let mut highest: f64 = 0.0;
            while reading.load(std::sync::atomic::Ordering::Relaxed) {
                highest = highest.max(live());
                // why: the sampling interval of a measurement taken while the reads run
                std::thread::sleep(Duration::from_millis(500));
            }
            highest
        });
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        let (answered, slowest) = runtime.block_on(async {
            let client = reqwest::Client::new();
            let (mut answered, mut slowest) = (0, Duration::ZERO);
            for chunk in (1..=reads).collect::<Vec<_>>().chunks(50) {
                let reads = chunk.iter().map(|id| {
                    let mut request = client.get(server.url(&format!("/api/worlds/0/channels/1/characters/{id}/stats")));
                    for (name, value) in tenant.http_headers() {
                        request = request.header(name, value);
                    }
                    let sent = Instant::now();
                    async move { (request.send().await, sent.elapsed()) }
                });
                for (response, took) in futures::future::join_all(reads).await {
                    answered += usize::from(response.is_ok_and(|r| r.status() == 200));
                    slowest = slowest.max(took);
                }
            }
            (answered, slowest)
        });
        reading.store(false, std::sync::atomic::Ordering::Relaxed);
        (answered, slowest, sampler.join().expect("sampler"))
    });
    let took = started.elapsed();
    let rss_read = rss_kib(server.pid());
    assert_eq!(answered, reads as usize, "every read answered");
    assert!(wait_until(Duration::from_secs(60), || live() <= 50.0), "{} character actors still live 60 s after {reads} reads", live());
    let settled = started.elapsed();
    println!(
        "{reads} stats reads in {took:?} (slowest {slowest:?}, 50 at a time); live character actors: at most {highest} sampled \
         while reading, {} at {settled:?}; RSS {rss_before} KiB before, {rss_read} KiB after the reads, {} KiB settled",
        live(),
        rss_kib(server.pid())
    );
}
