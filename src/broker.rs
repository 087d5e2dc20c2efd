//! The embedded Kafka broker: librdkafka's own mock cluster, run in-process.
//!
//! The mock cluster binds an ephemeral port of its own choosing. To offer a stable
//! address (`--listen`, default 127.0.0.1:9092) we forward that address to it; Kafka
//! clients bootstrap there and then follow the advertised broker address, which is also
//! on loopback.

use rdkafka::error::KafkaError;
use rdkafka::mocking::MockCluster;
use rdkafka::producer::DefaultProducerContext;
use std::net::SocketAddr;
use tokio::net::{TcpListener, TcpStream};

/// Why the embedded broker could not be started, given topics or offered at an address.
#[derive(Debug, thiserror::Error)]
pub enum BrokerError {
    /// librdkafka's mock cluster did not start.
    #[error("starting the embedded Kafka broker: {0}")]
    Start(#[source] KafkaError),
    /// The mock cluster refused a topic.
    #[error("creating topic {name}: {source}")]
    CreateTopic { name: String, source: KafkaError },
    /// The forwarding address could not be bound (typically: already in use).
    #[error("binding {address}: {source}")]
    Bind { address: SocketAddr, source: std::io::Error },
}

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
    pub fn start() -> Result<EmbeddedBroker, BrokerError> {
        let cluster = MockCluster::new(1).map_err(BrokerError::Start)?;
        let bootstrap = cluster.bootstrap_servers();
        Ok(EmbeddedBroker { _cluster: cluster, bootstrap })
    }

    /// Creates topics directly in the mock cluster (its admin API is not needed).
    pub fn create_topics<'a>(&self, names: impl IntoIterator<Item = &'a str>, partitions: i32) -> Result<(), BrokerError> {
        for name in names {
            self._cluster
                .create_topic(name, partitions, 1)
                .map_err(|source| BrokerError::CreateTopic { name: name.to_string(), source })?;
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
                tracing::info!(%preferred, %error, "preferred broker address taken; using the broker's own port");
                self.bootstrap.clone()
            }
        }
    }

    /// Forwards `listen` to the broker so clients may bootstrap at a fixed address.
    /// Returns the bound address (`listen` may ask for port 0). Must run in a tokio runtime.
    pub async fn forward(&self, listen: SocketAddr) -> Result<SocketAddr, BrokerError> {
        let bind = |source| BrokerError::Bind { address: listen, source };
        let listener = TcpListener::bind(listen).await.map_err(bind)?;
        let bound = listener.local_addr().map_err(bind)?;
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
