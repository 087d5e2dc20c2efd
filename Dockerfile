# atlas-actors: build stage with the Rust toolchain, runtime stage with only the binary.
FROM rust:1-bookworm AS build
# librdkafka is compiled from source by the rdkafka crate (make, zlib); sqlx's SQLite is bundled.
RUN apt-get update && apt-get install -y --no-install-recommends cmake zlib1g-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first, so source edits rebuild only the crate itself.
COPY Cargo.toml Cargo.lock ./
RUN mkdir -p src benches && echo 'fn main() {}' > src/main.rs && touch src/lib.rs \
    && for b in skill_path e2e actors memory store; do echo 'fn main() {}' > benches/$b.rs; done \
    && cargo build --release --locked && rm -rf src benches
COPY . .
RUN touch src/main.rs src/lib.rs && cargo build --release --locked --bin atlas-actors

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates zlib1g && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/atlas-actors --create-home atlas
COPY --from=build /src/target/release/atlas-actors /usr/local/bin/atlas-actors
USER 10001
# The SQLite default (data/atlas-actors.db) lands here when no database is configured.
WORKDIR /var/lib/atlas-actors
# REST (health, metrics, dashboard, API) and the channel's WebSocket.
EXPOSE 8080 8585
ENTRYPOINT ["/usr/local/bin/atlas-actors"]
CMD ["serve"]
