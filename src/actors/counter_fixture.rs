//! A test entity for the harness's own tests (`supervised_tests.rs`, `registry_tests.rs`):
//! a counter kept in a table of its own, whose inputs can be told to fail (by error or by
//! panic, after changing the in-memory state) a number of times, and which counts its
//! loads. The rig wires it as the server does: a SQLite store in a temporary file and an
//! publishing port that keeps what it is handed.

// Two test modules include this file, each using a part of it.
#![allow(dead_code)]

use crate::actors::entity::EntityError;
use crate::actors::{Effects, Entity, Meta, Publish, Runtime};
use crate::contracts::tenant::Tenant;
use crate::contracts::topics::Topics;
use crate::metrics::Metrics;
use crate::store::{Store, StoreError};
use crate::write_sql;
use chrono::{DateTime, Utc};
use sqlx::Row as _;
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU32, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;
use uuid::Uuid;

/// Loads per counter id, across every actor incarnation.
static LOADS: LazyLock<Mutex<HashMap<String, u32>>> = LazyLock::new(Mutex::default);

/// How many times the counter `id` was loaded.
pub fn loads(id: &str) -> u32 {
    LOADS.lock().map(|loads| loads.get(id).copied().unwrap_or_default()).unwrap_or_default()
}

/// The entity: how many inputs were applied, and their tags in the order applied.
#[derive(Debug)]
pub struct Counter {
    id: String,
    value: i64,
    applied: Vec<i64>,
}

/// How an input fails while it has failures left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failing {
    Error,
    Panic,
}

/// One input: counts one and records `tag`; first waits `pause` (to widen races), then
/// fails while `failures` is above zero (each failing attempt takes one). While
/// `commit_failures` is above zero, its unit carries a write the database refuses, so the
/// handler succeeds and the commit fails.
#[derive(Debug, Clone)]
pub struct Bump {
    pub tag: i64,
    pub failures: Arc<AtomicU32>,
    pub failing: Failing,
    pub pause: Duration,
    pub commit_failures: Arc<AtomicU32>,
    /// Handled alone ([`Entity::exclusive`]).
    pub exclusive: bool,
    /// Where to note the committed count the handler read from the store.
    pub observed: Option<Arc<AtomicI64>>,
}

impl Bump {
    /// An input that succeeds at once.
    pub fn ok(tag: i64) -> Bump {
        Bump::failing(tag, 0, Failing::Error)
    }

    /// An input whose first `times` attempts fail (`u32::MAX`: every attempt).
    pub fn failing(tag: i64, times: u32, failing: Failing) -> Bump {
        Bump {
            tag,
            failures: Arc::new(AtomicU32::new(times)),
            failing,
            pause: Duration::ZERO,
            commit_failures: Arc::default(),
            exclusive: false,
            observed: None,
        }
    }

    /// An input whose first `times` commits fail.
    pub fn commit_failing(tag: i64, times: u32) -> Bump {
        Bump { commit_failures: Arc::new(AtomicU32::new(times)), ..Bump::ok(tag) }
    }

    /// This input is handled alone.
    pub fn exclusive(mut self) -> Bump {
        self.exclusive = true;
        self
    }

    /// When handled, this input reads the committed count (as an input that asks another
    /// entity reads committed state) and notes it in `observed`.
    pub fn observing(mut self, observed: Arc<AtomicI64>) -> Bump {
        self.observed = Some(observed);
        self
    }

    pub fn paused(mut self, pause: Duration) -> Bump {
        self.pause = pause;
        self
    }
}

impl Entity for Counter {
    type Id = String;
    type Input = Bump;
    type Timer = ();
    type Ports = Store;

    const KIND: &'static str = "counter";

    async fn load(store: &Store, tenant: Uuid, id: &String) -> Result<Counter, EntityError> {
        if let Ok(mut loads) = LOADS.lock() {
            *loads.entry(id.clone()).or_default() += 1;
        }
        let (value, applied) = stored(store, tenant, id).await?;
        Ok(Counter { id: id.clone(), value, applied })
    }

    async fn handle(&mut self, store: &Store, input: Bump, meta: &Meta) -> Result<Effects<()>, EntityError> {
        if let Some(observed) = &input.observed {
            observed.store(stored(store, meta.tenant.id, &self.id).await?.0, Ordering::SeqCst);
        }
        // The in-memory state changes first: a failure after it shows whether the retry
        // runs on reloaded state or on what the failed attempt left behind.
        self.value += 1;
        self.applied.push(input.tag);
        tokio::time::sleep(input.pause).await;
        if input.failures.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| left.checked_sub(1)).is_ok() {
            match input.failing {
                // The failure the harness meets most in production: a write that lost its race.
                Failing::Error => return Err(StoreError::Conflict.into()),
                Failing::Panic => panic!("injected panic of input {}", input.tag),
            }
        }
        let applied = self.applied.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        let mut effects = Effects::none();
        // An absolute write, not an increment: a second actor working on stale state would
        // overwrite the first one's count, which the registry's tests would see.
        effects.write(write_sql!(
            "INSERT INTO fixture_counters (tenant, id, value, applied) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (tenant, id) DO UPDATE SET value = excluded.value, applied = excluded.applied",
            meta.tenant.id,
            self.id.as_str(),
            self.value,
            applied
        ));
        // An append per unit, so a unit lost or applied twice shows in the log.
        effects.write(write_sql!(
            "INSERT INTO fixture_log (tenant, id, tag) VALUES ($1, $2, $3)",
            meta.tenant.id,
            self.id.as_str(),
            input.tag
        ));
        if input.commit_failures.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| left.checked_sub(1)).is_ok() {
            effects.write(write_sql!("INSERT INTO fixture_no_such_table (tag) VALUES ($1)", input.tag));
        }
        Ok(effects)
    }

    async fn on_timer(&mut self, _: &Store, _: ()) -> Result<Effects<()>, EntityError> {
        Ok(Effects::none())
    }

    fn timers(&self) -> Vec<(String, DateTime<Utc>, ())> {
        Vec::new()
    }

    fn exclusive(input: &Bump) -> bool {
        input.exclusive
    }
}

/// The committed value and applied tags of counter `id`.
pub async fn stored(store: &Store, tenant: Uuid, id: &str) -> sqlx::Result<(i64, Vec<i64>)> {
    let rows = store.fetch(write_sql!("SELECT value, applied FROM fixture_counters WHERE tenant = $1 AND id = $2", tenant, id)).await?;
    let Some(row) = rows.first() else { return Ok((0, Vec::new())) };
    let applied: String = row.try_get(1)?;
    let tags = applied.split(',').filter(|t| !t.is_empty()).map(str::parse).collect::<Result<_, _>>().map_err(sqlx::Error::decode)?;
    Ok((row.try_get(0)?, tags))
}

/// A store, services and an embedded broker for the counter; the database file goes
/// with it.
pub struct Rig {
    pub runtime: Arc<Runtime>,
    /// The counter's ports: the store.
    pub store: Arc<Store>,
    pub tenant: Tenant,
    file: std::path::PathBuf,
}

/// The publishing port of the rig: keeps what it is handed (the outbox holds the rows; no
/// broker is needed to test the harness).
#[derive(Debug, Default)]
pub struct Published(pub std::sync::Mutex<Vec<crate::store::OutboxRow>>);

impl Publish for Published {
    fn publish(&self, rows: Vec<crate::store::OutboxRow>) {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).extend(rows);
    }
}

impl Rig {
    /// Builds the rig inside a running actix system; inputs are given up after
    /// `max_attempts`.
    pub async fn new(max_attempts: u32) -> Rig {
        let file = std::env::temp_dir().join(format!("atlas-counter-{}.db", Uuid::new_v4()));
        let store = Store::connect(&format!("sqlite://{}?mode=rwc", file.display())).await.expect("store");
        sqlx::raw_sql(
            "CREATE TABLE fixture_counters (tenant TEXT NOT NULL, id TEXT NOT NULL, value BIGINT NOT NULL, \
             applied TEXT NOT NULL, PRIMARY KEY (tenant, id))",
        )
        .execute(store.pool())
        .await
        .expect("counter table");
        sqlx::raw_sql("CREATE TABLE fixture_log (tenant TEXT NOT NULL, id TEXT NOT NULL, tag BIGINT NOT NULL)")
            .execute(store.pool())
            .await
            .expect("log table");
        let metrics = Arc::new(Metrics::new());
        let publisher: Arc<dyn Publish> = Arc::new(Published::default());
        let runtime = Arc::new(Runtime { store: store.clone(), publisher, topics: Topics::default(), metrics, max_attempts });
        let tenant = Tenant { id: Uuid::new_v4(), region: "GMS".into(), major: 83, minor: 1 };
        Rig { runtime, store: Arc::new(store), tenant, file }
    }

    /// The metadata of an input of this rig's tenant.
    pub fn meta(&self) -> Meta {
        Meta { tenant: self.tenant.clone(), position: None, trace: Vec::new() }
    }

    /// The metadata of an input read from offset `offset` of a fixture partition.
    pub fn meta_at(&self, offset: i64) -> Meta {
        let position = crate::store::Position { topic: "fixture".into(), partition: 0, offset };
        Meta { position: Some(position), ..self.meta() }
    }

    /// The tags of counter `id`'s committed units, in the order committed.
    pub async fn log(&self, id: &str) -> Vec<i64> {
        let rows = sqlx::query("SELECT tag FROM fixture_log WHERE tenant = $1 AND id = $2 ORDER BY rowid")
            .bind(self.tenant.id.to_string())
            .bind(id.to_string())
            .fetch_all(self.store.pool())
            .await
            .expect("log");
        rows.iter().map(|row| row.try_get(0).expect("tag")).collect()
    }

    /// The committed value and applied tags of counter `id`.
    pub async fn stored(&self, id: &str) -> (i64, Vec<i64>) {
        stored(&self.store, self.tenant.id, id).await.expect("stored counter")
    }

    /// Restarts of counter actors so far.
    pub fn restarts(&self) -> u64 {
        self.runtime.metrics.actor_restarts.with_label_values(&[Counter::KIND]).get()
    }
}

impl Drop for Rig {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.file.display()));
        }
    }
}
