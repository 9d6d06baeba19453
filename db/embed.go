package db

import "embed"

// Migrations holds the schema migrations (goose format), applied by internal/migrate as the
// owner role. sqlc reads the same files as its schema.
//
//go:embed migrations/*.sql
var Migrations embed.FS
