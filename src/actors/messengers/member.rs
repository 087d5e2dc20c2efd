//! The messenger side of a character (spec 30): its registry entry (name and world from
//! the character service, channel, online flag) and the messenger it sits in. It lives in
//! the character actor, so one character's messenger records are decided one at a time:
//! a character can never end up in two messengers.
//!
//! Seats belong to the messenger's own actor. A character asks it to create, seat or
//! unseat and records the answer. The two steps commit separately, so each request
//! carries an intent id derived from the record that caused it: when the character fails
//! between the two commits (its actor or the process dies), the record comes again, the
//! messenger answers the same intent from its stored outcome without new events, and the
//! character records it this time.

use super::room::{Outcome, Request, RoomInput};
use super::{lookup, sql, Entry, ALREADY_1, ALREADY_2, CAPACITY, FULL, INVITE, MEMBER_STATUS, STATUS, UNEXPECTED};
use crate::actors::character::{CharacterPorts, CharacterTimer};
use crate::actors::entity::{Effects, Meta};
use crate::actors::supervised::DeliveryError;
use crate::contracts::character::CharacterStatus;
use crate::contracts::messenger::{
    transaction, EmptyBody, ErrorBody, InviteAccepted, InviteCommand, InviteCommandBody, MemberStatus, MessengerCommand, MessengerStatus,
};
use serde::Serialize;
use uuid::Uuid;

/// Why a character's messenger record could not be handled: its reads failed, or the
/// messenger's actor did not answer a request. The harness retries the record, which the
/// intent ids make safe.
#[derive(Debug, thiserror::Error)]
pub enum MembershipError {
    /// Reading or writing the registry or the outcomes failed.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    /// Taking the next id from the tenant's counter failed, or it handed out none.
    #[error("allocating a messenger id: {0}")]
    Allocate(#[source] sqlx::Error),
    /// The messenger's actor did not apply the request.
    #[error("messenger {messenger}: {source}")]
    Delivery { messenger: u32, source: DeliveryError },
    /// The messenger's actor applied the request but stored no answer to it.
    #[error("messenger {messenger} left no outcome")]
    NoOutcome { messenger: u32 },
}

type Result<T, E = MembershipError> = std::result::Result<T, E>;

/// Most requests one record makes (REQUEST_INVITE: a creation; LOGOUT: an unseat).
const MAX_REQUESTS: usize = 2;

/// Messenger records a character handles besides its status events.
#[derive(Debug, Clone, PartialEq)]
pub enum MessengerInput {
    Command(MessengerCommand),
    Invite(InviteAccepted),
}

/// A character's messenger state; its entry is read from the store on first need.
#[derive(Debug, Default)]
pub struct Membership {
    loaded: bool,
    entry: Option<Entry>,
}

/// One record being handled.
struct Step<'a> {
    services: &'a CharacterPorts,
    meta: &'a Meta,
    character: u32,
    transaction: Uuid,
    effects: Effects<CharacterTimer>,
    entry_changed: bool,
    /// Intents answered during this record, forgotten in its commit.
    intents: Vec<String>,
}

impl Step<'_> {
    fn status<B: Serialize>(&mut self, actor: u32, world: u8, messenger: u32, kind: &'static str, body: B) {
        let event =
            MessengerStatus { transaction_id: self.transaction, actor_id: actor, world_id: world, messenger_id: messenger, kind, body };
        self.effects.emit(STATUS, messenger, &event, self.meta);
    }

    fn error(&mut self, code: &'static str, messenger: u32, world: u8, name: &str) {
        let actor = self.character;
        self.status(actor, world, messenger, "ERROR", ErrorBody { code, character_name: name.to_string() });
    }

    /// The id of the `n`th request of this record: the same on every delivery of the record.
    fn intent_at(&self, n: usize) -> String {
        match &self.meta.position {
            Some(p) => format!("{}:{}:{}:{}:{n}", p.topic, p.partition, p.offset, self.character),
            None => Uuid::new_v4().to_string(),
        }
    }

    fn intent(&self) -> String {
        self.intent_at(self.intents.len())
    }

    /// Asks a messenger to create, seat or unseat this character and returns the
    /// committed answer, with the messenger's id (a new one for a creation).
    ///
    /// `entry` is the character's entry as this record found it: a new one is stored
    /// first, so that whoever sees the messenger's events finds the member's name.
    async fn ask(&mut self, request: Request, messenger: u32, entry: &Entry) -> Result<(u32, Outcome)> {
        let tenant = self.meta.tenant.id;
        let intent = self.intent();
        self.intents.push(intent.clone());
        let store = &self.services.store;
        if let Some(answered) = sql::find_outcome(store, tenant, &intent).await? {
            return Ok(answered);
        }
        if self.entry_changed {
            store.fetch(sql::save_entry(tenant, self.character, Some(entry))).await?;
        }
        let world = entry.world;
        let messenger = match request {
            Request::Create => sql::allocate_id(store, tenant).await.map_err(MembershipError::Allocate)?,
            _ => messenger,
        };
        let rooms = &self.services.rooms;
        let input = RoomInput { intent: intent.clone(), request, actor: self.character, world, transaction: self.transaction };
        let meta = Meta { position: None, ..self.meta.clone() };
        rooms.deliver(tenant, messenger, input, meta).await.map_err(|source| MembershipError::Delivery { messenger, source })?;
        sql::find_outcome(store, tenant, &intent).await?.ok_or(MembershipError::NoOutcome { messenger })
    }
}

impl Membership {
    /// Handles a messenger command or accepted invite addressed to `character`.
    pub async fn handle(
        &mut self,
        services: &CharacterPorts,
        character: u32,
        input: MessengerInput,
        meta: &Meta,
    ) -> Result<Effects<CharacterTimer>> {
        let given = match &input {
            MessengerInput::Command(MessengerCommand::Create(c)) => c.transaction_id,
            MessengerInput::Command(MessengerCommand::Join(c) | MessengerCommand::Leave(c)) => c.transaction_id,
            MessengerInput::Command(MessengerCommand::RequestInvite(c)) => c.transaction_id,
            MessengerInput::Invite(accepted) => accepted.transaction_id,
        };
        let mut step = self.step(services, character, given, meta).await?;
        match input {
            MessengerInput::Command(MessengerCommand::Create(_)) => self.on_create(&mut step).await?,
            MessengerInput::Command(MessengerCommand::Join(c)) => self.on_join(&mut step, c.body.messenger_id).await?,
            MessengerInput::Command(MessengerCommand::Leave(c)) => self.on_leave(&mut step, c.body.messenger_id).await?,
            MessengerInput::Command(MessengerCommand::RequestInvite(c)) => self.on_request_invite(&mut step, c.body.character_id).await?,
            MessengerInput::Invite(accepted) => {
                if accepted.invite_type == "MESSENGER" {
                    self.on_join(&mut step, accepted.reference_id).await?;
                }
            }
        }
        self.finish(step).await
    }

    /// §5.6–5.9: the character's status events.
    pub async fn on_status(&mut self, services: &CharacterPorts, status: &CharacterStatus, meta: &Meta) -> Result<Effects<CharacterTimer>> {
        if matches!(status, CharacterStatus::StatChanged(_)) {
            return Ok(Effects::none());
        }
        let mut step = self.step(services, status.character_id(), status.transaction_id(), meta).await?;
        match status {
            CharacterStatus::Login(event) => {
                if let Some(mut entry) = self.resolve(&mut step).await {
                    entry.online = true;
                    entry.channel = event.body.channel_id;
                    self.set(&mut step, Some(entry.clone()));
                    if entry.messenger != 0 {
                        member_status(&mut step, &entry, "LOGIN");
                    }
                }
            }
            CharacterStatus::Logout(_) => {
                if let Some(mut entry) = self.resolve(&mut step).await {
                    entry.online = false;
                    self.set(&mut step, Some(entry.clone()));
                    if entry.messenger != 0 {
                        member_status(&mut step, &entry, "LOGOUT");
                    }
                    self.unseat(&mut step).await?;
                }
            }
            CharacterStatus::ChannelChanged(event) => {
                if let Some(mut entry) = self.resolve(&mut step).await {
                    entry.channel = event.body.channel_id;
                    self.set(&mut step, Some(entry));
                }
            }
            CharacterStatus::Deleted(_) => {
                if self.entry.is_some() {
                    self.unseat(&mut step).await?;
                    self.set(&mut step, None);
                }
            }
            CharacterStatus::StatChanged(_) => {}
        }
        self.finish(step).await
    }

    async fn step<'a>(&mut self, services: &'a CharacterPorts, character: u32, given: Option<Uuid>, meta: &'a Meta) -> Result<Step<'a>> {
        if !self.loaded {
            self.entry = sql::load_entry(&services.store, meta.tenant.id, character).await?;
            self.loaded = true;
        }
        let transaction = transaction(given).unwrap_or_else(Uuid::new_v4);
        Ok(Step { services, meta, character, transaction, effects: Effects::none(), entry_changed: false, intents: Vec::new() })
    }

    /// Requests an earlier delivery of this record got answered but this one did not make
    /// (it decided differently, e.g. the invitee meanwhile joined a messenger): what they
    /// did is real, so the entry follows them.
    async fn adopt_answered(&mut self, step: &mut Step<'_>) -> Result<()> {
        if step.meta.position.is_none() {
            return Ok(());
        }
        for n in step.intents.len()..MAX_REQUESTS {
            let intent = step.intent_at(n);
            let Some((messenger, outcome)) = sql::find_outcome(&step.services.store, step.meta.tenant.id, &intent).await? else {
                continue;
            };
            match outcome {
                Outcome::Seated(_) => self.seat_in(step, messenger),
                Outcome::Unseated(_) if self.entry.as_ref().is_some_and(|e| e.messenger == messenger) => self.seat_in(step, 0),
                _ => {}
            }
            step.intents.push(intent);
        }
        Ok(())
    }

    async fn finish(&mut self, mut step: Step<'_>) -> Result<Effects<CharacterTimer>> {
        self.adopt_answered(&mut step).await?;
        let Step { mut effects, entry_changed, intents, meta, character, .. } = step;
        let tenant = meta.tenant.id;
        if entry_changed {
            effects.write(sql::save_entry(tenant, character, self.entry.as_ref()));
        }
        for intent in &intents {
            effects.write(sql::delete_outcome(tenant, intent));
        }
        Ok(effects)
    }

    fn set(&mut self, step: &mut Step<'_>, entry: Option<Entry>) {
        self.entry = entry;
        step.entry_changed = true;
    }

    /// §4.3: the entry, fetched from the character service on first sight.
    async fn resolve(&mut self, step: &mut Step<'_>) -> Option<Entry> {
        if let Some(entry) = &self.entry {
            return Some(entry.clone());
        }
        let entry = lookup::character(&step.services.foreign, &step.meta.tenant, step.character).await?;
        self.set(step, Some(entry.clone()));
        Some(entry)
    }

    fn seat_in(&mut self, step: &mut Step<'_>, messenger: u32) {
        if let Some(mut entry) = self.entry.clone() {
            entry.messenger = messenger;
            self.set(step, Some(entry));
        }
    }

    async fn on_create(&mut self, step: &mut Step<'_>) -> Result<()> {
        let Some(entry) = self.resolve(step).await else {
            step.error(UNEXPECTED, 0, 0, "");
            return Ok(());
        };
        if entry.messenger != 0 {
            step.error(ALREADY_1, 0, entry.world, "");
            return Ok(());
        }
        self.create(step, &entry).await.map(|_| ())
    }

    /// §5.1 step 3: a new messenger seating this character in slot 0.
    async fn create(&mut self, step: &mut Step<'_>, entry: &Entry) -> Result<Option<u32>> {
        let (messenger, outcome) = step.ask(Request::Create, 0, entry).await?;
        if !matches!(outcome, Outcome::Seated(_)) {
            return Ok(None);
        }
        self.seat_in(step, messenger);
        Ok(Some(messenger))
    }

    /// §5.2, also for an accepted invite (§5.5).
    async fn on_join(&mut self, step: &mut Step<'_>, messenger: u32) -> Result<()> {
        let Some(entry) = self.resolve(step).await else {
            step.error(UNEXPECTED, messenger, 0, "");
            return Ok(());
        };
        if entry.messenger != 0 {
            step.error(ALREADY_2, entry.messenger, entry.world, "");
            return Ok(());
        }
        if let (_, Outcome::Seated(_)) = step.ask(Request::Seat, messenger, &entry).await? {
            self.seat_in(step, messenger);
        }
        Ok(())
    }

    /// §5.3.
    async fn on_leave(&mut self, step: &mut Step<'_>, messenger: u32) -> Result<()> {
        let Some(entry) = self.resolve(step).await else {
            step.error(UNEXPECTED, messenger, 0, "");
            return Ok(());
        };
        if entry.messenger != messenger {
            step.error(UNEXPECTED, messenger, entry.world, "");
            return Ok(());
        }
        step.ask(Request::Unseat, messenger, &entry).await?;
        // Seated or not, the messenger does not seat this character any more.
        self.seat_in(step, 0);
        Ok(())
    }

    /// Leaves the messenger this character sits in, if any (LOGOUT, DELETED).
    async fn unseat(&mut self, step: &mut Step<'_>) -> Result<()> {
        let Some(entry) = self.entry.clone().filter(|e| e.messenger != 0) else { return Ok(()) };
        step.ask(Request::Unseat, entry.messenger, &entry).await?;
        self.seat_in(step, 0);
        Ok(())
    }

    /// §5.4, creating the inviter's messenger when it has none. The invitee is read from
    /// committed state (its own actor owns it; asking that actor could deadlock with an
    /// invite the other way round).
    async fn on_request_invite(&mut self, step: &mut Step<'_>, target: u32) -> Result<()> {
        let Some(inviter) = self.resolve(step).await else {
            step.error(UNEXPECTED, 0, 0, "");
            return Ok(());
        };
        let tenant = step.meta.tenant.id;
        let invitee = match sql::load_entry(&step.services.store, tenant, target).await? {
            Some(entry) => Some(entry),
            // Resolving the invitee inserts its entry (§4.3), so REST and its own actor see it.
            None => lookup::character(&step.services.foreign, &step.meta.tenant, target).await.inspect(|entry| {
                step.effects.write(sql::insert_entry_if_absent(tenant, target, entry));
            }),
        };
        let Some(invitee) = invitee else {
            step.error(UNEXPECTED, inviter.messenger, 0, "");
            return Ok(());
        };
        if invitee.messenger != 0 {
            step.error(ALREADY_2, invitee.messenger, invitee.world, &invitee.name);
            return Ok(());
        }
        let messenger = match inviter.messenger {
            0 => match self.create(step, &inviter).await? {
                Some(created) => created,
                None => return Ok(()),
            },
            current => current,
        };
        if sql::load_room(&step.services.store, tenant, messenger).await?.len() >= CAPACITY {
            step.error(FULL, messenger, invitee.world, "");
            return Ok(());
        }
        let command = InviteCommand {
            transaction_id: step.transaction,
            world_id: inviter.world,
            invite_type: "MESSENGER",
            kind: "CREATE",
            body: InviteCommandBody { originator_id: step.character, target_id: target, reference_id: messenger },
        };
        step.effects.emit(INVITE, messenger, &command, step.meta);
        Ok(())
    }
}

fn member_status(step: &mut Step<'_>, entry: &Entry, kind: &'static str) {
    let event = MemberStatus {
        transaction_id: step.transaction,
        world_id: entry.world,
        messenger_id: entry.messenger,
        character_id: step.character,
        kind,
        body: EmptyBody {},
    };
    step.effects.emit(MEMBER_STATUS, entry.messenger, &event, step.meta);
}
