//! One test's world: an embedded broker, a database (a SQLite file in a temp dir, or a
//! PostgreSQL URL), a tenant, and the server started on them, with helpers to produce and
//! collect that tenant's records. It owns set-up only: what a test checks stays in the test.

use super::{broker, free_port, json_records, postgres, produce_all, producer, tempdir, tenant, Collector, Server};
use atlas_actors::broker::EmbeddedBroker;
use atlas_actors::contracts::tenant::Tenant;
use rdkafka::producer::FutureProducer;
use serde_json::Value;

/// Where the server keeps its state.
enum Database {
    /// A SQLite file in a temp dir, removed with the fixture.
    Sqlite(tempdir::Dir),
    /// A URL the test supplies (PostgreSQL, usually).
    Url(String),
}

impl Database {
    fn url(&self) -> String {
        match self {
            Database::Sqlite(dir) => super::sqlite_url(dir),
            Database::Url(url) => url.clone(),
        }
    }
}

/// A fixture before its server starts: `Fixture::sqlite("order").env("K", "v").start()`.
pub struct FixtureBuilder {
    database: Database,
    env: Vec<(String, String)>,
    bootstrap: Option<String>,
    channel_port: Option<u16>,
    tenant: Option<Tenant>,
}

impl FixtureBuilder {
    /// An environment setting of the server (on top of those `Server::start` sets).
    pub fn env(mut self, name: &str, value: impl ToString) -> Self {
        self.env.push((name.to_string(), value.to_string()));
        self
    }

    /// Several settings at once.
    pub fn envs(mut self, settings: &[(&str, &str)]) -> Self {
        self.env.extend(settings.iter().map(|(name, value)| (name.to_string(), value.to_string())));
        self
    }

    /// Opens the channel's WebSocket listener on a free port (`Fixture::channel_port`).
    pub fn channel(self) -> Self {
        let port = free_port();
        let mut builder = self.env("CHANNEL_PORT", port);
        builder.channel_port = Some(port);
        builder
    }

    /// Uses this tenant (one a stand-in service was told about before the server starts)
    /// instead of a fresh one.
    pub fn tenant(mut self, tenant: &Tenant) -> Self {
        self.tenant = Some(tenant.clone());
        self
    }

    /// Uses a broker the test runs itself instead of an embedded one.
    pub fn bootstrap(mut self, address: &str) -> Self {
        self.bootstrap = Some(address.to_string());
        self
    }

    /// Starts the broker (unless one was given) and the server; returns once it is healthy.
    pub fn start(self) -> Fixture {
        let broker = self.bootstrap.is_none().then(broker);
        let bootstrap = self.bootstrap.unwrap_or_else(|| broker.as_ref().map(|b| b.bootstrap_servers().to_string()).unwrap_or_default());
        let env: Vec<(&str, &str)> = self.env.iter().map(|(name, value)| (name.as_str(), value.as_str())).collect();
        let server = Server::start(&bootstrap, &self.database.url(), &env);
        Fixture {
            server,
            tenant: self.tenant.unwrap_or_else(tenant),
            bootstrap,
            env: self.env,
            channel_port: self.channel_port,
            broker,
            _database: self.database,
        }
    }
}

/// A running server with its broker, database and tenant. Dropping it kills the server,
/// then stops the broker and removes the temp dir (fields drop in this order).
pub struct Fixture {
    pub server: Server,
    /// The tenant of `produce` and `collect`.
    pub tenant: Tenant,
    pub bootstrap: String,
    env: Vec<(String, String)>,
    channel_port: Option<u16>,
    broker: Option<EmbeddedBroker>,
    _database: Database,
}

impl Fixture {
    /// On a fresh SQLite file in a temp dir named after `name`.
    pub fn sqlite(name: &str) -> FixtureBuilder {
        Self::on(Database::Sqlite(tempdir::Dir::new(name)))
    }

    /// On the tests' PostgreSQL, or `None` (said once on stderr) when there is none:
    /// `let Some(fixture) = Fixture::postgres() else { return };`.
    pub fn postgres() -> Option<FixtureBuilder> {
        postgres().map(Self::database)
    }

    /// On the database at `url` (for a scenario written once and run on each backend).
    pub fn database(url: &str) -> FixtureBuilder {
        Self::on(Database::Url(url.to_string()))
    }

    fn on(database: Database) -> FixtureBuilder {
        FixtureBuilder { database, env: Vec::new(), bootstrap: None, channel_port: None, tenant: None }
    }

    /// The settings the server was started with (beyond `Server::start`'s own).
    pub fn env(&self) -> Vec<(&str, &str)> {
        self.env.iter().map(|(name, value)| (name.as_str(), value.as_str())).collect()
    }

    /// The channel's WebSocket port; the builder must have asked for `channel()`.
    pub fn channel_port(&self) -> u16 {
        self.channel_port.expect("the fixture was built with .channel()")
    }

    pub fn producer(&self) -> FutureProducer {
        producer(&self.bootstrap)
    }

    /// Produces JSON records `(key, value)` as the fixture's tenant, and waits for their acks.
    pub fn produce(&self, topic_variable: &str, values: &[(u32, Value)]) {
        produce_all(&self.producer(), topic_variable, &json_records(&self.tenant, values));
    }

    /// Reads a topic from the beginning, keeping the fixture's tenant's records.
    pub fn collect(&self, topic_variable: &str) -> Collector {
        Collector::new(&self.bootstrap, topic_variable, Some(&self.tenant))
    }

    /// Reads a topic from the beginning, keeping every record (e.g. dead letters).
    pub fn collect_all(&self, topic_variable: &str) -> Collector {
        Collector::new(&self.bootstrap, topic_variable, None)
    }

    /// A REST GET as the fixture's tenant.
    pub fn get(&self, path: &str) -> (u16, Value) {
        self.server.get(path, &self.tenant)
    }

    /// SIGKILLs the server and starts it again with the same settings, group, database
    /// and broker.
    pub fn restart(&mut self) {
        let env = self.env.clone();
        let env: Vec<(&str, &str)> = env.iter().map(|(name, value)| (name.as_str(), value.as_str())).collect();
        self.server.restart(&env);
    }

    /// Another server process in the same consumer group, database and broker, with `env`
    /// (not the fixture's settings).
    pub fn join(&self, env: &[(&str, &str)]) -> Server {
        Server::start_in_group(&self.bootstrap, &self.server.database_url, &self.server.group, env)
    }

    /// Stops the embedded broker; the server keeps running without it.
    pub fn stop_broker(&mut self) {
        self.broker = None;
    }

    /// Kills the server, replaces the embedded broker by a new one (topics created anew,
    /// offsets from zero) and starts the server on it in a new group, same database.
    pub fn restart_on_a_new_broker(&mut self) {
        self.server.kill();
        self.broker = None;
        let new = broker();
        self.bootstrap = new.bootstrap_servers().to_string();
        self.broker = Some(new);
        let env = self.env.clone();
        let env: Vec<(&str, &str)> = env.iter().map(|(name, value)| (name.as_str(), value.as_str())).collect();
        self.server = Server::start(&self.bootstrap, &self.server.database_url.clone(), &env);
    }
}
