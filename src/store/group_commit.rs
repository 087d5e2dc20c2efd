//! Group commit: units of work from many actors are committed together in one
//! transaction, so the database does one commit per batch instead of one per record. A
//! unit that fails is refused alone (see [`commit_batch`]); no unit is answered before the
//! batch's commit succeeded. Deleting published outbox rows rides along in the same
//! transactions, so the committer is the only writer on the hot path (SQLite has one
//! writer at a time; a second one would wait in its busy handler).

use super::engine::{Engine, Tx};
use super::unit::{Rows, Statement};
use super::{outbox, positions, EntityRef, OutboxRow, Output, Position, StoreError, StoreResult, Write};
use std::collections::HashSet;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// Most units committed in one transaction.
const BATCH: usize = 256;

/// One entity's state writes, the position of the record that caused them, and its outputs.
pub(super) struct Unit {
    pub writes: Vec<Write>,
    pub position: Option<(EntityRef, Position)>,
    pub outputs: Vec<Output>,
    /// Shared with the entity's other units in flight: see [`Fence`].
    pub fence: Option<Arc<Fence>>,
    pub reply: oneshot::Sender<StoreResult<Vec<OutboxRow>>>,
}

/// Shared by the units one entity hands over without waiting for each other (write-behind
/// pipelining): the entity computed each on the state its earlier ones left, so once one of
/// them fails to commit, the later ones are refused unapplied ([`StoreError::Fenced`]). Units
/// of one entity reach the committer in the order they were handed over, and the committer
/// handles them in that order, so a refused unit never overtakes the failure it follows.
#[derive(Debug, Default)]
pub struct Fence(std::sync::atomic::AtomicBool);

impl Fence {
    fn broken(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::Acquire)
    }

    fn close(&self) {
        self.0.store(true, std::sync::atomic::Ordering::Release);
    }
}

fn closed(fence: &Option<Arc<Fence>>) -> bool {
    fence.as_ref().is_some_and(|f| f.broken())
}

/// What the committer did, for `/metrics`: how full its batches are and how much of the
/// time it is busy tell whether the store is what a burst waits for.
#[derive(Debug, Clone)]
pub struct CommitStats {
    /// Transactions committed or attempted.
    pub batches: prometheus::IntCounter,
    /// Units in those transactions.
    pub units: prometheus::IntCounter,
    /// Time spent in transactions (from `BEGIN` to the answers), in seconds.
    pub busy_seconds: prometheus::Counter,
}

impl CommitStats {
    fn new() -> CommitStats {
        let counter = |name: &str, help: &str| prometheus::IntCounter::new(name, help).expect("valid metric");
        CommitStats {
            batches: counter("atlas_commit_batches_total", "Transactions of the group committer"),
            units: counter("atlas_commit_units_total", "Units of work committed by the group committer"),
            busy_seconds: prometheus::Counter::new("atlas_commit_busy_seconds_total", "Time the group committer spent in transactions")
                .expect("valid metric"),
        }
    }
}

/// Outbox rows the broker acknowledged, to delete.
pub(super) struct Forget {
    pub ids: Vec<i64>,
    pub reply: oneshot::Sender<StoreResult<()>>,
}

pub(super) enum Job {
    Unit(Unit),
    Forget(Forget),
}

/// Starts the committer on a thread of its own. Outbox rows are written owned by
/// `instance`.
///
/// A batch is a chain of statements: function calls on this thread with the native SQLite
/// engine, round trips to the server with sqlx's (PostgreSQL). On a runtime shared with the
/// consumer and the publisher every round trip would also wait its turn behind their tasks,
/// so the committer gets a runtime of its own and only ever waits for the database.
pub(super) fn start<E: Engine + Send + 'static>(
    engine: E,
    instance: Arc<str>,
) -> std::io::Result<(mpsc::UnboundedSender<Job>, CommitStats)> {
    let (tx, rx) = mpsc::unbounded_channel();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let stats = CommitStats::new();
    let counted = stats.clone();
    std::thread::Builder::new().name("group-commit".into()).spawn(move || runtime.block_on(run(engine, instance, rx, counted)))?;
    Ok((tx, stats))
}

async fn run(mut engine: impl Engine, instance: Arc<str>, mut rx: mpsc::UnboundedReceiver<Job>, stats: CommitStats) {
    while let Some(first) = rx.recv().await {
        let started = std::time::Instant::now();
        let (mut units, mut forgets) = (Vec::new(), Vec::new());
        let mut next = Some(first);
        while let Some(job) = next.take() {
            match job {
                Job::Unit(unit) => units.push(unit),
                Job::Forget(forget) => forgets.push(forget),
            }
            if units.len() < BATCH {
                next = rx.try_recv().ok();
            }
        }
        let forgotten: Vec<i64> = forgets.iter().flat_map(|f| f.ids.iter().copied()).collect();
        // Units behind a failed one of their entity are refused before the batch starts.
        let (fenced, units): (Vec<_>, Vec<_>) = units.into_iter().partition(|u| closed(&u.fence));
        for unit in fenced {
            let _ = unit.reply.send(Err(StoreError::Fenced));
        }
        let mut replies = Vec::with_capacity(units.len());
        let mut fences = Vec::with_capacity(units.len());
        let mut parts = Vec::with_capacity(units.len());
        for unit in units {
            replies.push(unit.reply);
            fences.push(unit.fence);
            parts.push((unit.writes, unit.position, unit.outputs));
        }
        stats.batches.inc();
        stats.units.inc_by(parts.len() as u64);
        let outcome = commit_batch(&mut engine, &instance, &forgotten, parts, &fences).await;
        stats.busy_seconds.inc_by(started.elapsed().as_secs_f64());
        match outcome {
            Ok(results) => {
                for ((reply, fence), result) in replies.into_iter().zip(&fences).zip(results) {
                    if result.is_err() {
                        fence.iter().for_each(|f| f.close());
                    }
                    let _ = reply.send(result);
                }
                for forget in forgets {
                    let _ = forget.reply.send(Ok(()));
                }
            }
            Err(error) => {
                let error = Arc::new(error);
                let failed = || StoreError::Batch(error.clone());
                fences.iter().flatten().for_each(|f| f.close());
                for reply in replies {
                    let _ = reply.send(Err(failed()));
                }
                for forget in forgets {
                    let _ = forget.reply.send(Err(failed()));
                }
            }
        }
    }
}

type Parts = (Vec<Write>, Option<(EntityRef, Position)>, Vec<Output>);

/// Commits a batch. Units rarely fail, so the batch first runs without savepoints (two
/// statements fewer per unit); if any unit fails, that attempt is rolled back and the batch
/// runs again with a savepoint per unit, so only the failing units are refused.
/// `fences[i]` is the fence of `units[i]` (missing: none).
async fn commit_batch(
    engine: &mut impl Engine,
    instance: &str,
    forgotten: &[i64],
    units: Vec<Parts>,
    fences: &[Option<Arc<Fence>>],
) -> StoreResult<Vec<StoreResult<Vec<OutboxRow>>>> {
    if units.len() > 1 {
        if let Ok(rows) = commit_whole(engine, instance, forgotten, units.clone()).await {
            return Ok(rows.into_iter().map(Ok).collect());
        }
    }
    commit_isolated(engine, instance, forgotten, units, fences).await
}

/// The whole batch with one statement per kind where possible: the units' state writes
/// (rows of one [`Rows`] statement together, see [`write_together`]), then every position
/// in one upsert and every output in one insert.
async fn commit_whole(engine: &mut impl Engine, instance: &str, forgotten: &[i64], units: Vec<Parts>) -> StoreResult<Vec<Vec<OutboxRow>>> {
    let mut tx = engine.begin().await?;
    outbox::delete(&mut tx, forgotten).await?;
    let mut positions = Vec::new();
    let mut outputs = Vec::new();
    let mut counts = Vec::with_capacity(units.len());
    let mut segment = Vec::new();
    let mut entities = HashSet::new();
    for (writes, position, unit_outputs) in units {
        // Two units of one entity never share a statement: the second starts a new segment.
        if let Some((entity, _)) = &position {
            if !entities.insert(entity.clone()) {
                write_together(&mut tx, std::mem::take(&mut segment)).await?;
                entities.clear();
                entities.insert(entity.clone());
            }
        }
        segment.push(writes);
        positions.extend(position);
        counts.push(unit_outputs.len());
        outputs.extend(unit_outputs);
    }
    write_together(&mut tx, segment).await?;
    positions::save_all(&mut tx, &latest(positions)).await?;
    let mut rows = outbox::insert_all(&mut tx, outputs, instance).await?.into_iter();
    tx.commit().await?;
    Ok(counts.into_iter().map(|n| rows.by_ref().take(n).collect()).collect())
}

/// The last position of each entity and partition: an upsert must not meet one key twice
/// (PostgreSQL refuses that), and a later record of one entity covers its earlier ones.
fn latest(positions: Vec<(EntityRef, Position)>) -> Vec<(EntityRef, Position)> {
    let mut last: Vec<(EntityRef, Position)> = Vec::with_capacity(positions.len());
    let mut seen = std::collections::HashMap::with_capacity(positions.len());
    for (entity, position) in positions {
        let key = (entity.clone(), position.topic.clone(), position.partition);
        match seen.get(&key) {
            Some(&at) => {
                let kept: &mut (EntityRef, Position) = &mut last[at];
                kept.1.offset = kept.1.offset.max(position.offset);
            }
            None => {
                seen.insert(key, last.len());
                last.push((entity, position));
            }
        }
    }
    last
}

/// Each unit under a savepoint of its own, in order; a unit that fails closes its fence, so
/// the later units of its entity in this batch are refused (see [`Fence`]).
async fn commit_isolated(
    engine: &mut impl Engine,
    instance: &str,
    forgotten: &[i64],
    units: Vec<Parts>,
    fences: &[Option<Arc<Fence>>],
) -> StoreResult<Vec<StoreResult<Vec<OutboxRow>>>> {
    let mut tx = engine.begin().await?;
    outbox::delete(&mut tx, forgotten).await?;
    let mut results = Vec::with_capacity(units.len());
    // Fences are closed for good only once the batch's answers go out; within the batch a
    // local mark does, as this transaction may still fail as a whole.
    let mut failed: Vec<&Arc<Fence>> = Vec::new();
    for (i, (writes, position, outputs)) in units.into_iter().enumerate() {
        let fence = fences.get(i).and_then(Option::as_ref);
        if fence.is_some_and(|f| failed.iter().any(|known| Arc::ptr_eq(known, f))) {
            results.push(Err(StoreError::Fenced));
            continue;
        }
        tx.batch("SAVEPOINT unit").await?;
        match apply(&mut tx, instance, writes, position, outputs).await {
            Ok(rows) => {
                tx.batch("RELEASE SAVEPOINT unit").await?;
                results.push(Ok(rows));
            }
            Err(error) => {
                tx.batch("ROLLBACK TO SAVEPOINT unit; RELEASE SAVEPOINT unit").await?;
                failed.extend(fence);
                results.push(Err(error));
            }
        }
    }
    tx.commit().await?;
    Ok(results)
}

async fn apply(
    tx: &mut impl Tx,
    instance: &str,
    writes: Vec<Write>,
    position: Option<(EntityRef, Position)>,
    outputs: Vec<Output>,
) -> StoreResult<Vec<OutboxRow>> {
    apply_writes(tx, writes).await?;
    positions::save_all(tx, position.as_slice()).await?;
    outbox::insert_all(tx, outputs, instance).await
}

async fn apply_writes(tx: &mut impl Tx, writes: Vec<Write>) -> StoreResult<()> {
    for write in writes {
        execute(tx, write).await?;
    }
    Ok(())
}

/// Runs one write alone.
async fn execute(tx: &mut impl Tx, write: Write) -> StoreResult<()> {
    let sql = write.sql();
    let changed = tx.execute(&sql, write.args).await?;
    if write.must_change && changed == 0 {
        return Err(StoreError::Conflict);
    }
    Ok(())
}

/// Runs the state writes of units of distinct entities. A unit whose writes are all
/// [`Rows`] statements takes part in rounds: the first writes of all such units, then the
/// second writes, and so on, the rows of one statement in a round written together, so each
/// unit's writes still run in its order. Units with any other write run alone, one after the
/// other, as they came (such a statement may touch rows another unit reads or writes).
async fn write_together(tx: &mut impl Tx, units: Vec<Vec<Write>>) -> StoreResult<()> {
    let (rows_only, other): (Vec<_>, Vec<_>) =
        units.into_iter().partition(|writes| writes.iter().all(|w| matches!(w.statement, Statement::Rows(_))));
    for writes in other {
        apply_writes(tx, writes).await?;
    }
    let rounds = rows_only.iter().map(Vec::len).max().unwrap_or(0);
    let mut units: Vec<_> = rows_only.into_iter().map(Vec::into_iter).collect();
    for _ in 0..rounds {
        let mut statements: Vec<(&'static Rows, Vec<Write>)> = Vec::new();
        for write in units.iter_mut().filter_map(|unit| unit.next()) {
            let Statement::Rows(rows) = write.statement else { continue };
            match statements.iter_mut().find(|(known, _)| std::ptr::eq(*known, rows)) {
                Some((_, writes)) => writes.push(write),
                None => statements.push((rows, vec![write])),
            }
        }
        for (rows, writes) in statements {
            write_rows(tx, rows, writes).await?;
        }
    }
    Ok(())
}

/// Writes the rows of one statement, a chunk per statement (see [`super::chunks`]). A
/// guarded write runs alone: the count of changed rows must be its own.
async fn write_rows(tx: &mut impl Tx, rows: &'static Rows, writes: Vec<Write>) -> StoreResult<()> {
    let (guarded, writes): (Vec<_>, Vec<_>) = writes.into_iter().partition(|w| w.must_change);
    for write in guarded {
        execute(tx, write).await?;
    }
    let mut writes = writes.into_iter();
    for size in super::chunks::sizes(writes.len()) {
        let sql = rows.sql(size);
        let args = writes.by_ref().take(size).flat_map(|w| w.args).collect();
        tx.execute(&sql, args).await?;
    }
    Ok(())
}

#[cfg(test)]
#[path = "group_commit_tests.rs"]
mod tests;
