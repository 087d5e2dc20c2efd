//! Topic-name resolution: a topic is named by an environment variable whose value is the
//! topic name, or whose own name is when unset. Seed-era spellings are accepted as aliases,
//! the canonical variable winning when both are set. The server resolves every name once,
//! at start-up, into a [`Topics`] value it hands down.

use std::collections::HashMap;
use std::sync::Arc;

/// (canonical, alias) pairs of 00-overview / spec 40 §2.1.
const ALIASES: &[(&str, &str)] = &[
    ("COMMAND_TOPIC_BUDDY_LIST", "COMMAND_TOPIC_BUDDYLIST"),
    ("EVENT_TOPIC_BUDDY_LIST_STATUS", "EVENT_TOPIC_BUDDYLIST_STATUS"),
    ("COMMAND_TOPIC_WALLET", "COMMAND_TOPIC_CASHSHOP"),
    ("EVENT_TOPIC_WALLET_STATUS", "EVENT_TOPIC_CASHSHOP_STATUS"),
    ("COMMAND_TOPIC_CASH_COMPARTMENT", "COMMAND_TOPIC_CASHSHOP_COMPARTMENT"),
    ("EVENT_TOPIC_CASH_COMPARTMENT_STATUS", "EVENT_TOPIC_CASHSHOP_COMPARTMENT_STATUS"),
    ("COMMAND_TOPIC_CHARACTER_BUFF", "COMMAND_TOPIC_BUFF"),
];

/// Resolves a topic variable with an environment lookup function (the process environment
/// in production, a map in tests and in the conformance runner).
pub fn resolve_with(variable: &str, env: impl Fn(&str) -> Option<String>) -> String {
    let set = |name: &str| env(name).filter(|v| !v.is_empty());
    if let Some(value) = set(variable) {
        return value;
    }
    ALIASES.iter().filter(|(canonical, _)| *canonical == variable).find_map(|(_, alias)| set(alias)).unwrap_or_else(|| variable.to_string())
}

/// Resolves a topic variable against the process environment.
pub fn resolve(variable: &str) -> String {
    resolve_with(variable, |name| std::env::var(name).ok())
}

/// Every topic variable the server consumes or produces, each also a long flag
/// (`COMMAND_TOPIC_SKILL` → `--command-topic-skill`).
pub const VARIABLES: &[&str] = &[
    "COMMAND_TOPIC_SKILL",
    "COMMAND_TOPIC_SKILL_MACRO",
    "EVENT_TOPIC_SKILL_STATUS",
    "STATUS_EVENT_TOPIC_SKILL_MACRO",
    "EVENT_TOPIC_CHARACTER_STATUS",
    "COMMAND_TOPIC_CHARACTER",
    "EVENT_TOPIC_SESSION_STATUS",
    "EVENT_TOPIC_CHARACTER_BUFF_STATUS",
    "EVENT_TOPIC_ASSET_STATUS",
    "COMMAND_TOPIC_MESSENGER",
    "EVENT_TOPIC_MESSENGER_STATUS",
    "EVENT_TOPIC_MESSENGER_MEMBER_STATUS",
    "COMMAND_TOPIC_INVITE",
    "EVENT_TOPIC_INVITE_STATUS",
    "COMMAND_TOPIC_SAGA",
    "EVENT_TOPIC_SAGA_STATUS",
    "EVENT_TOPIC_COMPARTMENT_STATUS",
    "EVENT_TOPIC_GUILD_STATUS",
    "EVENT_TOPIC_BUDDY_LIST_STATUS",
    "EVENT_TOPIC_PET_STATUS",
    "EVENT_TOPIC_CONSUMABLE_STATUS",
    "EVENT_TOPIC_WALLET_STATUS",
    "EVENT_TOPIC_CASH_COMPARTMENT_STATUS",
    "EVENT_TOPIC_QUEST_STATUS",
    "EVENT_TOPIC_STORAGE_STATUS",
    "EVENT_TOPIC_STORAGE_COMPARTMENT_STATUS",
    "COMMAND_TOPIC_COMPARTMENT",
    "COMMAND_TOPIC_GUILD",
    "COMMAND_TOPIC_BUDDY_LIST",
    "COMMAND_TOPIC_PET",
    "COMMAND_TOPIC_QUEST",
    "COMMAND_TOPIC_CONSUMABLE",
    "COMMAND_TOPIC_SYSTEM_MESSAGE",
    "COMMAND_TOPIC_STORAGE",
    "COMMAND_TOPIC_STORAGE_SHOW",
    "COMMAND_TOPIC_STORAGE_COMPARTMENT",
    "COMMAND_TOPIC_WALLET",
    "COMMAND_TOPIC_CASH_COMPARTMENT",
    "COMMAND_TOPIC_PORTAL",
    "COMMAND_TOPIC_CHARACTER_BUFF",
    "COMMAND_TOPIC_DROP",
    "EVENT_TOPIC_MAP_STATUS",
    "DEAD_LETTER_TOPIC",
    // The channel edge (specs 50 and 51): consumed topics not listed above…
    "EVENT_TOPIC_ACCOUNT_STATUS",
    "EVENT_TOPIC_ACCOUNT_SESSION_STATUS",
    "COMMAND_TOPIC_CHANNEL_STATUS",
    "EVENT_TOPIC_CHARACTER_CHAT",
    "EVENT_TOPIC_EXPRESSION",
    "EVENT_TOPIC_MONSTER_STATUS",
    "EVENT_TOPIC_DROP_STATUS",
    "EVENT_TOPIC_PARTY_STATUS",
    "EVENT_TOPIC_PARTY_MEMBER_STATUS",
    "COMMAND_TOPIC_NPC_CONVERSATION",
    "EVENT_TOPIC_NPC_SHOP_STATUS",
    "EVENT_TOPIC_REACTOR_STATUS",
    "EVENT_TOPIC_CHAIR_STATUS",
    "EVENT_TOPIC_CHALKBOARD_STATUS",
    "EVENT_TOPIC_FAME_STATUS",
    "EVENT_TOPIC_NOTE_STATUS",
    "EVENT_TOPIC_CASH_SHOP_STATUS",
    "EVENT_TOPIC_GACHAPON_REWARD_WON",
    "EVENT_TOPIC_GUILD_THREAD_STATUS",
    "EVENT_TOPIC_TRANSPORT_STATUS",
    "EVENT_TOPIC_INSTANCE_TRANSPORT",
    // …and produced ones.
    "COMMAND_TOPIC_ACCOUNT_SESSION",
    "COMMAND_TOPIC_CHARACTER_MOVEMENT",
    "COMMAND_TOPIC_MONSTER_MOVEMENT",
    "COMMAND_TOPIC_EXPRESSION",
    "COMMAND_TOPIC_CHARACTER_CHAT",
    "COMMAND_TOPIC_MONSTER",
    "COMMAND_TOPIC_NPC",
    "COMMAND_TOPIC_NPC_SHOP",
    "COMMAND_TOPIC_QUEST_CONVERSATION",
    "COMMAND_TOPIC_PARTY",
    "COMMAND_TOPIC_CHAIR",
    "COMMAND_TOPIC_REACTOR",
    "COMMAND_TOPIC_FAME",
    "COMMAND_TOPIC_PET_MOVEMENT",
    "COMMAND_TOPIC_GUILD_THREAD",
    "COMMAND_TOPIC_NOTE",
    "COMMAND_TOPIC_CASH_SHOP",
    "COMMAND_TOPIC_CHALKBOARD",
];

/// Every topic variable's name, resolved once at start-up and handed to what produces or
/// consumes records (the router, the consumers, the actor harness, the channel, REST).
/// Cloning shares the names.
#[derive(Debug, Clone)]
pub struct Topics {
    names: Arc<HashMap<&'static str, String>>,
}

impl Topics {
    /// Every variable of [`VARIABLES`] resolved against the process environment, with the
    /// topic flags given on the command line (`overrides`, empty ones ignored) winning.
    pub fn with_overrides(overrides: &[(&'static str, String)]) -> Topics {
        Topics::resolved(overrides, |name| std::env::var(name).ok())
    }

    /// Every variable of [`VARIABLES`] resolved against the process environment.
    pub fn from_env() -> Topics {
        Topics::with_overrides(&[])
    }

    fn resolved(overrides: &[(&'static str, String)], env: impl Fn(&str) -> Option<String>) -> Topics {
        let names = VARIABLES
            .iter()
            .map(|variable| {
                let given = overrides.iter().find(|(v, _)| v == variable).map(|(_, name)| name.clone()).filter(|n| !n.is_empty());
                (*variable, given.unwrap_or_else(|| resolve_with(variable, &env)))
            })
            .collect();
        Topics { names: Arc::new(names) }
    }

    /// The topic name of a variable of [`VARIABLES`]. A variable not listed there names
    /// itself.
    pub fn name<'a>(&'a self, variable: &'a str) -> &'a str {
        match self.names.get(variable) {
            Some(name) => name.as_str(),
            None => {
                tracing::warn!(variable, "a topic variable missing from topics::VARIABLES names itself");
                variable
            }
        }
    }

    /// The names of every variable of [`VARIABLES`], in its order.
    pub fn all(&self) -> impl Iterator<Item = &str> {
        VARIABLES.iter().map(|variable| self.name(variable))
    }
}

/// Every variable naming itself: the names when no variable or flag is set.
impl Default for Topics {
    fn default() -> Topics {
        Topics::resolved(&[], |_| None)
    }
}

#[cfg(test)]
mod tests {
    use super::{resolve_with, Topics, VARIABLES};
    use std::collections::HashMap;

    #[test]
    fn a_flag_wins_over_the_environment_and_every_variable_is_resolved() {
        let env: HashMap<&str, &str> = HashMap::from([("COMMAND_TOPIC_SKILL", "skills-from-env"), ("COMMAND_TOPIC_BUFF", "buffs")]);
        let flags = [("COMMAND_TOPIC_SKILL", "skills-from-flag".to_string()), ("COMMAND_TOPIC_CHARACTER_BUFF", String::new())];
        let topics = Topics::resolved(&flags, |n| env.get(n).map(|v| v.to_string()));
        assert_eq!(topics.names.len(), VARIABLES.len());
        assert_eq!(topics.name("COMMAND_TOPIC_SKILL"), "skills-from-flag");
        assert_eq!(topics.name("COMMAND_TOPIC_CHARACTER_BUFF"), "buffs", "an empty flag is not given");
        assert_eq!(topics.name("EVENT_TOPIC_SKILL_STATUS"), "EVENT_TOPIC_SKILL_STATUS");
        assert_eq!(topics.name("NOT_A_TOPIC_VARIABLE"), "NOT_A_TOPIC_VARIABLE");
    }

    #[test]
    fn default_names_every_variable_after_itself() {
        assert!(Topics::default().all().zip(VARIABLES).all(|(name, variable)| name == *variable));
    }

    #[test]
    fn unset_variable_names_itself_and_alias_yields_to_canonical() {
        let env: HashMap<&str, &str> = HashMap::from([("COMMAND_TOPIC_BUFF", "buffs")]);
        let lookup = |n: &str| env.get(n).map(|v| v.to_string());
        assert_eq!(resolve_with("COMMAND_TOPIC_SKILL", lookup), "COMMAND_TOPIC_SKILL");
        assert_eq!(resolve_with("COMMAND_TOPIC_CHARACTER_BUFF", lookup), "buffs");
        let both: HashMap<&str, &str> = HashMap::from([("COMMAND_TOPIC_BUFF", "a"), ("COMMAND_TOPIC_CHARACTER_BUFF", "b")]);
        assert_eq!(resolve_with("COMMAND_TOPIC_CHARACTER_BUFF", |n| both.get(n).map(|v| v.to_string())), "b");
    }
}
