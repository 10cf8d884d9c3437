package web

import (
	"errors"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/breach"
	"github.com/avgloket/avgloket/internal/lang"
	"github.com/avgloket/avgloket/internal/textpdf"
)

// recipientsBodyLimit is the recipients upload's body limit: the CSV's own
// limit and room for the form around it. Larger bodies get 413 before they
// are read.
const recipientsBodyLimit = "6MiB"

// peopleShown is how many people the letter page lists; the rest are
// counted.
const peopleShown = 200

// breachPerson is someone on the list as the letter page shows them: where
// their letter stands (breach.Delivery) and since when.
type breachPerson struct {
	breach.Person
	State string // breach.Delivery
	When  string // when it was queued or sent
}

// uploadRow is a row of the upload that was left out.
type uploadRow struct {
	Line    int
	Field   string
	Message string
}

// breachLetterPage is the letter to the people affected (art. 34) and the
// public notice, both editable, with the list of people to send the letter
// to and what was done to inform them.
type breachLetterPage struct {
	base
	formState
	R breach.Record
	formValues
	People     []breachPerson
	More       int // people on the list not shown
	Untold     int
	OnTheWay   int // letters queued that the mail server has not accepted yet
	CanSend    bool
	Owner      bool
	Informed   string
	Upload     *breach.Upload
	UploadRows []uploadRow
	Tr2        countWords
	// Untranslated: the English letter or notice still holds a text marked
	// for translation, so it cannot go yet.
	Untranslated bool
}

// Rows is a text box's height for text.
func (p breachLetterPage) Rows(text string) int { return textRows(text) }

var letterFields = []string{"letter_nl", "letter_en", "notice_nl", "notice_en", "informed_at", "how",
	"count.exact", "count.min", "count.max", "form"}

// letterValues are the texts as the owner last saved them, or the drafts.
func (s *Server) letterValues(c echo.Context, r breach.Record) (url.Values, error) {
	ctl, _, err := s.Breaches.Controller(c.Request().Context(), breachActorOf(c))
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now().In(s.location(c))
	return url.Values{
		"letter_nl": {r.Texts.Letter(r.Breach, ctl, "nl")}, "letter_en": {r.Texts.Letter(r.Breach, ctl, "en")},
		"notice_nl": {r.Texts.Notice(r.Breach, ctl, "nl")}, "notice_en": {r.Texts.Notice(r.Breach, ctl, "en")},
		"informed_at": {now.Format("2006-01-02")}, "informed_at_time": {now.Format("15:04")},
	}, nil
}

func (s *Server) renderLetter(c echo.Context, status int, r breach.Record, v url.Values, problems map[string]string, up *breach.Upload) error {
	ctx := c.Request().Context()
	a := breachActorOf(c)
	if v == nil {
		var err error
		if v, err = s.letterValues(c, r); err != nil {
			return err
		}
	}
	people, err := s.Breaches.People(ctx, r)
	if err != nil {
		return err
	}
	b := s.staffBase(c, "breach.letter.title", "breaches")
	b.Title = r.Reference + " · " + b.Title
	loc := s.location(c)
	p := breachLetterPage{base: b, formState: newFormState(b.Tr, letterFields, problems), R: r, formValues: formValues{v},
		Owner: a.Owner, Upload: up, Tr2: countWords{b.Tr}}
	for i, pe := range people {
		if pe.QueuedAt == nil {
			p.Untold++
		}
		if i >= peopleShown {
			p.More++
			continue
		}
		row := breachPerson{Person: pe, State: string(pe.Delivery())}
		switch {
		case pe.SentAt != nil:
			row.When = lang.DateTime(b.Lang, *pe.SentAt, loc)
		case pe.QueuedAt != nil:
			row.When = lang.DateTime(b.Lang, *pe.QueuedAt, loc)
		}
		p.People = append(p.People, row)
	}
	p.OnTheWay = r.Queued - r.Told
	p.Untranslated = breach.Untranslated(v.Get("letter_en")) || breach.Untranslated(v.Get("notice_en"))
	p.CanSend = a.Owner && p.Untold > 0 && r.Decision != nil && r.Decision.InformPeople == breach.InformYes
	if r.Informed != nil && r.Informed.At != nil {
		p.Informed = lang.DateTime(b.Lang, *r.Informed.At, loc)
	}
	if up != nil {
		for _, rp := range up.Problems {
			p.UploadRows = append(p.UploadRows, uploadRow{Line: rp.Line, Field: rp.Field, Message: s.message(b.Lang, rp.Message)})
		}
	}
	return s.render(c, status, "staff_breach_letter", p)
}

func (s *Server) breachLetter(c echo.Context) error {
	r, err := s.Breaches.Get(c.Request().Context(), breachActorOf(c), c.Param("ref"))
	if err != nil {
		return err
	}
	return s.renderLetter(c, http.StatusOK, r, nil, nil, nil)
}

// breachLetterSave stores the owner's wording of the letters and notices;
// "reset" goes back to the drafts made from the register.
func (s *Server) breachLetterSave(c echo.Context) error {
	ctx := c.Request().Context()
	a := breachActorOf(c)
	t := breach.Texts{LetterNL: cleanText(c.FormValue("letter_nl")), LetterEN: cleanText(c.FormValue("letter_en")),
		NoticeNL: cleanText(c.FormValue("notice_nl")), NoticeEN: cleanText(c.FormValue("notice_en"))}
	if c.FormValue("reset") == "1" {
		t = breach.Texts{}
	}
	_, err := s.Breaches.SaveTexts(ctx, a, c.Param("ref"), t)
	if p, invalid := withProblems(err, nil); invalid {
		r, err := s.Breaches.Get(ctx, a, c.Param("ref"))
		if err != nil {
			return err
		}
		v := url.Values{"letter_nl": {t.LetterNL}, "letter_en": {t.LetterEN}, "notice_nl": {t.NoticeNL}, "notice_en": {t.NoticeEN}}
		return s.renderLetter(c, http.StatusUnprocessableEntity, r, v, p, nil)
	} else if err != nil {
		return err
	}
	s.setFlash(c, "breach.flash.texts")
	return c.Redirect(http.StatusSeeOther, "/staff/breaches/"+c.Param("ref")+"/letter")
}

// breachLetterPDF sends the letter or the public notice, in Dutch or
// English, as a PDF to print and post.
func (s *Server) breachLetterPDF(c echo.Context) error {
	ctx := c.Request().Context()
	a := breachActorOf(c)
	// Not "lang", which would switch the pages' language too.
	what, l := c.QueryParam("what"), c.QueryParam("language")
	if what != "notice" {
		what = "letter"
	}
	if l != "en" {
		l = "nl"
	}
	r, err := s.Breaches.ExportOne(ctx, a, c.Param("ref"), what+"_pdf_"+l)
	if err != nil {
		return err
	}
	ctl, _, err := s.Breaches.Controller(ctx, a)
	if err != nil {
		return err
	}
	text := r.Texts.Letter(r.Breach, ctl, l)
	if what == "notice" {
		text = r.Texts.Notice(r.Breach, ctl, l)
	}
	if l == "en" && breach.Untranslated(text) {
		// Printed and posted, it would put Dutch in an English letter.
		return s.renderLetter(c, http.StatusUnprocessableEntity, r, nil,
			map[string]string{what + "_en": "breach.letter_untranslated"}, nil)
	}
	doc := letterDocument(text)
	doc.Author, doc.Footer, doc.Created = ctl.Name, r.Reference, r.UpdatedAt
	return s.sendPDF(c, r.Reference+"-"+what+"-"+l+".pdf", doc)
}

// letterDocument lays a letter or notice out for paper: its subject line
// (or first line) as the title, and each paragraph whose first line asks a
// question ("Wat is er gebeurd?") with that line as a heading.
func letterDocument(text string) textpdf.Document {
	var doc textpdf.Document
	for i, b := range textpdf.Paragraphs(text) {
		first, rest, more := strings.Cut(b.Text, "\n")
		switch {
		case i == 0 && !more:
			for _, prefix := range []string{"Onderwerp:", "Subject:"} {
				first = strings.TrimSpace(strings.TrimPrefix(first, prefix))
			}
			if r := []rune(first); len(r) > 0 {
				first = strings.ToUpper(string(r[:1])) + string(r[1:])
			}
			doc.Title = first
			doc.Blocks = append(doc.Blocks, textpdf.Block{Kind: textpdf.Title, Text: first})
		case more && strings.HasSuffix(strings.TrimSpace(first), "?"):
			doc.Blocks = append(doc.Blocks, textpdf.Block{Kind: textpdf.Heading, Text: first},
				textpdf.Block{Kind: textpdf.Text, Text: rest})
		default:
			doc.Blocks = append(doc.Blocks, b)
		}
	}
	return doc
}

// breachRecipients takes the CSV of the people to inform. It answers with
// the letter page and the outcome: how many were added, and every row left
// out with its line number (422 when none could be added).
func (s *Server) breachRecipients(c echo.Context) error {
	ctx := c.Request().Context()
	a := breachActorOf(c)
	r, err := s.Breaches.Get(ctx, a, c.Param("ref"))
	if err != nil {
		return err
	}
	file, err := c.FormFile("csv")
	if err != nil {
		if tooLarge(err) {
			return apperr.New(apperr.TooLarge, "breach.csv_too_large")
		}
		if errors.Is(err, http.ErrMissingFile) || errors.Is(err, multipart.ErrMessageTooLarge) {
			return s.renderLetter(c, http.StatusUnprocessableEntity, r, nil, map[string]string{"form": "breach.csv_missing"}, nil)
		}
		return apperr.New(apperr.Malformed, "error.malformed")
	}
	f, err := file.Open()
	if err != nil {
		return apperr.Wrap(err, "error.internal")
	}
	defer f.Close()
	up, err := s.Breaches.AddRecipients(ctx, a, r.Reference, f)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if up.Added+up.Skipped == 0 {
		status = http.StatusUnprocessableEntity
	}
	if r, err = s.Breaches.Get(ctx, a, r.Reference); err != nil {
		return err
	}
	return s.renderLetter(c, status, r, nil, nil, &up)
}

// breachSend sends the letter to everyone on the list not yet told.
func (s *Server) breachSend(c echo.Context) error {
	ctx := c.Request().Context()
	a := breachActorOf(c)
	n, err := s.Breaches.SendLetters(ctx, a, c.Param("ref"))
	if status, p, again := formProblems(nil, err); again {
		r, gerr := s.Breaches.Get(ctx, a, c.Param("ref"))
		if gerr != nil {
			return gerr
		}
		return s.renderLetter(c, status, r, nil, p, nil)
	} else if err != nil {
		return err
	}
	if n > 0 {
		s.notifyMail()
	}
	s.setFlash(c, "breach.flash.sent")
	return c.Redirect(http.StatusSeeOther, "/staff/breaches/"+c.Param("ref")+"/letter")
}

// breachInformed records how the people were told by other means.
func (s *Server) breachInformed(c echo.Context) error {
	ctx := c.Request().Context()
	a := breachActorOf(c)
	v := url.Values{}
	for _, k := range []string{"informed_at", "informed_at_time", "count.exact", "count.min", "count.max"} {
		v.Set(k, clean(c.FormValue(k)))
	}
	v.Set("how", cleanText(c.FormValue("how")))
	p := map[string]string{}
	in := breach.InformedInput{How: v.Get("how"), Count: readCount(v, "count", p)}
	if t := readMoment(v, "informed_at", s.location(c), p); t != nil {
		in.At = *t
	}
	var err error
	if len(p) == 0 {
		_, err = s.Breaches.RecordInformed(ctx, a, c.Param("ref"), in)
	}
	if ae := apperr.As(err); len(p) > 0 || (err != nil && ae.Code == apperr.Invalid) {
		r, gerr := s.Breaches.Get(ctx, a, c.Param("ref"))
		if gerr != nil {
			return gerr
		}
		if err != nil {
			p = merged(p, ae.Fields)
		}
		all, lerr := s.letterValues(c, r)
		if lerr != nil {
			return lerr
		}
		for k := range v {
			all.Set(k, v.Get(k))
		}
		return s.renderLetter(c, http.StatusUnprocessableEntity, r, all, p, nil)
	} else if err != nil {
		return err
	}
	s.setFlash(c, "breach.flash.informed")
	return c.Redirect(http.StatusSeeOther, "/staff/breaches/"+c.Param("ref"))
}

// breachSettingsPage is the register's settings: the own target and the
// AP form's details about the practice.
type breachSettingsPage struct {
	base
	formState
	formValues
}

// People are the contacts the settings hold, by field prefix.
func (p breachSettingsPage) People() []string { return []string{"dpo", "reporter", "contact"} }

var settingsFields = []string{"own_target_hours", "sector", "dpo.name", "dpo.job_title", "dpo.email", "dpo.phone",
	"reporter.name", "reporter.job_title", "reporter.email", "reporter.phone",
	"contact.name", "contact.job_title", "contact.email", "contact.phone"}

func contactValues(v url.Values, prefix string, ct breach.Contact) {
	v.Set(prefix+"name", ct.Name)
	v.Set(prefix+"job_title", ct.JobTitle)
	v.Set(prefix+"email", ct.Email)
	v.Set(prefix+"phone", ct.Phone)
}

func readContact(v url.Values, prefix string) breach.Contact {
	return breach.Contact{Name: v.Get(prefix + "name"), JobTitle: v.Get(prefix + "job_title"),
		Email: v.Get(prefix + "email"), Phone: v.Get(prefix + "phone")}
}

func (s *Server) renderBreachSettings(c echo.Context, status int, v url.Values, problems map[string]string) error {
	b := s.staffBase(c, "breach.settings.title", "breaches")
	return s.render(c, status, "staff_breach_settings", breachSettingsPage{base: b,
		formState: newFormState(b.Tr, settingsFields, problems), formValues: formValues{v}})
}

func (s *Server) breachSettings(c echo.Context) error {
	st, err := s.Breaches.Settings(c.Request().Context())
	if err != nil {
		return err
	}
	v := url.Values{"sector": {st.Sector}}
	if st.OwnTargetHours > 0 {
		v.Set("own_target_hours", strconv.Itoa(st.OwnTargetHours))
	}
	contactValues(v, "dpo.", st.DPO)
	contactValues(v, "reporter.", st.Reporter)
	contactValues(v, "contact.", st.ContactPerson)
	return s.renderBreachSettings(c, http.StatusOK, v, nil)
}

func (s *Server) breachSettingsSave(c echo.Context) error {
	v := url.Values{}
	for _, k := range settingsFields {
		v.Set(k, clean(c.FormValue(k)))
	}
	st := breach.Settings{Sector: v.Get("sector"), DPO: readContact(v, "dpo."), Reporter: readContact(v, "reporter."),
		ContactPerson: readContact(v, "contact.")}
	p := map[string]string{}
	if h := v.Get("own_target_hours"); h != "" {
		n, err := strconv.Atoi(h)
		if err != nil {
			p["own_target_hours"] = "breach.number"
		}
		st.OwnTargetHours = n
	}
	var err error
	if len(p) == 0 {
		err = s.Breaches.SaveSettings(c.Request().Context(), breachActorOf(c), st)
	}
	if ae := apperr.As(err); len(p) > 0 || (err != nil && ae.Code == apperr.Invalid) {
		if err != nil {
			p = merged(p, ae.Fields)
		}
		return s.renderBreachSettings(c, http.StatusUnprocessableEntity, v, p)
	} else if err != nil {
		return err
	}
	s.setFlash(c, "breach.flash.settings")
	return c.Redirect(http.StatusSeeOther, "/staff/breaches")
}
