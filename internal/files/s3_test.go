package files_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/stretchr/testify/require"

	"github.com/guestlist/guestlist/internal/app"
	"github.com/guestlist/guestlist/internal/files"
)

// TestS3Storage runs an upload, its check, the download and the delete against S3-compatible
// storage (gofakes3, an S3 server in this process), through the s3:// blob URL a deployment
// sets: the bytes live in the bucket under <workspace>/<file id>, never on local disk.
func TestS3Storage(t *testing.T) {
	t.Parallel()
	backend := s3mem.New()
	s3 := httptest.NewServer(gofakes3.New(backend).Server())
	defer s3.Close()
	const bucket = "guestlist-files"
	require.NoError(t, backend.CreateBucket(bucket))
	blobURL := "s3://" + bucket + "?region=us-east-1&use_path_style=true&anonymous=true&endpoint=" + url.QueryEscape(s3.URL)
	c := setup(t, func(cfg *app.Config) { cfg.BlobURL = blobURL })

	content := pngBytes(t)
	id := c.mustUpload(t, "photo.png", "image/png", content)["id"].(string)
	f := c.wait(t, id)
	require.Equal(t, files.Ready, f["status"])
	require.Equal(t, hexSHA(content), f["sha256"])
	key := c.owner.WorkspaceID.String() + "/" + id
	obj, err := backend.HeadObject(bucket, key)
	require.NoError(t, err, "the bytes are in the bucket")
	require.EqualValues(t, len(content), obj.Size)
	require.Empty(t, stored(t, c.dir), "nothing on local disk")

	resp := c.owner.Do("GET", c.files+"/"+id+"/download", nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	require.True(t, bytes.Equal(content, resp.Body), "the download is the upload")

	resp = c.owner.Do("DELETE", c.files+"/"+id, nil)
	require.Equal(t, http.StatusNoContent, resp.Status, "%s", resp.Body)
	_, err = backend.HeadObject(bucket, key)
	require.Error(t, err, "deleting the file deletes its bytes")
}
