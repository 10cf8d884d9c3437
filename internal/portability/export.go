package portability

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"time"

	"github.com/avgloket/avgloket/internal/breach"
)

// Export is what goes into the ZIP of a portability case.
type Export struct {
	Practice  string // the practice's name: who exports
	Reference string // the case
	At        time.Time
	Items     []Item // the case's items; those not portable are left out
}

// The files in the ZIP, in this order.
const (
	FileData     = "data.json"
	FileCSV      = "data.csv"
	FileManifest = "manifest.json"
)

// Format names the layout of the ZIP, in its manifest.
const Format = "avgloket-portability/1"

// jsonActivity is one activity in data.json and manifest.json.
type jsonActivity struct {
	Activity string  `json:"activity"`
	Name     string  `json:"name"`
	Basis    string  `json:"legal_basis"`
	Article  string  `json:"article,omitempty"`
	Data     *Fields `json:"data,omitempty"`
	Count    *int    `json:"fields,omitempty"`
	Reason   string  `json:"reason,omitempty"`
}

// manifest is manifest.json.
type manifest struct {
	Format      string         `json:"format"`
	Practice    string         `json:"practice"`
	Reference   string         `json:"case_reference"`
	ExportedAt  string         `json:"exported_at"`
	Files       []manifestFile `json:"files"`
	Activities  []jsonActivity `json:"activities"`
	NotIncluded []jsonActivity `json:"not_included"`
}

type manifestFile struct {
	Name    string `json:"name"`
	Content string `json:"content"`
}

// reasonNotPortable is why an activity is not in the export, in the
// manifest's words.
const reasonNotPortable = "AVG/GDPR art. 20(1)(a): the right to data portability covers processing based on consent or a contract only"

// WriteZIP writes the export e to w as a ZIP: data.json (the data per
// portable activity, in the order entered), data.csv (activity, field,
// value; RFC 4180, UTF-8, every cell neutralised against spreadsheet
// formulas as breach.CSVCell does — data.json holds the values exactly) and
// manifest.json (what is in it, from which activity with its name and legal
// basis, what is left out and why, when, by which practice, for which
// case). The same e gives the same bytes: every entry carries e.At as its
// time.
func WriteZIP(w io.Writer, e Export) error {
	at := e.At.UTC().Truncate(time.Second)
	included := Portable(e.Items)
	data := struct {
		Activities []jsonActivity `json:"activities"`
	}{Activities: []jsonActivity{}}
	m := manifest{Format: Format, Practice: e.Practice, Reference: e.Reference, ExportedAt: at.Format(time.RFC3339),
		Files: []manifestFile{
			{FileData, "the data per activity: an object of field names and values, exactly as recorded"},
			{FileCSV, "the same data as rows of activity, field, value (RFC 4180, UTF-8); a value that starts like a spreadsheet formula has a ' before it"},
		},
		Activities: []jsonActivity{}, NotIncluded: []jsonActivity{}}
	for _, it := range included {
		f := it.Fields
		if f == nil {
			f = Fields{}
		}
		n := len(f)
		a := jsonActivity{Activity: it.Activity, Name: it.Name, Basis: string(it.Basis), Article: it.Basis.Article()}
		da := a
		da.Data = &f
		data.Activities = append(data.Activities, da)
		a.Count = &n
		m.Activities = append(m.Activities, a)
	}
	for _, it := range Excluded(e.Items) {
		m.NotIncluded = append(m.NotIncluded, jsonActivity{Activity: it.Activity, Name: it.Name, Basis: string(it.Basis),
			Article: it.Basis.Article(), Reason: reasonNotPortable})
	}
	dataJSON, err := indented(data)
	if err != nil {
		return err
	}
	manifestJSON, err := indented(m)
	if err != nil {
		return err
	}
	var csvBuf bytes.Buffer
	cw := csv.NewWriter(&csvBuf)
	cw.UseCRLF = true // RFC 4180
	rows := [][]string{{"activity", "field", "value"}}
	for _, it := range included {
		for _, f := range it.Fields {
			rows = append(rows, []string{breach.CSVCell(it.Activity), breach.CSVCell(f.Name), breach.CSVCell(f.Value)})
		}
	}
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	zw := zip.NewWriter(w)
	for _, f := range []struct {
		name string
		body []byte
	}{{FileData, dataJSON}, {FileCSV, csvBuf.Bytes()}, {FileManifest, manifestJSON}} {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: at})
		if err != nil {
			return err
		}
		if _, err := fw.Write(f.body); err != nil {
			return err
		}
	}
	return zw.Close()
}

func indented(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
