package imports_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestOthersImportsAnswer404: real imports of another workspace, and of another agent of the
// same workspace, are not found through an agent they do not belong to: every import endpoint
// answers 404 (never 403, nor the import), and none of them changes.
func TestOthersImportsAnswer404(t *testing.T) {
	t.Parallel()
	c := setup(t)
	// Another workspace, and another agent of c's workspace.
	ow := c.env.SignUp(t)
	foreign := crm{env: c.env, owner: ow}
	foreign.agent = ow.Do("GET", "/api/v1/agents", nil).Map(t)["items"].([]any)[0].(map[string]any)["id"].(string)
	foreign.base = "/api/v1/agents/" + foreign.agent
	resp := c.owner.Do("POST", "/api/v1/agents", map[string]any{"name": "Second agent"})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	sibling := crm{env: c.env, owner: c.owner, agent: resp.Map(t)["id"].(string)}
	sibling.base = "/api/v1/agents/" + sibling.agent

	// In each: a finished import (it could be undone) and an uploaded one (it could be
	// mapped, previewed, started, cancelled).
	type pair struct{ finished, uploaded string }
	imports := map[string]pair{}
	for name, o := range map[string]crm{"other workspace": foreign, "other agent": sibling} {
		resp := o.upload(t, "theirs.csv", []byte("email,name\ntheirs@example.com,Theirs\nbad,Row\n"), "?start=true")
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
		finished := resp.Map(t)["id"].(string)
		o.wait(t, finished, "finished")
		resp = o.upload(t, "waiting.csv", []byte("email,name\nwaiting@example.com,Waiting\n"), "")
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
		imports[name] = pair{finished, resp.Map(t)["id"].(string)}
	}

	// Through c's own agent; the other workspace's also through the agent it belongs to (c may
	// work in its own workspace's other agent: that path is not foreign).
	for _, tc := range []struct {
		name  string
		bases []string
	}{
		{"other workspace", []string{c.base, foreign.base}},
		{"other agent", []string{c.base}},
	} {
		p := imports[tc.name]
		for _, base := range tc.bases {
			for _, call := range []struct {
				method, path string
				body         any
			}{
				{"GET", "/imports/" + p.finished, nil},
				{"GET", "/imports/" + p.uploaded, nil},
				{"PUT", "/imports/" + p.uploaded + "/mapping", map[string]any{"mode": "create_only", "mapping": []string{"email", "name"}}},
				{"POST", "/imports/" + p.uploaded + "/preview", nil},
				{"GET", "/imports/" + p.finished + "/errors", nil},
				{"POST", "/imports/" + p.finished + "/undo", nil},
				{"POST", "/imports/" + p.uploaded + "/start", map[string]any{"confirm_reimport": true}},
				{"POST", "/imports/" + p.uploaded + "/cancel", nil},
			} {
				resp := c.owner.Do(call.method, base+call.path, call.body)
				require.Equal(t, http.StatusNotFound, resp.Status, "%s: %s %s: %s", tc.name, call.method, base+call.path, resp.Body)
				require.Equal(t, "not_found", resp.ErrorCode(), "%s: %s %s", tc.name, call.method, call.path)
				require.NotContains(t, string(resp.Body), "theirs@example.com")
			}
		}
	}

	// Nothing changed: their owners still see them as they were.
	for name, o := range map[string]crm{"other workspace": foreign, "other agent": sibling} {
		p := imports[name]
		got := o.owner.Do("GET", o.base+"/imports/"+p.finished, nil).Map(t)
		require.Equal(t, "finished", got["status"], name)
		got = o.owner.Do("GET", o.base+"/imports/"+p.uploaded, nil).Map(t)
		require.Equal(t, "uploaded", got["status"], name)
		require.Equal(t, "create_and_update", got["mode"], name)
		require.Equal(t, false, got["cancel_requested"], name)
		resp := o.owner.Do("GET", o.base+"/imports/"+p.finished+"/errors", nil)
		require.Equal(t, http.StatusOK, resp.Status, name)
		require.Len(t, readCSV(t, resp.Body), 2, name)
	}
}
