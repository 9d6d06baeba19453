package contacts

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/guestlist/guestlist/db"
	"github.com/guestlist/guestlist/internal/apperr"
	"github.com/guestlist/guestlist/internal/audit"
	"github.com/guestlist/guestlist/internal/tenant"
)

// MaxStages bounds an agent's pipeline.
const MaxStages = 30

// Stage is a pipeline stage as the API shows it.
type Stage struct {
	ID           uuid.UUID `json:"id"`
	Name         string    `json:"name"`
	Position     int32     `json:"position"`
	ContactCount int64     `json:"contact_count"`
}

// Stages lists the agent's pipeline in order, with how many active contacts each holds.
func (s *Service) Stages(ctx context.Context, ws, agentID uuid.UUID) ([]Stage, error) {
	out := []Stage{}
	err := s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		var err error
		out, err = stages(ctx, tx, agentID)
		return err
	})
	return out, err
}

func stages(ctx context.Context, tx tenant.Tx, agentID uuid.UUID) ([]Stage, error) {
	rows, err := tx.Q.ListStages(ctx, db.ListStagesParams{WorkspaceID: tx.WorkspaceID, AgentID: agentID})
	out := []Stage{}
	for _, r := range rows {
		out = append(out, Stage{ID: r.ID, Name: r.Name, Position: r.Position, ContactCount: r.ContactCount})
	}
	return out, err
}

func stageName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if n := utf8.RuneCountInString(name); n < 1 || n > 60 {
		return "", apperr.Field("name", "must be 1 to 60 characters")
	}
	return name, nil
}

// stageNameTaken turns the unique index on a stage's name into a clear conflict.
func stageNameTaken(err error) error {
	if duplicateRace(err) != err {
		return &apperr.Error{Code: apperr.Conflict, Message: "the agent already has a stage with this name",
			Fields: map[string]string{"name": "is already a stage of this agent"}}
	}
	return err
}

// AddStage appends a stage to the pipeline.
func (s *Service) AddStage(ctx context.Context, ws, agentID uuid.UUID, name string) (Stage, error) {
	name, err := stageName(name)
	if err != nil {
		return Stage{}, err
	}
	var out Stage
	err = s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		n, err := tx.Q.CountStages(ctx, db.CountStagesParams{WorkspaceID: ws, AgentID: agentID})
		if err != nil {
			return err
		}
		if n >= MaxStages {
			return apperr.New(apperr.Invalid, "an agent has at most %d stages", MaxStages)
		}
		pos, err := tx.Q.NextStagePosition(ctx, db.NextStagePositionParams{WorkspaceID: ws, AgentID: agentID})
		if err != nil {
			return err
		}
		r, err := tx.Q.CreateStage(ctx, db.CreateStageParams{WorkspaceID: ws, AgentID: agentID, ID: uuid.Must(uuid.NewV7()), Name: name, Position: pos})
		if err != nil {
			return stageNameTaken(err)
		}
		out = Stage{ID: r.ID, Name: r.Name, Position: r.Position}
		return audit.Record(ctx, tx, audit.Entry{Action: "create", Resource: "stages", ResourceID: r.ID.String(), After: out})
	})
	return out, err
}

func lockStage(ctx context.Context, tx tenant.Tx, agentID, id uuid.UUID) (db.Stage, error) {
	st, err := tx.Q.GetStageForUpdate(ctx, db.GetStageForUpdateParams{WorkspaceID: tx.WorkspaceID, AgentID: agentID, ID: id})
	if errors.Is(err, pgx.ErrNoRows) {
		return st, apperr.New(apperr.NotFound, "no such stage")
	}
	return st, err
}

// RenameStage renames a stage; its contacts stay in it.
func (s *Service) RenameStage(ctx context.Context, ws, agentID, id uuid.UUID, name string) (Stage, error) {
	name, err := stageName(name)
	if err != nil {
		return Stage{}, err
	}
	var out Stage
	err = s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		before, err := lockStage(ctx, tx, agentID, id)
		if err != nil {
			return err
		}
		r, err := tx.Q.RenameStage(ctx, db.RenameStageParams{WorkspaceID: ws, AgentID: agentID, ID: id, Name: name})
		if err != nil {
			return stageNameTaken(err)
		}
		out = Stage{ID: r.ID, Name: r.Name, Position: r.Position}
		return audit.Record(ctx, tx, audit.Entry{Action: "update", Resource: "stages", ResourceID: id.String(),
			Before: map[string]any{"name": before.Name}, After: map[string]any{"name": r.Name}})
	})
	return out, err
}

// ReorderStages sets the pipeline's order; ids must be exactly the agent's stages.
func (s *Service) ReorderStages(ctx context.Context, ws, agentID uuid.UUID, ids []uuid.UUID) ([]Stage, error) {
	var out []Stage
	err := s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		before, err := stages(ctx, tx, agentID)
		if err != nil {
			return err
		}
		want := map[uuid.UUID]bool{}
		for _, st := range before {
			want[st.ID] = true
		}
		for _, id := range ids {
			if !want[id] {
				// Another agent's or workspace's stage is no stage here.
				return &apperr.Error{Code: apperr.NotFound, Message: "no such stage: " + id.String(),
					Fields: map[string]string{"stage_ids": "lists a stage this agent does not have"}}
			}
		}
		if len(ids) != len(before) || len(uniqueIDs(ids)) != len(ids) {
			return apperr.Field("stage_ids", "must list every stage of the agent exactly once")
		}
		if err := tx.Q.SetStagePositions(ctx, db.SetStagePositionsParams{WorkspaceID: ws, AgentID: agentID, Ids: ids}); err != nil {
			return err
		}
		if out, err = stages(ctx, tx, agentID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "reorder", Resource: "stages", ResourceID: agentID.String(), Before: before, After: out})
	})
	return out, err
}

// RemoveStage deletes a stage; its contacts move to moveTo, another stage of the agent. The
// last stage cannot go: every contact has a stage to be in.
func (s *Service) RemoveStage(ctx context.Context, ws, agentID, id, moveTo uuid.UUID) error {
	return s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		st, err := lockStage(ctx, tx, agentID, id)
		if err != nil {
			return err
		}
		if moveTo == id {
			return apperr.Field("move_to", "must be another stage")
		}
		target, err := tx.Q.GetStageForUpdate(ctx, db.GetStageForUpdateParams{WorkspaceID: ws, AgentID: agentID, ID: moveTo})
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.Field("move_to", "must be another stage of this agent (its contacts move there)")
		} else if err != nil {
			return err
		}
		moved, err := tx.Q.MoveStageContacts(ctx, db.MoveStageContactsParams{WorkspaceID: ws, AgentID: agentID,
			FromStage: uuid.NullUUID{UUID: id, Valid: true}, ToStage: uuid.NullUUID{UUID: moveTo, Valid: true}})
		if err != nil {
			return err
		}
		if err := tx.Q.DeleteStage(ctx, db.DeleteStageParams{WorkspaceID: ws, AgentID: agentID, ID: id}); err != nil {
			return err
		}
		// Each moved contact's history says so, as a move on the board would (one statement for
		// all of them).
		entries := make([]audit.Entry, 0, len(moved)+1)
		from, _ := json.Marshal(map[string]any{"stage": Ref{ID: id, Name: st.Name}})
		to, _ := json.Marshal(map[string]any{"stage": Ref{ID: moveTo, Name: target.Name}})
		for _, c := range moved {
			entries = append(entries, audit.Entry{Action: "update", Resource: "contacts", ResourceID: c.String(),
				Before: json.RawMessage(from), After: json.RawMessage(to)})
		}
		entries = append(entries, audit.Entry{Action: "delete", Resource: "stages", ResourceID: id.String(),
			Before: map[string]any{"name": st.Name}, After: map[string]any{"contacts_moved_to": moveTo, "contacts_moved": len(moved)}})
		return audit.RecordMany(ctx, tx, entries)
	})
}

func uniqueIDs(ids []uuid.UUID) []uuid.UUID {
	seen := map[uuid.UUID]bool{}
	out := []uuid.UUID{}
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
