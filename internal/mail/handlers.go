package mail

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/guestlist/guestlist/internal/httpapi"
)

// RegisterOutbox mounts GET /dev/outbox. Only the dev wiring calls it (no SMTP_URL): the outbox
// holds every workspace's mail, so it never exists where real mail is sent.
func RegisterOutbox(r *httpapi.Router, o *Outbox) {
	r.Public.GET("/dev/outbox", func(c *gin.Context) {
		items, err := o.List(100)
		if err != nil {
			httpapi.Fail(c, err)
			return
		}
		c.JSON(http.StatusOK, gin.H{"items": items})
	})
}
