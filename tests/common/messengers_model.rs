//! A reference model of messenger traffic whose outcome does not depend on how records of
//! different characters interleave: groups of three characters, each group on a
//! messenger of its own. The first creates it; once its id is known (from the `CREATED`
//! event), the second and third join and the third leaves again. Every group must end as
//! {creator, second} and cause exactly its four events.

use super::Seen;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One group: creator, the one who stays, the one who leaves again.
#[derive(Debug, Clone, Copy)]
pub struct Group {
    pub creator: u32,
    pub stays: u32,
    pub leaves: u32,
}

/// `count` groups of characters numbered from `first`.
pub fn groups(count: u32, first: u32) -> Vec<Group> {
    (0..count).map(|g| Group { creator: first + 3 * g, stays: first + 3 * g + 1, leaves: first + 3 * g + 2 }).collect()
}

/// The command that opens the group's messenger.
pub fn create(group: &Group) -> (u32, Value) {
    (group.creator, json!({"actorId": group.creator, "type": "CREATE", "body": {}}))
}

/// The commands that fill the group's messenger once its id is known: two joins, one
/// leave (keyed by character, so the leave follows its join).
pub fn fill(group: &Group, messenger: u32) -> Vec<(u32, Value)> {
    let join = |c: u32| (c, json!({"actorId": c, "type": "JOIN", "body": {"messengerId": messenger}}));
    vec![
        join(group.stays),
        join(group.leaves),
        (group.leaves, json!({"actorId": group.leaves, "type": "LEAVE", "body": {"messengerId": messenger}})),
    ]
}

/// The events one group must cause, by (type, actor, messenger).
pub fn expected(group: &Group, messenger: u32) -> Vec<(String, u32, u32)> {
    vec![
        ("CREATED".into(), group.creator, messenger),
        ("JOINED".into(), group.stays, messenger),
        ("JOINED".into(), group.leaves, messenger),
        ("LEFT".into(), group.leaves, messenger),
    ]
}

/// The messenger each creator's `CREATED` event names.
pub fn created(events: &[Seen]) -> HashMap<u32, u32> {
    events
        .iter()
        .map(Seen::json)
        .filter(|e| e["type"] == "CREATED")
        .filter_map(|e| Some((e["actorId"].as_u64()? as u32, e["messengerId"].as_u64()? as u32)))
        .collect()
}

/// Counts the events seen by (type, actor, messenger).
pub fn counts(events: &[Seen]) -> HashMap<(String, u32, u32), usize> {
    let mut counts = HashMap::new();
    for event in events.iter().map(Seen::json) {
        let key = (
            event["type"].as_str().unwrap_or_default().to_string(),
            event["actorId"].as_u64().unwrap_or_default() as u32,
            event["messengerId"].as_u64().unwrap_or_default() as u32,
        );
        *counts.entry(key).or_insert(0) += 1;
    }
    counts
}

/// The members of every messenger of the tenant, from `GET /api/messengers`.
pub fn stored(listing: &Value) -> BTreeMap<u32, BTreeSet<u32>> {
    let mut stored = BTreeMap::new();
    for messenger in listing["data"].as_array().into_iter().flatten() {
        let id: u32 = messenger["id"].as_str().and_then(|id| id.parse().ok()).unwrap_or_default();
        let members = messenger["relationships"]["members"]["data"].as_array().into_iter().flatten();
        let members: BTreeSet<u32> = members.filter_map(|m| m["id"].as_str()?.parse().ok()).collect();
        stored.insert(id, members);
    }
    stored
}

/// The members the model leaves in each messenger.
pub fn model(groups: &[Group], messengers: &HashMap<u32, u32>) -> BTreeMap<u32, BTreeSet<u32>> {
    groups.iter().filter_map(|g| Some((*messengers.get(&g.creator)?, BTreeSet::from([g.creator, g.stays])))).collect()
}
