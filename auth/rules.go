package auth

// The accounts' input bounds. The schema declares the same with @constraint
// (a test holds the two together); Login and Register check them again
// before storing or hashing anything.
const (
	MaxEmail                 = 254 // RFC 5321's longest address
	MinPassword, MaxPassword = 8, 128
	MaxName                  = 100
)
