//! Server settings: Atlas's environment variable names, each also a long flag.

use crate::contracts::topics::{self, Topics};
use crate::duration::parse_duration;
use crate::logging::LogFormat;
use clap::{Arg, ArgMatches, Args, FromArgMatches};
use std::time::Duration;

#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Kafka bootstrap servers. Unset: start the embedded broker in-process.
    #[arg(long, env = "BOOTSTRAP_SERVERS")]
    pub bootstrap_servers: Option<String>,

    /// Port of the REST API.
    #[arg(long, env = "REST_PORT", default_value_t = 8080)]
    pub rest_port: u16,

    /// Database URL (`postgres://…` or `sqlite://…`). Unset, and DB_HOST unset too:
    /// the SQLite file `data/atlas-actors.db`.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,
    #[arg(long, env = "DB_HOST")]
    pub db_host: Option<String>,
    #[arg(long, env = "DB_PORT", default_value_t = 5432)]
    pub db_port: u16,
    #[arg(long, env = "DB_USER", default_value = "postgres")]
    pub db_user: String,
    #[arg(long, env = "DB_PASSWORD", default_value = "")]
    pub db_password: String,
    #[arg(long, env = "DB_NAME", default_value = "atlas-actors")]
    pub db_name: String,

    /// Base URL of the other Atlas services (character, inventory, buffs, data, ...).
    #[arg(long, env = "BASE_SERVICE_URL", default_value = "http://atlas-ingress/api/")]
    pub base_service_url: String,

    /// Timeout of calls to foreign services, in milliseconds.
    #[arg(long, env = "FOREIGN_TIMEOUT_MS", default_value_t = 5000)]
    pub foreign_timeout_ms: u64,

    /// Consumer group of the state-owning domains.
    #[arg(long, env = "CONSUMER_GROUP_ID", default_value = "atlas-actors")]
    pub consumer_group_id: String,

    /// Atlas's consumer-group override (deployments that isolate groups set it); when
    /// set and non-empty it replaces `CONSUMER_GROUP_ID` verbatim.
    #[arg(long, env = "KAFKA_CONSUMER_GROUP")]
    pub kafka_consumer_group: Option<String>,

    /// How long the group waits for a silent process before moving its partitions.
    #[arg(long, env = "CONSUMER_SESSION_TIMEOUT", default_value = "10s", value_parser = parse_duration)]
    pub consumer_session_timeout: Duration,

    /// Static membership of the consumer group (`group.instance.id`): a restarted process
    /// gets its partitions back at once instead of after the session timeout. Default:
    /// SERVICE_ID, else the host name; empty: dynamic membership. Processes sharing a host
    /// need distinct values.
    #[arg(long, env = "CONSUMER_GROUP_INSTANCE_ID")]
    pub consumer_group_instance_id: Option<String>,

    /// Threads (actix arbiters) the entity actors run on; default one per core. 0 runs
    /// them on the consumer's own thread: no hand-off between threads per record, at the
    /// price of one core for consuming and handling together.
    #[arg(long, env = "ACTOR_ARBITERS")]
    pub actor_arbiters: Option<usize>,

    /// Attempts before a failing record is dead-lettered (backoff 100 ms × attempt).
    #[arg(long, env = "HANDLER_MAX_ATTEMPTS", default_value_t = 3)]
    pub handler_max_attempts: u32,

    /// Idle time after which an actor without live timers is stopped (e.g. `10m`, `30s`).
    #[arg(long, env = "ACTOR_IDLE_TIMEOUT", default_value = "10m", value_parser = parse_duration)]
    pub actor_idle_timeout: Duration,

    /// Heartbeat silence after which another process sharing the database is taken for
    /// dead and its unpublished outputs are adopted (shorter than the consumer session
    /// timeout, so they are out before its partitions move).
    #[arg(long, env = "INSTANCE_LEASE", default_value = "5s", value_parser = parse_duration)]
    pub instance_lease: Duration,

    /// Partitions and replication factor of topics the server creates.
    #[arg(long, env = "TOPIC_PARTITIONS", default_value_t = 4)]
    pub topic_partitions: i32,
    #[arg(long, env = "TOPIC_REPLICATION", default_value_t = 1)]
    pub topic_replication: i32,

    /// Saga timeout (e.g. `5m`).
    #[arg(long, env = "SAGA_DEFAULT_TIMEOUT", default_value = "5m", value_parser = parse_duration)]
    pub saga_default_timeout: Duration,

    /// Port of the channel's WebSocket listener (docs/client-protocol.md); 0: none.
    #[arg(long, env = "CHANNEL_PORT", default_value_t = 8585)]
    pub channel_port: u16,

    /// This process's id; names its channel consumer group.
    #[arg(long, env = "SERVICE_ID")]
    pub service_id: Option<String>,

    /// The channel's consumer group, one per process (default
    /// `atlas-actors-channel-<SERVICE_ID>`, a fresh id when SERVICE_ID is unset).
    #[arg(long, env = "CHANNEL_CONSUMER_GROUP_ID")]
    pub channel_consumer_group_id: Option<String>,

    /// A client session silent this long is destroyed.
    #[arg(long, env = "CHANNEL_IDLE_TIMEOUT", default_value = "1h", value_parser = parse_duration)]
    pub channel_idle_timeout: Duration,

    /// `host:port` announced to the world service for each served channel; unset: no
    /// registration.
    #[arg(long, env = "CHANNEL_ADVERTISED_ADDRESS")]
    pub channel_advertised_address: Option<String>,

    /// Channels served, comma-separated `TENANT_ID:REGION:MAJOR.MINOR:WORLD:CHANNEL[:PORT]`;
    /// a PORT opens the channel's binary listener (the game's own protocol).
    #[arg(long, env = "CHANNEL_SERVERS", value_delimiter = ',')]
    pub channel_servers: Vec<crate::channel::registration::Served>,

    /// Largest packet body a binary client may announce, in bytes; a larger one ends
    /// its session.
    #[arg(long, env = "CHANNEL_BINARY_MAX_PACKET", default_value_t = 16384)]
    pub channel_binary_max_packet: usize,

    /// Binary client connections open at once in this process; more are closed on accept.
    #[arg(long, env = "CHANNEL_BINARY_MAX_CONNECTIONS", default_value_t = 1000)]
    pub channel_binary_max_connections: usize,

    #[command(flatten)]
    pub topics: TopicArgs,

    #[command(flatten)]
    pub bounds: crate::bounds::Bounds,
}

impl ServeArgs {
    /// Every topic name: the topic flags given over the environment, resolved once.
    pub fn topic_names(&self) -> Topics {
        Topics::with_overrides(&self.topics.overrides)
    }

    /// The consumer group of the state-owning domains: `KAFKA_CONSUMER_GROUP` when set,
    /// else `CONSUMER_GROUP_ID`.
    pub fn consumer_group(&self) -> String {
        match &self.kafka_consumer_group {
            Some(group) if !group.is_empty() => group.clone(),
            _ => self.consumer_group_id.clone(),
        }
    }

    /// The channel consumer group of this process.
    pub fn channel_group(&self) -> String {
        if let Some(group) = &self.channel_consumer_group_id {
            return group.clone();
        }
        let id = self.service_id.clone().unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        format!("atlas-actors-channel-{id}")
    }

    /// The consumer group's static member id, if any (see `consumer_group_instance_id`).
    pub fn group_instance_id(&self) -> Option<String> {
        let chosen = match &self.consumer_group_instance_id {
            Some(explicit) => explicit.trim().to_string(),
            None => self.service_id.clone().or_else(host_name).unwrap_or_default(),
        };
        Some(chosen).filter(|id| !id.is_empty())
    }

    /// The address announced to the world service, if any.
    pub fn advertised(&self) -> Option<(String, u16)> {
        let (host, port) = self.channel_advertised_address.as_deref()?.rsplit_once(':')?;
        Some((host.to_string(), port.parse().ok()?))
    }

    /// The database URL: DATABASE_URL, else Atlas's DB_* variables, else the SQLite default.
    pub fn database_url(&self) -> String {
        if let Some(url) = &self.database_url {
            return url.clone();
        }
        match &self.db_host {
            Some(host) => format!(
                "postgres://{}:{}@{}:{}/{}",
                percent_encode(&self.db_user),
                percent_encode(&self.db_password),
                host,
                self.db_port,
                percent_encode(&self.db_name)
            ),
            None => format!("sqlite://{}?mode=rwc", crate::store::DEFAULT_SQLITE_FILE),
        }
    }
}

/// One flag per topic variable of [`topics::VARIABLES`]; the flags given win over the
/// environment when the names are resolved at start-up ([`ServeArgs::topic_names`]).
#[derive(Debug, Clone, Default)]
pub struct TopicArgs {
    pub overrides: Vec<(&'static str, String)>,
}

/// The flag of a topic variable (`COMMAND_TOPIC_SKILL` → `command-topic-skill`).
fn flag(variable: &str) -> clap::builder::Str {
    variable.to_lowercase().replace('_', "-").into()
}

impl Args for TopicArgs {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        topics::VARIABLES.iter().fold(cmd, |cmd, variable| {
            cmd.arg(
                Arg::new(*variable)
                    .long(flag(variable))
                    .value_name("TOPIC")
                    .help(format!("Topic name for {variable} (default: the variable's name)"))
                    .hide_short_help(true),
            )
        })
    }
    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_args(cmd)
    }
}

impl FromArgMatches for TopicArgs {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let overrides = topics::VARIABLES.iter().filter_map(|v| matches.get_one::<String>(v).map(|value| (*v, value.clone()))).collect();
        Ok(TopicArgs { overrides })
    }
    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

/// A URL component with every byte outside RFC 3986's unreserved set percent-encoded, so
/// a password holding `@`, `:` or `/` cannot change where the URL points.
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Settings that parse one by one but do not fit together, refused at start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// Outputs of a dead process must be adopted before its partitions move.
    #[error("INSTANCE_LEASE ({lease:?}) must be below CONSUMER_SESSION_TIMEOUT ({session:?}): a dead process's outputs are adopted after the lease, and must be before its partitions move")]
    LeaseNotBelowSession { lease: Duration, session: Duration },
    /// A limit or a duration of zero would refuse everything or spin.
    #[error("{0} must be above zero")]
    Zero(&'static str),
}

impl ServeArgs {
    /// Refuses settings that do not fit together, with the first reason found.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.instance_lease >= self.consumer_session_timeout {
            return Err(ConfigError::LeaseNotBelowSession { lease: self.instance_lease, session: self.consumer_session_timeout });
        }
        let durations = [
            ("CONSUMER_SESSION_TIMEOUT", self.consumer_session_timeout),
            ("INSTANCE_LEASE", self.instance_lease),
            ("ACTOR_IDLE_TIMEOUT", self.actor_idle_timeout),
            ("SAGA_DEFAULT_TIMEOUT", self.saga_default_timeout),
            ("CHANNEL_IDLE_TIMEOUT", self.channel_idle_timeout),
            ("CHANNEL_HANDSHAKE_TIMEOUT", self.bounds.channel_handshake_timeout),
        ];
        if let Some((name, _)) = durations.iter().find(|(_, d)| d.is_zero()) {
            return Err(ConfigError::Zero(name));
        }
        let bounds = &self.bounds;
        let counts = [
            ("TOPIC_PARTITIONS", u64::try_from(self.topic_partitions).unwrap_or(0)),
            ("TOPIC_REPLICATION", u64::try_from(self.topic_replication).unwrap_or(0)),
            ("CHANNEL_BINARY_MAX_PACKET", self.channel_binary_max_packet as u64),
            ("CHANNEL_BINARY_MAX_CONNECTIONS", self.channel_binary_max_connections as u64),
            ("CHANNEL_MAX_FRAME_BYTES", bounds.channel_max_frame_bytes as u64),
            ("CHANNEL_MAX_QUEUED_BYTES", bounds.channel_max_queued_bytes as u64),
            ("CHANNEL_MAX_SESSIONS", bounds.channel_max_sessions as u64),
            ("CHANNEL_FRAME_RATE", u64::from(bounds.channel_frame_rate)),
            ("CHANNEL_FRAME_BURST", u64::from(bounds.channel_frame_burst)),
            ("CHANNEL_CONSUMER_MAX_IN_FLIGHT", bounds.channel_consumer_max_in_flight as u64),
        ];
        match counts.iter().find(|(_, n)| *n == 0) {
            Some((name, _)) => Err(ConfigError::Zero(name)),
            None => Ok(()),
        }
    }
}

/// Log settings, read before anything logs.
#[derive(Debug, Clone, clap::Args)]
pub struct LogArgs {
    /// Log level: a Rust level or Atlas's Panic/Fatal/Error/Warn/Info/Debug/Trace
    /// (`RUST_LOG`, when set, wins).
    #[arg(long, env = "LOG_LEVEL", default_value = "info", global = true)]
    pub log_level: String,
    /// Log format: `text` or `json`.
    #[arg(long, env = "LOG_FORMAT", default_value = "text", global = true, value_parser = parse_format)]
    pub log_format: LogFormat,
}

/// `json` in any case is JSON; anything else is text, as before.
fn parse_format(text: &str) -> Result<LogFormat, String> {
    Ok(if text.eq_ignore_ascii_case("json") { LogFormat::Json } else { LogFormat::Text })
}

/// This machine's host name (a pod's name under Kubernetes).
fn host_name() -> Option<String> {
    std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok())
        .map(|name| name.trim().to_string())
        .filter(|name| !name.is_empty())
}

#[cfg(test)]
mod tests {
    use super::{ConfigError, LogFormat};
    use std::time::Duration;

    #[derive(Debug, clap::Parser)]
    struct Cli {
        #[command(flatten)]
        serve: super::ServeArgs,
        #[command(flatten)]
        log: super::LogArgs,
    }

    #[test]
    fn the_defaults_are_valid_and_inconsistent_settings_are_refused() {
        assert_eq!(args(&[]).validate(), Ok(()));
        assert_eq!(args(&["--instance-lease", "3s", "--consumer-session-timeout", "6s"]).validate(), Ok(()));
        assert_eq!(
            args(&["--instance-lease", "10s", "--consumer-session-timeout", "10s"]).validate(),
            Err(ConfigError::LeaseNotBelowSession { lease: Duration::from_secs(10), session: Duration::from_secs(10) })
        );
        let refused = args(&["--instance-lease", "30s"]).validate().err().map(|e| e.to_string()).unwrap_or_default();
        assert!(refused.contains("INSTANCE_LEASE") && refused.contains("CONSUMER_SESSION_TIMEOUT"), "{refused}");
        assert_eq!(args(&["--channel-max-sessions", "0"]).validate(), Err(ConfigError::Zero("CHANNEL_MAX_SESSIONS")));
        assert_eq!(args(&["--topic-partitions", "0"]).validate(), Err(ConfigError::Zero("TOPIC_PARTITIONS")));
        assert_eq!(args(&["--actor-idle-timeout", "0s"]).validate(), Err(ConfigError::Zero("ACTOR_IDLE_TIMEOUT")));
    }

    #[test]
    fn the_password_is_url_encoded_in_the_database_url() {
        let url =
            args(&["--db-host", "db", "--db-user", "atlas", "--db-password", "p@ss:w/rd%", "--db-name", "atlas-actors"]).database_url();
        assert_eq!(url, "postgres://atlas:p%40ss%3Aw%2Frd%25@db:5432/atlas-actors");
        assert_eq!(args(&["--database-url", "sqlite://x.db"]).database_url(), "sqlite://x.db", "an explicit URL is used as given");
    }

    #[test]
    fn log_settings_and_topic_flags_come_through_clap() {
        let cli = <Cli as clap::Parser>::parse_from([
            "atlas-actors",
            "--log-level",
            "Debug",
            "--log-format",
            "JSON",
            "--command-topic-skill",
            "skills",
        ]);
        assert_eq!((cli.log.log_level.as_str(), cli.log.log_format), ("Debug", LogFormat::Json));
        assert_eq!(cli.serve.topics.overrides, vec![("COMMAND_TOPIC_SKILL", "skills".to_string())]);
    }

    fn args(flags: &[&str]) -> super::ServeArgs {
        <Cli as clap::Parser>::parse_from(std::iter::once("atlas-actors").chain(flags.iter().copied())).serve
    }

    #[test]
    fn the_static_member_id_is_explicit_or_the_service_id_or_the_host_name() {
        assert_eq!(args(&["--consumer-group-instance-id", "a-1"]).group_instance_id().as_deref(), Some("a-1"));
        assert_eq!(args(&["--consumer-group-instance-id", ""]).group_instance_id(), None, "empty: dynamic membership");
        assert_eq!(args(&["--service-id", "svc-7"]).group_instance_id().as_deref(), Some("svc-7"));
        assert_eq!(args(&[]).group_instance_id(), super::host_name());
    }
}
