-- Outcomes of the requests character actors make to messenger actors, stored by the
-- messenger with its seats and events; a repeated request is answered from here. The
-- character deletes the row once it recorded the outcome itself.
CREATE TABLE IF NOT EXISTS messenger_intents (
    tenant_id    TEXT   NOT NULL,
    intent_id    TEXT   NOT NULL,
    messenger_id BIGINT NOT NULL,
    outcome      TEXT   NOT NULL,
    PRIMARY KEY (tenant_id, intent_id)
);
CREATE INDEX IF NOT EXISTS messenger_intents_by_messenger ON messenger_intents (tenant_id, messenger_id);
