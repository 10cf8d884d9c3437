package audit

import "context"

type unseenKey struct{}

// Unseen returns ctx marked as a request whose answer shows nothing: an HTTP
// HEAD, which link checkers and mail scanners send. Nobody looked at
// anything, so reads under it are not recorded as views or exports, and
// they change nothing that a look would change (a tracking link's first
// visit confirms the e-mail address; a HEAD does not).
func Unseen(ctx context.Context) context.Context {
	return context.WithValue(ctx, unseenKey{}, true)
}

// IsUnseen reports whether ctx was marked by Unseen.
func IsUnseen(ctx context.Context) bool {
	v, _ := ctx.Value(unseenKey{}).(bool)
	return v
}
