package letters

import (
	"strings"
	"time"

	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/lang"
	"github.com/avgloket/avgloket/internal/textpdf"
)

// PostLetter is the paper letter of Letter — the acknowledgement when e is
// nil, otherwise the letter for event e, such as the extension notice with
// its new date and reasons or a question about the requester's identity —
// with the letterhead, address block, date (on) and reference that every
// letter of the practice carries.
func (w *Writer) PostLetter(k casework.Case, e *casework.Event, on deadline.Date) (casework.Letter, error) {
	subject, body, err := w.Letter(k, e)
	if err != nil {
		return casework.Letter{}, err
	}
	st, err := w.settings()
	if err != nil {
		return casework.Letter{}, err
	}
	c := lang.Parse(string(k.Language))
	return casework.Letter{Subject: subject, Letterhead: w.letterhead(st, c), Recipient: recipient(k),
		Date: lang.Date(c, on), Reference: k.Reference, Body: body}, nil
}

// recipient is the address block: the requester's name and, for a case by
// post, their postal address.
func recipient(k casework.Case) string {
	return strings.Join(append([]string{k.Requester.Name}, k.Requester.Address.Lines()...), "\n")
}

// Document sets letter l, written in c, on paper: the letterhead in small
// print, the address block where a window envelope shows it, the date and
// the reference, the subject, then the body.
func (w *Writer) Document(l casework.Letter, c lang.Code, created time.Time) textpdf.Document {
	author, _, _ := strings.Cut(l.Letterhead, "\n")
	doc := textpdf.Document{Title: l.Subject, Author: author, Footer: l.Reference, Created: created}
	doc.Blocks = append(doc.Blocks,
		textpdf.Block{Kind: textpdf.Note, Text: l.Letterhead},
		textpdf.Block{Kind: textpdf.Paragraph, Text: l.Recipient},
		textpdf.Block{Kind: textpdf.Paragraph, Text: w.cat.T(c, "letter.date", map[string]any{"Date": l.Date}) + "\n" +
			w.cat.T(c, "letter.reference", map[string]any{"Reference": l.Reference})},
		textpdf.Block{Kind: textpdf.Title, Text: l.Subject})
	doc.Blocks = append(doc.Blocks, textpdf.Paragraphs(l.Body)...)
	return doc
}
