package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/delivery"
	"github.com/avgloket/avgloket/internal/portability"
	"github.com/avgloket/avgloket/internal/register"
)

// portabilityBodyLimit is the portability form's limit: typed data and an
// uploaded CSV or JSON file of at most portability.MaxUpload per activity,
// a few activities at most.
const portabilityBodyLimit = "8MiB"

// portabilityStore keeps the export links of other organisations
// (internal/store).
type portabilityStore interface {
	// OpenPortabilityLink returns the case and the link whose secret
	// hashes to hash, recording and auditing the download; NotFound when
	// there is none such or it expired.
	OpenPortabilityLink(ctx context.Context, hash, address string, at time.Time) (int64, casework.TransferLink, error)
	// PortabilityLinks lists the links of a case with their downloads.
	PortabilityLinks(ctx context.Context, caseID int64) ([]casework.TransferLink, error)
}

// casePortability is the case page's section of a portability case (AVG
// art. 20): the chosen activities, which the right covers and which not
// and why, the data per covered activity, the export and where it went.
type casePortability struct {
	Reference string
	// Action is where the data form posts, with the CSRF token in the
	// query (the form is multipart).
	Action     string
	Open       bool
	Activities []portabilityActivity
	// NoneChosen: no activities are chosen yet; NonePortable: none of
	// the chosen ones is on consent or contract.
	NoneChosen, NonePortable bool
	// Recorded: the activities were recorded (SavePortability), so that
	// the letter can say which the right does not cover.
	Recorded  bool
	Exported  string // when the export was made; "" before
	CanExport bool
	// Organisation and Email prefill the transfer form with what the
	// requester asked for on the request form.
	Organisation, Email string
	Transfers           []transferLine
	// Problems are the data form's problems per activity key.
	Problems map[string]string
}

// portabilityActivity is one chosen activity in the section.
type portabilityActivity struct {
	Key, Name, Basis string
	Portable         bool
	Lines            string // the data as "name: value" lines
	Count            int
	// DataField and FileField name the form's fields for this activity.
	DataField, FileField string
}

// transferLine is a transfer to another organisation as staff read it.
type transferLine struct {
	Organisation, Email, At, Expires, Downloads string
}

// keyPortabilityProblems holds, for renderCase, the data form's problems
// per activity key.
const keyPortabilityProblems = "portability_problems"

// portabilityRegister is the register's activities as package portability
// reads them.
func (s *Server) portabilityRegister(ctx context.Context) ([]portability.Item, error) {
	all, err := s.Store.Activities(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]portability.Item, len(all))
	for i, a := range all {
		out[i] = portability.Item{Activity: a.Key, Name: a.Name, Basis: a.LegalBasis}
	}
	return out, nil
}

// casePortabilityOf builds the section for case k; nil for another right.
func (s *Server) casePortabilityOf(c echo.Context, b base, k casework.Case, loc *time.Location) (*casePortability, error) {
	if k.Type != casework.Portability {
		return nil, nil
	}
	ctx := c.Request().Context()
	reg, err := s.portabilityRegister(ctx)
	if err != nil {
		return nil, err
	}
	p := &casePortability{Reference: k.Reference, Open: k.Status != casework.Completed, NoneChosen: len(k.Activities) == 0,
		Action:   "/staff/cases/" + url.PathEscape(k.Reference) + "/portability?_csrf=" + url.QueryEscape(b.CSRF),
		Problems: map[string]string{}}
	if probs, ok := c.Get(keyPortabilityProblems).(map[string]string); ok {
		for key, id := range probs {
			p.Problems[key] = b.Tr.T(id)
		}
	}
	recorded := k.Portability.Items
	if len(recorded) == 0 {
		recorded = portability.Items(k.Activities, reg, nil)
	}
	portable := 0
	for _, it := range recorded {
		a := portabilityActivity{Key: it.Activity, Name: it.Name, Portable: it.Portable(), Lines: portability.Lines(it.Fields),
			Count: len(it.Fields), DataField: "portability.data." + it.Activity, FileField: "portability.file." + it.Activity,
			Basis: b.Tr.T("portability.basis_unknown")}
		if it.Basis.Valid() {
			a.Basis = b.Tr.T("activities.basis." + string(it.Basis))
		}
		if a.Portable {
			portable++
		}
		p.Activities = append(p.Activities, a)
	}
	p.NonePortable = !p.NoneChosen && portable == 0
	p.Recorded = k.Portability.Recorded()
	if k.Portability.Exported() {
		p.Exported = b.Tr.DateTime(k.Portability.ExportedAt, loc)
	}
	p.CanExport = p.Open && portability.HasData(k.Portability.Items)
	if k.Specifics.Destination == "controller" {
		p.Organisation = k.Specifics.OtherController
	}
	links, err := s.Store.PortabilityLinks(ctx, k.ID)
	if err != nil {
		return nil, err
	}
	for i, t := range k.Portability.Transfers {
		l := transferLine{Organisation: t.Organisation, Email: t.Email, At: b.Tr.DateTime(t.At, loc)}
		if i < len(links) {
			l.Expires = b.Tr.DateTime(links[i].Expires, loc)
			l.Downloads = b.Tr.T("portability.downloads_none")
			if links[i].Downloads > 0 {
				l.Downloads = b.Tr.T("portability.downloads", "Count", links[i].Downloads, "Last", b.Tr.DateTime(links[i].LastDownload, loc))
			}
		}
		p.Transfers = append(p.Transfers, l)
	}
	return p, nil
}

// exportReady reports whether the portability step is done: the export is
// made, or none of the chosen activities is one the right covers and that
// is recorded for the letter (the decision then refuses, art. 20(1)(a)).
func (p *casePortability) exportReady(k casework.Case) bool {
	return p != nil && (k.Portability.Exported() || (p.NonePortable && p.Recorded))
}

// casePortabilitySave records the data the person provided, typed as
// "name: value" lines or uploaded as a CSV or JSON file per activity (a
// file replaces what was typed for its activity). Problems come back next
// to the activity's field (422); an export made of earlier data is
// removed when it was not sent.
func (s *Server) casePortabilitySave(c echo.Context) error {
	ctx := c.Request().Context()
	a, ref := actorOf(c), c.Param("ref")
	k, err := s.Cases.Case(ctx, a, ref)
	if err != nil {
		return err
	}
	// The case's state first: no body is read for a case that takes none.
	if err := portabilityOpen(k); err != nil {
		return s.portabilityProblem(c, err)
	}
	if err := c.Request().ParseMultipartForm(1 << 20); err != nil {
		if tooLarge(err) {
			return apperr.New(apperr.TooLarge, "error.too_large")
		}
		return apperr.New(apperr.Malformed, "error.malformed")
	}
	defer c.Request().MultipartForm.RemoveAll()
	reg, err := s.portabilityRegister(ctx)
	if err != nil {
		return err
	}
	var entered []portability.Item
	problems := map[string]string{}
	for _, it := range portability.Items(k.Activities, reg, nil) {
		if !it.Portable() {
			continue
		}
		fields, msg := portabilityFields(c.Request().MultipartForm, it.Activity)
		if msg != "" {
			problems[it.Activity] = msg
			continue
		}
		entered = append(entered, portability.Item{Activity: it.Activity, Fields: fields})
	}
	if len(problems) == 0 {
		_, err = s.Cases.Apply(ctx, a, ref, casework.SavePortability(entered, reg))
		var ae *apperr.Error
		if errors.As(err, &ae) && ae.Code == apperr.Invalid {
			for path, msg := range ae.Fields {
				if i, ok := itemIndex(path); ok && i < len(entered) {
					problems[entered[i].Activity] = msg
				}
			}
			if len(problems) == 0 {
				problems[""] = ae.Fields["items"]
			}
		} else if err != nil {
			return s.portabilityProblem(c, err)
		}
	}
	if len(problems) > 0 {
		c.Set(keyPortabilityProblems, problems)
		first := problems[""]
		for _, m := range problems {
			if first == "" {
				first = m
			}
		}
		return s.renderCase(c, http.StatusUnprocessableEntity, "portability", map[string]string{"items": first}, nil)
	}
	s.dropExport(ctx, a, ref, k.Portability.Document)
	s.setFlash(c, "portability.flash_saved")
	return c.Redirect(http.StatusSeeOther, "/staff/cases/"+url.PathEscape(ref)+"#h-portability")
}

// itemIndex reads n from a problem's path "items.n.…"; n is digits only
// (no sign).
func itemIndex(path string) (int, bool) {
	rest, ok := strings.CutPrefix(path, "items.")
	if !ok {
		return 0, false
	}
	n, _, _ := strings.Cut(rest, ".")
	if n == "" || n[0] < '0' || n[0] > '9' {
		return 0, false
	}
	i, err := strconv.Atoi(n)
	return i, err == nil
}

// portabilityFields reads one activity's data from the form: the uploaded
// file when there is one, otherwise the typed lines.
func portabilityFields(form *multipart.Form, activity string) (portability.Fields, string) {
	if files := form.File["portability.file."+activity]; len(files) > 0 && files[0].Size > 0 {
		if files[0].Size > portability.MaxUpload {
			return nil, "portability.file_too_large"
		}
		f, err := files[0].Open()
		if err != nil {
			return nil, "portability.file_format"
		}
		defer f.Close()
		b, err := io.ReadAll(io.LimitReader(f, portability.MaxUpload+1))
		if err != nil {
			return nil, "portability.file_format"
		}
		return portability.ParseFile(b)
	}
	var text string
	if v := form.Value["portability.data."+activity]; len(v) > 0 {
		text = v[0]
	}
	return portability.ParseLines(text)
}

// portabilityOpen refuses, before any work, what the case's steps would
// refuse for its state: another right, or a completed case.
func portabilityOpen(k casework.Case) error {
	switch {
	case k.Type != casework.Portability:
		return apperr.New(apperr.Conflict, "portability.not_portability")
	case k.Status == casework.Completed:
		return apperr.New(apperr.Conflict, "case.completed")
	}
	return nil
}

// portabilityProblem shows a refusal for the case's state (409) at the top
// of the section.
func (s *Server) portabilityProblem(c echo.Context, err error) error {
	if ae := apperr.As(err); ae.Code == apperr.Conflict {
		return s.renderCase(c, http.StatusConflict, "portability", map[string]string{"form": ae.Message}, nil)
	}
	return err
}

// dropExport removes the export document id of case ref when it was not
// sent yet: it no longer matches the data. One already sent stays until
// its time is up.
func (s *Server) dropExport(ctx context.Context, a casework.Actor, ref, id string) {
	if id == "" {
		return
	}
	if err := s.Delivery.Remove(ctx, a, ref, id); err != nil && apperr.CodeOf(err) != apperr.NotFound {
		s.Log.Error("remove old portability export", "case", ref, "err", err)
	}
}

// buildExport writes the ZIP of case k made at at.
func (s *Server) buildExport(ctx context.Context, k casework.Case, at time.Time) ([]byte, error) {
	st, err := s.Store.Settings(ctx)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	err = portability.WriteZIP(&buf, portability.Export{Practice: st.Name, Reference: k.Reference, At: at, Items: k.Portability.Items})
	if err != nil {
		return nil, apperr.Wrap(err, "error.internal")
	}
	return buf.Bytes(), nil
}

// casePortabilityExport makes the export ZIP and keeps it as an answer
// document of the case, checked and stored encrypted like an upload; the
// documents' "send" then delivers it to the requester. An earlier export
// not sent yet is replaced.
func (s *Server) casePortabilityExport(c echo.Context) error {
	ctx := c.Request().Context()
	a, ref := actorOf(c), c.Param("ref")
	k, err := s.Cases.Case(ctx, a, ref)
	if err != nil {
		return err
	}
	if err := portabilityOpen(k); err != nil {
		return s.portabilityProblem(c, err)
	}
	if !portability.HasData(k.Portability.Items) {
		return s.portabilityProblem(c, apperr.New(apperr.Conflict, "portability.nothing_to_export"))
	}
	at := s.Clock.Now()
	zip, err := s.buildExport(ctx, k, at)
	if err != nil {
		return err
	}
	doc, err := s.Delivery.Upload(ctx, a, k, "portability-"+k.Reference+".zip", bytes.NewReader(zip))
	if err != nil {
		return err
	}
	if _, err := s.Cases.Apply(ctx, a, ref, casework.RecordExport(doc.ID, at)); err != nil {
		s.dropExport(ctx, a, ref, doc.ID)
		return s.portabilityProblem(c, err)
	}
	s.dropExport(ctx, a, ref, k.Portability.Document)
	s.setFlash(c, "portability.flash_exported")
	return c.Redirect(http.StatusSeeOther, "/staff/cases/"+url.PathEscape(ref)+"#h-documents")
}

// casePortabilityTransfer sends the export to another organisation on the
// requester's instruction: a mail through the outbox with a download link
// of its own, which works as long as sent documents are kept.
func (s *Server) casePortabilityTransfer() echo.HandlerFunc {
	return s.caseStep("transfer", "portability.flash_transferred", caseFields("organisation", "email"),
		func(c echo.Context, a casework.Actor, ref string, v map[string]string) error {
			organisation, address, p := casework.ValidateTransfer(v["organisation"], v["email"])
			if len(p) > 0 {
				return apperr.InvalidFields(p)
			}
			ctx := c.Request().Context()
			st, err := s.Store.Settings(ctx)
			if err != nil {
				return err
			}
			k, err := s.Cases.Case(ctx, a, ref)
			if err != nil {
				return err
			}
			secret, err := linkSecret()
			if err != nil {
				return err
			}
			now := s.Clock.Now()
			link := casework.TransferLink{Hash: casework.HashToken(secret), Created: now, Expires: now.Add(delivery.KeepFor(st))}
			m, err := s.Letters.PortabilityTransfer(k, organisation, address,
				strings.TrimSuffix(s.cfg.BaseURL, "/")+"/overdracht/"+secret, link.Expires)
			if err != nil {
				return apperr.Wrap(err, "error.internal")
			}
			_, err = s.Cases.Apply(ctx, a, ref, casework.SendTransfer(organisation, address, link, m))
			return err
		})
}

// linkSecret is a random 256-bit secret for a link, URL-safe.
func linkSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", apperr.Wrap(err, "error.internal")
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// portabilityDownload serves the export to the organisation whose link it
// is, as a download, while the link works; the download is counted and
// audited. An unknown or expired link is 404.
func (s *Server) portabilityDownload(c echo.Context) error {
	ctx := c.Request().Context()
	caseID, link, err := s.Store.OpenPortabilityLink(ctx, casework.HashToken(c.Param("token")), c.RealIP(), s.Clock.Now())
	if err != nil {
		return err
	}
	return s.attachment(c, func(start func(kind, name string, size int64)) error {
		return s.Delivery.Open(ctx, caseID, link.Document, func(d delivery.Document) {
			start(d.Kind, "portability-"+d.ID[:8], d.Size)
		}, c.Response())
	})
}

// portabilityItemView is an item as the API reads and writes it (PUT
// …/portability): the activity and its data; the answer adds the name,
// the legal basis and whether the right covers it.
type portabilityItemView struct {
	Activity string              `json:"activity"`
	Name     string              `json:"name,omitempty"`
	Basis    register.LegalBasis `json:"legal_basis,omitempty"`
	Portable *bool               `json:"portable,omitempty"`
	Data     portability.Fields  `json:"data"`
}

// portabilityView is the answer of PUT …/portability.
type portabilityView struct {
	Reference  string                `json:"reference"`
	Items      []portabilityItemView `json:"items"`
	ExportedAt *string               `json:"exported_at"`
}

// apiCasePortability records the data the person provided on a portability
// case: 409 for another request type or a completed case, 422 with the
// fields at fault ("items.0.activity": not chosen, or not on consent or
// contract).
func (s *Server) apiCasePortability(c echo.Context) error {
	var body struct {
		Items *[]portabilityItemView `json:"items"`
	}
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	if body.Items == nil {
		return apperr.InvalidFields(map[string]string{"items": "field.required"})
	}
	ctx := c.Request().Context()
	a, ref := actorOf(c), c.Param("reference")
	reg, err := s.portabilityRegister(ctx)
	if err != nil {
		return err
	}
	entered := make([]portability.Item, len(*body.Items))
	for i, v := range *body.Items {
		entered[i] = portability.Item{Activity: v.Activity, Fields: v.Data}
	}
	before, err := s.Cases.Case(ctx, a, ref)
	if err != nil {
		return err
	}
	k, err := s.Cases.Apply(ctx, a, ref, casework.SavePortability(entered, reg))
	if err != nil {
		return err
	}
	s.dropExport(ctx, a, ref, before.Portability.Document)
	v := portabilityView{Reference: k.Reference, Items: []portabilityItemView{}}
	for _, it := range k.Portability.Items {
		portable := it.Portable()
		data := it.Fields
		if data == nil {
			data = portability.Fields{}
		}
		v.Items = append(v.Items, portabilityItemView{Activity: it.Activity, Name: it.Name, Basis: it.Basis, Portable: &portable, Data: data})
	}
	return c.JSON(http.StatusOK, v)
}

// apiPortabilityZIP answers the export ZIP of a portability case: the one
// made on the case page, byte for byte, or one made now. 409 for another
// request type or while no covered activity holds data. The download is
// audited as an export.
func (s *Server) apiPortabilityZIP(c echo.Context) error {
	ctx := c.Request().Context()
	a := actorOf(c)
	k, err := s.Cases.Case(ctx, a, c.Param("reference"))
	if err != nil {
		return err
	}
	switch {
	case k.Type != casework.Portability:
		return apperr.New(apperr.Conflict, "portability.not_portability")
	case !portability.HasData(k.Portability.Items):
		return apperr.New(apperr.Conflict, "portability.nothing_to_export")
	}
	at := k.Portability.ExportedAt
	if !k.Portability.Exported() {
		at = s.Clock.Now()
	}
	zip, err := s.buildExport(ctx, k, at)
	if err != nil {
		return err
	}
	entry := s.auditWho(c)
	entry.Action, entry.Object, entry.Detail = audit.CaseExport, audit.Case(k.ID), "portability_zip"
	if err := s.Store.AppendAudit(ctx, entry); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Disposition", `attachment; filename="portability-`+k.Reference+`.zip"`)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, "application/zip", zip)
}
