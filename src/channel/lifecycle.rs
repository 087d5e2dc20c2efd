//! A session's life (spec 51 §3): login through the account service, the login bundle,
//! and destruction with the messages the channel produces about its own sessions.

use super::actions::command;
use super::sessions::Session;
use super::updates::push;
use super::{field_view, lookups, Command, Edge};
use crate::actors::character::skills_sql;
use crate::contracts::channel::account_session::{AccountSessionCommand, SessionStatus, SessionStatusKind};
use crate::contracts::channel::answers::{BuddyListAttributes, CharacterAttributes, KeyAttributes, NoteAttributes, WorldAttributes};
use crate::contracts::channel::notes::ListedNote;
use crate::contracts::channel::pushes::{
    Announcement, BuddyListRedraw, BuffsGiven, GuildInfo, KeyMap, KeyMapAutoHp, KeyMapAutoMp, Login, LoginSkill, NoteList, SkillMacros,
};
use std::collections::HashMap;
use std::sync::Arc;

/// The client asked to log in as `character` (CharacterLoggedIn): ask the account service
/// to move the session to "logged in" (PROGRESS_STATE 1). The login completes when its
/// answer (EVENT_TOPIC_ACCOUNT_SESSION_STATUS) names this session.
pub async fn request_login(edge: &Arc<Edge>, session: &Arc<Session>, character: u32) {
    let Some(looked) = lookups::character_of(&edge.services, &session.tenant, character).await else {
        tracing::info!(session = %session.id, character, "login of an unknown character ignored");
        return;
    };
    let account = looked.fields.account_id;
    session.update(|s| (s.account, s.pending) = (account, character));
    let progress = command(&AccountSessionCommand::login(session.id, account, character));
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
    let path = format!("characters/{character}/buddy-list");
    let (Some(looked), Some(buddies)) = (
        lookups::character_of(services, tenant, character).await,
        lookups::one_of::<BuddyListAttributes>(services, tenant, "BUDDIES", &path).await,
    ) else {
        tracing::info!(session = %session.id, character, "character or buddy list of a login not found: session destroyed");
        return destroy(edge, session).await;
    };
    let fields = &looked.fields;
    let (account, map) = (fields.account_id, fields.map_id);
    session.update(|s| {
        (s.account, s.map, s.instance) = (account, map, uuid::Uuid::nil());
        s.gm = fields.gm == 1;
    });
    edge.sessions.bind(session, character);
    // The account service moves only a logged-in account to "logged in": the account is,
    // even if its LOGGED_IN event (another topic) has not been read yet.
    edge.accounts.insert((tenant.id, account), ());
    // The skills this server owns are read from its own store (spec 50 §6).
    let skills: Vec<LoginSkill> = skills_sql::skills(&services.store, tenant.id, character)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|v| LoginSkill {
            skill_id: v.id,
            level: v.skill.level,
            master_level: v.skill.master_level,
            expiration: v.skill.expiration,
            cooldown_expires_at: v.cooldown_expires_at,
        })
        .collect();
    let inventory = lookups::data(services, tenant, "INVENTORY", &format!("characters/{character}/inventory")).await;
    let pets = lookups::data(services, tenant, "PETS", &format!("characters/{character}/pets")).await;
    let quests = lookups::data(services, tenant, "QUESTS", &format!("characters/{character}/quests")).await;
    session.push(&push(&Login {
        warp: false,
        channel_id: session.channel,
        character_id: character,
        character: looked.attributes.clone(),
        skills,
        inventory,
        pets,
        quests,
        buddy_capacity: buddies.capacity,
    }));
    field_view::set_field_pushed(edge, session, map).await;
    edge.publish(tenant, vec![session_status(session, SessionStatusKind::Created)]).await;
    bundle(edge, session, character, &looked.fields, buddies).await;
}

/// The rest of the login bundle (spec 50 §4.2 step 5); each part is skipped when its
/// service does not answer.
async fn bundle(edge: &Edge, session: &Session, character: u32, attributes: &CharacterAttributes, buddies: BuddyListAttributes) {
    let services = &edge.services;
    let tenant = &session.tenant;
    session.push(&push(&BuddyListRedraw { buddies: buddies.buddies }));
    let guilds = lookups::resources(services, tenant, "GUILDS", &format!("guilds?filter[members.id]={character}")).await;
    if let Some((id, serde_json::Value::Object(guild))) = guilds.into_iter().next() {
        session.push(&push(&GuildInfo { guild_id: id.parse().unwrap_or(0), guild }));
    }
    let keys = lookups::resources_of::<KeyAttributes>(services, tenant, "KEYS", &format!("characters/{character}/keys")).await;
    let bindings: Vec<KeyAttributes> = keys.unwrap_or_default().into_iter().map(|(_, k)| k).collect();
    if !bindings.is_empty() {
        let action = |key: i32| bindings.iter().find(|b| b.key == key).map_or(0, |b| b.action);
        session.push(&push(&KeyMapAutoHp { action: action(91) }));
        session.push(&push(&KeyMapAutoMp { action: action(92) }));
        session.push(&push(&KeyMap { keys: bindings }));
    }
    let buffs = lookups::resources_of(services, tenant, "BUFFS", &format!("characters/{character}/buffs")).await.unwrap_or_default();
    if !buffs.is_empty() {
        session.push(&push(&BuffsGiven { buffs: buffs.into_iter().map(|(_, b)| b).collect() }));
    }
    let world = attributes.world_id.unwrap_or(session.world);
    if let Some(world) = lookups::one_of::<WorldAttributes>(services, tenant, "WORLDS", &format!("worlds/{world}")).await {
        session.push(&push(&Announcement::TopScroll { message: world.message }));
    }
    let mut macros = skills_sql::macros(&services.store, tenant.id, character).await.unwrap_or_default();
    macros.sort_by_key(|m| m.id);
    session.push(&push(&SkillMacros { macros }));
    let path = format!("characters/{character}/notes");
    let notes = lookups::resources_of::<NoteAttributes>(services, tenant, "NOTES", &path).await.unwrap_or_default();
    if !notes.is_empty() {
        let mut names: HashMap<u32, String> = HashMap::new();
        let mut list = Vec::new();
        for (id, note) in notes {
            let sender = note.sender_id;
            if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(sender) {
                let name = lookups::character_of(services, tenant, sender).await.map(|c| c.fields.name);
                slot.insert(name.unwrap_or_else(|| "Unknown".into()));
            }
            list.push(ListedNote {
                id: id.parse().unwrap_or(0),
                sender_name: names[&sender].clone(),
                message: note.message,
                timestamp: note.timestamp,
                flag: note.flag,
            });
        }
        session.push(&push(&NoteList { notes: list }));
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
        messages.push(command(&AccountSessionCommand::logout(session.id, account)));
    }
    messages.push(session_status(&session, SessionStatusKind::Destroyed));
    edge.publish(&session.tenant, messages).await;
    tracing::debug!(tenant = %session.tenant.id, session = %session.id, "session destroyed");
}

/// EVENT_TOPIC_SESSION_STATUS (spec 51 §4.36), keyed by character.
fn session_status(session: &Session, kind: SessionStatusKind) -> Command {
    let state = session.state();
    command(&SessionStatus {
        session_id: session.id,
        account_id: state.account,
        character_id: state.character,
        world_id: session.world,
        channel_id: session.channel,
        issuer: "CHANNEL",
        kind,
    })
}
