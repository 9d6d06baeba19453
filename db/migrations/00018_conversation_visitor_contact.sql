-- +goose Up
-- A returning visitor is linked to the contact of their latest identified conversation with the
-- agent (queries/chat.sql CreateConversation): one probe of this index per conversation started.
-- conversations_visitor covers only the anonymous conversations; without this one, every start
-- of a new visitor walked the agent's conversations looking for an identified one.
CREATE INDEX conversations_visitor_contact ON conversations (workspace_id, agent_id, visitor_id, id)
    WHERE contact_id IS NOT NULL;

-- +goose Down
DROP INDEX conversations_visitor_contact;
