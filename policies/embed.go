// Package policies holds the Casbin model and policy for team authorization,
// embedded in the binary. The files are reviewed like code; internal/authz
// loads them and its test pins the full role × resource × action matrix.
package policies

import _ "embed"

// Model is the Casbin model (model.conf).
//
//go:embed model.conf
var Model string

// Policy is the Casbin policy (policy.csv): role × resource × action rows and
// the role inheritance rows.
//
//go:embed policy.csv
var Policy string
