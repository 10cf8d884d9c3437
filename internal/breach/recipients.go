package breach

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/avgloket/avgloket/internal/email"
)

// Recipient is a person to inform of a breach (art. 34), from the upload.
type Recipient struct {
	Name     string // may be empty
	Email    string // a valid address, in lower case
	Language string // "nl" or "en"
}

// RowProblem is a row of the upload that was left out, or a duplicate that
// was dropped. Line is the row's line number in the file (1 is the first
// line, header included); 0 for a problem with the whole file.
type RowProblem struct {
	Line    int
	Field   string // name, email, language, or "" for the whole row
	Message string // message ID of the UI's catalogue
}

// Limits of the upload.
const (
	MaxUploadBytes = 5 << 20
	MaxRecipients  = 10000
	maxName        = 200
)

// The header names ParseRecipients recognises, in Dutch and English.
var (
	nameHeaders     = []string{"name", "naam"}
	emailHeaders    = []string{"email", "e-mail", "emailadres", "e-mailadres", "email address", "e-mail address", "mail"}
	languageHeaders = []string{"language", "lang", "taal"}
)

// ParseRecipients reads the CSV upload of the people to inform: a row per
// person with the columns name, email and optionally language (nl or en;
// Dutch when empty). The file is UTF-8, with or without a byte order mark;
// the separator is a comma or a semicolon (as Dutch spreadsheets write),
// whichever the first line holds more of outside quotes. A first row naming an e-mail
// column is a header; its names may then put the columns in any order.
// Without a header, a row of one field holding an @ is a bare address.
//
// Blank rows are skipped. A row with a missing or invalid e-mail address, an
// unknown language, a name that is too long or holds control characters, or
// broken quoting is left out and reported with its line number. A second row
// for the same e-mail address (compared without regard to case) is dropped
// and reported. Every returned Recipient has a valid address.
func ParseRecipients(r io.Reader) (valid []Recipient, problems []RowProblem) {
	data, err := io.ReadAll(io.LimitReader(r, MaxUploadBytes+1))
	switch {
	case err != nil:
		return nil, []RowProblem{{Message: "breach.csv_unreadable"}}
	case len(data) > MaxUploadBytes:
		return nil, []RowProblem{{Message: "breach.csv_too_large"}}
	}
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = separator(data)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true

	cols := columns{name: 0, email: 1, language: 2}
	first := true
	seen := map[string]bool{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			problems = append(problems, RowProblem{Line: pe.StartLine, Message: "breach.csv_syntax"})
			continue
		} else if err != nil {
			problems = append(problems, RowProblem{Message: "breach.csv_unreadable"})
			break
		}
		line, _ := cr.FieldPos(0)
		if blank(rec) {
			continue
		}
		if first {
			first = false
			if h, ok := header(rec); ok {
				cols = h
				continue
			}
		}
		rcp, p := cols.recipient(rec)
		if p.Message != "" {
			p.Line = line
			problems = append(problems, p)
			continue
		}
		if seen[rcp.Email] {
			problems = append(problems, RowProblem{Line: line, Field: "email", Message: "breach.csv_duplicate"})
			continue
		}
		if len(valid) == MaxRecipients {
			problems = append(problems, RowProblem{Line: line, Message: "breach.csv_too_many"})
			break
		}
		seen[rcp.Email] = true
		valid = append(valid, rcp)
	}
	return valid, problems
}

// separator returns ';' when the first non-blank line holds more semicolons
// than commas outside quoted fields, ',' otherwise.
func separator(data []byte) rune {
	for line := range bytes.Lines(data) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var commas, semicolons int
		quoted := false
		for _, c := range line {
			switch {
			case c == '"':
				quoted = !quoted
			case quoted:
			case c == ',':
				commas++
			case c == ';':
				semicolons++
			}
		}
		if semicolons > commas {
			return ';'
		}
		break
	}
	return ','
}

// blank reports whether every field of rec is empty.
func blank(rec []string) bool {
	return !slices.ContainsFunc(rec, func(f string) bool { return strings.TrimSpace(f) != "" })
}

// columns are the positions of the fields in a row; -1 for none. named is
// set when a header row gave them.
type columns struct {
	name, email, language int
	named                 bool
}

// header returns the columns named by rec, and false if rec names no e-mail
// column and so is not a header.
func header(rec []string) (columns, bool) {
	c := columns{name: -1, email: -1, language: -1, named: true}
	for i, f := range rec {
		f = strings.ToLower(strings.TrimSpace(f))
		switch {
		case slices.Contains(nameHeaders, f) && c.name < 0:
			c.name = i
		case slices.Contains(emailHeaders, f) && c.email < 0:
			c.email = i
		case slices.Contains(languageHeaders, f) && c.language < 0:
			c.language = i
		}
	}
	return c, c.email >= 0
}

// field returns the trimmed field i of rec, "" if rec has none.
func field(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

// recipient checks one row.
func (c columns) recipient(rec []string) (Recipient, RowProblem) {
	if !c.named && len(rec) == 1 && strings.Contains(rec[0], "@") {
		c = columns{name: -1, email: 0, language: -1} // a bare list of addresses
	}
	if c.email >= len(rec) {
		return Recipient{}, RowProblem{Message: "breach.csv_columns"}
	}
	r := Recipient{
		Name:     field(rec, c.name),
		Email:    email.Normalize(field(rec, c.email)),
		Language: strings.ToLower(field(rec, c.language)),
	}
	switch {
	case !utf8.ValidString(r.Name) || strings.ContainsFunc(r.Name, unicode.IsControl):
		return r, RowProblem{Field: "name", Message: "field.invalid"}
	case utf8.RuneCountInString(r.Name) > maxName:
		return r, RowProblem{Field: "name", Message: "field.too_long"}
	case r.Email == "":
		return r, RowProblem{Field: "email", Message: "field.required"}
	case !email.Valid(r.Email):
		return r, RowProblem{Field: "email", Message: "field.email"}
	}
	switch r.Language {
	case "", "nl", "nederlands", "dutch":
		r.Language = "nl"
	case "en", "engels", "english":
		r.Language = "en"
	default:
		return r, RowProblem{Field: "language", Message: "breach.csv_language"}
	}
	return r, RowProblem{}
}
