package apperr

import (
	"context"
	"sort"
	"strings"
)

// Locale is a language messages can be worded in. Codes, types, statuses
// and details never change with it.
type Locale string

// The locales of faultline's messages; English is the default.
const (
	English            Locale = "en"
	SimplifiedChinese  Locale = "zh-Hans"
	TraditionalChinese Locale = "zh-Hant"
	Russian            Locale = "ru"
)

// Locales lists every locale, the default first.
var Locales = []Locale{English, SimplifiedChinese, TraditionalChinese, Russian}

type localeKey struct{}

// WithLocale returns ctx carrying the locale of the request's messages.
func WithLocale(ctx context.Context, l Locale) context.Context {
	return context.WithValue(ctx, localeKey{}, l)
}

// LocaleFrom returns the request's locale, English when none was set.
func LocaleFrom(ctx context.Context) Locale {
	if l, ok := ctx.Value(localeKey{}).(Locale); ok {
		return l
	}
	return English
}

// ruleMessages are the English messages of input-constraint violations,
// by rule (a format's rule is its name).
var ruleMessages = map[string]string{
	"min":       "must be at least {limit}",
	"max":       "must be at most {limit}",
	"minLength": "length must be at least {limit}",
	"maxLength": "length must be at most {limit}",
	"minItems":  "must have at least {limit} entries",
	"maxItems":  "must have at most {limit} entries",
	"email":     "must be a valid email address",
	"maxTotal":  "the order's total may not exceed {limit} cents",
	"noNul":     "must not contain the NUL character (U+0000)",
	"maxWallet": "a wallet may hold at most {limit} cents, counting refunds of paid orders; at most {room} more can be added",
}

// english returns the English text of a message key: a type ("TOKEN_EXPIRED"),
// a type's variant ("TOKEN_REVOKED.reused") or a rule ("rule.min").
func english(key string) (string, bool) {
	if rule, ok := strings.CutPrefix(key, "rule."); ok {
		m, ok := ruleMessages[rule]
		return m, ok
	}
	t, variant, _ := strings.Cut(key, ".")
	e, ok := byType[Type(t)]
	if !ok {
		return "", false
	}
	if variant == "" {
		return e.Message, true
	}
	m, ok := e.Variants[variant]
	return m, ok
}

// text is the wording of key in l, falling back to English.
func text(l Locale, key string) string {
	if m, ok := translations[l][key]; ok {
		return m
	}
	if m, ok := english(key); ok {
		return m
	}
	m, _ := english(string(Internal))
	return m
}

// MessageKeys lists every message key: each type, each variant, each rule.
func MessageKeys() []string {
	var keys []string
	for _, e := range catalog {
		keys = append(keys, string(e.Type))
		for v := range e.Variants {
			keys = append(keys, string(e.Type)+"."+v)
		}
	}
	for r := range ruleMessages {
		keys = append(keys, "rule."+r)
	}
	sort.Strings(keys)
	return keys
}

// Wording returns the text of key in l, and whether l words it itself.
func Wording(l Locale, key string) (string, bool) {
	if l == English {
		return english(key)
	}
	m, ok := translations[l][key]
	return m, ok
}

// translations word every message key in every locale but English; a test
// fails when one is missing or its placeholders differ from English's.
var translations = map[Locale]map[string]string{
	SimplifiedChinese: {
		"PERSISTED_QUERY_HASH_MISMATCH":           "持久化查询的 sha256Hash 不是其查询的哈希",
		"BATCH_TOO_LARGE":                         "一个批次可包含 1 到 {limit} 个操作；此批次包含 {actual} 个",
		"PERSISTED_QUERY_NOT_FOUND":               "PersistedQueryNotFound",
		"PERSISTED_QUERY_NOT_SUPPORTED":           "PersistedQueryNotSupported",
		"PERSISTED_QUERY_NOT_SUPPORTED.version":   "不支持持久化查询版本 {version}；请发送版本 1",
		"OPERATION_NOT_TRUSTED":                   "此处只能运行受信任文档清单中的操作",
		"ORIGIN_NOT_ALLOWED":                      "不允许来自源 {origin} 的请求",
		"TOO_MANY_PASSWORD_HASHES":                "一个操作最多只能计算 {limit} 次密码哈希；此操作包含 {actual} 个 login 或 register 字段",
		"TOO_MANY_REGISTRATIONS":                  "此地址注册次数过多；请稍后重试",
		"TOO_MANY_SUBSCRIPTIONS":                  "订阅过多：同时最多 {limit} 个",
		"TOO_MANY_SUBSCRIPTIONS.connection":       "一个连接上同时最多只能有 {limit} 个订阅；请先结束一个",
		"TOO_MANY_SUBSCRIPTIONS.user":             "一个用户同时最多只能有 {limit} 个订阅；请先结束一个",
		"TOKEN_EXPIRED.session":                   "会话已达到最长期限；请重新登录",
		"TOKEN_REVOKED.session":                   "令牌所属的会话已结束（已登出或被吊销）；请重新登录",
		"rule.noNul":                              "不能包含 NUL 字符（U+0000）",
		"MALFORMED_REQUEST":                       "GraphQL 请求格式错误",
		"MALFORMED_REQUEST.invalid_json":          "请求体不是有效的 JSON",
		"MALFORMED_REQUEST.not_an_object":         "请求体必须是 JSON 对象",
		"MALFORMED_REQUEST.batch":                 "不支持批量请求（JSON 数组）；请发送单个请求对象",
		"MALFORMED_REQUEST.several_values":        "请求体包含多个 JSON 值",
		"MALFORMED_REQUEST.missing_query":         "请求中没有 query",
		"MALFORMED_REQUEST.persisted_query":       "persistedQuery 扩展必须包含版本 1 和 64 位十六进制的 sha256Hash",
		"MALFORMED_REQUEST.wrong_type":            "请求参数 \"{field}\" 的 JSON 类型错误",
		"MALFORMED_REQUEST.unreadable_body":       "无法读取请求体",
		"MALFORMED_REQUEST.websocket_handshake":   "WebSocket 握手无效：请发送带有 Connection: Upgrade、Upgrade: websocket、Sec-WebSocket-Version: 13 和 Sec-WebSocket-Key 的 GET 请求",
		"MALFORMED_REQUEST.websocket_subprotocol": "请在 Sec-WebSocket-Protocol 中提供 graphql-transport-ws 子协议",
		"MALFORMED_REQUEST.subscription":          "订阅需要一个流：请打开 WebSocket（graphql-transport-ws），或以 Accept: text/event-stream 发送 POST",
		"BODY_TOO_LARGE":                          "请求体超过了 {limit} 字节的上限",
		"UNSUPPORTED_MEDIA_TYPE":                  "不支持的 Content-Type：请发送 application/json",
		"METHOD_NOT_ALLOWED":                      "此请求不允许使用 HTTP 方法 {method}；请使用 {allowed}",
		"METHOD_NOT_ALLOWED.get_mutation":         "GET 只能发送查询；请用 POST 发送此 {operation}",
		"SYNTAX_ERROR":                            "GraphQL 文档存在语法错误",
		"SYNTAX_ERROR.parser":                     "语法错误：{reason}",
		"SYNTAX_ERROR.empty":                      "文档中没有任何操作",
		"INVALID_QUERY":                           "查询不符合模式（schema）",
		"INVALID_QUERY.validator":                 "查询无效：{reason}",
		"OPERATION_NOT_FOUND":                     "文档中没有名为 \"{operationName}\" 的操作",
		"OPERATION_NOT_FOUND.unnamed":             "文档包含多个操作：请通过 operationName 指定一个",
		"QUERY_TOO_COMPLEX":                       "查询复杂度为 {actual}，超过了上限 {limit}",
		"QUERY_TOO_DEEP":                          "查询深度为 {actual}，超过了上限 {limit}",
		"TOO_MANY_ERRORS":                         "另有 {omitted} 个错误被省略：一个响应最多包含 {limit} 个错误",
		"VALIDATION_FAILED":                       "输入无效",
		"INVALID_VARIABLES":                       "变量 \"${variable}\" 无效",
		"INVALID_VARIABLES.value":                 "变量 \"${variable}\" 无效：{reason}",
		"INVALID_VARIABLES.nested":                "变量 \"${variable}\" 在 {at} 处无效：{reason}",
		"INVALID_CURSOR":                          "参数 \"{argument}\" 中的游标不属于此列表",
		"TOKEN_MISSING":                           "需要身份验证：请在 Authorization 请求头中发送访问令牌",
		"TOKEN_MISSING.connection_init":           "需要身份验证：请在 connection_init 的 payload 中以 authorization 发送访问令牌",
		"TOKEN_MALFORMED":                         "令牌格式错误",
		"TOKEN_SIGNATURE_INVALID":                 "令牌签名无效",
		"TOKEN_EXPIRED":                           "令牌已过期",
		"TOKEN_NOT_YET_VALID":                     "令牌尚未生效",
		"TOKEN_CLAIMS_INVALID":                    "令牌的 {claim} 声明无效",
		"TOKEN_TYPE_MISMATCH":                     "令牌类型错误：此处需要 {expected} 令牌",
		"TOKEN_TYPE_MISMATCH.refresh_as_access":   "刷新令牌不能用作访问令牌",
		"TOKEN_TYPE_MISMATCH.access_as_refresh":   "访问令牌不能用作刷新令牌",
		"TOKEN_TYPE_MISMATCH.typ_header":          "该令牌不是访问令牌（其 typ 头不是 at+jwt）",
		"TOKEN_REVOKED":                           "令牌已被吊销",
		"TOKEN_REVOKED.no_user":                   "令牌对应的用户不存在",
		"TOKEN_REVOKED.reused":                    "该刷新令牌已被使用过；其会话已被吊销",
		"INVALID_CREDENTIALS":                     "邮箱或密码错误",
		"INSUFFICIENT_ROLE":                       "需要 {requiredRole} 角色",
		"USER_SUSPENDED":                          "该账户已被停用",
		"PRODUCT_FORBIDDEN":                       "商品 {id} 不可订购",
		"RESOURCE_NOT_FOUND":                      "未找到 {resource} {id}",
		"ALREADY_EXISTS":                          "具有此 {field} 的记录已存在",
		"INVALID_STATE_TRANSITION":                "订单不能从 {from} 变为 {to}",
		"ORDER_ALREADY_CANCELLED":                 "该订单已被取消",
		"CONCURRENT_MODIFICATION":                 "该记录已被另一个请求修改；请重试",
		"INSUFFICIENT_FUNDS":                      "余额不足：需要 {required} 分，可用 {available} 分",
		"TOO_MANY_REQUESTS":                       "请求过多：每秒最多 {limit} 个；请稍后重试",
		"TOO_MANY_LOGIN_ATTEMPTS":                 "登录失败次数过多；请稍后重试",
		"INTERNAL":                                "服务器内部错误",
		"DATABASE_UNAVAILABLE":                    "数据库暂时不可用；请稍后重试",
		"SHUTTING_DOWN":                           "服务器正在关闭；请重试",
		"DEADLINE_EXCEEDED":                       "请求未能在期限内完成",
		"rule.min":                                "不能小于 {limit}",
		"rule.max":                                "不能大于 {limit}",
		"rule.minLength":                          "长度不能少于 {limit}",
		"rule.maxLength":                          "长度不能超过 {limit}",
		"rule.minItems":                           "至少需要 {limit} 项",
		"rule.maxItems":                           "最多只能有 {limit} 项",
		"rule.email":                              "必须是有效的电子邮件地址",
		"rule.maxTotal":                           "订单总额不能超过 {limit} 分",
		"rule.maxWallet":                          "钱包最多可容纳 {limit} 分（含已支付订单可能的退款），最多还能充值 {room} 分",
	},
	TraditionalChinese: {
		"PERSISTED_QUERY_HASH_MISMATCH":           "持久化查詢的 sha256Hash 不是其查詢的雜湊",
		"BATCH_TOO_LARGE":                         "一個批次可包含 1 到 {limit} 個操作；此批次包含 {actual} 個",
		"PERSISTED_QUERY_NOT_FOUND":               "PersistedQueryNotFound",
		"PERSISTED_QUERY_NOT_SUPPORTED":           "PersistedQueryNotSupported",
		"PERSISTED_QUERY_NOT_SUPPORTED.version":   "不支援持久化查詢版本 {version}；請傳送版本 1",
		"OPERATION_NOT_TRUSTED":                   "此處只能執行受信任文件清單中的操作",
		"ORIGIN_NOT_ALLOWED":                      "不允許來自來源 {origin} 的請求",
		"TOO_MANY_PASSWORD_HASHES":                "一個操作最多只能計算 {limit} 次密碼雜湊；此操作包含 {actual} 個 login 或 register 欄位",
		"TOO_MANY_REGISTRATIONS":                  "此位址註冊次數過多；請稍後再試",
		"TOO_MANY_SUBSCRIPTIONS":                  "訂閱過多：同時最多 {limit} 個",
		"TOO_MANY_SUBSCRIPTIONS.connection":       "一個連線上同時最多只能有 {limit} 個訂閱；請先結束一個",
		"TOO_MANY_SUBSCRIPTIONS.user":             "一個使用者同時最多只能有 {limit} 個訂閱；請先結束一個",
		"TOKEN_EXPIRED.session":                   "工作階段已達最長期限；請重新登入",
		"TOKEN_REVOKED.session":                   "權杖所屬的工作階段已結束（已登出或被撤銷）；請重新登入",
		"rule.noNul":                              "不得包含 NUL 字元（U+0000）",
		"MALFORMED_REQUEST":                       "GraphQL 請求格式錯誤",
		"MALFORMED_REQUEST.invalid_json":          "請求本文不是有效的 JSON",
		"MALFORMED_REQUEST.not_an_object":         "請求本文必須是 JSON 物件",
		"MALFORMED_REQUEST.batch":                 "不支援批次請求（JSON 陣列）；請傳送單一請求物件",
		"MALFORMED_REQUEST.several_values":        "請求本文包含多個 JSON 值",
		"MALFORMED_REQUEST.missing_query":         "請求中沒有 query",
		"MALFORMED_REQUEST.persisted_query":       "persistedQuery 擴充必須包含版本 1 和 64 位十六進位的 sha256Hash",
		"MALFORMED_REQUEST.wrong_type":            "請求參數 \"{field}\" 的 JSON 類型錯誤",
		"MALFORMED_REQUEST.unreadable_body":       "無法讀取請求本文",
		"MALFORMED_REQUEST.websocket_handshake":   "WebSocket 交握無效：請傳送帶有 Connection: Upgrade、Upgrade: websocket、Sec-WebSocket-Version: 13 和 Sec-WebSocket-Key 的 GET 請求",
		"MALFORMED_REQUEST.websocket_subprotocol": "請在 Sec-WebSocket-Protocol 中提供 graphql-transport-ws 子協定",
		"MALFORMED_REQUEST.subscription":          "訂閱需要一個串流：請開啟 WebSocket（graphql-transport-ws），或以 Accept: text/event-stream 傳送 POST",
		"BODY_TOO_LARGE":                          "請求本文超過了 {limit} 位元組的上限",
		"UNSUPPORTED_MEDIA_TYPE":                  "不支援的 Content-Type：請傳送 application/json",
		"METHOD_NOT_ALLOWED":                      "此請求不允許使用 HTTP 方法 {method}；請使用 {allowed}",
		"METHOD_NOT_ALLOWED.get_mutation":         "GET 只能傳送查詢；請用 POST 傳送此 {operation}",
		"SYNTAX_ERROR":                            "GraphQL 文件有語法錯誤",
		"SYNTAX_ERROR.parser":                     "語法錯誤：{reason}",
		"SYNTAX_ERROR.empty":                      "文件中沒有任何操作",
		"INVALID_QUERY":                           "查詢不符合結構描述（schema）",
		"INVALID_QUERY.validator":                 "查詢無效：{reason}",
		"OPERATION_NOT_FOUND":                     "文件中沒有名為 \"{operationName}\" 的操作",
		"OPERATION_NOT_FOUND.unnamed":             "文件包含多個操作：請透過 operationName 指定一個",
		"QUERY_TOO_COMPLEX":                       "查詢複雜度為 {actual}，超過了上限 {limit}",
		"QUERY_TOO_DEEP":                          "查詢深度為 {actual}，超過了上限 {limit}",
		"TOO_MANY_ERRORS":                         "另有 {omitted} 個錯誤被省略：一個回應最多包含 {limit} 個錯誤",
		"VALIDATION_FAILED":                       "輸入無效",
		"INVALID_VARIABLES":                       "變數 \"${variable}\" 無效",
		"INVALID_VARIABLES.value":                 "變數 \"${variable}\" 無效：{reason}",
		"INVALID_VARIABLES.nested":                "變數 \"${variable}\" 在 {at} 處無效：{reason}",
		"INVALID_CURSOR":                          "參數 \"{argument}\" 中的游標不屬於此清單",
		"TOKEN_MISSING":                           "需要身分驗證：請在 Authorization 標頭中傳送存取權杖",
		"TOKEN_MISSING.connection_init":           "需要身分驗證：請在 connection_init 的 payload 中以 authorization 傳送存取權杖",
		"TOKEN_MALFORMED":                         "權杖格式錯誤",
		"TOKEN_SIGNATURE_INVALID":                 "權杖簽章無效",
		"TOKEN_EXPIRED":                           "權杖已過期",
		"TOKEN_NOT_YET_VALID":                     "權杖尚未生效",
		"TOKEN_CLAIMS_INVALID":                    "權杖的 {claim} 宣告無效",
		"TOKEN_TYPE_MISMATCH":                     "權杖類型錯誤：此處需要 {expected} 權杖",
		"TOKEN_TYPE_MISMATCH.refresh_as_access":   "重新整理權杖不能當作存取權杖使用",
		"TOKEN_TYPE_MISMATCH.access_as_refresh":   "存取權杖不能當作重新整理權杖使用",
		"TOKEN_TYPE_MISMATCH.typ_header":          "此權杖不是存取權杖（其 typ 標頭不是 at+jwt）",
		"TOKEN_REVOKED":                           "權杖已被撤銷",
		"TOKEN_REVOKED.no_user":                   "權杖對應的使用者不存在",
		"TOKEN_REVOKED.reused":                    "此重新整理權杖已被使用過；其工作階段已被撤銷",
		"INVALID_CREDENTIALS":                     "電子郵件或密碼錯誤",
		"INSUFFICIENT_ROLE":                       "需要 {requiredRole} 角色",
		"USER_SUSPENDED":                          "此帳戶已被停用",
		"PRODUCT_FORBIDDEN":                       "商品 {id} 無法訂購",
		"RESOURCE_NOT_FOUND":                      "找不到 {resource} {id}",
		"ALREADY_EXISTS":                          "具有此 {field} 的記錄已存在",
		"INVALID_STATE_TRANSITION":                "訂單無法從 {from} 變為 {to}",
		"ORDER_ALREADY_CANCELLED":                 "此訂單已被取消",
		"CONCURRENT_MODIFICATION":                 "此記錄已被另一個請求修改；請重試",
		"INSUFFICIENT_FUNDS":                      "餘額不足：需要 {required} 分，可用 {available} 分",
		"TOO_MANY_REQUESTS":                       "請求過多：每秒最多 {limit} 個；請稍後再試",
		"TOO_MANY_LOGIN_ATTEMPTS":                 "登入失敗次數過多；請稍後再試",
		"INTERNAL":                                "伺服器內部錯誤",
		"DATABASE_UNAVAILABLE":                    "資料庫暫時無法使用；請稍後再試",
		"SHUTTING_DOWN":                           "伺服器正在關閉；請重試",
		"DEADLINE_EXCEEDED":                       "請求未能在期限內完成",
		"rule.min":                                "不能小於 {limit}",
		"rule.max":                                "不能大於 {limit}",
		"rule.minLength":                          "長度不能少於 {limit}",
		"rule.maxLength":                          "長度不能超過 {limit}",
		"rule.minItems":                           "至少需要 {limit} 項",
		"rule.maxItems":                           "最多只能有 {limit} 項",
		"rule.email":                              "必須是有效的電子郵件地址",
		"rule.maxTotal":                           "訂單總額不能超過 {limit} 分",
		"rule.maxWallet":                          "錢包最多可容納 {limit} 分（含已付款訂單可能的退款），最多還能儲值 {room} 分",
	},
	Russian: {
		"PERSISTED_QUERY_HASH_MISMATCH":           "sha256Hash сохранённого запроса не является хешем его текста",
		"BATCH_TOO_LARGE":                         "Пакет может содержать от 1 до {limit} операций; в этом {actual}",
		"PERSISTED_QUERY_NOT_FOUND":               "PersistedQueryNotFound",
		"PERSISTED_QUERY_NOT_SUPPORTED":           "PersistedQueryNotSupported",
		"PERSISTED_QUERY_NOT_SUPPORTED.version":   "Версия сохранённых запросов {version} не поддерживается; отправьте версию 1",
		"OPERATION_NOT_TRUSTED":                   "Здесь можно выполнять только операции из манифеста доверенных документов",
		"ORIGIN_NOT_ALLOWED":                      "Запросы с источника {origin} не разрешены",
		"TOO_MANY_PASSWORD_HASHES":                "Одна операция может вычислить не более {limit} хеша пароля; в этой {actual} полей login или register",
		"TOO_MANY_REGISTRATIONS":                  "Слишком много регистраций с этого адреса; повторите позже",
		"TOO_MANY_SUBSCRIPTIONS":                  "Слишком много подписок: одновременно не более {limit}",
		"TOO_MANY_SUBSCRIPTIONS.connection":       "На одном соединении одновременно может быть не более {limit} подписок; сначала завершите одну",
		"TOO_MANY_SUBSCRIPTIONS.user":             "У одного пользователя одновременно может быть не более {limit} подписок; сначала завершите одну",
		"TOKEN_EXPIRED.session":                   "Сеанс достиг предельного срока; войдите снова",
		"TOKEN_REVOKED.session":                   "Сеанс токена завершён (выход или отзыв); войдите снова",
		"rule.noNul":                              "не должно содержать символ NUL (U+0000)",
		"MALFORMED_REQUEST":                       "Некорректный запрос GraphQL",
		"MALFORMED_REQUEST.invalid_json":          "Тело запроса не является корректным JSON",
		"MALFORMED_REQUEST.not_an_object":         "Тело запроса должно быть объектом JSON",
		"MALFORMED_REQUEST.batch":                 "Пакетные запросы (массив JSON) не поддерживаются; отправьте один объект запроса",
		"MALFORMED_REQUEST.several_values":        "Тело запроса содержит больше одного значения JSON",
		"MALFORMED_REQUEST.missing_query":         "В запросе нет query",
		"MALFORMED_REQUEST.persisted_query":       "Расширение persistedQuery должно содержать version 1 и sha256Hash из 64 шестнадцатеричных цифр",
		"MALFORMED_REQUEST.wrong_type":            "Параметр запроса \"{field}\" имеет неверный тип JSON",
		"MALFORMED_REQUEST.unreadable_body":       "Не удалось прочитать тело запроса",
		"MALFORMED_REQUEST.websocket_handshake":   "Некорректное рукопожатие WebSocket: отправьте GET с Connection: Upgrade, Upgrade: websocket, Sec-WebSocket-Version: 13 и Sec-WebSocket-Key",
		"MALFORMED_REQUEST.websocket_subprotocol": "Предложите подпротокол graphql-transport-ws в Sec-WebSocket-Protocol",
		"MALFORMED_REQUEST.subscription":          "Подписке нужен поток: откройте WebSocket (graphql-transport-ws) или отправьте POST с Accept: text/event-stream",
		"BODY_TOO_LARGE":                          "Тело запроса превышает предел в {limit} байт",
		"UNSUPPORTED_MEDIA_TYPE":                  "Неподдерживаемый Content-Type: отправьте application/json",
		"METHOD_NOT_ALLOWED":                      "HTTP-метод {method} недопустим для этого запроса; используйте {allowed}",
		"METHOD_NOT_ALLOWED.get_mutation":         "Через GET можно отправлять только запросы на чтение; отправьте эту операцию {operation} через POST",
		"SYNTAX_ERROR":                            "Синтаксическая ошибка в документе GraphQL",
		"SYNTAX_ERROR.parser":                     "Синтаксическая ошибка: {reason}",
		"SYNTAX_ERROR.empty":                      "Документ не содержит ни одной операции",
		"INVALID_QUERY":                           "Запрос не соответствует схеме",
		"INVALID_QUERY.validator":                 "Недопустимый запрос: {reason}",
		"OPERATION_NOT_FOUND":                     "В документе нет операции с именем \"{operationName}\"",
		"OPERATION_NOT_FOUND.unnamed":             "Документ содержит несколько операций: укажите одну в operationName",
		"QUERY_TOO_COMPLEX":                       "Сложность запроса {actual} превышает предел {limit}",
		"QUERY_TOO_DEEP":                          "Глубина запроса {actual} превышает предел {limit}",
		"TOO_MANY_ERRORS":                         "Ещё {omitted} ошибок опущено: ответ содержит не более {limit} ошибок",
		"VALIDATION_FAILED":                       "Входные данные недопустимы",
		"INVALID_VARIABLES":                       "Переменная \"${variable}\" недопустима",
		"INVALID_VARIABLES.value":                 "Переменная \"${variable}\" недопустима: {reason}",
		"INVALID_VARIABLES.nested":                "Переменная \"${variable}\" недопустима в {at}: {reason}",
		"INVALID_CURSOR":                          "Курсор в аргументе \"{argument}\" не относится к этому списку",
		"TOKEN_MISSING":                           "Требуется аутентификация: передайте токен доступа в заголовке Authorization",
		"TOKEN_MISSING.connection_init":           "Требуется аутентификация: передайте токен доступа как authorization в payload сообщения connection_init",
		"TOKEN_MALFORMED":                         "Токен имеет неверный формат",
		"TOKEN_SIGNATURE_INVALID":                 "Подпись токена недействительна",
		"TOKEN_EXPIRED":                           "Срок действия токена истёк",
		"TOKEN_NOT_YET_VALID":                     "Токен ещё не действует",
		"TOKEN_CLAIMS_INVALID":                    "Утверждение {claim} в токене недопустимо",
		"TOKEN_TYPE_MISMATCH":                     "Неверный вид токена: здесь ожидается токен типа {expected}",
		"TOKEN_TYPE_MISMATCH.refresh_as_access":   "Токен обновления нельзя использовать как токен доступа",
		"TOKEN_TYPE_MISMATCH.access_as_refresh":   "Токен доступа нельзя использовать как токен обновления",
		"TOKEN_TYPE_MISMATCH.typ_header":          "Это не токен доступа (его заголовок typ не равен at+jwt)",
		"TOKEN_REVOKED":                           "Токен отозван",
		"TOKEN_REVOKED.no_user":                   "Пользователь токена не существует",
		"TOKEN_REVOKED.reused":                    "Этот токен обновления уже использован; его сеанс отозван",
		"INVALID_CREDENTIALS":                     "Неверный адрес электронной почты или пароль",
		"INSUFFICIENT_ROLE":                       "Требуется роль {requiredRole}",
		"USER_SUSPENDED":                          "Учётная запись заблокирована",
		"PRODUCT_FORBIDDEN":                       "Товар {id} нельзя заказать",
		"RESOURCE_NOT_FOUND":                      "{resource} {id} не найден",
		"ALREADY_EXISTS":                          "Запись с таким значением {field} уже существует",
		"INVALID_STATE_TRANSITION":                "Заказ нельзя перевести из {from} в {to}",
		"ORDER_ALREADY_CANCELLED":                 "Заказ уже отменён",
		"CONCURRENT_MODIFICATION":                 "Запись была изменена другим запросом; повторите попытку",
		"INSUFFICIENT_FUNDS":                      "Недостаточно средств: требуется {required}, доступно {available} (в центах)",
		"TOO_MANY_REQUESTS":                       "Слишком много запросов: не более {limit} в секунду; повторите позже",
		"TOO_MANY_LOGIN_ATTEMPTS":                 "Слишком много неудачных попыток входа; повторите позже",
		"INTERNAL":                                "Внутренняя ошибка сервера",
		"DATABASE_UNAVAILABLE":                    "База данных недоступна; повторите позже",
		"SHUTTING_DOWN":                           "Сервер завершает работу; повторите попытку",
		"DEADLINE_EXCEEDED":                       "Запрос не успел завершиться в отведённое время",
		"rule.min":                                "должно быть не меньше {limit}",
		"rule.max":                                "должно быть не больше {limit}",
		"rule.minLength":                          "длина должна быть не меньше {limit}",
		"rule.maxLength":                          "длина должна быть не больше {limit}",
		"rule.minItems":                           "число элементов должно быть не меньше {limit}",
		"rule.maxItems":                           "число элементов должно быть не больше {limit}",
		"rule.email":                              "должно быть корректным адресом электронной почты",
		"rule.maxTotal":                           "сумма заказа не может превышать {limit} (в центах)",
		"rule.maxWallet":                          "в кошельке может быть не более {limit} (в центах) с учётом возвратов оплаченных заказов; можно добавить ещё не более {room}",
	},
}
