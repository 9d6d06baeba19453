package tenant

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// PrepareConn readies a pool connection (pgxpool.Config.AfterConnect): ids (uuid.UUID and
// uuid.NullUUID, what sqlc's queries take) are sent as PostgreSQL's 16 bytes. pgx knows uuid.UUID only as a
// driver.Valuer, so every id, and every element of an id array, was formatted as text and parsed
// back: measured, a quarter of the Go time of a chat save batch (a dozen id arrays of a few
// dozen ids each). Optional ids went the same way: in an import's COPY into its staging table,
// formatting them was a tenth of the worker's CPU.
func PrepareConn(_ context.Context, conn *pgx.Conn) error {
	m := conn.TypeMap()
	m.TryWrapEncodePlanFuncs = append([]pgtype.TryWrapEncodePlanFunc{wrapUUID}, m.TryWrapEncodePlanFuncs...)
	return nil
}

// wrapUUID hands a uuid.UUID on as an id pgx encodes natively; where no such plan exists (a
// text parameter) pgx goes on to its other plans, as before.
func wrapUUID(value any) (pgtype.WrappedEncodePlanNextSetter, any, bool) {
	switch u := value.(type) {
	case uuid.UUID:
		return &uuidEncodePlan{}, nativeUUID(u), true
	case uuid.NullUUID:
		return &nullUUIDEncodePlan{}, nativeNullUUID(u), true
	}
	return nil, nil, false
}

type uuidEncodePlan struct{ next pgtype.EncodePlan }

func (p *uuidEncodePlan) SetNext(next pgtype.EncodePlan) { p.next = next }

func (p *uuidEncodePlan) Encode(value any, buf []byte) ([]byte, error) {
	return p.next.Encode(nativeUUID(value.(uuid.UUID)), buf)
}

// nativeUUID is an id as pgx's uuid codec takes it, and as text for a text parameter.
type nativeUUID uuid.UUID

func (u nativeUUID) UUIDValue() (pgtype.UUID, error) { return pgtype.UUID{Bytes: u, Valid: true}, nil }

func (u nativeUUID) TextValue() (pgtype.Text, error) {
	return pgtype.Text{String: uuid.UUID(u).String(), Valid: true}, nil
}

type nullUUIDEncodePlan struct{ next pgtype.EncodePlan }

func (p *nullUUIDEncodePlan) SetNext(next pgtype.EncodePlan) { p.next = next }

func (p *nullUUIDEncodePlan) Encode(value any, buf []byte) ([]byte, error) {
	return p.next.Encode(nativeNullUUID(value.(uuid.NullUUID)), buf)
}

// nativeNullUUID is an optional id as pgx's uuid codec takes it (NULL when not Valid), and as
// text for a text parameter.
type nativeNullUUID uuid.NullUUID

func (u nativeNullUUID) UUIDValue() (pgtype.UUID, error) {
	return pgtype.UUID{Bytes: u.UUID, Valid: u.Valid}, nil
}

func (u nativeNullUUID) TextValue() (pgtype.Text, error) {
	if !u.Valid {
		return pgtype.Text{}, nil
	}
	return pgtype.Text{String: u.UUID.String(), Valid: true}, nil
}
