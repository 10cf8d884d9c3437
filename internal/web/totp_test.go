package web_test

import (
	"bytes"
	"encoding/base64"
	"image/png"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"golang.org/x/net/html"

	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/staff"
)

// halfwayBrowser signs the member in with the password only: the session
// may enrol and give a code, nothing more.
func (a *testApp) halfwayBrowser(tb testing.TB, m staff.Member) *staffBrowser {
	tb.Helper()
	b := a.browser(tb)
	p, _ := passwordStep(b, m.Email, staffPassword)
	if got := p.location(); got != "/staff/account/totp" && got != "/staff/signin/code" {
		tb.Fatalf("after the password: to %s", got)
	}
	return &staffBrowser{browser: b, app: a, member: m, csrf: b.cookie(csrfCookie)}
}

// enrolmentView is what the enrolment page shows of the pending secret.
type enrolmentView struct {
	secret, link, qr, alt string
}

func enrolmentOf(tb testing.TB, p *page) enrolmentView {
	tb.Helper()
	var v enrolmentView
	for _, n := range p.find(func(n *html.Node) bool { return n.Data == "code" && hasClass(n, "secret") }) {
		v.secret = textContent(n)
	}
	for _, n := range p.find(func(n *html.Node) bool { return n.Data == "a" && strings.HasPrefix(attr(n, "href"), "otpauth:") }) {
		v.link = attr(n, "href")
	}
	for _, n := range p.find(func(n *html.Node) bool { return n.Data == "img" && hasClass(n, "qr") }) {
		v.qr, v.alt = attr(n, "src"), attr(n, "alt")
	}
	return v
}

// The enrolment page offers a working otpauth link and a QR code of it,
// built from the pending secret; a refresh shows the same secret, and a
// code for it enables the second factor.
func TestTOTPEnrolmentLinkQRAndRefresh(t *testing.T) {
	a := newTestServer(t)
	els := a.addMember(t, "els@praktijk.example", staff.Officer)
	sb := a.halfwayBrowser(t, els)

	if got := sb.submit("/staff/account/totp/begin").location(); got != "/staff/account/totp" {
		t.Fatalf("begin: to %s, want /staff/account/totp", got)
	}
	first := sb.get("/staff/account/totp")
	second := sb.get("/staff/account/totp")
	for _, p := range []*page{first, second} {
		if p.Status != http.StatusOK {
			t.Fatalf("GET /staff/account/totp: status %d", p.Status)
		}
		if strings.Contains(p.Body, "ZgotmplZ") {
			t.Fatal("the page holds a URL html/template refused (#ZgotmplZ)")
		}
		if csp := p.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self' data:;") {
			t.Errorf("CSP %q does not allow the inline QR image", csp)
		}
	}
	v, again := enrolmentOf(t, first), enrolmentOf(t, second)
	if v.secret == "" || v != again {
		t.Fatalf("a refresh changed what is shown:\n%+v\n%+v", v, again)
	}
	if !secretGroups.MatchString(v.secret) {
		t.Errorf("secret shown as %q, want groups of four", v.secret)
	}
	secret := strings.ReplaceAll(v.secret, " ", "")

	if !strings.HasPrefix(v.link, "otpauth://totp/") {
		t.Fatalf("app link %q, want otpauth://totp/…", v.link)
	}
	key, err := otp.NewKeyFromURL(v.link)
	if err != nil {
		t.Fatalf("app link %q: %v", v.link, err)
	}
	if key.Secret() != secret || key.AccountName() != els.Email || key.Issuer() == "" || key.Period() != 30 {
		t.Errorf("app link %q: secret %q account %q issuer %q period %d", v.link, key.Secret(), key.AccountName(), key.Issuer(), key.Period())
	}

	data, ok := strings.CutPrefix(v.qr, "data:image/png;base64,")
	if !ok {
		t.Fatalf("QR image source %.40q…, want a PNG data URI", v.qr)
	}
	raw, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		t.Fatalf("QR data URI: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("QR image is no PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 240 || b.Dy() != 240 {
		t.Errorf("QR image %v, want 240×240", b)
	}
	dark, light := 0, 0
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			if r, _, _, _ := img.At(x, y).RGBA(); r < 0x8000 {
				dark++
			} else {
				light++
			}
		}
	}
	if dark < 240*240/5 || light < 240*240/5 {
		t.Errorf("QR image has %d dark and %d light pixels: no code", dark, light)
	}
	if v.alt == "" {
		t.Error("the QR image has no text alternative")
	}
	// The QR code holds the app link: the PNG is what pquerna/otp renders
	// for it.
	want, err := key.Image(240, 240)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, want); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), raw) {
		t.Error("the QR code is not that of the app link")
	}

	code, err := totp.GenerateCode(secret, a.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	p := sb.submit("/staff/account/totp", "code", code)
	if p.Status != http.StatusOK || len(p.find(func(n *html.Node) bool { return n.Data == "ul" && hasClass(n, "codes") })) == 0 {
		t.Fatalf("confirming with a code for the shown secret: status %d\n%s", p.Status, p.text())
	}
	acc, err := a.store.AccountByID(t.Context(), els.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !acc.TOTPEnabled || acc.TOTPSecret != secret {
		t.Errorf("after confirming: enabled %v, secret kept %v", acc.TOTPEnabled, acc.TOTPSecret == secret)
	}
	if p := sb.get("/staff/account/totp"); strings.Contains(p.Body, `class="secret"`) || strings.Contains(p.Body, "otpauth:") {
		t.Error("the enrolment page still shows the secret once it is enabled")
	}
}

// codesOn returns the recovery codes a page lists.
func codesOn(p *page) []string {
	var codes []string
	for _, n := range p.find(func(n *html.Node) bool { return n.Data == "ul" && hasClass(n, "codes") }) {
		for c := range n.Descendants() {
			if c.Type == html.ElementNode && c.Data == "code" {
				codes = append(codes, textContent(c))
			}
		}
	}
	return codes
}

// Recovery codes are renewed after the password and a current code: the
// ten new ones are shown once, the old ones stop working at once.
func TestRecoveryCodesRenewed(t *testing.T) {
	a := newTestServer(t)
	els := a.addMember(t, "els@praktijk.example", staff.Officer)
	sb := a.halfwayBrowser(t, els)
	old := sb.enrolTOTP()
	used := sb.nextCode()
	if got := sb.submit("/staff/signin/code", "code", used).location(); got != "/staff/cases" {
		t.Fatalf("after the code: to %s", got)
	}
	sb.csrf = sb.cookie(csrfCookie)

	left := func() int {
		n, err := a.store.RecoveryCodesLeft(t.Context(), els.ID)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if got := sb.post("/staff/account/recovery", url.Values{"recovery_password": {staffPassword}, "recovery_code": {sb.nextCode()}}); got.Status != http.StatusForbidden {
		t.Errorf("without a CSRF token: status %d, want 403", got.Status)
	}
	refused := []struct {
		name, password, code, field string
	}{
		{"wrong password", "niet-het-wachtwoord", sb.nextCode(), "recovery_password"},
		{"code used before", staffPassword, used, "recovery_code"},
		{"no code", staffPassword, "", "recovery_code"},
	}
	for _, r := range refused {
		p := sb.submit("/staff/account/recovery", "recovery_password", r.password, "recovery_code", r.code)
		if p.Status != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 422", r.name, p.Status)
		}
		if p.byID("f-"+r.field+"-error") == nil || len(codesOn(p)) != 0 {
			t.Errorf("%s: no message next to %s, or codes shown:\n%s", r.name, r.field, p.text())
		}
	}
	if n := left(); n != len(old) {
		t.Fatalf("after refused renewals %d codes left, want %d", n, len(old))
	}

	p := sb.submit("/staff/account/recovery", "recovery_password", staffPassword, "recovery_code", sb.nextCode())
	if p.Status != http.StatusOK {
		t.Fatalf("renewal: status %d\n%s", p.Status, p.text())
	}
	fresh := codesOn(p)
	if len(fresh) != 10 || !strings.Contains(p.text(), a.nl("totp.codes_renewed")) {
		t.Fatalf("renewal shows %d codes:\n%s", len(fresh), p.text())
	}
	for _, c := range fresh {
		if slices.Contains(old, c) {
			t.Errorf("new code %s is an old one", c)
		}
	}
	if n := left(); n != 10 {
		t.Errorf("%d codes left after renewal, want 10", n)
	}
	if slices.Contains(codesOn(sb.get("/staff/account")), fresh[0]) {
		t.Error("the account page shows the codes again")
	}
	var audited bool
	for _, e := range a.auditTrail(t) {
		audited = audited || (e.Action == audit.StaffUpdate && e.Object == audit.Staff(els.ID) && e.Detail == "recovery=renewed" && e.Actor == audit.Staff(els.ID))
	}
	if !audited {
		t.Error("the renewal is not in the audit trail")
	}

	// An old code no longer signs in; a new one does.
	ob := a.halfwayBrowser(t, els)
	if p := ob.submit("/staff/signin/code", "code", old[0]); p.Status == http.StatusSeeOther {
		t.Errorf("an old recovery code still signs in (to %s)", p.Header.Get("Location"))
	}
	nb := a.halfwayBrowser(t, els)
	if got := nb.submit("/staff/signin/code", "code", fresh[0]).location(); got != "/staff/cases" {
		t.Errorf("a new recovery code leads to %s, want /staff/cases", got)
	}
}

// An owner resets a member's lost device: the TOTP and recovery codes go,
// the member's sessions end and the next sign-in enrols again. Nobody else
// can, and an owner cannot reset their own.
func TestOwnerResetsLostDevice(t *testing.T) {
	a := newTestServer(t, withBranches("utrecht"))
	owner := a.addMember(t, "eigenaar@praktijk.example", staff.Owner)
	els := a.addMember(t, "els@praktijk.example", staff.Officer, "utrecht")
	ob := a.signIn(t, owner.Email)
	eb := a.signIn(t, els.Email)
	resetOf := func(m staff.Member) string { return "/staff/team/" + strconv.FormatInt(m.ID, 10) + "/reset-totp" }

	team := ob.get("/staff/team")
	actions := map[string]bool{}
	for _, n := range team.find(func(n *html.Node) bool { return n.Data == "form" }) {
		actions[attr(n, "action")] = true
	}
	if !actions[resetOf(els)] || actions[resetOf(owner)] {
		t.Errorf("team page reset forms %v: want one for the officer, none for the owner", actions)
	}

	enabled := func(m staff.Member) bool {
		acc, err := a.store.AccountByID(t.Context(), m.ID)
		if err != nil {
			t.Fatal(err)
		}
		return acc.TOTPEnabled && acc.TOTPSecret != ""
	}
	if p := eb.submit(resetOf(owner)); p.Status != http.StatusNotFound {
		t.Errorf("an officer resetting the owner: status %d, want 404", p.Status)
	}
	if p := ob.post(resetOf(els), url.Values{}); p.Status != http.StatusForbidden {
		t.Errorf("without a CSRF token: status %d, want 403", p.Status)
	}
	if p := ob.submit(resetOf(owner)); p.Status != http.StatusConflict {
		t.Errorf("an owner resetting themselves: status %d, want 409", p.Status)
	}
	if !enabled(owner) || !enabled(els) || !eb.signedIn() {
		t.Fatal("a refused reset changed an account")
	}

	if got := ob.submit(resetOf(els)).location(); got != "/staff/team" {
		t.Fatalf("reset: to %s, want /staff/team", got)
	}
	acc, err := a.store.AccountByID(t.Context(), els.ID)
	if err != nil {
		t.Fatal(err)
	}
	if acc.TOTPEnabled || acc.TOTPSecret != "" {
		t.Errorf("after the reset: enabled %v, secret kept %v", acc.TOTPEnabled, acc.TOTPSecret != "")
	}
	if n, err := a.store.RecoveryCodesLeft(t.Context(), els.ID); err != nil || n != 0 {
		t.Errorf("after the reset %d recovery codes left (%v)", n, err)
	}
	if eb.signedIn() {
		t.Error("the member's session survived the reset")
	}
	if !ob.signedIn() || !enabled(owner) {
		t.Error("the reset touched the owner")
	}
	var audited bool
	for _, e := range a.auditTrail(t) {
		audited = audited || (e.Action == audit.StaffUpdate && e.Object == audit.Staff(els.ID) && e.Detail == "totp=reset" && e.Actor == audit.Staff(owner.ID))
	}
	if !audited {
		t.Error("the reset is not in the audit trail")
	}
	// The next sign-in enrols again.
	b := a.browser(t)
	if p, _ := passwordStep(b, els.Email, staffPassword); p.location() != "/staff/account/totp" {
		t.Errorf("after the reset the sign-in leads to %s, want the enrolment", p.Header.Get("Location"))
	}
}
