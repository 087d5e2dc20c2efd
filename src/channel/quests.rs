//! Quests: the quest window's and scripted quest NPCs' actions (spec 51 §4.31, §4.32) and
//! the quest records pushed back (spec 50 §4.25).

use super::actions::{self, command, field};
use super::commands::{Context as Session, Outcome};
use super::deliver::{Recipients, Scope};
use super::sessions::Session as Connected;
use super::updates::{kind, part, push};
use super::{lookups, Edge};
use crate::contracts::channel::quest::{
    QuestCommand, QuestCommandKind, QuestCompleted, QuestConversationCommand, QuestConversationKind, QuestEffect, QuestEffectForeign,
    QuestMessage, QuestProgress, QuestStatusRecord,
};
use crate::contracts::decode::{self, Decoded, Reject};
use serde::Deserialize;
use serde_json::Value;

/// The quest client frame (docs/client-protocol.md).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all_fields = "camelCase")]
pub enum Action {
    /// `action`: 0 restore a lost item, 1 start, 2 complete, 3 forfeit, 4 and 5 a scripted
    /// start or end.
    QuestAction {
        action: u8,
        quest_id: u16,
        #[serde(default)]
        npc_id: u32,
        #[serde(default)]
        selection: i32,
        #[serde(default)]
        item_id: u32,
    },
}

/// Whether the quest exists in the data service (an unknown quest produces nothing).
pub async fn resolve(edge: &Edge, session: &Connected, action: &Action) -> actions::Context {
    let Action::QuestAction { quest_id, .. } = action;
    let quest_exists = lookups::data(&edge.services, &session.tenant, "DATA", &format!("data/quests/{quest_id}")).await.is_some();
    actions::Context { quest_exists, ..actions::Context::default() }
}

pub fn translate(action: &Action, ctx: &Session) -> Outcome {
    let Action::QuestAction { action, quest_id, npc_id, selection, item_id } = action;
    if !ctx.play.quest_exists {
        return Outcome::default();
    }
    let (quest_id, npc_id) = (u32::from(*quest_id), *npc_id);
    let quest = |kind: QuestCommandKind| command(&QuestCommand { field: field(ctx), character_id: ctx.character, kind });
    let commands = match action {
        0 => vec![quest(QuestCommandKind::RestoreItem { quest_id, item_id: *item_id })],
        1 => vec![quest(QuestCommandKind::Start { quest_id, npc_id })],
        2 => vec![quest(QuestCommandKind::Complete { quest_id, npc_id, selection: *selection })],
        3 => vec![quest(QuestCommandKind::Forfeit { quest_id })],
        4 | 5 => {
            let kind = QuestConversationKind::StartQuestConversation(field(ctx));
            vec![command(&QuestConversationCommand { quest_id, npc_id, character_id: ctx.character, kind })]
        }
        _ => Vec::new(),
    };
    Outcome { commands, ..Outcome::default() }
}

/// A quest record for one character of a world.
#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    pub character: u32,
    pub world: u8,
    pub change: Change,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// `STARTED` or `PROGRESS_UPDATED`.
    Progressed(QuestProgress),
    Completed(QuestCompleted),
    Forfeited(QuestProgress),
}

/// EVENT_TOPIC_QUEST_STATUS: `STARTED`, `PROGRESS_UPDATED`, `COMPLETED`, `FORFEITED`.
pub fn decode(value: &Value) -> Result<Decoded<Update>, Reject> {
    let kind = kind(value)?;
    let record: QuestStatusRecord = decode::into(value.clone())?;
    let body = value.get("body");
    let change = match kind {
        "STARTED" | "PROGRESS_UPDATED" => Change::Progressed(part(body)?),
        "COMPLETED" => Change::Completed(part(body)?),
        "FORFEITED" => Change::Forfeited(part(body)?),
        other => return Ok(Decoded::Unhandled(other.to_string())),
    };
    Ok(Decoded::Message(Update { character: record.character_id, world: record.world_id, change }))
}

/// To the quester in its world; a completion's effect also to the others in its map.
pub(super) async fn deliver(to: &Recipients<'_>, update: Update) {
    let (character, scope) = (update.character, Scope::World(update.world));
    match update.change {
        Change::Progressed(QuestProgress { quest_id, progress }) => {
            to.one(character, scope, &push(&QuestMessage::QuestRecordUpdated { quest_id, progress }));
        }
        Change::Forfeited(QuestProgress { quest_id, .. }) => {
            to.one(character, scope, &push(&QuestMessage::QuestForfeited { quest_id }));
        }
        Change::Completed(QuestCompleted { quest_id, completed_at, items }) => {
            if !to.one(character, scope, &push(&QuestMessage::QuestCompleted { quest_id, completed_at })) {
                return;
            }
            to.one(character, scope, &push(&QuestEffect { items: items.clone() }));
            to.map_of(character, scope, false, &push(&QuestEffectForeign { character_id: character, items })).await;
        }
    }
}
