package auth_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/faultline/faultline/auth"
)

var (
	anonymous *auth.Principal
	alice     = &auth.Principal{UserID: "alice", Role: auth.RoleUser}
	bob       = &auth.Principal{UserID: "bob", Role: auth.RoleUser}
	admin     = &auth.Principal{UserID: "root", Role: auth.RoleAdmin}
)

func TestMayAccessIsTheOwnerOrAnAdmin(t *testing.T) {
	assert.True(t, alice.MayAccess("alice"))
	assert.False(t, bob.MayAccess("alice"))
	assert.True(t, admin.MayAccess("alice"))
	assert.False(t, anonymous.MayAccess("alice"))
	assert.False(t, anonymous.MayAccess(""), "an anonymous caller owns nothing, not even what nobody owns")
}

func TestIsOwnerLeavesAdminsOut(t *testing.T) {
	assert.True(t, alice.IsOwner("alice"))
	assert.False(t, bob.IsOwner("alice"))
	assert.False(t, admin.IsOwner("alice"), "an admin may not pay a user's order from the user's wallet")
	assert.False(t, anonymous.IsOwner(""))
}

func TestOnlyAdminsSeeBannedProducts(t *testing.T) {
	assert.True(t, admin.SeesBannedProducts())
	assert.False(t, alice.SeesBannedProducts())
	assert.False(t, anonymous.SeesBannedProducts())
}
