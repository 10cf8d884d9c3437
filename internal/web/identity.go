package web

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/identity"
	"github.com/avgloket/avgloket/internal/representation"
	"github.com/avgloket/avgloket/internal/upload"
)

// caseRequirement records a requirement's state from the case page.
func (s *Server) caseRequirement() echo.HandlerFunc {
	return s.caseStep("requirement", "flash.requirement", caseFields("key", "state", "reason"),
		func(c echo.Context, a casework.Actor, ref string, v map[string]string) error {
			_, err := s.Identity.Record(c.Request().Context(), a, ref, v["key"], v["state"], v["reason"])
			return err
		})
}

// caseVerify records the identity check.
func (s *Server) caseVerify() echo.HandlerFunc {
	return s.caseStep("identity", "flash.identity", func(c echo.Context, action string) map[string]string {
		v := caseFields("method", "outcome", "note", "reason")(c, action)
		if form, err := c.FormParams(); err == nil {
			v["checks"] = strings.Join(form[action+".checks"], " ")
		}
		return v
	}, func(c echo.Context, a casework.Actor, ref string, v map[string]string) error {
		_, destroyed, err := s.Identity.Verify(c.Request().Context(), a, ref, representation.Verification{
			Method: v["method"], Outcome: representation.Outcome(v["outcome"]), Note: v["note"], Reason: v["reason"],
			Checks: strings.Fields(v["checks"])})
		if len(destroyed) > 0 { // say so only when there were ID copies
			c.Set(keyStepFlash, "flash.identity_destroyed")
		}
		return err
	})
}

// caseAsk sends the requester a question for identity information.
func (s *Server) caseAsk() echo.HandlerFunc {
	return s.caseStep("ask", "flash.asked", caseFields("method", "upload", "text"),
		func(c echo.Context, a casework.Actor, ref string, v map[string]string) error {
			_, err := s.Identity.Ask(c.Request().Context(), a, ref, v["method"], v["upload"], v["text"])
			return err
		})
}

// caseWithdrawQuestion takes back the open question, with a reason the
// requester reads; the pause ends.
func (s *Server) caseWithdrawQuestion() echo.HandlerFunc {
	return s.caseStep("withdraw", "flash.question_withdrawn", caseFields("reason"),
		func(c echo.Context, a casework.Actor, ref string, v map[string]string) error {
			_, err := s.Identity.Withdraw(c.Request().Context(), a, ref, v["reason"])
			return err
		})
}

// caseFile serves an uploaded file to staff only as a download with a name
// we make, never rendered by the browser: attachment, nosniff, no-store and
// a sandboxing CSP (SECURITY.md item 2).
func (s *Server) caseFile(c echo.Context) error {
	ref := c.Param("ref")
	return s.attachment(c, func(start func(kind, name string, size int64)) error {
		return s.Identity.Download(c.Request().Context(), actorOf(c), ref, c.Param("id"), func(f casework.File) {
			start(f.Kind, ref+"-"+f.Purpose, f.Size)
		}, c.Response())
	})
}

// attachment serves a stored file only as a download with a name we make,
// never rendered by the browser: attachment, nosniff, no-store and a
// sandboxing CSP (SECURITY.md item 2). download calls start with the file's
// kind, base name and plaintext size once it knows them, then writes the
// content. The size goes out as Content-Length: the response is not
// chunked, and a file that decrypts to more or fewer bytes than its record
// says ends as a broken download.
func (s *Server) attachment(c echo.Context, download func(start func(kind, name string, size int64)) error) error {
	w := c.Response()
	started := false
	err := download(func(kind, name string, size int64) {
		started = true
		k := upload.Kind(kind)
		h := w.Header()
		h.Set("Content-Type", k.ContentType())
		h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s%s"`, name, k.Extension()))
		h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-store")
		h.Set("Content-Length", strconv.FormatInt(size, 10))
		w.WriteHeader(http.StatusOK)
	})
	if err != nil && started {
		// Part of the file may be out already: cut the connection so the
		// browser reports a failed download instead of keeping a torn file.
		s.Log.Error("file download failed", "route", c.Path(), "err", err)
		panic(http.ErrAbortHandler)
	}
	return err
}

// trackAnswer takes the requester's answer from the tracking page. The form
// is multipart; it is read part by part so that a file streams through the
// cleaner into encrypted storage and is never buffered whole. The CSRF
// token travels in the query for this form, so that checking it does not
// make the framework parse (and buffer) the body first.
func (s *Server) trackAnswer(c echo.Context) error {
	token := c.Param("token")
	mr, err := c.Request().MultipartReader()
	if err != nil {
		return apperr.New(apperr.Malformed, "error.malformed")
	}
	var answer, purpose string
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return tooLargeOr(err)
		}
		switch part.FormName() {
		case "answer", "purpose":
			v, err := readField(part, identity.MaxText*4)
			if err != nil {
				return tooLargeOr(err)
			}
			if part.FormName() == "answer" {
				answer = v
			} else {
				purpose = v
			}
		case "file":
			if part.FileName() == "" {
				continue // no file chosen
			}
			_, err := s.Identity.Answer(c.Request().Context(), token, c.RealIP(), answer,
				&identity.Upload{Purpose: purpose, Body: part})
			return s.answered(c, token, err)
		}
	}
	_, err = s.Identity.Answer(c.Request().Context(), token, c.RealIP(), answer, nil)
	return s.answered(c, token, err)
}

func (s *Server) answered(c echo.Context, token string, err error) error {
	if err != nil {
		ae := apperr.As(err)
		if !slices.Contains([]apperr.Code{apperr.Invalid, apperr.Conflict, apperr.TooLarge}, ae.Code) {
			return err
		}
		status := statusOf(ae.Code)
		msg := ae.Message
		for _, id := range ae.Fields {
			msg = id
		}
		return s.renderTrack(c, status, msg)
	}
	s.notifyMail()
	s.setFlash(c, "flash.answered")
	return c.Redirect(http.StatusSeeOther, "/volg/"+token)
}

func readField(p *multipart.Part, limit int64) (string, error) {
	b, err := io.ReadAll(io.LimitReader(p, limit+1))
	if err != nil {
		return "", err
	}
	if int64(len(b)) > limit {
		return "", apperr.New(apperr.TooLarge, "error.too_large")
	}
	return strings.TrimSpace(string(b)), nil
}

// filePart returns the first file posted under the field "file" of a
// multipart form that holds only that file, as a stream (nothing buffered);
// nil when none was chosen. Its CSRF token travels in the query, so that
// checking it does not make the framework parse the body first.
func filePart(c echo.Context) (*multipart.Part, error) {
	mr, err := c.Request().MultipartReader()
	if err != nil {
		return nil, apperr.New(apperr.Malformed, "error.malformed")
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return nil, nil
		}
		if err != nil {
			return nil, tooLargeOr(err)
		}
		if part.FormName() == "file" && part.FileName() != "" {
			return part, nil
		}
	}
}

// tooLargeOr maps the body limit's error to 413, others to 400.
func tooLargeOr(err error) error {
	var he *echo.HTTPError
	var mbe *http.MaxBytesError
	switch {
	case apperr.CodeOf(err) == apperr.TooLarge:
		return err
	case errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge, errors.As(err, &mbe):
		return apperr.New(apperr.TooLarge, "error.too_large")
	}
	return &apperr.Error{Code: apperr.Malformed, Message: "error.malformed", Err: err}
}

// apiRecordIdentity records the identity check as the case page does
// (API.md): 200 with the case, 409 when a check is already recorded (or
// the case is completed), 422 with fields (reason is required for a
// failed check). The token's owner is who recorded it; "by", who checked
// when that was someone else (a counsellor who knows the client), is kept
// in front of the note.
func (s *Server) apiRecordIdentity(c echo.Context) error {
	var body struct {
		Outcome string   `json:"outcome"`
		Method  string   `json:"method"`
		By      string   `json:"by"`
		Note    string   `json:"note"`
		Reason  string   `json:"reason"`
		Checks  []string `json:"checks"`
	}
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	note := strings.TrimSpace(body.Note)
	if by := strings.TrimSpace(body.By); by != "" {
		note = strings.TrimSpace(by + ": " + note)
	}
	k, _, err := s.Identity.VerifyFirst(c.Request().Context(), actorOf(c), c.Param("reference"), representation.Verification{
		Method: body.Method, Outcome: representation.Outcome(body.Outcome), Note: note, Reason: body.Reason, Checks: body.Checks})
	if err != nil {
		return err
	}
	return s.respondCase(c, http.StatusOK, k)
}
