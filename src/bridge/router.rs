//! Routing: which topics we consume, how each is decoded, and which actor owns a record
//! (by the entity id in its value, never by its key: Atlas keys vary).

use crate::actors::character::{Character, CharacterInput};
use crate::actors::messengers::MessengerInput;
use crate::actors::registry::Registry;
use crate::actors::saga::{check_step, Saga, SagaIndex, SagaInput};
use crate::actors::supervised::{Applied, DeliveryError, Reply};
use crate::actors::Meta;
use crate::contracts::character::CharacterStatus;
use crate::contracts::decode;
use crate::contracts::decode::{Decoded, Reject};
use crate::contracts::messenger::{self, MessengerCommand};
use crate::contracts::saga;
use crate::contracts::skill::{self, SkillCommand};
use crate::contracts::stats::{self, AssetStatus, BuffStatus};
use crate::contracts::topics::Topics;
use crate::metrics::Metrics;
use futures::future::BoxFuture;
use futures::FutureExt as _;
use std::collections::HashMap;
use std::sync::Arc;

/// A decoded record and an entity that owns (a part of) it.
#[derive(Debug, Clone, PartialEq)]
pub enum Dispatch {
    Character { id: u32, input: CharacterInput },
    Saga { id: uuid::Uuid, input: SagaInput },
}

impl Dispatch {
    /// The id of the entity the record goes to, for traces.
    pub fn entity(&self) -> String {
        match self {
            Dispatch::Character { id, .. } => id.to_string(),
            Dispatch::Saga { id, .. } => id.to_string(),
        }
    }
}

/// The outcome of routing one record.
#[derive(Debug, Clone, PartialEq)]
pub enum Routed {
    /// The entities the record goes to (a character status event concerns several domains).
    Dispatch(Vec<Dispatch>),
    /// A well-formed record of a type no domain handles on that topic.
    Unhandled(String),
}

type Decoder = fn(&[u8]) -> Result<Routed, Reject>;

fn routed<T>(decoded: Decoded<T>, f: impl FnOnce(T) -> Vec<Dispatch>) -> Routed {
    match decoded {
        Decoded::Message(message) => Routed::Dispatch(f(message)),
        Decoded::Unhandled(kind) => Routed::Unhandled(kind),
    }
}

/// Consumed topics (by variable) and their decoders.
const CONSUMED: &[(&str, Decoder)] = &[
    ("COMMAND_TOPIC_SKILL", |bytes| {
        Ok(routed(SkillCommand::decode(bytes)?, |c| vec![Dispatch::Character { id: c.character_id(), input: CharacterInput::Skill(c) }]))
    }),
    ("COMMAND_TOPIC_SKILL_MACRO", |bytes| {
        Ok(routed(skill::decode_macro_command(bytes)?, |m| {
            vec![Dispatch::Character { id: m.character_id, input: CharacterInput::Macro(m) }]
        }))
    }),
    ("EVENT_TOPIC_CHARACTER_STATUS", |bytes| {
        Ok(routed(CharacterStatus::decode(bytes)?, |s| {
            vec![Dispatch::Character { id: s.character_id(), input: CharacterInput::Status(s) }]
        }))
    }),
    ("EVENT_TOPIC_SESSION_STATUS", |bytes| {
        // Only channel sessions start stats (spec 20 §9.1): login sessions need not wake an actor.
        Ok(routed(stats::decode_session(bytes)?, |s| match (s.kind.as_str(), s.issuer.as_str()) {
            ("CREATED", issuer) if issuer != "CHANNEL" => Vec::new(),
            _ => vec![Dispatch::Character { id: s.character_id, input: CharacterInput::Session(s) }],
        }))
    }),
    ("EVENT_TOPIC_CHARACTER_BUFF_STATUS", |bytes| {
        Ok(routed(BuffStatus::decode(bytes)?, |b| vec![Dispatch::Character { id: b.character_id(), input: CharacterInput::Buff(b) }]))
    }),
    ("EVENT_TOPIC_ASSET_STATUS", |bytes| {
        Ok(routed(AssetStatus::decode(bytes)?, |a| vec![Dispatch::Character { id: a.character_id(), input: CharacterInput::Asset(a) }]))
    }),
    ("COMMAND_TOPIC_MESSENGER", |bytes| {
        Ok(routed(MessengerCommand::decode(bytes)?, |c| {
            vec![Dispatch::Character { id: c.actor_id(), input: CharacterInput::Messenger(MessengerInput::Command(c)) }]
        }))
    }),
    ("EVENT_TOPIC_INVITE_STATUS", |bytes| {
        Ok(routed(messenger::decode_invite_status(bytes)?, |a| {
            vec![Dispatch::Character { id: a.body.target_id, input: CharacterInput::Messenger(MessengerInput::Invite(a)) }]
        }))
    }),
    ("COMMAND_TOPIC_SAGA", |bytes| {
        let document = saga::decode_document(bytes, check_step)?;
        Ok(match document.transaction_id.filter(|t| !t.is_nil()) {
            Some(id) => Routed::Dispatch(vec![Dispatch::Saga { id, input: SagaInput::Start(document) }]),
            None => Routed::Unhandled("saga without transactionId".into()),
        })
    }),
];

/// Checks a record of a topic another layer decodes: `Ok(None)` for a type that layer
/// acts on, `Ok(Some(kind))` for a well-formed record of a type it skips.
pub type CheckFn = fn(&str, &[u8]) -> Result<Option<String>, Reject>;

/// Topics whose records a layer above the bridge consumes in a group of its own (the
/// channel's pushes), registered by the server: this group only checks them, so a
/// malformed record is dead-lettered once, not once per process.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The variables of the topics.
    pub variables: Vec<&'static str>,
    /// Decodes a record of one of them.
    pub check: CheckFn,
}

/// Every decoder of the shared group: the domains', those of the topics sagas wait on,
/// and the checks registered for other layers' topics.
#[derive(Debug, Clone, Default)]
pub struct Decoders {
    checked: Vec<Checked>,
}

impl Decoders {
    /// The domains' and the sagas' decoders only.
    pub fn domains() -> Decoders {
        Decoders::default()
    }

    /// Adds the check of topics another layer decodes.
    pub fn checking(mut self, checked: Checked) -> Decoders {
        self.checked.push(checked);
        self
    }

    /// The variables of every consumed topic: the domains', those sagas wait on, and the
    /// checked ones.
    pub fn variables(&self) -> impl Iterator<Item = &'static str> {
        let mut variables: Vec<&'static str> = CONSUMED.iter().map(|(variable, _)| *variable).collect();
        let others = saga::EVENT_TOPICS.iter().copied().chain(self.checked.iter().flat_map(|c| c.variables.iter().copied()));
        for variable in others {
            if !variables.contains(&variable) {
                variables.push(variable);
            }
        }
        variables.into_iter()
    }

    /// Decodes a value as a record of the topic named by `variable`: the domain decoder's
    /// dispatches plus, on topics sagas wait on, the saga the event correlates to.
    pub fn decode_as(&self, variable: &str, payload: &[u8]) -> Option<Result<Routed, Reject>> {
        let domain = CONSUMED.iter().find(|(v, _)| *v == variable).map(|(_, decode)| decode(payload));
        let saga_topic = saga::EVENT_TOPICS.iter().find(|v| **v == variable).copied();
        // A topic no domain decodes is checked by the decoder of the layer that consumes
        // it (the channel's pushes come from the channel's own group).
        let checked = match domain.is_none() {
            true => self.checked.iter().find(|c| c.variables.contains(&variable)).map(|c| (c.check)(variable, payload)),
            false => None,
        };
        match (&checked, saga_topic) {
            (Some(Err(reject)), _) => return Some(Err(reject.clone())),
            (Some(Ok(skipped)), None) => {
                let kind = skipped.clone().unwrap_or_else(|| "pushed by the channel".to_string());
                return Some(Ok(Routed::Unhandled(kind)));
            }
            (None, None) if domain.is_none() => return None,
            _ => {}
        }
        let to_saga = match saga_topic.map(|topic| saga::saga_event(topic, payload)).transpose() {
            Ok(event) => event.flatten().map(|event| Dispatch::Saga { id: event.transaction, input: SagaInput::Event(event) }),
            // An event sagas read that does not fit its types is refused as a whole (§4.4 rule 1).
            Err(reject) => return Some(Err(reject)),
        };
        Some(match (domain, to_saga) {
            (Some(Err(reject)), _) => Err(reject),
            (Some(Ok(Routed::Dispatch(mut dispatches))), saga) => {
                dispatches.extend(saga);
                Ok(Routed::Dispatch(dispatches))
            }
            (Some(Ok(Routed::Unhandled(_))), Some(saga)) => Ok(Routed::Dispatch(vec![saga])),
            (Some(Ok(unhandled)), None) => Ok(unhandled),
            (None, saga) => decode::typed(payload).map(|(kind, _)| match saga {
                Some(saga) => Routed::Dispatch(vec![saga]),
                None => Routed::Unhandled(kind),
            }),
        })
    }
}

/// Routes records to the registries of the entity kinds.
#[derive(Debug)]
pub struct Router {
    /// Topic name → its variable.
    variables: HashMap<String, &'static str>,
    decoders: Decoders,
    characters: Arc<Registry<Character>>,
    sagas: Arc<Registry<Saga>>,
    /// Saga events go to their saga only if it exists (see `SagaIndex`).
    saga_index: SagaIndex,
    metrics: Arc<Metrics>,
}

/// What the router hands records to.
#[derive(Debug)]
pub struct Destinations {
    pub characters: Arc<Registry<Character>>,
    pub sagas: Arc<Registry<Saga>>,
    pub saga_index: SagaIndex,
    pub metrics: Arc<Metrics>,
}

impl Router {
    pub fn new(decoders: Decoders, topics: &Topics, to: Destinations) -> Router {
        let variables = decoders.variables().map(|variable| (topics.name(variable).to_string(), variable)).collect();
        let Destinations { characters, sagas, saga_index, metrics } = to;
        Router { variables, decoders, characters, sagas, saga_index, metrics }
    }

    /// The topic names to subscribe to.
    pub fn topics(&self) -> Vec<&str> {
        let mut names: Vec<_> = self.variables.keys().map(String::as_str).collect();
        names.sort_unstable();
        names
    }

    /// Decodes a record of `topic`. Unknown topics are unhandled.
    pub fn route(&self, topic: &str, payload: &[u8]) -> Result<Routed, Reject> {
        match self.variables.get(topic).and_then(|variable| self.decoders.decode_as(variable, payload)) {
            Some(routed) => routed,
            None => Ok(Routed::Unhandled(String::new())),
        }
    }

    /// Hands a saga event to its saga if one exists; an event of a transaction without a
    /// saga is skipped and counted, with no actor started.
    fn to_existing_saga(&self, id: uuid::Uuid, input: SagaInput, meta: Meta) -> BoxFuture<'static, Reply> {
        let (delivered, delivery) = tokio::sync::oneshot::channel();
        let (sagas, metrics) = (self.sagas.clone(), self.metrics.clone());
        self.saga_index.ask(meta.tenant.id, id, move |exists| {
            let outcome = match exists {
                true => Some(sagas.deliver(meta.tenant.id, id, input, meta).boxed()),
                false => {
                    let topic = meta.position.as_ref().map_or("", |p| p.topic.as_str());
                    metrics.unhandled.with_label_values(&[topic, "unknown entity"]).inc();
                    None
                }
            };
            let _ = delivered.send(outcome);
        });
        async move {
            match delivery.await {
                Ok(Some(outcome)) => outcome.await,
                Ok(None) => Ok(Applied::Skipped),
                Err(_) => Err(DeliveryError::Lost),
            }
        }
        .boxed()
    }

    /// Hands a routed record to its actors. The record is enqueued before this returns, so
    /// calls for one entity keep their order; the future ends once it is durable at every
    /// actor (the first failure, if any, is the outcome).
    pub fn dispatch(&self, dispatches: Vec<Dispatch>, meta: Meta) -> BoxFuture<'static, Reply> {
        let tenant = meta.tenant.id;
        let outcomes: Vec<BoxFuture<'static, Reply>> = dispatches
            .into_iter()
            .map(|dispatch| match dispatch {
                Dispatch::Character { id, input } => self.characters.deliver(tenant, id, input, meta.clone()).boxed(),
                Dispatch::Saga { id, input: input @ SagaInput::Event(_) } => self.to_existing_saga(id, input, meta.clone()),
                Dispatch::Saga { id, input } => self.sagas.deliver(tenant, id, input, meta.clone()).boxed(),
            })
            .collect();
        async move {
            let mut outcome = Ok(Applied::Done);
            for result in futures::future::join_all(outcomes).await {
                if result.is_err() && outcome.is_ok() {
                    outcome = result;
                }
            }
            outcome
        }
        .boxed()
    }
}
