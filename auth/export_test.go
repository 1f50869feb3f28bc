package auth

// DummyHash exposes the dummy hash to the tests.
func DummyHash(p *Passwords) string { return p.dummy }
