package contacts

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/guestlist/guestlist/db"
	"github.com/guestlist/guestlist/internal/apperr"
	customfields "github.com/guestlist/guestlist/internal/fields"
	"github.com/guestlist/guestlist/internal/tenant"
)

// ListPage is a page of the contact list; NextCursor continues it ("" at the end). A searched
// list with filters search cannot apply itself may return fewer than the limit while more
// remain: follow NextCursor until it is "".
type ListPage struct {
	Items      []Contact `json:"items"`
	NextCursor string    `json:"next_cursor,omitempty"`
}

// searchRounds bounds how many batches of search candidates one page reads when filters the
// search function does not know (created dates, custom values) reject many of them; the page
// then ends early with a cursor after the last candidate read.
const (
	searchRounds = 8
	searchBatch  = 200
)

// List returns a page of the agent's contacts matching q, in q's order. A search goes through
// the search_contacts definer function (fast for the app role under RLS), newest first.
func (s *Service) List(ctx context.Context, ws, agentID uuid.UUID, q ListQuery, page Page) (ListPage, error) {
	bad := apperr.Fields{}
	q.check(bad, "")
	if err := bad.Err(); err != nil {
		return ListPage{}, err
	}
	if page.Limit < 1 {
		page.Limit = 50
	}
	order := q.sortOrDefault()
	var after cursor
	if page.Cursor != "" {
		var err error
		if after, err = decodeCursor(page.Cursor, order); err != nil {
			return ListPage{}, err
		}
	}
	out := ListPage{Items: []Contact{}}
	err := s.tenants.ReadForArguments(ctx, ws, func(tx tenant.Tx) error {
		f, err := filtersOf(ctx, tx, agentID, q)
		if err != nil {
			return err
		}
		if pattern := SearchPattern(q.Q); pattern != "" {
			out, err = search(ctx, tx, f, pattern, after.ID, page.Limit)
			return err
		}
		rows, err := listRows(ctx, tx, f, order, after, int32(page.Limit+1))
		if err != nil {
			return err
		}
		for i, r := range rows {
			if i == page.Limit {
				out.NextCursor = cursorAfter(order, rows[i-1]).encode()
				break
			}
			out.Items = append(out.Items, fromRow(r.Contact, r.StageName, r.PrimaryOwnerName, r.SecondaryOwnerName))
		}
		return nil
	})
	return out, err
}

// filters is a checked list query as the list queries take it.
type filters struct {
	ws, agent                  uuid.UUID
	status                     string
	stage, owner               uuid.NullUUID
	source                     *string
	createdFrom, createdBefore *time.Time
	custom                     []byte // contact_custom_matches's filters; nil for none
}

func filtersOf(ctx context.Context, tx tenant.Tx, agentID uuid.UUID, q ListQuery) (filters, error) {
	f := filters{ws: tx.WorkspaceID, agent: agentID, status: q.Status, stage: q.StageID, owner: q.OwnerID}
	if f.status == "" {
		f.status = Active
	}
	if q.Source != "" {
		f.source = &q.Source
	}
	from, before := q.createdRange()
	if !from.IsZero() {
		f.createdFrom = &from
	}
	if !before.IsZero() {
		f.createdBefore = &before
	}
	if len(q.Custom) > 0 {
		// Only a query with custom filters pays for reading the field definitions.
		defs, err := customfields.ListTx(ctx, tx, agentID, true)
		if err != nil {
			return f, err
		}
		spec, err := customSpec(defs, q.Custom, "")
		if err != nil {
			return f, err
		}
		f.custom, _ = json.Marshal(spec) // maps of strings, numbers, booleans and lists
	}
	return f, nil
}

// customSpec turns custom-field filters into contact_custom_matches's JSON (see
// db/migrations/00013_contact_list.sql): keys resolved against the agent's fields, operators
// checked against their types, values normalized like stored values. Problems are named by
// prefix + the filter's parameter.
func customSpec(defs []customfields.Field, custom []CustomFilter, prefix string) ([]map[string]any, error) {
	byKey := map[string]customfields.Field{}
	for _, d := range defs {
		byKey[d.Key] = d
	}
	bad := apperr.Fields{}
	var spec []map[string]any
	for _, cf := range custom {
		name := prefix + cf.Param()
		d, ok := byKey[cf.Key]
		if !ok {
			bad.Add(name, fmt.Sprintf("%q is not a custom field of this agent", cf.Key))
			continue
		}
		if d.Archived() {
			bad.Add(name, fmt.Sprintf("%q is archived: restore it to filter by it", cf.Key))
			continue
		}
		entry, problem := customEntry(d, cf)
		if problem != "" {
			bad.Add(name, problem)
			continue
		}
		spec = append(spec, entry)
	}
	return spec, bad.Err()
}

// customEntry is one filter of field d as contact_custom_matches reads it, or a problem.
func customEntry(d customfields.Field, cf CustomFilter) (map[string]any, string) {
	one := func() (string, string) {
		if len(cf.Values) != 1 {
			return "", "takes one value"
		}
		return strings.TrimSpace(cf.Values[0]), ""
	}
	e := map[string]any{"key": d.Key}
	switch d.Type {
	case customfields.Text, customfields.LongText, customfields.Email, customfields.Phone, customfields.URL:
		v, problem := one()
		switch {
		case problem != "":
			return nil, problem
		case cf.Op == "":
			e["op"], e["text"] = "contains", strings.ToLower(v)
		case cf.Op == "eq":
			e["op"], e["text"] = "equals", strings.ToLower(v)
		default:
			return nil, d.Label + " is a text field: filter with cf." + d.Key + " (contains) or cf." + d.Key + ".eq (equals)"
		}
	case customfields.Number:
		v, problem := one()
		if problem != "" {
			return nil, problem
		}
		n, err := strconv.ParseFloat(v, 64)
		if err != nil || !finite(n) {
			return nil, "must be a number"
		}
		e["op"] = "number"
		switch cf.Op {
		case "", "eq":
			e["lo"], e["hi"] = n, n
		case "min":
			e["lo"] = n
		case "max":
			e["hi"] = n
		default:
			return nil, d.Label + " is a number field: filter with cf." + d.Key + ".min, .max or .eq"
		}
	case customfields.Date:
		v, problem := one()
		if problem != "" {
			return nil, problem
		}
		if _, err := time.Parse(time.DateOnly, v); err != nil {
			return nil, "must be a date as YYYY-MM-DD"
		}
		e["op"] = "date"
		switch cf.Op {
		case "", "eq":
			e["after"], e["before"] = v, v
		case "from":
			e["after"] = v
		case "to":
			e["before"] = v
		default:
			return nil, d.Label + " is a date field: filter with cf." + d.Key + ".from, .to or .eq"
		}
	case customfields.DateTime:
		v, problem := one()
		if problem != "" {
			return nil, problem
		}
		start, isDate, ok := parseInstant(v, false)
		if !ok || v == "" {
			return nil, "must be a date (YYYY-MM-DD) or an RFC 3339 time"
		}
		end, _, _ := parseInstant(v, true)
		if !isDate {
			end = start.Add(time.Microsecond) // an instant bound includes that instant
		}
		e["op"] = "datetime"
		switch cf.Op {
		case "", "eq":
			e["after"], e["before"] = start.Format(time.RFC3339Nano), end.Format(time.RFC3339Nano)
		case "from":
			e["after"] = start.Format(time.RFC3339Nano)
		case "to":
			e["before"] = end.Format(time.RFC3339Nano)
		default:
			return nil, d.Label + " is a date and time field: filter with cf." + d.Key + ".from, .to or .eq"
		}
	case customfields.Checkbox:
		v, problem := one()
		if problem != "" {
			return nil, problem
		}
		checked, ok := map[string]bool{"true": true, "false": false}[strings.ToLower(v)]
		if !ok {
			return nil, "must be true or false"
		}
		if cf.Op != "" {
			return nil, d.Label + " is a checkbox: filter with cf." + d.Key + "=true or false"
		}
		e["op"], e["checked"] = "checkbox", checked
	case customfields.SingleSelect, customfields.MultiSelect:
		if cf.Op != "" {
			return nil, d.Label + " is a select field: filter with cf." + d.Key + "=<option>, repeated for several"
		}
		ids := []string{}
		for _, v := range cf.Values {
			id, ok := optionID(d, strings.TrimSpace(v))
			if !ok {
				return nil, fmt.Sprintf("%q is not an option of %s", v, d.Label)
			}
			ids = append(ids, id)
		}
		e["op"], e["ids"] = "any", ids
	default:
		return nil, "cannot filter fields of type " + string(d.Type)
	}
	return e, ""
}

// optionID finds the option s names, by id or by label (case-insensitive); retired options
// too, since stored values keep them.
func optionID(d customfields.Field, s string) (string, bool) {
	for _, o := range d.Options {
		if o.ID.String() == strings.ToLower(s) || strings.EqualFold(o.Label, s) {
			return o.ID.String(), true
		}
	}
	return "", false
}

// listRow is a contact of a list page with the names it shows and its stage's position.
type listRow = db.ListContactsRow

// listRows runs the list query of the order, from after.
func listRows(ctx context.Context, tx tenant.Tx, f filters, order Sort, after cursor, max int32) ([]listRow, error) {
	afterID := uuid.NullUUID{UUID: after.ID, Valid: after.ID != uuid.Nil}
	var updated time.Time
	if after.Updated != nil {
		updated = *after.Updated
	}
	var out []listRow
	var err error
	switch order {
	case SortNewest:
		out, err = tx.Q.ListContacts(ctx, db.ListContactsParams{WorkspaceID: f.ws, AgentID: f.agent, Status: f.status, StageID: f.stage,
			OwnerID: f.owner, Source: f.source, CreatedFrom: f.createdFrom, CreatedBefore: f.createdBefore, Custom: f.custom,
			AfterID: afterID, MaxRows: max})
	case SortOldest:
		rs, e := tx.Q.ListContactsOldest(ctx, db.ListContactsOldestParams{WorkspaceID: f.ws, AgentID: f.agent, Status: f.status, StageID: f.stage,
			OwnerID: f.owner, Source: f.source, CreatedFrom: f.createdFrom, CreatedBefore: f.createdBefore, Custom: f.custom,
			AfterID: afterID, MaxRows: max})
		for _, r := range rs {
			out = append(out, listRow(r))
		}
		err = e
	case SortName:
		rs, e := tx.Q.ListContactsByName(ctx, db.ListContactsByNameParams{WorkspaceID: f.ws, AgentID: f.agent, Status: f.status, StageID: f.stage,
			OwnerID: f.owner, Source: f.source, CreatedFrom: f.createdFrom, CreatedBefore: f.createdBefore, Custom: f.custom,
			AfterID: afterID, AfterName: after.Name, MaxRows: max})
		for _, r := range rs {
			out = append(out, listRow(r))
		}
		err = e
	case SortNameDesc:
		rs, e := tx.Q.ListContactsByNameDesc(ctx, db.ListContactsByNameDescParams{WorkspaceID: f.ws, AgentID: f.agent, Status: f.status, StageID: f.stage,
			OwnerID: f.owner, Source: f.source, CreatedFrom: f.createdFrom, CreatedBefore: f.createdBefore, Custom: f.custom,
			AfterID: afterID, AfterName: after.Name, MaxRows: max})
		for _, r := range rs {
			out = append(out, listRow(r))
		}
		err = e
	case SortUpdated:
		rs, e := tx.Q.ListContactsByUpdated(ctx, db.ListContactsByUpdatedParams{WorkspaceID: f.ws, AgentID: f.agent, Status: f.status, StageID: f.stage,
			OwnerID: f.owner, Source: f.source, CreatedFrom: f.createdFrom, CreatedBefore: f.createdBefore, Custom: f.custom,
			AfterID: afterID, AfterUpdated: updated, MaxRows: max})
		for _, r := range rs {
			out = append(out, listRow(r))
		}
		err = e
	case SortUpdatedDesc:
		rs, e := tx.Q.ListContactsByUpdatedDesc(ctx, db.ListContactsByUpdatedDescParams{WorkspaceID: f.ws, AgentID: f.agent, Status: f.status, StageID: f.stage,
			OwnerID: f.owner, Source: f.source, CreatedFrom: f.createdFrom, CreatedBefore: f.createdBefore, Custom: f.custom,
			AfterID: afterID, AfterUpdated: updated, MaxRows: max})
		for _, r := range rs {
			out = append(out, listRow(r))
		}
		err = e
	case SortStage, SortStageDesc:
		afterStage := uuid.NullUUID{UUID: after.StageID, Valid: after.ID != uuid.Nil}
		if order == SortStage {
			rs, e := tx.Q.ListContactsByStage(ctx, db.ListContactsByStageParams{WorkspaceID: f.ws, AgentID: f.agent, Status: f.status, StageID: f.stage,
				OwnerID: f.owner, Source: f.source, CreatedFrom: f.createdFrom, CreatedBefore: f.createdBefore, Custom: f.custom,
				AfterStage: afterStage, AfterPosition: after.StagePosition, AfterID: afterID, MaxRows: max})
			for _, r := range rs {
				out = append(out, listRow(r))
			}
			err = e
		} else {
			rs, e := tx.Q.ListContactsByStageDesc(ctx, db.ListContactsByStageDescParams{WorkspaceID: f.ws, AgentID: f.agent, Status: f.status, StageID: f.stage,
				OwnerID: f.owner, Source: f.source, CreatedFrom: f.createdFrom, CreatedBefore: f.createdBefore, Custom: f.custom,
				AfterStage: afterStage, AfterPosition: after.StagePosition, AfterID: afterID, MaxRows: max})
			for _, r := range rs {
				out = append(out, listRow(r))
			}
			err = e
		}
	default:
		return nil, apperr.Field("sort", "must be one of "+sortList())
	}
	return out, err
}

// cursorAfter is the cursor that continues after r in the order.
func cursorAfter(order Sort, r listRow) cursor {
	c := cursor{Sort: order, ID: r.Contact.ID}
	switch order {
	case SortName, SortNameDesc:
		c.Name = strings.ToLower(r.Contact.Name)
		if r.Contact.NameSort != nil {
			c.Name = *r.Contact.NameSort
		}
	case SortUpdated, SortUpdatedDesc:
		c.Updated = &r.Contact.UpdatedAt
	case SortStage, SortStageDesc:
		c.StagePosition = r.StagePosition
		if r.Contact.StageID.Valid && r.StageName != "" {
			c.StageID = r.Contact.StageID.UUID
		}
	}
	return c
}

// search reads a page of search results, newest first, below before. search_contacts applies
// the status, stage, owner and source filters itself; created dates and custom values are
// checked on its candidates, reading on (at most searchRounds batches) while they reject them.
func search(ctx context.Context, tx tenant.Tx, f filters, pattern string, before uuid.UUID, limit int) (ListPage, error) {
	out := ListPage{Items: []Contact{}}
	extra := f.createdFrom != nil || f.createdBefore != nil || f.custom != nil
	batch := limit + 1
	if extra {
		batch = max(batch, searchBatch)
	}
	below := uuid.NullUUID{UUID: before, Valid: before != uuid.Nil}
	for round := 0; round < searchRounds; round++ {
		ids, err := tx.Q.SearchContactIDs(ctx, db.SearchContactIDsParams{AgentID: f.agent, Pattern: pattern, Status: f.status,
			StageID: f.stage, OwnerID: f.owner, Source: f.source, BeforeID: below, MaxRows: int32(batch)})
		if err != nil || len(ids) == 0 {
			return out, err
		}
		var rows []listRow
		if extra {
			rs, err := tx.Q.ContactsByIDsFiltered(ctx, db.ContactsByIDsFilteredParams{WorkspaceID: f.ws, AgentID: f.agent, Ids: ids,
				CreatedFrom: f.createdFrom, CreatedBefore: f.createdBefore, Custom: f.custom})
			if err != nil {
				return out, err
			}
			for _, r := range rs {
				rows = append(rows, listRow(r))
			}
		} else {
			rs, err := tx.Q.ContactsByIDs(ctx, db.ContactsByIDsParams{WorkspaceID: f.ws, AgentID: f.agent, Ids: ids})
			if err != nil {
				return out, err
			}
			for _, r := range rs {
				rows = append(rows, listRow{Contact: r.Contact, PrimaryOwnerName: r.PrimaryOwnerName,
					SecondaryOwnerName: r.SecondaryOwnerName, StageName: r.StageName})
			}
		}
		for _, r := range rows {
			if len(out.Items) == limit {
				// A match beyond the page: continue after the page's last contact.
				out.NextCursor = cursor{Sort: SortNewest, ID: out.Items[limit-1].ID}.encode()
				return out, nil
			}
			out.Items = append(out.Items, fromRow(r.Contact, r.StageName, r.PrimaryOwnerName, r.SecondaryOwnerName))
		}
		if len(ids) < batch {
			return out, nil // the search has no more candidates
		}
		below = uuid.NullUUID{UUID: ids[len(ids)-1], Valid: true}
	}
	// Many candidates read, too few passed: end this page after the last candidate read.
	out.NextCursor = cursor{Sort: SortNewest, ID: below.UUID}.encode()
	return out, nil
}
