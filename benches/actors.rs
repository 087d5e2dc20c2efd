//! In-process costs, each against the simplest thing doing the same job:
//! - `route`: decoding and routing one record of each consumed kind (`decode_as`), next to
//!   `serde_json` parsing the same bytes into an untyped `Value` (the baseline).
//! - `dispatch`: a round trip through the registry to a resident character actor and back
//!   (an input with no effects, so no commit), sequential and 1,000 in flight.
//! - `stats`: the effective-stats computation (spec 20 §6.2) of a character with base
//!   stats, equipment and buffs, for every stat.

#[path = "support/mod.rs"]
mod support;

use atlas_actors::actors::character::stats::{Bonus, Stats};
use atlas_actors::bridge::router::{Decoders, Routed};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use std::hint::black_box;

/// The server's decoders (the domains' and the channel's check), built once.
static DECODERS: std::sync::LazyLock<Decoders> = std::sync::LazyLock::new(atlas_actors::server::decoders);

fn decode_as(variable: &str, payload: &[u8]) -> Option<Result<Routed, atlas_actors::contracts::decode::Reject>> {
    DECODERS.decode_as(variable, payload)
}

/// One record of every consumed kind, as Atlas sends them.
const RECORDS: &[(&str, &str, &str)] = &[
    (
        "skill_update",
        "COMMAND_TOPIC_SKILL",
        r#"{"characterId":1001,"type":"REQUEST_UPDATE","body":{"skillId":1001004,"level":2,"masterLevel":10,"expiration":"2099-01-01T00:00:00Z"},"transactionId":"0f8e4b0c-2c0e-4c9a-9f57-2d2b2f1b7a11"}"#,
    ),
    (
        "macro_update",
        "COMMAND_TOPIC_SKILL_MACRO",
        r#"{"characterId":66110,"type":"UPDATE","body":{"macros":[{"id":0,"name":"Keep","shout":false,"skillId1":1101004,"skillId2":0,"skillId3":0}]}}"#,
    ),
    (
        "character_map_changed",
        "EVENT_TOPIC_CHARACTER_STATUS",
        r#"{"transactionId":"5a6a0005-1111-4aaa-8bbb-000000004105","worldId":0,"characterId":4105,"type":"MAP_CHANGED","body":{"channelId":1,"oldMapId":100000001,"targetMapId":100000000,"targetPortalId":2}}"#,
    ),
    (
        "session_created",
        "EVENT_TOPIC_SESSION_STATUS",
        r#"{"sessionId":"7c9e6679-7425-40de-944b-e07fc1f90ae7","accountId":1,"characterId":30004,"worldId":2,"channelId":3,"issuer":"CHANNEL","type":"CREATED"}"#,
    ),
    (
        "buff_applied",
        "EVENT_TOPIC_CHARACTER_BUFF_STATUS",
        r#"{"worldId":1,"characterId":20003,"type":"APPLIED","body":{"fromId":20003,"sourceId":1301007,"duration":300000,"changes":[{"type":"HYPER_BODY_HP","amount":40},{"type":"HYPER_BODY_MP","amount":40}],"createdAt":"2026-02-03T18:37:12Z","expiresAt":"2026-02-03T18:42:12Z"}}"#,
    ),
    (
        "asset_created",
        "EVENT_TOPIC_ASSET_STATUS",
        r#"{"transactionId":"5a6a0001-1111-4aaa-8bbb-000000004101","characterId":4101,"compartmentId":"c0c0c0c0-0000-4000-8000-000000004101","assetId":88001,"templateId":2000000,"slot":1,"type":"CREATED","body":{"referenceId":0,"referenceType":"consumable","referenceData":{"ownerId":0,"quantity":5,"flag":0,"rechargeable":0},"expiration":"0001-01-01T00:00:00Z"}}"#,
    ),
    (
        "messenger_join",
        "COMMAND_TOPIC_MESSENGER",
        r#"{"transactionId":"51010001-7e57-4a00-8b00-005101000001","actorId":5101,"type":"JOIN","body":{"messengerId":1000000000}}"#,
    ),
    (
        "invite_accepted",
        "EVENT_TOPIC_INVITE_STATUS",
        r#"{"transactionId":"77aa0e52-9b1c-4f7e-b0a4-1c2d3e4f5a6b","worldId":0,"inviteType":"MESSENGER","referenceId":1000000000,"type":"ACCEPTED","body":{"originatorId":5101,"targetId":5103}}"#,
    ),
    (
        "saga",
        "COMMAND_TOPIC_SAGA",
        r#"{"transactionId":"5a6a0001-1111-4aaa-8bbb-000000004101","sagaType":"inventory_transaction","initiatedBy":"npc-9010000","steps":[{"stepId":"give_item","status":"pending","action":"award_asset","payload":{"characterId":4101,"item":{"templateId":2000000,"quantity":5}},"createdAt":"2025-01-01T00:00:00Z","updatedAt":"2025-01-01T00:00:00Z"}]}"#,
    ),
];

fn route(c: &mut Criterion) {
    let mut group = c.benchmark_group("route");
    group.throughput(Throughput::Elements(1));
    for (name, variable, value) in RECORDS {
        assert!(matches!(decode_as(variable, value.as_bytes()), Some(Ok(_))), "{name} routes");
        group.bench_function(format!("{name}/baseline_serde_value"), |b| {
            b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(value.as_bytes())).is_ok())
        });
        group.bench_function(*name, |b| b.iter(|| decode_as(variable, black_box(value.as_bytes())).is_some()));
    }
    group.finish();
}

fn dispatch(c: &mut Criterion) {
    let system = actix_rt::System::new();
    let rig = system.block_on(support::rig());
    let characters: Vec<u32> = (1..=1000).collect();
    // Make them resident.
    system.block_on(futures::future::join_all(
        characters.iter().map(|id| rig.registry.deliver(rig.tenant.id, *id, support::buff(*id), rig.meta())),
    ));
    let mut group = c.benchmark_group("dispatch");
    group.throughput(Throughput::Elements(1));
    group.bench_function("round_trip", |b| {
        b.iter_batched(
            || support::buff(1),
            |input| system.block_on(rig.registry.deliver(rig.tenant.id, 1, input, rig.meta())).is_ok(),
            BatchSize::SmallInput,
        )
    });
    group.throughput(Throughput::Elements(characters.len() as u64));
    group.bench_function("1000_in_flight", |b| {
        b.iter_batched(
            || characters.iter().map(|id| (*id, support::buff(*id))).collect::<Vec<_>>(),
            |inputs| {
                system.block_on(futures::future::join_all(
                    inputs.into_iter().map(|(id, input)| rig.registry.deliver(rig.tenant.id, id, input, rig.meta())),
                ))
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

fn stats(c: &mut Criterion) {
    let mut stats = Stats::new(0, 1);
    for (stat, amount) in [("strength", 120), ("dexterity", 40), ("intelligence", 4), ("luck", 4), ("max_hp", 5000), ("max_mp", 800)] {
        stats.upsert(Bonus::flat("character:base", stat, amount));
    }
    for slot in 0..12 {
        stats.upsert(Bonus::flat(&format!("equipment:{slot}"), "weapon_attack", 10 + slot));
        stats.upsert(Bonus::flat(&format!("equipment:{slot}"), "weapon_defense", 20));
    }
    stats.upsert(Bonus::percent("buff:1301007", "max_hp", 40));
    stats.upsert(Bonus::percent("buff:1301007", "max_mp", 40));
    stats.upsert(Bonus::flat("passive:1000001", "max_hp", 100));
    let mut group = c.benchmark_group("stats");
    group.throughput(Throughput::Elements(1));
    group.bench_function("compute_all", |b| b.iter(|| black_box(&stats).attributes()));
    group.finish();
}

criterion_group!(benches, route, dispatch, stats);
criterion_main!(benches);
