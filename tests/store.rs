//! The store on both engines: one scenario, run on SQLite and on PostgreSQL.

use atlas_actors::contracts::tenant::Tenant;
use atlas_actors::store::{EntityRef, Output, Position, Store};
use atlas_actors::write_sql;
use uuid::Uuid;

#[path = "common/postgres.rs"]
mod pg;

async fn commit_is_atomic_and_positions_and_outbox_round_trip(store: Store) {
    let tenant = Tenant { id: Uuid::new_v4(), region: "GMS".into(), major: 83, minor: 1 };
    let entity = EntityRef { tenant: tenant.id, kind: "character", id: "5".into() };
    let position = Position { topic: "T".into(), partition: 2, offset: 41 };
    let insert =
        "INSERT INTO skills (tenant_id, character_id, skill_id, level, master_level, expiration_us) VALUES ($1, $2, $3, $4, $5, $6)";
    let output = Output {
        topic: "EVENT_TOPIC_SKILL_STATUS".into(),
        key: Some(5),
        value: "{\"a\":1}".into(),
        tenant: tenant.clone(),
        trace: vec![("traceparent".into(), "00-abc".into())],
    };
    let rows = store
        .commit(vec![write_sql!(insert, tenant.id, 5u32, 100u32, 1u8, 2u8, 0i64)], Some((&entity, &position)), vec![output.clone()])
        .await
        .expect("commit");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].output, output);
    let positions = store.positions(&entity).await.expect("positions");
    assert!(positions.covers(&position));
    assert!(!positions.covers(&Position { offset: 42, ..position.clone() }));
    let pending = store.pending_outbox().await.expect("outbox");
    assert!(pending.iter().any(|row| row.id == rows[0].id && row.output == output));

    // A failing statement rolls back the whole unit: state, position and outbox.
    let later = Position { offset: 50, ..position.clone() };
    let failed = store
        .commit(vec![write_sql!(insert, tenant.id, 5u32, 100u32, 1u8, 2u8, 0i64)], Some((&entity, &later)), vec![output.clone()])
        .await;
    assert!(failed.is_err(), "duplicate primary key");
    assert!(!store.positions(&entity).await.unwrap().covers(&later));
    assert_eq!(store.pending_outbox().await.unwrap().iter().filter(|r| r.output.tenant.id == tenant.id).count(), 1);

    store.delete_outbox(&[rows[0].id]).await.expect("delete");
    assert!(!store.pending_outbox().await.unwrap().iter().any(|r| r.id == rows[0].id));
}

mod sqlite {
    #[tokio::test]
    async fn commit_is_atomic_and_positions_and_outbox_round_trip() {
        let path = std::env::temp_dir().join(format!("atlas-store-{}.db", uuid::Uuid::new_v4()));
        let store = super::Store::connect(&format!("sqlite://{}?mode=rwc", path.display())).await.unwrap();
        super::commit_is_atomic_and_positions_and_outbox_round_trip(store).await;
        let _ = std::fs::remove_file(path);
    }
}

mod postgres {
    #[tokio::test]
    async fn commit_is_atomic_and_positions_and_outbox_round_trip() {
        let Some(url) = super::pg::postgres() else { return };
        let store = super::Store::connect(url).await.unwrap_or_else(|e| panic!("connecting to {url}: {e}"));
        super::commit_is_atomic_and_positions_and_outbox_round_trip(store).await;
    }
}
