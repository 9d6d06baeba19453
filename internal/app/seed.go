package app

import (
	"context"
	"fmt"
	"io"

	"github.com/guestlist/guestlist/internal/apperr"
	"github.com/guestlist/guestlist/internal/auth"
)

// The demo workspace's sign-in, printed by `guestlist seed`. Development only.
const (
	DemoEmail    = "demo@guestlist.localhost"
	DemoPassword = "guestlist-demo"
)

// Seed creates the demo workspace when it is missing and prints its sign-in to w.
func Seed(ctx context.Context, a *App, w io.Writer) error {
	if a.Config.Env == Production {
		return fmt.Errorf("seed: refusing to create a demo account in production")
	}
	_, err := a.Auth.SignUp(ctx, auth.SignUpInput{
		Name: "Demo Owner", Email: DemoEmail, Password: DemoPassword,
		WorkspaceName: "Demo Workspace", AgentName: "Demo agent",
	}, auth.Client{UserAgent: "guestlist seed"})
	switch apperr.CodeOf(err) {
	case apperr.Conflict:
		fmt.Fprintln(w, "Demo workspace already there.")
	case apperr.Internal:
		if err != nil {
			return fmt.Errorf("seed: %w", err)
		}
		fmt.Fprintln(w, "Demo workspace created.")
	default:
		return fmt.Errorf("seed: %w", err)
	}
	fmt.Fprintf(w, "Sign in at %s/signin as %s with password %s\n", a.Config.BaseURL, DemoEmail, DemoPassword)
	return nil
}
