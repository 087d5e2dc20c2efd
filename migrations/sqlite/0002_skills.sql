-- Spec 10 §11: keyed by tenant, character and id (fixes Q1 and Q2). Instants are
-- microseconds since the Unix epoch (the zero time is year 1).
CREATE TABLE IF NOT EXISTS skills (
    tenant_id     TEXT   NOT NULL,
    character_id  BIGINT NOT NULL,
    skill_id      BIGINT NOT NULL,
    level         BIGINT NOT NULL,
    master_level  BIGINT NOT NULL,
    expiration_us BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, character_id, skill_id)
);

CREATE TABLE IF NOT EXISTS macros (
    tenant_id    TEXT   NOT NULL,
    character_id BIGINT NOT NULL,
    macro_id     BIGINT NOT NULL,
    position     BIGINT NOT NULL,
    name         TEXT   NOT NULL,
    shout        BIGINT NOT NULL,
    skill_id_1   BIGINT NOT NULL,
    skill_id_2   BIGINT NOT NULL,
    skill_id_3   BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, character_id, macro_id)
);

-- A running cooldown and what its COOLDOWN_EXPIRED needs: the arming command's tenant
-- headers, transactionId and trace context.
CREATE TABLE IF NOT EXISTS cooldowns (
    tenant_id      TEXT   NOT NULL,
    character_id   BIGINT NOT NULL,
    skill_id       BIGINT NOT NULL,
    expires_at_us  BIGINT NOT NULL,
    region         TEXT   NOT NULL,
    major_version  BIGINT NOT NULL,
    minor_version  BIGINT NOT NULL,
    transaction_id TEXT   NOT NULL,
    trace          TEXT   NOT NULL,
    PRIMARY KEY (tenant_id, character_id, skill_id)
);
