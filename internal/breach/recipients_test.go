package breach

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/avgloket/avgloket/internal/email"
)

func TestParseRecipients(t *testing.T) {
	for _, tc := range []struct {
		name     string
		in       string
		valid    []Recipient
		problems []RowProblem
	}{
		{"empty file", "", nil, nil},
		{"comma, header", "name,email,language\nJan de Vries,jan@example.nl,nl\nAnna Smit,anna@example.nl,EN\n",
			[]Recipient{{"Jan de Vries", "jan@example.nl", "nl"}, {"Anna Smit", "anna@example.nl", "en"}}, nil},
		{"semicolon, BOM, CRLF, no header", "\uFEFFJan;jan@example.nl;en\r\nPiet;piet@example.nl\r\n",
			[]Recipient{{"Jan", "jan@example.nl", "en"}, {"Piet", "piet@example.nl", "nl"}}, nil},
		{"BOM before header", "\uFEFFnaam;e-mailadres\nJan;jan@example.nl\n",
			[]Recipient{{"Jan", "jan@example.nl", "nl"}}, nil},
		{"Dutch header in another order", "E-mailadres;Taal;Naam\njan@example.nl;Engels;Jan\n",
			[]Recipient{{"Jan", "jan@example.nl", "en"}}, nil},
		{"semicolon file with commas in names", "\"de Vries, Jan\";jan@example.nl\n",
			[]Recipient{{"de Vries, Jan", "jan@example.nl", "nl"}}, nil},
		{"bare addresses", "jan@example.nl\nAnna@Example.NL\n",
			[]Recipient{{"", "jan@example.nl", "nl"}, {"", "anna@example.nl", "nl"}}, nil},
		{"bad rows with their line numbers",
			"name,email,language\n" + // 1
				"Jan,jan@example.nl\n" + // 2
				"Piet,not-an-email\n" + // 3
				"Kees,\n" + // 4
				",,\n" + // 5: blank, skipped
				"\n" + // 6: empty, skipped
				"Anna,anna@example.nl,fr\n" + // 7
				"Bob\n" + // 8: no e-mail column
				"\"Eve\nEvil\",eve@example.nl\n" + // 9-10: a line break in a name
				"Tom,tom@example.nl\n" + // 11
				"Ria,\"ria@example.nl\" x\n", // 12: broken quoting
			[]Recipient{{"Jan", "jan@example.nl", "nl"}, {"Tom", "tom@example.nl", "nl"}},
			[]RowProblem{
				{3, "email", "field.email"}, {4, "email", "field.required"}, {7, "language", "breach.csv_language"},
				{8, "", "breach.csv_columns"}, {9, "name", "field.invalid"}, {12, "", "breach.csv_syntax"},
			}},
		{"duplicates, case-insensitive",
			"Jan,jan@example.nl\nJan again,JAN@Example.nl\nAnna,anna@example.nl\nAnna,anna@example.nl\n",
			[]Recipient{{"Jan", "jan@example.nl", "nl"}, {"Anna", "anna@example.nl", "nl"}},
			[]RowProblem{{2, "email", "breach.csv_duplicate"}, {4, "email", "breach.csv_duplicate"}}},
		{"addresses with display names or spaces", "Jan,Jan <jan@example.nl>\nPiet,piet @example.nl\nKees,kees@localhost\n", nil,
			[]RowProblem{{1, "email", "field.email"}, {2, "email", "field.email"}, {3, "email", "field.email"}}},
		{"invalid UTF-8 in a name", "J\xffn,jan@example.nl\n", nil, []RowProblem{{1, "name", "field.invalid"}}},
		{"a name that is too long", strings.Repeat("é", maxName+1) + ",jan@example.nl\n", nil,
			[]RowProblem{{1, "name", "field.too_long"}}},
		{"unterminated quote swallows the rest", "Jan,jan@example.nl\n\"Piet,piet@example.nl\nKees,kees@example.nl\n",
			[]Recipient{{"Jan", "jan@example.nl", "nl"}}, []RowProblem{{2, "", "breach.csv_syntax"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			valid, problems := ParseRecipients(strings.NewReader(tc.in))
			if !slices.Equal(valid, tc.valid) {
				t.Errorf("valid = %q, want %q", valid, tc.valid)
			}
			if !slices.Equal(problems, tc.problems) {
				t.Errorf("problems = %v, want %v", problems, tc.problems)
			}
		})
	}
}

func TestParseRecipientsLimits(t *testing.T) {
	t.Run("too many", func(t *testing.T) {
		var sb strings.Builder
		for i := range MaxRecipients + 5 {
			sb.WriteString("x,p" + strconv.Itoa(i) + "@example.nl\n")
		}
		valid, problems := ParseRecipients(strings.NewReader(sb.String()))
		if len(valid) != MaxRecipients {
			t.Errorf("%d valid, want %d", len(valid), MaxRecipients)
		}
		if want := []RowProblem{{MaxRecipients + 1, "", "breach.csv_too_many"}}; !slices.Equal(problems, want) {
			t.Errorf("problems = %v, want %v", problems, want)
		}
	})
	t.Run("too large", func(t *testing.T) {
		big := bytes.Repeat([]byte("a"), MaxUploadBytes+1)
		valid, problems := ParseRecipients(bytes.NewReader(big))
		if valid != nil || !slices.Equal(problems, []RowProblem{{0, "", "breach.csv_too_large"}}) {
			t.Errorf("valid = %d, problems = %v", len(valid), problems)
		}
	})
}

func FuzzParseRecipients(f *testing.F) {
	for _, seed := range []string{
		"", "name,email\nJan,jan@example.nl\n", "\uFEFFJan;jan@example.nl;en\r\n", "\"a\nb\",x@y.nl",
		"e-mail\nA@B.NL\na@b.nl\n", "Jan,\"jan@example.nl\" x\n", "\"", ";;;\n,,,", "=cmd,x@y.nl,nl",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		valid, problems := ParseRecipients(bytes.NewReader(data))
		seen := map[string]bool{}
		for _, r := range valid {
			if !email.Valid(r.Email) {
				t.Errorf("invalid e-mail %q accepted", r.Email)
			}
			if r.Email != strings.ToLower(r.Email) || seen[r.Email] {
				t.Errorf("e-mail %q not lower case or a duplicate", r.Email)
			}
			seen[r.Email] = true
			if r.Language != "nl" && r.Language != "en" {
				t.Errorf("language %q", r.Language)
			}
			if strings.ContainsAny(r.Name, "\r\n\x00") {
				t.Errorf("name %q holds a control character", r.Name)
			}
		}
		for _, p := range problems {
			if p.Line < 0 || p.Message == "" {
				t.Errorf("problem %+v", p)
			}
		}
	})
}

func TestCSVCell(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"=SUM(A1:A9)", "'=SUM(A1:A9)"},
		{"+31 6 1234 5678", "'+31 6 1234 5678"},
		{"-2+3", "'-2+3"},
		{"@SUM(1)", "'@SUM(1)"},
		// A tab or a line break starts a new cell in a reader that splits
		// on it, so the segment after it is neutralised too.
		{"\t=1", "'\t'=1"},
		{"\r=1", "'\r'=1"},
		{"", ""},
		{"Laptop kwijt", "Laptop kwijt"},
		{"a=b", "a=b"},
		{" =1", " '=1"},
		{"'quoted", "'quoted"},
		// Dutch and Belgian spreadsheets split on ";", others on "," or a
		// tab: every segment that starts a formula is neutralised, leading
		// spaces skipped (an import that trims them would run it).
		{"Lek;=cmd|' /C calc'!A0", "Lek;'=cmd|' /C calc'!A0"},
		{"Lek; =cmd|' /C calc'!A0", "Lek; '=cmd|' /C calc'!A0"},
		{"Lek,+1", "Lek,'+1"},
		{"Lek\t@SUM(1)", "Lek\t'@SUM(1)"},
		{"Lek\n-1+1", "Lek\n'-1+1"},
		{"a;b,c", "a;b,c"},
		{"=1;=2", "'=1;'=2"},
		{"contact; bsn; other: x", "contact; bsn; other: x"},
		{"10-20", "10-20"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := CSVCell(tc.in); got != tc.want {
				t.Errorf("CSVCell(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestRegisterCSV(t *testing.T) {
	full := fullBreach(t)
	full.Title = "=HYPERLINK(\"http://evil\")"
	late := Breach{Reference: "DL-2026-008", Title: "Ransomware", AwareAt: ams(t, "2026-10-23 18:00"),
		Incident: Malware, Kinds: []Kind{Availability, Confidentiality}, Records: Between(100, 200),
		Notifications: []Notification{{Kind: NotifyInitial, SubmittedAt: ams(t, "2026-10-26 18:00")}}, LateReason: "Onderzoek"}
	var buf bytes.Buffer
	if err := RegisterCSV(&buf, []Breach{full, late}, mustAmsterdam(t)); err != nil {
		t.Fatal(err)
	}
	out := buf.Bytes()
	if !bytes.HasPrefix(out, []byte("\xEF\xBB\xBF")) {
		t.Fatal("no byte order mark")
	}
	rows, err := csv.NewReader(bytes.NewReader(out[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || !slices.Equal(rows[0], registerColumns) {
		t.Fatalf("rows = %d, header = %q", len(rows), rows[0])
	}
	cell := func(row int, col string) string { return rows[row][slices.Index(registerColumns, col)] }
	for _, tc := range []struct {
		row       int
		col, want string
	}{
		{1, "reference", "DL-2026-007"},
		{1, "title", `'=HYPERLINK("http://evil")`},
		{1, "aware_at", "2026-03-27 18:00"},
		{1, "ap_deadline", "2026-03-30 19:00"},
		{1, "data_categories", "contact; bsn; youth_care; other: schoolgegevens"},
		{1, "people", "2-3"},
		{1, "score", "3.25"},
		{1, "band", BandHigh},
		{1, "notify_ap", "true"},
		{1, "late", "false"},
		{1, "ap_reference", "M-2026-4711"},
		{2, "ap_deadline", "2026-10-26 17:00"},
		{2, "kinds", "availability; confidentiality"},
		{2, "records", "100-200"},
		{2, "late", "true"},
		{2, "late_reason", "Onderzoek"},
		{2, "score", ""},
	} {
		if got := cell(tc.row, tc.col); got != tc.want {
			t.Errorf("row %d %s = %q, want %q", tc.row, tc.col, got, tc.want)
		}
	}
}
