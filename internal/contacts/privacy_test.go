package contacts_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/guestlist/guestlist/internal/contacts"
	"github.com/guestlist/guestlist/internal/tenant"
)

// exec runs a fixture statement in the owner's workspace.
func (c crm) exec(t *testing.T, sql string, args ...any) {
	t.Helper()
	c.env.InWorkspace(t, c.owner.WorkspaceID, func(tx tenant.Tx) error {
		_, err := tx.Exec(context.Background(), sql, args...)
		return err
	})
}

// addFile puts a file row (still processing, no stored bytes) on a contact, as an upload
// leaves it before its job runs.
func (c crm) addFile(t *testing.T, contact, name string) uuid.UUID {
	t.Helper()
	id := uuid.Must(uuid.NewV7())
	c.env.InWorkspace(t, c.owner.WorkspaceID, func(tx tenant.Tx) error {
		_, err := tx.Exec(context.Background(), `INSERT INTO contact_files (workspace_id, contact_id, id, name, size_bytes, declared_type, uploaded_by)
			VALUES ($1, $2, $3, $4, 10, 'application/pdf', $5)`, c.owner.WorkspaceID, contact, id, name, c.owner.UserID)
		return err
	})
	return id
}

// importSnapshots records an import that updated the contacts, keeping each one's values before
// it (what undo restores) in import_changes.
func (c crm) importSnapshots(t *testing.T, contactsBefore map[string]string) uuid.UUID {
	t.Helper()
	imp := uuid.Must(uuid.NewV7())
	c.exec(t, `INSERT INTO imports (workspace_id, agent_id, id, file_name, size_bytes, checksum, encoding, delimiter, headers, total_rows, mapping, status)
		VALUES ($1, $2, $3, 'people.csv', 100, repeat('a', 64), 'utf-8', ',', '["email"]', $4, '["email"]', 'finished')`,
		c.owner.WorkspaceID, c.agent, imp, len(contactsBefore))
	for id, email := range contactsBefore {
		c.exec(t, `INSERT INTO import_changes (workspace_id, import_id, contact_id, created, before, version_after)
			VALUES ($1, $2, $3, false, jsonb_build_object('name', 'Before Import', 'email', $4::text, 'email_normalized', $4::text, 'custom', '{}'::jsonb), 2)`,
			c.owner.WorkspaceID, imp, id, email)
	}
	return imp
}

func (c crm) merge(t *testing.T, survivor, merged string) {
	t.Helper()
	resp := c.owner.Do("POST", c.base+"/contacts/merge", map[string]any{"survivor_id": survivor, "merged_id": merged})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
}

// Erasing a contact scrubs the history of the contacts merged into it (merges of merges too),
// which stays filed under their own ids, and every import undo snapshot of them.
func TestEraseScrubsMergedHistoryAndImportSnapshots(t *testing.T) {
	t.Parallel()
	c := setup(t)
	survivor := c.mustCreate(t, map[string]string{"name": "Ada Survivor", "email": "ada@survivor.test"})["id"].(string)
	middle := c.mustCreate(t, map[string]string{"name": "Bea Middle", "email": "bea@middle.test"})["id"].(string)
	oldest := c.mustCreate(t, map[string]string{"name": "Cy Oldest", "email": "cy@oldest.test"})["id"].(string)
	bystander := c.mustCreate(t, map[string]string{"name": "Dee Bystander", "email": "dee@bystander.test"})["id"].(string)
	require.Equal(t, http.StatusCreated, c.owner.Do("POST", c.base+"/contacts/"+middle+"/notes", map[string]string{"body_html": "<p>Bea's secret</p>"}).Status)
	require.Equal(t, http.StatusOK, c.owner.Do("PATCH", c.base+"/contacts/"+oldest, map[string]string{"phone": "+1 415 555 2671"}).Status)
	c.importSnapshots(t, map[string]string{survivor: "ada@survivor.test", middle: "bea@middle.test", bystander: "dee@bystander.test"})

	c.merge(t, middle, oldest)   // Cy into Bea: Cy's history stays under Cy's id
	c.merge(t, survivor, middle) // Bea (holding Cy) into Ada
	personal := `SELECT count(*) FROM audit_log WHERE before::text ~ '(survivor|middle|oldest)\.test|Bea''s secret|14155552671'
	                                            OR after::text ~ '(survivor|middle|oldest)\.test|Bea''s secret|14155552671'`
	require.Greater(t, c.env.Count(t, c.owner.WorkspaceID, `SELECT count(*) FROM audit_log WHERE subject_id = ANY($1) AND after IS NOT NULL`, []string{middle, oldest}), 0,
		"the merged contacts' history is filed under their own ids")
	require.Greater(t, c.env.Count(t, c.owner.WorkspaceID, personal), 0)

	require.Equal(t, http.StatusNoContent, c.owner.Do("POST", c.base+"/contacts/"+survivor+"/erase", nil).Status)
	require.Zero(t, c.env.Count(t, c.owner.WorkspaceID, `SELECT count(*) FROM audit_log WHERE subject_id = ANY($1) AND (before IS NOT NULL OR after IS NOT NULL)`,
		[]string{survivor, middle, oldest}))
	require.Zero(t, c.env.Count(t, c.owner.WorkspaceID, personal), "no value of the three is left in the audit log")
	require.Zero(t, c.env.Count(t, c.owner.WorkspaceID, `SELECT count(*) FROM import_changes WHERE contact_id = ANY($1)`, []string{survivor, middle, oldest}),
		"no undo snapshot of them is left")
	require.Zero(t, c.env.Count(t, c.owner.WorkspaceID, `SELECT count(*) FROM import_changes WHERE before::text ~ '(survivor|middle)\.test'`))

	// Someone else's history and snapshot stay as they were.
	require.Equal(t, 1, c.env.Count(t, c.owner.WorkspaceID, `SELECT count(*) FROM import_changes WHERE contact_id = $1`, bystander))
	require.Equal(t, 1, c.env.Count(t, c.owner.WorkspaceID, `SELECT count(*) FROM audit_log WHERE subject_id = $1 AND after->>'email' = 'dee@bystander.test'`, bystander))
	require.Equal(t, 1, c.env.Count(t, c.owner.WorkspaceID, `SELECT count(*) FROM audit_log WHERE action = 'erase' AND resource_id = $1`, survivor))
}

// uploadFile posts content as a file of the contact and waits until its job has checked it.
func (c crm) uploadFile(t *testing.T, contact, name string, content []byte) string {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", mime.FormatMediaType("form-data", map[string]string{"name": "file", "filename": name}))
	h.Set("Content-Type", "text/plain")
	part, err := w.CreatePart(h)
	require.NoError(t, err)
	_, err = part.Write(content)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	client := *c.owner.Client
	client.Header = c.owner.Header.Clone()
	client.Header.Set("Content-Type", w.FormDataContentType())
	files := c.base + "/contacts/" + contact + "/files"
	resp := client.Do("POST", files, body.Bytes())
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	id := resp.Map(t)["id"].(string)
	require.Eventually(t, func() bool {
		for _, it := range c.owner.Do("GET", files, nil).Map(t)["items"].([]any) {
			if f := it.(map[string]any); f["id"] == id {
				return f["status"] == "ready"
			}
		}
		return false
	}, 15*time.Second, 25*time.Millisecond)
	return id
}

// The export holds everything about the person, read page after page (never one capped page):
// every note, file, conversation with its messages, captured value and history entry, the
// history of a contact merged into it included, and the ready files' contents.
func TestExportIsEverything(t *testing.T) {
	t.Parallel()
	t.Cleanup(contacts.SetExportBatch(2)) // every list below spans several pages
	c := setup(t)
	id := c.mustCreate(t, map[string]string{"name": "Grace Hopper", "email": "grace@navy.mil"})["id"].(string)
	for i := range 5 {
		require.Equal(t, http.StatusCreated, c.owner.Do("POST", c.base+"/contacts/"+id+"/notes", map[string]string{"body_html": fmt.Sprintf("<p>note %d</p>", i)}).Status)
	}
	for _, name := range []string{"Grace B. Hopper", "Rear Admiral Hopper", "Amazing Grace"} {
		require.Equal(t, http.StatusOK, c.owner.Do("PATCH", c.base+"/contacts/"+id, map[string]string{"name": name}).Status)
	}
	ready := c.uploadFile(t, id, "cobol.txt", []byte("IDENTIFICATION DIVISION."))
	c.addFile(t, id, "pending.pdf")
	c.addFile(t, id, "another.pdf")
	duplicate := c.mustCreate(t, map[string]string{"name": "G. Hopper", "phone": "+1 415 555 2671"})["id"].(string)
	require.Equal(t, http.StatusOK, c.owner.Do("PATCH", c.base+"/contacts/"+duplicate, map[string]string{"name": "Grace H."}).Status)
	c.merge(t, id, duplicate)

	// Two conversations: three messages and one.
	chats := []uuid.UUID{uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7())}
	for i, conv := range chats {
		c.exec(t, `INSERT INTO conversations (workspace_id, agent_id, id, visitor_id, contact_id, title, message_count, last_message_at)
			VALUES ($1, $2, $3, 'visitor-1', $4, $5, 0, now())`, c.owner.WorkspaceID, c.agent, conv, id, fmt.Sprintf("Chat %d", i))
	}
	for seq, text := range []string{"Hello, I'm Grace", "Hi Grace! How can I help?", "My email is grace@navy.mil"} {
		role := map[bool]string{true: "visitor", false: "agent"}[seq != 1]
		c.exec(t, `INSERT INTO conversation_messages (workspace_id, conversation_id, id, seq, client_message_id, role, content, sent_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, now())`, c.owner.WorkspaceID, chats[0], uuid.Must(uuid.NewV7()), seq+1, fmt.Sprintf("m%d", seq), role, text)
	}
	c.exec(t, `INSERT INTO conversation_messages (workspace_id, conversation_id, id, seq, client_message_id, role, content, sent_at)
		VALUES ($1, $2, $3, 1, 'x', 'visitor', 'Back again', now())`, c.owner.WorkspaceID, chats[1], uuid.Must(uuid.NewV7()))
	c.exec(t, `INSERT INTO contact_field_sources (workspace_id, contact_id, field, conversation_id, value)
		VALUES ($1, $2, 'email', $3, '"grace@navy.mil"')`, c.owner.WorkspaceID, id, chats[0])
	// Another contact's conversation is not theirs.
	other := c.mustCreate(t, map[string]string{"email": "someone@else.test"})["id"].(string)
	c.exec(t, `INSERT INTO conversations (workspace_id, agent_id, id, visitor_id, contact_id) VALUES ($1, $2, $3, 'visitor-2', $4)`,
		c.owner.WorkspaceID, c.agent, uuid.Must(uuid.NewV7()), other)

	resp := c.owner.Do("GET", c.base+"/contacts/"+id+"/export", nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	zr, err := zip.NewReader(bytes.NewReader(resp.Body), int64(len(resp.Body)))
	require.NoError(t, err)
	entries := map[string]string{}
	for _, f := range zr.File {
		r, err := f.Open()
		require.NoError(t, err)
		b, err := io.ReadAll(r)
		require.NoError(t, err)
		entries[f.Name] = string(b)
	}
	var rec struct {
		Contact struct {
			Name  string `json:"name"`
			Phone string `json:"phone"`
		} `json:"contact"`
		Notes []struct {
			BodyHTML string `json:"body_html"`
		} `json:"notes"`
		Files []struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		} `json:"files"`
		Conversations []struct {
			ID       string `json:"id"`
			Title    string `json:"title"`
			Messages []struct {
				Seq     int    `json:"seq"`
				Role    string `json:"role"`
				Content string `json:"content"`
			} `json:"messages"`
		} `json:"conversations"`
		FieldSources []struct {
			Field string `json:"field"`
		} `json:"field_sources"`
		MergedIDs []string `json:"merged_contact_ids"`
		History   []struct {
			ResourceID string `json:"resource_id"`
			Action     string `json:"action"`
		} `json:"history"`
	}
	require.NoError(t, json.Unmarshal([]byte(entries["contact.json"]), &rec))
	require.Equal(t, "Amazing Grace", rec.Contact.Name)
	require.Len(t, rec.Notes, 5)
	require.Equal(t, "<p>note 4</p>", rec.Notes[0].BodyHTML, "newest first")
	require.Len(t, rec.Files, 3)
	require.Len(t, rec.Conversations, 2, "their conversations only")
	require.Equal(t, chats[0].String(), rec.Conversations[0].ID)
	require.Len(t, rec.Conversations[0].Messages, 3)
	for i, m := range rec.Conversations[0].Messages {
		require.Equal(t, i+1, m.Seq, "in order")
	}
	require.Equal(t, "My email is grace@navy.mil", rec.Conversations[0].Messages[2].Content)
	require.Len(t, rec.Conversations[1].Messages, 1)
	require.Equal(t, "Back again", rec.Conversations[1].Messages[0].Content)
	require.Len(t, rec.FieldSources, 1)
	require.Equal(t, []string{duplicate}, rec.MergedIDs)
	wantHistory := c.env.Count(t, c.owner.WorkspaceID, `SELECT count(*) FROM audit_log WHERE subject_id = ANY($1)`, []string{id, duplicate})
	require.Greater(t, wantHistory, 10)
	require.Len(t, rec.History, wantHistory, "the whole history, the merged contact's too")
	var sawDuplicate bool
	for _, e := range rec.History {
		sawDuplicate = sawDuplicate || (e.ResourceID == duplicate && e.Action == "create")
	}
	require.True(t, sawDuplicate, "the merged contact's own creation is part of the history")
	require.Equal(t, "IDENTIFICATION DIVISION.", entries["files/"+ready+"-cobol.txt"], "a ready file's contents")
	require.Len(t, entries, 2, "contact.json and the one ready file")
}
