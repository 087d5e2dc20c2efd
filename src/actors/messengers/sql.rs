//! Storage of messengers (seats, written by each messenger's actor), the character
//! registry (written by each character's actor), the per-tenant id counter and the
//! outcomes of requests between the two (spec 30 §9).

use super::room::Outcome;
use super::{Entry, Seat, FIRST_ID};
use crate::store::{Store, Write};
use crate::write_sql;
use sqlx::Row;
use std::collections::HashMap;
use uuid::Uuid;

// Room writes are guarded by the members they replace, so a stale copy of a messenger
// (another process's actor) cannot overwrite a newer one: its unit fails and it reloads.
const INSERT_ROOM: &str = "INSERT INTO messenger_rooms (tenant_id, messenger_id, members) VALUES ($1, $2, $3) \
     ON CONFLICT (tenant_id, messenger_id) DO NOTHING";
const UPDATE_ROOM: &str = "UPDATE messenger_rooms SET members = $4 WHERE tenant_id = $1 AND messenger_id = $2 AND members = $3";
const DELETE_ROOM: &str = "DELETE FROM messenger_rooms WHERE tenant_id = $1 AND messenger_id = $2 AND members = $3";
const SELECT_ROOMS: &str = "SELECT messenger_id, members FROM messenger_rooms WHERE tenant_id = $1 ORDER BY messenger_id";
const SELECT_ROOM: &str = "SELECT members FROM messenger_rooms WHERE tenant_id = $1 AND messenger_id = $2";
const SELECT_ENTRY: &str = "SELECT name, world_id, channel_id, online, messenger_id \
     FROM messenger_registry WHERE tenant_id = $1 AND character_id = $2";
const INSERT_OUTCOME: &str = "INSERT INTO messenger_intents (tenant_id, intent_id, messenger_id, outcome) VALUES ($1, $2, $3, $4)";
const SELECT_OUTCOMES: &str = "SELECT intent_id, outcome FROM messenger_intents WHERE tenant_id = $1 AND messenger_id = $2";
const SELECT_OUTCOME: &str = "SELECT messenger_id, outcome FROM messenger_intents WHERE tenant_id = $1 AND intent_id = $2";
const DELETE_OUTCOME: &str = "DELETE FROM messenger_intents WHERE tenant_id = $1 AND intent_id = $2";
/// Hands out the next id and moves the counter on, in its own statement: an id is never
/// handed out twice, even if what it was for is never committed.
const ALLOCATE_ID: &str = "INSERT INTO messenger_counters (tenant_id, next_id) VALUES ($1, $2) \
     ON CONFLICT (tenant_id) DO UPDATE SET next_id = messenger_counters.next_id + 1 RETURNING next_id - 1";
const UPSERT_ENTRY: &str = "INSERT INTO messenger_registry (tenant_id, character_id, name, world_id, channel_id, online, \
     messenger_id) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (tenant_id, character_id) DO UPDATE SET \
     name = excluded.name, world_id = excluded.world_id, channel_id = excluded.channel_id, online = excluded.online, \
     messenger_id = excluded.messenger_id";
/// A character resolved by another character's record (§4.3): stored unless its own actor
/// has stored one meanwhile, which is the fresher.
const INSERT_ENTRY_IF_ABSENT: &str = "INSERT INTO messenger_registry (tenant_id, character_id, name, world_id, channel_id, \
     online, messenger_id) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (tenant_id, character_id) DO NOTHING";
const DELETE_ENTRY: &str = "DELETE FROM messenger_registry WHERE tenant_id = $1 AND character_id = $2";
const SELECT_ENTRIES: &str = "SELECT character_id, name, world_id, channel_id, online, messenger_id \
     FROM messenger_registry WHERE tenant_id = $1";

/// The stored form of a messenger's seats.
pub fn encode_members(seats: &[Seat]) -> String {
    let members: Vec<(u32, u8)> = seats.iter().map(|s| (s.character, s.slot)).collect();
    serde_json::to_string(&members).unwrap_or_else(|_| "[]".into())
}

/// Replaces a messenger's stored seats `before` (empty: not stored) with `seats`; a
/// messenger without seats is gone.
pub fn save_room(tenant: Uuid, id: u32, before: &[Seat], seats: &[Seat]) -> Write {
    let write = match (before.is_empty(), seats.is_empty()) {
        (true, _) => write_sql!(INSERT_ROOM, tenant, id, encode_members(seats)),
        (false, true) => write_sql!(DELETE_ROOM, tenant, id, encode_members(before)),
        (false, false) => write_sql!(UPDATE_ROOM, tenant, id, encode_members(before), encode_members(seats)),
    };
    write.guarded()
}

pub fn save_outcome(tenant: Uuid, intent: &str, messenger: u32, outcome: &Outcome) -> Write {
    write_sql!(INSERT_OUTCOME, tenant, intent, messenger, outcome.encode())
}

pub fn delete_outcome(tenant: Uuid, intent: &str) -> Write {
    write_sql!(DELETE_OUTCOME, tenant, intent)
}

pub fn save_entry(tenant: Uuid, character: u32, entry: Option<&Entry>) -> Write {
    match entry {
        Some(e) => write_sql!(UPSERT_ENTRY, tenant, character, e.name.clone(), e.world, e.channel, e.online, e.messenger),
        None => write_sql!(DELETE_ENTRY, tenant, character),
    }
}

/// Stores the entry of a character first seen in another character's record (§4.3),
/// leaving an entry already stored alone.
pub fn insert_entry_if_absent(tenant: Uuid, character: u32, e: &Entry) -> Write {
    write_sql!(INSERT_ENTRY_IF_ABSENT, tenant, character, e.name.clone(), e.world, e.channel, e.online, e.messenger)
}

/// The next messenger id of a tenant (the first is [`FIRST_ID`]).
///
/// # Errors
/// [`sqlx::Error::RowNotFound`] if the counter statement returned no id.
pub async fn allocate_id(store: &Store, tenant: Uuid) -> sqlx::Result<u32> {
    let rows = store.fetch(write_sql!(ALLOCATE_ID, tenant, FIRST_ID + 1)).await?;
    let id: i64 = rows.first().ok_or(sqlx::Error::RowNotFound)?.try_get(0)?;
    Ok(id as u32)
}

pub async fn load_room(store: &Store, tenant: Uuid, id: u32) -> sqlx::Result<Vec<Seat>> {
    let rows = store.fetch(write_sql!(SELECT_ROOM, tenant, id)).await?;
    Ok(match rows.first() {
        Some(row) => members(&row.try_get::<String, _>(0)?),
        None => Vec::new(),
    })
}

pub async fn load_outcomes(store: &Store, tenant: Uuid, id: u32) -> sqlx::Result<std::collections::HashMap<String, Outcome>> {
    let mut done = std::collections::HashMap::new();
    for row in store.fetch(write_sql!(SELECT_OUTCOMES, tenant, id)).await? {
        let text: String = row.try_get(1)?;
        if let Some(outcome) = Outcome::decode(&text) {
            done.insert(row.try_get(0)?, outcome);
        }
    }
    Ok(done)
}

/// The committed outcome of an intent, with the messenger that answered it.
pub async fn find_outcome(store: &Store, tenant: Uuid, intent: &str) -> sqlx::Result<Option<(u32, Outcome)>> {
    let rows = store.fetch(write_sql!(SELECT_OUTCOME, tenant, intent)).await?;
    let Some(row) = rows.first() else { return Ok(None) };
    let id: i64 = row.try_get(0)?;
    let text: String = row.try_get(1)?;
    Ok(Outcome::decode(&text).map(|outcome| (id as u32, outcome)))
}

/// A character's registry entry, if it has one.
pub async fn load_entry(store: &Store, tenant: Uuid, character: u32) -> sqlx::Result<Option<Entry>> {
    let rows = store.fetch(write_sql!(SELECT_ENTRY, tenant, character)).await?;
    rows.first().map(|row| entry(row, 0)).transpose()
}

fn members(text: &str) -> Vec<Seat> {
    let pairs: Vec<(u32, u8)> = serde_json::from_str(text).unwrap_or_default();
    pairs.into_iter().map(|(character, slot)| Seat { character, slot }).collect()
}

/// A tenant's messengers and registry, from committed state.
async fn load_tenant(store: &Store, tenant: Uuid) -> sqlx::Result<(Vec<(u32, Vec<Seat>)>, HashMap<u32, Entry>)> {
    let mut rooms = Vec::new();
    for row in store.fetch(write_sql!(SELECT_ROOMS, tenant)).await? {
        let id: i64 = row.try_get(0)?;
        let text: String = row.try_get(1)?;
        rooms.push((id as u32, members(&text)));
    }
    let mut registry = HashMap::new();
    for row in store.fetch(write_sql!(SELECT_ENTRIES, tenant)).await? {
        let character: i64 = row.try_get(0)?;
        registry.insert(character as u32, entry(&row, 1)?);
    }
    Ok((rooms, registry))
}

fn entry(row: &sqlx::any::AnyRow, from: usize) -> sqlx::Result<Entry> {
    let int = |i: usize| row.try_get::<i64, _>(from + i);
    Ok(Entry { name: row.try_get(from)?, world: int(1)? as u8, channel: int(2)? as u8, online: int(3)? != 0, messenger: int(4)? as u32 })
}

/// A messenger as REST shows it: its seats and each member's registry entry.
#[derive(Debug, Clone, PartialEq)]
pub struct RoomView {
    pub id: u32,
    pub members: Vec<(Seat, Entry)>,
}

/// A tenant's messengers from committed state, optionally only the one seating `member`.
pub async fn rooms(store: &Store, tenant: Uuid, only: Option<u32>) -> sqlx::Result<Vec<RoomView>> {
    let (rooms, registry) = load_tenant(store, tenant).await?;
    Ok(rooms
        .iter()
        .filter(|(_, seats)| only.is_none_or(|c| seats.iter().any(|s| s.character == c)))
        .map(|(id, seats)| RoomView {
            id: *id,
            members: seats.iter().map(|seat| (seat.clone(), registry.get(&seat.character).cloned().unwrap_or_default())).collect(),
        })
        .collect())
}
