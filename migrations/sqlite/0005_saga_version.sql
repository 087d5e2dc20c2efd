-- Optimistic lock of a saga row: every write checks and bumps it.
ALTER TABLE sagas ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
