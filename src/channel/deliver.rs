//! Who receives what (spec 50 §4, P1 topics, with the §8 fixes): each consumed record
//! becomes frames pushed to the sessions of this process it concerns.
//!
//! Recipients: SELF (one character's session), MAP / MAP−c (the members of a map
//! instance, from the field actors), LIST (given characters, each once). A scope check
//! keeps a world-scoped record to sessions of that world and a channel-scoped one to that
//! channel. Records arrive typed (`contracts::channel::first_wave`); every frame is a
//! typed push (`contracts::channel::pushes`).

use super::events::ChannelEvent;
use super::fields::Membership;
use super::frames::{enable_actions, Frame};
use super::sessions::{Field, Session};
use super::updates::push;
use super::{field_view, lifecycle, lookups, registration, Edge};
use crate::actors::messengers::sql as messengers;
use crate::contracts::channel::first_wave::{
    AccountSession, AccountSessionEvent, AssetEvent, AssetStatus, BuffEvent, BuffStatus, CharacterEvent, CharacterStatus, Chat, ChatEvent,
    CompartmentEvent, CompartmentStatus, ConsumableEvent, ConsumableStatus, Distribution, DropEvent, DropStatus, InviteEvent, InviteStatus,
    MapEvent, MapStatus, MessengerEvent, MessengerStatus, MonsterEvent, MonsterStatus, Record, SkillEvent, SkillStatus,
};
use crate::contracts::channel::pushes::{
    Announcement, AppearanceUpdate, BuffCancelled, BuffCancelledForeign, BuffGiven, BuffGivenForeign, ChannelChange, CharacterDespawn,
    CharacterExpression, ChatGeneral, ChatMulti, ChatWhisper, CompartmentMerge, CompartmentSort, ControlMonster, DestroyMonster,
    DropDestroy, DropSpawn, ExperienceGained, FameGiven, InventoryChange, InventoryOperation, Item, ItemUpgrade, LevelUp, LevelUpForeign,
    MessengerOperation, MonsterHealth, PartyMemberHp, PetCashFoodResult, PetChat, SkillChange, SkillCooldown, SpawnMonster, StatsChanged,
    StatusMessage, Warp,
};
use crate::contracts::channel::FieldBlock;
use crate::contracts::tenant::Tenant;
use chrono::Utc;
use std::sync::Arc;

/// Where a record applies (spec 50 §1.2).
#[derive(Debug, Clone, Copy)]
pub(super) enum Scope {
    Tenant,
    World(u8),
    Channel(u8, u8),
}

impl Scope {
    pub(super) fn admits(self, session: &Session) -> bool {
        match self {
            Scope::Tenant => true,
            Scope::World(w) => session.world == w,
            Scope::Channel(w, c) => session.world == w && session.channel == c,
        }
    }
}

/// Pushes what one consumed record means to this process's sessions.
pub async fn deliver(edge: &Arc<Edge>, tenant: &Tenant, event: ChannelEvent) {
    match event {
        ChannelEvent::Account(status) => match status.status.as_str() {
            "LOGGED_IN" => {
                edge.accounts.insert((tenant.id, status.account_id), ());
            }
            _ => {
                edge.accounts.remove(&(tenant.id, status.account_id));
            }
        },
        ChannelEvent::StatusRequest => registration::register_tenant(edge, tenant.id).await,
        ChannelEvent::First(record) => {
            let to = Recipients { edge, tenant };
            match record {
                Record::AccountSession(r) => account_session(edge, tenant, r).await,
                Record::Character(r) => character_status(&to, r).await,
                Record::Map(r) => map_status(&to, r).await,
                Record::Asset(r) => asset_status(&to, r).await,
                Record::Compartment(r) => compartment_status(&to, r),
                Record::Chat(r) => chat(&to, r).await,
                Record::Expression(e) => {
                    let frame = push(&CharacterExpression { character_id: e.character_id, expression: e.expression });
                    to.map(field_of(&e.field), Some(e.character_id), &frame).await;
                }
                Record::Buff(r) => buff_status(&to, r).await,
                Record::Skill(r) => skill_status(&to, r),
                Record::Messenger(r) => messenger_status(&to, r).await,
                Record::Invite(r) => invite_status(&to, r).await,
                Record::Monster(r) => monster_status(&to, r).await,
                Record::Drop(r) => drop_status(&to, r).await,
                Record::Consumable(r) => consumable_status(&to, r).await,
            }
        }
        ChannelEvent::Update(update) => super::updates::deliver(&Recipients { edge, tenant }, update).await,
        ChannelEvent::Later(update) => super::last_wave::deliver(&Recipients { edge, tenant }, update).await,
    }
}

/// Resolves recipients among this process's sessions.
pub(super) struct Recipients<'a> {
    pub(super) edge: &'a Arc<Edge>,
    pub(super) tenant: &'a Tenant,
}

impl Recipients<'_> {
    pub(super) fn session(&self, character: u32, scope: Scope) -> Option<Arc<Session>> {
        self.edge.sessions.character(self.tenant, character).filter(|s| scope.admits(s))
    }

    /// SELF: pushes to the character's session; whether it is here.
    pub(super) fn one(&self, character: u32, scope: Scope, frame: &Frame) -> bool {
        self.session(character, scope).map(|s| s.push(frame)).is_some()
    }

    /// LIST: each listed character's session once.
    pub(super) fn list(&self, characters: &[u32], scope: Scope, frame: &Frame) {
        for session in self.edge.sessions.characters(self.tenant, characters) {
            if scope.admits(&session) {
                session.push(frame);
            }
        }
    }

    /// MAP(f), without `except` if given: the field's members whose sessions are here.
    pub(super) async fn map(&self, field: Field, except: Option<u32>, frame: &Frame) {
        for session in self.in_field(field).await {
            if Some(session.character()) != except {
                session.push(frame);
            }
        }
    }

    pub(super) async fn in_field(&self, field: Field) -> Vec<Arc<Session>> {
        let members = self.edge.maps.members(self.tenant.id, field).await;
        let sessions = self.edge.sessions.characters(self.tenant, &members);
        sessions.into_iter().filter(|s| Scope::Channel(field.world, field.channel).admits(s)).collect()
    }

    /// MAPOF(c): the map instance `c`'s session is in (`c` must be here).
    pub(super) async fn map_of(&self, character: u32, scope: Scope, include_self: bool, frame: &Frame) {
        let Some(session) = self.session(character, scope) else { return };
        let except = (!include_self).then_some(character);
        self.map(session.field(), except, frame).await;
    }
}

fn field_of(f: &FieldBlock) -> Field {
    Field { world: f.world_id, channel: f.channel_id, map: f.map_id, instance: f.instance }
}

/// §4.2: the account service's answers about this process's sessions.
async fn account_session(edge: &Arc<Edge>, tenant: &Tenant, r: AccountSession) {
    let Some(session) = edge.sessions.get(r.envelope.session_id).filter(|s| s.tenant == *tenant) else { return };
    match r.event {
        AccountSessionEvent::Error(_) => lifecycle::destroy(edge, &session).await,
        AccountSessionEvent::StateChanged(changed) => {
            let params = changed.params;
            if params.character_id > 0 {
                lifecycle::complete_login(edge, &session, params.character_id).await;
            }
            if !params.ip_address.is_empty() {
                session.update(|s| s.handed_over = true);
                session.push(&push(&ChannelChange { ip_address: params.ip_address, port: params.port }));
            }
        }
    }
}

async fn character_status(to: &Recipients<'_>, r: CharacterStatus) {
    let (character, world) = (r.envelope.character_id, r.envelope.world_id);
    let services = &to.edge.services;
    match r.event {
        CharacterEvent::StatChanged(changed) => {
            if changed.updates.iter().any(|u| u == "HP" || u == "MAX_HP") {
                party_hp(to, character, world, changed.channel_id).await;
            }
            let Some(session) = to.session(character, Scope::World(world)) else { return };
            let mut updates = std::collections::BTreeMap::new();
            if !changed.updates.is_empty() {
                let Some(looked) = lookups::character_of(services, to.tenant, character).await else { return };
                for stat in changed.updates {
                    let value = looked.fields.stat(&stat);
                    updates.insert(stat, value);
                }
            }
            session.push(&push(&StatsChanged { updates, excl_request_sent: changed.excl_request_sent }));
        }
        CharacterEvent::MapChanged(warp) => {
            let Some(session) = to.session(character, Scope::Channel(world, warp.channel_id)) else { return };
            let (map, instance) = (warp.target_map_id, warp.target_instance);
            // the instance is kept with the map.
            session.update(|s| (s.map, s.instance) = (map, instance));
            let hp = lookups::character_of(services, to.tenant, character).await.map_or(0, |c| c.fields.hp);
            let frame = Warp { warp: true, channel_id: warp.channel_id, map_id: map, instance, portal_id: warp.target_portal_id, hp };
            session.push(&push(&frame));
            field_view::set_field_pushed(to.edge, &session, map).await;
        }
        CharacterEvent::ExperienceChanged(gained) => {
            let frame = push(&StatusMessage::Experience(experience_message(&gained.distributions)));
            to.one(character, Scope::Channel(world, gained.channel_id), &frame);
        }
        CharacterEvent::FameChanged(fame) => {
            if fame.actor_type != "CHARACTER" {
                return;
            }
            let (Some(target), Some(giver)) = (
                lookups::character_of(services, to.tenant, character).await,
                lookups::character_of(services, to.tenant, fame.actor_id).await,
            ) else {
                return;
            };
            let scope = Scope::World(world);
            to.one(character, scope, &push(&FameGiven::Received { name: giver.fields.name, amount: fame.amount }));
            let gave = FameGiven::Gave { name: target.fields.name, amount: fame.amount, fame: target.fields.fame };
            to.one(fame.actor_id, scope, &push(&gave));
        }
        CharacterEvent::MesoChanged(meso) => {
            to.one(character, Scope::World(world), &push(&StatusMessage::Meso { amount: meso.amount }));
        }
        CharacterEvent::LevelChanged(level) => {
            let scope = Scope::Channel(world, level.channel_id);
            if to.one(character, scope, &push(&LevelUp {})) {
                to.map_of(character, scope, false, &push(&LevelUpForeign { character_id: character })).await;
            }
        }
    }
}

/// A character's HP to its party members online in its map (spec 50 §4.5), each whose
/// session is here; the character's own session may be elsewhere.
async fn party_hp(to: &Recipients<'_>, character: u32, world: u8, channel: u8) {
    let members = lookups::party_of(&to.edge.services, to.tenant, character).await;
    let Some(me) = members.iter().find(|m| m.id == character) else { return };
    let scope = Scope::Channel(world, channel);
    let recipients: Vec<Arc<Session>> = members
        .iter()
        .filter(|m| {
            m.id != character && m.online && m.world == world && m.channel == channel && (m.map, m.instance) == (me.map, me.instance)
        })
        .filter_map(|m| to.session(m.id, scope))
        .collect();
    if recipients.is_empty() {
        return;
    }
    let Some(looked) = lookups::character_of(&to.edge.services, to.tenant, character).await else { return };
    let frame = push(&PartyMemberHp { character_id: character, hp: looked.fields.hp, max_hp: looked.fields.max_hp });
    recipients.iter().for_each(|s| s.push(&frame));
}

/// The "experience gained" message: each distribution sets its part; a later one
/// overwrites an earlier (spec 50 §4.5).
fn experience_message(distributions: &[Distribution]) -> ExperienceGained {
    let mut message = ExperienceGained::default();
    for d in distributions {
        let amount = Some(d.amount);
        match d.experience_type.as_str() {
            "WHITE" => (message.white, message.amount) = (true, d.amount),
            "YELLOW" => (message.white, message.amount) = (false, d.amount),
            "CHAT" => (message.in_chat, message.amount) = (true, d.amount),
            "MONSTER_BOOK" => message.monster_book_bonus = amount,
            "MONSTER_EVENT" => message.mob_event_bonus_percent = amount,
            "PLAY_TIME" => (message.play_time_hour, message.mob_event_bonus_percent) = (Some(d.attr1), amount),
            "WEDDING" => message.wedding_bonus = amount,
            "SPIRIT_WEEK" => message.quest_bonus_rate = amount,
            "PARTY" => (message.party_event_rate, message.party_bonus) = (Some(d.attr1), amount),
            "ITEM" => message.item_bonus = amount,
            "INTERNET_CAFE" => message.premium_ip_bonus = amount,
            "RAINBOW_WEEK" => message.rainbow_week_bonus = amount,
            "PARTY_RING" => message.party_ring_bonus = amount,
            "CAKE_PIE" => message.cake_pie_bonus = amount,
            _ => {}
        }
    }
    message
}

/// §4.6: spawns and despawns. Each process pushes to its own sessions: the entering
/// character's session (if here) sees everyone there, and everyone here sees it.
async fn map_status(to: &Recipients<'_>, r: MapStatus) {
    let field = field_of(&r.envelope.field);
    let services = &to.edge.services;
    match r.event {
        MapEvent::Enter(entered) => {
            let entering = entered.character_id;
            if to.edge.maps.members(to.tenant.id, field).await.is_empty() {
                prime(to, field).await;
            }
            to.edge.maps.apply(to.tenant.id, field, Membership::Enter(entering)).await;
            let others: Vec<Arc<Session>> = to.in_field(field).await.into_iter().filter(|s| s.character() != entering).collect();
            if !others.is_empty() {
                // one character that cannot be loaded does not blank the map.
                if let Some(looked) = lookups::character_of(services, to.tenant, entering).await {
                    let attributes = serde_json::Value::Object(looked.attributes);
                    let frame = field_view::spawn(entering, &attributes, true);
                    others.iter().for_each(|s| s.push(&frame));
                    let mates = field_view::party_in_field(to.edge, to.tenant, entering, field).await;
                    let hp = push(&PartyMemberHp { character_id: entering, hp: looked.fields.hp, max_hp: looked.fields.max_hp });
                    others.iter().filter(|s| mates.contains(&s.character())).for_each(|s| s.push(&hp));
                }
            }
            if let Some(session) = to.session(entering, Scope::Channel(field.world, field.channel)) {
                field_view::entered(to.edge, &session, field).await;
            }
        }
        MapEvent::Exit(left) => {
            to.edge.maps.apply(to.tenant.id, field, Membership::Exit(left.character_id)).await;
            to.map(field, Some(left.character_id), &push(&CharacterDespawn { character_id: left.character_id })).await;
        }
    }
}

/// A field this process has not seen yet: its members before this process started are
/// read once from the maps service, then kept by the field's actor.
async fn prime(to: &Recipients<'_>, field: Field) {
    let path = format!("worlds/{}/channels/{}/maps/{}/instances/{}/characters/", field.world, field.channel, field.map, field.instance);
    for (id, _) in lookups::resources(&to.edge.services, to.tenant, "MAPS", &path).await {
        if let Ok(character) = id.parse() {
            to.edge.maps.apply(to.tenant.id, field, Membership::Enter(character)).await;
        }
    }
}

/// §4.7: inventory changes, with the Q-12 fixes (appearance only for equipment moves in
/// or out of an equipped position; an expired item is also removed).
async fn asset_status(to: &Recipients<'_>, r: AssetStatus) {
    let e = r.envelope;
    let inventory_type = e.template_id / 1_000_000;
    let Some(inventory_type) = u8::try_from(inventory_type).ok().filter(|t| (1..=5).contains(t)) else {
        tracing::warn!(template = e.template_id, "asset of no inventory type: not pushed");
        return;
    };
    let character = e.character_id;
    let Some(session) = to.session(character, Scope::Tenant) else { return };
    let slot = e.slot;
    let add =
        |data| InventoryOperation::Add { inventory_type, slot, item: Item { asset_id: e.asset_id, template_id: e.template_id, data } };
    let remove = InventoryOperation::Remove { inventory_type, slot };
    let change = |operations: Vec<InventoryOperation>| push(&InventoryChange { silent: false, operations });
    match r.event {
        AssetEvent::Created(data) | AssetEvent::Accepted(data) => session.push(&change(vec![add(data)])),
        AssetEvent::Updated(data) => session.push(&change(vec![remove, add(data)])),
        AssetEvent::QuantityChanged(changed) => {
            session.push(&change(vec![InventoryOperation::Quantity { inventory_type, slot, quantity: changed.quantity }]));
        }
        AssetEvent::Deleted(_) | AssetEvent::Released(_) => session.push(&change(vec![remove])),
        AssetEvent::Moved(moved) => {
            let old = moved.old_slot;
            session.push(&change(vec![InventoryOperation::Move { inventory_type, slot: old, destination: slot }]));
            if inventory_type == 1 && (slot < 0 || old < 0) {
                let look = AppearanceUpdate { character_id: character, template_id: e.template_id, slot, old_slot: old };
                to.map(session.field(), None, &push(&look)).await;
                avatar_to_messenger(to, character, session.channel).await;
            }
        }
        AssetEvent::Expired(expired) => {
            let (template_id, message) = (e.template_id, expired.replace_message);
            let notice = match (message.is_empty(), expired.is_cash) {
                (false, _) => StatusMessage::ItemExpiredReplaced { template_id, message },
                (true, true) => StatusMessage::CashItemExpired { template_id, message },
                (true, false) => StatusMessage::ItemExpired { template_id, message },
            };
            session.push(&push(&notice));
            session.push(&change(vec![remove]));
        }
    }
}

/// The mover's messenger members see its new look (spec 50 §4.7 MOVED (c)).
async fn avatar_to_messenger(to: &Recipients<'_>, character: u32, channel: u8) {
    let Ok(rooms) = messengers::rooms(&to.edge.services.store, to.tenant.id, Some(character)).await else { return };
    for room in rooms {
        let Some((seat, _)) = room.members.iter().find(|(s, _)| s.character == character) else { continue };
        let frame = push(&MessengerOperation::UpdateAvatar { slot: seat.slot, character_id: character, channel_id: channel });
        let ids: Vec<u32> = room.members.iter().map(|(s, _)| s.character).collect();
        to.list(&ids, Scope::Tenant, &frame);
    }
}

fn compartment_status(to: &Recipients<'_>, r: CompartmentStatus) {
    let Some(session) = to.session(r.envelope.character_id, Scope::Tenant) else { return };
    session.push(&enable_actions());
    match r.event {
        CompartmentEvent::ReservationCancelled(_) => {}
        CompartmentEvent::Merged(done) => session.push(&push(&CompartmentMerge { inventory_type: done.inventory_type })),
        CompartmentEvent::Sorted(done) => session.push(&push(&CompartmentSort { inventory_type: done.inventory_type })),
    }
}

/// §4.9 with Q-7 (group chat for the four group types only) and Q-8 (recipient lists and
/// whispers reach recipients on any channel of the world).
async fn chat(to: &Recipients<'_>, r: Chat) {
    let services = &to.edge.services;
    let (e, message) = (&r.envelope, r.envelope.message.clone());
    let sender = e.actor_id;
    let world = Scope::World(e.field.world_id);
    let name_of = |id: u32| async move { lookups::character_of(services, to.tenant, id).await.map(|c| c.fields.name) };
    let group = |mode: u8, recipients: Vec<u32>| async move {
        let Some(name) = name_of(sender).await else { return };
        to.list(&recipients, world, &push(&ChatMulti { name, message: message.clone(), mode }));
    };
    match r.event {
        ChatEvent::General(general) => {
            let gm = lookups::character_of(services, to.tenant, sender).await.is_some_and(|c| c.fields.gm == 1);
            let frame = push(&ChatGeneral { character_id: sender, gm, message: e.message.clone(), balloon_only: general.balloon_only });
            to.map(field_of(&e.field), None, &frame).await;
        }
        ChatEvent::Buddy(list) => group(0, list.recipients).await,
        ChatEvent::Party(list) => group(1, list.recipients).await,
        ChatEvent::Guild(list) => group(2, list.recipients).await,
        ChatEvent::Alliance(list) => group(3, list.recipients).await,
        ChatEvent::Whisper(whisper) => {
            let recipient = whisper.recipient;
            let (Some(from), Some(target)) = (name_of(sender).await, name_of(recipient).await) else { return };
            to.one(sender, world, &push(&ChatWhisper::SendResult { name: target, success: true }));
            let received = ChatWhisper::Receive { name: from, channel_id: e.field.channel_id, message: e.message.clone() };
            to.one(recipient, world, &push(&received));
        }
        ChatEvent::Messenger(list) => to.list(&list.recipients, world, &push(&MessengerOperation::Chat { message: e.message.clone() })),
        ChatEvent::Pet(pet) => {
            let data = PetChat {
                owner_id: pet.owner_id,
                pet_slot: pet.pet_slot,
                kind: pet.kind,
                action: pet.action,
                message: e.message.clone(),
                balloon: pet.balloon,
            };
            to.map_of(pet.owner_id, Scope::Channel(e.field.world_id, e.field.channel_id), true, &push(&data)).await;
        }
        ChatEvent::PinkText(list) => {
            let name = name_of(sender).await.unwrap_or_default();
            let frame = push(&Announcement::PinkText { medal: String::new(), name, message: e.message.clone() });
            to.list(&list.recipients, world, &frame);
        }
    }
}

async fn buff_status(to: &Recipients<'_>, r: BuffStatus) {
    let character = r.envelope.character_id;
    let scope = Scope::World(r.envelope.world_id);
    let (own, foreign) = match r.event {
        BuffEvent::Applied(b) => {
            let foreign = BuffGivenForeign { character_id: character, source_id: b.source_id, changes: b.changes.clone() };
            let own = BuffGiven {
                source_id: b.source_id,
                duration: b.duration,
                changes: b.changes,
                created_at: b.created_at,
                expires_at: b.expires_at,
            };
            (push(&own), push(&foreign))
        }
        BuffEvent::Expired(b) => (
            push(&BuffCancelled { changes: b.changes.clone() }),
            push(&BuffCancelledForeign { character_id: character, changes: b.changes }),
        ),
    };
    if to.one(character, scope, &own) {
        to.map_of(character, scope, false, &foreign).await;
    }
}

fn skill_status(to: &Recipients<'_>, r: SkillStatus) {
    let skill_id = r.envelope.skill_id;
    let frame = match r.event {
        SkillEvent::Created(s) | SkillEvent::Updated(s) => push(&SkillChange {
            skill_id,
            level: s.level,
            master_level: s.master_level,
            expiration: s.expiration,
            excl_request_sent: true,
            sn: true,
        }),
        SkillEvent::CooldownApplied(c) => {
            let seconds = if c.cooldown_expires_at.is_zero() { 0 } else { (c.cooldown_expires_at.utc() - Utc::now()).num_seconds().max(0) };
            push(&SkillCooldown { skill_id, seconds })
        }
        SkillEvent::CooldownExpired(_) => push(&SkillCooldown { skill_id, seconds: 0 }),
    };
    to.one(r.envelope.character_id, Scope::Tenant, &frame);
}

/// §4.13 from this server's own messengers (no REST call), with Q-16: the leaver is
/// always told, even when the room is gone.
async fn messenger_status(to: &Recipients<'_>, r: MessengerStatus) {
    let e = &r.envelope;
    let scope = Scope::World(e.world_id);
    let rooms = messengers::rooms(&to.edge.services.store, to.tenant.id, None).await.unwrap_or_default();
    let members = rooms.into_iter().find(|room| room.id == e.messenger_id).map(|room| room.members).unwrap_or_default();
    match r.event {
        MessengerEvent::Joined(_) => {
            let Some((seat, entry)) = members.iter().find(|(s, _)| s.character == e.actor_id) else { return };
            let added = MessengerOperation::Add {
                slot: seat.slot,
                character_id: seat.character,
                name: entry.name.clone(),
                channel_id: entry.channel,
            };
            let others: Vec<u32> = members.iter().map(|(s, _)| s.character).filter(|c| *c != e.actor_id).collect();
            to.list(&others, scope, &push(&added));
            if let Some(session) = to.session(e.actor_id, scope) {
                session.push(&push(&MessengerOperation::Join { slot: seat.slot }));
                for (other, entry) in members.iter().filter(|(s, _)| s.character != e.actor_id) {
                    let add = MessengerOperation::Add {
                        slot: other.slot,
                        character_id: other.character,
                        name: entry.name.clone(),
                        channel_id: entry.channel,
                    };
                    session.push(&push(&add));
                }
            }
        }
        MessengerEvent::Left(seat) => {
            let frame = push(&MessengerOperation::Remove { slot: seat.slot });
            let mut ids: Vec<u32> = members.iter().map(|(s, _)| s.character).collect();
            ids.push(e.actor_id);
            to.list(&ids, scope, &frame);
        }
    }
}

/// §4.20, the messenger rows (the other invite types come with parties, buddies, guilds).
async fn invite_status(to: &Recipients<'_>, r: InviteStatus) {
    if r.envelope.invite_type != "MESSENGER" {
        return super::invites::deliver(to, &r).await;
    }
    let scope = Scope::World(r.envelope.world_id);
    let (originator, target) = (r.body().originator_id, r.body().target_id);
    let services = &to.edge.services;
    match r.event {
        InviteEvent::Created(_) => {
            if to.session(target, scope).is_none() {
                return;
            }
            let Some(inviter) = lookups::character_of(services, to.tenant, originator).await else { return };
            let frame = MessengerOperation::Invite { name: inviter.fields.name, messenger_id: r.envelope.reference_id };
            to.one(target, scope, &push(&frame));
        }
        InviteEvent::Rejected(_) => {
            if to.session(originator, scope).is_none() {
                return;
            }
            let Some(invitee) = lookups::character_of(services, to.tenant, target).await else { return };
            to.one(originator, scope, &push(&MessengerOperation::InviteDeclined { name: invitee.fields.name }));
        }
    }
}

async fn monster_status(to: &Recipients<'_>, r: MonsterStatus) {
    let e = &r.envelope;
    let field = field_of(&e.field);
    let services = &to.edge.services;
    let scope = Scope::Channel(e.field.world_id, e.field.channel_id);
    let unique_id = e.unique_id;
    match r.event {
        MonsterEvent::Created(_) => {
            if to.in_field(field).await.is_empty() {
                return;
            }
            let Some(monster) = lookups::monster_of(services, to.tenant, unique_id).await else { return };
            to.map(field, None, &push(&SpawnMonster::fresh(unique_id, e.monster_id, monster.attributes))).await;
        }
        MonsterEvent::Destroyed(_) | MonsterEvent::Killed(_) => {
            to.map(field, None, &push(&DestroyMonster { unique_id, animation: 1 })).await;
        }
        MonsterEvent::Damaged(hit) => {
            // The attacker, or its party members online in the field (attacker included).
            let actor = hit.actor_id;
            let party = lookups::party_of(services, to.tenant, actor).await;
            let recipients: Vec<u32> = match party.is_empty() {
                true => vec![actor],
                false => party
                    .iter()
                    .filter(|m| {
                        m.online && (m.world, m.channel, m.map, m.instance) == (field.world, field.channel, field.map, field.instance)
                    })
                    .map(|m| m.id)
                    .collect(),
            };
            if to.edge.sessions.characters(to.tenant, &recipients).is_empty() {
                return;
            }
            let Some(monster) = lookups::monster_of(services, to.tenant, unique_id).await else { return };
            let (hp, max) = (u64::from(monster.fields.hp), u64::from(monster.fields.max_hp));
            let percent = (hp * 100).checked_div(max).map_or(1, |percent| percent.max(1));
            to.list(&recipients, scope, &push(&MonsterHealth { unique_id, percent }));
        }
        MonsterEvent::StartControl(c) => {
            let frame = ControlMonster::Start {
                control: true,
                unique_id,
                monster_id: e.monster_id,
                x: c.x,
                y: c.y,
                stance: c.stance,
                fh: c.fh,
                team: c.team,
            };
            to.one(c.actor_id, scope, &push(&frame));
        }
        MonsterEvent::StopControl(c) => {
            to.one(c.actor_id, scope, &push(&ControlMonster::Stop { control: false, unique_id }));
        }
    }
}

async fn drop_status(to: &Recipients<'_>, r: DropStatus) {
    // the record's own instance.
    let field = field_of(&r.envelope.field);
    let drop_id = r.envelope.drop_id;
    match r.event {
        DropEvent::Created(d) => {
            let frame = DropSpawn {
                drop_id,
                enter_type: "FRESH",
                item_id: d.item_id,
                quantity: d.quantity,
                meso: d.meso,
                ownership_type: d.ownership,
                x: d.x,
                y: d.y,
                owner_id: d.owner_id,
                owner_party_id: d.owner_party_id,
                drop_time: d.drop_time,
                dropper_unique_id: d.dropper_unique_id,
                dropper_x: d.dropper_x,
                dropper_y: d.dropper_y,
                player_drop: d.player_drop,
                delay: d.delay,
            };
            to.map(field, None, &push(&frame)).await;
        }
        DropEvent::Expired(_) => to.map(field, None, &push(&DropDestroy::Expire { drop_id })).await,
        DropEvent::PickedUp(p) => {
            let notice = if p.meso > 0 {
                StatusMessage::MesoPickedUp { amount: p.meso }
            } else if p.equipment_id > 0 {
                StatusMessage::ItemPickedUp { item_id: p.item_id, quantity: None }
            } else {
                StatusMessage::ItemPickedUp { item_id: p.item_id, quantity: Some(p.quantity) }
            };
            to.one(p.character_id, Scope::Channel(field.world, field.channel), &push(&notice));
            let (character_id, pet_slot) = (p.character_id, p.pet_slot);
            let destroy = match pet_slot >= 0 {
                true => DropDestroy::PetPickUp { drop_id, character_id, pet_slot },
                false => DropDestroy::PickUp { drop_id, character_id, pet_slot },
            };
            to.map(field, None, &push(&destroy)).await;
        }
    }
}

async fn consumable_status(to: &Recipients<'_>, r: ConsumableStatus) {
    let character = r.envelope.character_id;
    match r.event {
        ConsumableEvent::Error(error) => {
            let frame = match error.error.as_str() {
                "PET_CANNOT_CONSUME" => push(&PetCashFoodResult { error: true }),
                _ => enable_actions(),
            };
            to.one(character, Scope::Tenant, &frame);
        }
        ConsumableEvent::Scroll(scroll) => {
            to.map_of(character, Scope::Tenant, true, &push(&ItemUpgrade { character_id: character, scroll })).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn distribution(experience_type: &str, amount: u32, attr1: u32) -> Distribution {
        Distribution { experience_type: experience_type.into(), amount, attr1 }
    }

    #[test]
    fn experience_parts_overwrite_in_order() {
        let message = experience_message(&[distribution("WHITE", 10, 0), distribution("PARTY", 5, 2), distribution("YELLOW", 30, 0)]);
        let text = serde_json::to_value(StatusMessage::Experience(message)).expect("json");
        assert_eq!(
            text,
            json!({"kind": "EXPERIENCE", "amount": 30, "white": false, "inChat": false, "partyBonus": 5, "partyEventRate": 2})
        );
    }
}
