package team

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/guestlist/guestlist/db"
	"github.com/guestlist/guestlist/internal/apperr"
	"github.com/guestlist/guestlist/internal/audit"
	"github.com/guestlist/guestlist/internal/auth"
	"github.com/guestlist/guestlist/internal/authz"
	"github.com/guestlist/guestlist/internal/httpapi"
	"github.com/guestlist/guestlist/internal/mail"
	"github.com/guestlist/guestlist/internal/tenant"
	"github.com/guestlist/guestlist/jobs"
)

// InvitationTTL is how long an invitation link works.
const InvitationTTL = 7 * 24 * time.Hour

// Invitation states.
const (
	Pending  = "pending"
	Expired  = "expired"
	Accepted = "accepted"
	Revoked  = "revoked"
)

// Invitation is an invitation as the API shows it.
type Invitation struct {
	ID        uuid.UUID  `json:"id"`
	Email     string     `json:"email"`
	Role      authz.Role `json:"role"`
	State     string     `json:"state"`
	InvitedBy string     `json:"invited_by"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt time.Time  `json:"expires_at"`
}

func state(i db.Invitation, now time.Time) string {
	switch {
	case i.AcceptedAt != nil:
		return Accepted
	case i.RevokedAt != nil:
		return Revoked
	case !now.Before(i.ExpiresAt):
		return Expired
	default:
		return Pending
	}
}

func invitationFrom(i db.Invitation, invitedBy string) Invitation {
	return Invitation{ID: i.ID, Email: i.Email, Role: authz.Role(i.Role), State: state(i, time.Now()),
		InvitedBy: invitedBy, CreatedAt: i.CreatedAt, ExpiresAt: i.ExpiresAt}
}

// newInvitationToken returns a link token and the hash that is stored. The token starts with
// the workspace id, so the public door finds the workspace without a cross-tenant lookup, and
// goes on with 256 random bits.
func newInvitationToken(ws uuid.UUID) (string, []byte) {
	b := make([]byte, 16+32)
	copy(b, ws[:])
	_, _ = rand.Read(b[16:])
	token := base64.RawURLEncoding.EncodeToString(b)
	h := sha256.Sum256([]byte(token))
	return token, h[:]
}

// parseInvitationToken returns the workspace a token names and the token's hash.
func parseInvitationToken(token string) (uuid.UUID, []byte, error) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) != 48 {
		return uuid.Nil, nil, errBadLink
	}
	ws, _ := uuid.FromBytes(b[:16])
	if ws == uuid.Nil {
		return uuid.Nil, nil, errBadLink
	}
	h := sha256.Sum256([]byte(token))
	return ws, h[:], nil
}

var errBadLink = &apperr.Error{Code: apperr.NotFound, Message: "this invitation link is not valid; ask for a new one",
	Fields: map[string]string{"token": "is not a valid invitation"}}

// Invite invites email to the workspace with role, and queues the email with the link.
func (s *Service) Invite(ctx context.Context, actor *httpapi.Member, email, role string) (Invitation, error) {
	bad := apperr.Fields{}
	normalized, ok := mail.NormalizeEmail(email)
	if !ok {
		bad.Add("email", "must be an email address such as name@example.com")
	}
	r, err := authz.ParseRole(role)
	if err != nil || r == authz.RoleOwner {
		bad.Add("role", "must be admin or user")
	}
	if err := bad.Err(); err != nil {
		return Invitation{}, err
	}
	if err := s.allow(ctx, actor, resourceFor(r), authz.ActionCreate, normalized); err != nil {
		return Invitation{}, err
	}
	var out Invitation
	err = s.tenants.Tx(ctx, actor.WorkspaceID, func(tx tenant.Tx) error {
		member, err := tx.Q.IsMemberByEmail(ctx, db.IsMemberByEmailParams{WorkspaceID: tx.WorkspaceID, EmailNormalized: normalized})
		if err != nil {
			return err
		}
		if member {
			return &apperr.Error{Code: apperr.Conflict, Message: normalized + " is already a member of this workspace",
				Fields: map[string]string{"email": "is already a member"}}
		}
		token, hash := newInvitationToken(tx.WorkspaceID)
		row, err := tx.Q.CreateInvitation(ctx, db.CreateInvitationParams{
			WorkspaceID: tx.WorkspaceID, ID: uuid.Must(uuid.NewV7()), Email: email, EmailNormalized: normalized,
			Role: string(r), TokenHash: hash, InvitedBy: uuid.NullUUID{UUID: actor.UserID, Valid: true},
			ExpiresAt: time.Now().Add(InvitationTTL),
		})
		if isUniqueViolation(err) {
			return &apperr.Error{Code: apperr.Conflict, Message: normalized + " already has an open invitation; resend it instead",
				Fields: map[string]string{"email": "already has an open invitation"}}
		}
		if err != nil {
			return err
		}
		out = invitationFrom(row, actor.Name)
		if err := s.sendInvitation(ctx, tx, actor, row, token); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "create", Resource: "invitations", ResourceID: row.ID.String(), After: out})
	})
	return out, err
}

func (s *Service) sendInvitation(ctx context.Context, tx tenant.Tx, actor *httpapi.Member, inv db.Invitation, token string) error {
	w, err := tx.Q.GetWorkspace(ctx, tx.WorkspaceID)
	if err != nil {
		return err
	}
	_, err = s.jobs.InsertTx(ctx, tx, jobs.SendEmailArgs{
		To:      inv.EmailNormalized,
		Subject: fmt.Sprintf("%s invited you to %s on Guestlist", actor.Name, w.Name),
		Text: fmt.Sprintf("Hello,\n\n%s invited you to join the workspace %q on Guestlist as %s.\n\n"+
			"Accept the invitation: %s/invite#%s\n\nThe link works once and expires on %s.\n",
			actor.Name, w.Name, inv.Role, s.baseURL, token, inv.ExpiresAt.UTC().Format("2 January 2006 at 15:04 UTC")),
	}, nil)
	return err
}

// Invitations lists the workspace's invitations, newest first.
func (s *Service) Invitations(ctx context.Context, ws uuid.UUID) ([]Invitation, error) {
	out := []Invitation{}
	err := s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		rows, err := tx.Q.ListInvitations(ctx, ws)
		for _, r := range rows {
			out = append(out, invitationFrom(r.Invitation, r.InvitedByName))
		}
		return err
	})
	return out, err
}

// changeInvitation loads an open invitation for resend or revoke, checking the actor may
// manage invitations of its role.
func (s *Service) changeInvitation(ctx context.Context, tx tenant.Tx, actor *httpapi.Member, id uuid.UUID, action string) (db.Invitation, string, error) {
	r, err := tx.Q.GetInvitationForUpdate(ctx, db.GetInvitationForUpdateParams{WorkspaceID: tx.WorkspaceID, ID: id})
	if errors.Is(err, pgx.ErrNoRows) {
		return db.Invitation{}, "", apperr.New(apperr.NotFound, "no such invitation")
	}
	if err != nil {
		return db.Invitation{}, "", err
	}
	inv := r.Invitation
	if err := s.allow(ctx, actor, resourceFor(authz.Role(inv.Role)), action, id.String()); err != nil {
		return db.Invitation{}, "", err
	}
	if st := state(inv, time.Now()); st == Accepted || st == Revoked {
		return db.Invitation{}, "", apperr.New(apperr.Conflict, "the invitation was already %s", st)
	}
	return inv, r.InvitedByName, nil
}

// Resend gives an open (or expired) invitation a new link and expiry and emails it again.
func (s *Service) Resend(ctx context.Context, actor *httpapi.Member, id uuid.UUID) (Invitation, error) {
	var out Invitation
	err := s.tenants.Tx(ctx, actor.WorkspaceID, func(tx tenant.Tx) error {
		inv, invitedBy, err := s.changeInvitation(ctx, tx, actor, id, authz.ActionUpdate)
		if err != nil {
			return err
		}
		token, hash := newInvitationToken(tx.WorkspaceID)
		// Microseconds, as PostgreSQL keeps them: the answer matches what a later read shows.
		inv.TokenHash, inv.ExpiresAt = hash, time.Now().Add(InvitationTTL).Truncate(time.Microsecond)
		if err := tx.Q.RenewInvitation(ctx, db.RenewInvitationParams{WorkspaceID: tx.WorkspaceID, ID: id, TokenHash: hash, ExpiresAt: inv.ExpiresAt}); err != nil {
			return err
		}
		out = invitationFrom(inv, invitedBy)
		if err := s.sendInvitation(ctx, tx, actor, inv, token); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "resend", Resource: "invitations", ResourceID: id.String(), After: out})
	})
	return out, err
}

// Revoke stops an open invitation's link from working.
func (s *Service) Revoke(ctx context.Context, actor *httpapi.Member, id uuid.UUID) (Invitation, error) {
	var out Invitation
	err := s.tenants.Tx(ctx, actor.WorkspaceID, func(tx tenant.Tx) error {
		inv, invitedBy, err := s.changeInvitation(ctx, tx, actor, id, authz.ActionDelete)
		if err != nil {
			return err
		}
		before := invitationFrom(inv, invitedBy)
		if err := tx.Q.RevokeInvitation(ctx, db.RevokeInvitationParams{WorkspaceID: tx.WorkspaceID, ID: id}); err != nil {
			return err
		}
		now := time.Now()
		inv.RevokedAt = &now
		out = invitationFrom(inv, invitedBy)
		return audit.Record(ctx, tx, audit.Entry{Action: "revoke", Resource: "invitations", ResourceID: id.String(), Before: before, After: out})
	})
	return out, err
}

// Preview is what an invitation link shows its recipient.
type Preview struct {
	WorkspaceName string     `json:"workspace_name"`
	Email         string     `json:"email"`
	Role          authz.Role `json:"role"`
	State         string     `json:"state"`
	AccountExists bool       `json:"account_exists"`
}

// Lookup is the public door of an invitation link: the token names its workspace.
func (s *Service) Lookup(ctx context.Context, token string) (Preview, error) {
	ws, hash, err := parseInvitationToken(token)
	if err != nil {
		return Preview{}, err
	}
	var out Preview
	err = s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		r, err := tx.Q.GetInvitationByToken(ctx, db.GetInvitationByTokenParams{WorkspaceID: ws, TokenHash: hash})
		if errors.Is(err, pgx.ErrNoRows) {
			return errBadLink
		}
		if err != nil {
			return err
		}
		inv := r.Invitation
		_, err = tx.Q.GetUserByEmail(ctx, inv.EmailNormalized)
		exists := err == nil
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		out = Preview{WorkspaceName: r.WorkspaceName, Email: inv.Email, Role: authz.Role(inv.Role), State: state(inv, time.Now()), AccountExists: exists}
		return nil
	})
	return out, err
}

// Accept uses an invitation: the recipient joins with the invited role (signing in with an
// existing account's password, or creating the account) and gets a session in the workspace.
// The link works once.
func (s *Service) Accept(ctx context.Context, token, name, password string, from auth.Client) (string, error) {
	defer s.auth.ForgetSessions() // after the commit: a new membership
	ws, hash, err := parseInvitationToken(token)
	if err != nil {
		return "", err
	}
	var session string
	err = s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		r, err := tx.Q.GetInvitationByToken(ctx, db.GetInvitationByTokenParams{WorkspaceID: ws, TokenHash: hash})
		if errors.Is(err, pgx.ErrNoRows) {
			return errBadLink
		}
		if err != nil {
			return err
		}
		inv := r.Invitation
		switch state(inv, time.Now()) {
		case Accepted:
			return apperr.Field("token", "this invitation was already used; sign in instead")
		case Revoked:
			return apperr.Field("token", "this invitation was revoked; ask for a new one")
		case Expired:
			return apperr.Field("token", "this invitation has expired; ask for a new one")
		}
		member, err := tx.Q.IsMemberByEmail(ctx, db.IsMemberByEmailParams{WorkspaceID: ws, EmailNormalized: inv.EmailNormalized})
		if err != nil {
			return err
		}
		if member {
			return apperr.New(apperr.Conflict, "you are already a member of %s; sign in instead", r.WorkspaceName)
		}
		userID, token, err := s.auth.JoinTx(ctx, tx, inv.EmailNormalized, name, password, from)
		if err != nil {
			return err
		}
		session = token
		ctx := audit.WithActor(ctx, withUser(audit.ActorFrom(ctx), userID))
		if _, err := tx.Q.CreateMembership(ctx, db.CreateMembershipParams{WorkspaceID: ws, UserID: userID, Role: inv.Role}); err != nil {
			return err
		}
		if err := tx.Q.MarkInvitationAccepted(ctx, db.MarkInvitationAcceptedParams{WorkspaceID: ws, ID: inv.ID, AcceptedBy: uuid.NullUUID{UUID: userID, Valid: true}}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "accept", Resource: "invitations", ResourceID: inv.ID.String(),
			After: map[string]any{"user_id": userID, "role": inv.Role}})
	})
	return session, err
}

func withUser(a audit.Actor, id uuid.UUID) audit.Actor {
	a.UserID = id
	return a
}

func isUniqueViolation(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && pg.Code == pgerrcode.UniqueViolation
}
