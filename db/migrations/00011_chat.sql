-- +goose Up
-- Chat: the keys the chat runtime authenticates with, conversations and their messages, and the
-- provenance of the contact values the agent captured from them.

-- agent_keys: a credential of one agent for the chat runtime (scope chat). Only the SHA-256 of
-- the key is stored; the key is shown once, when it is made. The key starts with the
-- workspace id, so the public door opens a transaction in that workspace and looks the hash up
-- there (a key naming another workspace simply finds nothing). Revoked keys stay listed.
CREATE TABLE agent_keys (
    workspace_id uuid NOT NULL,
    agent_id     uuid NOT NULL,
    id           uuid NOT NULL,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
    scope        text NOT NULL DEFAULT 'chat' CHECK (scope IN ('chat')),
    token_hash   bytea NOT NULL CHECK (length(token_hash) = 32),
    -- the first characters of the key, so a person can tell keys apart
    hint         text NOT NULL,
    created_by   uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz,
    PRIMARY KEY (workspace_id, id),
    FOREIGN KEY (workspace_id, agent_id) REFERENCES agents (workspace_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX agent_keys_token ON agent_keys (workspace_id, token_hash);
CREATE INDEX agent_keys_agent ON agent_keys (workspace_id, agent_id, id);

-- conversations: one chat between the agent and a visitor. visitor_id is the runtime's id of
-- the visitor (a browser id, a phone number's hash...); contact_id is set once the visitor is
-- identified, on this conversation and on that visitor's earlier anonymous ones. A contact's
-- conversations go with the contact (delete, erase); a merge moves them to the survivor.
CREATE TABLE conversations (
    workspace_id    uuid NOT NULL,
    agent_id        uuid NOT NULL,
    id              uuid NOT NULL,
    visitor_id      text NOT NULL CHECK (length(visitor_id) BETWEEN 1 AND 200),
    contact_id      uuid,
    title           text NOT NULL DEFAULT '' CHECK (length(title) <= 200),
    message_count   integer NOT NULL DEFAULT 0,
    started_at      timestamptz NOT NULL DEFAULT now(),
    last_message_at timestamptz,
    ended_at        timestamptz,
    PRIMARY KEY (workspace_id, id),
    FOREIGN KEY (workspace_id, agent_id) REFERENCES agents (workspace_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, contact_id) REFERENCES contacts (workspace_id, id) ON DELETE CASCADE
);
-- Every message updates its conversation's row (counter, time): room on each page keeps those
-- updates heap-only (no new index entries). Measured on 50 chats of 400 messages each: 26% of
-- the updates heap-only and 990 appends/s at the default fillfactor, 96% and 6,060 at 50.
ALTER TABLE conversations SET (fillfactor = 50);
CREATE INDEX conversations_agent ON conversations (workspace_id, agent_id, id);
CREATE INDEX conversations_contact ON conversations (workspace_id, contact_id, id) WHERE contact_id IS NOT NULL;
-- the anonymous conversations of a visitor, linked when the visitor is identified
CREATE INDEX conversations_visitor ON conversations (workspace_id, agent_id, visitor_id) WHERE contact_id IS NULL;

-- conversation_messages: a conversation's messages in the order they were appended (seq, 1, 2,
-- ...). client_message_id is the runtime's id of the message: a retried append with the same id
-- is answered with the stored message and stores nothing.
CREATE TABLE conversation_messages (
    workspace_id      uuid NOT NULL,
    conversation_id   uuid NOT NULL,
    id                uuid NOT NULL,
    seq               integer NOT NULL CHECK (seq > 0),
    client_message_id text NOT NULL CHECK (length(client_message_id) BETWEEN 1 AND 100),
    role              text NOT NULL CHECK (role IN ('visitor', 'agent', 'tool')),
    content           text NOT NULL CHECK (length(content) <= 32000),
    sent_at           timestamptz NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, id),
    FOREIGN KEY (workspace_id, conversation_id) REFERENCES conversations (workspace_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX conversation_messages_seq ON conversation_messages (workspace_id, conversation_id, seq);
CREATE UNIQUE INDEX conversation_messages_client_id ON conversation_messages (workspace_id, conversation_id, client_message_id);

-- contact_field_sources: which conversation and message gave the value the agent wrote into a
-- contact's field (name, email, phone, custom.<key>), and when. value is what was written: the
-- page shows the provenance only while the field still holds it.
CREATE TABLE contact_field_sources (
    workspace_id    uuid NOT NULL,
    contact_id      uuid NOT NULL,
    field           text NOT NULL CHECK (length(field) BETWEEN 1 AND 80),
    conversation_id uuid NOT NULL,
    message_id      uuid,
    value           jsonb NOT NULL,
    captured_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, contact_id, field),
    FOREIGN KEY (workspace_id, contact_id) REFERENCES contacts (workspace_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, conversation_id) REFERENCES conversations (workspace_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, message_id) REFERENCES conversation_messages (workspace_id, id) ON DELETE SET NULL (message_id)
);
CREATE INDEX contact_field_sources_conversation ON contact_field_sources (workspace_id, conversation_id);

ALTER TABLE agent_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE agent_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON agent_keys
    USING (workspace_id = NULLIF(current_setting('app.workspace_id', true), '')::uuid);
ALTER TABLE conversations ENABLE ROW LEVEL SECURITY;
ALTER TABLE conversations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON conversations
    USING (workspace_id = NULLIF(current_setting('app.workspace_id', true), '')::uuid);
ALTER TABLE conversation_messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE conversation_messages FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON conversation_messages
    USING (workspace_id = NULLIF(current_setting('app.workspace_id', true), '')::uuid);
ALTER TABLE contact_field_sources ENABLE ROW LEVEL SECURITY;
ALTER TABLE contact_field_sources FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON contact_field_sources
    USING (workspace_id = NULLIF(current_setting('app.workspace_id', true), '')::uuid);

-- +goose Down
DROP TABLE contact_field_sources;
DROP TABLE conversation_messages;
DROP TABLE conversations;
DROP TABLE agent_keys;
