package fields

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/guestlist/guestlist/internal/apperr"
	"github.com/guestlist/guestlist/internal/httpapi"
)

var (
	gold    = Option{ID: uuid.MustParse("0190a000-0000-7000-8000-000000000001"), Label: "Gold"}
	silver  = Option{ID: uuid.MustParse("0190a000-0000-7000-8000-000000000002"), Label: "Silver"}
	bronze  = Option{ID: uuid.MustParse("0190a000-0000-7000-8000-000000000003"), Label: "Bronze", Retired: true}
	options = []Option{gold, silver, bronze}
)

// TestNormalize covers every type's valid and invalid values.
func TestNormalize(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", MaxTextLength)
	cases := []struct {
		typ  Type
		raw  string
		want any    // the normalized value (nil: no value)
		bad  string // a fragment of the problem; "" when valid
		old  any
	}{
		{typ: Text, raw: `"  hello  "`, want: "hello"},
		{typ: Text, raw: `""`, want: nil},
		{typ: Text, raw: `"   "`, want: nil},
		{typ: Text, raw: `null`, want: nil},
		{typ: Text, raw: `"` + long + `"`, want: long},
		{typ: Text, raw: `"` + long + `x"`, bad: "at most 2000"},
		{typ: Text, raw: `42`, bad: "must be a string"},
		{typ: Text, raw: `"a\u0000b"`, bad: "NUL"},
		{typ: LongText, raw: `"line 1\nline 2"`, want: "line 1\nline 2"},
		{typ: LongText, raw: `"` + strings.Repeat("x", MaxLongTextLength) + `"`, want: strings.Repeat("x", MaxLongTextLength)},
		{typ: LongText, raw: `"` + strings.Repeat("x", MaxLongTextLength+1) + `"`, bad: "at most 20000"},
		{typ: LongText, raw: `["a"]`, bad: "must be a string"},

		{typ: Number, raw: `42`, want: 42.0},
		{typ: Number, raw: `-3.25`, want: -3.25},
		{typ: Number, raw: `1e3`, want: 1000.0},
		{typ: Number, raw: `"  17.5 "`, want: 17.5},
		{typ: Number, raw: `"-0"`, want: 0.0},
		{typ: Number, raw: `""`, want: nil},
		{typ: Number, raw: `"12abc"`, bad: "must be a number"},
		{typ: Number, raw: `"NaN"`, bad: "must be a number"},
		{typ: Number, raw: `"Inf"`, bad: "must be a number"},
		{typ: Number, raw: `"0x1p3"`, bad: "must be a number"},
		{typ: Number, raw: `"1e400"`, bad: "within"},
		{typ: Number, raw: `1e400`, bad: "not a valid JSON value"},
		{typ: Number, raw: `true`, bad: "must be a number"},
		{typ: Number, raw: `[1]`, bad: "must be a number"},

		{typ: Date, raw: `"2025-02-28"`, want: "2025-02-28"},
		{typ: Date, raw: `"2024-02-29"`, want: "2024-02-29"},
		{typ: Date, raw: `"2025-02-29"`, bad: "YYYY-MM-DD"},
		{typ: Date, raw: `"28/02/2025"`, bad: "YYYY-MM-DD"},
		{typ: Date, raw: `"2025-02-28T10:00:00Z"`, bad: "YYYY-MM-DD"},
		{typ: Date, raw: `20250228`, bad: "YYYY-MM-DD"},

		{typ: DateTime, raw: `"2025-01-31T14:30:00Z"`, want: "2025-01-31T14:30:00Z"},
		{typ: DateTime, raw: `"2025-01-31T16:30:00+02:00"`, want: "2025-01-31T14:30:00Z"},
		{typ: DateTime, raw: `"2025-01-31T14:30:00.250-01:00"`, want: "2025-01-31T15:30:00.25Z"},
		{typ: DateTime, raw: `"2025-01-31T14:30:00"`, bad: "RFC 3339"},
		{typ: DateTime, raw: `"2025-01-31"`, bad: "RFC 3339"},
		{typ: DateTime, raw: `1738333800`, bad: "RFC 3339"},

		{typ: Checkbox, raw: `true`, want: true},
		{typ: Checkbox, raw: `false`, want: false},
		{typ: Checkbox, raw: `"TRUE"`, want: true},
		{typ: Checkbox, raw: `"false"`, want: false},
		{typ: Checkbox, raw: `"yes"`, bad: "true or false"},
		{typ: Checkbox, raw: `1`, bad: "true or false"},

		{typ: Email, raw: `" Ada@Example.COM "`, want: "ada@example.com"},
		{typ: Email, raw: `"ada@example"`, bad: "email address"},
		{typ: Email, raw: `"Ada <ada@example.com>"`, bad: "email address"},
		{typ: Email, raw: `"not an email"`, bad: "email address"},
		{typ: Email, raw: `7`, bad: "email address"},

		{typ: Phone, raw: `"(415) 555-2671"`, want: "+14155552671"},
		{typ: Phone, raw: `"+44 20 7946 0958"`, want: "+442079460958"},
		{typ: Phone, raw: `"12"`, bad: "valid phone number"},
		{typ: Phone, raw: `"call me"`, bad: "valid phone number"},
		{typ: Phone, raw: `4155552671`, bad: "as a string"},

		{typ: URL, raw: `"https://Example.com/Pricing?a=1"`, want: "https://example.com/Pricing?a=1"},
		{typ: URL, raw: `"http://localhost:8080/x"`, want: "http://localhost:8080/x"},
		{typ: URL, raw: `"example.com/pricing"`, want: "https://example.com/pricing"},
		{typ: URL, raw: `"javascript:alert(1)"`, bad: "http or https"},
		{typ: URL, raw: `"ftp://example.com/file"`, bad: "http or https"},
		{typ: URL, raw: `"https://user:pw@example.com"`, bad: "http or https"},
		{typ: URL, raw: `"https://exa mple.com"`, bad: "http or https"},
		{typ: URL, raw: `"https://nodot"`, bad: "http or https"},
		{typ: URL, raw: `"https://"`, bad: "http or https"},
		{typ: URL, raw: `"https://example.com/` + strings.Repeat("a", MaxURLLength) + `"`, bad: "at most 2000"},
		{typ: URL, raw: `{}`, bad: "web address"},

		{typ: SingleSelect, raw: `"` + gold.ID.String() + `"`, want: gold.ID.String()},
		{typ: SingleSelect, raw: `"Silver"`, want: silver.ID.String()},
		{typ: SingleSelect, raw: `"silver"`, want: silver.ID.String()},
		{typ: SingleSelect, raw: `"Platinum"`, bad: "not an option"},
		{typ: SingleSelect, raw: `"` + uuid.NewString() + `"`, bad: "not an option"},
		{typ: SingleSelect, raw: `"Bronze"`, bad: "retired"},
		{typ: SingleSelect, raw: `"Bronze"`, old: bronze.ID.String(), want: bronze.ID.String()},
		{typ: SingleSelect, raw: `["Gold"]`, bad: "id or label"},

		{typ: MultiSelect, raw: `["Silver", "` + gold.ID.String() + `", "gold"]`, want: sorted(gold.ID, silver.ID)},
		{typ: MultiSelect, raw: `"Gold"`, want: []any{gold.ID.String()}},
		{typ: MultiSelect, raw: `[]`, want: nil},
		{typ: MultiSelect, raw: `["", " "]`, want: nil},
		{typ: MultiSelect, raw: `["Gold", "Bronze"]`, bad: "retired"},
		{typ: MultiSelect, raw: `["Gold", "Bronze"]`, old: []any{bronze.ID.String()}, want: sorted(gold.ID, bronze.ID)},
		{typ: MultiSelect, raw: `["Gold", "Tin"]`, bad: "not an option"},
		{typ: MultiSelect, raw: `[1]`, bad: "ids or labels"},
		{typ: MultiSelect, raw: `{"a": 1}`, bad: "ids or labels"},

		{typ: Text, raw: `{`, bad: "not a valid JSON value"},
	}
	for _, tc := range cases {
		f := Field{Key: "k", Type: tc.typ, Options: options}
		got, problem := normalize(f, json.RawMessage(tc.raw), tc.old, "US")
		name := string(tc.typ) + " " + truncate(tc.raw)
		if tc.bad != "" {
			require.Contains(t, problem, tc.bad, name)
			require.Nil(t, got, name)
			continue
		}
		require.Empty(t, problem, name)
		require.Equal(t, tc.want, got, name)
		if got != nil {
			// A normalized value is a fixed point: stored, read back and written again, it stays.
			raw, err := json.Marshal(got)
			require.NoError(t, err)
			again, problem := normalize(f, raw, got, "US")
			require.Empty(t, problem, name)
			require.Equal(t, got, again, name)
		}
	}
}

func sorted(ids ...uuid.UUID) []any {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = id.String()
	}
	slices.Sort(s)
	out := make([]any, len(s))
	for i := range s {
		out[i] = s[i]
	}
	return out
}

func ptrNow() *time.Time {
	now := time.Now()
	return &now
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

func TestPhoneUsesTheCountry(t *testing.T) {
	t.Parallel()
	f := Field{Type: Phone}
	got, problem := normalize(f, json.RawMessage(`"020 7946 0958"`), nil, "GB")
	require.Empty(t, problem)
	require.Equal(t, "+442079460958", got)
}

func TestDeriveKey(t *testing.T) {
	t.Parallel()
	for label, want := range map[string]string{
		"Lead score":              "lead_score",
		"  Lead   Score!! ":       "lead_score",
		"Café-Größe":              "cafe_grosse",
		"Customer's tier":         "customers_tier",
		"Ørsted ÆØÅ":              "orsted_aeoa",
		"2nd phone":               "field_2nd_phone",
		"電話":                      "field",
		"---":                     "field",
		"ID (internal)":           "id_internal",
		"Şirket İsmi":             "sirket_ismi",
		strings.Repeat("ab ", 40): strings.TrimRight(strings.Repeat("ab_", 22)[:MaxKeyLength], "_"),
	} {
		got := DeriveKey(label)
		require.Equal(t, want, got, label)
		require.Empty(t, checkKeyForm(got), label)
	}
}

// checkKeyForm is checkKey without the reserved list (derived keys are made unique after).
func checkKeyForm(k string) string {
	if len(k) == 0 || len(k) > MaxKeyLength || !keyPattern.MatchString(k) {
		return "bad form"
	}
	return ""
}

func TestUniqueKey(t *testing.T) {
	t.Parallel()
	taken := map[string]bool{"lead_score": true, "lead_score_2": true}
	require.Equal(t, "tier", uniqueKey("tier", taken))
	require.Equal(t, "lead_score_3", uniqueKey("lead_score", taken))
	require.Equal(t, "email_2", uniqueKey("email", taken), "built-in keys are never derived")
	require.Equal(t, "name_2", uniqueKey("name", taken))
	long := strings.Repeat("a", MaxKeyLength)
	got := uniqueKey(long, map[string]bool{long: true})
	require.Len(t, got, MaxKeyLength)
	require.True(t, strings.HasSuffix(got, "_2"))
}

func TestCheckKey(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"a", "lead_score", "x2", strings.Repeat("a", MaxKeyLength)} {
		require.Empty(t, checkKey(ok), ok)
	}
	for _, bad := range []string{"", "Lead", "2x", "_x", "a-b", "a b", "é", strings.Repeat("a", MaxKeyLength+1)} {
		require.Contains(t, checkKey(bad), "lowercase", bad)
	}
	for _, reserved := range []string{"name", "email", "phone", "stage", "status", "owner", "source", "external_id"} {
		require.Contains(t, checkKey(reserved), "built-in", reserved)
	}
}

func TestMergeOptions(t *testing.T) {
	t.Parallel()
	have := []Option{gold, silver}
	id := func(u uuid.UUID) *uuid.UUID { return &u }

	// Rename, reorder, retire and add in one list.
	got, problem := mergeOptions(have, []OptionInput{{ID: id(silver.ID), Label: " Argent ", Retired: true}, {ID: id(gold.ID), Label: "Gold"}, {Label: "Platinum"}})
	require.Empty(t, problem)
	require.Len(t, got, 3)
	require.Equal(t, Option{ID: silver.ID, Label: "Argent", Retired: true}, got[0])
	require.Equal(t, gold, got[1])
	require.Equal(t, "Platinum", got[2].Label)
	require.NotEqual(t, uuid.Nil, got[2].ID)

	for problem, in := range map[string][]OptionInput{
		"cannot be removed":   {{ID: id(gold.ID), Label: "Gold"}},
		"not an option":       {{ID: id(gold.ID), Label: "Gold"}, {ID: id(silver.ID), Label: "Silver"}, {ID: id(uuid.New()), Label: "X"}},
		"listed twice":        {{ID: id(gold.ID), Label: "Gold"}, {ID: id(gold.ID), Label: "Gold 2"}, {ID: id(silver.ID), Label: "Silver"}},
		"labels must differ":  {{ID: id(gold.ID), Label: "Gold"}, {ID: id(silver.ID), Label: "GOLD"}},
		"label of 1 to 100":   {{ID: id(gold.ID), Label: " "}, {ID: id(silver.ID), Label: "Silver"}},
		"at most 200 options": make([]OptionInput, MaxOptions+1),
	} {
		_, got := mergeOptions(have, in)
		require.Contains(t, got, problem)
	}
}

func ptr[T any](v T) *T { return &v }

func rawp(s string) *json.RawMessage {
	r := json.RawMessage(s)
	return &r
}

func TestApply(t *testing.T) {
	t.Parallel()
	create := func(in Input) (Field, error) { return in.apply(Field{}, true, "US") }

	f, err := create(Input{Label: ptr(" Tier "), Type: ptr("single_select"), Options: &[]OptionInput{{Label: "Gold"}, {Label: "Silver"}},
		DefaultValue: httpapi.Optional[json.RawMessage]{Set: true, Value: rawp(`"silver"`)}, AIPolicy: ptr("fill_empty"), AIHint: ptr("the plan they mention")})
	require.NoError(t, err)
	require.Equal(t, "Tier", f.Label)
	require.Equal(t, f.Options[1].ID.String(), f.DefaultValue, "defaults are stored normalized: the option's id")
	require.Equal(t, AIFillEmpty, f.AIPolicy)

	f2, err := create(Input{Label: ptr("Notes"), Type: ptr("long_text")})
	require.NoError(t, err)
	require.Equal(t, AIOff, f2.AIPolicy, "the AI is off by default")
	require.Equal(t, []Option{}, f2.Options)

	for field, in := range map[string]Input{
		"type":          {Label: ptr("X")},
		"label":         {Type: ptr("text"), Label: ptr(strings.Repeat("x", MaxLabelLength+1))},
		"key":           {Type: ptr("text"), Label: ptr("X"), Key: ptr("Not A Key")},
		"help_text":     {Type: ptr("text"), Label: ptr("X"), HelpText: ptr(strings.Repeat("x", 501))},
		"ai_hint":       {Type: ptr("text"), Label: ptr("X"), AIHint: ptr(strings.Repeat("x", 501))},
		"ai_policy":     {Type: ptr("text"), Label: ptr("X"), AIPolicy: ptr("sometimes")},
		"unique":        {Type: ptr("checkbox"), Label: ptr("X"), Unique: ptr(true)},
		"options":       {Type: ptr("text"), Label: ptr("X"), Options: &[]OptionInput{{Label: "A"}}},
		"default_value": {Type: ptr("number"), Label: ptr("X"), DefaultValue: httpapi.Optional[json.RawMessage]{Set: true, Value: rawp(`"many"`)}},
	} {
		_, err := create(in)
		require.Error(t, err, field)
		require.Contains(t, err.(*apperr.Error).Fields, field)
	}
	_, err = create(Input{Type: ptr("multi_select"), Label: ptr("X")})
	require.Contains(t, err.(*apperr.Error).Fields["options"], "at least one option")
	_, err = create(Input{Type: ptr("email"), Label: ptr("X"), Unique: ptr(true), DefaultValue: httpapi.Optional[json.RawMessage]{Set: true, Value: rawp(`"a@example.com"`)}})
	require.Contains(t, err.(*apperr.Error).Fields["default_value"], "unique")

	// Updates: key and type are fixed; the default follows the options.
	_, err = Input{Type: ptr("number")}.apply(f, false, "US")
	require.Contains(t, err.(*apperr.Error).Fields["type"], "cannot change")
	_, err = Input{Key: ptr("other")}.apply(f, false, "US")
	require.Contains(t, err.(*apperr.Error).Fields["key"], "cannot change")
	same, err := Input{Type: ptr("single_select")}.apply(f, false, "US")
	require.NoError(t, err, "sending the same type is fine")
	require.Equal(t, f, same)
	retireDefault := &[]OptionInput{{ID: &f.Options[0].ID, Label: "Gold"}, {ID: &f.Options[1].ID, Label: "Silver", Retired: true}}
	_, err = Input{Options: retireDefault}.apply(f, false, "US")
	require.Contains(t, err.(*apperr.Error).Fields["default_value"], "retired")
	cleared, err := Input{Options: retireDefault, DefaultValue: httpapi.Optional[json.RawMessage]{Set: true}}.apply(f, false, "US")
	require.NoError(t, err)
	require.Nil(t, cleared.DefaultValue)
	require.True(t, cleared.Options[1].Retired)
}

// TestValidate covers the write rules over a fixed set of fields; the API tests run Validate
// itself against the database.
func TestValidate(t *testing.T) {
	t.Parallel()
	archived := Field{Key: "old", Type: Text}
	archived.ArchivedAt = ptrNow()
	fs := []Field{
		{Key: "company", Type: Text, Required: true},
		{Key: "score", Type: Number, AIPolicy: AIOverwrite},
		{Key: "tier", Type: SingleSelect, Options: options, AIPolicy: AIFillEmpty, DefaultValue: gold.ID.String()},
		{Key: "secret", Type: Text},
		archived,
	}
	raw := func(m map[string]string) map[string]json.RawMessage {
		out := map[string]json.RawMessage{}
		for k, v := range m {
			out[k] = json.RawMessage(v)
		}
		return out
	}
	fieldsOf := func(err error) map[string]string { return err.(*apperr.Error).Fields }

	// A member creating: required enforced, defaults fill what is absent.
	_, err := validate(fs, nil, raw(map[string]string{"score": `1`}), true, WriterMember, "US")
	require.Equal(t, "is required", fieldsOf(err)["custom.company"])
	got, err := validate(fs, nil, raw(map[string]string{"company": `"Acme"`}), true, WriterMember, "US")
	require.NoError(t, err)
	require.Equal(t, map[string]any{"company": "Acme", "tier": gold.ID.String()}, got)
	got, err = validate(fs, nil, raw(map[string]string{"company": `"Acme"`, "tier": `null`}), true, WriterMember, "US")
	require.NoError(t, err)
	require.NotContains(t, got, "tier", "an explicit null is not absent: no default")

	// A member updating: a required field cannot be cleared, others can; the rest is kept.
	current := map[string]any{"company": "Acme", "score": 3.0, "old": "kept"}
	_, err = validate(fs, current, raw(map[string]string{"company": `""`}), false, WriterMember, "US")
	require.Equal(t, "is required", fieldsOf(err)["custom.company"])
	got, err = validate(fs, current, raw(map[string]string{"score": `null`}), false, WriterMember, "US")
	require.NoError(t, err)
	require.Equal(t, map[string]any{"company": "Acme", "old": "kept"}, got)
	require.Equal(t, 3.0, current["score"], "current is not modified")

	// Unknown, archived, invalid: every problem named at once.
	_, err = validate(fs, current, raw(map[string]string{"nope": `1`, "old": `"x"`, "score": `"x"`}), false, WriterMember, "US")
	require.Equal(t, map[string]string{"custom.nope": "is not a field of this agent", "custom.old": "is archived; restore the field to write it",
		"custom.score": "must be a number"}, fieldsOf(err))

	// The AI: only fields open to it; fill_empty keeps a value; overwrite may change it; required
	// is not enforced (chat captures contacts bit by bit).
	_, err = validate(fs, current, raw(map[string]string{"secret": `"x"`}), false, WriterAI, "US")
	require.Contains(t, fieldsOf(err)["custom.secret"], "not open to the AI")
	got, err = validate(fs, nil, raw(map[string]string{"score": `5`}), true, WriterAI, "US")
	require.NoError(t, err)
	require.Equal(t, map[string]any{"score": 5.0, "tier": gold.ID.String()}, got)
	got, err = validate(fs, map[string]any{"tier": gold.ID.String(), "score": 1.0}, raw(map[string]string{"tier": `"Silver"`, "score": `2`}), false, WriterAI, "US")
	require.NoError(t, err)
	require.Equal(t, gold.ID.String(), got["tier"], "fill_empty never overwrites")
	require.Equal(t, 2.0, got["score"], "overwrite does")
	got, err = validate(fs, map[string]any{"company": "Acme"}, raw(map[string]string{"tier": `"Silver"`}), false, WriterAI, "US")
	require.NoError(t, err)
	require.Equal(t, silver.ID.String(), got["tier"], "fill_empty fills an empty field")

	// Not even the AI clears a required field that has a value.
	req := []Field{{Key: "company", Type: Text, Required: true, AIPolicy: AIOverwrite}}
	_, err = validate(req, map[string]any{"company": "Acme"}, raw(map[string]string{"company": `null`}), false, WriterAI, "US")
	require.Equal(t, "is required", fieldsOf(err)["custom.company"])
	got, err = validate(req, nil, raw(map[string]string{"company": `""`}), true, WriterAI, "US")
	require.NoError(t, err)
	require.Empty(t, got)
}
