package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/avgloket/avgloket/internal/audit"
	"github.com/avgloket/avgloket/internal/deadline"
	"github.com/avgloket/avgloket/internal/practice"
)

// practiceFlags maps the settings' fields to the flags of practice set, in
// the order a reason names them.
var practiceFlags = []struct{ field, flag string }{
	{practice.FieldName, "--name"},
	{practice.FieldAddress, "--address"},
	{practice.FieldCountry, "--country"},
	{practice.FieldKvK, "--kvk"},
	{practice.FieldPrivacyEmail, "--privacy-email"},
	{practice.FieldTimeZone, "--time-zone"},
	{practice.FieldCalendar, "--calendar"},
}

// practiceProblems says on the command line what practice.Settings.Validate
// found wrong.
var practiceProblems = map[string]string{
	"field.required":    "is required",
	"field.too_long":    "is too long",
	"field.kvk":         "is not a KvK number (8 digits) or, for BE, an enterprise number (10 digits)",
	"field.email":       "is not an e-mail address",
	"field.time_zone":   "is not a time zone such as Europe/Amsterdam",
	"field.choose":      "must be NL or BE",
	"field.single_line": "must be a single line without control characters",
	"field.invalid":     "holds control characters",
}

// practiceSet changes the practice's details as the settings page does,
// checked by the same rules. On a practice that has not been set up, the
// flags must together make complete settings; the reason names every flag
// still missing or wrong. The calendar follows a new country unless it was
// set apart from it (or --calendar is given); a practice not yet set up in
// Belgium gets Brussels time unless --time-zone says otherwise.
func practiceSet(ctx context.Context, args []string, stdout io.Writer, log *slog.Logger, getenv env) error {
	fs := flag.NewFlagSet("practice set", flag.ContinueOnError)
	name := fs.String("name", "", "the practice's name")
	address := fs.String("address", "", "postal address")
	kvk := fs.String("kvk", "", "KvK number (NL) or enterprise number (BE)")
	country := fs.String("country", "", "NL or BE: decides the supervisory authority")
	timeZone := fs.String("time-zone", "", "e.g. Europe/Amsterdam")
	calendar := fs.String("calendar", "", "holiday calendar, NL or BE")
	email := fs.String("privacy-email", "", "e-mail address for privacy questions")
	return withStore(ctx, "practice set", args, log, getenv, fs, func(a *admin) error {
		given := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
		delete(given, "data")
		if len(given) == 0 {
			return errors.New("practice set: nothing to set (give --name, --address, --kvk, --country, --time-zone, --calendar or --privacy-email)")
		}
		st, err := a.store.Settings(ctx)
		if err != nil {
			return fmt.Errorf("practice set: %w", err)
		}
		for _, f := range []struct {
			flag     string
			from, to *string
		}{{"name", name, &st.Name}, {"address", address, &st.Address}, {"kvk", kvk, &st.KvK},
			{"time-zone", timeZone, &st.TimeZone}, {"privacy-email", email, &st.PrivacyEmail}} {
			if given[f.flag] {
				*f.to = *f.from
			}
		}
		if given["country"] {
			c := practice.Country(strings.ToUpper(strings.TrimSpace(*country)))
			if !given["calendar"] && (!st.Configured || st.Calendar == st.Country) {
				st.Calendar = c
			}
			if !given["time-zone"] && !st.Configured {
				st.TimeZone = practice.DefaultTimeZoneIn(c)
			}
			st.Country = c
		}
		if given["calendar"] {
			st.Calendar = deadline.Country(strings.ToUpper(strings.TrimSpace(*calendar)))
		}
		if problems := st.Validate(); len(problems) > 0 {
			// An empty KvK number or address is missing rather than wrong.
			missing := map[string]bool{practice.FieldKvK: st.KvK == "", practice.FieldPrivacyEmail: st.PrivacyEmail == ""}
			var reasons []string
			for _, pf := range practiceFlags {
				if p, ok := problems[pf.field]; ok {
					if missing[pf.field] {
						p = "field.required"
					}
					reasons = append(reasons, pf.flag+" "+practiceProblems[p])
				}
			}
			prefix := "practice set: "
			if !st.Configured {
				prefix += "the practice is not set up yet, so the settings must be complete: "
			}
			return errors.New(prefix + strings.Join(reasons, "; "))
		}
		if err := a.store.SaveSettingsAudited(ctx, st, audit.Entry{At: a.now(), Actor: audit.System}); err != nil {
			return fmt.Errorf("practice set: %w", err)
		}
		return printProfile(stdout, st)
	})
}

// practiceShow prints the practice as GET /api/v1/practice answers.
func practiceShow(ctx context.Context, args []string, stdout io.Writer, log *slog.Logger, getenv env) error {
	return withStore(ctx, "practice show", args, log, getenv, nil, func(a *admin) error {
		st, err := a.store.Settings(ctx)
		if err != nil {
			return fmt.Errorf("practice show: %w", err)
		}
		return printProfile(stdout, st)
	})
}

func printProfile(w io.Writer, st practice.Settings) error {
	b, err := json.Marshal(st.Profile())
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}
