//! A session's life (spec 51 §3): login through the account service, the login bundle,
//! and destruction with the messages the channel produces about its own sessions.

use super::frames::Frame;
use super::sessions::Session;
use super::{field_view, lookups, Command, Edge};
use crate::actors::character::skills_sql;
use serde_json::json;
use std::sync::Arc;

/// The client asked to log in as `character` (CharacterLoggedIn): ask the account service
/// to move the session to "logged in" (PROGRESS_STATE 1). The login completes when its
/// answer (EVENT_TOPIC_ACCOUNT_SESSION_STATUS) names this session.
pub async fn request_login(edge: &Arc<Edge>, session: &Arc<Session>, character: u32) {
    let Some(attributes) = lookups::character(&edge.services, &session.tenant, character).await else {
        tracing::info!(session = %session.id, character, "login of an unknown character ignored");
        return;
    };
    let account = lookups::number(&attributes, "accountId") as u32;
    session.update(|s| (s.account, s.pending) = (account, character));
    let progress = account_session(session, account, "PROGRESS_STATE", json!({"state": 1, "params": {"characterId": character}}));
    if !edge.publish(&session.tenant, vec![progress]).await {
        destroy(edge, session).await;
    }
}

/// The account service accepted the login (spec 50 §4.2): the session is the
/// character's. `SetField` goes first, then the session is announced (Q-5: Go announces
/// it first), then the rest of the login bundle.
pub async fn complete_login(edge: &Arc<Edge>, session: &Arc<Session>, character: u32) {
    // The answer must name the character this session asked for: a session never becomes
    // a character its client did not log in as, whatever the account service says.
    let state = session.state();
    let asked = if state.pending != 0 { state.pending } else { state.character };
    if asked != character {
        tracing::warn!(session = %session.id, asked, named = character, "login answer names another character: session destroyed");
        return destroy(edge, session).await;
    }
    let services = &edge.services;
    let tenant = &session.tenant;
    let (Some(attributes), Some(buddies)) = (
        lookups::character(services, tenant, character).await,
        lookups::one(services, tenant, "BUDDIES", &format!("characters/{character}/buddy-list")).await,
    ) else {
        tracing::info!(session = %session.id, character, "character or buddy list of a login not found: session destroyed");
        return destroy(edge, session).await;
    };
    let account = lookups::number(&attributes, "accountId") as u32;
    let map = lookups::number(&attributes, "mapId") as u32;
    session.update(|s| {
        (s.account, s.map, s.instance) = (account, map, uuid::Uuid::nil());
        s.gm = lookups::number(&attributes, "gm") == 1;
    });
    edge.sessions.bind(session, character);
    // The account service moves only a logged-in account to "logged in": the account is,
    // even if its LOGGED_IN event (another topic) has not been read yet.
    edge.accounts.insert((tenant.id, account), ());
    // The skills this server owns are read from its own store (spec 50 §6).
    let skills: Vec<serde_json::Value> = skills_sql::skills(&services.store, tenant.id, character)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|v| {
            json!({"skillId": v.id, "level": v.skill.level, "masterLevel": v.skill.master_level,
            "expiration": v.skill.expiration, "cooldownExpiresAt": v.cooldown_expires_at})
        })
        .collect();
    let inventory = lookups::data(services, tenant, "INVENTORY", &format!("characters/{character}/inventory")).await;
    let pets = lookups::data(services, tenant, "PETS", &format!("characters/{character}/pets")).await;
    let quests = lookups::data(services, tenant, "QUESTS", &format!("characters/{character}/quests")).await;
    session.push(&Frame::new(
        "SetField",
        json!({"warp": false, "channelId": session.channel, "characterId": character, "character": attributes, "skills": skills,
            "inventory": inventory, "pets": pets, "quests": quests, "buddyCapacity": buddies["capacity"]}),
    ));
    field_view::set_field_pushed(edge, session, map).await;
    edge.publish(tenant, vec![session_status(session, "CREATED")]).await;
    bundle(edge, session, character, &attributes, buddies).await;
}

/// The rest of the login bundle (spec 50 §4.2 step 5); each part is skipped when its
/// service does not answer.
async fn bundle(edge: &Edge, session: &Session, character: u32, attributes: &serde_json::Value, buddies: serde_json::Value) {
    let services = &edge.services;
    let tenant = &session.tenant;
    session.push(&Frame::new("BuddyOperation", json!({"operation": "UPDATE", "buddies": buddies["buddies"]})));
    let guilds = lookups::resources(services, tenant, "GUILDS", &format!("guilds?filter[members.id]={character}")).await;
    if let Some((id, guild)) = guilds.into_iter().next() {
        session
            .push(&Frame::new("GuildOperation", json!({"operation": "INFO", "guildId": id.parse::<u32>().unwrap_or(0), "guild": guild})));
    }
    let keys = lookups::resources(services, tenant, "KEYS", &format!("characters/{character}/keys")).await;
    if !keys.is_empty() {
        let bindings: Vec<serde_json::Value> = keys.into_iter().map(|(_, k)| k).collect();
        let action = |key: i64| bindings.iter().find(|b| b["key"].as_i64() == Some(key)).map_or(json!(0), |b| b["action"].clone());
        session.push(&Frame::new("CharacterKeyMapAutoHp", json!({"action": action(91)})));
        session.push(&Frame::new("CharacterKeyMapAutoMp", json!({"action": action(92)})));
        session.push(&Frame::new("CharacterKeyMap", json!({"keys": bindings})));
    }
    let buffs = lookups::resources(services, tenant, "BUFFS", &format!("characters/{character}/buffs")).await;
    if !buffs.is_empty() {
        let buffs: Vec<serde_json::Value> = buffs.into_iter().map(|(_, b)| b).collect();
        session.push(&Frame::new("CharacterBuffGive", json!({"buffs": buffs})));
    }
    let world = attributes["worldId"].as_u64().unwrap_or(u64::from(session.world));
    if let Some(world) = lookups::one(services, tenant, "WORLDS", &format!("worlds/{world}")).await {
        session.push(&Frame::new("WorldMessage", json!({"mode": "TOP_SCROLL", "message": world["message"]})));
    }
    let mut macros = skills_sql::macros(&services.store, tenant.id, character).await.unwrap_or_default();
    macros.sort_by_key(|m| m.id);
    session.push(&Frame::new("CharacterSkillMacro", json!({"macros": macros})));
    let notes = lookups::resources(services, tenant, "NOTES", &format!("characters/{character}/notes")).await;
    if !notes.is_empty() {
        let mut names: std::collections::HashMap<u64, serde_json::Value> = std::collections::HashMap::new();
        let mut list = Vec::new();
        for (id, note) in notes {
            let sender = note["senderId"].as_u64().unwrap_or(0);
            if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(sender) {
                slot.insert(lookups::character(services, tenant, sender as u32).await.map_or(json!("Unknown"), |a| a["name"].clone()));
            }
            list.push(json!({"id": id.parse::<u32>().unwrap_or(0), "senderName": names[&sender], "message": note["message"],
                "timestamp": note["timestamp"], "flag": note["flag"]}));
        }
        session.push(&Frame::new("NoteOperation", json!({"operation": "LIST", "notes": list})));
    }
}

/// Destroys a session (any cause): gone from the registry, its transport closed, then
/// LOGOUT to the account service (only for a known account, Q8, and not after a move to
/// another channel or the cash shop) and DESTROYED.
pub async fn destroy(edge: &Arc<Edge>, session: &Arc<Session>) {
    let Some(session) = edge.sessions.remove(session.id) else { return };
    session.close();
    let (account, handed_over) = (session.state().account, session.state().handed_over);
    let mut messages = Vec::new();
    if account != 0 && !handed_over {
        messages.push(account_session(&session, account, "LOGOUT", json!({})));
    }
    messages.push(session_status(&session, "DESTROYED"));
    edge.publish(&session.tenant, messages).await;
    tracing::debug!(tenant = %session.tenant.id, session = %session.id, "session destroyed");
}

/// COMMAND_TOPIC_ACCOUNT_SESSION (spec 51 §4.5), keyed by account.
fn account_session(session: &Session, account: u32, kind: &str, body: serde_json::Value) -> Command {
    let value = json!({"sessionId": session.id, "accountId": account, "author": "CHANNEL", "type": kind, "body": body});
    Command { topic: "COMMAND_TOPIC_ACCOUNT_SESSION", key: account, value }
}

/// EVENT_TOPIC_SESSION_STATUS (spec 51 §4.36), keyed by character.
fn session_status(session: &Session, kind: &str) -> Command {
    let state = session.state();
    let value = json!({"sessionId": session.id, "accountId": state.account, "characterId": state.character,
        "worldId": session.world, "channelId": session.channel, "issuer": "CHANNEL", "type": kind});
    Command { topic: "EVENT_TOPIC_SESSION_STATUS", key: state.character, value }
}
