//! Storage: sqlx over PostgreSQL or SQLite, picked by the URL scheme, with the schema in
//! `migrations/{postgres,sqlite}` applied at start-up.
//!
//! Both engines go through sqlx's `Any` driver with portable SQL (`$n` parameters,
//! `ON CONFLICT`, `RETURNING`), so every query is written once. Column types are
//! limited to what both engines share: BIGINT and TEXT (ids, instants in microseconds,
//! booleans as 0/1).

mod chunks;
mod engine;
mod error;
mod group_commit;
mod instances;
mod log_fence;
mod native;
mod outbox;
mod positions;
mod unit;

pub use error::{StoreError, StoreResult};
pub use group_commit::{CommitStats, Fence};
pub use log_fence::{Discarded, LogOrigin};
pub use outbox::{OutboxRow, Output};
pub use positions::{EntityRef, Position, Positions};
pub use unit::{Arg, Rows, Statement, Write};

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor as _};
use std::sync::Arc;
use std::time::Duration;

/// The SQLite file used when no database is configured.
pub const DEFAULT_SQLITE_FILE: &str = "data/atlas-actors.db";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

/// Connections for reads and the rare writes outside the committer, per engine.
const READ_CONNECTIONS_POSTGRES: u32 = 16;
/// One writer at a time is SQLite's rule (the committer has its own connection); readers
/// run beside it under WAL.
const READ_CONNECTIONS_SQLITE: u32 = 4;

/// A connection pool with its migrations applied. Cheap to clone.
///
/// The group committer writes through a connection of its own: were it to share the pool,
/// its `BEGIN` would queue behind every read, and a burst of activations (a load is three
/// reads) could hold it past the pool's acquire timeout, failing whole batches, whose actors
/// then reload, which is more reads. Reads wait for a permit of `reads` (one per
/// connection) instead of in the pool's queue, so a burst of them is served in turn rather
/// than timed out.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    reads: Arc<tokio::sync::Semaphore>,
    backend: Backend,
    committer: tokio::sync::mpsc::UnboundedSender<group_commit::Job>,
    commit_stats: CommitStats,
    /// This process among those sharing the database: the owner of the outbox rows it writes.
    instance: Arc<str>,
}

static MIGRATE_POSTGRES: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");
static MIGRATE_SQLITE: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");

impl Store {
    /// Connects to `url` (`postgres://…` or `sqlite://…`) and applies the migrations.
    pub async fn connect(url: &str) -> StoreResult<Store> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("postgres") {
            Backend::Postgres
        } else if url.starts_with("sqlite") {
            Backend::Sqlite
        } else {
            return Err(StoreError::UnsupportedUrl(redact(url)));
        };
        if backend == Backend::Sqlite {
            create_parent_dir(url)?;
        }
        let connections = match backend {
            Backend::Postgres => READ_CONNECTIONS_POSTGRES,
            Backend::Sqlite => READ_CONNECTIONS_SQLITE,
        };
        let pool = open(url, backend, connections).await?;
        if backend == Backend::Sqlite {
            pool.execute("PRAGMA journal_mode = WAL").await?;
        }
        let migrations = match backend {
            Backend::Postgres => &MIGRATE_POSTGRES,
            Backend::Sqlite => &MIGRATE_SQLITE,
        };
        // A second process may be migrating the same database: retry once on a conflict.
        if migrate(&pool, migrations).await.is_err() {
            migrate(&pool, migrations).await?;
        }
        let instance: Arc<str> = uuid::Uuid::new_v4().to_string().into();
        instances::beat(&pool, &instance).await?;
        // SQLite's committer runs its statements natively on its own thread; PostgreSQL's
        // (and an in-memory SQLite database's, which only the pool can share) go through sqlx.
        let started = match native::NativeSqlite::open(url).filter(|_| backend == Backend::Sqlite) {
            Some(native) => group_commit::start(native?, instance.clone()),
            None => group_commit::start(engine::Pooled(open(url, backend, 1).await?), instance.clone()),
        };
        let (committer, commit_stats) = started.map_err(StoreError::Committer)?;
        let reads = Arc::new(tokio::sync::Semaphore::new(connections as usize));
        Ok(Store { pool, reads, backend, committer, commit_stats, instance })
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The group committer's counters, for `/metrics`.
    pub fn commit_stats(&self) -> &CommitStats {
        &self.commit_stats
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// True when the database answers.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").fetch_one(&self.pool).await.is_ok()
    }

    /// Runs a [`Rows`] statement as a read for many rows of arguments (`rows[i]` holds one
    /// row's `arity` values), a chunk per statement (see `chunks`), and returns every row
    /// it finds.
    pub async fn fetch_rows(&self, statement: &'static Rows, rows: Vec<Vec<Arg>>) -> sqlx::Result<Vec<AnyRow>> {
        let _turn = self.reads.acquire().await.map_err(|_| sqlx::Error::PoolClosed)?;
        let mut found = Vec::new();
        let mut rows = rows.into_iter();
        for size in chunks::sizes(rows.len()) {
            let sql = statement.sql(size);
            let args = rows.by_ref().take(size).flatten();
            found.extend(unit::bind(sqlx::query(&sql), args).fetch_all(&self.pool).await?);
        }
        Ok(found)
    }

    /// Runs one read statement and returns its rows.
    pub async fn fetch(&self, write: Write) -> sqlx::Result<Vec<AnyRow>> {
        let _turn = self.reads.acquire().await.map_err(|_| sqlx::Error::PoolClosed)?;
        let sql = write.sql();
        unit::bind(sqlx::query(&sql), write.args).fetch_all(&self.pool).await
    }

    /// Applies one entity's unit of work atomically: its state writes, the position of the
    /// record that caused them, and its outputs into the outbox. Returns the outbox rows to
    /// publish once committed. Units of concurrent callers share one transaction (group
    /// commit), each isolated by a savepoint.
    pub async fn commit(
        &self,
        writes: Vec<Write>,
        position: Option<(&EntityRef, &Position)>,
        outputs: Vec<Output>,
    ) -> StoreResult<Vec<OutboxRow>> {
        let position = position.map(|(entity, position)| (entity.clone(), position.clone()));
        self.submit(writes, position, outputs, None).await.unwrap_or(Err(StoreError::Closed))
    }

    /// Hands a unit of work to the committer without waiting: the receiver answers once it
    /// is durable (with its outbox rows) or refused. Units handed over by one caller are
    /// committed in that order; those sharing `fence` are refused once one of them failed.
    pub fn submit(
        &self,
        writes: Vec<Write>,
        position: Option<(EntityRef, Position)>,
        outputs: Vec<Output>,
        fence: Option<Arc<Fence>>,
    ) -> tokio::sync::oneshot::Receiver<StoreResult<Vec<OutboxRow>>> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let unit = group_commit::Unit { writes, position, outputs, fence, reply };
        // A closed committer drops the reply sender: the receiver then reads as closed.
        let _ = self.committer.send(group_commit::Job::Unit(unit));
        answer
    }

    /// This process's id among those sharing the database.
    pub fn instance(&self) -> &str {
        &self.instance
    }

    /// This process's outbox rows not yet acknowledged by the broker, oldest first.
    pub async fn pending_outbox(&self) -> sqlx::Result<Vec<OutboxRow>> {
        outbox::pending(&self.pool, &self.instance).await
    }

    /// Takes over the outbox rows nobody owns and those of processes silent for longer
    /// than `lease`, oldest first, and forgets those processes.
    pub async fn adopt_outbox(&self, lease: Duration) -> sqlx::Result<Vec<OutboxRow>> {
        let cutoff = instances::cutoff(lease);
        let rows = outbox::adopt(&self.pool, &self.instance, cutoff).await?;
        instances::forget_silent(&self.pool, cutoff).await?;
        Ok(rows)
    }

    /// Other processes holding unpublished outbox rows.
    pub async fn other_outbox_owners(&self) -> sqlx::Result<Vec<String>> {
        outbox::other_owners(&self.pool, &self.instance).await
    }

    /// Refreshes this process's heartbeat.
    pub async fn heartbeat(&self) -> sqlx::Result<()> {
        instances::beat(&self.pool, &self.instance).await
    }

    /// The last heartbeat (Unix ms) of the process `id`, if registered.
    pub async fn last_heartbeat(&self, id: &str) -> sqlx::Result<Option<i64>> {
        instances::last_beat(&self.pool, id).await
    }

    /// Deregisters this process; its unpublished rows become anyone's.
    pub async fn leave(&self) -> sqlx::Result<()> {
        instances::leave(&self.pool, &self.instance).await
    }

    /// Forgets outbox rows the broker acknowledged, in the committer's next transaction.
    pub async fn delete_outbox(&self, ids: &[i64]) -> StoreResult<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let (reply, answer) = tokio::sync::oneshot::channel();
        let forget = group_commit::Forget { ids: ids.to_vec(), reply };
        if self.committer.send(group_commit::Job::Forget(forget)).is_err() {
            return Err(StoreError::Closed);
        }
        answer.await.unwrap_or(Err(StoreError::Closed))
    }

    /// Records the log each consumed topic now reads (topic → log id) and discards the
    /// positions of topics whose log changed; returns what was discarded.
    pub async fn fence_positions(&self, current: &[(String, String)], origin: LogOrigin) -> sqlx::Result<Vec<Discarded>> {
        log_fence::fence(&self.pool, current, origin).await
    }

    /// The stored positions of one entity.
    pub async fn positions(&self, entity: &EntityRef) -> sqlx::Result<Positions> {
        let _turn = self.reads.acquire().await.map_err(|_| sqlx::Error::PoolClosed)?;
        positions::load(&self.pool, entity).await
    }
}

/// A pool of at most `connections` connections to `url`, with the engine's session settings.
async fn open(url: &str, backend: Backend, connections: u32) -> StoreResult<AnyPool> {
    let options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(10)).max_connections(connections);
    let options = match backend {
        Backend::Postgres => options,
        Backend::Sqlite => options.after_connect(|conn, _| {
            Box::pin(async move {
                conn.execute("PRAGMA busy_timeout = 10000").await?;
                conn.execute("PRAGMA synchronous = NORMAL").await?;
                Ok(())
            })
        }),
    };
    options.connect(url).await.map_err(|source| StoreError::Connect { url: redact(url), source })
}

/// Applies the migrations not yet recorded in `atlas_migrations`, each in its own
/// transaction with its record. Migrations are known by file name (not by number and
/// checksum, as sqlx's runner does), so schema files added on parallel branches never
/// collide.
async fn migrate(pool: &AnyPool, migrations: &sqlx::migrate::Migrator) -> StoreResult<()> {
    sqlx::raw_sql("CREATE TABLE IF NOT EXISTS atlas_migrations (name TEXT PRIMARY KEY)").execute(pool).await?;
    let applied: Vec<String> = sqlx::query_scalar("SELECT name FROM atlas_migrations").fetch_all(pool).await?;
    for migration in migrations.iter() {
        let name = format!("{:04}_{}", migration.version, migration.description);
        if applied.contains(&name) {
            continue;
        }
        let mut tx = pool.begin().await?;
        sqlx::raw_sql(&migration.sql).execute(&mut *tx).await.map_err(|source| StoreError::Migration { name: name.clone(), source })?;
        sqlx::query("INSERT INTO atlas_migrations (name) VALUES ($1)").bind(name).execute(&mut *tx).await?;
        tx.commit().await?;
    }
    Ok(())
}

/// The file of a SQLite URL (`sqlite://path?…`, `sqlite:path`); `None` for an in-memory
/// database or another engine's URL.
fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    (!path.is_empty() && path != ":memory:" && !query.contains("mode=memory")).then_some(path)
}

fn create_parent_dir(url: &str) -> StoreResult<()> {
    let Some(path) = sqlite_path(url) else { return Ok(()) };
    if let Some(parent) = std::path::Path::new(path).parent() {
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::Directory { path: parent.display().to_string(), source })?;
        }
    }
    Ok(())
}

/// The URL without its password, for logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..scheme + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}
