-- The log each consumed topic's stored positions came from (cluster id and topic id from
-- the broker's metadata). A topic whose log changed (recreated, another cluster, a fresh
-- embedded broker) has its positions discarded at start-up: offsets of another log say
-- nothing about this one.
CREATE TABLE IF NOT EXISTS log_identities (
    topic  TEXT NOT NULL PRIMARY KEY,
    log_id TEXT NOT NULL
);
