// Package textpdf writes plain-text documents — the draft notification to
// the Autoriteit Persoonsgegevens, the letter to the people affected by a
// breach — as PDF files that print well. It uses the PDF core fonts
// (Helvetica) in the Windows-1252 code page, which holds every letter of
// Dutch and English (ë, é, ï, €, curly quotes and dashes), so no font file
// needs to be shipped or embedded.
package textpdf

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
)

// Kind is how a block of text is set.
type Kind int

// The kinds of block.
const (
	Text      Kind = iota // body text
	Title                 // the document's title, large and bold
	Heading               // a chapter heading, bold
	Label                 // a question or field name, bold and small
	Note                  // small print
	Paragraph             // body text set apart from what comes before
	// Table is rows of cells (Block.Rows; Text is not used). The first row
	// is the header, set in bold and repeated at the top of every page the
	// table continues on. A column is as wide as its widest cell; when the
	// table is wider than the page the widest column gives way and its
	// cells wrap.
	Table
)

// Block is one paragraph of a document. Line breaks in Text are kept.
type Block struct {
	Kind Kind
	Text string
	// Rows are a Table's rows, the header first.
	Rows [][]string
	// Align has a Table's alignment per column, a letter each: "L" left,
	// "R" right. A column without a letter is set left when it is the
	// first, right (as figures) otherwise.
	Align string
}

// Document is what Write puts on paper.
type Document struct {
	Title   string // also the PDF's title in its properties
	Author  string // the practice, in the PDF's properties
	Footer  string // on every page, before the page number
	Created time.Time
	Blocks  []Block
}

// style is the font and spacing of a kind of block.
type style struct {
	font     string
	size     float64
	before   float64 // space above, in mm
	lineHigh float64
}

var styles = map[Kind]style{
	Text:      {"", 10.5, 0.5, 5},
	Title:     {"B", 15, 0, 7},
	Heading:   {"B", 12.5, 5, 6},
	Label:     {"B", 10, 2.5, 5},
	Note:      {"", 9, 1, 4.5},
	Paragraph: {"", 10.5, 3.5, 5},
	Table:     {"", 9.5, 2.5, 4.8},
}

// headingRoom is the room (mm) a heading needs below it on a page, for
// itself and a few lines of what it heads.
const headingRoom = 25

// Write renders d as an A4 PDF to w.
func Write(w io.Writer, d Document) error { return write(w, d, true) }

// write renders d; tests turn compression off to read the text back.
func write(w io.Writer, d Document, compress bool) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCompression(compress)
	tr := pdf.UnicodeTranslatorFromDescriptor("") // cp1252
	text := func(s string) string { return tr(plain.Replace(s)) }
	pdf.SetTitle(d.Title, true)
	pdf.SetAuthor(d.Author, true)
	pdf.SetCreator("avgloket", true)
	pdf.SetProducer("avgloket", true)
	if !d.Created.IsZero() {
		pdf.SetCreationDate(d.Created)
		pdf.SetModificationDate(d.Created)
	}
	pdf.SetMargins(20, 20, 20)
	pdf.SetAutoPageBreak(true, 20)
	pdf.AliasNbPages("{nb}")
	pdf.SetFooterFunc(func() {
		pdf.SetY(-14)
		pdf.SetFont("Helvetica", "", 8)
		pdf.SetTextColor(90, 90, 90)
		foot := fmt.Sprintf("%d / {nb}", pdf.PageNo())
		if d.Footer != "" {
			foot = d.Footer + " · " + foot
		}
		pdf.CellFormat(0, 5, text(foot), "", 0, "R", false, 0, "")
		pdf.SetTextColor(0, 0, 0)
	})
	pdf.AddPage()
	for _, b := range d.Blocks {
		st, ok := styles[b.Kind]
		if !ok {
			st = styles[Text]
		}
		pdf.SetFont("Helvetica", st.font, st.size)
		// A heading is not left alone at the foot of a page.
		if _, pageHeight := pdf.GetPageSize(); b.Kind == Heading && pdf.GetY() > pageHeight-20-headingRoom {
			pdf.AddPage()
		}
		if st.before > 0 && pdf.GetY() > 21 {
			pdf.Ln(st.before)
		}
		if b.Kind == Table {
			writeTable(pdf, text, st, b)
			continue
		}
		pdf.MultiCell(0, st.lineHigh, text(strings.TrimRight(b.Text, "\n")), "", "L", false)
	}
	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("write PDF: %w", err)
	}
	return nil
}

// writeTable sets the rows of b in columns at the left margin, each row
// below a thin line, starting a page (with the header again) where a row
// would not fit.
func writeTable(pdf *fpdf.Fpdf, text func(string) string, st style, b Block) {
	if len(b.Rows) == 0 {
		return
	}
	left, _, right, bottom := pdf.GetMargins()
	pageWidth, pageHeight := pdf.GetPageSize()
	cols := 0
	for _, row := range b.Rows {
		cols = max(cols, len(row))
	}
	cell := func(row []string, i int) string {
		if i < len(row) {
			return text(row[i])
		}
		return ""
	}
	// font is the font of the header row (bold) or of the others.
	font := func(header bool) string {
		if header {
			return "B"
		}
		return st.font
	}
	const gap = 3 // mm between columns
	widths := make([]float64, cols)
	for r, row := range b.Rows {
		pdf.SetFont("Helvetica", font(r == 0), st.size)
		for i := range cols {
			widths[i] = max(widths[i], pdf.GetStringWidth(cell(row, i))+gap)
		}
	}
	total, widest := 0.0, 0
	for i, w := range widths {
		total += w
		if w > widths[widest] {
			widest = i
		}
	}
	if room := pageWidth - left - right; total > room {
		shrunk := max(widths[widest]-(total-room), 15)
		total -= widths[widest] - shrunk
		widths[widest] = shrunk
	}
	align := func(i int) string {
		switch {
		case i < len(b.Align):
			return b.Align[i : i+1]
		case i == 0:
			return "L"
		}
		return "R"
	}
	height := func(cells []string, header bool) float64 {
		pdf.SetFont("Helvetica", font(header), st.size)
		lines := 1
		for i, w := range widths {
			lines = max(lines, len(pdf.SplitLines([]byte(cell(cells, i)), w)))
		}
		return float64(lines) * st.lineHigh
	}
	var row func(cells []string, header bool)
	row = func(cells []string, header bool) {
		h := height(cells, header)
		// A row that does not fit starts a page, under the header again;
		// the header keeps the first row with it.
		switch {
		case header && len(b.Rows) > 1 && pdf.GetY()+h+1+height(b.Rows[1], false) > pageHeight-bottom:
			pdf.AddPage()
		case !header && pdf.GetY()+h > pageHeight-bottom:
			pdf.AddPage()
			row(b.Rows[0], true)
		}
		pdf.SetFont("Helvetica", font(header), st.size)
		y, x := pdf.GetY(), left
		for i, w := range widths {
			pdf.SetXY(x, y)
			pdf.MultiCell(w, st.lineHigh, cell(cells, i), "", align(i), false)
			x += w
		}
		if header {
			pdf.SetDrawColor(0, 0, 0)
		} else {
			pdf.SetDrawColor(190, 190, 190)
		}
		pdf.Line(left, y+h+0.5, left+total, y+h+0.5)
		pdf.SetXY(left, y+h+1)
	}
	row(b.Rows[0], true)
	for _, r := range b.Rows[1:] {
		row(r, false)
	}
	pdf.SetDrawColor(0, 0, 0)
}

// plain replaces characters outside Windows-1252 that our texts use with
// what the code page has; any other such character prints as a dot.
var plain = strings.NewReplacer(
	"→", "->", "←", "<-", "✓", "v", "✔", "v", "○", "o",
	"\u00a0", " ", "\u202f", " ", "\u2009", " ", "\u200b", "",
	"\t", "    ", "\r", "",
)

// Paragraphs splits text into Paragraph blocks at blank lines, keeping
// single line breaks inside a paragraph.
func Paragraphs(text string) []Block {
	var out []Block
	for _, p := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
		if p = strings.Trim(p, "\n"); strings.TrimSpace(p) != "" {
			out = append(out, Block{Kind: Paragraph, Text: p})
		}
	}
	return out
}
