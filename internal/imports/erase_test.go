package imports_test

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/guestlist/guestlist/internal/app"
)

// Erasing a contact (privacy) deletes the stored files of the ended imports that wrote it: the
// file holds the person's row. The import keeps its row and counts, says when its file went,
// and its error report answers 409; an import that never wrote the contact keeps its file.
func TestEraseDeletesTheFilesOfImportsThatWroteTheContact(t *testing.T) {
	t.Parallel()
	blobs := t.TempDir()
	c := setup(t, func(cfg *app.Config) { cfg.BlobURL = blobs })
	run := func(name, file string) string {
		resp := c.upload(t, name, []byte(file), "?start=true")
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
		id := resp.Map(t)["id"].(string)
		c.wait(t, id, "finished")
		return id
	}
	stored := func(id string) bool {
		_, err := os.Stat(filepath.Join(blobs, c.owner.WorkspaceID.String(), "imports", id))
		return err == nil
	}
	wrote := run("people.csv", "name,email\nAda,ada@example.com\nGrace,grace@example.com\nBroken,not-an-email\n")
	other := run("others.csv", "name,email\nLinus,linus@example.com\n")
	require.True(t, stored(wrote))
	require.True(t, stored(other))

	var ada string
	for _, it := range c.owner.Do("GET", c.base+"/contacts?q=ada%40example", nil).Map(t)["items"].([]any) {
		ada = it.(map[string]any)["id"].(string)
	}
	require.NotEmpty(t, ada)
	resp := c.owner.Do("POST", c.base+"/contacts/"+ada+"/erase", nil)
	require.Contains(t, []int{http.StatusOK, http.StatusNoContent}, resp.Status, "%s", resp.Body)

	require.Eventually(t, func() bool { return !stored(wrote) }, 15*time.Second, 50*time.Millisecond, "the file that held Ada's row is deleted")
	require.True(t, stored(other), "an import that never wrote Ada keeps its file")
	imp := c.owner.Do("GET", c.base+"/imports/"+wrote, nil).Map(t)
	require.NotNil(t, imp["file_erased_at"])
	require.EqualValues(t, 2, progress(imp)["created"], "the import keeps its counts")
	require.Nil(t, c.owner.Do("GET", c.base+"/imports/"+other, nil).Map(t)["file_erased_at"])

	report := c.owner.Do("GET", c.base+"/imports/"+wrote+"/errors", nil)
	require.Equal(t, http.StatusConflict, report.Status, "%s", report.Body)
	require.Equal(t, "conflict", report.ErrorCode())
	require.Equal(t, http.StatusOK, c.owner.Do("GET", c.base+"/imports/"+other+"/errors", nil).Status)
}
