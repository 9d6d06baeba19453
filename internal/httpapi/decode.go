package httpapi

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/guestlist/guestlist/internal/apperr"
)

// Decode reads the JSON body into v. Unknown fields, wrong types, trailing data and bodies over
// the limit are refused with a 4xx that names the field at fault.
func Decode(c *gin.Context, v any) error {
	dec := json.NewDecoder(c.Request.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if dec.More() {
		return apperr.New(apperr.Invalid, "the body must hold one JSON value")
	}
	if _, err := dec.Token(); err != nil && !errors.Is(err, io.EOF) {
		return decodeError(err)
	}
	return nil
}

func decodeError(err error) error {
	var tooLarge *http.MaxBytesError
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &tooLarge):
		return apperr.New(apperr.TooLarge, "the body is larger than %d bytes", tooLarge.Limit)
	case errors.Is(err, io.EOF):
		return apperr.New(apperr.Invalid, "the body is empty; send a JSON object")
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			return apperr.New(apperr.Invalid, "the body must be a JSON object")
		}
		return apperr.Field(field, "must be a "+jsonKind(typeErr.Type.Kind().String()))
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.New(apperr.Invalid, "the body is not valid JSON")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return apperr.Field(field, "is not a known field")
	default:
		return apperr.New(apperr.Invalid, "the body is not valid JSON")
	}
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "slice", "array":
		return "list"
	case "map", "struct":
		return "object"
	default:
		return "number"
	}
}

// Page is a cursor page request: at most Limit rows after the row with id After.
type Page struct {
	Limit int
	After uuid.UUID
}

// MaxPageSize bounds every list endpoint.
const MaxPageSize = 200

// ParsePage reads ?limit= and ?cursor= (an opaque cursor from a previous page's next_cursor).
func ParsePage(c *gin.Context) (Page, error) {
	p := Page{Limit: 50}
	if s := c.Query("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxPageSize {
			return p, apperr.Field("limit", "must be a whole number from 1 to "+strconv.Itoa(MaxPageSize))
		}
		p.Limit = n
	}
	if s := c.Query("cursor"); s != "" {
		raw, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			return p, apperr.Field("cursor", "is not a cursor this API gave out")
		}
		id, err := uuid.FromBytes(raw)
		if err != nil {
			return p, apperr.Field("cursor", "is not a cursor this API gave out")
		}
		p.After = id
	}
	return p, nil
}

// NextCursor is the cursor that continues after id.
func NextCursor(id uuid.UUID) string { return base64.RawURLEncoding.EncodeToString(id[:]) }

// PathID parses a uuid path parameter. A malformed id answers 404, as an unknown one does.
func PathID(c *gin.Context, name string) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param(name))
	if err != nil {
		return uuid.Nil, apperr.New(apperr.NotFound, "no such %s", strings.TrimSuffix(name, "Id"))
	}
	return id, nil
}

// Bind decodes the JSON body into v; when it cannot, it answers the error and reports false.
func Bind(c *gin.Context, v any) bool {
	if err := Decode(c, v); err != nil {
		Fail(c, err)
		return false
	}
	return true
}

// PathIDs parses uuid path parameters; a malformed one answers 404 (like an unknown id) and
// PathIDs reports false.
func PathIDs(c *gin.Context, names ...string) ([]uuid.UUID, bool) {
	out := make([]uuid.UUID, len(names))
	for i, n := range names {
		id, err := PathID(c, n)
		if err != nil {
			Fail(c, err)
			return nil, false
		}
		out[i] = id
	}
	return out, true
}

// Versioned is a value with a version: Reply sends it as the ETag for If-Match.
type Versioned interface{ ETag() string }

// Reply answers v with status (no body when v is nil), or err in the one error shape.
func Reply(c *gin.Context, status int, v any, err error) {
	switch {
	case err != nil:
		Fail(c, err)
	case v == nil:
		c.Status(status)
	default:
		if tagged, ok := v.(Versioned); ok {
			c.Header("ETag", tagged.ETag())
		}
		c.JSON(status, v)
	}
}
