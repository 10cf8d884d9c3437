package web

import (
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"
)

// Body limits. The API's is the contract's (API.md: over 1 MiB → 413).
// echo reads "1M" as 1,000,000 bytes; "1MiB" is 1,048,576.
const (
	apiBodyLimit  = "1MiB"
	formBodyLimit = "64K"
	// uploadBodyLimit leaves room around the 10 MB file for the other
	// fields; the cleaner enforces 10 MB on the file itself.
	uploadBodyLimit = "11MiB"
	// breachBodyLimit fits a breach form's texts (each up to 10,000
	// characters) even when every character is escaped.
	breachBodyLimit = "512KiB"
)

// routes is the one route table of the portal, grouped by the middleware the
// routes share.
func (s *Server) routes() {
	e := s.echo
	e.Use(s.measure(), s.recoverer(), s.requestLog(), s.securityHeaders(),
		middleware.ContextTimeoutWithConfig(middleware.ContextTimeoutConfig{Timeout: 30 * time.Second,
			// An answer document's transfer sets its own, longer time.
			Skipper: func(c echo.Context) bool { return longTransfers[c.Path()] }}))

	e.GET("/healthz", s.health)
	e.GET("/readyz", s.ready)
	e.GET("/metrics", s.metrics)
	e.GET("/static/:file", s.serveStatic)

	limitNew := s.rateLimit(s.cfg.RequestsPerMinute)

	// Pages for people: forms with CSRF tokens and a language choice.
	site := e.Group("", middleware.BodyLimit(formBodyLimit), s.csrf(), s.language)
	// The request form's pages may be framed by the practice's website
	// (frameable); in a frame, the form's post is checked without a cookie.
	site.GET("/", s.requestStart, s.frameable)
	site.GET("/verzoek", s.requestStart, s.frameable)
	site.GET("/verzoek/:type", s.requestForm, s.frameable)
	e.POST("/verzoek/:type", s.requestSubmit, middleware.BodyLimit(formBodyLimit), s.frameable, s.requestCSRF(), s.language, limitNew)
	site.GET("/verzoek-ontvangen", s.requestReceived, s.frameable)
	site.GET("/volg/:token", s.track)
	site.GET("/volg/:token/letter.pdf", s.trackLetterPDF)
	// The requester's answer may carry a file: a larger body limit than the
	// other forms, checked before the body is read.
	e.POST("/volg/:token/answer", s.trackAnswer, middleware.BodyLimit(uploadBodyLimit), s.csrf(), s.language, limitNew)
	// Answer documents: a one-time code by e-mail opens them for this
	// browser (package delivery).
	site.POST("/volg/:token/code", s.trackCodeRequest, limitNew)
	site.POST("/volg/:token/code/check", s.trackCodeEnter, limitNew)
	site.GET("/volg/:token/documents/:id", s.trackDocument)
	// A portability export's own link for another organisation (art. 20(2)).
	site.GET("/overdracht/:token", s.portabilityDownload)
	// An art. 19 notice's own link for the recipient it is mailed to.
	site.GET("/mededeling/:token", s.noticeDownload)
	site.GET("/setup/:token", s.setupForm)
	site.POST("/setup/:token", s.setupSubmit)

	// Signing in, and the invitation link.
	site.GET("/staff/signin", s.signInForm)
	site.POST("/staff/signin", s.signIn)
	site.POST("/staff/signin/oidc", s.oidcStart)
	site.GET("/staff/oidc/callback", s.oidcCallback)
	site.GET("/staff/welcome/:token", s.welcomeForm)
	site.POST("/staff/welcome/:token", s.welcomeSubmit)

	// The staff workspace: signed-in staff only, CSRF on every form.
	work := site.Group("/staff", s.staffSession)
	work.GET("/signin/code", s.codeForm)
	work.POST("/signin/code", s.codeSubmit)
	work.POST("/signout", s.signOut)
	work.GET("/account/totp", s.totpForm)
	work.POST("/account/totp", s.totpConfirm)
	work.POST("/account/totp/begin", s.totpBegin)
	work.POST("/account/recovery", s.renewRecovery)
	work.GET("/account", s.account)
	work.POST("/account/password", s.changePassword)
	work.POST("/account/tokens", s.createToken)
	work.POST("/account/tokens/:id/revoke", s.revokeToken)
	work.POST("/account/tokens/revoke-all", s.revokeAllTokens)
	work.GET("", s.staffHome)
	work.GET("/cases", s.staffQueue)
	work.GET("/cases/new", s.staffCaseNew)
	work.POST("/cases/new", s.staffCaseCreate)
	work.GET("/cases/:ref", s.staffCase)
	work.GET("/cases/:ref/edit", s.staffCaseEdit)
	work.POST("/cases/:ref/edit", s.staffCaseUpdate)
	work.POST("/cases/:ref/status", s.caseMove())
	work.POST("/cases/:ref/assign", s.caseAssign())
	work.POST("/cases/:ref/note", s.caseNote())
	work.POST("/cases/:ref/message", s.caseMessage())
	work.POST("/cases/:ref/extension", s.caseExtend())
	work.POST("/cases/:ref/decision", s.caseDecide())
	work.POST("/cases/:ref/decision/letter", s.caseLetterDraft)
	work.GET("/cases/:ref/letter.pdf", s.caseLetterPDF)
	work.POST("/cases/:ref/resend", s.caseResend())
	work.POST("/cases/:ref/requirement", s.caseRequirement())
	work.POST("/cases/:ref/identity", s.caseVerify())
	work.POST("/cases/:ref/ask", s.caseAsk())
	work.POST("/cases/:ref/question/withdraw", s.caseWithdrawQuestion())
	work.POST("/cases/:ref/activities", s.caseChooseActivities())
	work.POST("/cases/:ref/access-statement", s.caseSaveStatement())
	work.GET("/cases/:ref/files/:id", s.caseFile)
	work.GET("/cases/:ref/letters/:letter", s.caseLetter)
	work.POST("/cases/:ref/consents", s.caseChooseConsents())
	work.GET("/cases/:ref/notices/:id/letter.pdf", s.caseNoticePDF)
	work.POST("/cases/:ref/notices/:id/posted", s.caseNoticePosted())
	work.POST("/cases/:ref/rectification", s.caseAddRectification())
	work.POST("/cases/:ref/rectification/remove", s.caseRemoveRectification())
	work.POST("/cases/:ref/objection", s.caseSaveObjection())
	work.POST("/cases/:ref/restriction", s.caseSaveRestriction())
	work.POST("/cases/:ref/restriction/lifting", s.caseAnnounceLifting())
	work.POST("/cases/:ref/portability/export", s.casePortabilityExport)
	work.POST("/cases/:ref/portability/transfer", s.casePortabilityTransfer())
	work.POST("/cases/:ref/erasure", s.caseSaveErasure())
	work.POST("/cases/:ref/erasure/confirm", s.caseConfirmDestruction())
	// The consent registry (AVG art. 7): every staff member records and
	// searches consents; a consent is withdrawn only through a case.
	work.GET("/consents", s.consentList)
	work.GET("/consents/new", s.consentNew)
	work.POST("/consents/new", s.consentCreate)
	work.GET("/cases/:ref/documents/:id", s.documentDownload)
	work.POST("/cases/:ref/documents/:id/remove", s.documentRemove)
	work.POST("/cases/:ref/documents/send", s.documentsSend)

	owners := work.Group("", s.ownerOnly)
	owners.GET("/settings", s.settingsForm)
	owners.POST("/settings", s.settingsSave)
	owners.POST("/settings/mail", s.mailSettingsSave)
	owners.POST("/settings/mail/test", s.mailTestSend)
	owners.GET("/outbox", s.outbox)
	owners.POST("/outbox/:id/retry", s.outboxRetry)
	owners.GET("/team", s.team)
	owners.POST("/team/invite", s.invite)
	owners.POST("/team/:id/disable", s.disableMember)
	owners.POST("/team/:id/reset-totp", s.resetSecondFactor)
	owners.POST("/branches", s.addBranch)
	owners.GET("/audit", s.auditTrail)
	owners.GET("/report", s.staffReport)
	owners.GET("/report/report.csv", s.staffReportCSV)
	owners.GET("/report/report.pdf", s.staffReportPDF)
	owners.POST("/audit/verify", s.auditVerify)

	// The breach register (AVG art. 33(5)): owners, and officers for the
	// breaches of their branches. Its forms carry long texts, hence a body
	// limit of their own; deciding, recording submissions and informing the
	// people are the owners'.
	reg := e.Group("/staff/breaches", middleware.BodyLimit(breachBodyLimit), s.csrf(), s.language, s.staffSession)
	reg.GET("", s.breachList)
	reg.GET("/export.csv", s.breachExport)
	reg.GET("/summary", s.breachSummary)
	reg.GET("/new", s.breachNew)
	reg.POST("/new", s.breachCreate)
	reg.GET("/:ref", s.breachView)
	reg.GET("/:ref/edit/:step", s.breachEdit)
	reg.POST("/:ref/edit/:step", s.breachUpdate)
	reg.GET("/:ref/assessment", s.breachAssessment)
	reg.POST("/:ref/assessment", s.breachAssess)
	reg.GET("/:ref/ap-draft", s.breachDraft)
	reg.GET("/:ref/ap-draft.txt", s.breachDraftText)
	reg.GET("/:ref/ap-draft.pdf", s.breachDraftPDF)
	reg.GET("/:ref/followup", s.breachFollowUp)
	reg.GET("/:ref/letter", s.breachLetter)
	reg.GET("/:ref/letter.pdf", s.breachLetterPDF)
	reg.GET("/:ref/files/:id", s.breachFile)
	regOwners := reg.Group("", s.ownerOnly)
	regOwners.GET("/settings", s.breachSettings)
	regOwners.POST("/settings", s.breachSettingsSave)
	regOwners.GET("/:ref/decision", s.breachDecisionForm)
	regOwners.POST("/:ref/decision", s.breachDecide)
	regOwners.POST("/:ref/ap-draft", s.breachSubmitInitial)
	regOwners.POST("/:ref/followup", s.breachSubmitFollowUp)
	regOwners.POST("/:ref/letter", s.breachLetterSave)
	regOwners.POST("/:ref/send", s.breachSend)
	regOwners.POST("/:ref/informed", s.breachInformed)
	// The CSV of the people to inform: a larger body, limited before it is
	// read; the CSRF token comes in the query, so the check does not parse
	// the upload.
	e.POST("/staff/breaches/:ref/recipients", s.breachRecipients, middleware.BodyLimit(recipientsBodyLimit),
		s.csrf(), s.language, s.staffSession, s.ownerOnly)
	// Attachments stream from the multipart body into encrypted storage.
	e.POST("/staff/breaches/:ref/files", s.breachAttach, middleware.BodyLimit(uploadBodyLimit),
		s.csrf(), s.language, s.staffSession)

	// Answer documents (up to 200 MB each) stream from the multipart body
	// into encrypted storage; the CSRF token comes in the query.
	e.POST("/staff/cases/:ref/documents", s.documentUpload, middleware.BodyLimit(documentBodyLimit),
		s.csrf(), s.language, s.staffSession)

	// The data of a portability case, typed or uploaded as CSV or JSON per
	// activity; the CSRF token comes in the query.
	e.POST("/staff/cases/:ref/portability", s.casePortabilitySave, middleware.BodyLimit(portabilityBodyLimit),
		s.csrf(), s.language, s.staffSession)

	// The register of processing activities (AVG art. 30(1)): every staff
	// member reads it, owners keep it. Its form carries long texts, hence
	// the breach forms' body limit.
	art30 := e.Group("/staff/register", middleware.BodyLimit(breachBodyLimit), s.csrf(), s.language, s.staffSession)
	art30.GET("", s.registerList)
	art30.GET("/print", s.registerPrint)
	art30.GET("/register.pdf", s.registerPDF)
	art30.GET("/register.csv", s.registerCSV)
	art30.GET("/activities/:key", s.activityView)
	art30Owners := art30.Group("", s.ownerOnly)
	art30Owners.GET("/new", s.activityNew)
	art30Owners.POST("/new", s.activityCreate)
	art30Owners.GET("/activities/:key/edit", s.activityEdit)
	art30Owners.POST("/activities/:key/edit", s.activityUpdate)

	// The JSON API (API.md), and its description, public like the form.
	api := e.Group("/api/v1", middleware.BodyLimit(apiBodyLimit))
	api.GET("/openapi.json", s.apiDescribe)
	api.POST("/requests", s.apiSubmitRequest, limitNew)
	staffAPI := api.Group("", s.bearer)
	staffAPI.GET("/practice", s.apiPractice)
	staffAPI.POST("/cases", s.apiCreateCase)
	staffAPI.GET("/cases", s.apiListCases)
	staffAPI.GET("/cases/:reference", s.apiGetCase)
	staffAPI.POST("/cases/:reference/extension", s.apiExtendCase)
	staffAPI.POST("/cases/:reference/decision", s.apiDecideCase)
	staffAPI.GET("/cases/:reference/letter.pdf", s.apiCaseLetterPDF)
	staffAPI.PUT("/cases/:reference/activities", s.apiCaseActivities)
	staffAPI.GET("/cases/:reference/access-statement", s.apiAccessStatement)
	staffAPI.POST("/breaches", s.apiCreateBreach)
	staffAPI.GET("/breaches/:reference", s.apiGetBreach)
	staffAPI.GET("/breaches/:reference/ap-draft", s.apiBreachDraft)
	staffAPI.PUT("/breaches/:reference/assessment", s.apiAssessBreach)
	staffAPI.GET("/activities", s.apiActivities)
	staffAPI.POST("/activities", s.apiCreateActivity)
	staffAPI.PUT("/activities/:key", s.apiUpdateActivity)
	staffAPI.GET("/consents", s.apiConsents)
	staffAPI.POST("/consents", s.apiCreateConsent)
	staffAPI.PUT("/cases/:reference/consents", s.apiCaseConsents)
	staffAPI.PUT("/cases/:reference/erasure", s.apiCaseErasure)
	staffAPI.GET("/cases/:reference/notices", s.apiCaseNotices)
	staffAPI.PUT("/cases/:reference/rectification", s.apiCaseRectification)
	staffAPI.PUT("/cases/:reference/objection", s.apiCaseObjection)
	staffAPI.GET("/activities/:key/stops", s.apiActivityStops)
	staffAPI.PUT("/cases/:reference/restriction", s.apiCaseRestriction)
	staffAPI.PUT("/cases/:reference/portability", s.apiCasePortability)
	staffAPI.GET("/cases/:reference/portability.zip", s.apiPortabilityZIP)
	staffAPI.POST("/cases/:reference/identity", s.apiRecordIdentity)
}

// rateLimit allows perMinute calls a minute per client address, with a burst
// of the same size.
func (s *Server) rateLimit(perMinute int) echo.MiddlewareFunc {
	store := middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
		Rate: rate.Limit(float64(perMinute) / 60), Burst: perMinute, ExpiresIn: 3 * time.Minute,
	})
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Store:               store,
		IdentifierExtractor: func(c echo.Context) (string, error) { return c.RealIP(), nil },
		ErrorHandler:        func(c echo.Context, err error) error { return echo.ErrForbidden },
		DenyHandler: func(c echo.Context, _ string, _ error) error {
			return echo.NewHTTPError(429, "rate limited")
		},
	})
}
