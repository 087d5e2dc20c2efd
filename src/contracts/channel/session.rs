//! Moving a session (spec 51 §3.2, §4.5, §4.36): the account-session progress to a
//! "transition" state, the cash-shop entry and exit events, and the cash-shop window.

use super::{Produced, Push};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

/// The account service's "transition" state (0 logged out, 1 logged in, 2 transition).
pub const TRANSITION: u8 = 2;

/// COMMAND_TOPIC_ACCOUNT_SESSION `PROGRESS_STATE` to the transition state, keyed by the
/// account: the session moves to the channel at `params`.
///
/// `{"sessionId":"c2a4f0a8-1d3b-4c84-8f0e-5f3b8c0d9a11","accountId":12,"author":"CHANNEL","type":"PROGRESS_STATE","body":{"state":2,"params":{"ipAddress":"10.0.0.5","port":8586}}}`
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProgressState {
    pub session_id: Uuid,
    pub account_id: u32,
    /// Always `CHANNEL` (the JSON key is `author`, spec 51 Q6).
    pub author: &'static str,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub body: Progress,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Progress {
    pub state: u8,
    pub params: Address,
}

/// Where a channel listens.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    pub ip_address: String,
    pub port: u16,
}

impl ProgressState {
    pub fn transition(session_id: Uuid, account_id: u32, params: Address) -> ProgressState {
        ProgressState { session_id, account_id, author: "CHANNEL", kind: "PROGRESS_STATE", body: Progress { state: TRANSITION, params } }
    }
}

impl Produced for ProgressState {
    const TOPIC: &'static str = "COMMAND_TOPIC_ACCOUNT_SESSION";
    fn key(&self) -> u32 {
        self.account_id
    }
}

/// EVENT_TOPIC_CASH_SHOP_STATUS produced by the channel, keyed by the character; the
/// top-level `characterId` stays 0 as in Go, the real one is in the body.
///
/// `{"worldId":0,"characterId":0,"type":"CHARACTER_ENTER","body":{"characterId":30001,"channelId":1,"mapId":100000000}}`
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CashShopStatus {
    pub world_id: u8,
    pub character_id: u32,
    #[serde(flatten)]
    pub kind: CashShopMove,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "body", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CashShopMove {
    CharacterEnter(InField),
    CharacterExit(InField),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InField {
    pub character_id: u32,
    pub channel_id: u8,
    pub map_id: u32,
}

impl Produced for CashShopStatus {
    const TOPIC: &'static str = "EVENT_TOPIC_CASH_SHOP_STATUS";
    fn key(&self) -> u32 {
        match &self.kind {
            CashShopMove::CharacterEnter(at) | CashShopMove::CharacterExit(at) => at.character_id,
        }
    }
}

/// `CashShopOpen`: the cash shop's window, with the account, the character (as the
/// character service holds it) and the buddy list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CashShopOpen {
    pub account: Value,
    pub character: Value,
    pub buddies: Value,
}

impl Push for CashShopOpen {
    const WRITER: &'static str = "CashShopOpen";
}
