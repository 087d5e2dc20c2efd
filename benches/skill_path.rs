//! The skill command path without the broker: decode → character logic → one store
//! transaction (state + position + outbox) → encoded event, on SQLite. The
//! baseline, measured in the same run, is the same transaction's raw SQL with no decoding
//! or logic; the report is the ratio between the two. SQLite runs on a temporary file in
//! WAL mode with `synchronous = NORMAL`, as the server does.

use atlas_actors::actors::character::skills::Skills;
use atlas_actors::actors::{Emitted, Meta};
use atlas_actors::contracts::decode::Decoded;
use atlas_actors::contracts::skill::{decode_macro_command, SkillCommand};
use atlas_actors::contracts::tenant::Tenant;
use atlas_actors::contracts::topics::Topics;
use atlas_actors::store::{EntityRef, Output, Position, Store};
use atlas_actors::write_sql;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use uuid::Uuid;

const UPDATE: &[u8] = br#"{"characterId":1001,"type":"REQUEST_UPDATE","body":{"skillId":1001004,"level":2,"masterLevel":10,"expiration":"2099-01-01T00:00:00Z"},"transactionId":"0f8e4b0c-2c0e-4c9a-9f57-2d2b2f1b7a11"}"#;
const COOLDOWN: &[u8] = br#"{"characterId":1001,"type":"SET_COOLDOWN","body":{"skillId":1001004,"cooldown":30}}"#;
const MACROS: &[u8] = br#"{"characterId":1001,"type":"UPDATE","body":{"macros":[{"id":0,"name":"Buff","shout":false,"skillId1":1001003,"skillId2":1101006,"skillId3":0},{"id":1,"name":"Attack","shout":true,"skillId1":1001004,"skillId2":0,"skillId3":0}]}}"#;

fn decode(c: &mut Criterion) {
    let mut group = c.benchmark_group("decode");
    group.throughput(Throughput::Elements(1));
    group.bench_function("skill_update", |b| b.iter(|| SkillCommand::decode(std::hint::black_box(UPDATE)).is_ok()));
    group.bench_function("set_cooldown", |b| b.iter(|| SkillCommand::decode(std::hint::black_box(COOLDOWN)).is_ok()));
    group.bench_function("macro_update", |b| b.iter(|| decode_macro_command(std::hint::black_box(MACROS)).is_ok()));
    group.finish();
}

fn command_path(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let store = runtime
        .block_on(Store::connect(&format!("sqlite://{}/atlas-bench-{}.db?mode=rwc", std::env::temp_dir().display(), Uuid::new_v4())))
        .unwrap();
    let tenant = Tenant { id: Uuid::new_v4(), region: "GMS".into(), major: 83, minor: 1 };
    let entity = EntityRef { tenant: tenant.id, kind: "character", id: "1001".into() };
    let mut skills = Skills::new(tenant.id, 1001);
    let mut offset = 0i64;
    let mut meta = Meta { tenant: tenant.clone(), position: None, trace: vec![] };
    // Create the skill the updates apply to.
    let create = br#"{"characterId":1001,"type":"REQUEST_CREATE","body":{"skillId":1001004,"level":1,"masterLevel":10}}"#;
    let Ok(Decoded::Message(command)) = SkillCommand::decode(create) else { panic!("decodes") };
    let effects = skills.command(command, &meta);
    let topics = Topics::default();
    let named = |emitted: Vec<Emitted>| -> Vec<Output> { emitted.into_iter().map(|e| e.into_output(&topics)).collect() };
    runtime.block_on(store.commit(effects.writes, None, named(effects.outputs))).unwrap();

    let mut group = c.benchmark_group("skill_command");
    group.throughput(Throughput::Elements(1));
    group.bench_function("baseline_raw_transaction", |b| {
        b.iter(|| {
            offset += 1;
            let position = Position { topic: "COMMAND_TOPIC_SKILL".into(), partition: 0, offset };
            let write = write_sql!(
                "UPDATE skills SET level = $4, master_level = $5, expiration_us = $6 WHERE tenant_id = $1 AND character_id = $2 AND skill_id = $3",
                tenant.id, 1001u32, 1001004u32, 2u8, 10u8, 0i64
            );
            let output = Output { topic: "EVENT_TOPIC_SKILL_STATUS".into(), key: Some(1001), value: "{}".into(), tenant: tenant.clone(), trace: vec![] };
            let rows = runtime.block_on(store.commit(vec![write], Some((&entity, &position)), vec![output])).unwrap();
            runtime.block_on(store.delete_outbox(&[rows[0].id])).unwrap();
        })
    });
    group.bench_function("decode_handle_commit_encode", |b| {
        b.iter(|| {
            offset += 1;
            let position = Position { topic: "COMMAND_TOPIC_SKILL".into(), partition: 0, offset };
            meta.position = Some(position.clone());
            let Ok(Decoded::Message(command)) = SkillCommand::decode(UPDATE) else { panic!("decodes") };
            let effects = skills.command(command, &meta);
            let rows = runtime.block_on(store.commit(effects.writes, Some((&entity, &position)), named(effects.outputs))).unwrap();
            runtime.block_on(store.delete_outbox(&[rows[0].id])).unwrap();
        })
    });
    group.finish();
}

criterion_group!(benches, decode, command_path);
criterion_main!(benches);
