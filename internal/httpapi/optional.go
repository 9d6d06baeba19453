package httpapi

import (
	"bytes"
	"encoding/json"
)

// Optional is a field of a PATCH body that tells apart "absent" (keep the value), "null"
// (clear it) and a value.
type Optional[T any] struct {
	Set   bool // the field was in the body
	Value *T   // nil: it was null
}

// UnmarshalJSON records that the field was present.
func (o *Optional[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		o.Value = nil
		return nil
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	o.Value = &v
	return nil
}

// Some is a present, non-null value, for inputs built in code rather than decoded.
func Some[T any](v T) Optional[T] { return Optional[T]{Set: true, Value: &v} }
