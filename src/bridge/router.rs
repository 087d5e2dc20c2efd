//! Routing: which topics we consume, how each is decoded, and which actor owns a record
//! (by the entity id in its value, never by its key: Atlas keys vary).

use crate::actors::character::{Character, CharacterInput};
use crate::actors::registry::Registry;
use crate::actors::supervised::Reply;
use crate::actors::Meta;
use crate::contracts::character::CharacterStatus;
use crate::contracts::decode::{Decoded, Reject};
use crate::contracts::skill::{self, SkillCommand};
use crate::contracts::topics;
use futures::future::BoxFuture;
use futures::FutureExt as _;
use std::collections::HashMap;
use std::sync::Arc;

/// A decoded record and the entity that owns it.
#[derive(Debug, Clone, PartialEq)]
pub enum Dispatch {
    Character { id: u32, input: CharacterInput },
}

/// The outcome of routing one record.
#[derive(Debug, Clone, PartialEq)]
pub enum Routed {
    Dispatch(Dispatch),
    /// A well-formed record of a type no domain handles on that topic.
    Unhandled(String),
}

type Decoder = fn(&[u8]) -> Result<Routed, Reject>;

fn routed<T>(decoded: Decoded<T>, f: impl FnOnce(T) -> Dispatch) -> Routed {
    match decoded {
        Decoded::Message(message) => Routed::Dispatch(f(message)),
        Decoded::Unhandled(kind) => Routed::Unhandled(kind),
    }
}

/// Consumed topics (by variable) and their decoders.
const CONSUMED: &[(&str, Decoder)] = &[
    ("COMMAND_TOPIC_SKILL", |bytes| {
        Ok(routed(SkillCommand::decode(bytes)?, |c| Dispatch::Character { id: c.character_id(), input: CharacterInput::Skill(c) }))
    }),
    ("COMMAND_TOPIC_SKILL_MACRO", |bytes| {
        Ok(routed(skill::decode_macro_command(bytes)?, |m| Dispatch::Character { id: m.character_id, input: CharacterInput::Macro(m) }))
    }),
    ("EVENT_TOPIC_CHARACTER_STATUS", |bytes| {
        Ok(routed(CharacterStatus::decode(bytes)?, |s| Dispatch::Character { id: s.character_id(), input: CharacterInput::Status(s) }))
    }),
];

/// The variables of every consumed topic.
pub fn consumed_variables() -> impl Iterator<Item = &'static str> {
    CONSUMED.iter().map(|(variable, _)| *variable)
}

/// Decodes a value as a record of the topic named by `variable` (for tools and tests).
pub fn decode_as(variable: &str, payload: &[u8]) -> Option<Result<Routed, Reject>> {
    CONSUMED.iter().find(|(v, _)| *v == variable).map(|(_, decode)| decode(payload))
}

/// Routes records to the registries of the entity kinds.
#[derive(Debug)]
pub struct Router {
    decoders: HashMap<&'static str, Decoder>,
    characters: Arc<Registry<Character>>,
}

impl Router {
    pub fn new(characters: Arc<Registry<Character>>) -> Router {
        let decoders = CONSUMED.iter().map(|(variable, decoder)| (topics::name(variable), *decoder)).collect();
        Router { decoders, characters }
    }

    /// The topic names to subscribe to.
    pub fn topics(&self) -> Vec<&'static str> {
        let mut names: Vec<_> = self.decoders.keys().copied().collect();
        names.sort_unstable();
        names
    }

    /// Decodes a record of `topic`. Unknown topics are unhandled.
    pub fn route(&self, topic: &str, payload: &[u8]) -> Result<Routed, Reject> {
        match self.decoders.get(topic) {
            Some(decode) => decode(payload),
            None => Ok(Routed::Unhandled(String::new())),
        }
    }

    /// Hands a routed record to its actor. The record is enqueued before this returns, so
    /// calls for one entity keep their order; the future ends once it is durable.
    pub fn dispatch(&self, dispatch: Dispatch, meta: Meta) -> BoxFuture<'static, Reply> {
        let tenant = meta.tenant.id;
        match dispatch {
            Dispatch::Character { id, input } => self.characters.deliver(tenant, id, input, meta).boxed(),
        }
    }
}
