//! What a character sees when it enters a map instance (spec 50 §4.6 step 6): the others
//! there and the field's contents. It is shown only once the client has that map's
//! `SetField`: an entry that overtakes its warp is held until the warp is pushed.

use super::frames::Frame;
use super::lookups;
use super::sessions::{Field, Session};
use super::Edge;
use crate::contracts::tenant::Tenant;
use chrono::Timelike as _;
use serde_json::{json, Value};
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
            session.push(&Frame::new("PartyMemberHP", json!({"characterId": mate, "hp": attributes["hp"], "maxHp": attributes["maxHp"]})));
        }
    }
    let (w, c, m, i) = (field.world, field.channel, field.map, field.instance);
    let instance = format!("worlds/{w}/channels/{c}/maps/{m}/instances/{i}");
    for (id, npc) in lookups::resources(services, tenant, "DATA", &format!("data/maps/{m}/npcs")).await {
        let object = with(npc, &[("objectId", json!(number(&id)))]);
        session.push(&Frame::new("SpawnNPC", object.clone()));
        session.push(&Frame::new("SpawnNPCRequestController", object));
    }
    for (id, monster) in lookups::resources(services, tenant, "MONSTERS", &format!("{instance}/monsters")).await {
        session.push(&Frame::new("SpawnMonster", with(monster, &[("uniqueId", json!(number(&id))), ("fresh", json!(false))])));
    }
    for (id, mut drop) in lookups::resources(services, tenant, "DROPS", &format!("{instance}/drops")).await {
        if let Some(ownership) = drop.as_object_mut().and_then(|d| d.remove("type")) {
            drop["ownershipType"] = ownership;
        }
        let fields = [("dropId", json!(number(&id))), ("enterType", json!("EXISTING")), ("delay", json!(0))];
        session.push(&Frame::new("DropSpawn", with(drop, &fields)));
    }
    for (id, reactor) in lookups::resources(services, tenant, "REACTORS", &format!("{instance}/reactors")).await {
        session.push(&Frame::new("ReactorSpawn", with(reactor, &[("reactorId", json!(number(&id)))])));
    }
    for (id, board) in lookups::resources(services, tenant, "CHALKBOARDS", &format!("worlds/{w}/channels/{c}/maps/{m}/chalkboards")).await {
        session.push(&Frame::new("ChalkboardUse", json!({"characterId": number(&id), "message": board["message"]})));
    }
    for (id, chair) in lookups::resources(services, tenant, "CHAIRS", &format!("worlds/{w}/channels/{c}/maps/{m}/chairs")).await {
        session.push(&Frame::new("CharacterShowChair", json!({"characterId": chair["characterId"], "chairId": number(&id)})));
    }
    if let Some(map) = lookups::one(services, tenant, "DATA", &format!("data/maps/{m}")).await {
        if map["clock"] == true {
            let now = chrono::Utc::now();
            session.push(&Frame::new("Clock", json!({"hour": now.hour(), "minute": now.minute(), "second": now.second()})));
        }
    }
    let routes = lookups::resources(services, tenant, "ROUTES", "transports/routes").await;
    if !routes.is_empty() {
        // Q-15, kept: a boat state on every map; docked and boarding only at a route's start.
        let docked =
            routes.iter().any(|(_, r)| r["startMapId"] == json!(m) && matches!(r["state"].as_str(), Some("open_entry" | "locked_entry")));
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
    let look = ["name", "level", "jobId", "gender", "skinColor", "face", "hair", "x", "y", "stance"];
    let mut data = json!({"characterId": character, "enteringField": entering});
    for name in look {
        data[name] = attributes.get(name).cloned().unwrap_or(Value::Null);
    }
    Frame::new("CharacterSpawn", data)
}

fn number(id: &str) -> u64 {
    id.parse().unwrap_or(0)
}

fn with(mut attributes: Value, fields: &[(&str, Value)]) -> Value {
    if !attributes.is_object() {
        attributes = json!({});
    }
    for (name, value) in fields {
        attributes[*name] = value.clone();
    }
    attributes
}
