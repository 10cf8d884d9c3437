package filestore

import (
	"context"
	"io"
)

// Putter is what PutChecked needs of a file store: Store, or a test's.
type Putter interface {
	Put(ctx context.Context, id string, src io.Reader, aad []byte) (int64, error)
	Delete(id string) error
}

// PutChecked streams src through check into files as id, sealed with aad,
// never holding it whole in memory: check copies what it accepts to its
// writer and says what kind of file it is. Unless both the check and the
// store succeed, the file is deleted and the check's error (else the
// store's) returned.
func PutChecked(ctx context.Context, files Putter, id string, aad []byte, src io.Reader,
	check func(dst io.Writer, src io.Reader) (kind string, err error)) (kind string, n int64, err error) {
	pr, pw := io.Pipe()
	type result struct {
		kind string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		kind, err := check(pw, src)
		pw.CloseWithError(err)
		done <- result{kind, err}
	}()
	n, putErr := files.Put(ctx, id, pr, aad)
	pr.CloseWithError(putErr) // unblock the check if the store gave up
	res := <-done
	if res.err != nil || putErr != nil {
		_ = files.Delete(id)
		if res.err != nil {
			return "", 0, res.err
		}
		return "", 0, putErr
	}
	return res.kind, n, nil
}
