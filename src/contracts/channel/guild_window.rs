//! The guild window and the guild bulletin board from the client (spec 51 §4.14, §4.15;
//! spec 50 §4.39): their commands, the guild as the window's checks read it, the board's
//! records and the `GuildBBS` push. (Guild records and their pushes are in `guild`.)

use super::{FieldBlock, Produced, Push};
use serde::{Deserialize, Serialize};

/// A guild has five ranks; a guild's title list and a rename carry this many.
pub const TITLES: usize = 5;

/// COMMAND_TOPIC_GUILD, keyed by `characterId` (for a kick: the kicked member).
///
/// `{"characterId":30005,"type":"LEAVE","body":{"guildId":9,"force":true}}`
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GuildCommand {
    pub character_id: u32,
    #[serde(flatten)]
    pub kind: GuildCommandKind,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "body", rename_all = "SCREAMING_SNAKE_CASE", rename_all_fields = "camelCase")]
pub enum GuildCommandKind {
    RequestCreate {
        #[serde(flatten)]
        field: FieldBlock,
        name: String,
    },
    CreationAgreement {
        agreed: bool,
    },
    ChangeEmblem {
        guild_id: u32,
        logo: u16,
        logo_color: u8,
        logo_background: u16,
        logo_background_color: u8,
    },
    ChangeNotice {
        guild_id: u32,
        notice: String,
    },
    Leave {
        guild_id: u32,
        force: bool,
    },
    RequestInvite {
        guild_id: u32,
        target_id: u32,
    },
    ChangeTitles {
        guild_id: u32,
        titles: Vec<String>,
    },
    ChangeMemberTitle {
        guild_id: u32,
        target_id: u32,
        title: u8,
    },
}

impl Produced for GuildCommand {
    const TOPIC: &'static str = "COMMAND_TOPIC_GUILD";
    fn key(&self) -> u32 {
        self.character_id
    }
}

/// COMMAND_TOPIC_GUILD_THREAD, keyed by the guild (spec 51 Q13).
///
/// `{"guildId":9,"characterId":30001,"type":"ADD_REPLY","body":{"threadId":4,"message":"count me in"}}`
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GuildThreadCommand {
    pub guild_id: u32,
    pub character_id: u32,
    #[serde(flatten)]
    pub kind: GuildThreadCommandKind,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "body", rename_all = "SCREAMING_SNAKE_CASE", rename_all_fields = "camelCase")]
pub enum GuildThreadCommandKind {
    Create { notice: bool, title: String, message: String, emoticon_id: u32 },
    Update { thread_id: u32, notice: bool, title: String, message: String, emoticon_id: u32 },
    Delete { thread_id: u32 },
    AddReply { thread_id: u32, message: String },
    DeleteReply { thread_id: u32, reply_id: u32 },
}

impl Produced for GuildThreadCommand {
    const TOPIC: &'static str = "COMMAND_TOPIC_GUILD_THREAD";
    fn key(&self) -> u32 {
        self.guild_id
    }
}

/// A guild member, as the guild service describes it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Member {
    pub character_id: u32,
    pub name: String,
    pub job_id: u16,
    pub level: u8,
    pub title: u8,
    pub online: bool,
    pub alliance_title: u8,
}

/// A rank's name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Title {
    pub name: String,
    pub index: u8,
}

/// A guild as the guild service holds it (`GET guilds/{id}`, attributes).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Guild {
    pub world_id: u8,
    pub name: String,
    pub notice: String,
    pub points: u32,
    pub capacity: u32,
    pub logo: u16,
    pub logo_color: u8,
    pub logo_background: u16,
    pub logo_background_color: u8,
    pub leader_id: u32,
    pub members: Vec<Member>,
    pub titles: Vec<Title>,
}

impl Guild {
    pub fn member(&self, character: u32) -> Option<&Member> {
        self.members.iter().find(|m| m.character_id == character)
    }

    pub fn is_leader(&self, character: u32) -> bool {
        character != 0 && self.leader_id == character
    }

    /// The master and the junior masters (titles 1 and 2).
    pub fn is_leadership(&self, character: u32) -> bool {
        character != 0 && self.member(character).is_some_and(|m| m.title <= 2)
    }

    /// Whether `character` may give a member `title`: leadership only, and only the
    /// master may make junior masters.
    pub fn title_possible(&self, character: u32, title: u8) -> bool {
        let current = self.member(character).map_or(5, |m| m.title);
        !(current > 2 || (title <= 2 && current != 1))
    }
}

/// EVENT_TOPIC_GUILD_THREAD_STATUS envelope.
///
/// `{"worldId":0,"guildId":12,"actorId":30001,"threadId":3,"type":"REPLY_ADDED","body":{"replyId":9}}`
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct GuildThreadRecord {
    pub world_id: u8,
    pub guild_id: u32,
    pub actor_id: u32,
    pub thread_id: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ReplyBody {
    pub reply_id: u32,
}

/// A reply on the board, as the guild-thread service holds it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Reply {
    pub id: u32,
    pub poster_id: u32,
    pub message: String,
    pub created_at: String,
}

/// A thread of the board (`GET guilds/{g}/threads/{t}`, attributes).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Thread {
    pub poster_id: u32,
    pub title: String,
    pub message: String,
    pub emoticon_id: u32,
    pub notice: bool,
    pub created_at: String,
    pub replies: Vec<Reply>,
}

/// `GuildBBS`: the thread the actor changed, shown to it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "operation", rename_all = "SCREAMING_SNAKE_CASE", rename_all_fields = "camelCase")]
pub enum GuildBbs {
    /// The board's threads (`LIST_THREADS`).
    List {
        threads: Vec<Listed>,
    },
    Thread {
        thread_id: u32,
        thread: Thread,
    },
}

/// A thread as the board lists it: its head and how many replies it has.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Listed {
    pub thread_id: u32,
    pub poster_id: u32,
    pub title: String,
    pub emoticon_id: u32,
    pub notice: bool,
    pub created_at: String,
    pub replies: usize,
}

impl Listed {
    pub fn of(thread_id: u32, thread: Thread) -> Listed {
        let Thread { poster_id, title, emoticon_id, notice, created_at, replies, .. } = thread;
        Listed { thread_id, poster_id, title, emoticon_id, notice, created_at, replies: replies.len() }
    }
}

impl Push for GuildBbs {
    const WRITER: &'static str = "GuildBBS";
}
