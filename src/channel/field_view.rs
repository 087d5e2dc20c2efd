//! What a character sees when it enters a map instance (spec 50 §4.6 step 6): the others
//! there and the field's contents. It is shown only once the client has that map's
//! `SetField`: an entry that overtakes its warp is held until the warp is pushed.

use super::frames::Frame;
use super::lookups;
use super::sessions::{Field, Session};
use super::updates::push;
use super::Edge;
use crate::contracts::channel::field::{ChalkboardUse, ShowChair};
use crate::contracts::channel::field_entry::{
    CharacterSpawn, ExistingDrop, ExistingReactor, PartyMemberHp, SpawnMonster, SpawnNpc, SpawnNpcRequestController, TownClock,
};
use crate::contracts::tenant::Tenant;
use chrono::Timelike as _;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::sync::Arc;

/// The character of `session` entered `field`: shown now, or held for its `SetField`.
pub async fn entered(edge: &Edge, session: &Arc<Session>, field: Field) {
    let mut ready = false;
    session.update(|s| {
        (s.map, s.instance) = (field.map, field.instance);
        ready = s.shown == Some(field.map);
        s.held = (!ready).then_some(field);
    });
    if ready {
        show(edge, session, field).await;
    }
}

/// `SetField` for `map` was pushed to the session: a held entry into it is shown.
pub async fn set_field_pushed(edge: &Edge, session: &Arc<Session>, map: u32) {
    let mut held = None;
    session.update(|s| {
        s.shown = Some(map);
        held = s.held.take_if(|f| f.map == map);
    });
    if let Some(field) = held {
        show(edge, session, field).await;
    }
}

async fn show(edge: &Edge, session: &Session, field: Field) {
    let services = &edge.services;
    let tenant = &session.tenant;
    let me = session.character();
    // a character that cannot be loaded is skipped; the rest are spawned.
    for member in edge.maps.members(tenant.id, field).await.into_iter().filter(|m| *m != me) {
        if let Some(attributes) = lookups::character(services, tenant, member).await {
            session.push(&spawn(member, &attributes, false));
        }
    }
    super::field_pets::show(edge, session, field).await;
    for mate in party_in_field(edge, tenant, me, field).await {
        if let Some(attributes) = lookups::character(services, tenant, mate).await {
            session.push(&push(&party_member_hp(mate, &attributes)));
        }
    }
    let (w, c, m, i) = (field.world, field.channel, field.map, field.instance);
    let instance = format!("worlds/{w}/channels/{c}/maps/{m}/instances/{i}");
    for (id, npc) in lookups::resources(services, tenant, "DATA", &format!("data/maps/{m}/npcs")).await {
        let npc = SpawnNpc::new(number(&id), npc);
        session.push(&push(&npc));
        session.push(&push(&SpawnNpcRequestController(npc)));
    }
    for (id, monster) in lookups::resources(services, tenant, "MONSTERS", &format!("{instance}/monsters")).await {
        session.push(&push(&SpawnMonster::existing(number(&id), monster)));
    }
    for (id, drop) in lookups::resources(services, tenant, "DROPS", &format!("{instance}/drops")).await {
        session.push(&push(&ExistingDrop::new(number(&id), drop)));
    }
    for (id, reactor) in lookups::resources(services, tenant, "REACTORS", &format!("{instance}/reactors")).await {
        session.push(&push(&ExistingReactor::new(number(&id), reactor)));
    }
    for (id, board) in lookups::resources(services, tenant, "CHALKBOARDS", &format!("worlds/{w}/channels/{c}/maps/{m}/chalkboards")).await {
        let message = board["message"].as_str().map(str::to_string);
        session.push(&push(&ChalkboardUse { character_id: number(&id) as u32, message }));
    }
    for (id, chair) in lookups::resources(services, tenant, "CHAIRS", &format!("worlds/{w}/channels/{c}/maps/{m}/chairs")).await {
        let character_id = attribute(&chair, "characterId").unwrap_or_default();
        session.push(&push(&ShowChair { character_id, chair_id: number(&id) as u32 }));
    }
    if let Some(map) = lookups::one(services, tenant, "DATA", &format!("data/maps/{m}")).await {
        if map["clock"] == true {
            let now = chrono::Utc::now();
            session.push(&push(&TownClock { hour: now.hour(), minute: now.minute(), second: now.second() }));
        }
    }
    let routes = lookups::resources(services, tenant, "ROUTES", "transports/routes").await;
    if !routes.is_empty() {
        // Q-15, kept: a boat state on every map; docked and boarding only at a route's start.
        let docked = routes.iter().any(|(_, r)| {
            r["startMapId"].as_u64() == Some(u64::from(m)) && matches!(r["state"].as_str(), Some("open_entry" | "locked_entry"))
        });
        session.push(&super::updates::push(&crate::contracts::channel::transports::FieldTransportState::docked(docked)));
    }
}

/// The other members of `character`'s party who are online and in `field`.
pub async fn party_in_field(edge: &Edge, tenant: &Tenant, character: u32, field: Field) -> Vec<u32> {
    let here = edge.maps.members(tenant.id, field).await;
    let party = lookups::party_of(&edge.services, tenant, character).await;
    party.into_iter().filter(|m| m.id != character && m.online && here.contains(&m.id)).map(|m| m.id).collect()
}

/// The `CharacterSpawn` of a character: its look and name.
pub fn spawn(character: u32, attributes: &Value, entering: bool) -> Frame {
    push(&CharacterSpawn {
        character_id: character,
        entering_field: entering,
        name: attribute(attributes, "name"),
        level: attribute(attributes, "level"),
        job_id: attribute(attributes, "jobId"),
        gender: attribute(attributes, "gender"),
        skin_color: attribute(attributes, "skinColor"),
        face: attribute(attributes, "face"),
        hair: attribute(attributes, "hair"),
        x: attribute(attributes, "x"),
        y: attribute(attributes, "y"),
        stance: attribute(attributes, "stance"),
    })
}

/// A party member's `PartyMemberHP`, from its character resource.
fn party_member_hp(character: u32, attributes: &Value) -> PartyMemberHp {
    PartyMemberHp { character_id: character, hp: attribute(attributes, "hp"), max_hp: attribute(attributes, "maxHp") }
}

/// An attribute of a resource, when it is there with the type the push writes.
fn attribute<T: DeserializeOwned>(attributes: &Value, name: &str) -> Option<T> {
    attributes.get(name).and_then(|value| T::deserialize(value).ok())
}

fn number(id: &str) -> u64 {
    id.parse().unwrap_or(0)
}
