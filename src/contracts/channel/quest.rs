//! Quests (spec 51 §4.31, §4.32; spec 50 §4.25): the commands of the quest window and of
//! scripted quest NPCs, the quest records, and their pushes.

use super::{FieldBlock, Produced, Push};
use serde::{Deserialize, Serialize};

fn is_zero(value: &u32) -> bool {
    *value == 0
}

fn is_zero_i32(value: &i32) -> bool {
    *value == 0
}

/// COMMAND_TOPIC_QUEST_CONVERSATION, keyed by the character: a scripted quest's start or
/// end talks to its NPC.
///
/// `{"questId":2001,"npcId":1012100,"characterId":30001,"type":"START_QUEST_CONVERSATION","body":{"worldId":0,"channelId":1,"mapId":100000000,"instance":"00000000-0000-0000-0000-000000000000"}}`
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QuestConversationCommand {
    pub quest_id: u32,
    pub npc_id: u32,
    pub character_id: u32,
    #[serde(flatten)]
    pub kind: QuestConversationKind,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "body", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum QuestConversationKind {
    StartQuestConversation(FieldBlock),
}

impl Produced for QuestConversationCommand {
    const TOPIC: &'static str = "COMMAND_TOPIC_QUEST_CONVERSATION";
    fn key(&self) -> u32 {
        self.character_id
    }
}

/// COMMAND_TOPIC_QUEST, keyed by the character. Zero fields of the bodies are left out
/// (Go's `omitempty`); `force` is never set by the channel, so it is never written.
///
/// `{"worldId":0,"channelId":1,"mapId":100000000,"instance":"00000000-0000-0000-0000-000000000000","characterId":30001,"type":"START","body":{"questId":1021,"npcId":2000}}`
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QuestCommand {
    #[serde(flatten)]
    pub field: FieldBlock,
    pub character_id: u32,
    #[serde(flatten)]
    pub kind: QuestCommandKind,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "body", rename_all = "SCREAMING_SNAKE_CASE", rename_all_fields = "camelCase")]
pub enum QuestCommandKind {
    Start {
        quest_id: u32,
        #[serde(skip_serializing_if = "is_zero")]
        npc_id: u32,
    },
    Complete {
        quest_id: u32,
        #[serde(skip_serializing_if = "is_zero")]
        npc_id: u32,
        #[serde(skip_serializing_if = "is_zero_i32")]
        selection: i32,
    },
    Forfeit {
        quest_id: u32,
    },
    RestoreItem {
        quest_id: u32,
        #[serde(skip_serializing_if = "is_zero")]
        item_id: u32,
    },
}

impl Produced for QuestCommand {
    const TOPIC: &'static str = "COMMAND_TOPIC_QUEST";
    fn key(&self) -> u32 {
        self.character_id
    }
}

/// EVENT_TOPIC_QUEST_STATUS envelope (spec 50 §4.25); a missing field is its zero value.
///
/// `{"characterId":30001,"worldId":0,"type":"COMPLETED","body":{"questId":1021,"completedAt":"2025-03-01T12:00:00Z","items":[{"itemId":2000000,"amount":3}]}}`
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct QuestStatusRecord {
    pub character_id: u32,
    pub world_id: u8,
}

/// `STARTED`, `PROGRESS_UPDATED` and `FORFEITED` bodies.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct QuestProgress {
    pub quest_id: u32,
    pub progress: String,
}

/// An item a completed quest gave or took.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RewardItem {
    pub item_id: u32,
    pub amount: i32,
}

/// `COMPLETED` body.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct QuestCompleted {
    pub quest_id: u32,
    pub completed_at: String,
    pub items: Vec<RewardItem>,
}

/// `CharacterStatusMessage` about a quest.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "SCREAMING_SNAKE_CASE", rename_all_fields = "camelCase")]
pub enum QuestMessage {
    /// Started or progressed: the quest's record.
    QuestRecordUpdated {
        quest_id: u32,
        progress: String,
    },
    QuestCompleted {
        quest_id: u32,
        completed_at: String,
    },
    QuestForfeited {
        quest_id: u32,
    },
}

impl Push for QuestMessage {
    const WRITER: &'static str = "CharacterStatusMessage";
}

/// `CharacterEffect` of a completed quest, with the items it gave or took.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "effect", rename = "QUEST")]
pub struct QuestEffect {
    pub items: Vec<RewardItem>,
}

impl Push for QuestEffect {
    const WRITER: &'static str = "CharacterEffect";
}

/// `CharacterEffectForeign`: the quest effect of another character in the map.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "effect", rename = "QUEST", rename_all = "camelCase")]
pub struct QuestEffectForeign {
    pub character_id: u32,
    pub items: Vec<RewardItem>,
}

impl Push for QuestEffectForeign {
    const WRITER: &'static str = "CharacterEffectForeign";
}
