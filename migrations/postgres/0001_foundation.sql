-- Position of the last record each entity applied, per source partition: a redelivered
-- record at or before it is skipped.
CREATE TABLE IF NOT EXISTS entity_positions (
    tenant_id     TEXT   NOT NULL,
    entity_kind   TEXT   NOT NULL,
    entity_id     TEXT   NOT NULL,
    topic         TEXT   NOT NULL,
    partition_id  BIGINT NOT NULL,
    record_offset BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, entity_kind, entity_id, topic, partition_id)
);

-- Records to publish, written in the same transaction as the state change that caused them.
CREATE TABLE IF NOT EXISTS outbox (
    id            BIGSERIAL PRIMARY KEY,
    topic         TEXT   NOT NULL,
    record_key    BIGINT,
    value         TEXT   NOT NULL,
    tenant_id     TEXT   NOT NULL,
    region        TEXT   NOT NULL,
    major_version BIGINT NOT NULL,
    minor_version BIGINT NOT NULL,
    trace         TEXT   NOT NULL
);
