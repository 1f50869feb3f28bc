package app

import (
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/faultline/faultline/apperr"
	"github.com/faultline/faultline/auth"
)

// The demo accounts of development mode.
const (
	DemoAdminEmail = "admin@faultline.dev"
	DemoUserEmail  = "user@faultline.dev"
)

// seedDemo makes sure the demo users exist with the demo password
// (FAULTLINE_DEMO_PASSWORD, or one generated and logged at every start), and
// fills an empty catalog with demo products created by the admin.
func (a *App) seedDemo(ctx context.Context) error {
	password := a.Config.DemoPassword
	generated := password == ""
	if generated {
		password = rand.Text()[:16]
	}
	a.DemoPassword = password
	// One argon2id hash (19 MiB, tens of milliseconds) serves both demo
	// users: they share the password, which is logged anyway.
	hash, err := a.Accounts.Passwords.Hash(ctx, password)
	if err != nil {
		return err
	}
	var adminID string
	for _, demo := range []struct {
		email, name string
		role        auth.Role
	}{
		{DemoAdminEmail, "Ada Admin", auth.RoleAdmin},
		{DemoUserEmail, "Uma User", auth.RoleUser},
	} {
		id, err := a.ensureDemoUser(ctx, demo.email, demo.name, demo.role, hash)
		if err != nil {
			return err
		}
		if demo.role == auth.RoleAdmin {
			adminID = id
		}
	}
	attrs := []any{slog.String("admin", DemoAdminEmail), slog.String("user", DemoUserEmail)}
	if generated {
		attrs = append(attrs, slog.String("password", password), slog.String("hint", "set FAULTLINE_DEMO_PASSWORD to choose it"))
	} else {
		attrs = append(attrs, slog.String("password", "from FAULTLINE_DEMO_PASSWORD"))
	}
	a.Log.Info("demo users", attrs...)
	seeded, err := a.DB.SeedDemoProducts(ctx, adminID)
	if err != nil {
		return err
	}
	if seeded {
		a.Log.Info("seeded demo products")
	}
	return nil
}

// ensureDemoUser creates the demo user or sets its password hash.
func (a *App) ensureDemoUser(ctx context.Context, email, name string, role auth.Role, hash string) (string, error) {
	u, err := a.DB.UserByEmail(ctx, email)
	if err != nil {
		return "", err
	}
	if u != nil {
		return u.ID, a.DB.SetPasswordHash(ctx, u.ID, hash)
	}
	u = &auth.User{ID: uuid.Must(uuid.NewV7()).String(), Email: email, Name: name, Role: role,
		CreatedAt: time.Now().UTC().Truncate(time.Microsecond), PasswordHash: hash}
	err = a.DB.CreateUser(ctx, u)
	if errors.Is(err, apperr.AlreadyExists) { // another instance starting beside this one created it
		return a.ensureDemoUser(ctx, email, name, role, hash)
	}
	return u.ID, err
}
