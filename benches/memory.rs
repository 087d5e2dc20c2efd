//! Memory per resident character actor, and what reactivating a passivated one costs.
//!
//! `MEMORY_CHARACTERS` characters (default 100,000), each with 20 skills and 5 macros in
//! SQLite, are activated through the registry by a channel session `CREATED`, so each
//! actor holds its skills, macros and an effective-stats entry (the foreign services are
//! unreachable, so the entry is built from the fallbacks at once). The RSS growth per
//! actor gives the resident characters per GB. Then 20,000 more characters without a
//! session are activated (start + load), hit again while resident, passivated, and hit
//! once more (reactivation: start + load again).
//!
//! Run: `cargo bench --bench memory` (`MEMORY_CHARACTERS=1000000` for the 1M figure).
//! `MEMORY_STEPS=10000,100000,1000000` activates the characters in those steps, reports the
//! bytes per resident character at each, and draws `docs/benchmarks/memory.svg`
//! (`MEMORY_CHART` to write elsewhere).

#[path = "support/chart.rs"]
mod chart;
#[path = "support/mod.rs"]
mod support;

use futures::future::join_all;
use std::time::{Duration, Instant};

const SKILLS: u32 = 20;
const MACROS: u32 = 5;
const REACTIVATED: u32 = 20_000;

fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm.split_whitespace().nth(1).and_then(|v| v.parse().ok()).unwrap_or(0);
    pages * 4096
}

/// Stores `SKILLS` skills and `MACROS` macros for characters `from..=to`.
async fn seed(rig: &support::Rig, from: u32, to: u32) {
    let tenant = rig.tenant.id.hyphenated().to_string();
    let ids: Vec<u32> = (from..=to).collect();
    for chunk in ids.chunks(2_000) {
        let mut tx = rig.store.pool().begin().await.expect("tx");
        for group in chunk.chunks(25) {
            let skills: Vec<String> = group
                .iter()
                .flat_map(|c| (0..SKILLS).map(move |s| (c, s)))
                .map(|(c, s)| format!("('{tenant}', {c}, {}, 10, 20, 0)", 1_000_000 + s))
                .collect();
            let sql = format!(
                "INSERT INTO skills (tenant_id, character_id, skill_id, level, master_level, expiration_us) VALUES {}",
                skills.join(",")
            );
            sqlx::query(&sql).execute(&mut *tx).await.expect("skills");
            let macros: Vec<String> = group
                .iter()
                .flat_map(|c| (0..MACROS).map(move |m| (c, m)))
                .map(|(c, m)| format!("('{tenant}', {c}, {m}, {m}, 'macro {m}', 0, 1000000, 1000001, 0)"))
                .collect();
            let sql = format!(
                "INSERT INTO macros (tenant_id, character_id, macro_id, position, name, shout, skill_id_1, skill_id_2, skill_id_3) VALUES {}",
                macros.join(",")
            );
            sqlx::query(&sql).execute(&mut *tx).await.expect("macros");
        }
        tx.commit().await.expect("commit");
    }
}

/// Delivers one input to each character, `in_flight` at a time; returns the time taken.
async fn hit(
    rig: &support::Rig,
    ids: impl Iterator<Item = u32>,
    input: impl Fn(u32) -> atlas_actors::actors::character::CharacterInput,
) -> Duration {
    let ids: Vec<u32> = ids.collect();
    let start = Instant::now();
    for chunk in ids.chunks(5_000) {
        let replies = join_all(chunk.iter().map(|id| rig.registry.deliver(rig.tenant.id, *id, input(*id), rig.meta()))).await;
        assert!(replies.iter().all(Result::is_ok), "every input is handled");
    }
    start.elapsed()
}

fn session_created(character: u32) -> atlas_actors::actors::character::CharacterInput {
    let value = format!(
        r#"{{"sessionId":"7c9e6679-7425-40de-944b-e07fc1f90ae7","accountId":1,"characterId":{character},"worldId":0,"channelId":1,"issuer":"CHANNEL","type":"CREATED"}}"#
    );
    support::input("EVENT_TOPIC_SESSION_STATUS", &value)
}

/// The resident counts to measure at, ending at `n`.
fn step_sizes(n: u32) -> Vec<u32> {
    let mut steps: Vec<u32> = std::env::var("MEMORY_STEPS")
        .ok()
        .map(|v| v.split(',').filter_map(|p| p.trim().parse().ok()).filter(|&s| s < n).collect())
        .unwrap_or_default();
    steps.sort_unstable();
    steps.push(n);
    steps
}

/// Bytes per resident character and resident characters per GB, against residents.
fn draw(steps: &[(u32, f64)], path: &std::path::Path) {
    let line = |name: &str, y: &dyn Fn(f64) -> f64| chart::Series {
        name: name.into(),
        points: steps.iter().map(|&(n, bytes)| (f64::from(n), y(bytes))).collect(),
    };
    let panels = [
        chart::Panel {
            title: "RSS per resident character".into(),
            x: "resident characters".into(),
            y: "bytes".into(),
            series: vec![line("atlas-actors", &|b| b), line("goal (1M per GB)", &|_| (1u64 << 30) as f64 / 1e6)],
        },
        chart::Panel {
            title: "resident characters per GB".into(),
            x: "resident characters".into(),
            y: "millions".into(),
            series: vec![line("atlas-actors", &|b| (1u64 << 30) as f64 / b / 1e6), line("goal", &|_| 1.0)],
        },
    ];
    chart::draw(path, &panels).expect("chart");
}

fn main() {
    let n: u32 = std::env::var("MEMORY_CHARACTERS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let system = actix_rt::System::new();
    system.block_on(async {
        let rig = support::rig().await;
        let seeding = Instant::now();
        seed(&rig, 1, n + REACTIVATED).await;
        println!("seeded {} characters × ({SKILLS} skills, {MACROS} macros) in {:.1?}", n + REACTIVATED, seeding.elapsed());

        let before = rss_bytes();
        let mut steps: Vec<(u32, f64)> = Vec::new();
        let mut took = Duration::ZERO;
        let mut resident = 0;
        for step in step_sizes(n) {
            took += hit(&rig, resident + 1..=step, session_created).await;
            resident = step;
            tokio::time::sleep(Duration::from_millis(500)).await;
            let per_actor = rss_bytes().saturating_sub(before) as f64 / f64::from(resident);
            println!("  {resident:>9} resident: {per_actor:.0} B per character");
            steps.push((resident, per_actor));
        }
        let after = rss_bytes();
        let per_actor = (after.saturating_sub(before)) as f64 / f64::from(n);
        println!(
            "resident: {n} characters (skills, macros, stats entry) activated in {took:.1?}; RSS {:.0} MiB → {:.0} MiB: \
             {per_actor:.0} B per character, {:.2}M resident characters per GB",
            before as f64 / 1048576.0,
            after as f64 / 1048576.0,
            (1u64 << 30) as f64 / per_actor / 1e6
        );
        if steps.len() > 1 {
            let path = std::env::var("MEMORY_CHART").unwrap_or_else(|_| "docs/benchmarks/memory.svg".into());
            draw(&steps, std::path::Path::new(&path));
            println!("chart: {path}");
        }
        assert_eq!(rig.registry.len(), n as usize, "all resident");

        let range = n + 1..=n + REACTIVATED;
        let before = rss_bytes();
        let cold = hit(&rig, range.clone(), support::buff).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let without_stats = (rss_bytes().saturating_sub(before)) as f64 / f64::from(REACTIVATED);
        println!("without a stats entry (skills and macros only): {without_stats:.0} B per character");
        let warm = hit(&rig, range.clone(), support::buff).await;
        let passivated = rig.registry.passivate_idle(Duration::ZERO);
        let again = hit(&rig, range, support::buff).await;
        let each = |d: Duration| d.as_secs_f64() * 1e6 / f64::from(REACTIVATED);
        println!(
            "reactivation: {REACTIVATED} characters; first activation (start + load) {:.1} µs each, resident round trip {:.1} µs each; \
             {passivated} passivated; reactivation {:.1} µs each ({:.1}× the resident round trip)",
            each(cold),
            each(warm),
            each(again),
            each(again) / each(warm)
        );
    });
}
