//! A session's life (spec 51 §3): login through the account service, the login bundle,
//! and destruction with the messages the channel produces about its own sessions.

use super::frames::Frame;
use super::sessions::Session;
use super::{lookups, Command, Edge};
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
/// character's; `SetField` goes first, then the rest of the bundle, and only then the
/// session is announced.
pub async fn complete_login(edge: &Arc<Edge>, session: &Arc<Session>, character: u32) {
    let services = &edge.services;
    let tenant = &session.tenant;
    let Some(attributes) = lookups::character(services, tenant, character).await else {
        tracing::info!(session = %session.id, character, "character of a login not found: session destroyed");
        return destroy(edge, session).await;
    };
    let account = lookups::number(&attributes, "accountId") as u32;
    let map = lookups::number(&attributes, "mapId") as u32;
    session.update(|s| {
        (s.account, s.map, s.instance) = (account, map, uuid::Uuid::nil());
        s.gm = lookups::number(&attributes, "gm") == 1;
    });
    edge.sessions.bind(session, character);
    // The skills this server owns are read from its own store (spec 50 §6).
    let skills: Vec<serde_json::Value> = skills_sql::skills(&services.store, tenant.id, character)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|v| json!({"skillId": v.id, "level": v.skill.level, "masterLevel": v.skill.master_level,
            "expiration": v.skill.expiration, "cooldownExpiresAt": v.cooldown_expires_at}))
        .collect();
    session.push(&Frame::new(
        "SetField",
        json!({"warp": false, "channelId": session.channel, "characterId": character, "character": attributes, "skills": skills}),
    ));
    let mut macros = skills_sql::macros(&services.store, tenant.id, character).await.unwrap_or_default();
    macros.sort_by_key(|m| m.id);
    session.push(&Frame::new("CharacterSkillMacro", json!({"macros": macros})));
    edge.publish(tenant, vec![session_status(session, "CREATED")]).await;
}

/// Destroys a session (any cause): gone from the registry, its transport closed, then
/// LOGOUT to the account service (only for a known account, Q8) and DESTROYED.
pub async fn destroy(edge: &Arc<Edge>, session: &Arc<Session>) {
    let Some(session) = edge.sessions.remove(session.id) else { return };
    session.close();
    let account = session.state().account;
    let mut messages = Vec::new();
    if account != 0 {
        messages.push(account_session(&session, account, "LOGOUT", json!({})));
    }
    messages.push(session_status(&session, "DESTROYED"));
    edge.publish(&session.tenant, messages).await;
    tracing::debug!(session = %session.id, "session destroyed");
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
