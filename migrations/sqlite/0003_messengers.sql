-- Spec 30 §9: a tenant's messengers (members as JSON [[characterId, slot], ...] in join
-- order), its character registry, and its durable messenger id counter.
CREATE TABLE IF NOT EXISTS messenger_rooms (
    tenant_id    TEXT   NOT NULL,
    messenger_id BIGINT NOT NULL,
    members      TEXT   NOT NULL,
    PRIMARY KEY (tenant_id, messenger_id)
);

CREATE TABLE IF NOT EXISTS messenger_registry (
    tenant_id    TEXT   NOT NULL,
    character_id BIGINT NOT NULL,
    name         TEXT   NOT NULL,
    world_id     BIGINT NOT NULL,
    channel_id   BIGINT NOT NULL,
    online       BIGINT NOT NULL,
    messenger_id BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, character_id)
);

CREATE TABLE IF NOT EXISTS messenger_counters (
    tenant_id TEXT   NOT NULL PRIMARY KEY,
    next_id   BIGINT NOT NULL
);
