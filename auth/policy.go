package auth

// The access rules, each decided here once: every caller (the directives,
// the accounts, the shop) asks these instead of comparing ids and roles
// itself. A nil principal is an anonymous caller, who passes none of them.

// MayAccess reports whether p may see and act on what the user ownerID
// owns (their email, wallet, orders): that user, or an admin.
func (p *Principal) MayAccess(ownerID string) bool {
	return p != nil && (p.UserID == ownerID || p.Role == RoleAdmin)
}

// IsOwner reports whether p is the user ownerID: what only the owner may do
// (pay an order from their wallet) admins may not do for them.
func (p *Principal) IsOwner(ownerID string) bool {
	return p != nil && p.UserID == ownerID
}

// SeesBannedProducts reports whether banned products stay in p's product
// lists: admins', so that they can manage them.
func (p *Principal) SeesBannedProducts() bool {
	return p != nil && p.Role == RoleAdmin
}
