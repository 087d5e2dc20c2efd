//! Client actions → Atlas commands (spec 51 §4, the P1 list of §7), with the §6 fixes.
//!
//! Translation is split in two: [`resolve`] gathers what an action needs from elsewhere
//! (the character's position, a portal id, a name's character, the sender's messenger,
//! a skill's effect) and [`translate`] turns the action and that context into commands,
//! frames for the sender and frames for the others in its map. Identities and the field
//! always come from the session, never from the frame.

use super::actions::{command, field};
use super::frames::{enable_actions, ClientFrame, Frame, Path};
use super::sessions::{Field, Session};
use super::updates::push;
use super::{lookups, respawn, Command, Edge};
use crate::actors::character::skills_sql;
use crate::actors::messengers::sql as messengers;
use crate::contracts::channel::action_pushes::{CharacterMovement, MessengerInviteSent};
use crate::contracts::channel::commands::{
    Ability, BuffCommand, BuffCommandKind, CharacterCommand, CharacterCommandKind, CharacterMovementCommand, ChatCommand, ChatKind,
    CompartmentMove, CompartmentMoveCommand, Distribution, Dropped, ExpressionCommand, MessengerCommand, MessengerCommandKind,
    MonsterCommand, MonsterCommandKind, MonsterMovementCommand, Movement, PortalCommand, PortalCommandKind, SkillCommand, SkillCommandKind,
    SkillMacro, SkillMacroCommand, SkillMacroCommandKind, StatUp,
};
use crate::contracts::channel::inventory::{ConsumableCommand, ConsumableKind};
use crate::contracts::channel::party::{InviteCommand, InviteCommandKind, InviteType};
use crate::contracts::channel::pet::{Loot, PetLootCommand};
use crate::contracts::channel::Empty;
use serde_json::Value;

/// What an action needs besides the session.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Context {
    pub character: u32,
    pub account: u32,
    pub field: Field,
    /// The character's HP and position, from the character service.
    pub hp: Option<i64>,
    pub position: Option<(i64, i64)>,
    pub portal: Option<u32>,
    /// The character a name names.
    pub named: Option<u32>,
    /// The sender's messenger and its other members.
    pub messenger: Option<(u32, Vec<u32>)>,
    /// The level the character owns the skill at, and the effect at that level.
    pub owned_level: Option<u8>,
    pub effect: Option<Value>,
    /// Whether a reported monster is in the sender's field.
    pub monster_here: bool,
    /// A dead character's way back.
    pub respawn: Option<respawn::Plan>,
    /// Party members a party buff reaches: same channel and map by the party's record.
    pub party_here: Vec<u32>,
    /// What a second-wave action needs.
    pub play: super::actions::Context,
    /// What a last-wave action needs.
    pub later: super::last_wave::Context,
}

/// What an action produces.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    pub commands: Vec<Command>,
    pub reply: Vec<Frame>,
    /// Frames for the others in the sender's map.
    pub to_map: Vec<Frame>,
    /// The action breaks the rules: the session is destroyed (spec 51 §3.3).
    pub destroy: bool,
}

impl Outcome {
    fn commands(commands: Vec<Command>) -> Outcome {
        Outcome { commands, ..Outcome::default() }
    }
}

/// Reads what `frame` needs.
pub async fn resolve(edge: &Edge, session: &Session, frame: &ClientFrame) -> Context {
    let state = session.state();
    let mut ctx = Context { character: state.character, account: state.account, field: session.field(), ..Context::default() };
    let services = &edge.services;
    let tenant = &session.tenant;
    let character = || lookups::character(services, tenant, state.character);
    match frame {
        ClientFrame::CharacterInventoryMove { destination: 0, .. } | ClientFrame::MapChange { .. } => {
            if let Some(attributes) = character().await {
                ctx.hp = Some(lookups::number(&attributes, "hp"));
                ctx.position = Some((lookups::number(&attributes, "x"), lookups::number(&attributes, "y")));
            }
            if let ClientFrame::MapChange { portal_name } = frame {
                ctx.portal = lookups::portal(services, tenant, ctx.field.map, portal_name).await;
                if ctx.hp == Some(0) {
                    ctx.respawn = respawn::plan(services, tenant, state.character, ctx.field.map).await;
                }
            }
        }
        ClientFrame::MonsterMovement { unique_id, .. } => {
            if let Some(monster) = lookups::monster(services, tenant, *unique_id).await {
                let at = |name: &str| lookups::number(&monster, name);
                ctx.monster_here = (at("worldId"), at("channelId"), at("mapId"))
                    == (i64::from(ctx.field.world), i64::from(ctx.field.channel), i64::from(ctx.field.map));
            }
        }
        ClientFrame::CharacterUseSkill { skill_id, .. } | ClientFrame::CharacterAttack { skill_id, .. } if *skill_id > 0 => {
            if matches!(frame, ClientFrame::CharacterUseSkill { .. }) {
                ctx.hp = character().await.map(|a| lookups::number(&a, "hp"));
            }
            let owned = skills_sql::skill(&services.store, tenant.id, state.character, *skill_id).await.ok().flatten();
            ctx.owned_level = owned.map(|v| v.skill.level).filter(|level| *level > 0);
            if let Some(level) = ctx.owned_level {
                ctx.effect = lookups::skill_effect(services, tenant, *skill_id, level).await;
            }
            if let ClientFrame::CharacterUseSkill { affected_members: 1..=127, .. } = frame {
                let party = lookups::party_of(services, tenant, state.character).await;
                let (channel, map) = (ctx.field.channel, ctx.field.map);
                ctx.party_here =
                    party.iter().filter(|m| m.id != state.character && m.channel == channel && m.map == map).map(|m| m.id).collect();
            }
        }
        ClientFrame::MessengerInvite { name } | ClientFrame::MessengerDeclineInvite { from_name: name } => {
            ctx.named = lookups::character_named(services, tenant, name).await;
        }
        ClientFrame::MessengerClose | ClientFrame::MessengerChat { .. } => {
            let rooms = messengers::rooms(&services.store, tenant.id, Some(state.character)).await.unwrap_or_default();
            ctx.messenger = rooms.into_iter().next().map(|room| {
                let others = room.members.iter().map(|(s, _)| s.character).filter(|c| *c != state.character).collect();
                (room.id, others)
            });
        }
        ClientFrame::Play(action) => ctx.play = super::actions::resolve(edge, session, &ctx, action).await,
        ClientFrame::Later(action) => ctx.later = super::last_wave::resolve(edge, session, &ctx, action).await,
        _ => {}
    }
    ctx
}

fn character_command(ctx: &Context, kind: CharacterCommandKind) -> Command {
    command(&CharacterCommand { world_id: ctx.field.world, character_id: ctx.character, kind })
}

/// A signed HP or MP delta, saturated to the wire's i16.
fn change(ctx: &Context, hp: bool, amount: i64) -> Command {
    let amount = amount.clamp(i64::from(i16::MIN), i64::from(i16::MAX)) as i16;
    let channel_id = ctx.field.channel;
    character_command(
        ctx,
        if hp { CharacterCommandKind::ChangeHp { channel_id, amount } } else { CharacterCommandKind::ChangeMp { channel_id, amount } },
    )
}

fn movement(ctx: &Context, object_id: u32, path: &Path) -> Movement {
    let (x, y, stance) = path.summary();
    Movement { field: field(ctx), object_id, observer_id: ctx.character, x, y, stance }
}

fn chat(ctx: &Context, message: &str, kind: ChatKind) -> Command {
    command(&ChatCommand { field: field(ctx), actor_id: ctx.character, message: message.to_string(), kind })
}

fn invite(ctx: &Context, kind: InviteCommandKind) -> Command {
    command(&InviteCommand { world_id: ctx.field.world, invite_type: InviteType::Messenger, kind })
}

fn messenger(ctx: &Context, kind: MessengerCommandKind) -> Command {
    command(&MessengerCommand { actor_id: ctx.character, kind })
}

/// The HP and MP costs of a skill effect, in that order.
fn costs(ctx: &Context, effect: &Value) -> Vec<Command> {
    let mut commands = Vec::new();
    for (field, hp) in [("hpCon", true), ("mpCon", false)] {
        let cost = effect[field].as_i64().unwrap_or(0);
        if cost > 0 {
            commands.push(change(ctx, hp, -cost));
        }
    }
    commands
}

/// The stat-ups of a skill effect, as a buff's changes.
fn stat_ups(effect: &Value) -> Vec<StatUp> {
    let statups = effect["statups"].as_array().map(Vec::as_slice).unwrap_or_default();
    statups
        .iter()
        .map(|s| StatUp { kind: s["type"].as_str().unwrap_or_default().to_string(), amount: s["amount"].as_i64().unwrap_or(0) })
        .collect()
}

/// Turns an action into its commands and frames.
pub fn translate(frame: &ClientFrame, ctx: &Context) -> Outcome {
    let c = ctx.character;
    let f = &ctx.field;
    match frame {
        ClientFrame::Ping | ClientFrame::CharacterLoggedIn { .. } => Outcome::default(),
        ClientFrame::CharacterMove { path } => Outcome {
            commands: vec![command(&CharacterMovementCommand(movement(ctx, c, path)))],
            to_map: vec![push(&CharacterMovement { character_id: c, path: path.clone() })],
            ..Outcome::default()
        },
        ClientFrame::MonsterMovement { unique_id, path } if ctx.monster_here => {
            Outcome::commands(vec![command(&MonsterMovementCommand(movement(ctx, *unique_id, path)))])
        }
        ClientFrame::MonsterMovement { .. } => Outcome::default(),
        ClientFrame::MapChange { .. } => match (ctx.hp, ctx.portal, &ctx.respawn) {
            (Some(0), _, Some(plan)) => Outcome::commands(vec![command(&respawn::saga(plan, c, f))]),
            (Some(hp), Some(portal), _) if hp > 0 => Outcome::commands(vec![command(&PortalCommand {
                field: field(ctx),
                portal_id: portal,
                kind: PortalCommandKind::Enter { character_id: c },
            })]),
            _ => Outcome::default(),
        },
        ClientFrame::CharacterChatGeneral { message, balloon_only } => {
            Outcome::commands(vec![chat(ctx, message, ChatKind::General { balloon_only: *balloon_only })])
        }
        ClientFrame::CharacterChatMulti { chat_type, recipients, message } => match ChatKind::multi(*chat_type, recipients.clone()) {
            Some(kind) => Outcome::commands(vec![chat(ctx, message, kind)]),
            None => Outcome::default(),
        },
        ClientFrame::CharacterChatWhisper { target_name, message } => {
            Outcome::commands(vec![chat(ctx, message, ChatKind::Whisper { recipient_name: target_name.clone() })])
        }
        ClientFrame::CharacterExpression { emote } => {
            Outcome::commands(vec![command(&ExpressionCommand { character_id: c, field: field(ctx), expression: *emote })])
        }
        ClientFrame::CharacterAttack { skill_id, targets } => {
            let mut commands = Vec::new();
            if *skill_id > 0 {
                let Some(_) = ctx.owned_level else { return Outcome { destroy: true, ..Outcome::default() } };
                let Some(effect) = &ctx.effect else { return Outcome::default() };
                commands.extend(costs(ctx, effect));
            }
            for target in targets {
                for damage in &target.damages {
                    commands.push(command(&MonsterCommand {
                        field: field(ctx),
                        monster_id: target.monster_id,
                        kind: MonsterCommandKind::Damage { character_id: c, damage: *damage },
                    }));
                }
            }
            Outcome::commands(commands)
        }
        ClientFrame::CharacterUseSkill { skill_id, level, .. } => {
            let unlock = Outcome { reply: vec![enable_actions()], ..Outcome::default() };
            if ctx.hp.is_none_or(|hp| hp <= 0) {
                return unlock;
            }
            if ctx.owned_level != Some(*level) {
                return Outcome { destroy: true, ..Outcome::default() };
            }
            let Some(effect) = &ctx.effect else { return unlock };
            let mut commands = costs(ctx, effect);
            let cooldown = effect["cooldown"].as_u64().unwrap_or(0);
            if cooldown > 0 {
                commands.push(command(&SkillCommand {
                    character_id: c,
                    kind: SkillCommandKind::SetCooldown { skill_id: *skill_id, cooldown },
                }));
            }
            let duration = effect["duration"].as_i64().unwrap_or(0);
            let changes = stat_ups(effect);
            if duration > 0 && !changes.is_empty() {
                for target in std::iter::once(c).chain(ctx.party_here.iter().copied()) {
                    let kind = BuffCommandKind::Apply { from_id: c, source_id: *skill_id, duration, changes: changes.clone() };
                    commands.push(command(&BuffCommand { field: field(ctx), character_id: target, kind }));
                }
            }
            Outcome::commands(commands)
        }
        ClientFrame::CharacterBuffCancel { skill_id } => Outcome::commands(vec![command(&BuffCommand {
            field: field(ctx),
            character_id: c,
            kind: BuffCommandKind::Cancel { source_id: *skill_id },
        })]),
        // Q11: damage saturates; a miss or a negative value heals nobody.
        ClientFrame::CharacterDamage { damage } if *damage > 0 => Outcome::commands(vec![change(ctx, true, -i64::from(*damage))]),
        ClientFrame::CharacterDamage { .. } => Outcome::default(),
        ClientFrame::CharacterHealOverTime { hp, mp } => {
            let mut commands = Vec::new();
            if *hp != 0 {
                commands.push(change(ctx, true, i64::from(*hp)));
            }
            if *mp != 0 {
                commands.push(change(ctx, false, i64::from(*mp)));
            }
            Outcome::commands(commands)
        }
        ClientFrame::CharacterDistributeAp { flag } => match Ability::of_flag(*flag) {
            Some(ability) => Outcome::commands(vec![character_command(
                ctx,
                CharacterCommandKind::RequestDistributeAp { distributions: vec![Distribution { ability, amount: 1 }] },
            )]),
            None => Outcome::default(),
        },
        ClientFrame::CharacterAutoDistributeAp { entries } => {
            // The amount is the low 8 bits of the client's value, as a signed byte.
            let distributions: Option<Vec<Distribution>> = entries
                .iter()
                .map(|e| Ability::of_flag(e.flag).map(|ability| Distribution { ability, amount: e.value as u8 as i8 }))
                .collect();
            match distributions {
                Some(distributions) => {
                    Outcome::commands(vec![character_command(ctx, CharacterCommandKind::RequestDistributeAp { distributions })])
                }
                None => Outcome::default(),
            }
        }
        ClientFrame::CharacterDistributeSp { skill_id } => {
            Outcome::commands(vec![character_command(ctx, CharacterCommandKind::RequestDistributeSp { skill_id: *skill_id, amount: 1 })])
        }
        ClientFrame::CharacterSkillMacro { macros } => {
            let macros = macros
                .iter()
                .zip(0..)
                .map(|(m, id)| SkillMacro {
                    id,
                    name: m.name.clone(),
                    shout: !m.silent,
                    skill_id1: m.skill_id1,
                    skill_id2: m.skill_id2,
                    skill_id3: m.skill_id3,
                })
                .collect();
            Outcome::commands(vec![command(&SkillMacroCommand { character_id: c, kind: SkillMacroCommandKind::Update { macros } })])
        }
        ClientFrame::CharacterItemUse { slot, item_id } => Outcome::commands(vec![command(&ConsumableCommand {
            field: field(ctx),
            character_id: c,
            kind: ConsumableKind::RequestItemConsume { source: *slot, item_id: *item_id, quantity: 1 },
        })]),
        ClientFrame::CharacterInventoryMove { inventory_type, source, destination, count } => {
            let kind = match CompartmentMove::of_drag(*source, *destination) {
                Some(kind) => kind,
                None => {
                    let Some((x, y)) = ctx.position else { return Outcome::default() };
                    CompartmentMove::Drop(Dropped {
                        field: field(ctx),
                        source: *source,
                        quantity: *count,
                        x: coordinate(x),
                        y: coordinate(y),
                    })
                }
            };
            Outcome::commands(vec![command(&CompartmentMoveCommand { character_id: c, inventory_type: *inventory_type, kind })])
        }
        ClientFrame::CharacterDropMeso { amount } => Outcome::commands(vec![character_command(
            ctx,
            CharacterCommandKind::RequestDropMeso { channel_id: f.channel, map_id: f.map, amount: *amount },
        )]),
        ClientFrame::DropPickUp { drop_id, x, y } => Outcome::commands(vec![command(&PetLootCommand {
            field: field(ctx),
            kind: "REQUEST_RESERVATION",
            // A player's own pick-up: no pet (spec 51 §4.20).
            body: Loot { drop_id: *drop_id, character_id: c, character_x: *x, character_y: *y, pet_slot: -1 },
        })]),
        ClientFrame::MessengerAnswerInvite { messenger_id: 0 } => {
            Outcome::commands(vec![messenger(ctx, MessengerCommandKind::Create(Empty {}))])
        }
        ClientFrame::MessengerAnswerInvite { messenger_id } => {
            Outcome::commands(vec![invite(ctx, InviteCommandKind::Accept { target_id: c, reference_id: *messenger_id })])
        }
        ClientFrame::MessengerClose => match &ctx.messenger {
            Some((id, _)) => Outcome::commands(vec![messenger(ctx, MessengerCommandKind::Leave { messenger_id: *id })]),
            None => Outcome::default(),
        },
        ClientFrame::MessengerInvite { name } => match ctx.named {
            Some(target) => Outcome {
                commands: vec![messenger(ctx, MessengerCommandKind::RequestInvite { character_id: target })],
                reply: vec![push(&MessengerInviteSent { name: name.clone(), success: true })],
                ..Outcome::default()
            },
            None => Outcome { reply: vec![push(&MessengerInviteSent { name: name.clone(), success: false })], ..Outcome::default() },
        },
        ClientFrame::MessengerDeclineInvite { .. } => match ctx.named {
            Some(originator) => Outcome::commands(vec![invite(ctx, InviteCommandKind::Reject { target_id: c, originator_id: originator })]),
            None => Outcome::default(),
        },
        ClientFrame::Play(action) => super::actions::translate(action, ctx),
        ClientFrame::Later(action) => super::last_wave::translate(action, ctx),
        ClientFrame::MessengerChat { message } => match &ctx.messenger {
            Some((_, others)) => Outcome::commands(vec![chat(ctx, message, ChatKind::Messenger { recipients: others.clone() })]),
            None => Outcome::default(),
        },
    }
}

/// A stored position on the wire's i16, saturated.
fn coordinate(value: i64) -> i16 {
    value.clamp(i64::from(i16::MIN), i64::from(i16::MAX)) as i16
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use uuid::Uuid;

    fn ctx() -> Context {
        Context {
            character: 30001,
            account: 12,
            field: Field { world: 0, channel: 1, map: 100000000, instance: Uuid::nil() },
            ..Context::default()
        }
    }

    fn frame(value: Value) -> ClientFrame {
        serde_json::from_value(value).expect("client frame")
    }

    /// The session's field block followed by `more`.
    fn in_field(context: &Context, more: Value) -> Value {
        let mut value = serde_json::to_value(field(context)).expect("a field block");
        if let (Some(value), Value::Object(more)) = (value.as_object_mut(), more) {
            value.extend(more);
        }
        value
    }

    /// Every P1 client action of spec 51 §7 against the spec's examples: topic, key, value.
    #[test]
    fn p1_actions_produce_the_commands_of_spec_51() {
        let nil = "00000000-0000-0000-0000-000000000000";
        let field = json!({"worldId": 0, "channelId": 1, "mapId": 100000000, "instance": nil});
        let with = |more: Value| in_field(&ctx(), more);
        let effect = json!({"hpCon": 0, "mpCon": 6, "cooldown": 600, "duration": 60000,
            "statups": [{"type": "HYPER_BODY_HP", "amount": 60}, {"type": "HYPER_BODY_MP", "amount": 60}]});
        let skilled = Context { hp: Some(50), owned_level: Some(1), effect: Some(effect), ..ctx() };
        let dropping = Context { position: Some((-120, 215)), ..ctx() };
        let in_messenger = Context { messenger: Some((7, vec![30002])), named: Some(30002), ..ctx() };
        let at_portal = Context { hp: Some(50), portal: Some(3), ..ctx() };
        let table: Vec<(Context, Value, Vec<(&str, u32, Value)>)> = vec![
            (
                ctx(),
                json!({"type": "CharacterMove", "path": {"startX": 0, "startY": 0, "elements": [{"kind": "NORMAL", "x": 412, "y": 274, "stance": 6}]}}),
                vec![(
                    "COMMAND_TOPIC_CHARACTER_MOVEMENT",
                    30001,
                    with(json!({"objectId": 30001, "observerId": 30001, "x": 412, "y": 274, "stance": 6})),
                )],
            ),
            (
                Context { monster_here: true, ..ctx() },
                json!({"type": "MonsterMovement", "uniqueId": 1000042, "path": {"startX": 5, "startY": 6}}),
                vec![(
                    "COMMAND_TOPIC_MONSTER_MOVEMENT",
                    1000042,
                    with(json!({"objectId": 1000042, "observerId": 30001, "x": 5, "y": 6, "stance": 0})),
                )],
            ),
            (ctx(), json!({"type": "MonsterMovement", "uniqueId": 1000042, "path": {"startX": 5, "startY": 6}}), vec![]),
            (
                at_portal.clone(),
                json!({"type": "MapChange", "portalName": "east00"}),
                vec![("COMMAND_TOPIC_PORTAL", 3, with(json!({"portalId": 3, "type": "ENTER", "body": {"characterId": 30001}})))],
            ),
            (Context { hp: Some(0), ..at_portal }, json!({"type": "MapChange", "portalName": "east00"}), vec![]),
            (
                ctx(),
                json!({"type": "CharacterChatGeneral", "message": "hello", "balloonOnly": false}),
                vec![(
                    "COMMAND_TOPIC_CHARACTER_CHAT",
                    30001,
                    with(json!({"actorId": 30001, "message": "hello", "type": "GENERAL", "body": {"balloonOnly": false}})),
                )],
            ),
            (
                ctx(),
                json!({"type": "CharacterChatMulti", "chatType": 1, "recipients": [30002, 30003], "message": "go"}),
                vec![(
                    "COMMAND_TOPIC_CHARACTER_CHAT",
                    30001,
                    with(json!({"actorId": 30001, "message": "go", "type": "PARTY", "body": {"recipients": [30002, 30003]}})),
                )],
            ),
            (ctx(), json!({"type": "CharacterChatMulti", "chatType": 9, "recipients": [], "message": "x"}), vec![]),
            (
                ctx(),
                json!({"type": "CharacterChatWhisper", "targetName": "Bob", "message": "psst"}),
                vec![(
                    "COMMAND_TOPIC_CHARACTER_CHAT",
                    30001,
                    with(json!({"actorId": 30001, "message": "psst", "type": "WHISPER", "body": {"recipientName": "Bob"}})),
                )],
            ),
            (
                ctx(),
                json!({"type": "CharacterExpression", "emote": 3}),
                vec![(
                    "COMMAND_TOPIC_EXPRESSION",
                    30001,
                    json!({"characterId": 30001, "worldId": 0, "channelId": 1, "mapId": 100000000, "instance": nil, "expression": 3}),
                )],
            ),
            (
                ctx(),
                json!({"type": "CharacterAttack", "targets": [{"monsterId": 1000042, "damages": [153, 20]}]}),
                vec![
                    (
                        "COMMAND_TOPIC_MONSTER",
                        1000042,
                        with(json!({"monsterId": 1000042, "type": "DAMAGE", "body": {"characterId": 30001, "damage": 153}})),
                    ),
                    (
                        "COMMAND_TOPIC_MONSTER",
                        1000042,
                        with(json!({"monsterId": 1000042, "type": "DAMAGE", "body": {"characterId": 30001, "damage": 20}})),
                    ),
                ],
            ),
            (
                skilled.clone(),
                json!({"type": "CharacterUseSkill", "skillId": 1301007, "level": 1}),
                vec![
                    (
                        "COMMAND_TOPIC_CHARACTER",
                        30001,
                        json!({"worldId": 0, "characterId": 30001, "type": "CHANGE_MP", "body": {"channelId": 1, "amount": -6}}),
                    ),
                    (
                        "COMMAND_TOPIC_SKILL",
                        30001,
                        json!({"characterId": 30001, "type": "SET_COOLDOWN", "body": {"skillId": 1301007, "cooldown": 600}}),
                    ),
                    (
                        "COMMAND_TOPIC_CHARACTER_BUFF",
                        30001,
                        with(
                            json!({"characterId": 30001, "type": "APPLY", "body": {"fromId": 30001, "sourceId": 1301007, "duration": 60000,
                        "changes": [{"type": "HYPER_BODY_HP", "amount": 60}, {"type": "HYPER_BODY_MP", "amount": 60}]}}),
                        ),
                    ),
                ],
            ),
            (
                Context { party_here: vec![30002], ..skilled.clone() },
                json!({"type": "CharacterUseSkill", "skillId": 1301007, "level": 1, "affectedMembers": 3}),
                vec![
                    (
                        "COMMAND_TOPIC_CHARACTER",
                        30001,
                        json!({"worldId": 0, "characterId": 30001, "type": "CHANGE_MP", "body": {"channelId": 1, "amount": -6}}),
                    ),
                    (
                        "COMMAND_TOPIC_SKILL",
                        30001,
                        json!({"characterId": 30001, "type": "SET_COOLDOWN", "body": {"skillId": 1301007, "cooldown": 600}}),
                    ),
                    (
                        "COMMAND_TOPIC_CHARACTER_BUFF",
                        30001,
                        with(
                            json!({"characterId": 30001, "type": "APPLY", "body": {"fromId": 30001, "sourceId": 1301007, "duration": 60000,
                        "changes": [{"type": "HYPER_BODY_HP", "amount": 60}, {"type": "HYPER_BODY_MP", "amount": 60}]}}),
                        ),
                    ),
                    (
                        "COMMAND_TOPIC_CHARACTER_BUFF",
                        30002,
                        with(
                            json!({"characterId": 30002, "type": "APPLY", "body": {"fromId": 30001, "sourceId": 1301007, "duration": 60000,
                        "changes": [{"type": "HYPER_BODY_HP", "amount": 60}, {"type": "HYPER_BODY_MP", "amount": 60}]}}),
                        ),
                    ),
                ],
            ),
            (
                ctx(),
                json!({"type": "CharacterBuffCancel", "skillId": 1301007}),
                vec![(
                    "COMMAND_TOPIC_CHARACTER_BUFF",
                    30001,
                    with(json!({"characterId": 30001, "type": "CANCEL", "body": {"sourceId": 1301007}})),
                )],
            ),
            (
                ctx(),
                json!({"type": "CharacterDamage", "damage": 37}),
                vec![(
                    "COMMAND_TOPIC_CHARACTER",
                    30001,
                    json!({"worldId": 0, "characterId": 30001, "type": "CHANGE_HP", "body": {"channelId": 1, "amount": -37}}),
                )],
            ),
            (
                ctx(),
                json!({"type": "CharacterDamage", "damage": 99999}),
                vec![(
                    "COMMAND_TOPIC_CHARACTER",
                    30001,
                    json!({"worldId": 0, "characterId": 30001, "type": "CHANGE_HP", "body": {"channelId": 1, "amount": -32768}}),
                )],
            ),
            (ctx(), json!({"type": "CharacterDamage", "damage": -5}), vec![]),
            (
                ctx(),
                json!({"type": "CharacterHealOverTime", "hp": 10, "mp": 3}),
                vec![
                    (
                        "COMMAND_TOPIC_CHARACTER",
                        30001,
                        json!({"worldId": 0, "characterId": 30001, "type": "CHANGE_HP", "body": {"channelId": 1, "amount": 10}}),
                    ),
                    (
                        "COMMAND_TOPIC_CHARACTER",
                        30001,
                        json!({"worldId": 0, "characterId": 30001, "type": "CHANGE_MP", "body": {"channelId": 1, "amount": 3}}),
                    ),
                ],
            ),
            (
                ctx(),
                json!({"type": "CharacterDistributeAp", "flag": 64}),
                vec![(
                    "COMMAND_TOPIC_CHARACTER",
                    30001,
                    json!({"worldId": 0, "characterId": 30001, "type": "REQUEST_DISTRIBUTE_AP", "body": {"distributions": [{"ability": "STRENGTH", "amount": 1}]}}),
                )],
            ),
            (ctx(), json!({"type": "CharacterDistributeAp", "flag": 1}), vec![]),
            (
                ctx(),
                json!({"type": "CharacterAutoDistributeAp", "entries": [{"flag": 128, "value": 2}, {"flag": 8192, "value": 1}]}),
                vec![(
                    "COMMAND_TOPIC_CHARACTER",
                    30001,
                    json!({"worldId": 0, "characterId": 30001, "type": "REQUEST_DISTRIBUTE_AP",
                    "body": {"distributions": [{"ability": "DEXTERITY", "amount": 2}, {"ability": "MP", "amount": 1}]}}),
                )],
            ),
            (
                ctx(),
                json!({"type": "CharacterDistributeSp", "skillId": 1001004}),
                vec![(
                    "COMMAND_TOPIC_CHARACTER",
                    30001,
                    json!({"worldId": 0, "characterId": 30001, "type": "REQUEST_DISTRIBUTE_SP", "body": {"skilId": 1001004, "amount": 1}}),
                )],
            ),
            (
                ctx(),
                json!({"type": "CharacterItemUse", "slot": 1, "itemId": 2000002}),
                vec![(
                    "COMMAND_TOPIC_CONSUMABLE",
                    30001,
                    with(
                        json!({"characterId": 30001, "type": "REQUEST_ITEM_CONSUME", "body": {"source": 1, "itemId": 2000002, "quantity": 1}}),
                    ),
                )],
            ),
            (
                ctx(),
                json!({"type": "CharacterInventoryMove", "inventoryType": 1, "source": -11, "destination": 4}),
                vec![(
                    "COMMAND_TOPIC_COMPARTMENT",
                    30001,
                    json!({"characterId": 30001, "inventoryType": 1, "type": "UNEQUIP", "body": {"source": -11, "destination": 4}}),
                )],
            ),
            (
                ctx(),
                json!({"type": "CharacterInventoryMove", "inventoryType": 1, "source": 4, "destination": -11}),
                vec![(
                    "COMMAND_TOPIC_COMPARTMENT",
                    30001,
                    json!({"characterId": 30001, "inventoryType": 1, "type": "EQUIP", "body": {"source": 4, "destination": -11}}),
                )],
            ),
            (
                ctx(),
                json!({"type": "CharacterInventoryMove", "inventoryType": 2, "source": 3, "destination": 5}),
                vec![(
                    "COMMAND_TOPIC_COMPARTMENT",
                    30001,
                    json!({"characterId": 30001, "inventoryType": 2, "type": "MOVE", "body": {"source": 3, "destination": 5}}),
                )],
            ),
            (
                dropping,
                json!({"type": "CharacterInventoryMove", "inventoryType": 2, "source": 3, "destination": 0, "count": 10}),
                vec![(
                    "COMMAND_TOPIC_COMPARTMENT",
                    30001,
                    json!({"characterId": 30001, "inventoryType": 2, "type": "DROP",
                    "body": {"worldId": 0, "channelId": 1, "mapId": 100000000, "instance": nil, "source": 3, "quantity": 10, "x": -120, "y": 215}}),
                )],
            ),
            (
                ctx(),
                json!({"type": "CharacterDropMeso", "amount": 500}),
                vec![(
                    "COMMAND_TOPIC_CHARACTER",
                    30001,
                    json!({"worldId": 0, "characterId": 30001, "type": "REQUEST_DROP_MESO", "body": {"channelId": 1, "mapId": 100000000, "amount": 500}}),
                )],
            ),
            (
                ctx(),
                json!({"type": "DropPickUp", "dropId": 88231, "x": 410, "y": 274}),
                vec![(
                    "COMMAND_TOPIC_DROP",
                    88231,
                    with(
                        json!({"type": "REQUEST_RESERVATION", "body": {"dropId": 88231, "characterId": 30001, "characterX": 410, "characterY": 274, "petSlot": -1}}),
                    ),
                )],
            ),
            (
                ctx(),
                json!({"type": "MessengerAnswerInvite", "messengerId": 0}),
                vec![("COMMAND_TOPIC_MESSENGER", 30001, json!({"actorId": 30001, "type": "CREATE", "body": {}}))],
            ),
            (
                ctx(),
                json!({"type": "MessengerAnswerInvite", "messengerId": 7}),
                vec![(
                    "COMMAND_TOPIC_INVITE",
                    30001,
                    json!({"worldId": 0, "inviteType": "MESSENGER", "type": "ACCEPT", "body": {"targetId": 30001, "referenceId": 7}}),
                )],
            ),
            (
                in_messenger.clone(),
                json!({"type": "MessengerClose"}),
                vec![("COMMAND_TOPIC_MESSENGER", 30001, json!({"actorId": 30001, "type": "LEAVE", "body": {"messengerId": 7}}))],
            ),
            (ctx(), json!({"type": "MessengerClose"}), vec![]),
            (
                in_messenger.clone(),
                json!({"type": "MessengerInvite", "name": "Bob"}),
                vec![(
                    "COMMAND_TOPIC_MESSENGER",
                    30001,
                    json!({"actorId": 30001, "type": "REQUEST_INVITE", "body": {"characterId": 30002}}),
                )],
            ),
            (
                in_messenger.clone(),
                json!({"type": "MessengerDeclineInvite", "fromName": "Bob"}),
                vec![(
                    "COMMAND_TOPIC_INVITE",
                    30001,
                    json!({"worldId": 0, "inviteType": "MESSENGER", "type": "REJECT", "body": {"targetId": 30001, "originatorId": 30002}}),
                )],
            ),
            (
                in_messenger,
                json!({"type": "MessengerChat", "message": "hi"}),
                vec![(
                    "COMMAND_TOPIC_CHARACTER_CHAT",
                    30001,
                    with(json!({"actorId": 30001, "message": "hi", "type": "MESSENGER", "body": {"recipients": [30002]}})),
                )],
            ),
        ];
        assert_eq!(field, in_field(&ctx(), json!({})));
        for (context, action, expected) in table {
            let outcome = translate(&frame(action.clone()), &context);
            let got: Vec<(&str, u32, Value)> = outcome.commands.into_iter().map(|c| (c.topic, c.key, c.value)).collect();
            assert_eq!(got, expected, "{action}");
            assert!(!outcome.destroy, "{action}");
        }
    }

    #[test]
    fn rule_breaking_actions_destroy_the_session() {
        let not_owned = Context { hp: Some(50), owned_level: Some(1), ..ctx() };
        let used = translate(&frame(json!({"type": "CharacterUseSkill", "skillId": 2001002, "level": 2})), &not_owned);
        assert!(used.destroy && used.commands.is_empty());
        let attack = translate(
            &frame(json!({"type": "CharacterAttack", "skillId": 2001002, "targets": [{"monsterId": 1, "damages": [5]}]})),
            &ctx(),
        );
        assert!(attack.destroy && attack.commands.is_empty());
        let dead =
            translate(&frame(json!({"type": "CharacterUseSkill", "skillId": 2001002, "level": 1})), &Context { hp: Some(0), ..ctx() });
        assert_eq!((dead.commands.len(), dead.reply.len(), dead.destroy), (0, 1, false), "a dead character is only unlocked");
    }
}
