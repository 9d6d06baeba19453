package devdb

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// ErrNoBinaries is wrapped by the error Open returns when no PostgreSQL
// server binaries are installed, so callers can tell it from other failures
// (errors.Is) and show its advice.
var ErrNoBinaries = errors.New("devdb: PostgreSQL server binaries not found")

// requiredBinaries must all sit in one directory: pg_ctl starts the postgres
// next to itself, and mixing versions would make a cluster the server
// cannot read.
var requiredBinaries = []string{"initdb", "pg_ctl", "postgres"}

// search says where to look for the binaries. It is a value, not globals,
// so a test can point it at fake trees.
type search struct {
	// path is a PATH-style list searched first, so a PostgreSQL the user put
	// on PATH on purpose wins over the distribution's.
	path string
	// roots hold one directory per major version, each with a bin/ inside,
	// like Debian's /usr/lib/postgresql/15/bin (not on PATH there).
	roots []string
}

// defaultSearch is the process PATH, then Debian's layout.
func defaultSearch() search {
	return search{path: os.Getenv("PATH"), roots: []string{"/usr/lib/postgresql"}}
}

// findBinaries returns the directory holding all of requiredBinaries: the
// first such directory on s.path, else the highest version under s.roots.
func findBinaries(s search) (string, error) {
	for _, dir := range filepath.SplitList(s.path) {
		// An empty entry means the current directory; never run a server
		// binary from wherever we happen to be.
		if dir == "" || !filepath.IsAbs(dir) {
			continue
		}
		if hasBinaries(dir) {
			// Report, and run from, the real directory when these are
			// symlinks into an install tree (like /usr/local/bin/pg_ctl ->
			// /usr/lib/postgresql/15/bin/pg_ctl): pg_ctl runs the postgres
			// next to its real self anyway.
			if real, err := filepath.EvalSymlinks(filepath.Join(dir, "pg_ctl")); err == nil && hasBinaries(filepath.Dir(real)) {
				return filepath.Dir(real), nil
			}
			return dir, nil
		}
	}
	best, bestVersion := "", []int(nil)
	for _, root := range s.roots {
		entries, err := os.ReadDir(root)
		if err != nil {
			continue // a missing root is the normal "not installed" case
		}
		for _, e := range entries {
			v, ok := parseVersion(e.Name())
			if !ok {
				continue
			}
			dir := filepath.Join(root, e.Name(), "bin")
			if hasBinaries(dir) && (best == "" || slices.Compare(v, bestVersion) > 0) {
				best, bestVersion = dir, v
			}
		}
	}
	if best != "" {
		return best, nil
	}
	places := make([]string, len(s.roots))
	for i, r := range s.roots {
		places[i] = filepath.Join(r, "*", "bin")
	}
	return "", fmt.Errorf("%w (%s) on PATH or under %s: install the \"postgresql\" package "+
		"(apt-get install postgresql) or set DATABASE_URL",
		ErrNoBinaries, strings.Join(requiredBinaries, ", "), strings.Join(places, ", "))
}

// hasBinaries reports whether dir holds every required binary as an
// executable file.
func hasBinaries(dir string) bool {
	for _, name := range requiredBinaries {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
			return false
		}
	}
	return true
}

// parseVersion reads a version directory name like "15" or "9.6" as
// numbers, so that 15 sorts above 9.6.
func parseVersion(name string) ([]int, bool) {
	var v []int
	for part := range strings.SplitSeq(name, ".") {
		n, err := strconv.Atoi(part)
		if err != nil || n < 0 {
			return nil, false
		}
		v = append(v, n)
	}
	return v, len(v) > 0
}

// versionRE finds the version in "postgres (PostgreSQL) 15.14 (Debian ...)".
var versionRE = regexp.MustCompile(`\(PostgreSQL\) (\d+)`)

// binaryVersion asks the postgres binary for its major version, to refuse a
// data directory made by another major version with a clear message instead
// of a server log line. postgres --version is allowed even as root.
func binaryVersion(bin string) (int, error) {
	out, err := exec.Command(filepath.Join(bin, "postgres"), "--version").CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("devdb: %s/postgres --version: %w: %s", bin, err, strings.TrimSpace(string(out)))
	}
	m := versionRE.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("devdb: cannot read the version in %q", strings.TrimSpace(string(out)))
	}
	return strconv.Atoi(string(m[1]))
}

// account is the OS user the binaries run as when we are root.
type account struct {
	name   string
	uid    uint32
	gid    uint32
	groups []uint32 // supplementary groups, for the reachability check
	home   string
}

// serverAccount returns the account to run the binaries as: nil when we are
// not root (we run them as ourselves), the postgres user when we are, since
// initdb and postgres refuse to run as root.
func serverAccount() (*account, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup(serverUser)
	if err != nil {
		return nil, fmt.Errorf("devdb: running as root, PostgreSQL must run as the %q OS user, but looking it up failed: %w "+
			"(the \"postgresql\" package creates it), or run as a non-root user, or set DATABASE_URL", serverUser, err)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("devdb: user %q: %w", serverUser, err)
	}
	a := &account{name: u.Username, uid: uint32(uid), gid: uint32(gid), home: u.HomeDir}
	if ids, err := u.GroupIds(); err == nil {
		for _, id := range ids {
			if g, err := strconv.ParseUint(id, 10, 32); err == nil {
				a.groups = append(a.groups, uint32(g))
			}
		}
	}
	return a, nil
}

// inGroup reports whether the account belongs to group gid.
func (a *account) inGroup(gid uint32) bool {
	return a.gid == gid || slices.Contains(a.groups, gid)
}

// unusable says why dir cannot hold the cluster, or "" when it can.
func unusable(dir string, a *account) string {
	// pg_ctl runs the server through /bin/sh with each path in double
	// quotes: these characters would break out of them.
	if strings.ContainsAny(dir, "\"$`\\\n") {
		return "the path holds a character pg_ctl cannot quote"
	}
	if sock := filepath.Join(dir, socketName); len(sock) > maxSocketPath {
		return fmt.Sprintf("the socket path %s would be %d bytes, longer than the %d a unix socket allows",
			sock, len(sock), maxSocketPath)
	}
	if a == nil {
		return "" // we run the server ourselves, and can reach what we asked for
	}
	if blocked := firstUnreachable(dir, a); blocked != "" {
		return fmt.Sprintf("the %s user cannot enter %s (every parent directory must be searchable by it)",
			a.name, blocked)
	}
	return ""
}

// firstUnreachable returns the first existing parent directory of dir that
// account a cannot search, or "". Directories that do not exist yet are fine:
// Start creates them searchable (0755). The data directory itself is not
// checked: Start gives it to a.
func firstUnreachable(dir string, a *account) string {
	existing := filepath.Dir(dir)
	for {
		if _, err := os.Stat(existing); err == nil {
			break
		}
		parent := filepath.Dir(existing)
		if parent == existing {
			return ""
		}
		existing = parent
	}
	// Check the directories the kernel will actually walk, not the symlinks.
	real, err := filepath.EvalSymlinks(existing)
	if err != nil {
		return existing
	}
	for p := real; ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil || !searchable(fi, a) {
			return p
		}
		if filepath.Dir(p) == p {
			return ""
		}
	}
}

// searchable applies the kernel's rule for the execute (search) bit on a
// directory: the owner bits if a owns it, else the group bits if a is in
// its group, else the other bits. ACLs are not considered.
func searchable(fi fs.FileInfo, a *account) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return false
	}
	perm := fi.Mode().Perm()
	switch {
	case st.Uid == a.uid:
		return perm&0o100 != 0
	case a.inGroup(st.Gid):
		return perm&0o010 != 0
	default:
		return perm&0o001 != 0
	}
}

// fallbackDir is where a cluster goes when the requested directory cannot be
// used: under the system temp dir, keyed by the requested path, so each
// checkout keeps reusing its own cluster across runs.
func fallbackDir(requested string) string {
	sum := sha256.Sum256([]byte(requested))
	return filepath.Join(os.TempDir(), "guestlist-devdb-"+hex.EncodeToString(sum[:8]), "data")
}
