// Package auth holds how staff prove who they are: passwords (argon2id and
// the password policy), sign-in throttling, TOTP and recovery codes, OIDC
// sign-in, and server-side sessions (SECURITY.md items 4, 5 and 7). It
// imports no web framework and no ORM: Service talks to storage through the
// Store interface, which internal/store implements.
//
// How the web layer uses it:
//
//   - Password form: SignInPassword(email, password, c.RealIP()) with an
//     IPExtractor set (echo's default trusts X-Forwarded-For). On success
//     EndSession(the old cookie's id, if any), then
//     StartSession(out.StaffID, !out.NeedsSecondFactor) and set the cookie.
//   - Second factor: every account gives one (ASVS 5.0 6.3.3), unless its
//     OIDC provider proved one (Identity.MFA). While Session.SecondFactor
//     is false the session may reach only the code page and, when
//     Outcome.EnrolSecondFactor, the enrolment pages (BeginTOTPEnrolment,
//     ConfirmTOTPEnrolment; show the recovery codes once, then ask for the
//     next code). CompleteSecondFactor returns a new id: set it in the
//     cookie.
//   - Every request: Session(cookie) gives the session and member or
//     Unauthorized; require SecondFactor for everything but the pages above.
//   - Sign-out: EndSession. Disabling a member: the store's DisableMember,
//     which ends their sessions in the same transaction.
//   - OIDC: NewOIDC checks the settings only; run KeepDiscovering in the
//     background at start (a provider that is down stops nothing) and offer
//     the organisation sign-in while Ready. Begin gives the provider URL
//     and a browser secret for a short-lived HttpOnly, Secure, SameSite=Lax
//     cookie; the callback calls
//     Finish(state, code, that cookie), clears the cookie, then
//     SignInOIDC(identity, c.RealIP()) and continues as after a password.
//   - Session cookie: named __Host-session (Secure, Path=/, no Domain),
//     HttpOnly, SameSite=Lax; Secure may only be dropped on plain-HTTP
//     localhost during development.
//   - Now and then (e.g. hourly): Prune.
//
// Errors are apperr errors whose messages are catalogue ids: signin.failed
// (Unauthorized), signin.locked and signin.throttled (RateLimited, answer
// 429), signin.second_factor_failed, session.invalid, signin.oidc_failed
// (Unauthorized), signin.oidc_not_invited and signin.disabled (Forbidden),
// totp.already_enabled and totp.not_started (Conflict), and Invalid with
// fields for forms.
package auth
