//! Scale-out: two server processes in one consumer group over one broker and one
//! PostgreSQL database split the partitions. One dies under load (aborted right after a
//! commit, before publishing it, as a SIGKILL at the worst moment); the survivor
//! takes its partitions, adopts the outputs it had committed but not published, restores
//! its characters from the database (cooldowns included) and carries on. Then the killed
//! one comes back and the group rebalances again. Checked against the skills reference
//! model: every output exists, none is repeated, the final state is the model's. Prints
//! the failover time: the longest a command waited for its output after the kill.

mod common;

use common::skills_model::*;
use common::*;
use serde_json::Value;
use std::collections::HashMap;
use std::time::Duration;

fn consumed(server: &Server) -> f64 {
    metric_sum(server, "atlas_records_in_total")
}

#[test]
fn survivor_takes_over_without_loss_and_the_group_rebalances_back() {
    let _serial = serial();
    let Some(fixture) = Fixture::postgres() else { return };
    let env = [("CONSUMER_SESSION_TIMEOUT", "6s"), ("INSTANCE_LEASE", "3s")];
    // The first process dies right after its 60th commit, before publishing that commit's
    // outputs: the worst moment for a SIGKILL, leaving outputs only the survivor can send.
    let mut fixture = fixture.envs(&env).env("ATLAS_CHAOS_ABORT_AFTER_COMMIT", 60).start();
    let second = fixture.join(&env);
    let (steps, levels, macros) = traffic(60, 16);
    let producer = fixture.producer();

    // Fifty slices 700 ms apart: load before, during and after the kill, and after the
    // restart, which waits until the survivor has taken over.
    let slices: Vec<&[Step]> = steps.chunks(steps.len() / 50 + 1).collect();
    let mut sent_at: HashMap<String, i64> = HashMap::new();
    let mut killed_at = None;
    let mut restarted = false;
    for (i, slice) in slices.iter().enumerate() {
        let now = chrono::Utc::now().timestamp_millis();
        for topic in ["COMMAND_TOPIC_SKILL", "COMMAND_TOPIC_SKILL_MACRO"] {
            let records: Vec<(u32, Value)> = slice.iter().filter(|s| s.topic == topic).map(|s| (s.character, s.value.clone())).collect();
            produce_all(&producer, topic, &json_records(&fixture.tenant, &records));
        }
        for step in slice.iter() {
            for (_, tx) in &step.expected {
                sent_at.insert(tx.clone(), now);
            }
        }
        if i == 0 {
            // Both must hold partitions, or the kill proves nothing.
            let both = wait_until(Duration::from_secs(30), || consumed(&fixture.server) > 0.0 && consumed(&second) > 0.0);
            assert!(both, "both processes consume before the kill (waited 30 s)");
        }
        if killed_at.is_none() && fixture.server.wait_exit(Duration::ZERO) {
            killed_at = Some(chrono::Utc::now().timestamp_millis());
        }
        let since_kill = killed_at.map(|at| chrono::Utc::now().timestamp_millis() - at);
        if !restarted && since_kill.is_some_and(|ms| ms > 20_000) {
            fixture.server = fixture.join(&env);
            restarted = true;
        }
        // why: the load's shape, not a wait: slices 700 ms apart spread it over the kill
        std::thread::sleep(Duration::from_millis(700));
    }

    assert!(killed_at.is_some(), "the first process died");
    assert!(restarted, "the killed process came back while commands were still sent");
    let expected: Vec<(&str, String)> = steps.iter().flat_map(|s| s.expected.clone()).collect();
    let (counts, seen) = collect_outputs(&fixture.bootstrap, &fixture.tenant, &expected, Duration::from_secs(180));
    let missing: Vec<_> = expected.iter().filter(|(t, tx)| !counts.contains_key(&(t.to_string(), tx.clone()))).collect();
    let repeats: usize = counts.values().map(|n| n - 1).sum();

    // Failover: of the commands sent after the kill, the longest wait for an output (the
    // cooldown expiry, one second after its start, is not counted).
    let killed_at = killed_at.unwrap_or_default();
    let mut waits: HashMap<String, i64> = HashMap::new();
    for record in &seen {
        let value = record.json();
        if value["type"] == "COOLDOWN_EXPIRED" {
            continue;
        }
        let tx = value["transactionId"].as_str().unwrap_or_default().to_string();
        if let Some(sent) = sent_at.get(&tx).filter(|sent| **sent >= killed_at) {
            let wait = waits.entry(tx).or_insert(i64::MAX);
            *wait = (*wait).min(record.at_ms - sent);
        }
    }
    let failover = waits.values().copied().max().unwrap_or_default();
    println!(
        "scale-out: {} inputs over 2 processes, 1 abort after a commit and a rejoin; {} outputs expected, {} missing, {} repeated; \
         longest wait for an output after the kill {} ms (session timeout 6 s, instance lease 3 s)",
        steps.len(),
        expected.len(),
        missing.len(),
        repeats,
        failover
    );
    assert!(missing.is_empty(), "{} outputs missing, e.g. {:?}", missing.len(), missing.first());
    assert_eq!(repeats, 0, "no output repeated across the failover and the rebalance");
    assert_eq!(counts.len(), expected.len(), "no output beyond the model's");
    assert_state(&second, &fixture.tenant, &levels, &macros);
    assert_state(&fixture.server, &fixture.tenant, &levels, &macros);
    assert!(consumed(&fixture.server) > 0.0, "the restarted process took partitions back");
}
