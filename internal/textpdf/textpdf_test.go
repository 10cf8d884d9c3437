package textpdf

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"
)

// shownText returns the text a PDF written without compression shows: the
// strings of its Tj operators, decoded from Windows-1252, one per line.
func shownText(tb testing.TB, pdf []byte) string {
	tb.Helper()
	var lines []string
	for _, m := range regexp.MustCompile(`\(((?:\\.|[^\\)])*)\) ?Tj`).FindAllSubmatch(pdf, -1) {
		raw := regexp.MustCompile(`\\(.)`).ReplaceAll(m[1], []byte("$1"))
		s, err := charmap.Windows1252.NewDecoder().Bytes(raw)
		if err != nil {
			tb.Fatalf("decode %q: %v", raw, err)
		}
		lines = append(lines, string(s))
	}
	return strings.Join(lines, "\n")
}

func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

func testDocument() Document {
	return Document{
		Title: "Concept-melding datalek", Author: "Jeugdpraktijk De Linde", Footer: "DL-2026-001",
		Created: time.Date(2026, 3, 30, 9, 0, 0, 0, time.UTC),
		Blocks: append([]Block{
			{Kind: Title, Text: "Concept-melding datalek aan de Autoriteit Persoonsgegevens"},
			{Kind: Heading, Text: "4. Tijdlijn"},
			{Kind: Label, Text: "4.2 Wanneer is het datalek geëindigd?"},
			{Kind: Text, Text: "Het datalek is nog niet voorbij (de laptop is niet terug) — schade € 1.200,\n\"gestolen\" uit de auto \\ kofferbak."},
			{Kind: Note, Text: "Gemaakt → controleer ✓"},
		}, Paragraphs("Beste lezer,\n\nWij moeten u iets vervelends vertellen. Het gaat om gegevens over jeugdhulp.\n\nMet vriendelijke groet,\nDe Linde")...),
	}
}

// The text of every block is in the PDF, accents and € included, in order.
func TestWriteKeepsTheText(t *testing.T) {
	var buf bytes.Buffer
	if err := write(&buf, testDocument(), false); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", buf.Bytes()[:20])
	}
	got := squash(shownText(t, buf.Bytes()))
	want := []string{
		"Concept-melding datalek aan de Autoriteit Persoonsgegevens",
		"4.2 Wanneer is het datalek geëindigd?",
		"Het datalek is nog niet voorbij (de laptop is niet terug) — schade € 1.200,",
		`"gestolen" uit de auto \ kofferbak.`,
		"Gemaakt -> controleer v",
		"Beste lezer,", "Wij moeten u iets vervelends vertellen. Het gaat om gegevens over jeugdhulp.",
		"Met vriendelijke groet, De Linde", "DL-2026-001 · 1 / 1",
	}
	at := 0
	for _, w := range want {
		i := strings.Index(got[at:], w)
		if i < 0 {
			t.Errorf("PDF text lacks %q (in order)\ngot: %s", w, got)
			continue
		}
		at += i + len(w)
	}
}

// A long text flows onto more pages, each with its number.
func TestWriteBreaksPages(t *testing.T) {
	d := Document{Title: "Lang", Footer: "brief"}
	for i := 0; i < 120; i++ {
		d.Blocks = append(d.Blocks, Block{Kind: Text, Text: "Een regel tekst die de pagina vult."})
	}
	var buf bytes.Buffer
	if err := write(&buf, d, false); err != nil {
		t.Fatal(err)
	}
	got := shownText(t, buf.Bytes())
	if !strings.Contains(got, "brief · 1 / 3") || !strings.Contains(got, "brief · 3 / 3") {
		t.Errorf("page footers missing:\n%s", got)
	}
}

// The compressed PDF as served reads back with poppler's pdftotext. CI
// installs pdftotext (.ci/run), so under CI=true a missing one fails the
// test; elsewhere it is skipped.
func TestWriteReadsBackWithPdftotext(t *testing.T) {
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext not found: CI must install it (.ci/run: apt-get install -y poppler-utils)")
		}
		t.Skip("pdftotext not installed (apt-get install poppler-utils): the PDF is not read back")
	}
	var buf bytes.Buffer
	if err := Write(&buf, testDocument()); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), bin, "-enc", "UTF-8", "-", "-")
	cmd.Stdin = &buf
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	got := squash(string(out))
	for _, w := range []string{"4.2 Wanneer is het datalek geëindigd?", "schade € 1.200,", "Met vriendelijke groet,"} {
		if !strings.Contains(got, w) {
			t.Errorf("pdftotext output lacks %q:\n%s", w, got)
		}
	}
}

func TestParagraphs(t *testing.T) {
	got := Paragraphs("a\nb\r\n\r\n\n\nc\n\n  \n")
	if !reflect.DeepEqual(got, []Block{{Kind: Paragraph, Text: "a\nb"}, {Kind: Paragraph, Text: "c"}}) {
		t.Errorf("Paragraphs = %+v", got)
	}
}

// A table's cells come out row by row, the header first; a long table goes
// on over pages with its header at the top of each, and a cell too wide
// for the page wraps rather than running off it.
func TestWriteTable(t *testing.T) {
	rows := [][]string{{"Maand", "Ontvangen", "Per recht"}}
	for i := range 80 {
		rows = append(rows, []string{fmt.Sprintf("maand %02d", i+1), fmt.Sprint(i), "inzage 1, verwijdering 2"})
	}
	long := strings.Repeat("rectificatie 3, beperking 4, ", 12)
	rows = append(rows, []string{"laatste", "99", long})
	d := Document{Title: "Tabel", Footer: "verantwoording", Blocks: []Block{
		{Kind: Heading, Text: "Verzoeken per maand"},
		{Kind: Table, Rows: rows, Align: "LRL"},
		{Kind: Note, Text: "Einde"},
	}}
	var buf bytes.Buffer
	if err := write(&buf, d, false); err != nil {
		t.Fatal(err)
	}
	got := shownText(t, buf.Bytes())
	lines := strings.Split(got, "\n")
	if !slices.Contains(lines, "maand 01") || !slices.Contains(lines, "inzage 1, verwijdering 2") {
		t.Errorf("cells missing:\n%s", got)
	}
	order := squash(got)
	at := 0
	for _, w := range []string{"Maand Ontvangen Per recht maand 01 0", "maand 80 79", "laatste 99 rectificatie 3", "Einde"} {
		i := strings.Index(order[at:], w)
		if i < 0 {
			t.Errorf("PDF text lacks %q (in order)\ngot: %s", w, order)
			continue
		}
		at += i + len(w)
	}
	if headers := strings.Count(got, "Per recht"); headers < 2 {
		t.Errorf("the header shows %d times, want once on each of the table's pages", headers)
	}
	for _, l := range lines {
		if strings.Count(l, "rectificatie") > 6 {
			t.Errorf("a wide cell did not wrap: %q", l)
		}
	}
}

// A table that starts near the foot of a page starts on the next with its
// header and first row together, each header cell once, not one page per
// cell; a heading too near the foot goes on the next page too.
func TestWriteTableNearTheFoot(t *testing.T) {
	for _, tc := range []struct {
		name  string
		lines int // of text before; 46 fill page 1 to 5 mm above its foot, 43 to 21 mm
		want  string
	}{
		{"a table", 46, "Onderdeel Aantal Toegewezen 1 Uitkomsten Onderdeel Aantal Afgewezen 2 voet · 2 / 2"},
		{"a heading", 43, "Uitkomsten Onderdeel Aantal Afgewezen 2 voet · 2 / 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := Document{Title: "Voet", Footer: "voet"}
			for range tc.lines {
				d.Blocks = append(d.Blocks, Block{Kind: Text, Text: "Een regel."})
			}
			if tc.lines == 46 {
				d.Blocks = append(d.Blocks, Block{Kind: Table, Rows: [][]string{{"Onderdeel", "Aantal"}, {"Toegewezen", "1"}}})
			}
			d.Blocks = append(d.Blocks, Block{Kind: Heading, Text: "Uitkomsten"}, Block{Kind: Table, Rows: [][]string{{"Onderdeel", "Aantal"}, {"Afgewezen", "2"}}})
			var buf bytes.Buffer
			if err := write(&buf, d, false); err != nil {
				t.Fatal(err)
			}
			got := squash(shownText(t, buf.Bytes()))
			if !strings.Contains(got, "Een regel. voet · 1 / 2") || !strings.Contains(got, "voet · 1 / 2 "+tc.want) {
				t.Errorf("want page 2 of 2 to hold %q:\n%s", tc.want, got)
			}
		})
	}
}
