package app_test

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"path"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"github.com/faultline/faultline/internal/testserver"
	"github.com/faultline/faultline/playground"
)

// get fetches a path of srv with optional header pairs.
func get(t *testing.T, srv *testserver.Server, p string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+p, nil)
	require.NoError(t, err)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res, body
}

// playgroundPage is what the page's HTML refers to.
type playgroundPage struct {
	urls        []string          // every src and href
	scriptNonce string            // the nonce of the init script
	endpoint    string            // #graphiql's data-endpoint
	inline      []string          // inline scripts, <style> elements, style and on* attributes
	byName      map[string]string // each URL by its file name
}

func parsePage(t *testing.T, body []byte) playgroundPage {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(string(body)))
	require.NoError(t, err)
	p := playgroundPage{byName: map[string]string{}}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			attrs := map[string]string{}
			for _, a := range n.Attr {
				attrs[a.Key] = a.Val
				switch {
				case a.Key == "src" || a.Key == "href":
					p.urls = append(p.urls, a.Val)
					p.byName[path.Base(a.Val)] = a.Val
				case a.Key == "style" || strings.HasPrefix(a.Key, "on"):
					p.inline = append(p.inline, n.Data+" "+a.Key)
				}
			}
			switch n.Data {
			case "script":
				if attrs["src"] == "" || n.FirstChild != nil {
					p.inline = append(p.inline, "script")
				}
				if attrs["nonce"] != "" {
					p.scriptNonce = attrs["nonce"]
				}
			case "style":
				p.inline = append(p.inline, "style")
			case "div":
				if attrs["id"] == "graphiql" {
					p.endpoint = attrs["data-endpoint"]
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return p
}

// csp parses a Content-Security-Policy into its directives.
func csp(t *testing.T, header string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for d := range strings.SplitSeq(header, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
		require.NotContains(t, out, name, "directive %s twice", name)
		out[name] = value
	}
	return out
}

// TestPlaygroundPage: the page at / loads only same-origin URLs, runs no
// inline code, and sends a strict CSP whose nonce is its own.
func TestPlaygroundPage(t *testing.T) {
	srv := testserver.Start(t)
	res, body := get(t, srv, "/")
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, "text/html; charset=utf-8", res.Header.Get("Content-Type"))
	assert.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"))
	assert.Equal(t, "no-referrer", res.Header.Get("Referrer-Policy"))
	assert.Equal(t, "no-store", res.Header.Get("Cache-Control"))

	page := parsePage(t, body)
	require.NotEmpty(t, page.scriptNonce, "the init script carries the nonce")
	assert.Equal(t, map[string]string{
		"default-src":     "'none'",
		"script-src":      "'self'",
		"style-src":       "'self' 'nonce-" + page.scriptNonce + "'",
		"connect-src":     "'self'",
		"img-src":         "'self' data:",
		"font-src":        "'self' data:",
		"frame-ancestors": "'none'",
		"base-uri":        "'none'",
		"form-action":     "'none'",
	}, csp(t, res.Header.Get("Content-Security-Policy")))
	assert.Empty(t, page.inline, "no inline script or style: the CSP would refuse them")
	assert.Equal(t, "/query", page.endpoint)

	require.Len(t, page.urls, 7, "the icon, two stylesheets, four scripts: %v", page.urls)
	for _, u := range page.urls {
		parsed, err := url.Parse(u)
		require.NoError(t, err)
		assert.Empty(t, parsed.Scheme, "%s: a same-origin path", u)
		assert.Empty(t, parsed.Host, "%s: a same-origin path", u)
		assert.True(t, strings.HasPrefix(u, playground.AssetsPath), "%s: under %s", u, playground.AssetsPath)
	}
	for _, name := range []string{"graphiql.min.js", "graphiql.min.css", "react.production.min.js",
		"react-dom.production.min.js", "playground.js", "playground.css", "favicon.svg"} {
		assert.Contains(t, page.byName, name)
	}

	_, again := get(t, srv, "/")
	assert.NotEqual(t, page.scriptNonce, parsePage(t, again).scriptNonce, "a nonce per response")
}

// TestPlaygroundAssets: each file the page loads is served with its type,
// nosniff, and for good (its URL carries its hash); a URL of no asset is 404.
func TestPlaygroundAssets(t *testing.T) {
	srv := testserver.Start(t)
	_, body := get(t, srv, "/")
	page := parsePage(t, body)
	want := map[string]string{
		".js":  "text/javascript; charset=utf-8",
		".css": "text/css; charset=utf-8",
		".svg": "image/svg+xml",
	}
	for _, u := range page.urls {
		res, body := get(t, srv, u)
		require.Equal(t, http.StatusOK, res.StatusCode, u)
		assert.Equal(t, want[path.Ext(u)], res.Header.Get("Content-Type"), u)
		assert.Equal(t, "public, max-age=31536000, immutable", res.Header.Get("Cache-Control"), u)
		assert.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"), u)
		sum := sha256.Sum256(body)
		hash := path.Base(path.Dir(u))
		assert.True(t, strings.HasPrefix(hex.EncodeToString(sum[:]), hash), "%s: the URL names the content", u)
		assert.Equal(t, `"`+hex.EncodeToString(sum[:])+`"`, res.Header.Get("ETag"), u)

		res, body = get(t, srv, u, "If-None-Match", res.Header.Get("ETag"))
		assert.Equal(t, http.StatusNotModified, res.StatusCode, u)
		assert.Empty(t, body)
	}
	js := page.byName["graphiql.min.js"]
	require.NotEmpty(t, js)
	for _, p := range []string{
		playground.AssetsPath,
		playground.AssetsPath + "graphiql.min.js",
		playground.AssetsPath + "0000000000000000/graphiql.min.js",
		path.Dir(js) + "/react.production.min.js", // another file's hash
		path.Dir(js) + "/VERSIONS",
		path.Dir(js) + "/../../../go.mod",
	} {
		res, _ := get(t, srv, p)
		assert.Equal(t, http.StatusNotFound, res.StatusCode, p)
	}
}

// TestPlaygroundIsServedOnlyWhenEnabled: off, neither the page nor its
// assets are served; on in production, the same page is.
func TestPlaygroundIsServedOnlyWhenEnabled(t *testing.T) {
	on := testserver.Start(t)
	_, body := get(t, on, "/")
	urls := parsePage(t, body).urls
	require.NotEmpty(t, urls)

	off := testserver.Start(t, testserver.Env("FAULTLINE_PLAYGROUND", "false"))
	for _, p := range append([]string{"/"}, urls...) {
		res, _ := get(t, off, p)
		assert.Equal(t, http.StatusNotFound, res.StatusCode, p)
	}

	prod := testserver.Start(t,
		testserver.Env("FAULTLINE_ENV", "production"),
		testserver.Env("FAULTLINE_JWT_SECRET", strings.Repeat("k", 32)),
		testserver.Env("FAULTLINE_PLAYGROUND", "true"))
	res, body := get(t, prod, "/")
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, res.Header.Get("Content-Security-Policy"), "default-src 'none'")
	assert.Equal(t, urls, parsePage(t, body).urls, "the same page and assets")
	for _, u := range urls {
		res, _ := get(t, prod, u)
		assert.Equal(t, http.StatusOK, res.StatusCode, u)
	}
}
