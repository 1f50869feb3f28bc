package app_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/internal/testserver"
)

// TestMessagesAreLocalizedAndNothingElseIs: Accept-Language changes the
// messages (fields' included) and Content-Language; codes, types, statuses,
// details, paths and the HTTP status stay as they are.
func TestMessagesAreLocalizedAndNothingElseIs(t *testing.T) {
	srv := testserver.Start(t)
	q := `mutation { register(input: {email: "nope", password: "short", name: "Ok"}) { accessToken } }`
	notFound := `{ product(id: "x") { id } }`

	base := srv.Query(t, q, nil)
	baseErr := base.Error(t)
	require.Len(t, baseErr.Extensions.Fields, 2)
	nf := srv.Query(t, notFound, nil).Error(t)
	assert.Equal(t, "en", srv.Query(t, notFound, nil).Header.Get("Content-Language"))
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/query?query="+url.QueryEscape(notFound), nil)
	require.NoError(t, err)
	get := srv.Do(t, req, "Accept-Language", "ru")
	assert.Equal(t, "ru", get.Header.Get("Content-Language"))
	assert.Equal(t, []string{"Accept-Language, Origin"}, get.Header.Values("Vary"), "a cache must not serve a GET's answer in another language")

	for _, c := range []struct {
		accept, lang, message, field, notFound string
	}{
		{"zh-CN,zh;q=0.9,en;q=0.5", "zh-Hans", "输入无效", "必须是有效的电子邮件地址", "未找到 Product x"},
		{"zh-Hans", "zh-Hans", "输入无效", "必须是有效的电子邮件地址", "未找到 Product x"},
		{"zh-TW", "zh-Hant", "輸入無效", "必須是有效的電子郵件地址", "找不到 Product x"},
		{"zh-HK", "zh-Hant", "輸入無效", "必須是有效的電子郵件地址", "找不到 Product x"},
		{"ru-RU,ru;q=0.9", "ru", "Входные данные недопустимы", "должно быть корректным адресом электронной почты", "Product x не найден"},
		{"fr-FR,de;q=0.8", "en", "The input is not valid", "must be a valid email address", "Product x was not found"},
		{"*", "en", "The input is not valid", "must be a valid email address", "Product x was not found"},
		{"garbage;;;q=x", "en", "The input is not valid", "must be a valid email address", "Product x was not found"},
	} {
		t.Run(c.accept, func(t *testing.T) {
			res := srv.Query(t, q, nil, "Accept-Language", c.accept)
			e := res.Error(t)
			assert.Equal(t, c.lang, res.Header.Get("Content-Language"))
			assert.Empty(t, res.Header.Values("Vary"), "a POST response is never stored by a cache")
			assert.Equal(t, c.message, e.Message)
			require.Len(t, e.Extensions.Fields, 2)
			assert.Equal(t, c.field, e.Extensions.Fields[0].Message)
			assert.Equal(t, base.Status, res.Status)
			assert.Equal(t, baseErr.Path, e.Path)
			assert.Equal(t, baseErr.Extensions.Code, e.Extensions.Code)
			assert.Equal(t, baseErr.Extensions.Type, e.Extensions.Type)
			assert.Equal(t, baseErr.Extensions.Status, e.Extensions.Status)
			for i, f := range e.Extensions.Fields {
				assert.Equal(t, baseErr.Extensions.Fields[i].Path, f.Path)
				assert.Equal(t, baseErr.Extensions.Fields[i].Rule, f.Rule)
			}

			got := srv.Query(t, notFound, nil, "Accept-Language", c.accept).Error(t)
			assert.Equal(t, c.notFound, got.Message)
			assert.Equal(t, nf.Extensions.Details, got.Extensions.Details, "details never change")
		})
	}

	// The HTTP layer's refusals are localized too.
	res := srv.Post(t, []byte(`{`), "Content-Type", "application/json", "Accept-Language", "ru")
	e := res.Error(t)
	assert.Equal(t, "Тело запроса не является корректным JSON", e.Message)
	assert.Equal(t, map[string]any{"reason": "invalid_json"}, e.Extensions.Details, "the reason is a stable key")
	assert.Equal(t, 400, res.Status)
}
