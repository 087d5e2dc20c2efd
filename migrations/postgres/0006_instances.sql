-- Server processes sharing this database, each with a heartbeat. A process owns the
-- outbox rows it writes; rows of a process whose heartbeat stopped are adopted by a live
-- one. NULL owner: nobody's yet (rows from before this migration, or released at shutdown).
CREATE TABLE IF NOT EXISTS instances (
    id           TEXT   PRIMARY KEY,
    heartbeat_ms BIGINT NOT NULL
);
ALTER TABLE outbox ADD COLUMN owner TEXT;
