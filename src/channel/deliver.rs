//! Who receives what (spec 50 §4, P1 topics, with the §8 fixes): each consumed record
//! becomes frames pushed to the sessions of this process it concerns.
//!
//! Recipients: SELF (one character's session), MAP / MAP−c (the members of a map
//! instance, from the field actors), LIST (given characters, each once). A scope check
//! keeps a world-scoped record to sessions of that world and a channel-scoped one to that
//! channel.

use super::events::{body, ChannelEvent, Envelope};
use super::fields::Membership;
use super::frames::{enable_actions, Frame};
use super::sessions::{Field, Session};
use super::{field_view, lifecycle, lookups, registration, Edge};
use crate::actors::messengers::sql as messengers;
use crate::contracts::tenant::Tenant;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use std::sync::Arc;
use uuid::Uuid;

/// Where a record applies (spec 50 §1.2).
#[derive(Debug, Clone, Copy)]
pub(super) enum Scope {
    Tenant,
    World(u8),
    Channel(u8, u8),
}

impl Scope {
    pub(super) fn admits(self, session: &Session) -> bool {
        match self {
            Scope::Tenant => true,
            Scope::World(w) => session.world == w,
            Scope::Channel(w, c) => session.world == w && session.channel == c,
        }
    }
}

/// Pushes what one consumed record means to this process's sessions.
pub async fn deliver(edge: &Arc<Edge>, tenant: &Tenant, event: ChannelEvent) {
    match event {
        ChannelEvent::Account(status) => match status.status.as_str() {
            "LOGGED_IN" => {
                edge.accounts.insert((tenant.id, status.account_id), ());
            }
            _ => {
                edge.accounts.remove(&(tenant.id, status.account_id));
            }
        },
        ChannelEvent::StatusRequest => registration::register_tenant(edge, tenant.id).await,
        ChannelEvent::Enveloped { topic, envelope } => {
            let to = Recipients { edge, tenant };
            match topic {
                "EVENT_TOPIC_ACCOUNT_SESSION_STATUS" => account_session(edge, tenant, &envelope).await,
                "EVENT_TOPIC_CHARACTER_STATUS" => character_status(&to, &envelope).await,
                "EVENT_TOPIC_MAP_STATUS" => map_status(&to, &envelope).await,
                "EVENT_TOPIC_ASSET_STATUS" => asset_status(&to, &envelope).await,
                "EVENT_TOPIC_COMPARTMENT_STATUS" => compartment_status(&to, &envelope),
                "EVENT_TOPIC_CHARACTER_CHAT" => chat(&to, &envelope).await,
                "EVENT_TOPIC_EXPRESSION" => {
                    let frame =
                        Frame::new("CharacterExpression", json!({"characterId": envelope.character_id, "expression": envelope.expression}));
                    to.map(field_of(&envelope), Some(envelope.character_id), &frame).await;
                }
                "EVENT_TOPIC_CHARACTER_BUFF_STATUS" => buff_status(&to, &envelope).await,
                "EVENT_TOPIC_SKILL_STATUS" => skill_status(&to, &envelope),
                "EVENT_TOPIC_MESSENGER_STATUS" => messenger_status(&to, &envelope).await,
                "EVENT_TOPIC_INVITE_STATUS" => invite_status(&to, &envelope).await,
                "EVENT_TOPIC_MONSTER_STATUS" => monster_status(&to, &envelope).await,
                "EVENT_TOPIC_DROP_STATUS" => drop_status(&to, &envelope).await,
                "EVENT_TOPIC_CONSUMABLE_STATUS" => consumable_status(&to, &envelope).await,
                other => tracing::debug!(topic = other, kind = %envelope.kind, "channel event not pushed"),
            }
        }
        ChannelEvent::Update(update) => super::updates::deliver(&Recipients { edge, tenant }, update).await,
        ChannelEvent::Later(update) => super::last_wave::deliver(&Recipients { edge, tenant }, update).await,
    }
}

/// Resolves recipients among this process's sessions.
pub(super) struct Recipients<'a> {
    pub(super) edge: &'a Arc<Edge>,
    pub(super) tenant: &'a Tenant,
}

impl Recipients<'_> {
    pub(super) fn session(&self, character: u32, scope: Scope) -> Option<Arc<Session>> {
        self.edge.sessions.character(self.tenant, character).filter(|s| scope.admits(s))
    }

    /// SELF: pushes to the character's session; whether it is here.
    pub(super) fn one(&self, character: u32, scope: Scope, frame: &Frame) -> bool {
        self.session(character, scope).map(|s| s.push(frame)).is_some()
    }

    /// LIST: each listed character's session once.
    pub(super) fn list(&self, characters: &[u32], scope: Scope, frame: &Frame) {
        for session in self.edge.sessions.characters(self.tenant, characters) {
            if scope.admits(&session) {
                session.push(frame);
            }
        }
    }

    /// MAP(f), without `except` if given: the field's members whose sessions are here.
    pub(super) async fn map(&self, field: Field, except: Option<u32>, frame: &Frame) {
        for session in self.in_field(field).await {
            if Some(session.character()) != except {
                session.push(frame);
            }
        }
    }

    pub(super) async fn in_field(&self, field: Field) -> Vec<Arc<Session>> {
        let members = self.edge.maps.members(self.tenant.id, field).await;
        let sessions = self.edge.sessions.characters(self.tenant, &members);
        sessions.into_iter().filter(|s| Scope::Channel(field.world, field.channel).admits(s)).collect()
    }

    /// MAPOF(c): the map instance `c`'s session is in (`c` must be here).
    pub(super) async fn map_of(&self, character: u32, scope: Scope, include_self: bool, frame: &Frame) {
        let Some(session) = self.session(character, scope) else { return };
        let except = (!include_self).then_some(character);
        self.map(session.field(), except, frame).await;
    }
}

fn field_of(e: &Envelope) -> Field {
    Field { world: e.world_id, channel: e.channel_id, map: e.map_id, instance: e.instance }
}

/// §4.2: the account service's answers about this process's sessions.
async fn account_session(edge: &Arc<Edge>, tenant: &Tenant, e: &Envelope) {
    let Some(session) = edge.sessions.get(e.session_id).filter(|s| s.tenant == *tenant) else { return };
    match e.kind.as_str() {
        "ERROR" => lifecycle::destroy(edge, &session).await,
        _ => {
            let params = &e.body["params"];
            let character = params["characterId"].as_u64().unwrap_or(0) as u32;
            if character > 0 {
                lifecycle::complete_login(edge, &session, character).await;
            }
            if let Some(address) = params["ipAddress"].as_str().filter(|a| !a.is_empty()) {
                session.update(|s| s.handed_over = true);
                session.push(&Frame::new("ChannelChange", json!({"ipAddress": address, "port": params["port"]})));
            }
        }
    }
}

/// The value of a stat as the character service holds it (spec 50 §4.5).
fn stat_value(attributes: &Value, stat: &str) -> Value {
    let field = match stat {
        "SKIN" => "skinColor",
        "FACE" => "face",
        "HAIR" => "hair",
        "LEVEL" => "level",
        "JOB" => "jobId",
        "STRENGTH" => "strength",
        "DEXTERITY" => "dexterity",
        "INTELLIGENCE" => "intelligence",
        "LUCK" => "luck",
        "HP" => "hp",
        "MAX_HP" => "maxHp",
        "MP" => "mp",
        "MAX_MP" => "maxMp",
        "AVAILABLE_AP" => "ap",
        "EXPERIENCE" => "experience",
        "FAME" => "fame",
        "MESO" => "meso",
        "GACHAPON_EXPERIENCE" => "gachaponExperience",
        // The first number of the comma list; none is 0 (Go indexes an empty list, Q-9).
        "AVAILABLE_SP" => {
            let sp = attributes["sp"].as_str().unwrap_or_default();
            return json!(sp.split(',').next().and_then(|n| n.trim().parse::<i64>().ok()).unwrap_or(0));
        }
        // Summoned pets' ids come with pets (P2); no pet is out.
        _ => return json!(0),
    };
    attributes.get(field).cloned().unwrap_or(json!(0))
}

async fn character_status(to: &Recipients<'_>, e: &Envelope) {
    let character = e.character_id;
    let channel = body::<u8>(e, "channelId").unwrap_or_default();
    match e.kind.as_str() {
        "STAT_CHANGED" => {
            let updates: Vec<String> = body(e, "updates").unwrap_or_default();
            if updates.iter().any(|u| u == "HP" || u == "MAX_HP") {
                party_hp(to, character, e.world_id, channel).await;
            }
            let Some(session) = to.session(character, Scope::World(e.world_id)) else { return };
            let excl = body::<bool>(e, "exclRequestSent").unwrap_or_default();
            let mut values = serde_json::Map::new();
            if !updates.is_empty() {
                let Some(attributes) = lookups::character(&to.edge.services, to.tenant, character).await else { return };
                for stat in updates {
                    values.insert(stat.clone(), stat_value(&attributes, &stat));
                }
            }
            session.push(&Frame::new("StatChanged", json!({"updates": values, "exclRequestSent": excl})));
        }
        "MAP_CHANGED" => {
            let Some(session) = to.session(character, Scope::Channel(e.world_id, channel)) else { return };
            let map = body::<u32>(e, "targetMapId").unwrap_or_default();
            let instance = body::<Uuid>(e, "targetInstance").unwrap_or_default();
            // the instance is kept with the map.
            session.update(|s| (s.map, s.instance) = (map, instance));
            let hp = match lookups::character(&to.edge.services, to.tenant, character).await {
                Some(attributes) => attributes["hp"].clone(),
                None => json!(0),
            };
            let portal = body::<u32>(e, "targetPortalId").unwrap_or_default();
            session.push(&Frame::new(
                "SetField",
                json!({"warp": true, "channelId": channel, "mapId": map, "instance": instance, "portalId": portal, "hp": hp}),
            ));
            field_view::set_field_pushed(to.edge, &session, map).await;
        }
        "EXPERIENCE_CHANGED" => {
            let distributions: Vec<Value> = body(e, "distributions").unwrap_or_default();
            let frame = Frame::new("CharacterStatusMessage", experience_message(&distributions));
            to.one(character, Scope::Channel(e.world_id, channel), &frame);
        }
        "FAME_CHANGED" => {
            if body::<String>(e, "actorType").unwrap_or_default() != "CHARACTER" {
                return;
            }
            let actor = body::<u32>(e, "actorId").unwrap_or_default();
            let amount = body::<i8>(e, "amount").unwrap_or_default();
            let services = &to.edge.services;
            let (Some(target), Some(giver)) =
                (lookups::character(services, to.tenant, character).await, lookups::character(services, to.tenant, actor).await)
            else {
                return;
            };
            let scope = Scope::World(e.world_id);
            to.one(character, scope, &Frame::new("FameResponse", json!({"mode": "RECEIVED", "name": giver["name"], "amount": amount})));
            let gave = json!({"mode": "GAVE", "name": target["name"], "amount": amount, "fame": target["fame"]});
            to.one(actor, scope, &Frame::new("FameResponse", gave));
        }
        "MESO_CHANGED" => {
            let amount = body::<i32>(e, "amount").unwrap_or_default();
            to.one(character, Scope::World(e.world_id), &Frame::new("CharacterStatusMessage", json!({"kind": "MESO", "amount": amount})));
        }
        "LEVEL_CHANGED" => {
            let scope = Scope::Channel(e.world_id, channel);
            if to.one(character, scope, &Frame::new("CharacterEffect", json!({"effect": "LEVEL_UP"}))) {
                let foreign = Frame::new("CharacterEffectForeign", json!({"characterId": character, "effect": "LEVEL_UP"}));
                to.map_of(character, scope, false, &foreign).await;
            }
        }
        _ => {}
    }
}

/// A character's HP to its party members online in its map (spec 50 §4.5), each whose
/// session is here; the character's own session may be elsewhere.
async fn party_hp(to: &Recipients<'_>, character: u32, world: u8, channel: u8) {
    let members = lookups::party_of(&to.edge.services, to.tenant, character).await;
    let Some(me) = members.iter().find(|m| m.id == character) else { return };
    let scope = Scope::Channel(world, channel);
    let recipients: Vec<Arc<Session>> = members
        .iter()
        .filter(|m| {
            m.id != character && m.online && m.world == world && m.channel == channel && (m.map, m.instance) == (me.map, me.instance)
        })
        .filter_map(|m| to.session(m.id, scope))
        .collect();
    if recipients.is_empty() {
        return;
    }
    let Some(attributes) = lookups::character(&to.edge.services, to.tenant, character).await else { return };
    let frame = Frame::new("PartyMemberHP", json!({"characterId": character, "hp": attributes["hp"], "maxHp": attributes["maxHp"]}));
    recipients.iter().for_each(|s| s.push(&frame));
}

/// The "experience gained" message: each distribution sets its part; a later one
/// overwrites an earlier (spec 50 §4.5).
fn experience_message(distributions: &[Value]) -> Value {
    let mut message = json!({"kind": "EXPERIENCE", "amount": 0, "white": false, "inChat": false});
    for d in distributions {
        let amount = d["amount"].clone();
        let part = match d["experienceType"].as_str().unwrap_or_default() {
            "WHITE" => {
                message["white"] = json!(true);
                "amount"
            }
            "YELLOW" => {
                message["white"] = json!(false);
                "amount"
            }
            "CHAT" => {
                message["inChat"] = json!(true);
                "amount"
            }
            "MONSTER_BOOK" => "monsterBookBonus",
            "MONSTER_EVENT" => "mobEventBonusPercent",
            "PLAY_TIME" => {
                message["playTimeHour"] = d["attr1"].clone();
                "mobEventBonusPercent"
            }
            "WEDDING" => "weddingBonus",
            "SPIRIT_WEEK" => "questBonusRate",
            "PARTY" => {
                message["partyEventRate"] = d["attr1"].clone();
                "partyBonus"
            }
            "ITEM" => "itemBonus",
            "INTERNET_CAFE" => "premiumIpBonus",
            "RAINBOW_WEEK" => "rainbowWeekBonus",
            "PARTY_RING" => "partyRingBonus",
            "CAKE_PIE" => "cakePieBonus",
            _ => continue,
        };
        message[part] = amount;
    }
    message
}

/// §4.6: spawns and despawns. Each process pushes to its own sessions: the entering
/// character's session (if here) sees everyone there, and everyone here sees it.
async fn map_status(to: &Recipients<'_>, e: &Envelope) {
    let field = field_of(e);
    let entering = body::<u32>(e, "characterId").unwrap_or_default();
    let services = &to.edge.services;
    match e.kind.as_str() {
        "CHARACTER_ENTER" => {
            if to.edge.maps.members(to.tenant.id, field).await.is_empty() {
                prime(to, field).await;
            }
            to.edge.maps.apply(to.tenant.id, field, Membership::Enter(entering)).await;
            let others: Vec<Arc<Session>> = to.in_field(field).await.into_iter().filter(|s| s.character() != entering).collect();
            if !others.is_empty() {
                // one character that cannot be loaded does not blank the map.
                if let Some(attributes) = lookups::character(services, to.tenant, entering).await {
                    let frame = field_view::spawn(entering, &attributes, true);
                    others.iter().for_each(|s| s.push(&frame));
                    let mates = field_view::party_in_field(to.edge, to.tenant, entering, field).await;
                    let hp =
                        Frame::new("PartyMemberHP", json!({"characterId": entering, "hp": attributes["hp"], "maxHp": attributes["maxHp"]}));
                    others.iter().filter(|s| mates.contains(&s.character())).for_each(|s| s.push(&hp));
                }
            }
            if let Some(session) = to.session(entering, Scope::Channel(field.world, field.channel)) {
                field_view::entered(to.edge, &session, field).await;
            }
        }
        "CHARACTER_EXIT" => {
            to.edge.maps.apply(to.tenant.id, field, Membership::Exit(entering)).await;
            to.map(field, Some(entering), &Frame::new("CharacterDespawn", json!({"characterId": entering}))).await;
        }
        _ => {}
    }
}

/// A field this process has not seen yet: its members before this process started are
/// read once from the maps service, then kept by the field's actor.
async fn prime(to: &Recipients<'_>, field: Field) {
    let path = format!("worlds/{}/channels/{}/maps/{}/instances/{}/characters/", field.world, field.channel, field.map, field.instance);
    for (id, _) in lookups::resources(&to.edge.services, to.tenant, "MAPS", &path).await {
        if let Ok(character) = id.parse() {
            to.edge.maps.apply(to.tenant.id, field, Membership::Enter(character)).await;
        }
    }
}

/// §4.7: inventory changes, with the Q-12 fixes (appearance only for equipment moves in
/// or out of an equipped position; an expired item is also removed).
async fn asset_status(to: &Recipients<'_>, e: &Envelope) {
    let inventory = e.template_id / 1_000_000;
    if !(1..=5).contains(&inventory) {
        tracing::warn!(template = e.template_id, "asset of no inventory type: not pushed");
        return;
    }
    let character = e.character_id;
    let Some(session) = to.session(character, Scope::Tenant) else { return };
    let item = || {
        let mut item = e.body.clone();
        if let Value::Object(fields) = &mut item {
            fields.insert("assetId".into(), json!(e.asset_id));
            fields.insert("templateId".into(), json!(e.template_id));
        }
        item
    };
    let at = |mode: &str| json!({"mode": mode, "inventoryType": inventory, "slot": e.slot});
    let remove = || at("REMOVE");
    let add = || {
        let mut op = at("ADD");
        op["item"] = item();
        op
    };
    let change = |operations: Vec<Value>| Frame::new("CharacterInventoryChange", json!({"silent": false, "operations": operations}));
    match e.kind.as_str() {
        "CREATED" | "ACCEPTED" => session.push(&change(vec![add()])),
        "UPDATED" => session.push(&change(vec![remove(), add()])),
        "QUANTITY_CHANGED" => {
            let mut op = at("QUANTITY");
            op["quantity"] = json!(body::<u32>(e, "quantity").unwrap_or_default());
            session.push(&change(vec![op]));
        }
        "DELETED" | "RELEASED" => session.push(&change(vec![remove()])),
        "MOVED" => {
            let old = body::<i16>(e, "oldSlot").unwrap_or_default();
            let op = json!({"mode": "MOVE", "inventoryType": inventory, "slot": old, "destination": e.slot});
            session.push(&change(vec![op]));
            if inventory == 1 && (e.slot < 0 || old < 0) {
                let look = json!({"characterId": character, "templateId": e.template_id, "slot": e.slot, "oldSlot": old});
                to.map(session.field(), None, &Frame::new("CharacterAppearanceUpdate", look)).await;
                avatar_to_messenger(to, character, session.channel).await;
            }
        }
        "EXPIRED" => {
            let replaced = body::<String>(e, "replaceMessage").unwrap_or_default();
            let kind = match (replaced.is_empty(), body::<bool>(e, "isCash").unwrap_or_default()) {
                (false, _) => "ITEM_EXPIRED_REPLACED",
                (true, true) => "CASH_ITEM_EXPIRED",
                (true, false) => "ITEM_EXPIRED",
            };
            let message = json!({"kind": kind, "templateId": e.template_id, "message": replaced});
            session.push(&Frame::new("CharacterStatusMessage", message));
            session.push(&change(vec![remove()]));
        }
        _ => {}
    }
}

/// The mover's messenger members see its new look (spec 50 §4.7 MOVED (c)).
async fn avatar_to_messenger(to: &Recipients<'_>, character: u32, channel: u8) {
    let Ok(rooms) = messengers::rooms(&to.edge.services.store, to.tenant.id, Some(character)).await else { return };
    for room in rooms {
        let Some((seat, _)) = room.members.iter().find(|(s, _)| s.character == character) else { continue };
        let frame = Frame::new(
            "MessengerOperation",
            json!({"operation": "UPDATE_AVATAR", "slot": seat.slot, "characterId": character, "channelId": channel}),
        );
        let ids: Vec<u32> = room.members.iter().map(|(s, _)| s.character).collect();
        to.list(&ids, Scope::Tenant, &frame);
    }
}

fn compartment_status(to: &Recipients<'_>, e: &Envelope) {
    let Some(session) = to.session(e.character_id, Scope::Tenant) else { return };
    session.push(&enable_actions());
    let writer = match e.kind.as_str() {
        "MERGE_COMPLETE" => "CompartmentMerge",
        "SORT_COMPLETE" => "CompartmentSort",
        _ => return,
    };
    session.push(&Frame::new(writer, json!({"inventoryType": body::<u8>(e, "type").unwrap_or_default()})));
}

/// §4.9 with Q-7 (group chat for the four group types only) and Q-8 (recipient lists and
/// whispers reach recipients on any channel of the world).
async fn chat(to: &Recipients<'_>, e: &Envelope) {
    let services = &to.edge.services;
    let sender = e.actor_id;
    let world = Scope::World(e.world_id);
    let recipients: Vec<u32> = body(e, "recipients").unwrap_or_default();
    let name_of = |id: u32| async move { lookups::character(services, to.tenant, id).await.map(|a| a["name"].clone()) };
    match e.kind.as_str() {
        "GENERAL" => {
            let gm = match lookups::character(services, to.tenant, sender).await {
                Some(attributes) => lookups::number(&attributes, "gm") == 1,
                None => false,
            };
            let balloon = body::<bool>(e, "balloonOnly").unwrap_or_default();
            let frame =
                Frame::new("CharacterChatGeneral", json!({"characterId": sender, "gm": gm, "message": e.message, "balloonOnly": balloon}));
            to.map(field_of(e), None, &frame).await;
        }
        kind @ ("BUDDY" | "PARTY" | "GUILD" | "ALLIANCE") => {
            let Some(name) = name_of(sender).await else { return };
            let mode = ["BUDDY", "PARTY", "GUILD", "ALLIANCE"].iter().position(|k| *k == kind).unwrap_or_default();
            to.list(&recipients, world, &Frame::new("CharacterChatMulti", json!({"name": name, "message": e.message, "mode": mode})));
        }
        "WHISPER" => {
            let recipient = body::<u32>(e, "recipient").unwrap_or_default();
            let (Some(from), Some(target)) = (name_of(sender).await, name_of(recipient).await) else { return };
            let sent = json!({"mode": "SEND_RESULT", "name": target, "success": true});
            to.one(sender, world, &Frame::new("CharacterChatWhisper", sent));
            let received = json!({"mode": "RECEIVE", "name": from, "channelId": e.channel_id, "message": e.message});
            to.one(recipient, world, &Frame::new("CharacterChatWhisper", received));
        }
        "MESSENGER" => to.list(&recipients, world, &Frame::new("MessengerOperation", json!({"operation": "CHAT", "message": e.message}))),
        "PET" => {
            let owner = body::<u32>(e, "ownerId").unwrap_or_default();
            let data = json!({"ownerId": owner, "petSlot": body::<i8>(e, "petSlot").unwrap_or_default(),
                "kind": body::<u8>(e, "type").unwrap_or_default(), "action": body::<u8>(e, "action").unwrap_or_default(),
                "message": e.message, "balloon": body::<bool>(e, "balloon").unwrap_or_default()});
            to.map_of(owner, Scope::Channel(e.world_id, e.channel_id), true, &Frame::new("PetChat", data)).await;
        }
        "PINK_TEXT" => {
            let name = name_of(sender).await.unwrap_or(json!(""));
            to.list(
                &recipients,
                world,
                &Frame::new("WorldMessage", json!({"mode": "PINK_TEXT", "medal": "", "name": name, "message": e.message})),
            );
        }
        _ => {}
    }
}

async fn buff_status(to: &Recipients<'_>, e: &Envelope) {
    let character = e.character_id;
    let scope = Scope::World(e.world_id);
    let changes = e.body.get("changes").cloned().unwrap_or(json!([]));
    let (own, foreign) = match e.kind.as_str() {
        "APPLIED" => {
            let own = json!({"sourceId": e.body["sourceId"], "duration": e.body["duration"], "changes": changes,
                "createdAt": e.body["createdAt"], "expiresAt": e.body["expiresAt"]});
            let foreign = json!({"characterId": character, "sourceId": e.body["sourceId"], "changes": changes});
            (Frame::new("CharacterBuffGive", own), Frame::new("CharacterBuffGiveForeign", foreign))
        }
        _ => (
            Frame::new("CharacterBuffCancel", json!({"changes": changes})),
            Frame::new("CharacterBuffCancelForeign", json!({"characterId": character, "changes": changes})),
        ),
    };
    if to.one(character, scope, &own) {
        to.map_of(character, scope, false, &foreign).await;
    }
}

fn skill_status(to: &Recipients<'_>, e: &Envelope) {
    let frame = match e.kind.as_str() {
        "CREATED" | "UPDATED" => Frame::new(
            "CharacterSkillChange",
            json!({"skillId": e.skill_id, "level": e.body["level"], "masterLevel": e.body["masterLevel"],
                "expiration": e.body["expiration"], "exclRequestSent": true, "sn": true}),
        ),
        "COOLDOWN_APPLIED" => {
            let until = body::<String>(e, "cooldownExpiresAt").unwrap_or_default();
            let seconds =
                DateTime::parse_from_rfc3339(&until).map(|t| (t.with_timezone(&Utc) - Utc::now()).num_seconds().max(0)).unwrap_or(0);
            Frame::new("CharacterSkillCooldown", json!({"skillId": e.skill_id, "seconds": seconds}))
        }
        _ => Frame::new("CharacterSkillCooldown", json!({"skillId": e.skill_id, "seconds": 0})),
    };
    to.one(e.character_id, Scope::Tenant, &frame);
}

/// §4.13 from this server's own messengers (no REST call), with Q-16: the leaver is
/// always told, even when the room is gone.
async fn messenger_status(to: &Recipients<'_>, e: &Envelope) {
    let scope = Scope::World(e.world_id);
    let slot = body::<u8>(e, "slot").unwrap_or_default();
    let rooms = messengers::rooms(&to.edge.services.store, to.tenant.id, None).await.unwrap_or_default();
    let members = rooms.into_iter().find(|r| r.id == e.messenger_id).map(|r| r.members).unwrap_or_default();
    let operation = |op: &str, slot: u8, character: u32, name: &str, channel: u8| {
        Frame::new(
            "MessengerOperation",
            json!({"operation": op, "slot": slot, "characterId": character, "name": name, "channelId": channel}),
        )
    };
    match e.kind.as_str() {
        "JOINED" => {
            let Some((seat, entry)) = members.iter().find(|(s, _)| s.character == e.actor_id) else { return };
            let added = operation("ADD", seat.slot, seat.character, &entry.name, entry.channel);
            let others: Vec<u32> = members.iter().map(|(s, _)| s.character).filter(|c| *c != e.actor_id).collect();
            to.list(&others, scope, &added);
            if let Some(session) = to.session(e.actor_id, scope) {
                session.push(&Frame::new("MessengerOperation", json!({"operation": "JOIN", "slot": seat.slot})));
                for (other, entry) in members.iter().filter(|(s, _)| s.character != e.actor_id) {
                    session.push(&operation("ADD", other.slot, other.character, &entry.name, entry.channel));
                }
            }
        }
        "LEFT" => {
            let frame = Frame::new("MessengerOperation", json!({"operation": "REMOVE", "slot": slot}));
            let mut ids: Vec<u32> = members.iter().map(|(s, _)| s.character).collect();
            ids.push(e.actor_id);
            to.list(&ids, scope, &frame);
        }
        _ => {}
    }
}

/// §4.20, the messenger rows (the other invite types come with parties, buddies, guilds).
async fn invite_status(to: &Recipients<'_>, e: &Envelope) {
    if e.invite_type != "MESSENGER" {
        return super::invites::deliver(to, e).await;
    }
    let scope = Scope::World(e.world_id);
    let originator = body::<u32>(e, "originatorId").unwrap_or_default();
    let target = body::<u32>(e, "targetId").unwrap_or_default();
    let services = &to.edge.services;
    match e.kind.as_str() {
        "CREATED" => {
            if to.session(target, scope).is_none() {
                return;
            }
            let Some(inviter) = lookups::character(services, to.tenant, originator).await else { return };
            let frame = json!({"operation": "INVITE", "name": inviter["name"], "messengerId": e.reference_id});
            to.one(target, scope, &Frame::new("MessengerOperation", frame));
        }
        _ => {
            if to.session(originator, scope).is_none() {
                return;
            }
            let Some(invitee) = lookups::character(services, to.tenant, target).await else { return };
            to.one(originator, scope, &Frame::new("MessengerOperation", json!({"operation": "INVITE_DECLINED", "name": invitee["name"]})));
        }
    }
}

async fn monster_status(to: &Recipients<'_>, e: &Envelope) {
    let field = field_of(e);
    let services = &to.edge.services;
    let actor = body::<u32>(e, "actorId").unwrap_or_default();
    let scope = Scope::Channel(e.world_id, e.channel_id);
    match e.kind.as_str() {
        "CREATED" => {
            if to.in_field(field).await.is_empty() {
                return;
            }
            let Some(mut monster) = lookups::monster(services, to.tenant, e.unique_id).await else { return };
            monster["uniqueId"] = json!(e.unique_id);
            monster["monsterId"] = json!(e.monster_id);
            monster["fresh"] = json!(true);
            to.map(field, None, &Frame::new("SpawnMonster", monster)).await;
        }
        "DESTROYED" | "KILLED" => {
            to.map(field, None, &Frame::new("DestroyMonster", json!({"uniqueId": e.unique_id, "animation": 1}))).await;
        }
        "DAMAGED" => {
            // The attacker, or its party members online in the field (attacker included).
            let party = lookups::party_of(services, to.tenant, actor).await;
            let recipients: Vec<u32> = match party.is_empty() {
                true => vec![actor],
                false => party
                    .iter()
                    .filter(|m| {
                        m.online && (m.world, m.channel, m.map, m.instance) == (field.world, field.channel, field.map, field.instance)
                    })
                    .map(|m| m.id)
                    .collect(),
            };
            if to.edge.sessions.characters(to.tenant, &recipients).is_empty() {
                return;
            }
            let Some(monster) = lookups::monster(services, to.tenant, e.unique_id).await else { return };
            let (hp, max) = (lookups::number(&monster, "hp"), lookups::number(&monster, "maxHp"));
            let percent = if max > 0 { (hp * 100 / max).max(1) } else { 1 };
            to.list(&recipients, scope, &Frame::new("MonsterHealth", json!({"uniqueId": e.unique_id, "percent": percent})));
        }
        "START_CONTROL" => {
            let data = json!({"control": true, "uniqueId": e.unique_id, "monsterId": e.monster_id, "x": e.body["x"], "y": e.body["y"],
                "stance": e.body["stance"], "fh": e.body["fh"], "team": e.body["team"]});
            to.one(actor, scope, &Frame::new("ControlMonster", data));
        }
        "STOP_CONTROL" => {
            to.one(actor, scope, &Frame::new("ControlMonster", json!({"control": false, "uniqueId": e.unique_id})));
        }
        _ => {}
    }
}

async fn drop_status(to: &Recipients<'_>, e: &Envelope) {
    // the record's own instance.
    let field = field_of(e);
    match e.kind.as_str() {
        "CREATED" => {
            let mut data = e.body.clone();
            if let Some(ownership) = data.as_object_mut().and_then(|d| d.remove("type")) {
                data["ownershipType"] = ownership;
            }
            data["dropId"] = json!(e.drop_id);
            data["enterType"] = json!("FRESH");
            to.map(field, None, &Frame::new("DropSpawn", data)).await;
        }
        "EXPIRED" => to.map(field, None, &Frame::new("DropDestroy", json!({"dropId": e.drop_id, "mode": "EXPIRE"}))).await,
        "PICKED_UP" => {
            let picker = body::<u32>(e, "characterId").unwrap_or_default();
            let pet = body::<i8>(e, "petSlot").unwrap_or(-1);
            let meso = body::<u32>(e, "meso").unwrap_or_default();
            let notice = if meso > 0 {
                json!({"kind": "MESO_PICKED_UP", "amount": meso})
            } else if body::<u32>(e, "equipmentId").unwrap_or_default() > 0 {
                json!({"kind": "ITEM_PICKED_UP", "itemId": e.body["itemId"]})
            } else {
                json!({"kind": "ITEM_PICKED_UP", "itemId": e.body["itemId"], "quantity": e.body["quantity"]})
            };
            to.one(picker, Scope::Channel(e.world_id, e.channel_id), &Frame::new("CharacterStatusMessage", notice));
            let mode = if pet >= 0 { "PET_PICK_UP" } else { "PICK_UP" };
            let destroy = json!({"dropId": e.drop_id, "mode": mode, "characterId": picker, "petSlot": pet});
            to.map(field, None, &Frame::new("DropDestroy", destroy)).await;
        }
        _ => {}
    }
}

async fn consumable_status(to: &Recipients<'_>, e: &Envelope) {
    let character = e.character_id;
    match e.kind.as_str() {
        "ERROR" => {
            let frame = match body::<String>(e, "error").unwrap_or_default().as_str() {
                "PET_CANNOT_CONSUME" => Frame::new("PetCashFoodResult", json!({"error": true})),
                _ => enable_actions(),
            };
            to.one(character, Scope::Tenant, &frame);
        }
        _ => {
            let flags = ["success", "cursed", "legendarySpirit", "whiteScroll"];
            let mut data = json!({"characterId": character});
            for flag in flags {
                data[flag] = json!(body::<bool>(e, flag).unwrap_or_default());
            }
            to.map_of(character, Scope::Tenant, true, &Frame::new("CharacterItemUpgrade", data)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_values_come_from_the_character() {
        let attributes = json!({"hp": 50, "maxHp": 120, "ap": 3, "sp": "4,0,0", "jobId": 100});
        assert_eq!(stat_value(&attributes, "HP"), json!(50));
        assert_eq!(stat_value(&attributes, "AVAILABLE_SP"), json!(4));
        assert_eq!(stat_value(&json!({"sp": ""}), "AVAILABLE_SP"), json!(0), "an empty SP list is 0 (Q-9)");
        assert_eq!(stat_value(&attributes, "JOB"), json!(100));
        assert_eq!(stat_value(&attributes, "PET_SN_1"), json!(0));
    }

    #[test]
    fn experience_parts_overwrite_in_order() {
        let message = experience_message(&[
            json!({"experienceType": "WHITE", "amount": 10, "attr1": 0}),
            json!({"experienceType": "PARTY", "amount": 5, "attr1": 2}),
            json!({"experienceType": "YELLOW", "amount": 30, "attr1": 0}),
        ]);
        assert_eq!(message["amount"], 30);
        assert_eq!(message["white"], false);
        assert_eq!((message["partyBonus"].clone(), message["partyEventRate"].clone()), (json!(5), json!(2)));
    }
}
