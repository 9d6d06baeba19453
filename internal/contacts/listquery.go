package contacts

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/guestlist/guestlist/db"
	"github.com/guestlist/guestlist/internal/apperr"
	"github.com/guestlist/guestlist/internal/httpapi"
	"github.com/guestlist/guestlist/internal/tenant"
)

// Sort is an order of the contact list. Every order pages by keyset on (its key, id), so a page
// never repeats or skips a contact when others share the key.
type Sort string

// The list's orders. Created order is the time-ordered id's order.
const (
	SortNewest      Sort = "-created_at" // the default
	SortOldest      Sort = "created_at"
	SortName        Sort = "name"        // A-Z, case-insensitive
	SortNameDesc    Sort = "-name"       // Z-A
	SortUpdated     Sort = "updated_at"  // least recently updated first
	SortUpdatedDesc Sort = "-updated_at" // most recently updated first
	SortStage       Sort = "stage"       // pipeline order, newest first within a stage
	SortStageDesc   Sort = "-stage"      // reverse pipeline order, newest first within a stage
)

// Sorts lists every order.
var Sorts = []Sort{SortNewest, SortOldest, SortName, SortNameDesc, SortUpdated, SortUpdatedDesc, SortStage, SortStageDesc}

// Limits of a list query.
const (
	MaxSearchLength   = 200
	MaxCustomFilters  = 20 // custom-field parameters in one query
	MaxFilterValues   = 50 // values of one select filter
	MaxFilterTextSize = 200
)

// CustomParam is the prefix of custom-field filter parameters: cf.<key> or cf.<key>.<op>.
const CustomParam = "cf."

// The operators of custom-field filters (the part after the key); "" is the type's plain
// filter: contains for text, is for a checkbox, is one of / holds any for selects.
var customOps = []string{"", "eq", "min", "max", "from", "to"}

// CustomFilter is one custom-field parameter as given: cf.<Key>[.<Op>]=<Values...>. What it
// means depends on the field's type, which only the agent's definitions know (resolve).
type CustomFilter struct {
	Key    string   `json:"key"`
	Op     string   `json:"op,omitempty"`
	Values []string `json:"values"`
}

// Param is the filter's query parameter name.
func (f CustomFilter) Param() string {
	if f.Op == "" {
		return CustomParam + f.Key
	}
	return CustomParam + f.Key + "." + f.Op
}

// ListQuery is the contact list's query: what the list endpoint reads from its query string,
// what a saved view keeps, and what an export of the current view reads. Parse it with
// ParseListQuery; Values gives it back as a query string.
type ListQuery struct {
	// Q is a fragment of the name, email or phone (search).
	Q       string        `json:"q,omitempty"`
	Status  string        `json:"status,omitempty"` // active (default) or archived
	StageID uuid.NullUUID `json:"stage_id,omitzero"`
	OwnerID uuid.NullUUID `json:"owner_id,omitzero"` // primary or secondary owner
	Source  string        `json:"source,omitempty"`
	// CreatedFrom and CreatedTo are as given: a date (YYYY-MM-DD, that day in UTC) or an RFC 3339
	// instant. From is inclusive; a To date includes its whole day, a To instant is exclusive.
	CreatedFrom string         `json:"created_from,omitempty"`
	CreatedTo   string         `json:"created_to,omitempty"`
	Custom      []CustomFilter `json:"custom,omitempty"`
	Sort        Sort           `json:"sort,omitempty"` // "" is SortNewest
}

// createdRange is the created-date filter as instants; zero times are open ends.
func (q ListQuery) createdRange() (from, before time.Time) {
	from, _, _ = parseInstant(q.CreatedFrom, false)
	before, _, _ = parseInstant(q.CreatedTo, true)
	return from, before
}

// parseInstant reads a date (YYYY-MM-DD, UTC) or an RFC 3339 time. As an upper bound (end), a
// date stands for the next midnight, so the bound includes its whole day. ok is false for
// anything else; "" is a zero time.
func parseInstant(s string, end bool) (t time.Time, isDate, ok bool) {
	if s == "" {
		return time.Time{}, false, true
	}
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		if end {
			d = d.AddDate(0, 0, 1)
		}
		return d, true, true
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), false, true
	}
	return time.Time{}, false, false
}

var fieldKey = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// ParseListQuery reads the list's query parameters (q, status, stage_id, owner_id, source,
// created_from, created_to, sort and cf.<key>[.<op>]), naming the parameter at fault. The
// custom-field filters are checked here for their form only; their keys, operators and values
// are checked against the agent's fields when the list runs. Other parameters (limit, cursor)
// are not its business.
func ParseListQuery(v url.Values) (ListQuery, error) {
	bad := apperr.Fields{}
	q := ListQuery{Q: v.Get("q"), Status: v.Get("status"), Source: v.Get("source"),
		CreatedFrom: strings.TrimSpace(v.Get("created_from")), CreatedTo: strings.TrimSpace(v.Get("created_to")), Sort: Sort(v.Get("sort"))}
	readID := func(name string) uuid.NullUUID {
		s := v.Get(name)
		if s == "" {
			return uuid.NullUUID{}
		}
		id, err := uuid.Parse(s)
		if err != nil {
			bad.Add(name, "must be an id")
		}
		return uuid.NullUUID{UUID: id, Valid: err == nil}
	}
	q.StageID, q.OwnerID = readID("stage_id"), readID("owner_id")
	names := make([]string, 0, len(v))
	for name := range v {
		if strings.HasPrefix(name, CustomParam) {
			names = append(names, name)
		}
	}
	sort.Strings(names) // one order, so a query reads the same however it was written
	for _, name := range names {
		key, op, _ := strings.Cut(strings.TrimPrefix(name, CustomParam), ".")
		values := slices.DeleteFunc(slices.Clone(v[name]), func(s string) bool { return strings.TrimSpace(s) == "" })
		if len(values) == 0 {
			continue // an emptied filter box filters nothing
		}
		q.Custom = append(q.Custom, CustomFilter{Key: key, Op: op, Values: values})
	}
	q.check(bad, "")
	return q, bad.Err()
}

// check adds what is wrong with q to bad, each under prefix + its parameter name.
func (q *ListQuery) check(bad apperr.Fields, prefix string) {
	if utf8.RuneCountInString(q.Q) > MaxSearchLength {
		bad.Add(prefix+"q", fmt.Sprintf("must be at most %d characters", MaxSearchLength))
	}
	if q.Status != "" && q.Status != Active && q.Status != Archived {
		bad.Add(prefix+"status", "must be active or archived")
	}
	if q.Source != "" && !validSource(Source(q.Source)) {
		bad.Add(prefix+"source", "must be chat, form, manual, import or api")
	}
	if q.Sort != "" && !slices.Contains(Sorts, q.Sort) {
		bad.Add(prefix+"sort", "must be one of "+sortList())
	}
	if q.Sort != "" && q.Sort != SortNewest && SearchPattern(q.Q) != "" {
		bad.Add(prefix+"sort", "search results come newest first: leave sort out while searching")
	}
	from, _, okFrom := parseInstant(q.CreatedFrom, false)
	if !okFrom {
		bad.Add(prefix+"created_from", "must be a date (YYYY-MM-DD) or an RFC 3339 time")
	}
	before, _, okTo := parseInstant(q.CreatedTo, true)
	if !okTo {
		bad.Add(prefix+"created_to", "must be a date (YYYY-MM-DD) or an RFC 3339 time")
	}
	if okFrom && okTo && !from.IsZero() && !before.IsZero() && !before.After(from) {
		bad.Add(prefix+"created_to", "must be after created_from")
	}
	if len(q.Custom) > MaxCustomFilters {
		bad.Add(prefix+"custom", fmt.Sprintf("at most %d custom field filters", MaxCustomFilters))
	}
	for _, f := range q.Custom {
		name := prefix + f.Param()
		switch {
		case !fieldKey.MatchString(f.Key):
			bad.Add(name, "is not a custom field key (cf.<key> or cf.<key>.<eq|min|max|from|to>)")
		case !slices.Contains(customOps, f.Op):
			bad.Add(name, "has an unknown operator: use cf.<key>, or cf.<key>.eq, .min, .max, .from or .to")
		case len(f.Values) > MaxFilterValues:
			bad.Add(name, fmt.Sprintf("at most %d values", MaxFilterValues))
		case slices.ContainsFunc(f.Values, func(s string) bool { return utf8.RuneCountInString(s) > MaxFilterTextSize }):
			bad.Add(name, fmt.Sprintf("values must be at most %d characters", MaxFilterTextSize))
		}
	}
}

// checkIDs adds to bad, each under prefix + its parameter name, the ids of q that name nothing
// the caller may filter by in the agent: stage_id must be a stage of this agent, owner_id a
// member of the workspace. Row-level security would answer a foreign id with an empty list and
// never reveal whose it is; a saved view that kept one would be empty for good, so it is refused
// instead. One lookup per id, in the caller's transaction.
func (q ListQuery) checkIDs(ctx context.Context, tx tenant.Tx, agentID uuid.UUID, bad apperr.Fields, prefix string) error {
	if q.StageID.Valid {
		ok, err := tx.Q.StageOfAgent(ctx, db.StageOfAgentParams{WorkspaceID: tx.WorkspaceID, AgentID: agentID, ID: q.StageID.UUID})
		if err != nil {
			return err
		}
		if !ok {
			bad.Add(prefix+"stage_id", "is not a stage of this agent")
		}
	}
	if q.OwnerID.Valid {
		_, err := tx.Q.GetMembershipRole(ctx, db.GetMembershipRoleParams{WorkspaceID: tx.WorkspaceID, UserID: q.OwnerID.UUID})
		if errors.Is(err, pgx.ErrNoRows) {
			bad.Add(prefix+"owner_id", "is not a member of this workspace")
		} else if err != nil {
			return err
		}
	}
	return nil
}

func sortList() string {
	s := make([]string, len(Sorts))
	for i, o := range Sorts {
		s[i] = string(o)
	}
	return strings.Join(s, ", ")
}

// Values is q as list query parameters (what ParseListQuery reads back to q).
func (q ListQuery) Values() url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("q", q.Q)
	set("status", q.Status)
	if q.StageID.Valid {
		v.Set("stage_id", q.StageID.UUID.String())
	}
	if q.OwnerID.Valid {
		v.Set("owner_id", q.OwnerID.UUID.String())
	}
	set("source", q.Source)
	set("created_from", q.CreatedFrom)
	set("created_to", q.CreatedTo)
	set("sort", string(q.Sort))
	for _, f := range q.Custom {
		v[f.Param()] = append(v[f.Param()], f.Values...)
	}
	return v
}

// sortOrDefault is the order q asks for.
func (q ListQuery) sortOrDefault() Sort {
	if q.Sort == "" {
		return SortNewest
	}
	return q.Sort
}

// cursor is where a page ends: the sort it belongs to, the last contact's id and its sort key.
// It travels base64url-encoded JSON; a client treats it as opaque. A forged cursor only moves
// the start of a page within what the caller may read anyway.
type cursor struct {
	Sort Sort      `json:"s"`
	ID   uuid.UUID `json:"id"`
	// The last contact's key: its name's sort key, update time, or stage (position and id;
	// the nil stage for none).
	Name          string     `json:"n,omitempty"`
	Updated       *time.Time `json:"u,omitempty"`
	StagePosition int32      `json:"p,omitempty"`
	StageID       uuid.UUID  `json:"g,omitzero"`
}

func (c cursor) encode() string {
	b, _ := json.Marshal(c) // a struct of strings, ids, numbers and times
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor reads a cursor this list gave out for the order s.
func decodeCursor(s string, order Sort) (cursor, error) {
	var c cursor
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil && len(raw) == 16 && order == SortNewest {
		// A cursor of the time before sort orders: the bare id of the last contact, newest first.
		c.Sort, c.ID = SortNewest, uuid.UUID(raw)
		return c, nil
	}
	if err != nil || json.Unmarshal(raw, &c) != nil || c.ID == uuid.Nil {
		return c, apperr.Field("cursor", "is not a cursor this list gave out")
	}
	if c.Sort != order {
		return c, apperr.Field("cursor", "belongs to another sort order; start again from the first page")
	}
	if (order == SortUpdated || order == SortUpdatedDesc) && c.Updated == nil {
		return c, apperr.Field("cursor", "is not a cursor this list gave out")
	}
	return c, nil
}

// Page is a page request of the list: how many contacts, after which cursor ("" for the first).
type Page struct {
	Limit  int
	Cursor string
}

// ParsePage reads limit (1 to httpapi.MaxPageSize, default 50) and cursor.
func ParsePage(v url.Values) (Page, error) {
	p := Page{Limit: 50, Cursor: v.Get("cursor")}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > httpapi.MaxPageSize {
			return p, apperr.Field("limit", "must be a whole number from 1 to "+strconv.Itoa(httpapi.MaxPageSize))
		}
		p.Limit = n
	}
	return p, nil
}

// finite reports whether a filter's number is usable.
func finite(n float64) bool { return !math.IsInf(n, 0) && !math.IsNaN(n) }
