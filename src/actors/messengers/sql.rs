//! Storage of a tenant's messengers, character registry and id counter (spec 30 §9).

use super::{Entry, Messengers, Seat};
use crate::store::{Store, Write};
use crate::write_sql;
use sqlx::Row;
use uuid::Uuid;

const UPSERT_ROOM: &str = "INSERT INTO messenger_rooms (tenant_id, messenger_id, members) VALUES ($1, $2, $3) \
     ON CONFLICT (tenant_id, messenger_id) DO UPDATE SET members = excluded.members";
const DELETE_ROOM: &str = "DELETE FROM messenger_rooms WHERE tenant_id = $1 AND messenger_id = $2";
const SELECT_ROOMS: &str = "SELECT messenger_id, members FROM messenger_rooms WHERE tenant_id = $1 ORDER BY messenger_id";
const UPSERT_ENTRY: &str = "INSERT INTO messenger_registry (tenant_id, character_id, name, world_id, channel_id, online, \
     messenger_id) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (tenant_id, character_id) DO UPDATE SET \
     name = excluded.name, world_id = excluded.world_id, channel_id = excluded.channel_id, online = excluded.online, \
     messenger_id = excluded.messenger_id";
const DELETE_ENTRY: &str = "DELETE FROM messenger_registry WHERE tenant_id = $1 AND character_id = $2";
const SELECT_ENTRIES: &str = "SELECT character_id, name, world_id, channel_id, online, messenger_id \
     FROM messenger_registry WHERE tenant_id = $1";
const UPSERT_COUNTER: &str = "INSERT INTO messenger_counters (tenant_id, next_id) VALUES ($1, $2) \
     ON CONFLICT (tenant_id) DO UPDATE SET next_id = excluded.next_id";
const SELECT_COUNTER: &str = "SELECT next_id FROM messenger_counters WHERE tenant_id = $1";

pub fn save_room(tenant: Uuid, id: u32, seats: Option<&Vec<Seat>>) -> Write {
    match seats {
        Some(seats) => {
            let members: Vec<(u32, u8)> = seats.iter().map(|s| (s.character, s.slot)).collect();
            write_sql!(UPSERT_ROOM, tenant, id, serde_json::to_string(&members).unwrap_or_else(|_| "[]".into()))
        }
        None => write_sql!(DELETE_ROOM, tenant, id),
    }
}

pub fn save_entry(tenant: Uuid, character: u32, entry: Option<&Entry>) -> Write {
    match entry {
        Some(e) => write_sql!(UPSERT_ENTRY, tenant, character, e.name.clone(), e.world, e.channel, e.online, e.messenger),
        None => write_sql!(DELETE_ENTRY, tenant, character),
    }
}

pub fn save_counter(tenant: Uuid, next_id: u32) -> Write {
    write_sql!(UPSERT_COUNTER, tenant, next_id)
}

fn members(text: &str) -> Vec<Seat> {
    let pairs: Vec<(u32, u8)> = serde_json::from_str(text).unwrap_or_default();
    pairs.into_iter().map(|(character, slot)| Seat { character, slot }).collect()
}

/// Loads a tenant's messengers, registry and counter.
pub async fn load(store: &Store, tenant: Uuid) -> anyhow::Result<Messengers> {
    let mut state = Messengers::new(tenant);
    for row in store.fetch(write_sql!(SELECT_ROOMS, tenant)).await? {
        let id: i64 = row.try_get(0)?;
        let text: String = row.try_get(1)?;
        state.rooms.insert(id as u32, members(&text));
    }
    for row in store.fetch(write_sql!(SELECT_ENTRIES, tenant)).await? {
        let character: i64 = row.try_get(0)?;
        state.registry.insert(character as u32, entry(&row, 1)?);
    }
    if let Some(row) = store.fetch(write_sql!(SELECT_COUNTER, tenant)).await?.first() {
        let next: i64 = row.try_get(0)?;
        state.next_id = next as u32;
    }
    Ok(state)
}

fn entry(row: &sqlx::any::AnyRow, from: usize) -> sqlx::Result<Entry> {
    let int = |i: usize| row.try_get::<i64, _>(from + i);
    Ok(Entry {
        name: row.try_get(from)?,
        world: int(1)? as u8,
        channel: int(2)? as u8,
        online: int(3)? != 0,
        messenger: int(4)? as u32,
    })
}

/// A messenger as REST shows it: its seats and each member's registry entry.
#[derive(Debug, Clone, PartialEq)]
pub struct RoomView {
    pub id: u32,
    pub members: Vec<(Seat, Entry)>,
}

/// A tenant's messengers from committed state, optionally only the one seating `member`.
pub async fn rooms(store: &Store, tenant: Uuid, only: Option<u32>) -> anyhow::Result<Vec<RoomView>> {
    let state = load(store, tenant).await?;
    Ok(state
        .rooms
        .iter()
        .filter(|(_, seats)| only.is_none_or(|c| seats.iter().any(|s| s.character == c)))
        .map(|(id, seats)| RoomView {
            id: *id,
            members: seats
                .iter()
                .map(|seat| (seat.clone(), state.registry.get(&seat.character).cloned().unwrap_or_default()))
                .collect(),
        })
        .collect())
}
