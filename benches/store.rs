//! Store writes: one unit of work (a state write, the causing record's position, one
//! outbox row) committed alone, against 100 units of 100 entities committed together by
//! the group committer, on SQLite (a temporary file, WAL) and on PostgreSQL
//! (`BENCH_POSTGRES_URL`, default the local test database; skipped when unreachable).
//! Criterion reports both as units per second; the batched figure over the single one is
//! what group commit buys on each engine.

use atlas_actors::contracts::tenant::Tenant;
use atlas_actors::store::{EntityRef, Output, Position, Store};
use atlas_actors::write_sql;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use futures::future::join_all;
use uuid::Uuid;

const BATCH: u32 = 100;

struct Bench {
    store: Store,
    tenant: Tenant,
    offset: i64,
}

impl Bench {
    async fn connect(url: &str) -> Option<Bench> {
        let store = Store::connect(url).await.ok()?;
        let tenant = Tenant { id: Uuid::new_v4(), region: "GMS".into(), major: 83, minor: 1 };
        let ids = (0..BATCH).map(|c| format!("('{}', {c}, 1001004, 1, 10, 0)", tenant.id)).collect::<Vec<_>>().join(",");
        let seed = format!("INSERT INTO skills (tenant_id, character_id, skill_id, level, master_level, expiration_us) VALUES {ids}");
        sqlx::query(&seed).execute(store.pool()).await.ok()?;
        Some(Bench { store, tenant, offset: 0 })
    }

    /// Commits one unit for `character` and returns its outbox row ids.
    async fn unit(&self, character: u32, offset: i64) -> Vec<i64> {
        let entity = EntityRef { tenant: self.tenant.id, kind: "character", id: character.to_string() };
        let position = Position { topic: "COMMAND_TOPIC_SKILL".into(), partition: 0, offset };
        let write = write_sql!(
            "UPDATE skills SET level = $4 WHERE tenant_id = $1 AND character_id = $2 AND skill_id = $3",
            self.tenant.id,
            character,
            1001004u32,
            (offset % 200) as u8
        );
        let output = Output {
            topic: "EVENT_TOPIC_SKILL_STATUS".into(),
            key: Some(character),
            value: "{}".into(),
            tenant: self.tenant.clone(),
            trace: vec![],
        };
        let rows = self.store.commit(vec![write], Some((&entity, &position)), vec![output]).await.expect("commit");
        rows.iter().map(|r| r.id).collect()
    }
}

fn engine(c: &mut Criterion, name: &str, url: &str) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let Some(mut bench) = runtime.block_on(Bench::connect(url)) else {
        eprintln!("store bench: {name} not reachable at {url}; skipped");
        return;
    };
    let mut group = c.benchmark_group(format!("store_{name}"));
    group.throughput(Throughput::Elements(1));
    group.bench_function("single_unit", |b| {
        b.iter(|| {
            bench.offset += 1;
            let ids = runtime.block_on(bench.unit(0, bench.offset));
            runtime.block_on(bench.store.delete_outbox(&ids)).expect("delete");
        })
    });
    group.throughput(Throughput::Elements(u64::from(BATCH)));
    group.bench_function("batched_100_units", |b| {
        b.iter(|| {
            bench.offset += 1;
            let offset = bench.offset;
            let ids: Vec<i64> = runtime.block_on(join_all((0..BATCH).map(|c| bench.unit(c, offset)))).into_iter().flatten().collect();
            runtime.block_on(bench.store.delete_outbox(&ids)).expect("delete");
        })
    });
    group.finish();
}

fn store(c: &mut Criterion) {
    let sqlite = format!("sqlite://{}/atlas-bench-{}.db?mode=rwc", std::env::temp_dir().display(), Uuid::new_v4());
    engine(c, "sqlite", &sqlite);
    let postgres = std::env::var("BENCH_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    engine(c, "postgres", &postgres);
}

criterion_group!(benches, store);
criterion_main!(benches);
