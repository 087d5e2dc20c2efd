//! Group commit on a real SQLite store: a batch with failing units commits the others,
//! each unit (and each outbox deletion riding along) learns its own result, and nothing
//! of a failed unit (writes, position, outputs) is kept.

use super::*;
use crate::contracts::tenant::Tenant;
use crate::store::engine::Pooled;
use crate::store::native::NativeSqlite;
use crate::store::Rows;
use crate::store::{Positions, Store};
use crate::{write_rows, write_sql};
use sqlx::Row as _;
use uuid::Uuid;

/// A store on a temporary SQLite file (removed on drop) with a table of its own.
struct Db {
    store: Store,
    tenant: Tenant,
    file: std::path::PathBuf,
    url: String,
}

impl Db {
    async fn new() -> Db {
        let file = std::env::temp_dir().join(format!("atlas-group-commit-{}.db", Uuid::new_v4()));
        let url = format!("sqlite://{}?mode=rwc", file.display());
        let store = Store::connect(&url).await.expect("store");
        sqlx::raw_sql("CREATE TABLE fixture_rows (id TEXT PRIMARY KEY, value BIGINT NOT NULL)")
            .execute(store.pool())
            .await
            .expect("fixture table");
        let tenant = Tenant { id: Uuid::new_v4(), region: "GMS".into(), major: 83, minor: 1 };
        Db { store, tenant, file, url }
    }

    fn pool(&self) -> sqlx::AnyPool {
        self.store.pool().clone()
    }

    /// The native committer engine on this database.
    fn native(&self) -> NativeSqlite {
        NativeSqlite::open(&self.url).expect("a database file").expect("the native connection")
    }

    /// A unit inserting `rows`, at offset `offset` of entity `entity`'s input, emitting
    /// `outputs` records.
    fn unit(&self, entity: &str, offset: i64, rows: &[&'static str], outputs: usize) -> Parts {
        let writes = rows.iter().map(|id| write_sql!("INSERT INTO fixture_rows (id, value) VALUES ($1, $2)", *id, offset)).collect();
        let position = (self.entity(entity), Position { topic: "fixture".into(), partition: 0, offset });
        let output = |n: usize| Output {
            topic: "fixture".into(),
            key: Some(n as u32),
            value: format!("{{\"from\":\"{entity}\"}}"),
            tenant: self.tenant.clone(),
            trace: Vec::new(),
        };
        (writes, Some(position), (0..outputs).map(output).collect())
    }

    fn entity(&self, id: &str) -> EntityRef {
        EntityRef { tenant: self.tenant.id, kind: "fixture", id: id.into() }
    }

    async fn rows(&self) -> Vec<String> {
        let rows = sqlx::query("SELECT id FROM fixture_rows ORDER BY id").fetch_all(self.store.pool()).await.expect("rows");
        rows.iter().map(|row| row.try_get::<String, _>(0).expect("id")).collect()
    }

    async fn positions(&self, entity: &str) -> Positions {
        self.store.positions(&self.entity(entity)).await.expect("positions")
    }

    async fn outbox(&self, instance: &str) -> Vec<String> {
        outbox::pending(self.store.pool(), instance).await.expect("outbox").into_iter().map(|row| row.output.value).collect()
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.file.display()));
        }
    }
}

fn applied(positions: &Positions, offset: i64) -> bool {
    positions.covers(&Position { topic: "fixture".into(), partition: 0, offset })
}

/// Breaks if one failing unit failed the batch (every result an error), if the fallback
/// ran without a savepoint per unit (the first insert of `d`'s unit would stay although
/// its second failed), or if a failed unit's position or outputs were kept (its retry
/// would be skipped as already applied, or its records published).
#[tokio::test]
async fn failing_units_are_refused_alone_and_keep_nothing() {
    let db = Db::new().await;
    refused_alone(&db, &mut Pooled(db.pool())).await;
    let db = Db::new().await;
    refused_alone(&db, &mut db.native()).await;
}

async fn refused_alone(db: &Db, engine: &mut impl Engine) {
    let units = vec![
        db.unit("a", 1, &["a"], 0),
        // An optimistic-lock write that changes nothing: the row moved on underneath.
        (vec![write_sql!("UPDATE fixture_rows SET value = 9 WHERE id = $1", "nobody").guarded()], db.unit("lock", 2, &[], 1).1, Vec::new()),
        db.unit("b", 3, &["b"], 1),
        // Its first insert succeeds, its second collides with `a`.
        db.unit("d", 4, &["d", "a"], 1),
        db.unit("c", 5, &["c"], 2),
    ];
    let results = commit_batch(engine, "fixture-instance", &[], units, &[]).await.expect("the batch commits");
    let oks: Vec<Option<usize>> = results.iter().map(|r| r.as_ref().ok().map(Vec::len)).collect();
    assert_eq!(oks, [Some(0), None, Some(1), None, Some(2)], "each unit's own result, with its own outbox rows");
    assert_eq!(db.rows().await, ["a", "b", "c"], "nothing of the failed units");
    assert!(applied(&db.positions("a").await, 1) && applied(&db.positions("c").await, 5));
    assert!(!applied(&db.positions("lock").await, 2) && !applied(&db.positions("d").await, 4), "failed units' positions not stored");
    let outbox = db.outbox("fixture-instance").await;
    assert_eq!(outbox.iter().filter(|v| v.contains("\"b\"")).count(), 1);
    assert_eq!(outbox.iter().filter(|v| v.contains("\"c\"")).count(), 2);
    assert_eq!(outbox.len(), 3, "no output of a failed unit: {outbox:?}");
}

/// Through the committer task: units queued together share one batch, and each waiting
/// caller (and the outbox deletion riding along) hears its own outcome. Breaks if a
/// failed batch answered every unit with the batch's error, or if replies were matched to
/// the wrong units.
#[tokio::test]
async fn each_unit_of_a_batch_learns_its_own_result() {
    let db = Db::new().await;
    let (committer, stats) = start(Pooled(db.pool()), "fixture-committer".into()).expect("the committer thread");
    let send = |(writes, position, outputs): Parts| {
        let (reply, answer) = oneshot::channel();
        committer.send(Job::Unit(Unit { writes, position, outputs, fence: None, reply })).map_err(|_| "committer gone").expect("queued");
        answer
    };
    // A first batch leaves an outbox row for the second batch to delete.
    let first = send(db.unit("first", 1, &["first"], 1)).await.expect("answered").expect("committed");
    assert_eq!(first.len(), 1);

    // Queued before the committer runs again: one batch.
    let (forgotten, forget) = oneshot::channel();
    committer.send(Job::Forget(Forget { ids: vec![first[0].id], reply: forgotten })).map_err(|_| "committer gone").expect("queued");
    let answers = [send(db.unit("x", 2, &["x"], 1)), send(db.unit("dup", 3, &["x"], 0)), send(db.unit("y", 4, &["y"], 0))];
    let mut outcomes = Vec::new();
    for answer in answers {
        outcomes.push(answer.await.expect("answered"));
    }
    assert!(matches!(&outcomes[0], Ok(rows) if rows.len() == 1), "x committed with its output");
    assert!(outcomes[1].is_err(), "the duplicate alone is refused");
    assert!(matches!(&outcomes[2], Ok(rows) if rows.is_empty()), "y committed");
    assert!(forget.await.expect("answered").is_ok(), "the deletion rode along");
    assert_eq!(db.rows().await, ["first", "x", "y"]);
    assert_eq!(db.outbox("fixture-committer").await, ["{\"from\":\"x\"}"], "the first row deleted, x's row kept");
    // The committer's thread may take the first of the queued jobs before the others come.
    assert!((2..=5).contains(&stats.batches.get()), "transactions counted: {}", stats.batches.get());
    assert_eq!(stats.units.get(), 4, "four units in them");
}

static SET: Rows =
    Rows { head: "INSERT INTO fixture_rows (id, value) VALUES ", arity: 2, tail: " ON CONFLICT (id) DO UPDATE SET value = excluded.value" };
static SHIFT: Rows = Rows {
    head: "UPDATE fixture_rows SET value = fixture_rows.value * 10 + v.column2 FROM (VALUES ",
    arity: 2,
    tail: ") AS v WHERE fixture_rows.id = v.column1",
};

/// Rows statements of many units go out together, yet each unit's writes keep their order
/// and two units of one entity never share a statement. Breaks if rounds mixed up a unit's
/// order (`b` would not read 567), if the second unit of `a` shared the first one's
/// statement (an `UPDATE … FROM` meeting one row twice applies one of them: 12 or 13, not
/// 123), or if that entity's two positions in one upsert failed the batch.
#[tokio::test]
async fn rows_of_many_units_share_statements_in_each_units_order() {
    let db = Db::new().await;
    rows_in_order(&db, &mut Pooled(db.pool())).await;
    let db = Db::new().await;
    rows_in_order(&db, &mut db.native()).await;
}

async fn rows_in_order(db: &Db, engine: &mut impl Engine) {
    let unit = |entity: &str, offset: i64, writes: Vec<Write>| {
        (writes, Some((db.entity(entity), Position { topic: "fixture".into(), partition: 0, offset })), Vec::new())
    };
    let units = vec![
        unit("a", 1, vec![write_rows!(SET, "a", 1i64), write_rows!(SHIFT, "a", 2i64)]),
        unit("b", 2, vec![write_rows!(SET, "b", 5i64), write_rows!(SHIFT, "b", 6i64), write_rows!(SHIFT, "b", 7i64)]),
        unit("a", 3, vec![write_rows!(SHIFT, "a", 3i64)]),
        unit("c", 4, vec![write_sql!("INSERT INTO fixture_rows (id, value) VALUES ($1, $2)", "c", 4i64)]),
    ];
    let results = commit_whole(engine, "fixture-instance", &[], units).await.expect("the batch commits whole");
    assert_eq!(results.len(), 4);
    let rows = sqlx::query("SELECT id, value FROM fixture_rows ORDER BY id").fetch_all(db.store.pool()).await.expect("rows");
    let values: Vec<(String, i64)> = rows.iter().map(|r| (r.try_get(0).expect("id"), r.try_get(1).expect("value"))).collect();
    assert_eq!(values, [("a".to_string(), 123), ("b".to_string(), 567), ("c".to_string(), 4)]);
    assert!(applied(&db.positions("a").await, 3), "the later position of a kept");
}

#[test]
fn a_rows_statement_numbers_its_parameters_row_after_row() {
    assert_eq!(
        SHIFT.sql(1),
        "UPDATE fixture_rows SET value = fixture_rows.value * 10 + v.column2 FROM (VALUES ($1, $2)) AS v WHERE fixture_rows.id = v.column1"
    );
    assert_eq!(
        SET.sql(3),
        "INSERT INTO fixture_rows (id, value) VALUES ($1, $2), ($3, $4), ($5, $6) ON CONFLICT (id) DO UPDATE SET value = excluded.value"
    );
}
