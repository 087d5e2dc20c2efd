//! What the channel produces about its own sessions (spec 51 §3, §4.5, §4.36): the login
//! progress and logout sent to the account service, and a session's creation and end.

use super::{Empty, Produced};
use serde::Serialize;
use uuid::Uuid;

/// The account service's "logged in" state.
pub const LOGGED_IN: u8 = 1;

/// COMMAND_TOPIC_ACCOUNT_SESSION from a session's life, keyed by the account.
///
/// `{"sessionId":"6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f","accountId":1001,"author":"CHANNEL","type":"PROGRESS_STATE","body":{"state":1,"params":{"characterId":30001}}}`
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountSessionCommand {
    pub session_id: Uuid,
    pub account_id: u32,
    /// Always `CHANNEL`.
    pub author: &'static str,
    #[serde(flatten)]
    pub kind: AccountSessionKind,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "body", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AccountSessionKind {
    ProgressState(LoginProgress),
    Logout(Empty),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoginProgress {
    pub state: u8,
    pub params: LoginParams,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginParams {
    pub character_id: u32,
}

impl AccountSessionCommand {
    /// Asks the account service to log `character` in on this session.
    pub fn login(session_id: Uuid, account_id: u32, character_id: u32) -> AccountSessionCommand {
        let progress = LoginProgress { state: LOGGED_IN, params: LoginParams { character_id } };
        AccountSessionCommand { session_id, account_id, author: "CHANNEL", kind: AccountSessionKind::ProgressState(progress) }
    }

    pub fn logout(session_id: Uuid, account_id: u32) -> AccountSessionCommand {
        AccountSessionCommand { session_id, account_id, author: "CHANNEL", kind: AccountSessionKind::Logout(Empty {}) }
    }
}

impl Produced for AccountSessionCommand {
    const TOPIC: &'static str = "COMMAND_TOPIC_ACCOUNT_SESSION";
    fn key(&self) -> u32 {
        self.account_id
    }
}

/// EVENT_TOPIC_SESSION_STATUS, keyed by the character.
///
/// `{"sessionId":"6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f","accountId":1001,"characterId":30001,"worldId":0,"channelId":1,"issuer":"CHANNEL","type":"CREATED"}`
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionStatus {
    pub session_id: Uuid,
    pub account_id: u32,
    pub character_id: u32,
    pub world_id: u8,
    pub channel_id: u8,
    /// Always `CHANNEL`.
    pub issuer: &'static str,
    #[serde(rename = "type")]
    pub kind: SessionStatusKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SessionStatusKind {
    Created,
    Destroyed,
}

impl Produced for SessionStatus {
    const TOPIC: &'static str = "EVENT_TOPIC_SESSION_STATUS";
    fn key(&self) -> u32 {
        self.character_id
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn commands_match_the_spec_examples() {
        let session: Uuid = "6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f".parse().expect("uuid");
        assert_eq!(
            serde_json::to_value(AccountSessionCommand::login(session, 1001, 30001)).expect("json"),
            json!({"sessionId": session, "accountId": 1001, "author": "CHANNEL", "type": "PROGRESS_STATE",
                "body": {"state": 1, "params": {"characterId": 30001}}})
        );
        assert_eq!(
            serde_json::to_value(AccountSessionCommand::logout(session, 1001)).expect("json"),
            json!({"sessionId": session, "accountId": 1001, "author": "CHANNEL", "type": "LOGOUT", "body": {}})
        );
        let status = SessionStatus {
            session_id: session,
            account_id: 1001,
            character_id: 30001,
            world_id: 0,
            channel_id: 1,
            issuer: "CHANNEL",
            kind: SessionStatusKind::Created,
        };
        assert_eq!(
            serde_json::to_value(&status).expect("json"),
            json!({"sessionId": session, "accountId": 1001, "characterId": 30001, "worldId": 0, "channelId": 1,
                "issuer": "CHANNEL", "type": "CREATED"})
        );
        assert_eq!(status.key(), 30001);
    }
}
