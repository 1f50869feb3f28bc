package store

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// lockSQLite makes this process the one owner of the SQLite file at path:
// an exclusive, non-blocking flock on path+".lock", held until the returned
// file is closed. The kernel releases it when the process dies, so a crash
// leaves no stale lock to clean up. flock locks belong to an open file
// description, so a second open in this same process is refused too.
//
// The user cache (usercache.go) relies on it: only the owner writes.
func lockSQLite(path string) (*os.File, error) {
	name := path + ".lock"
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening %s: creating its lock file: %w", path, err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, fmt.Errorf("opening %s: the SQLite file is in use by another faultline process (%s is locked): "+
				"one faultline process owns a SQLite file; several instances need PostgreSQL (DATABASE_URL=postgres://...)", path, name)
		}
		return nil, fmt.Errorf("opening %s: locking %s: %w", path, name, err)
	}
	return f, nil
}
