package httpapi

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/guestlist/guestlist/internal/apperr"
)

// errorBody is the one error shape: {"error": {"code", "message", "fields"}}.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    apperr.Code       `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
	Details map[string]any    `json:"details,omitempty"`
}

// status maps an error code to its HTTP status: the only place that does.
func status(code apperr.Code) int {
	switch code {
	case apperr.Invalid:
		return http.StatusBadRequest
	case apperr.Unauthenticated:
		return http.StatusUnauthorized
	case apperr.Forbidden:
		return http.StatusForbidden
	case apperr.NotFound:
		return http.StatusNotFound
	case apperr.Conflict:
		return http.StatusConflict
	case apperr.Precondition:
		return http.StatusPreconditionFailed
	case apperr.RateLimited:
		return http.StatusTooManyRequests
	case apperr.TooLarge:
		return http.StatusRequestEntityTooLarge
	default:
		return http.StatusInternalServerError
	}
}

// Fail writes err in the one error shape and aborts the request. Errors that are not an
// *apperr.Error are internal: logged with the request id, answered without their text.
func Fail(c *gin.Context, err error) {
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		slog.ErrorContext(c.Request.Context(), "internal error", "err", err, "request_id", RequestID(c))
		ae = apperr.New(apperr.Internal, "something went wrong on our side; the request id is %s", RequestID(c))
	}
	c.AbortWithStatusJSON(status(ae.Code), errorBody{Error: errorDetail{Code: ae.Code, Message: ae.Message, Fields: ae.Fields, Details: ae.Details}})
}
