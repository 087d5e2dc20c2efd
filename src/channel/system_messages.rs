//! Messages scripts and sagas send a player (spec 50 §4.26, COMMAND_TOPIC_SYSTEM_MESSAGE):
//! the eight types and the frame each becomes, pushed to the character on that channel.

use super::deliver::{Recipients, Scope};
use super::frames::Frame;
use super::updates::{kind, part, push};
use crate::contracts::channel::system_message::{
    AreaInfo, CharacterHint, GuideHint, GuideTalk, MessageMode, PathBody, ScriptEffect, ScriptStatus, SendMessage, SystemMessageRecord,
    TextBody, WorldMessage, GUIDE_HINT_MS,
};
use crate::contracts::decode::{self, Decoded, Reject};
use serde_json::Value;

/// A system message for one character of one channel.
#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    pub character: u32,
    pub world: u8,
    pub channel: u8,
    pub message: Message,
}

/// What the player is shown.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    World(WorldMessage),
    Effect(ScriptEffect),
    Status(ScriptStatus),
    Hint(CharacterHint),
    Guide(GuideTalk),
}

impl Message {
    fn frame(&self) -> Frame {
        match self {
            Message::World(m) => push(m),
            Message::Effect(m) => push(m),
            Message::Status(m) => push(m),
            Message::Hint(m) => push(m),
            Message::Guide(m) => push(m),
        }
    }
}

pub fn decode(value: &Value) -> Result<Decoded<Update>, Reject> {
    let kind = kind(value)?;
    let record: SystemMessageRecord = decode::into(value.clone())?;
    let body = value.get("body");
    let message = match kind {
        "SEND_MESSAGE" => {
            let send: SendMessage = part(body)?;
            Message::World(WorldMessage { mode: MessageMode::named(&send.message_type), message: send.message })
        }
        "PLAY_PORTAL_SOUND" => Message::Effect(ScriptEffect::PlayPortalSound),
        "SHOW_INFO" => Message::Effect(ScriptEffect::ShowInfo { path: part::<PathBody>(body)?.path }),
        "SHOW_INTRO" => Message::Effect(ScriptEffect::ShowIntro { path: part::<PathBody>(body)?.path }),
        "SHOW_INFO_TEXT" => Message::Status(ScriptStatus::SystemMessage { message: part::<TextBody>(body)?.text }),
        "UPDATE_AREA_INFO" => {
            let AreaInfo { area, info } = part(body)?;
            Message::Status(ScriptStatus::QuestRecordEx { area, info })
        }
        "SHOW_HINT" => Message::Hint(part(body)?),
        "SHOW_GUIDE_HINT" => {
            let GuideHint { hint_id, duration } = part(body)?;
            Message::Guide(GuideTalk { hint_id, duration: if duration == 0 { GUIDE_HINT_MS } else { duration } })
        }
        other => return Ok(Decoded::Unhandled(other.to_string())),
    };
    Ok(Decoded::Message(Update { character: record.character_id, world: record.world_id, channel: record.channel_id, message }))
}

pub(super) fn deliver(to: &Recipients<'_>, update: Update) {
    to.one(update.character, Scope::Channel(update.world, update.channel), &update.message.frame());
}
