// Package playground serves GraphiQL from the binary: the page at / and its
// assets under AssetsPath. The GraphiQL and React files are vendored in
// assets/ at the versions of assets/VERSIONS (written by assets/update.sh);
// the page loads nothing from another origin and sends a strict
// Content-Security-Policy, so it works without internet.
package playground

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

// AssetsPath is the URL prefix of the assets. Each asset's URL carries a
// hash of its content, so a browser may cache it for good.
const AssetsPath = "/playground/assets/"

//go:embed page.html static/* assets/*.min.js assets/*.min.css assets/VERSIONS
var files embed.FS

// contentTypes are the served assets' types, fixed here rather than read
// from the system's MIME tables.
var contentTypes = map[string]string{
	".js":  "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8",
	".svg": "image/svg+xml",
}

type asset struct {
	body        []byte
	contentType string
	etag        string
}

var (
	assets = map[string]*asset{} // by URL path under AssetsPath: "<hash>/<name>"
	urls   = map[string]string{} // by file name: its URL
)

var page = template.Must(template.New("page.html").Funcs(template.FuncMap{"asset": assetURL}).ParseFS(files, "page.html"))

func init() {
	for _, dir := range []string{"static", "assets"} {
		entries, err := files.ReadDir(dir)
		if err != nil {
			panic(err)
		}
		for _, e := range entries {
			ct, ok := contentTypes[path.Ext(e.Name())]
			if !ok {
				continue // VERSIONS
			}
			body, err := fs.ReadFile(files, dir+"/"+e.Name())
			if err != nil {
				panic(err)
			}
			sum := sha256.Sum256(body)
			hash := hex.EncodeToString(sum[:8])
			assets[hash+"/"+e.Name()] = &asset{body: body, contentType: ct, etag: `"` + hex.EncodeToString(sum[:]) + `"`}
			urls[e.Name()] = AssetsPath + hash + "/" + e.Name()
		}
	}
}

// assetURL is the page template's "asset" function.
func assetURL(name string) (string, error) {
	u, ok := urls[name]
	if !ok {
		return "", fs.ErrNotExist
	}
	return u, nil
}

// CSP is the page's Content-Security-Policy for a nonce: only same-origin
// scripts, styles, fonts and images (and data: ones, which GraphiQL's
// stylesheet inlines), requests only to this origin, no framing. The nonce
// admits the one <style> element GraphiQL adds itself (see static/playground.js).
func CSP(nonce string) string {
	return "default-src 'none'; script-src 'self'; style-src 'self' 'nonce-" + nonce + "'; " +
		"connect-src 'self'; img-src 'self' data:; font-src 'self' data:; " +
		"frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
}

// Page serves the playground's HTML, pointing GraphiQL at endpoint (a path
// on this origin). It keeps nothing in the URL: GraphiQL stores the query
// and headers in the browser's local storage.
func Page(endpoint string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		nonce := rand.Text()
		var buf bytes.Buffer
		if err := page.Execute(&buf, struct{ Endpoint, Nonce string }{endpoint, nonce}); err != nil {
			http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", CSP(nonce))
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store") // each response has its own nonce
		_, _ = w.Write(buf.Bytes())
	})
}

// Assets serves the files the page loads, under AssetsPath; anything else
// there is 404.
var Assets http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	a, ok := assets[strings.TrimPrefix(r.URL.Path, AssetsPath)]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("ETag", a.etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.body))
})
