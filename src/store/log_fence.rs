//! Positions are offsets, and offsets only mean something in the log they were read from.
//! Each consumed topic's log identity (cluster id and topic id) is stored; at start-up a
//! topic whose log changed (recreated, another cluster, a fresh embedded broker) has its
//! positions discarded, so its records are applied instead of being taken for
//! redeliveries of records the old log held at the same offsets.

use sqlx::{AnyPool, Row as _};

/// The positions of one topic discarded because they came from another log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discarded {
    pub topic: String,
    /// The log they came from, when it was recorded.
    pub previous: Option<String>,
    /// How many entity positions were dropped.
    pub positions: u64,
}

/// Where a topic's current log identity comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogOrigin {
    /// A broker this process just started: its logs are new, whatever was stored before.
    Fresh,
    /// A broker that may have outlived this process: positions stored without an identity
    /// (by a version that did not record one) are kept.
    Existing,
}

/// Records `current` (topic → log id) and drops the positions of every topic whose stored
/// log differs, in one transaction.
pub(super) async fn fence(pool: &AnyPool, current: &[(String, String)], origin: LogOrigin) -> sqlx::Result<Vec<Discarded>> {
    let mut tx = pool.begin().await?;
    let mut discarded = Vec::new();
    for (topic, log_id) in current {
        let stored: Option<String> = sqlx::query("SELECT log_id FROM log_identities WHERE topic = $1")
            .bind(topic.clone())
            .fetch_optional(&mut *tx)
            .await?
            .map(|row| row.try_get(0))
            .transpose()?;
        let stale = match &stored {
            Some(previous) => previous != log_id,
            None => origin == LogOrigin::Fresh,
        };
        if stale {
            let deleted = sqlx::query("DELETE FROM entity_positions WHERE topic = $1").bind(topic.clone()).execute(&mut *tx).await?;
            if deleted.rows_affected() > 0 {
                discarded.push(Discarded { topic: topic.clone(), previous: stored.clone(), positions: deleted.rows_affected() });
            }
        }
        if stored.as_deref() != Some(log_id.as_str()) {
            sqlx::query(
                "INSERT INTO log_identities (topic, log_id) VALUES ($1, $2) \
                 ON CONFLICT (topic) DO UPDATE SET log_id = excluded.log_id",
            )
            .bind(topic.clone())
            .bind(log_id.clone())
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;
    Ok(discarded)
}
