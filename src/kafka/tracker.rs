//! Commit tracking: records of one partition finish out of order (different entities run
//! in parallel), but a partition's committed offset may only pass records that are all
//! durable. The tracker keeps, per partition, the offsets in flight and the highest seen;
//! the committable offset is the lowest in flight, or one past the highest seen.
//!
//! Each assignment of a partition is an epoch: completions from before a revoke are
//! ignored, so they cannot move the offset of a later assignment.

use std::collections::{BTreeSet, HashMap};

#[derive(Debug, Default)]
struct PartitionState {
    epoch: u64,
    in_flight: BTreeSet<i64>,
    highest: Option<i64>,
}

/// A record being processed: its partition, the partition's epoch, its offset.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ticket {
    pub topic: String,
    pub partition: i32,
    pub epoch: u64,
    pub offset: i64,
}

#[derive(Debug, Default)]
pub struct Tracker {
    partitions: HashMap<(String, i32), PartitionState>,
    next_epoch: u64,
    in_flight: usize,
}

impl Tracker {
    pub fn begin(&mut self, topic: &str, partition: i32, offset: i64) -> Ticket {
        let key = (topic.to_string(), partition);
        if !self.partitions.contains_key(&key) {
            self.next_epoch += 1;
            let state = PartitionState { epoch: self.next_epoch, ..Default::default() };
            self.partitions.insert(key.clone(), state);
        }
        let state = self.partitions.get_mut(&key).expect("inserted above");
        state.in_flight.insert(offset);
        state.highest = Some(state.highest.map_or(offset, |h| h.max(offset)));
        self.in_flight += 1;
        Ticket { topic: key.0, partition, epoch: state.epoch, offset }
    }

    /// Marks a record durable; returns the partition's new committable offset (the next
    /// offset to consume), if the ticket belongs to the current assignment.
    pub fn complete(&mut self, ticket: &Ticket) -> Option<i64> {
        let state = self.partitions.get_mut(&(ticket.topic.clone(), ticket.partition))?;
        if state.epoch != ticket.epoch || !state.in_flight.remove(&ticket.offset) {
            return None;
        }
        self.in_flight -= 1;
        Some(match state.in_flight.first() {
            Some(lowest) => *lowest,
            None => state.highest.map_or(ticket.offset + 1, |h| h + 1),
        })
    }

    /// Forgets a revoked partition; its in-flight records no longer count.
    pub fn revoke(&mut self, topic: &str, partition: i32) {
        if let Some(state) = self.partitions.remove(&(topic.to_string(), partition)) {
            self.in_flight -= state.in_flight.len();
        }
    }

    /// Records in flight over all partitions.
    pub fn in_flight(&self) -> usize {
        self.in_flight
    }
}

#[cfg(test)]
mod tests {
    use super::Tracker;

    #[test]
    fn commit_point_waits_for_the_lowest_record_in_flight() {
        let mut t = Tracker::default();
        let a = t.begin("t", 0, 10);
        let b = t.begin("t", 0, 11);
        let c = t.begin("t", 0, 12);
        assert_eq!(t.complete(&c), Some(10));
        assert_eq!(t.complete(&a), Some(11));
        assert_eq!(t.complete(&b), Some(13));
        assert_eq!(t.in_flight(), 0);
    }

    #[test]
    fn completions_from_a_revoked_assignment_are_ignored() {
        let mut t = Tracker::default();
        let old = t.begin("t", 1, 5);
        t.revoke("t", 1);
        let new = t.begin("t", 1, 5);
        assert_eq!(t.complete(&old), None);
        assert_eq!(t.in_flight(), 1);
        assert_eq!(t.complete(&new), Some(6));
    }
}
