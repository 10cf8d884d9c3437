package web

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"testing"

	"github.com/avgloket/avgloket/internal/apperr"
)

func TestStatusOf(t *testing.T) {
	for _, tc := range []struct {
		code apperr.Code
		want int
	}{
		{apperr.Invalid, http.StatusUnprocessableEntity},
		{apperr.Malformed, http.StatusBadRequest},
		{apperr.Unauthorized, http.StatusUnauthorized},
		{apperr.Forbidden, http.StatusForbidden},
		{apperr.NotFound, http.StatusNotFound},
		{apperr.Conflict, http.StatusConflict},
		{apperr.TooLarge, http.StatusRequestEntityTooLarge},
		{apperr.RateLimited, http.StatusTooManyRequests},
		{apperr.Internal, http.StatusInternalServerError},
		{apperr.Code("no_such_code"), http.StatusInternalServerError},
	} {
		if got := statusOf(tc.code); got != tc.want {
			t.Errorf("statusOf(%q) = %d, want %d", tc.code, got, tc.want)
		}
	}
}

func TestFormProblems(t *testing.T) {
	invalid := apperr.InvalidFields(map[string]string{"title": "field.required", "kind": "field.choose"})
	for _, tc := range []struct {
		name     string
		p        map[string]string
		err      error
		status   int
		problems map[string]string
		again    bool
	}{
		{name: "nothing wrong", err: nil, status: http.StatusUnprocessableEntity, again: false},
		{name: "the handler's own problems", p: map[string]string{"kind": "field.choose"},
			status: http.StatusUnprocessableEntity, problems: map[string]string{"kind": "field.choose"}, again: true},
		{name: "invalid", err: invalid, status: http.StatusUnprocessableEntity,
			problems: map[string]string{"title": "field.required", "kind": "field.choose"}, again: true},
		{name: "invalid, wrapped", err: fmt.Errorf("saving: %w", invalid), status: http.StatusUnprocessableEntity,
			problems: map[string]string{"title": "field.required", "kind": "field.choose"}, again: true},
		{name: "invalid with the handler's own problem first", p: map[string]string{"kind": "breach.kind_other", "when": "field.date"},
			err: invalid, status: http.StatusUnprocessableEntity,
			problems: map[string]string{"title": "field.required", "kind": "breach.kind_other", "when": "field.date"}, again: true},
		{name: "conflict", p: map[string]string{"kind": "field.choose"}, err: apperr.New(apperr.Conflict, "breach.closed"),
			status: http.StatusConflict, problems: map[string]string{"form": "breach.closed"}, again: true},
		{name: "not found goes to the error page", err: apperr.New(apperr.NotFound, "error.not_found")},
		{name: "internal goes to the error page", err: errors.New("disk full")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, problems, again := formProblems(tc.p, tc.err)
			if again != tc.again || !maps.Equal(problems, tc.problems) || (again && status != tc.status) {
				t.Errorf("formProblems = %d, %v, %v; want %d, %v, %v", status, problems, again, tc.status, tc.problems, tc.again)
			}
		})
	}
	_, fields, _ := formProblems(nil, invalid)
	fields["title"] = "changed"
	if invalid.Fields["title"] != "field.required" {
		t.Error("the problems returned share the error's map: changing them changed the error")
	}
}
