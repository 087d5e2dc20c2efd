use atlas_actors::config::{LogArgs, ServeArgs};
use atlas_actors::{broker::EmbeddedBroker, conformance, logging, server, simulate, telemetry};
use clap::{Parser, Subcommand};
use std::net::SocketAddr;

/// Atlas skills, effective stats, messengers, sagas and channel as one actor server.
#[derive(Debug, Parser)]
#[command(name = "atlas-actors", version, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: ServeArgs,
    #[command(flatten)]
    log: LogArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server (the default).
    Serve(Box<ServeArgs>),
    /// Run the embedded Kafka broker alone, as its own process.
    Broker {
        /// Address to accept clients on (port 0: any free port, printed).
        #[arg(long, default_value = "127.0.0.1:9092")]
        listen: SocketAddr,
    },
    /// Run conformance scenarios against the server.
    Conformance(conformance::ConformanceArgs),
    /// Play virtual players against a running server, with a live progress line.
    Simulate(simulate::SimulateArgs),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    logging::init(&cli.log.log_level, cli.log.log_format);
    match cli.command {
        None | Some(Command::Serve(_)) => {
            let args = match cli.command {
                Some(Command::Serve(args)) => *args,
                _ => cli.serve,
            };
            let result = server::run(args);
            // Spans still buffered are exported before the process ends.
            telemetry::shutdown();
            // A server error's message already ends with its cause: reporting its chain of
            // sources as well would print each cause twice.
            result.map_err(|error| anyhow::anyhow!("{error}"))
        }
        Some(Command::Broker { listen }) => run_broker(listen),
        Some(Command::Conformance(args)) => {
            let ok = conformance::run(args)?;
            std::process::exit(if ok { 0 } else { 1 });
        }
        Some(Command::Simulate(args)) => {
            let ok = simulate::run(args)?;
            std::process::exit(if ok { 0 } else { 1 });
        }
    }
}

fn run_broker(listen: SocketAddr) -> anyhow::Result<()> {
    let broker = EmbeddedBroker::start()?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let bound = broker.forward(listen).await?;
        // The first line of stdout is the address, for scripts and tests to read.
        println!("{bound}");
        tracing::info!(address = %bound, broker = broker.bootstrap_servers(), "embedded broker listening");
        tokio::signal::ctrl_c().await?;
        Ok(())
    })
}
