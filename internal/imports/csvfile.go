package imports

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/guestlist/guestlist/internal/apperr"
	"github.com/guestlist/guestlist/internal/mail"
)

// Encodings a file may be in.
const (
	UTF8        = "utf-8"
	UTF16LE     = "utf-16le"
	UTF16BE     = "utf-16be"
	Windows1252 = "windows-1252"
)

// Delimiters a file may use, in the order they are preferred when equally likely.
var Delimiters = []rune{',', ';', '\t', '|'}

// MaxRecordBytes bounds one row of a file (its cells together, after decoding). A larger row
// almost always means a quote left open, which would swallow the rest of the file into one
// cell; refusing it keeps the parser's memory constant.
const MaxRecordBytes = 4 << 20

// sniffLen is how much of the start of a file its delimiter and header are judged on.
const sniffLen = 64 << 10

// rawFacts are what the upload learns while the bytes stream to storage.
type rawFacts struct {
	size      int64
	checksum  string
	head      []byte // the first sniffLen bytes
	validUTF8 bool   // the whole file is valid UTF-8 (a BOM included)
	nul       bool   // the file holds a NUL byte outside a UTF-16 file
}

// utf8Checker checks a stream for valid UTF-8 as it passes, carrying an incomplete rune from
// one write to the next.
type utf8Checker struct {
	carry []byte
	valid bool
	nul   bool
}

func newUTF8Checker() *utf8Checker { return &utf8Checker{valid: true} }

func (c *utf8Checker) Write(p []byte) (int, error) {
	if bytes.IndexByte(p, 0) >= 0 {
		c.nul = true
	}
	if !c.valid {
		return len(p), nil
	}
	b := p
	if len(c.carry) > 0 {
		b = append(c.carry, p...)
		c.carry = nil
	}
	// Hold back a rune cut at the end of this write.
	cut := len(b)
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				cut = i
			}
			break
		}
	}
	if !utf8.Valid(b[:cut]) {
		c.valid = false
		return len(p), nil
	}
	c.carry = append([]byte(nil), b[cut:]...)
	return len(p), nil
}

// done reports validity at the end of the stream (a rune still cut there is invalid).
func (c *utf8Checker) done() bool { return c.valid && len(c.carry) == 0 }

// detectEncoding names the file's encoding: a BOM decides; otherwise valid UTF-8 is UTF-8 and
// anything else is read as Windows-1252 (what spreadsheets on Windows write). A NUL byte in a
// file without a UTF-16 BOM means it is not text.
func detectEncoding(f rawFacts) (string, error) {
	switch {
	case bytes.HasPrefix(f.head, []byte{0xFF, 0xFE}):
		return UTF16LE, nil
	case bytes.HasPrefix(f.head, []byte{0xFE, 0xFF}):
		return UTF16BE, nil
	case f.nul:
		return "", apperr.Field("file", "is not a CSV file: it holds binary data (UTF-16 files need a byte order mark)")
	case f.validUTF8:
		return UTF8, nil
	}
	return Windows1252, nil
}

// decoder turns the file's bytes into UTF-8 text, dropping a byte order mark.
func decoder(r io.Reader, encoding string) io.Reader {
	switch encoding {
	case UTF16LE:
		return transform.NewReader(r, unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder())
	case UTF16BE:
		return transform.NewReader(r, unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder())
	case Windows1252:
		return transform.NewReader(r, charmap.Windows1252.NewDecoder())
	}
	return transform.NewReader(r, unicode.UTF8BOM.NewDecoder())
}

// detectDelimiter picks the delimiter under which the first rows of text split most
// consistently into more than one cell; a file with one column reads as comma-separated.
func detectDelimiter(text []byte) rune {
	// The last line of the sample may be cut: judge complete lines only.
	if i := bytes.LastIndexByte(text, '\n'); i > 0 {
		text = text[:i+1]
	}
	best, bestScore := ',', 0
	for _, d := range Delimiters {
		r := csv.NewReader(bytes.NewReader(text))
		r.Comma, r.FieldsPerRecord, r.LazyQuotes = d, -1, true
		header, err := r.Read()
		if err != nil || len(header) < 2 {
			continue
		}
		score := 1
		for range 50 {
			rec, err := r.Read()
			if err != nil {
				break
			}
			if len(rec) == len(header) {
				score++
			} else {
				score--
			}
		}
		if score > bestScore {
			best, bestScore = d, score
		}
	}
	return best
}

// limitedRecords wraps the decoded text and fails once a single row has taken more than
// MaxRecordBytes: the csv reader would otherwise keep growing that row in memory.
type limitedRecords struct {
	r     io.Reader
	since int // bytes read since the last row was returned
	row   int // the data row being read, for the message (a header is row 0; see headerless)
}

var errRecordTooLarge = errors.New("row too large")

func (l *limitedRecords) Read(p []byte) (int, error) {
	if l.since > MaxRecordBytes+sniffLen {
		return 0, errRecordTooLarge
	}
	n, err := l.r.Read(p)
	l.since += n
	return n, err
}

// fileReader reads a stored file's rows: its cells as text, with the header (when there is
// one) first. Memory stays constant whatever the file's size.
type fileReader struct {
	csv   *csv.Reader
	limit *limitedRecords
}

func newFileReader(raw io.Reader, encoding string, delimiter rune) *fileReader {
	l := &limitedRecords{r: decoder(raw, encoding)}
	r := csv.NewReader(bufio.NewReaderSize(l, 64<<10))
	r.Comma, r.FieldsPerRecord, r.LazyQuotes = delimiter, -1, true
	r.ReuseRecord = true
	return &fileReader{csv: r, limit: l}
}

// headerless says the file has no header: its first row is data row 1, as the preview and the
// error report count, so its messages name rows the same way. Call it before reading a row, or
// right after reading the first.
func (f *fileReader) headerless() { f.limit.row++ }

// next returns the next row's cells (valid until the next call), io.EOF at the end, or an
// error that says which row is at fault.
func (f *fileReader) next() ([]string, error) {
	rec, err := f.csv.Read()
	row := f.limit.row
	f.limit.row++
	if errors.Is(err, errRecordTooLarge) {
		return nil, apperr.Field("file", fmt.Sprintf("row %d is larger than %d MiB: is a quote left open?", row, MaxRecordBytes>>20))
	}
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, io.EOF
		}
		if pe, ok := errors.AsType[*csv.ParseError](err); ok {
			return nil, apperr.Field("file", fmt.Sprintf("is not readable as CSV at line %d: %v", pe.Line, pe.Err))
		}
		if _, ok := errors.AsType[*apperr.Error](err); ok {
			return nil, err
		}
		return nil, fmt.Errorf("imports: reading the file: %w", err)
	}
	f.limit.since = 0
	if len(rec) > 0 && strings.ContainsRune(rec[0], 0) {
		return nil, apperr.Field("file", fmt.Sprintf("row %d holds binary data", row))
	}
	return rec, nil
}

// looksLikeData reports whether a first row is data rather than a header: a header names
// columns, it does not hold an email address or a phone number (seven digits or more, and
// nothing but what phone numbers are written with). A wrong guess either way is the member's
// to correct (SetMapping's HasHeader).
func looksLikeData(first []string) bool {
	for _, cell := range first {
		if _, ok := mail.NormalizeEmail(cell); ok || looksLikePhone(cell) {
			return true
		}
	}
	return false
}

func looksLikePhone(cell string) bool {
	digits := 0
	for _, r := range strings.TrimSpace(cell) {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case !strings.ContainsRune("+-(). ", r):
			return false
		}
	}
	return digits >= 7
}

// blank reports whether every cell of a row is empty (a row of bare delimiters).
func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}
