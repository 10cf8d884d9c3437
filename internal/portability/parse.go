package portability

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ParseLines reads the data an officer typed: one "name: value" per line,
// split at the first colon; blank lines are skipped. It returns the message
// ID of the first problem ("portability.line_format" for a line without a
// colon or without a name), or "".
func ParseLines(text string) (Fields, string) {
	out := Fields{}
	for line := range strings.Lines(strings.ReplaceAll(text, "\r\n", "\n")) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(name) == "" {
			return nil, "portability.line_format"
		}
		out = append(out, Field{Name: strings.TrimSpace(name), Value: strings.TrimSpace(value)})
	}
	return out, ""
}

// Lines writes f as ParseLines reads it.
func Lines(f Fields) string {
	var b strings.Builder
	for _, x := range f {
		b.WriteString(x.Name + ": " + x.Value + "\n")
	}
	return b.String()
}

// ParseFile reads a file the practice exported from its system, by its
// content (not its name), UTF-8 with or without a byte-order mark:
//   - JSON: an object, or a list of objects; nested objects and lists give
//     names joined with dots ("adres.straat", "afspraken.2.datum"), other
//     values their JSON text (true, 12.5; null an empty value).
//   - CSV (comma or semicolon): a header "field,value" (or "veld,waarde")
//     over name/value rows; otherwise a header of names over one row of
//     values, or over several, whose names are then numbered by row
//     ("2.e-mailadres").
//
// It returns the message ID of the problem ("portability.file_too_large",
// "portability.file_format"), or "".
func ParseFile(b []byte) (Fields, string) {
	if len(b) > MaxUpload {
		return nil, "portability.file_too_large"
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(b) || bytes.IndexByte(b, 0) >= 0 {
		return nil, "portability.file_format"
	}
	trimmed := bytes.TrimSpace(b)
	if len(trimmed) == 0 {
		return nil, "portability.file_empty"
	}
	var out Fields
	var ok bool
	if trimmed[0] == '{' || trimmed[0] == '[' {
		out, ok = parseJSON(trimmed)
	} else {
		out, ok = parseCSV(b)
	}
	switch {
	case !ok:
		return nil, "portability.file_format"
	case len(out) == 0:
		return nil, "portability.file_empty"
	}
	return out, ""
}

// maxDepth is the deepest nesting of an uploaded JSON document.
const maxDepth = 10

// parseJSON flattens an object or a list of objects in the file's order
// (encoding/json's maps would lose it), reading tokens.
func parseJSON(b []byte) (Fields, bool) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	out := Fields{}
	var value func(name string, depth int) bool
	value = func(name string, depth int) bool {
		t, err := d.Token()
		if err != nil || depth > maxDepth {
			return false
		}
		join := func(k string) string {
			if name == "" {
				return k
			}
			return name + "." + k
		}
		switch x := t.(type) {
		case json.Delim:
			if x == '{' {
				for d.More() {
					k, err := d.Token()
					if err != nil || !value(join(k.(string)), depth+1) {
						return false
					}
				}
			} else {
				for i := 1; d.More(); i++ {
					if !value(join(strconv.Itoa(i)), depth+1) {
						return false
					}
				}
			}
			_, err := d.Token() // the closing delimiter
			return err == nil
		case nil:
			out = append(out, Field{Name: name})
		case string:
			out = append(out, Field{Name: name, Value: x})
		case json.Number:
			out = append(out, Field{Name: name, Value: x.String()})
		case bool:
			out = append(out, Field{Name: name, Value: strconv.FormatBool(x)})
		}
		return name != "" // a bare value at the top is no data
	}
	if !value("", 0) {
		return nil, false
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, false
	}
	return out, true
}

// parseCSV reads name/value rows under a "field,value" header, or a header
// of names over rows of values; the separator is a comma or, as Dutch
// spreadsheets write, a semicolon (whichever the header line has more of).
func parseCSV(b []byte) (Fields, bool) {
	header, _, _ := bytes.Cut(b, []byte("\n"))
	r := csv.NewReader(bytes.NewReader(b))
	if bytes.Count(header, []byte(";")) > bytes.Count(header, []byte(",")) {
		r.Comma = ';'
	}
	r.FieldsPerRecord = 0
	rows, err := r.ReadAll()
	if err != nil || len(rows) < 2 {
		return nil, false
	}
	head := rows[0]
	out := Fields{}
	if len(head) == 2 && pairHeader(head[0], head[1]) {
		for _, row := range rows[1:] {
			out = append(out, Field{Name: row[0], Value: row[1]})
		}
		return out, true
	}
	for n, row := range rows[1:] {
		for i, name := range head {
			if len(rows) > 2 {
				name = strconv.Itoa(n+1) + "." + name
			}
			out = append(out, Field{Name: name, Value: row[i]})
		}
	}
	return out, true
}

// pairHeader reports whether a two-column header names a name/value list.
func pairHeader(a, b string) bool {
	a, b = strings.ToLower(strings.TrimSpace(a)), strings.ToLower(strings.TrimSpace(b))
	return (a == "field" && b == "value") || (a == "veld" && b == "waarde")
}
