//! The embedded Kafka broker: librdkafka's own mock cluster, run in-process.
//!
//! The mock cluster binds an ephemeral port of its own choosing. To offer a stable
//! address (`--listen`, default 127.0.0.1:9092) we forward that address to it; Kafka
//! clients bootstrap there and then follow the advertised broker address, which is also
//! on loopback.

use anyhow::Context as _;
use rdkafka::mocking::MockCluster;
use rdkafka::producer::DefaultProducerContext;
use std::net::SocketAddr;
use tokio::net::{TcpListener, TcpStream};

/// A running embedded broker. Dropping it stops the broker.
pub struct EmbeddedBroker {
    _cluster: MockCluster<'static, DefaultProducerContext>,
    bootstrap: String,
}

impl std::fmt::Debug for EmbeddedBroker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedBroker").field("bootstrap", &self.bootstrap).finish()
    }
}

impl EmbeddedBroker {
    /// Starts a one-node mock cluster.
    pub fn start() -> anyhow::Result<EmbeddedBroker> {
        let cluster = MockCluster::new(1).context("starting the embedded Kafka broker")?;
        let bootstrap = cluster.bootstrap_servers();
        Ok(EmbeddedBroker { _cluster: cluster, bootstrap })
    }

    /// Creates topics directly in the mock cluster (its admin API is not needed).
    pub fn create_topics<'a>(&self, names: impl IntoIterator<Item = &'a str>, partitions: i32) -> anyhow::Result<()> {
        for name in names {
            self._cluster.create_topic(name, partitions, 1).with_context(|| format!("creating topic {name}"))?;
        }
        Ok(())
    }

    /// The address clients bootstrap from.
    pub fn bootstrap_servers(&self) -> &str {
        &self.bootstrap
    }

    /// The address to hand clients: `preferred` forwarded to the broker when it can be
    /// bound (so Kafka tools work with their defaults), else the broker's own free port.
    /// Must run in a tokio runtime.
    pub async fn stable_address(&self, preferred: SocketAddr) -> String {
        match self.forward(preferred).await {
            Ok(bound) => bound.to_string(),
            Err(error) => {
                tracing::info!(%preferred, error = %format!("{error:#}"), "preferred broker address taken; using the broker's own port");
                self.bootstrap.clone()
            }
        }
    }

    /// Forwards `listen` to the broker so clients may bootstrap at a fixed address.
    /// Returns the bound address (`listen` may ask for port 0). Must run in a tokio runtime.
    pub async fn forward(&self, listen: SocketAddr) -> anyhow::Result<SocketAddr> {
        let listener = TcpListener::bind(listen).await.with_context(|| format!("binding {listen}"))?;
        let bound = listener.local_addr()?;
        let target = self.bootstrap.clone();
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let target = target.clone();
                tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        });
        Ok(bound)
    }
}
