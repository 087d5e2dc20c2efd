//! The action table of spec 40 §5: each action's command (topic, key, value), whether it
//! completes on dispatch, which status events complete or fail it (§4.4), and its inverse
//! for compensation (§7.1). Payloads arrive decoded ([`Action`]), so building a command
//! cannot meet a field of the wrong type.

use crate::contracts::json::GoTime;
use crate::contracts::saga_commands::{
    AcceptBody, ActorAmount, AdjustCurrency, Amount, AreaInfoBody, BuddyCapacity, CancelAllBuffs as CancelAllBuffsCommand, CashAcceptBody,
    CashCompartmentCommand, CashReleaseBody, ChannelAmount, CharacterBody, CharacterCommand, CompartmentCommand, ConsumableEffect,
    CreateAssetBody, CreateCharacterBody, DepositBody, DepositData, DestroyBody, Empty, EquipBody, ExperienceBody, GuildRequest, HintBody,
    InviteCreate, InviteCreateBody, ItemBody, JobBody, MesosBody, MessageBody, NewCapacity, PathBody, PetCloseness, PortalCommand,
    QuestBody, QuestCommand, ReleaseBody, ShowStorage as ShowStorageCommand, SkillRequest, SkillRequestBody, StorageAcceptBody,
    StorageCommand, StorageCompartmentCommand, StyleBody, SystemMessage, TextBody, WorldChannel,
};
use crate::contracts::saga_payload::{Action, AwardAsset, CharacterPlace, MoveAsset};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

/// One record to produce.
#[derive(Debug, Clone, PartialEq)]
pub struct Command {
    pub topic: &'static str,
    pub key: u32,
    pub value: Value,
}

/// §4.6.2: actions replaced by two concrete steps before they run.
pub fn composite(action: &Action) -> bool {
    matches!(
        action,
        Action::TransferToStorage(_) | Action::WithdrawFromStorage(_) | Action::TransferToCashShop(_) | Action::WithdrawFromCashShop(_)
    )
}

/// §4.3: actions that complete once dispatched.
pub fn synchronous(action: &Action) -> bool {
    use Action::*;
    matches!(
        action,
        SendMessage(_)
            | PlayPortalSound(_)
            | ShowInfo(_)
            | ShowInfoText(_)
            | UpdateAreaInfo(_)
            | ShowHint(_)
            | BlockPortal(_)
            | UnblockPortal(_)
            | ShowStorage(_)
            | CancelAllBuffs(_)
            | SpawnReactorDrops(_)
            | SpawnMonster(_)
            | ValidateCharacterState(_)
    )
}

/// Inventory type of a template id (1..=5), else a dispatch failure.
pub fn inventory_type(template: u32) -> Result<u8, String> {
    match template / 1_000_000 {
        t @ 1..=5 => Ok(t as u8),
        t => Err(format!("template {template} has no inventory type ({t})")),
    }
}

/// A record to produce from a typed command.
pub fn record(topic: &'static str, key: u32, message: &impl Serialize) -> Command {
    // Serializing these types cannot fail: they hold no maps with non-text keys.
    Command { topic, key, value: serde_json::to_value(message).unwrap_or_default() }
}

fn compartment<B: Serialize>(t: Uuid, character: u32, inventory: u8, kind: &'static str, body: B) -> Command {
    let command = CompartmentCommand { transaction_id: t, character_id: character, inventory_type: inventory, kind, body };
    record("COMMAND_TOPIC_COMPARTMENT", character, &command)
}

fn character<B: Serialize>(t: Uuid, id: u32, world: u8, kind: &'static str, body: B) -> Command {
    record("COMMAND_TOPIC_CHARACTER", id, &CharacterCommand { transaction_id: t, world_id: world, character_id: id, kind, body })
}

fn create_asset(t: Uuid, p: &AwardAsset, keep_expiration: bool) -> Result<Command, String> {
    let expiration = if keep_expiration { p.item.expiration } else { GoTime::zero() };
    let body =
        CreateAssetBody { template_id: p.item.template_id, quantity: p.item.quantity, expiration, owner_id: 0, flag: 0, rechargeable: 0 };
    Ok(compartment(t, p.character_id, inventory_type(p.item.template_id)?, "CREATE_ASSET", body))
}

fn equip(t: Uuid, p: &MoveAsset, kind: &'static str, reverse: bool) -> Command {
    let (source, destination) = if reverse { (p.destination, p.source) } else { (p.source, p.destination) };
    // The envelope's inventory type is narrowed to a byte; the body's is always 0 (§5.3).
    compartment(t, p.character_id, p.inventory_type as u8, kind, EquipBody { inventory_type: 0, source, destination })
}

fn system_message<B: Serialize>(t: Uuid, place: (u32, u8, u8), kind: &'static str, body: B) -> Command {
    let (id, world, channel) = place;
    let message = SystemMessage { transaction_id: t, world_id: world, channel_id: channel, character_id: id, kind, body };
    record("COMMAND_TOPIC_SYSTEM_MESSAGE", id, &message)
}

fn guild(t: Uuid, p: &CharacterPlace, kind: &'static str) -> Command {
    let body = WorldChannel { world_id: p.world_id, channel_id: p.channel_id };
    record("COMMAND_TOPIC_GUILD", p.character_id, &GuildRequest { character_id: p.character_id, kind, body, transaction_id: t })
}

fn quest(t: Uuid, (character, world): (u32, u8), kind: &'static str, body: QuestBody) -> Command {
    record("COMMAND_TOPIC_QUEST", character, &QuestCommand { transaction_id: t, world_id: world, character_id: character, kind, body })
}

/// The payload's own transactionId for internal steps, else the saga's (§5.3).
fn internal(t: Uuid, own: Uuid) -> Uuid {
    if own.is_nil() {
        t
    } else {
        own
    }
}

/// A `COMMAND_TOPIC_STORAGE_COMPARTMENT` command; `characterId` is omitted when 0 (§5.2).
fn storage_compartment<B: Serialize>(world: u8, account: u32, character: u32, kind: &'static str, body: B) -> Command {
    let command = StorageCompartmentCommand { world_id: world, account_id: account, character_id: character, kind, body };
    record("COMMAND_TOPIC_STORAGE_COMPARTMENT", account, &command)
}

fn cash_compartment<B: Serialize>(p: (u32, u32, u8), kind: &'static str, body: B) -> Command {
    let (account, character, compartment_type) = p;
    let command = CashCompartmentCommand { account_id: account, character_id: character, compartment_type, kind, body };
    record("COMMAND_TOPIC_CASH_COMPARTMENT", character, &command)
}

/// The command(s) of an action that needs no foreign look-up, or `None` for those that do
/// (dispatched by `lookups`). The one error: a template outside the inventory types.
pub fn command(action: &Action, t: Uuid) -> Result<Option<Vec<Command>>, String> {
    use Action::*;
    let one = |c: Command| Ok(Some(vec![c]));
    match action {
        AwardAsset(p) | AwardInventory(p) => one(create_asset(t, p, true)?),
        CreateAndEquipAsset(p) => one(create_asset(t, p, false)?),
        EquipAsset(p) => one(equip(t, p, "EQUIP", false)),
        UnequipAsset(p) => one(equip(t, p, "UNEQUIP", false)),
        AcceptToCharacter(p) => {
            let own = internal(t, p.transaction_id);
            let body = AcceptBody {
                transaction_id: own,
                reference_id: p.reference_id,
                template_id: p.template_id,
                reference_type: p.reference_type.clone(),
                reference_data: p.reference_data.clone(),
                quantity: p.quantity,
            };
            one(compartment(own, p.character_id, p.inventory_type, "ACCEPT", body))
        }
        ReleaseFromCharacter(p) => {
            let own = internal(t, p.transaction_id);
            one(compartment(
                own,
                p.character_id,
                p.inventory_type,
                "RELEASE",
                ReleaseBody { transaction_id: own, asset_id: p.asset_id, quantity: p.quantity },
            ))
        }
        AwardExperience(p) => {
            let body = ExperienceBody { channel_id: p.channel_id, distributions: p.distributions.clone() };
            one(character(t, p.character_id, p.world_id, "AWARD_EXPERIENCE", body))
        }
        DeductExperience(p) => {
            one(character(t, p.character_id, p.world_id, "DEDUCT_EXPERIENCE", ChannelAmount { channel_id: p.channel_id, amount: p.amount }))
        }
        AwardLevel(p) => {
            one(character(t, p.character_id, p.world_id, "AWARD_LEVEL", ChannelAmount { channel_id: p.channel_id, amount: p.amount }))
        }
        AwardMesos(p) => {
            let body = ActorAmount { actor_id: p.actor_id, actor_type: p.actor_type.clone(), amount: p.amount };
            one(character(t, p.character_id, p.world_id, "REQUEST_CHANGE_MESO", body))
        }
        AwardFame(p) => {
            // Truncated to 8 bits two's complement, as Go does.
            let body = ActorAmount { actor_id: 0, actor_type: "SYSTEM".into(), amount: p.amount as i8 };
            one(character(t, p.character_id, p.world_id, "REQUEST_CHANGE_FAME", body))
        }
        ChangeJob(p) => one(character(t, p.character_id, p.world_id, "CHANGE_JOB", JobBody { channel_id: p.channel_id, job_id: p.job_id })),
        ChangeHair(p) => {
            one(character(t, p.character_id, p.world_id, "CHANGE_HAIR", StyleBody { channel_id: p.channel_id, style_id: p.style_id }))
        }
        ChangeFace(p) => {
            one(character(t, p.character_id, p.world_id, "CHANGE_FACE", StyleBody { channel_id: p.channel_id, style_id: p.style_id }))
        }
        ChangeSkin(p) => {
            one(character(t, p.character_id, p.world_id, "CHANGE_SKIN", StyleBody { channel_id: p.channel_id, style_id: p.style_id }))
        }
        SetHp(p) => one(character(t, p.character_id, p.world_id, "SET_HP", ChannelAmount { channel_id: p.channel_id, amount: p.amount })),
        CreateCharacter(p) => {
            // `top`, `bottom`, `shoes` and `weapon` are not forwarded (§5.4); the key is the account.
            let body = CreateCharacterBody {
                account_id: p.account_id,
                world_id: p.world_id,
                name: p.name.clone(),
                level: p.level,
                strength: p.strength,
                dexterity: p.dexterity,
                intelligence: p.intelligence,
                luck: p.luck,
                max_hp: p.hp,
                max_mp: p.mp,
                job_id: p.job_id,
                gender: p.gender,
                hair: p.hair,
                face: p.face,
                skin_color: p.skin,
                map_id: p.map_id,
            };
            let command = CharacterCommand { transaction_id: t, world_id: p.world_id, character_id: 0, kind: "CREATE_CHARACTER", body };
            one(record("COMMAND_TOPIC_CHARACTER", p.account_id, &command))
        }
        CreateSkill(p) | UpdateSkill(p) => {
            let kind = if matches!(action, CreateSkill(_)) { "REQUEST_CREATE" } else { "REQUEST_UPDATE" };
            let body = SkillRequestBody { skill_id: p.skill_id, level: p.level, master_level: p.master_level, expiration: p.expiration };
            one(record(
                "COMMAND_TOPIC_SKILL",
                p.character_id,
                &SkillRequest { transaction_id: t, character_id: p.character_id, kind, body },
            ))
        }
        RequestGuildName(p) => one(guild(t, p, "REQUEST_NAME")),
        RequestGuildEmblem(p) => one(guild(t, p, "REQUEST_EMBLEM")),
        RequestGuildDisband(p) => one(guild(t, p, "REQUEST_DISBAND")),
        RequestGuildCapacityIncrease(p) => one(guild(t, p, "REQUEST_CAPACITY_INCREASE")),
        CreateInvite(p) => {
            let body = InviteCreateBody { originator_id: p.originator_id, target_id: p.target_id, reference_id: p.reference_id };
            let command =
                InviteCreate { transaction_id: t, world_id: p.world_id, invite_type: p.invite_type.clone(), kind: "CREATE", body };
            one(record("COMMAND_TOPIC_INVITE", p.reference_id, &command))
        }
        IncreaseBuddyCapacity(p) => {
            // The payload's amount is sent as the new absolute capacity (Go, kept).
            let command = BuddyCapacity {
                transaction_id: t,
                world_id: p.world_id,
                character_id: p.character_id,
                kind: "INCREASE_CAPACITY",
                body: NewCapacity { new_capacity: p.amount },
            };
            one(record("COMMAND_TOPIC_BUDDY_LIST", p.character_id, &command))
        }
        GainCloseness(p) => {
            let command = PetCloseness {
                transaction_id: t,
                actor_id: 0,
                pet_id: p.pet_id,
                kind: "AWARD_CLOSENESS",
                body: Amount { amount: p.amount },
            };
            one(record("COMMAND_TOPIC_PET", p.pet_id, &command))
        }
        StartQuest(p) => {
            one(quest(t, (p.character_id, p.world_id), "START", QuestBody { quest_id: p.quest_id, npc_id: p.npc_id, force: false }))
        }
        CompleteQuest(p) => {
            one(quest(t, (p.character_id, p.world_id), "COMPLETE", QuestBody { quest_id: p.quest_id, npc_id: p.npc_id, force: p.force }))
        }
        ApplyConsumableEffect(p) => {
            let command = ConsumableEffect {
                transaction_id: t,
                world_id: p.world_id,
                channel_id: p.channel_id,
                character_id: p.character_id,
                kind: "APPLY_CONSUMABLE_EFFECT",
                body: ItemBody { item_id: p.item_id },
            };
            one(record("COMMAND_TOPIC_CONSUMABLE", p.character_id, &command))
        }
        AwardCurrency(p) => {
            let command = AdjustCurrency {
                transaction_id: t,
                account_id: p.account_id,
                currency_type: p.currency_type,
                amount: p.amount,
                kind: "ADJUST_CURRENCY",
            };
            one(record("COMMAND_TOPIC_WALLET", p.account_id, &command))
        }
        SendMessage(p) => {
            let body = MessageBody { message_type: p.message_type.clone(), message: p.message.clone() };
            one(system_message(t, (p.character_id, p.world_id, p.channel_id), "SEND_MESSAGE", body))
        }
        PlayPortalSound(p) => one(system_message(t, (p.character_id, p.world_id, p.channel_id), "PLAY_PORTAL_SOUND", Empty {})),
        ShowInfo(p) => one(system_message(t, (p.character_id, p.world_id, p.channel_id), "SHOW_INFO", PathBody { path: p.path.clone() })),
        ShowInfoText(p) => {
            one(system_message(t, (p.character_id, p.world_id, p.channel_id), "SHOW_INFO_TEXT", TextBody { text: p.text.clone() }))
        }
        UpdateAreaInfo(p) => {
            let body = AreaInfoBody { area: p.area, info: p.info.clone() };
            one(system_message(t, (p.character_id, p.world_id, p.channel_id), "UPDATE_AREA_INFO", body))
        }
        ShowHint(p) => {
            let body = HintBody { hint: p.hint.clone(), width: p.width, height: p.height };
            one(system_message(t, (p.character_id, p.world_id, p.channel_id), "SHOW_HINT", body))
        }
        BlockPortal(p) | UnblockPortal(p) => {
            let kind = if matches!(action, BlockPortal(_)) { "BLOCK" } else { "UNBLOCK" };
            let command = PortalCommand {
                world_id: 0,
                channel_id: 0,
                map_id: p.map_id,
                portal_id: p.portal_id,
                kind,
                body: CharacterBody { character_id: p.character_id },
            };
            one(record("COMMAND_TOPIC_PORTAL", p.character_id, &command))
        }
        CancelAllBuffs(p) => {
            let command = CancelAllBuffsCommand {
                world_id: p.world_id,
                channel_id: p.channel_id,
                character_id: p.character_id,
                kind: "CANCEL_ALL",
                body: Empty {},
            };
            one(record("COMMAND_TOPIC_CHARACTER_BUFF", p.character_id, &command))
        }
        ShowStorage(p) => {
            let command = ShowStorageCommand {
                transaction_id: t,
                world_id: p.world_id,
                channel_id: p.channel_id,
                character_id: p.character_id,
                npc_id: p.npc_id,
                account_id: p.account_id,
                kind: "SHOW_STORAGE",
            };
            one(record("COMMAND_TOPIC_STORAGE_SHOW", p.character_id, &command))
        }
        UpdateStorageMesos(p) => {
            let body = MesosBody { mesos: p.mesos, operation: p.operation.clone() };
            let command = StorageCommand { transaction_id: t, world_id: p.world_id, account_id: p.account_id, kind: "UPDATE_MESOS", body };
            one(record("COMMAND_TOPIC_STORAGE", p.account_id, &command))
        }
        DepositToStorage(p) => {
            let body = DepositBody {
                slot: p.slot,
                template_id: p.template_id,
                expiration: p.expiration,
                reference_id: p.reference_id,
                reference_type: p.reference_type.clone(),
                reference_data: DepositData { quantity: p.quantity, owner_id: p.owner_id, flag: p.flag },
            };
            let command = StorageCommand { transaction_id: t, world_id: p.world_id, account_id: p.account_id, kind: "DEPOSIT", body };
            one(record("COMMAND_TOPIC_STORAGE", p.account_id, &command))
        }
        AcceptToStorage(p) => {
            // `slot` −1: the storage chooses.
            let body = StorageAcceptBody {
                transaction_id: internal(t, p.transaction_id),
                slot: -1,
                template_id: p.template_id,
                reference_id: p.reference_id,
                reference_type: p.reference_type.clone(),
                reference_data: p.reference_data.clone(),
                quantity: p.quantity,
            };
            one(storage_compartment(p.world_id, p.account_id, p.character_id, "ACCEPT", body))
        }
        ReleaseFromStorage(p) => {
            let body = ReleaseBody { transaction_id: internal(t, p.transaction_id), asset_id: p.asset_id, quantity: p.quantity };
            one(storage_compartment(p.world_id, p.account_id, p.character_id, "RELEASE", body))
        }
        AcceptToCashShop(p) => {
            let body = CashAcceptBody {
                transaction_id: internal(t, p.transaction_id),
                compartment_id: p.compartment_id,
                cash_id: p.cash_id,
                template_id: p.template_id,
                reference_id: p.reference_id,
                reference_type: p.reference_type.clone(),
                reference_data: p.reference_data.clone(),
            };
            one(cash_compartment((p.account_id, p.character_id, p.compartment_type), "ACCEPT", body))
        }
        ReleaseFromCashShop(p) => {
            let body = CashReleaseBody {
                transaction_id: internal(t, p.transaction_id),
                compartment_id: p.compartment_id,
                asset_id: p.asset_id,
                cash_id: p.cash_id,
                template_id: p.template_id,
            };
            one(cash_compartment((p.account_id, p.character_id, p.compartment_type), "RELEASE", body))
        }
        DestroyAsset(_)
        | WarpToRandomPortal(_)
        | WarpToPortal(_)
        | ValidateCharacterState(_)
        | SpawnMonster(_)
        | SpawnReactorDrops(_)
        | TransferToStorage(_)
        | WithdrawFromStorage(_)
        | TransferToCashShop(_)
        | WithdrawFromCashShop(_) => Ok(None),
    }
}

/// How a status event bears on the current step (§4.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Completes,
    Fails,
}

/// `topic` is the event topic's variable; `event` its whole value, already decoded with its
/// spec types (`contracts::saga_events`).
pub fn verdict(action: &Action, topic: &str, kind: &str, event: &Value) -> Option<Verdict> {
    use Action::*;
    use Verdict::*;
    let updates_has = |name: &str| event["body"]["updates"].as_array().is_some_and(|u| u.iter().any(|v| v == name));
    // The step's template: its item's (award, create), else the payload's own (destroy).
    let template = match action {
        AwardAsset(p) | AwardInventory(p) | CreateAndEquipAsset(p) => p.item.template_id,
        DestroyAsset(p) => p.template_id,
        _ => 0,
    };
    let same_template = || template == 0 || event["templateId"].as_u64() == Some(u64::from(template));
    let creates = matches!(action, AwardAsset(_) | AwardInventory(_) | CreateAndEquipAsset(_));
    match (topic, kind, action) {
        (
            "EVENT_TOPIC_COMPARTMENT_STATUS",
            "ERROR",
            AwardAsset(_)
            | AwardInventory(_)
            | CreateAndEquipAsset(_)
            | DestroyAsset(_)
            | EquipAsset(_)
            | UnequipAsset(_)
            | AcceptToCharacter(_)
            | ReleaseFromCharacter(_),
        ) => Some(Fails),
        ("EVENT_TOPIC_COMPARTMENT_STATUS", "CREATION_FAILED", _) if creates => Some(Fails),
        ("EVENT_TOPIC_ASSET_STATUS", "CREATED", _) if creates && same_template() => Some(Completes),
        ("EVENT_TOPIC_ASSET_STATUS", "QUANTITY_CHANGED", AwardAsset(_) | AwardInventory(_) | DestroyAsset(_)) if same_template() => {
            Some(Completes)
        }
        ("EVENT_TOPIC_ASSET_STATUS", "DELETED", DestroyAsset(_)) if same_template() => Some(Completes),
        ("EVENT_TOPIC_ASSET_STATUS", "MOVED", EquipAsset(p) | UnequipAsset(p)) => {
            // Either orientation of MOVED (§4.4): the slot left or the slot arrived in.
            let touched = [event["slot"].as_i64(), event["body"]["oldSlot"].as_i64()];
            touched.contains(&Some(i64::from(p.source))).then_some(Completes)
        }
        ("EVENT_TOPIC_COMPARTMENT_STATUS", "ACCEPTED", AcceptToCharacter(_)) => Some(Completes),
        ("EVENT_TOPIC_COMPARTMENT_STATUS", "RELEASED", ReleaseFromCharacter(_)) => Some(Completes),
        (
            "EVENT_TOPIC_CHARACTER_STATUS",
            "ERROR",
            WarpToRandomPortal(_)
            | WarpToPortal(_)
            | AwardExperience(_)
            | DeductExperience(_)
            | AwardLevel(_)
            | AwardMesos(_)
            | ChangeJob(_)
            | AwardFame(_)
            | ChangeHair(_)
            | ChangeFace(_)
            | ChangeSkin(_)
            | SetHp(_)
            | CreateCharacter(_),
        ) => Some(Fails),
        ("EVENT_TOPIC_CHARACTER_STATUS", "MAP_CHANGED", WarpToRandomPortal(_) | WarpToPortal(_)) => Some(Completes),
        ("EVENT_TOPIC_CHARACTER_STATUS", "EXPERIENCE_CHANGED", AwardExperience(_) | DeductExperience(_)) => Some(Completes),
        ("EVENT_TOPIC_CHARACTER_STATUS", "LEVEL_CHANGED", AwardLevel(_)) => Some(Completes),
        ("EVENT_TOPIC_CHARACTER_STATUS", "MESO_CHANGED", AwardMesos(_)) => Some(Completes),
        ("EVENT_TOPIC_CHARACTER_STATUS", "JOB_CHANGED", ChangeJob(_)) => Some(Completes),
        ("EVENT_TOPIC_CHARACTER_STATUS", "STAT_CHANGED", _) => {
            let wanted = match action {
                AwardFame(_) => "FAME",
                ChangeHair(_) => "HAIR",
                ChangeFace(_) => "FACE",
                ChangeSkin(_) => "SKIN_COLOR",
                SetHp(_) => "HP",
                _ => return None,
            };
            updates_has(wanted).then_some(Completes)
        }
        ("EVENT_TOPIC_CHARACTER_STATUS", "CREATED", CreateCharacter(_)) => Some(Completes),
        ("EVENT_TOPIC_CHARACTER_STATUS", "CREATION_FAILED", CreateCharacter(_)) => Some(Fails),
        ("EVENT_TOPIC_SKILL_STATUS", "CREATED", CreateSkill(_)) => Some(Completes),
        ("EVENT_TOPIC_SKILL_STATUS", "UPDATED", UpdateSkill(_)) => Some(Completes),
        ("EVENT_TOPIC_GUILD_STATUS", "REQUEST_AGREEMENT" | "CREATED", RequestGuildName(_))
        | ("EVENT_TOPIC_GUILD_STATUS", "EMBLEM_UPDATED", RequestGuildEmblem(_))
        | ("EVENT_TOPIC_GUILD_STATUS", "DISBANDED", RequestGuildDisband(_))
        | ("EVENT_TOPIC_GUILD_STATUS", "CAPACITY_UPDATED", RequestGuildCapacityIncrease(_)) => Some(Completes),
        (
            "EVENT_TOPIC_GUILD_STATUS",
            "ERROR",
            RequestGuildName(_) | RequestGuildEmblem(_) | RequestGuildDisband(_) | RequestGuildCapacityIncrease(_),
        ) => Some(Fails),
        ("EVENT_TOPIC_INVITE_STATUS", "CREATED" | "ACCEPTED", CreateInvite(_)) => Some(Completes),
        ("EVENT_TOPIC_INVITE_STATUS", "REJECTED", CreateInvite(_)) => Some(Fails),
        ("EVENT_TOPIC_BUDDY_LIST_STATUS", "CAPACITY_CHANGE", IncreaseBuddyCapacity(_)) => Some(Completes),
        ("EVENT_TOPIC_PET_STATUS", "CLOSENESS_CHANGED", GainCloseness(_)) => Some(Completes),
        ("EVENT_TOPIC_CONSUMABLE_STATUS", "EFFECT_APPLIED", ApplyConsumableEffect(_)) => Some(Completes),
        ("EVENT_TOPIC_WALLET_STATUS", "UPDATED", AwardCurrency(_)) => Some(Completes),
        ("EVENT_TOPIC_QUEST_STATUS", "STARTED", StartQuest(_)) => Some(Completes),
        ("EVENT_TOPIC_QUEST_STATUS", "COMPLETED", CompleteQuest(_)) => Some(Completes),
        ("EVENT_TOPIC_QUEST_STATUS", "ERROR", StartQuest(_) | CompleteQuest(_)) => Some(Fails),
        ("EVENT_TOPIC_STORAGE_STATUS", "MESOS_UPDATED", UpdateStorageMesos(_)) => Some(Completes),
        ("EVENT_TOPIC_STORAGE_STATUS", "DEPOSITED", DepositToStorage(_)) => Some(Completes),
        ("EVENT_TOPIC_STORAGE_STATUS", "ERROR", UpdateStorageMesos(_) | DepositToStorage(_)) => Some(Fails),
        ("EVENT_TOPIC_STORAGE_COMPARTMENT_STATUS", "ACCEPTED", AcceptToStorage(_)) => Some(Completes),
        ("EVENT_TOPIC_STORAGE_COMPARTMENT_STATUS", "RELEASED", ReleaseFromStorage(_)) => Some(Completes),
        ("EVENT_TOPIC_STORAGE_COMPARTMENT_STATUS", "ERROR", AcceptToStorage(_) | ReleaseFromStorage(_)) => Some(Fails),
        ("EVENT_TOPIC_CASH_COMPARTMENT_STATUS", "ACCEPTED", AcceptToCashShop(_)) => Some(Completes),
        ("EVENT_TOPIC_CASH_COMPARTMENT_STATUS", "RELEASED", ReleaseFromCashShop(_)) => Some(Completes),
        ("EVENT_TOPIC_CASH_COMPARTMENT_STATUS", "ERROR", AcceptToCashShop(_) | ReleaseFromCashShop(_)) => Some(Fails),
        _ => None,
    }
}

/// §7.1: the inverse of a completed step, if its action has one.
pub fn inverse(action: &Action, t: Uuid, created_slot: Option<i16>) -> Option<Command> {
    match action {
        Action::EquipAsset(p) => Some(equip(t, p, "UNEQUIP", true)),
        Action::UnequipAsset(p) => Some(equip(t, p, "EQUIP", true)),
        Action::CreateAndEquipAsset(p) => {
            let inventory = inventory_type(p.item.template_id).ok()?;
            let body = DestroyBody { slot: created_slot.unwrap_or_default(), quantity: p.item.quantity, remove_all: false };
            Some(compartment(t, p.character_id, inventory, "DESTROY", body))
        }
        _ => None,
    }
}

/// §8.2 reason and §8.3 error code of a failed step.
pub fn failure(action: &Action, step: &str, saga_type: &str) -> (String, &'static str) {
    use Action::*;
    let name = action.name();
    let reason = match action {
        ValidateCharacterState(_) => "Validation failed".to_string(),
        AwardMesos(_) | AcceptToStorage(_) | AcceptToCharacter(_) | ReleaseFromStorage(_) | ReleaseFromCharacter(_) => {
            format!("Storage operation failed at step [{step}] action [{name}]")
        }
        _ => format!("Saga step failed at step [{step}] action [{name}]"),
    };
    let code = match (saga_type, action) {
        ("storage_operation", AwardMesos(_)) => "NOT_ENOUGH_MESOS",
        ("storage_operation", AcceptToCharacter(_)) => "INVENTORY_FULL",
        ("storage_operation", AcceptToStorage(_)) => "STORAGE_FULL",
        _ => "UNKNOWN",
    };
    (reason, code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn storage_compartment_commands_omit_a_zero_character() {
        let t = Uuid::nil();
        for action in ["accept_to_storage", "release_from_storage"] {
            let decoded = |payload: Value| Action::decode(action, &payload).expect("fits");
            let without = command(&decoded(json!({"accountId": 7, "characterId": 0})), t).expect("fits").expect("a command");
            assert!(without[0].value.get("characterId").is_none(), "{action}: {}", without[0].value);
            let with = command(&decoded(json!({"accountId": 7, "characterId": 4110})), t).expect("fits").expect("a command");
            assert_eq!(with[0].value["characterId"], 4110, "{action}");
        }
    }

    const C: &str = "EVENT_TOPIC_CHARACTER_STATUS";
    const A: &str = "EVENT_TOPIC_ASSET_STATUS";
    const K: &str = "EVENT_TOPIC_COMPARTMENT_STATUS";

    /// (action, command topic, command type, completing event, failing event).
    const TABLE: &[(&str, &str, &str, Option<(&str, &str)>, Option<(&str, &str)>)] = &[
        ("award_asset", "COMMAND_TOPIC_COMPARTMENT", "CREATE_ASSET", Some((A, "CREATED")), Some((K, "CREATION_FAILED"))),
        ("award_inventory", "COMMAND_TOPIC_COMPARTMENT", "CREATE_ASSET", Some((A, "QUANTITY_CHANGED")), Some((K, "ERROR"))),
        ("create_and_equip_asset", "COMMAND_TOPIC_COMPARTMENT", "CREATE_ASSET", Some((A, "CREATED")), Some((K, "ERROR"))),
        ("equip_asset", "COMMAND_TOPIC_COMPARTMENT", "EQUIP", Some((A, "MOVED")), Some((K, "ERROR"))),
        ("unequip_asset", "COMMAND_TOPIC_COMPARTMENT", "UNEQUIP", Some((A, "MOVED")), Some((K, "ERROR"))),
        ("accept_to_character", "COMMAND_TOPIC_COMPARTMENT", "ACCEPT", Some((K, "ACCEPTED")), Some((K, "ERROR"))),
        ("release_from_character", "COMMAND_TOPIC_COMPARTMENT", "RELEASE", Some((K, "RELEASED")), Some((K, "ERROR"))),
        ("award_experience", "COMMAND_TOPIC_CHARACTER", "AWARD_EXPERIENCE", Some((C, "EXPERIENCE_CHANGED")), Some((C, "ERROR"))),
        ("deduct_experience", "COMMAND_TOPIC_CHARACTER", "DEDUCT_EXPERIENCE", Some((C, "EXPERIENCE_CHANGED")), Some((C, "ERROR"))),
        ("award_level", "COMMAND_TOPIC_CHARACTER", "AWARD_LEVEL", Some((C, "LEVEL_CHANGED")), Some((C, "ERROR"))),
        ("award_mesos", "COMMAND_TOPIC_CHARACTER", "REQUEST_CHANGE_MESO", Some((C, "MESO_CHANGED")), Some((C, "ERROR"))),
        ("award_fame", "COMMAND_TOPIC_CHARACTER", "REQUEST_CHANGE_FAME", Some((C, "STAT_CHANGED")), Some((C, "ERROR"))),
        ("change_job", "COMMAND_TOPIC_CHARACTER", "CHANGE_JOB", Some((C, "JOB_CHANGED")), Some((C, "ERROR"))),
        ("change_hair", "COMMAND_TOPIC_CHARACTER", "CHANGE_HAIR", Some((C, "STAT_CHANGED")), Some((C, "ERROR"))),
        ("change_face", "COMMAND_TOPIC_CHARACTER", "CHANGE_FACE", Some((C, "STAT_CHANGED")), Some((C, "ERROR"))),
        ("change_skin", "COMMAND_TOPIC_CHARACTER", "CHANGE_SKIN", Some((C, "STAT_CHANGED")), Some((C, "ERROR"))),
        ("set_hp", "COMMAND_TOPIC_CHARACTER", "SET_HP", Some((C, "STAT_CHANGED")), Some((C, "ERROR"))),
        ("create_character", "COMMAND_TOPIC_CHARACTER", "CREATE_CHARACTER", Some((C, "CREATED")), Some((C, "CREATION_FAILED"))),
        ("create_skill", "COMMAND_TOPIC_SKILL", "REQUEST_CREATE", Some(("EVENT_TOPIC_SKILL_STATUS", "CREATED")), None),
        ("update_skill", "COMMAND_TOPIC_SKILL", "REQUEST_UPDATE", Some(("EVENT_TOPIC_SKILL_STATUS", "UPDATED")), None),
        (
            "request_guild_name",
            "COMMAND_TOPIC_GUILD",
            "REQUEST_NAME",
            Some(("EVENT_TOPIC_GUILD_STATUS", "REQUEST_AGREEMENT")),
            Some(("EVENT_TOPIC_GUILD_STATUS", "ERROR")),
        ),
        (
            "request_guild_emblem",
            "COMMAND_TOPIC_GUILD",
            "REQUEST_EMBLEM",
            Some(("EVENT_TOPIC_GUILD_STATUS", "EMBLEM_UPDATED")),
            Some(("EVENT_TOPIC_GUILD_STATUS", "ERROR")),
        ),
        (
            "request_guild_disband",
            "COMMAND_TOPIC_GUILD",
            "REQUEST_DISBAND",
            Some(("EVENT_TOPIC_GUILD_STATUS", "DISBANDED")),
            Some(("EVENT_TOPIC_GUILD_STATUS", "ERROR")),
        ),
        (
            "request_guild_capacity_increase",
            "COMMAND_TOPIC_GUILD",
            "REQUEST_CAPACITY_INCREASE",
            Some(("EVENT_TOPIC_GUILD_STATUS", "CAPACITY_UPDATED")),
            Some(("EVENT_TOPIC_GUILD_STATUS", "ERROR")),
        ),
        (
            "create_invite",
            "COMMAND_TOPIC_INVITE",
            "CREATE",
            Some(("EVENT_TOPIC_INVITE_STATUS", "ACCEPTED")),
            Some(("EVENT_TOPIC_INVITE_STATUS", "REJECTED")),
        ),
        (
            "increase_buddy_capacity",
            "COMMAND_TOPIC_BUDDY_LIST",
            "INCREASE_CAPACITY",
            Some(("EVENT_TOPIC_BUDDY_LIST_STATUS", "CAPACITY_CHANGE")),
            None,
        ),
        ("gain_closeness", "COMMAND_TOPIC_PET", "AWARD_CLOSENESS", Some(("EVENT_TOPIC_PET_STATUS", "CLOSENESS_CHANGED")), None),
        (
            "start_quest",
            "COMMAND_TOPIC_QUEST",
            "START",
            Some(("EVENT_TOPIC_QUEST_STATUS", "STARTED")),
            Some(("EVENT_TOPIC_QUEST_STATUS", "ERROR")),
        ),
        (
            "complete_quest",
            "COMMAND_TOPIC_QUEST",
            "COMPLETE",
            Some(("EVENT_TOPIC_QUEST_STATUS", "COMPLETED")),
            Some(("EVENT_TOPIC_QUEST_STATUS", "ERROR")),
        ),
        (
            "apply_consumable_effect",
            "COMMAND_TOPIC_CONSUMABLE",
            "APPLY_CONSUMABLE_EFFECT",
            Some(("EVENT_TOPIC_CONSUMABLE_STATUS", "EFFECT_APPLIED")),
            None,
        ),
        ("award_currency", "COMMAND_TOPIC_WALLET", "ADJUST_CURRENCY", Some(("EVENT_TOPIC_WALLET_STATUS", "UPDATED")), None),
        ("send_message", "COMMAND_TOPIC_SYSTEM_MESSAGE", "SEND_MESSAGE", None, None),
        ("play_portal_sound", "COMMAND_TOPIC_SYSTEM_MESSAGE", "PLAY_PORTAL_SOUND", None, None),
        ("show_info", "COMMAND_TOPIC_SYSTEM_MESSAGE", "SHOW_INFO", None, None),
        ("show_info_text", "COMMAND_TOPIC_SYSTEM_MESSAGE", "SHOW_INFO_TEXT", None, None),
        ("update_area_info", "COMMAND_TOPIC_SYSTEM_MESSAGE", "UPDATE_AREA_INFO", None, None),
        ("show_hint", "COMMAND_TOPIC_SYSTEM_MESSAGE", "SHOW_HINT", None, None),
        ("block_portal", "COMMAND_TOPIC_PORTAL", "BLOCK", None, None),
        ("unblock_portal", "COMMAND_TOPIC_PORTAL", "UNBLOCK", None, None),
        ("cancel_all_buffs", "COMMAND_TOPIC_CHARACTER_BUFF", "CANCEL_ALL", None, None),
        ("show_storage", "COMMAND_TOPIC_STORAGE_SHOW", "SHOW_STORAGE", None, None),
        (
            "update_storage_mesos",
            "COMMAND_TOPIC_STORAGE",
            "UPDATE_MESOS",
            Some(("EVENT_TOPIC_STORAGE_STATUS", "MESOS_UPDATED")),
            Some(("EVENT_TOPIC_STORAGE_STATUS", "ERROR")),
        ),
        (
            "deposit_to_storage",
            "COMMAND_TOPIC_STORAGE",
            "DEPOSIT",
            Some(("EVENT_TOPIC_STORAGE_STATUS", "DEPOSITED")),
            Some(("EVENT_TOPIC_STORAGE_STATUS", "ERROR")),
        ),
        (
            "accept_to_storage",
            "COMMAND_TOPIC_STORAGE_COMPARTMENT",
            "ACCEPT",
            Some(("EVENT_TOPIC_STORAGE_COMPARTMENT_STATUS", "ACCEPTED")),
            Some(("EVENT_TOPIC_STORAGE_COMPARTMENT_STATUS", "ERROR")),
        ),
        (
            "release_from_storage",
            "COMMAND_TOPIC_STORAGE_COMPARTMENT",
            "RELEASE",
            Some(("EVENT_TOPIC_STORAGE_COMPARTMENT_STATUS", "RELEASED")),
            Some(("EVENT_TOPIC_STORAGE_COMPARTMENT_STATUS", "ERROR")),
        ),
        (
            "accept_to_cash_shop",
            "COMMAND_TOPIC_CASH_COMPARTMENT",
            "ACCEPT",
            Some(("EVENT_TOPIC_CASH_COMPARTMENT_STATUS", "ACCEPTED")),
            Some(("EVENT_TOPIC_CASH_COMPARTMENT_STATUS", "ERROR")),
        ),
        (
            "release_from_cash_shop",
            "COMMAND_TOPIC_CASH_COMPARTMENT",
            "RELEASE",
            Some(("EVENT_TOPIC_CASH_COMPARTMENT_STATUS", "RELEASED")),
            Some(("EVENT_TOPIC_CASH_COMPARTMENT_STATUS", "ERROR")),
        ),
    ];

    #[test]
    fn each_action_has_its_command_completion_failure_and_compensation() {
        let t = Uuid::new_v4();
        let payload = json!({"characterId": 7, "accountId": 9, "referenceId": 11, "petId": 13, "source": 3, "destination": -5,
            "inventoryType": 1, "item": {"templateId": 1302000, "quantity": 1}, "templateId": 1302000,
            "body": {"updates": ["FAME", "HAIR", "FACE", "SKIN_COLOR", "HP"]}});
        let with_lookups = [
            "destroy_asset",
            "warp_to_random_portal",
            "warp_to_portal",
            "validate_character_state",
            "spawn_monster",
            "spawn_reactor_drops",
            "transfer_to_storage",
            "withdraw_from_storage",
            "transfer_to_cash_shop",
            "withdraw_from_cash_shop",
        ];
        for name in Action::NAMES {
            let known = TABLE.iter().any(|row| row.0 == name) || with_lookups.contains(&name);
            assert!(known, "{name} has a row in the table or a look-up dispatch");
        }
        for (name, topic, kind, completes, fails) in TABLE {
            let action = &Action::decode(name, &payload).unwrap_or_else(|e| panic!("{name}: {e}"));
            let commands = command(action, t).unwrap_or_else(|e| panic!("{name}: {e}")).expect("a pure action");
            assert_eq!(commands[0].topic, *topic, "{name}");
            assert_eq!(commands[0].value["type"], *kind, "{name}");
            assert_eq!(synchronous(action), completes.is_none(), "{name} is synchronous exactly when no event completes it");
            let event = |topic_kind: &(&str, &str)| {
                let updates = match *name {
                    "award_fame" => "FAME",
                    "change_hair" => "HAIR",
                    "change_face" => "FACE",
                    "change_skin" => "SKIN_COLOR",
                    _ => "HP",
                };
                json!({"type": topic_kind.1, "slot": 3, "templateId": 1302000, "body": {"oldSlot": -5, "updates": [updates]}})
            };
            if let Some(c) = completes {
                assert_eq!(verdict(action, c.0, c.1, &event(c)), Some(Verdict::Completes), "{name} completes on {c:?}");
            }
            if let Some(f) = fails {
                assert_eq!(verdict(action, f.0, f.1, &event(f)), Some(Verdict::Fails), "{name} fails on {f:?}");
            }
            // An unrelated event type never bears on the step.
            assert_eq!(verdict(action, C, "LOGIN", &json!({"type": "LOGIN"})), None, "{name}");
            let inverse_kind = inverse(action, t, Some(4)).map(|c| c.value["type"].as_str().unwrap_or_default().to_string());
            let expected = match *name {
                "equip_asset" => Some("UNEQUIP"),
                "unequip_asset" => Some("EQUIP"),
                "create_and_equip_asset" => Some("DESTROY"),
                _ => None,
            };
            assert_eq!(inverse_kind.as_deref(), expected, "{name}'s compensation");
        }
    }

    #[test]
    fn equip_completion_accepts_either_moved_orientation_and_compensation_swaps_slots() {
        let equip =
            Action::decode("equip_asset", &json!({"characterId": 7, "inventoryType": 1, "source": 9, "destination": -11})).expect("fits");
        let seed_era = json!({"type": "MOVED", "slot": 9, "body": {"oldSlot": -11}});
        let fixed = json!({"type": "MOVED", "slot": -11, "body": {"oldSlot": 9}});
        let other = json!({"type": "MOVED", "slot": -5, "body": {"oldSlot": 4}});
        assert_eq!(verdict(&equip, A, "MOVED", &seed_era), Some(Verdict::Completes));
        assert_eq!(verdict(&equip, A, "MOVED", &fixed), Some(Verdict::Completes));
        assert_eq!(verdict(&equip, A, "MOVED", &other), None);
        let undo = inverse(&equip, Uuid::nil(), None).expect("an inverse");
        assert_eq!(undo.value["body"], json!({"inventoryType": 0, "source": -11, "destination": 9}));
    }

    #[test]
    fn failure_reasons_and_codes() {
        let action = |name: &str| Action::decode(name, &json!({})).expect("fits");
        assert_eq!(
            failure(&action("award_mesos"), "s", "storage_operation"),
            ("Storage operation failed at step [s] action [award_mesos]".into(), "NOT_ENOUGH_MESOS")
        );
        assert_eq!(failure(&action("award_mesos"), "s", "quest_reward").1, "UNKNOWN");
        assert_eq!(failure(&action("validate_character_state"), "v", "x").0, "Validation failed");
        assert_eq!(failure(&action("set_hp"), "h", "x").0, "Saga step failed at step [h] action [set_hp]");
    }
}
