-- Spec 40 §11: one row per saga, its state as JSON; terminal rows are kept for the
-- duplicate-document retention window.
CREATE TABLE IF NOT EXISTS sagas (
    tenant_id      TEXT   NOT NULL,
    transaction_id TEXT   NOT NULL,
    status         TEXT   NOT NULL,
    saga_data      TEXT   NOT NULL,
    timeout_at_us  BIGINT NOT NULL,
    updated_at_us  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, transaction_id)
);
