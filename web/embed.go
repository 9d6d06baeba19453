// Package web embeds the built dashboard (web/dist, produced by `make web`).
package web

import "embed"

// Dist holds the built single-page app. Before the first build it holds only .keep,
// and the server answers / with a hint to run make.
//
//go:embed all:dist
var Dist embed.FS
