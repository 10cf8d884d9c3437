package main

import (
	"reflect"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	const m = "loadabc"
	sent := []filed{
		{Email: m + "-0-0@x.example", Reference: "AVG-2026-0001"},
		{Email: m + "-0-1@x.example", Reference: "AVG-2026-0002"},
		{Email: m + "-1-0@x.example", Reference: ""}, // in flight at a kill
	}
	tests := []struct {
		name    string
		listing []listedCase
		want    verdict
		ok      bool
	}{
		{name: "all there once", ok: true, listing: []listedCase{
			{"AVG-2026-0001", m + "-0-0@x.example"}, {"AVG-2026-0002", m + "-0-1@x.example"},
		}, want: verdict{Acknowledged: 2, Found: 2}},
		{name: "an unanswered one stored once is fine", ok: true, listing: []listedCase{
			{"AVG-2026-0001", m + "-0-0@x.example"}, {"AVG-2026-0002", m + "-0-1@x.example"}, {"AVG-2026-0003", m + "-1-0@x.example"},
		}, want: verdict{Acknowledged: 2, Found: 2, Unanswered: 1}},
		{name: "other cases in the folder are ignored", ok: true, listing: []listedCase{
			{"AVG-2026-0001", m + "-0-0@x.example"}, {"AVG-2026-0002", m + "-0-1@x.example"},
			{"AVG-2026-0009", "someone@else.example"}, {"AVG-2026-0009", "someone@else.example"},
		}, want: verdict{Acknowledged: 2, Found: 2}},
		{name: "an acknowledged one missing is lost", listing: []listedCase{
			{"AVG-2026-0001", m + "-0-0@x.example"},
		}, want: verdict{Acknowledged: 2, Found: 1, Lost: 1}},
		{name: "an acknowledged one listed twice", listing: []listedCase{
			{"AVG-2026-0001", m + "-0-0@x.example"}, {"AVG-2026-0002", m + "-0-1@x.example"}, {"AVG-2026-0003", m + "-0-1@x.example"},
		}, want: verdict{Acknowledged: 2, Found: 1, Duplicated: 1}},
		{name: "an unanswered one listed twice", listing: []listedCase{
			{"AVG-2026-0001", m + "-0-0@x.example"}, {"AVG-2026-0002", m + "-0-1@x.example"},
			{"AVG-2026-0003", m + "-1-0@x.example"}, {"AVG-2026-0004", m + "-1-0@x.example"},
		}, want: verdict{Acknowledged: 2, Found: 2, Duplicated: 1}},
		{name: "listed under another reference", listing: []listedCase{
			{"AVG-2026-0001", m + "-0-0@x.example"}, {"AVG-2026-0007", m + "-0-1@x.example"},
		}, want: verdict{Acknowledged: 2, Found: 1, WrongRef: 1}},
		{name: "a case of the run that was never sent", listing: []listedCase{
			{"AVG-2026-0001", m + "-0-0@x.example"}, {"AVG-2026-0002", m + "-0-1@x.example"}, {"AVG-2026-0005", m + "-9-9@x.example"},
		}, want: verdict{Acknowledged: 2, Found: 2, Strangers: 1}},
		{name: "one reference for two cases", listing: []listedCase{
			{"AVG-2026-0001", m + "-0-0@x.example"}, {"AVG-2026-0002", m + "-0-1@x.example"}, {"AVG-2026-0002", m + "-1-0@x.example"},
		}, want: verdict{Acknowledged: 2, Found: 2, Unanswered: 1, SameRef: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := check(sent, tt.listing, m)
			if got.ok() != tt.ok {
				t.Errorf("ok() = %v, want %v (%s)", got.ok(), tt.ok, got)
			}
			if tt.ok != (len(got.Examples) == 0) {
				t.Errorf("examples %q, want some exactly when something is wrong", got.Examples)
			}
			got.Examples = nil
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("check = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestCheckNamesAtMostThreeExamples(t *testing.T) {
	var sent []filed
	for i := range 10 {
		sent = append(sent, filed{Email: submissionEmail("loadx", 0, i), Reference: "R"})
	}
	v := check(sent, nil, "loadx")
	if v.Lost != 10 || len(v.Examples) != maxExamples {
		t.Errorf("lost %d with %d examples, want 10 with %d", v.Lost, len(v.Examples), maxExamples)
	}
	if !strings.Contains(v.String(), "10 lost") {
		t.Errorf("String() = %q, want the lost count", v)
	}
}

func TestCheckMail(t *testing.T) {
	sent := []filed{{Email: "a@x.example", Reference: "R1"}, {Email: "b@x.example", Reference: "R2"},
		{Email: "c@x.example", Reference: "R3"}, {Email: "d@x.example"}}
	got := checkMail(sent, map[string]int{"a@x.example": 1, "b@x.example": 2, "d@x.example": 1})
	got.Examples = nil
	want := mailVerdict{Expected: 3, Once: 1, Missing: 1, Duplicated: 1}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("checkMail = %+v, want %+v", got, want)
	}
	if checkMail(sent[:1], map[string]int{"a@x.example": 1}).ok() != true {
		t.Error("one mail for one acknowledgement is not ok")
	}
}
