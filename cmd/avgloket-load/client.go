package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// newClient returns an HTTP client that keeps a connection per load
// client open, as browsers and integrations do.
func newClient(conns int) *http.Client {
	tr := &http.Transport{MaxIdleConns: conns + 4, MaxIdleConnsPerHost: conns + 4, IdleConnTimeout: time.Minute,
		DisableCompression: true, ResponseHeaderTimeout: time.Minute}
	return &http.Client{Transport: tr, Timeout: 2 * time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// perAddress is how many submissions a load client sends from one
// X-Forwarded-For address before it moves to the next: well below the
// burst of the highest rate limit the portal takes (10,000 a minute), so
// that the harness measures the submission, not the limiter.
const perAddress = 4000

// clientAddress is the invented client address of submission seq of load
// client n (10.0.0.0/8, never routed here).
func clientAddress(n, seq int) string {
	return fmt.Sprintf("10.%d.%d.%d", n>>8&255, n&255, seq/perAddress%256)
}

// submissionEmail is the requester address of submission seq of load
// client n in the run marked marker: one address per submission, which is
// how the check finds each case again.
func submissionEmail(marker string, n, seq int) string {
	return fmt.Sprintf("%s-%d-%d@belasting.example", marker, n, seq)
}

// submission is the public API's request body (API.md, POST /api/v1/requests).
type submission struct {
	Type      string `json:"type"`
	Requester struct {
		Name     string `json:"name"`
		Email    string `json:"email"`
		Relation string `json:"relation"`
	} `json:"requester"`
	Details  string `json:"details"`
	Language string `json:"language"`
}

// submitOne files one access request and returns the reference of a 2xx
// answer. An error carries the status or the transport's failure.
func submitOne(ctx context.Context, client *http.Client, base, email, address, key string, seq int) (string, error) {
	var body submission
	body.Type, body.Language = "access", "nl"
	body.Requester.Name, body.Requester.Email, body.Requester.Relation = "Proef Persoon "+strconv.Itoa(seq), email, "self"
	body.Details = "Graag een kopie van mijn gegevens."
	b, err := json.Marshal(body)
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/requests", bytes.NewReader(b))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	req.Header.Set("X-Forwarded-For", address)
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
		return "", statusError{code: resp.StatusCode, body: string(data[:min(len(data), 200)])}
	}
	var receipt struct {
		Reference string `json:"reference"`
	}
	if err := json.Unmarshal(data, &receipt); err != nil || receipt.Reference == "" {
		return "", fmt.Errorf("answer %d without a reference: %.200s", resp.StatusCode, data)
	}
	return receipt.Reference, nil
}

// statusError is an answer other than 2xx.
type statusError struct {
	code int
	body string
}

func (e statusError) Error() string { return fmt.Sprintf("HTTP %d: %s", e.code, e.body) }

// errorKind is a short name for an error, for the table of errors.
func errorKind(err error) string {
	var se statusError
	if errors.As(err, &se) {
		return "HTTP " + strconv.Itoa(se.code)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() {
			return "timeout"
		}
		return "transport: " + ue.Err.Error()
	}
	return err.Error()
}

// maxPages bounds the listing: 200 cases a page, so 2,000 pages hold
// 400,000 cases, more than any run files.
const maxPages = 2000

// listCases reads every case through the staff API (GET /api/v1/cases),
// page by page with the cursor.
func listCases(ctx context.Context, client *http.Client, base, token string) ([]listedCase, error) {
	var all []listedCase
	cursor := ""
	for range maxPages {
		q := url.Values{"limit": {"200"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/cases?"+q.Encode(), nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err != nil {
			return nil, fmt.Errorf("list cases: %w", err)
		}
		var page struct {
			Cases []struct {
				Reference string `json:"reference"`
				Requester struct {
					Email string `json:"email"`
				} `json:"requester"`
			} `json:"cases"`
			NextCursor *string `json:"next_cursor"`
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("list cases: HTTP %d", resp.StatusCode)
		}
		if err != nil {
			return nil, fmt.Errorf("list cases: %w", err)
		}
		for _, c := range page.Cases {
			all = append(all, listedCase{Reference: c.Reference, Email: c.Requester.Email})
		}
		if page.NextCursor == nil || *page.NextCursor == "" {
			return all, nil
		}
		cursor = *page.NextCursor
	}
	return nil, fmt.Errorf("list cases: more than %d pages", maxPages)
}
