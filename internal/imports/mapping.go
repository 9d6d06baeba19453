package imports

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/guestlist/guestlist/internal/apperr"
	"github.com/guestlist/guestlist/internal/fields"
)

// Targets a column can be mapped to; a custom field is "custom:<key>".
const (
	TargetIgnore     = "ignore"
	TargetName       = "name"
	TargetFirstName  = "first_name"
	TargetLastName   = "last_name"
	TargetEmail      = "email"
	TargetPhone      = "phone"
	TargetStage      = "stage"
	TargetOwner      = "owner"
	TargetExternalID = "external_id"
	customPrefix     = "custom:"
)

var builtinTargets = []string{TargetName, TargetFirstName, TargetLastName, TargetEmail, TargetPhone, TargetStage, TargetOwner, TargetExternalID}

// Modes of an import.
const (
	CreateOnly      = "create_only"
	CreateAndUpdate = "create_and_update"
	UpdateOnly      = "update_only"
)

func validMode(m string) bool { return m == CreateOnly || m == CreateAndUpdate || m == UpdateOnly }

// synonyms are the header spellings each built-in target is suggested for, compared after
// folding (lower case, letters and digits only).
var synonyms = map[string][]string{
	TargetName:       {"name", "fullname", "contactname", "contact", "displayname"},
	TargetFirstName:  {"firstname", "first", "givenname", "forename", "prenom"},
	TargetLastName:   {"lastname", "last", "surname", "familyname", "nom"},
	TargetEmail:      {"email", "emailaddress", "mail", "email1", "primaryemail", "courriel"},
	TargetPhone:      {"phone", "phonenumber", "mobile", "mobilephone", "mobilenumber", "tel", "telephone", "cell", "cellphone"},
	TargetStage:      {"stage", "lifecyclestage", "pipelinestage", "dealstage", "leadstatus"},
	TargetOwner:      {"owner", "owneremail", "contactowner", "assignedto", "salesperson"},
	TargetExternalID: {"externalid", "id", "recordid", "contactid", "customerid", "crmid"},
}

// fold reduces a header to lower-case letters and digits.
func fold(s string) string {
	var b strings.Builder
	// Decomposed, so accents fall away as combining marks: "Téléphone" is "telephone".
	for _, r := range norm.NFKD.String(strings.ToLower(s)) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Suggest maps each header to a target: a built-in by its usual spellings, a custom field by
// its label or key, otherwise ignore. Each target is given once, to the first column naming it.
func Suggest(headers []string, fs []fields.Field) []string {
	out := make([]string, len(headers))
	taken := map[string]bool{}
	for i, h := range headers {
		out[i] = TargetIgnore
		f := fold(h)
		if f == "" {
			continue
		}
		pick := ""
		for _, t := range builtinTargets {
			if slices.Contains(synonyms[t], f) {
				pick = t
				break
			}
		}
		if pick == "" {
			for _, fd := range fs {
				if !fd.Archived() && (fold(fd.Label) == f || fold(fd.Key) == f) {
					pick = customPrefix + fd.Key
					break
				}
			}
		}
		if pick != "" && !taken[pick] {
			out[i], taken[pick] = pick, true
		}
	}
	// A name column wins over first and last names; first and last alone make the name.
	if taken[TargetName] {
		for i, t := range out {
			if t == TargetFirstName || t == TargetLastName {
				out[i] = TargetIgnore
			}
		}
	}
	return out
}

// headerKey identifies a set of headers (in order, folded) for the agent's templates.
func headerKey(headers []string) string {
	folded := make([]string, len(headers))
	for i, h := range headers {
		folded[i] = strings.ToLower(strings.TrimSpace(h))
	}
	sum := sha256.Sum256([]byte(strings.Join(folded, "\x1f")))
	return hex.EncodeToString(sum[:])
}

// checkMapping refuses a mapping that does not fit the file or the agent: one target per
// column, known targets, each at most once, active custom fields, and a column that can tell
// contacts apart (email, phone or external id).
func checkMapping(mapping []string, headers []string, fs []fields.Field) error {
	if len(mapping) != len(headers) {
		return apperr.Field("mapping", fmt.Sprintf("must have one target per column: the file has %d columns", len(headers)))
	}
	active := map[string]bool{}
	for _, f := range fs {
		if !f.Archived() {
			active[f.Key] = true
		}
	}
	seen := map[string]bool{}
	for i, t := range mapping {
		name := fmt.Sprintf("mapping.%d", i)
		switch {
		case t == TargetIgnore:
			continue
		case strings.HasPrefix(t, customPrefix):
			if !active[strings.TrimPrefix(t, customPrefix)] {
				return apperr.Field(name, fmt.Sprintf("%q is not an active custom field of this agent", strings.TrimPrefix(t, customPrefix)))
			}
		case !slices.Contains(builtinTargets, t):
			return apperr.Field(name, fmt.Sprintf("%q is not a target: use name, first_name, last_name, email, phone, stage, owner, external_id, custom:<key> or ignore", t))
		}
		if seen[t] {
			return apperr.Field(name, fmt.Sprintf("%s is mapped twice; map it to one column", t))
		}
		seen[t] = true
	}
	if seen[TargetName] && (seen[TargetFirstName] || seen[TargetLastName]) {
		return apperr.Field("mapping", "map either name, or first and last name, not both")
	}
	if !seen[TargetEmail] && !seen[TargetPhone] && !seen[TargetExternalID] {
		return apperr.Field("mapping", "map a column to email, phone or external_id: contacts are found and created by them")
	}
	return nil
}
