package web_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

// FuzzDecodeRequest feeds arbitrary bodies to POST /api/v1/requests through
// the whole handler (SECURITY.md item 14): whatever arrives, the answer is a
// contract status with a JSON body, never a 500.
func FuzzDecodeRequest(f *testing.F) {
	for _, seed := range []string{
		`{"type":"access","requester":{"name":"Anna","email":"anna@example.nl","relation":"self"}}`,
		`{"type":"consent_withdrawal","requester":{"name":"A","email":"a@b.nl","phone":"+31 6 1234","relation":"parent"},` +
			`"subject":{"name":"S","birth_date":"2014-03-09"},"specifics":{"consents":["sharing","other"],"sharing_party":"X"},` +
			`"branch":"","details":"d","language":"en"}`,
		`{"type":"access","requester":{"name":"A\u0000","email":"a@b.nl","relation":"self"},"subject":null,"specifics":null}`,
		`{"type":"erasure","requester":{"name":"\xff\xfe","email":"\"a\"@b.nl","relation":"self"},"subject":{"birth_date":"0000-00-00"}}`,
		`{"subject":{"birth_date":"99999-12-31"}}`,
		`{"type":"access"} trailing`,
		`{"type": 1e400}`,
		`{"requester": {"name": "` + string(bytes.Repeat([]byte("é"), 300)) + `"}}`,
		`[[[[[[[[[[]]]]]]]]]]`,
		`{}`,
		``,
		`null`,
		`{"type":"access","extra":1}`,
	} {
		f.Add([]byte(seed))
	}
	a := newApp(f, withRate(1<<30))
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/requests", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		a.srv.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusCreated, http.StatusBadRequest, http.StatusRequestEntityTooLarge,
			http.StatusUnprocessableEntity, http.StatusTooManyRequests:
		default:
			t.Fatalf("status %d for body %q\n%s\nlog:\n%s", rec.Code, body, rec.Body, a.logs)
		}
		var answer map[string]json.RawMessage
		if err := json.Unmarshal(rec.Body.Bytes(), &answer); err != nil {
			t.Fatalf("answer is not a JSON object: %v\n%s", err, rec.Body)
		}
		_, isError := answer["error"]
		if _, isCase := answer["reference"]; isCase == isError || isCase != (rec.Code == http.StatusCreated) {
			t.Fatalf("status %d with answer %s", rec.Code, rec.Body)
		}
	})
}
