//! The guild window's actions (spec 51 §4.14 and the GUILD rows of §4.30), the guild
//! bulletin board (§4.15) and its records (spec 50 §4.39): the thread a member changed is
//! shown to it. (Guild records and prompts are pushed by `guilds`.)

use super::actions::{command, field};
use super::commands::{Context as Session, Outcome};
use super::deliver::{Recipients, Scope};
use super::last_wave;
use super::sessions::Session as Connected;
use super::updates::{kind, part, push};
use super::{lookups, party, Edge};
use crate::channel::Services;
use crate::contracts::channel::guild_window::{
    Guild, GuildBbs, GuildCommand, GuildCommandKind, GuildThreadCommand, GuildThreadCommandKind, GuildThreadRecord, Listed, ReplyBody,
    Thread, TITLES,
};
use crate::contracts::channel::party::{InviteCommand, InviteCommandKind, InviteType};
use crate::contracts::decode::{self, Decoded, Reject};
use crate::contracts::tenant::Tenant;
use serde::Deserialize;
use serde_json::Value;

/// Longest guild notice the client can type (spec 51 §4.14: longer ends the session).
pub const MAX_NOTICE: usize = 100;
/// Threads listed on the board at most.
pub const MAX_THREADS: usize = 100;

/// The guild client frames (docs/client-protocol.md).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all_fields = "camelCase")]
pub enum Action {
    GuildOperation {
        #[serde(flatten)]
        operation: GuildOp,
    },
    /// Declining a guild invitation from `fromName`.
    GuildInviteReject { from_name: String },
    GuildBBS {
        #[serde(flatten)]
        operation: BoardOp,
    },
}

/// What the guild window asks (v83 REQUEST_CREATE 2, INVITE 5, JOIN 6, WITHDRAW 7, KICK 8,
/// SET_TITLE_NAMES 13, SET_MEMBER_TITLE 14, SET_EMBLEM 15, SET_NOTICE 16,
/// AGREEMENT_RESPONSE 30).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "operation", rename_all = "SCREAMING_SNAKE_CASE", rename_all_fields = "camelCase")]
pub enum GuildOp {
    RequestCreate { name: String },
    Invite { name: String },
    Join { guild_id: u32, character_id: u32 },
    Withdraw { character_id: u32, name: String },
    Kick { character_id: u32, name: String },
    SetTitleNames { titles: Vec<String> },
    SetMemberTitle { target_id: u32, title: u8 },
    SetEmblem { logo: u16, logo_color: u8, logo_background: u16, logo_background_color: u8 },
    SetNotice { notice: String },
    AgreementResponse { agreed: bool },
}

/// What the guild board asks (v83 CREATE_OR_EDIT_THREAD 0, DELETE_THREAD 1, LIST_THREADS 2,
/// DISPLAY_THREAD 3, REPLY_THREAD 4, DELETE_REPLY 5).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "operation", rename_all = "SCREAMING_SNAKE_CASE", rename_all_fields = "camelCase")]
pub enum BoardOp {
    CreateOrEditThread {
        modify: bool,
        #[serde(default)]
        thread_id: u32,
        #[serde(default)]
        notice: bool,
        title: String,
        message: String,
        #[serde(default)]
        emoticon_id: u32,
    },
    DeleteThread {
        thread_id: u32,
    },
    ListThreads,
    DisplayThread {
        thread_id: u32,
    },
    ReplyThread {
        thread_id: u32,
        message: String,
    },
    DeleteReply {
        thread_id: u32,
        reply_id: u32,
    },
}

/// What a guild action needs: the actor's guild, a named character, the actor's name, a
/// board view.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Found {
    pub guild: Option<(u32, Guild)>,
    pub named: Option<u32>,
    pub own_name: Option<String>,
    /// The board's answer to a list or display.
    pub view: Option<GuildBbs>,
}

pub async fn resolve(edge: &Edge, session: &Connected, ctx: &Session, action: &Action) -> last_wave::Context {
    let (services, tenant, c) = (&edge.services, &session.tenant, ctx.character);
    let mut found = Found::default();
    match action {
        Action::GuildInviteReject { from_name } => found.named = party::named(services, tenant, from_name).await,
        Action::GuildOperation { operation: GuildOp::RequestCreate { .. } | GuildOp::Join { .. } | GuildOp::AgreementResponse { .. } } => {}
        Action::GuildOperation { operation } => {
            found.guild = guild_of(services, tenant, c).await;
            match operation {
                GuildOp::Invite { name } if found.guild.as_ref().is_some_and(|(_, g)| g.is_leadership(c)) => {
                    found.named = party::named(services, tenant, name).await;
                }
                GuildOp::Withdraw { .. } => {
                    found.own_name = lookups::character(services, tenant, c).await.and_then(|a| a["name"].as_str().map(str::to_string));
                }
                _ => {}
            }
        }
        Action::GuildBBS { operation } => {
            found.guild = guild_of(services, tenant, c).await;
            if let Some((guild, _)) = found.guild {
                found.view = match operation {
                    BoardOp::ListThreads => Some(GuildBbs::List { threads: threads(services, tenant, guild).await }),
                    BoardOp::DisplayThread { thread_id } => {
                        thread(services, tenant, guild, *thread_id).await.map(|thread| GuildBbs::Thread { thread_id: *thread_id, thread })
                    }
                    _ => None,
                };
            }
        }
    }
    last_wave::Context { guild: found, ..last_wave::Context::default() }
}

/// The guild `character` is a member of (`GET guilds?filter[members.id]=`).
pub async fn guild_of(services: &Services, tenant: &Tenant, character: u32) -> Option<(u32, Guild)> {
    let guilds = lookups::resources(services, tenant, "GUILDS", &format!("guilds?filter[members.id]={character}")).await;
    let (id, guild) = guilds.into_iter().next()?;
    Some((id.parse().ok().filter(|id| *id != 0)?, serde_json::from_value(guild).ok()?))
}

/// A board thread (`GET guilds/{g}/threads/{t}`).
async fn thread(services: &Services, tenant: &Tenant, guild: u32, thread: u32) -> Option<Thread> {
    let found = lookups::one(services, tenant, "GUILD_THREADS", &format!("guilds/{guild}/threads/{thread}")).await?;
    serde_json::from_value(found).ok()
}

/// The board's threads (`GET guilds/{g}/threads`), at most [`MAX_THREADS`].
async fn threads(services: &Services, tenant: &Tenant, guild: u32) -> Vec<Listed> {
    let listed = lookups::resources(services, tenant, "GUILD_THREADS", &format!("guilds/{guild}/threads")).await;
    listed
        .into_iter()
        .take(MAX_THREADS)
        .filter_map(|(id, attributes)| {
            let thread: Thread = serde_json::from_value(attributes).ok()?;
            Some(Listed::of(id.parse().ok()?, thread))
        })
        .collect()
}

pub fn translate(action: &Action, ctx: &Session) -> Outcome {
    let c = ctx.character;
    let found = &ctx.later.guild;
    let guild = |kind: GuildCommandKind| command(&GuildCommand { character_id: c, kind });
    let invite = |kind: InviteCommandKind| command(&InviteCommand { world_id: ctx.field.world, invite_type: InviteType::Guild, kind });
    let destroy = Outcome { destroy: true, ..Outcome::default() };
    let mine = found.guild.as_ref();
    let commands = match action {
        Action::GuildInviteReject { .. } => match found.named {
            Some(originator) => vec![invite(InviteCommandKind::Reject { target_id: c, originator_id: originator })],
            None => Vec::new(),
        },
        Action::GuildBBS { operation } => {
            // The board belongs to a guild: a player in none breaks the rules.
            let Some((guild_id, _)) = mine else { return destroy };
            let thread = |kind: GuildThreadCommandKind| command(&GuildThreadCommand { guild_id: *guild_id, character_id: c, kind });
            match operation {
                BoardOp::CreateOrEditThread { modify: false, notice, title, message, emoticon_id, .. } => {
                    vec![thread(GuildThreadCommandKind::Create {
                        notice: *notice,
                        title: title.clone(),
                        message: message.clone(),
                        emoticon_id: *emoticon_id,
                    })]
                }
                BoardOp::CreateOrEditThread { modify: true, thread_id, notice, title, message, emoticon_id } => {
                    vec![thread(GuildThreadCommandKind::Update {
                        thread_id: *thread_id,
                        notice: *notice,
                        title: title.clone(),
                        message: message.clone(),
                        emoticon_id: *emoticon_id,
                    })]
                }
                BoardOp::DeleteThread { thread_id } => vec![thread(GuildThreadCommandKind::Delete { thread_id: *thread_id })],
                BoardOp::ReplyThread { thread_id, message } => {
                    vec![thread(GuildThreadCommandKind::AddReply { thread_id: *thread_id, message: message.clone() })]
                }
                BoardOp::DeleteReply { thread_id, reply_id } => {
                    vec![thread(GuildThreadCommandKind::DeleteReply { thread_id: *thread_id, reply_id: *reply_id })]
                }
                BoardOp::ListThreads | BoardOp::DisplayThread { .. } => {
                    return Outcome { reply: found.view.iter().map(push).collect(), ..Outcome::default() };
                }
            }
        }
        Action::GuildOperation { operation } => match operation {
            GuildOp::RequestCreate { name } => vec![guild(GuildCommandKind::RequestCreate { field: field(ctx), name: name.clone() })],
            GuildOp::AgreementResponse { agreed } => vec![guild(GuildCommandKind::CreationAgreement { agreed: *agreed })],
            GuildOp::Join { character_id, .. } if *character_id != c => return destroy,
            GuildOp::Join { guild_id, .. } => vec![invite(InviteCommandKind::Accept { target_id: c, reference_id: *guild_id })],
            GuildOp::SetEmblem { logo, logo_color, logo_background, logo_background_color } => match mine {
                Some((guild_id, g)) if g.is_leader(c) => vec![guild(GuildCommandKind::ChangeEmblem {
                    guild_id: *guild_id,
                    logo: *logo,
                    logo_color: *logo_color,
                    logo_background: *logo_background,
                    logo_background_color: *logo_background_color,
                })],
                _ => return destroy,
            },
            GuildOp::SetNotice { notice } => match mine {
                Some((guild_id, g)) if g.is_leadership(c) && notice.chars().count() <= MAX_NOTICE => {
                    vec![guild(GuildCommandKind::ChangeNotice { guild_id: *guild_id, notice: notice.clone() })]
                }
                _ => return destroy,
            },
            GuildOp::Withdraw { character_id, name } => match (mine, &found.own_name) {
                (Some((guild_id, _)), Some(own)) if *character_id == c && own == name => {
                    vec![guild(GuildCommandKind::Leave { guild_id: *guild_id, force: false })]
                }
                _ => return destroy,
            },
            // The kicked member is the command's character: the guild service removes it.
            GuildOp::Kick { character_id, .. } => match mine {
                Some((guild_id, g)) if g.is_leadership(c) && *character_id != 0 => {
                    vec![command(&GuildCommand {
                        character_id: *character_id,
                        kind: GuildCommandKind::Leave { guild_id: *guild_id, force: true },
                    })]
                }
                _ => return destroy,
            },
            GuildOp::Invite { .. } => match (mine, found.named) {
                (Some((guild_id, g)), Some(target_id)) if g.is_leadership(c) => {
                    vec![guild(GuildCommandKind::RequestInvite { guild_id: *guild_id, target_id })]
                }
                (Some((_, g)), None) if g.is_leadership(c) => Vec::new(),
                _ => return destroy,
            },
            GuildOp::SetTitleNames { titles } => match mine {
                Some((guild_id, g)) if g.is_leader(c) && titles.len() == TITLES => {
                    vec![guild(GuildCommandKind::ChangeTitles { guild_id: *guild_id, titles: titles.clone() })]
                }
                _ => return destroy,
            },
            GuildOp::SetMemberTitle { target_id, title } => match mine {
                Some((guild_id, g)) if (2..=5).contains(title) && g.title_possible(c, *title) => {
                    vec![guild(GuildCommandKind::ChangeMemberTitle { guild_id: *guild_id, target_id: *target_id, title: *title })]
                }
                _ => return destroy,
            },
        },
    };
    Outcome { commands, ..Outcome::default() }
}

/// A board thread changed by `actor`.
#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    pub world: u8,
    pub guild: u32,
    pub actor: u32,
    pub thread: u32,
}

impl Update {
    /// The guild (one guild's board records keep their order).
    pub fn subject(&self) -> u32 {
        self.guild
    }
}

/// EVENT_TOPIC_GUILD_THREAD_STATUS (`DELETED` needs nothing).
pub fn decode_thread(value: &Value) -> Result<Decoded<Update>, Reject> {
    let kind = kind(value)?;
    let record: GuildThreadRecord = decode::into(value.clone())?;
    let _: ReplyBody = part(value.get("body"))?;
    match kind {
        "CREATED" | "UPDATED" | "REPLY_ADDED" | "REPLY_DELETED" => Ok(Decoded::Message(Update {
            world: record.world_id,
            guild: record.guild_id,
            actor: record.actor_id,
            thread: record.thread_id,
        })),
        other => Ok(Decoded::Unhandled(other.to_string())),
    }
}

pub(super) async fn deliver(to: &Recipients<'_>, update: Update) {
    let Update { world, guild, actor, thread: id } = update;
    // Presence first (spec 50 Q-9): no look-up for a board nobody here is reading.
    if to.session(actor, Scope::World(world)).is_none() {
        return;
    }
    if let Some(found) = thread(&to.edge.services, to.tenant, guild, id).await {
        to.one(actor, Scope::World(world), &push(&GuildBbs::Thread { thread_id: id, thread: found }));
    }
}
