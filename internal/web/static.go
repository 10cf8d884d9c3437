package web

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"path"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/avgloket/avgloket/ui"
)

// staticFiles serves ui/static under content-hashed names
// (app.3f2a1b9c.css), so browsers may cache them for good and a new release
// is never mixed with old styles.
type staticFiles struct {
	byHashed map[string]staticFile // hashed name → file
	hashed   map[string]string     // plain name → hashed name
}

type staticFile struct {
	body        []byte
	contentType string
}

func loadStatic() (*staticFiles, error) {
	sf := &staticFiles{byHashed: map[string]staticFile{}, hashed: map[string]string{}}
	entries, err := fs.ReadDir(ui.FS, "static")
	if err != nil {
		return nil, fmt.Errorf("static files: %w", err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := fs.ReadFile(ui.FS, "static/"+e.Name())
		if err != nil {
			return nil, fmt.Errorf("static files: %w", err)
		}
		sum := sha256.Sum256(b)
		ext := path.Ext(e.Name())
		h := strings.TrimSuffix(e.Name(), ext) + "." + hex.EncodeToString(sum[:6]) + ext
		sf.hashed[e.Name()] = h
		sf.byHashed[h] = staticFile{body: b, contentType: mime.TypeByExtension(ext)}
	}
	return sf, nil
}

// url returns the hashed URL of a static file; templates call it as
// {{static "app.css"}}. An unknown name panics at render time in tests.
func (sf *staticFiles) url(name string) (string, error) {
	h, ok := sf.hashed[name]
	if !ok {
		return "", fmt.Errorf("no static file %q", name)
	}
	return "/static/" + h, nil
}

func (s *Server) serveStatic(c echo.Context) error {
	f, ok := s.static.byHashed[c.Param("file")]
	if !ok {
		return echo.ErrNotFound
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	return c.Blob(200, f.contentType, f.body)
}
