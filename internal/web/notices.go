package web

import (
	"cmp"
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/internal/apperr"
	"github.com/avgloket/avgloket/internal/casework"
	"github.com/avgloket/avgloket/internal/lang"
	"github.com/avgloket/avgloket/internal/register"
)

// noticeStore reads the notices of AVG art. 19; internal/store implements
// it, and writes them with the decision (casework.Change.Notices).
type noticeStore interface {
	// CaseNotices returns the notices of case caseID, oldest first, read
	// after the case itself was read through a scoped or tracking-link
	// read.
	CaseNotices(ctx context.Context, caseID int64) ([]casework.Notice, error)
	// OpenNoticeLink returns the notice whose mailed link has the secret
	// token, recording and auditing the download; NotFound when there is
	// none such or it expired.
	OpenNoticeLink(ctx context.Context, token, address string, at time.Time) (casework.Notice, error)
}

// noticeLine is a notice as the case page shows it.
type noticeLine struct {
	N          casework.Notice
	Activities string // the activities' names
	Status     string // queued, sent, to print or posted, with when
	PDF        string // the letter to print; "" for a mail
	ToPost     bool   // a letter not yet marked posted
}

// caseNotices is the art. 19 section of a rectification, erasure or
// restriction case: the recipients told, how, and where each stands.
type caseNotices struct {
	Lines []noticeLine
	// Open is how many letters are still to print and post.
	Open int
}

// caseNoticesOf returns the notices section of case k; nil for a right
// without notices or a case without any.
func (s *Server) caseNoticesOf(ctx context.Context, t tr, k casework.Case, loc *time.Location) (*caseNotices, error) {
	if k.Type != casework.Rectification && k.Type != casework.Erasure && k.Type != casework.Restriction {
		return nil, nil
	}
	ns, err := s.Store.CaseNotices(ctx, k.ID)
	if err != nil || len(ns) == 0 {
		return nil, err
	}
	acts, err := s.Store.Activities(ctx)
	if err != nil {
		return nil, err
	}
	sec := &caseNotices{}
	for _, n := range ns {
		l := noticeLine{N: n, Activities: activityNames(acts, n.Activities)}
		switch {
		case n.At != nil:
			l.Status = t.T("notices.status."+string(n.Status), "When", t.DateTime(*n.At, loc))
		case n.Channel == casework.NoticeByPost:
			l.Status, l.ToPost = t.T("notices.status.to_print"), true
			sec.Open++
		default:
			l.Status = t.T("notices.status.queued")
		}
		if n.Channel == casework.NoticeByPost {
			l.PDF = "/staff/cases/" + k.Reference + "/notices/" + strconv.FormatInt(n.ID, 10) + "/letter.pdf"
		}
		sec.Lines = append(sec.Lines, l)
	}
	return sec, nil
}

// activityNames names the activities of keys as the register does now, by
// key when one is gone.
func activityNames(acts []register.Activity, keys []string) string {
	byKey := activityNameMap(acts)
	names := make([]string, 0, len(keys))
	for _, k := range keys {
		names = append(names, cmp.Or(byKey[k], k))
	}
	return strings.Join(names, ", ")
}

// caseNotice returns the notice :id of the case :ref in the caller's scope,
// with the case; NotFound when either is not there.
func (s *Server) caseNotice(c echo.Context) (casework.Case, casework.Notice, error) {
	ctx := c.Request().Context()
	k, err := s.Cases.Case(ctx, actorOf(c), c.Param("ref"))
	if err != nil {
		return casework.Case{}, casework.Notice{}, err
	}
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	notFound := apperr.New(apperr.NotFound, "error.not_found")
	if err != nil {
		return casework.Case{}, casework.Notice{}, notFound
	}
	ns, err := s.Store.CaseNotices(ctx, k.ID)
	if err != nil {
		return casework.Case{}, casework.Notice{}, err
	}
	i := slices.IndexFunc(ns, func(n casework.Notice) bool { return n.ID == id })
	if i < 0 {
		return casework.Case{}, casework.Notice{}, notFound
	}
	return k, ns[i], nil
}

// caseNoticePDF sends a notice to post as the PDF to print: the letter as
// it was written when the case was decided, in the recipient's language.
func (s *Server) caseNoticePDF(c echo.Context) error {
	k, n, err := s.caseNotice(c)
	if err != nil {
		return err
	}
	if n.Channel != casework.NoticeByPost || n.Letter.Body == "" {
		return apperr.New(apperr.NotFound, "error.not_found")
	}
	name := k.Reference + "-notice-" + strconv.FormatInt(n.ID, 10) + ".pdf"
	return s.sendPDF(c, name, s.Letters.Document(n.Letter, lang.Parse(string(n.Language)), s.Clock.Now()))
}

// noticeDownload serves a notice sent by mail to its recipient, through
// the link in the mail, as the PDF of the letter, while the link works;
// the download is counted and audited. An unknown or expired link is 404.
func (s *Server) noticeDownload(c echo.Context) error {
	now := s.Clock.Now()
	n, err := s.Store.OpenNoticeLink(c.Request().Context(), c.Param("token"), c.RealIP(), now)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return s.sendPDF(c, n.Letter.Reference+"-notice.pdf", s.Letters.Document(n.Letter, lang.Parse(string(n.Language)), now))
}

// caseNoticePosted marks a notice to post as printed and posted.
func (s *Server) caseNoticePosted() echo.HandlerFunc {
	return s.caseStep("notices", "flash.notice_posted", func(c echo.Context, _ string) map[string]string {
		return map[string]string{"id": c.Param("id")}
	}, func(c echo.Context, a casework.Actor, ref string, v map[string]string) error {
		id, err := strconv.ParseInt(v["id"], 10, 64)
		if err != nil {
			return apperr.New(apperr.NotFound, "error.not_found")
		}
		_, err = s.Cases.Apply(c.Request().Context(), a, ref, casework.MarkNoticePosted(id))
		return err
	})
}

// noticeView is one recipient and activity of a notice as the API shows it
// (API.md): one entry per recipient and activity.
type noticeView struct {
	Recipient string `json:"recipient"`
	Activity  string `json:"activity"`
	Status    string `json:"status"`
	// At is when the notice reached its status: made (queued), sent or
	// printed.
	At string `json:"at"`
}

type noticesView struct {
	Notices []noticeView `json:"notices"`
}

// apiCaseNotices lists the art. 19 notices of a case; none for a case
// that made none.
func (s *Server) apiCaseNotices(c echo.Context) error {
	ctx := c.Request().Context()
	k, err := s.Cases.Case(ctx, actorOf(c), c.Param("reference"))
	if err != nil {
		return err
	}
	ns, err := s.Store.CaseNotices(ctx, k.ID)
	if err != nil {
		return err
	}
	settings, err := s.Store.Settings(ctx)
	if err != nil {
		return err
	}
	out := noticesView{Notices: []noticeView{}}
	for _, n := range ns {
		at := n.CreatedAt
		if n.At != nil {
			at = *n.At
		}
		for _, a := range n.Activities {
			out.Notices = append(out.Notices, noticeView{Recipient: n.Recipient, Activity: a, Status: string(n.Status),
				At: at.In(settings.Location()).Format(time.RFC3339)})
		}
	}
	return c.JSON(http.StatusOK, out)
}

// trackToldParam is the tracking page's query parameter that shows the
// requester whom the practice told (AVG art. 19, last sentence).
const trackToldParam = "ingelicht"

// trackTold is the tracking page's art. 19 section: that recipients were
// told and, when the requester asks, who they are.
type trackTold struct {
	// Names are the recipients' names, filled only when asked.
	Names []string
	Ask   string // the page's own path, for the button that asks
}

// trackToldOf returns the section for case k; nil when it made no notices.
func (s *Server) trackToldOf(c echo.Context, k casework.Case) (*trackTold, error) {
	ns, err := s.Store.CaseNotices(c.Request().Context(), k.ID)
	if err != nil || len(ns) == 0 {
		return nil, err
	}
	t := &trackTold{Ask: c.Request().URL.Path}
	if c.QueryParam(trackToldParam) != "" {
		for _, n := range ns {
			t.Names = append(t.Names, n.Recipient)
		}
	}
	return t, nil
}
