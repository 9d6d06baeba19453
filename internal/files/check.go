package files

import (
	"fmt"
	"mime"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gabriel-vasile/mimetype"

	"github.com/guestlist/guestlist/internal/apperr"
)

// The deny-list (docs/SECURITY.md). A file is rejected when its content is, whatever its name
// and declared type say:
var (
	// an executable program (the sniffed type or any type it specializes);
	executableTypes = []string{
		"application/vnd.microsoft.portable-executable", // PE and MS-DOS "MZ": .exe, .dll, .scr, .sys
		"application/x-msdownload",                      // the same, by its older name
		"application/x-elf",                             // ELF: executables, shared libraries, objects, core dumps
		"application/x-mach-binary",                     // Mach-O (macOS, iOS)
		"application/x-java-applet",                     // a Java .class file
		"application/java-archive",                      // a .jar
		"application/vnd.android.package-archive",       // an .apk
		"application/x-ms-installer",                    // an .msi
		"application/x-ms-shortcut",                     // a Windows .lnk (runs its target)
	}
	// a script (the mimetype library recognizes them by their #! line, PHP by <?php);
	scriptTypes = []string{
		"text/x-shellscript", "text/x-python", "text/x-perl", "text/x-ruby", "text/x-lua",
		"text/x-tcl", "text/x-php", "text/javascript",
	}
	// or when its name ends in an extension that Windows or macOS run (or hand to a script
	// host) when the file is opened: a batch file or a PowerShell script is plain text that no
	// sniffing can tell from notes.
	executableExtensions = []string{
		".exe", ".com", ".scr", ".pif", ".cpl", ".dll", ".msi", ".msp", ".bat", ".cmd",
		".ps1", ".psm1", ".vbs", ".vbe", ".js", ".jse", ".wsf", ".wsh", ".hta", ".lnk",
		".reg", ".jar", ".sh", ".command", ".app",
	}
)

// Verdict says why a file with this name and sniffed content type may not be kept, or ""
// when it may.
func Verdict(name string, sniffed *mimetype.MIME) string {
	for m := sniffed; m != nil; m = m.Parent() {
		for _, t := range executableTypes {
			if m.Is(t) {
				return fmt.Sprintf("executable: the content is a program (%s)", sniffed.String())
			}
		}
		for _, t := range scriptTypes {
			if m.Is(t) {
				return fmt.Sprintf("script: the content is a script (%s)", sniffed.String())
			}
		}
	}
	ext := strings.ToLower(path.Ext(name))
	for _, e := range executableExtensions {
		if ext == e {
			return fmt.Sprintf("executable: %s files run when opened", e)
		}
	}
	return ""
}

// servable are the sniffed types a download is labelled with; anything else is served as
// application/octet-stream. None of them runs script in a browser (no HTML, no SVG).
var servable = map[string]bool{
	"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true,
	"application/pdf": true, "text/plain": true,
}

// ServeType is the Content-Type a file with this sniffed type is downloaded with.
func ServeType(sniffed string) string {
	base, _, _ := strings.Cut(sniffed, ";")
	if servable[strings.TrimSpace(base)] {
		return sniffed
	}
	return "application/octet-stream"
}

// CleanName is the name a file is kept under: the last element of what the client sent
// (whichever path separator its system uses), without control or bidirectional-override
// characters (which disguise "exe.pdf" as "fdp.exe"), trimmed; "file" when nothing is left.
func CleanName(raw string) (string, error) {
	if i := strings.LastIndexAny(raw, `/\`); i >= 0 {
		raw = raw[i+1:]
	}
	var b strings.Builder
	for _, r := range raw {
		if r == utf8.RuneError || unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			continue
		}
		b.WriteRune(r)
	}
	name := strings.TrimSpace(b.String())
	if name == "" || name == "." || name == ".." {
		name = "file"
	}
	if utf8.RuneCountInString(name) > MaxNameLength {
		return "", apperr.Field("file", fmt.Sprintf("the file name must be at most %d characters", MaxNameLength))
	}
	return name, nil
}

// declared is the client's Content-Type for the file, as a bare media type ("" when absent or
// malformed). It is information, never trusted.
func declared(contentType string) string {
	t, _, err := mime.ParseMediaType(contentType)
	if err != nil || len(t) > 255 {
		return ""
	}
	return t
}

// Disposition is the Content-Disposition of a download: always an attachment, with an ASCII
// fallback name and the exact name in RFC 5987 encoding.
func Disposition(name string) string {
	var fallback, exact strings.Builder
	for _, r := range name {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '%' {
			fallback.WriteByte('_')
		} else {
			fallback.WriteRune(r)
		}
	}
	for _, c := range []byte(name) {
		if isAttrChar(c) {
			exact.WriteByte(c)
		} else {
			fmt.Fprintf(&exact, "%%%02X", c)
		}
	}
	return `attachment; filename="` + fallback.String() + `"; filename*=UTF-8''` + exact.String()
}

// isAttrChar reports whether c may appear unencoded in an RFC 5987 value.
func isAttrChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$&+-.^_`|~", c) >= 0
}
