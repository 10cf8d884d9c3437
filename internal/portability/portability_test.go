package portability

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/avgloket/avgloket/internal/register"
)

var reg = []Item{
	{Activity: "client-file", Name: "Cliëntdossier", Basis: register.LegalObligation},
	{Activity: "newsletter", Name: "Nieuwsbrief", Basis: register.Consent},
	{Activity: "treatment-agreement", Name: "Behandelovereenkomst", Basis: register.Contract},
	{Activity: "marketing", Name: "Marketing", Basis: register.LegitimateInterests},
}

func TestValidate(t *testing.T) {
	chosen := []string{"client-file", "newsletter", "treatment-agreement"}
	ok := Fields{{"e-mailadres", "sanne@example.nl"}}
	tests := []struct {
		name    string
		entered []Item
		want    Problems
	}{
		{"consent and contract", []Item{{Activity: "newsletter", Fields: ok}, {Activity: "treatment-agreement", Fields: ok}}, Problems{}},
		{"nothing entered", nil, Problems{}},
		{"legal obligation is not portable", []Item{{Activity: "client-file", Fields: ok}}, Problems{"items.0.activity": "portability.not_portable"}},
		{"not chosen", []Item{{Activity: "marketing", Fields: ok}}, Problems{"items.0.activity": "portability.activity_not_chosen"}},
		{"unknown", []Item{{Activity: "nope", Fields: ok}}, Problems{"items.0.activity": "portability.activity_not_chosen"}},
		{"twice", []Item{{Activity: "newsletter", Fields: ok}, {Activity: "newsletter", Fields: ok}}, Problems{"items.1.activity": "portability.activity_twice"}},
		{"a field without a name", []Item{{Activity: "newsletter", Fields: Fields{{" ", "x"}}}}, Problems{"items.0.data": "portability.field_name"}},
		{"a field twice", []Item{{Activity: "newsletter", Fields: Fields{{"a", "1"}, {"a ", "2"}}}}, Problems{"items.0.data": "portability.field_twice"}},
		{"a value too long", []Item{{Activity: "newsletter", Fields: Fields{{"a", strings.Repeat("x", MaxValue+1)}}}}, Problems{"items.0.data": "field.too_long"}},
		{"a NUL", []Item{{Activity: "newsletter", Fields: Fields{{"a", "x\x00"}}}}, Problems{"items.0.data": "field.invalid"}},
		{"too many fields", []Item{{Activity: "newsletter", Fields: slices.Repeat(Fields{{"a", ""}}, MaxFields+1)}}, Problems{"items.0.data": "portability.too_many_fields"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Validate(chosen, reg, tt.entered); !maps.Equal(got, tt.want) {
				t.Errorf("Validate = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestItems(t *testing.T) {
	chosen := []string{"client-file", "newsletter", "gone"}
	got := Items(chosen, reg, []Item{{Activity: "newsletter", Fields: Fields{{" naam ", " Sanne "}}}})
	want := []Item{
		{Activity: "client-file", Name: "Cliëntdossier", Basis: register.LegalObligation},
		{Activity: "newsletter", Name: "Nieuwsbrief", Basis: register.Consent, Fields: Fields{{"naam", "Sanne"}}},
		{Activity: "gone", Name: "gone"},
	}
	if len(got) != len(want) {
		t.Fatalf("Items = %+v", got)
	}
	for i := range want {
		if got[i].Activity != want[i].Activity || got[i].Name != want[i].Name || got[i].Basis != want[i].Basis || !slices.Equal(got[i].Fields, want[i].Fields) {
			t.Errorf("item %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if p := Portable(got); len(p) != 1 || p[0].Activity != "newsletter" {
		t.Errorf("Portable = %+v", p)
	}
	if x := Excluded(got); len(x) != 2 || !HasData(got) || HasData(x) {
		t.Errorf("Excluded = %+v", x)
	}
}

func TestFieldsJSON(t *testing.T) {
	var f Fields
	if err := json.Unmarshal([]byte(`{"z":"1","a":"2","z":"3"}`), &f); err != nil {
		t.Fatal(err)
	}
	if want := (Fields{{"z", "1"}, {"a", "2"}, {"z", "3"}}); !slices.Equal(f, want) {
		t.Errorf("decoded %v, want %v (the order kept, the double kept for Validate)", f, want)
	}
	if b, _ := json.Marshal(Fields{{"z", "1"}, {"a", `"2"`}}); string(b) != `{"z":"1","a":"\"2\""}` {
		t.Errorf("encoded %s", b)
	}
	for _, bad := range []string{`{"a":1}`, `["a"]`, `"a"`, `{"a":{"b":"c"}}`} {
		if err := json.Unmarshal([]byte(bad), &f); err == nil {
			t.Errorf("%s decoded", bad)
		}
	}
}

func TestParseLines(t *testing.T) {
	tests := []struct {
		in   string
		want Fields
		msg  string
	}{
		{"naam: Sanne de Vries\r\n\n e-mail : sanne@example.nl \ntijd: 10:30\n", Fields{{"naam", "Sanne de Vries"}, {"e-mail", "sanne@example.nl"}, {"tijd", "10:30"}}, ""},
		{"", Fields{}, ""},
		{"leeg:", Fields{{"leeg", ""}}, ""},
		{"naam Sanne", nil, "portability.line_format"},
		{": Sanne", nil, "portability.line_format"},
	}
	for _, tt := range tests {
		got, msg := ParseLines(tt.in)
		if msg != tt.msg || !slices.Equal(got, tt.want) {
			t.Errorf("ParseLines(%q) = %v %q, want %v %q", tt.in, got, msg, tt.want, tt.msg)
		}
		if msg == "" {
			if back, _ := ParseLines(Lines(got)); !slices.Equal(back, got) {
				t.Errorf("Lines does not read back: %v", back)
			}
		}
	}
}

func TestParseFile(t *testing.T) {
	tests := []struct {
		name, in string
		want     Fields
		msg      string
	}{
		{"json object, nested, in order", `{"naam":"Sanne","adres":{"straat":"Dorpsstraat 1","plaats":"Zwolle"},"nieuwsbrief":true,"leeftijd":34,"opmerking":null}`,
			Fields{{"naam", "Sanne"}, {"adres.straat", "Dorpsstraat 1"}, {"adres.plaats", "Zwolle"}, {"nieuwsbrief", "true"}, {"leeftijd", "34"}, {"opmerking", ""}}, ""},
		{"json list", "\xef\xbb\xbf[{\"datum\":\"2026-01-05\"},{\"datum\":\"2026-02-02\"}]", Fields{{"1.datum", "2026-01-05"}, {"2.datum", "2026-02-02"}}, ""},
		{"json scalar", `"Sanne"`, nil, "portability.file_format"},
		{"json broken", `{"naam":`, nil, "portability.file_format"},
		{"json with trailing data", `{"a":"b"} {"c":"d"}`, nil, "portability.file_format"},
		{"json too deep", strings.Repeat(`{"a":`, 12) + `"x"` + strings.Repeat("}", 12), nil, "portability.file_format"},
		{"json empty object", `{}`, nil, "portability.file_empty"},
		{"csv pairs", "veld,waarde\r\nnaam,Sanne\r\n\"adres\",\"Dorpsstraat 1, Zwolle\"\r\n", Fields{{"naam", "Sanne"}, {"adres", "Dorpsstraat 1, Zwolle"}}, ""},
		{"csv one row, semicolons", "naam;e-mail\nSanne;sanne@example.nl\n", Fields{{"naam", "Sanne"}, {"e-mail", "sanne@example.nl"}}, ""},
		{"csv rows", "datum,duur\n2026-01-05,45\n2026-02-02,60\n", Fields{{"1.datum", "2026-01-05"}, {"1.duur", "45"}, {"2.datum", "2026-02-02"}, {"2.duur", "60"}}, ""},
		{"csv ragged", "a,b\n1\n", nil, "portability.file_format"},
		{"csv header only", "a,b\n", nil, "portability.file_format"},
		{"not text", "PK\x03\x04\x00\x00", nil, "portability.file_format"},
		{"empty", " \n", nil, "portability.file_empty"},
		{"too large", strings.Repeat("a", MaxUpload+1), nil, "portability.file_too_large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, msg := ParseFile([]byte(tt.in))
			if msg != tt.msg || !slices.Equal(got, tt.want) {
				t.Errorf("ParseFile = %v %q, want %v %q", got, msg, tt.want, tt.msg)
			}
		})
	}
}

// unzip returns the files of a ZIP by name, in order.
func unzip(t *testing.T, b []byte) ([]string, map[string][]byte) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	files := map[string][]byte{}
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, f.Name)
		files[f.Name] = body
	}
	return names, files
}

func TestWriteZIP(t *testing.T) {
	at := time.Date(2026, 3, 2, 10, 15, 0, 0, time.FixedZone("CET", 3600))
	tests := []struct {
		name     string
		items    []Item
		included []string // activity keys in data.json
		excluded []string
	}{
		{"consent and contract, a legal obligation left out", []Item{
			{Activity: "client-file", Name: "Cliëntdossier", Basis: register.LegalObligation, Fields: Fields{{"diagnose", "geheim"}}},
			{Activity: "newsletter", Name: "Nieuwsbrief", Basis: register.Consent, Fields: Fields{{"e-mailadres", "sanne@example.nl"}, {"aangemeld", "2025-04-01"}}},
			{Activity: "treatment-agreement", Name: "Behandelovereenkomst", Basis: register.Contract, Fields: Fields{{"telefoon", "+31 6 12345678"}, {"notitie", "regel 1\nregel \"2\", met komma"}}},
		}, []string{"newsletter", "treatment-agreement"}, []string{"client-file"}},
		{"only legitimate interests", []Item{{Activity: "marketing", Name: "Marketing", Basis: register.LegitimateInterests, Fields: Fields{{"a", "b"}}}},
			nil, []string{"marketing"}},
		{"a portable activity without data", []Item{{Activity: "newsletter", Name: "Nieuwsbrief", Basis: register.Consent}},
			[]string{"newsletter"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := Export{Practice: "Praktijk De Linde", Reference: "AVG-2026-0007", At: at, Items: tt.items}
			var buf, again bytes.Buffer
			if err := WriteZIP(&buf, e); err != nil {
				t.Fatal(err)
			}
			if err := WriteZIP(&again, e); err != nil || !bytes.Equal(buf.Bytes(), again.Bytes()) {
				t.Error("the same export gave other bytes")
			}
			names, files := unzip(t, buf.Bytes())
			if !slices.Equal(names, []string{FileData, FileCSV, FileManifest}) {
				t.Fatalf("files %v", names)
			}
			var data struct {
				Activities []struct {
					Activity, Name string
					Basis          string `json:"legal_basis"`
					Data           Fields
				}
			}
			if err := json.Unmarshal(files[FileData], &data); err != nil {
				t.Fatalf("data.json: %v", err)
			}
			var keys []string
			var rows [][]string
			for _, a := range data.Activities {
				keys = append(keys, a.Activity)
				i := slices.IndexFunc(tt.items, func(it Item) bool { return it.Activity == a.Activity })
				if a.Name != tt.items[i].Name || a.Basis != string(tt.items[i].Basis) || !slices.Equal(a.Data, tt.items[i].Fields) && len(a.Data)+len(tt.items[i].Fields) > 0 {
					t.Errorf("data.json %+v, entered %+v", a, tt.items[i])
				}
				for _, f := range tt.items[i].Fields {
					rows = append(rows, []string{a.Activity, f.Name, strings.TrimPrefix(f.Value, "'")})
				}
			}
			if !slices.Equal(keys, tt.included) {
				t.Errorf("data.json holds %v, want %v", keys, tt.included)
			}
			recs, err := csv.NewReader(bytes.NewReader(files[FileCSV])).ReadAll()
			if err != nil {
				t.Fatalf("data.csv: %v", err)
			}
			if !bytes.Contains(files[FileCSV], []byte("\r\n")) {
				t.Error("data.csv lines do not end in CRLF")
			}
			if !slices.Equal(recs[0], []string{"activity", "field", "value"}) || len(recs)-1 != len(rows) {
				t.Fatalf("data.csv %q, want the rows %q", recs, rows)
			}
			for i, r := range recs[1:] {
				r[2] = strings.TrimPrefix(r[2], "'") // neutralised against formulas
				if !slices.Equal(r, rows[i]) {
					t.Errorf("data.csv row %q, want %q", r, rows[i])
				}
			}
			var m struct {
				Format, Practice string
				Reference        string                                    `json:"case_reference"`
				ExportedAt       string                                    `json:"exported_at"`
				Activities       []struct{ Activity, Name, Reason string } `json:"activities"`
				NotIncluded      []struct{ Activity, Name, Reason string } `json:"not_included"`
			}
			if err := json.Unmarshal(files[FileManifest], &m); err != nil {
				t.Fatalf("manifest.json: %v", err)
			}
			x := m.NotIncluded
			var excl []string
			for _, a := range x {
				excl = append(excl, a.Activity)
				if !strings.Contains(a.Reason, "20(1)(a)") {
					t.Errorf("not included without the reason: %+v", a)
				}
			}
			if !slices.Equal(excl, tt.excluded) || m.Practice != e.Practice || m.Reference != e.Reference ||
				m.ExportedAt != "2026-03-02T09:15:00Z" || m.Format != Format || len(m.Activities) != len(tt.included) {
				t.Errorf("manifest %s", files[FileManifest])
			}
			for _, a := range tt.excluded {
				if bytes.Contains(files[FileData], []byte(a)) || bytes.Contains(files[FileCSV], []byte(a)) {
					t.Errorf("%s, not portable, is in the data", a)
				}
			}
		})
	}
}
