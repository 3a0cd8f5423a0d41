package kuaidi100

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/notarykit/notarykit/adapters/courier"
	"github.com/notarykit/notarykit/notary"
)

var _ notary.Courier = (*Client)(nil)

// DefaultEndpoint is Kuaidi100's production API host.
const DefaultEndpoint = "https://poll.kuaidi100.com"

// Companies maps the courier registry's carrier codes to Kuaidi100's
// company codes (快递公司编码). Config.Companies adds to or overrides it.
var Companies = map[string]string{
	"SF":    "shunfeng",
	"EMS":   "ems",
	"JD":    "jd",
	"YTO":   "yuantong",
	"ZTO":   "zhongtong",
	"STO":   "shentong",
	"YUNDA": "yunda",
}

// States maps Kuaidi100's state codes (the basic ones, and the customs
// codes of its international service) onto notary.TrackingState.
var States = map[int]notary.TrackingState{
	0:  notary.TrackingInTransit,      // 在途
	1:  notary.TrackingPickedUp,       // 揽收
	2:  notary.TrackingProblem,        // 疑难
	3:  notary.TrackingDelivered,      // 签收
	4:  notary.TrackingReturned,       // 退签
	5:  notary.TrackingOutForDelivery, // 派件
	6:  notary.TrackingReturning,      // 退回
	7:  notary.TrackingInTransit,      // 转投 / 转单
	8:  notary.TrackingInTransit,      // 清关
	10: notary.TrackingInTransit,      // 待清关
	11: notary.TrackingInTransit,      // 清关中
	12: notary.TrackingInTransit,      // 已清关
	13: notary.TrackingProblem,        // 清关异常
	14: notary.TrackingRefused,        // 拒签
}

// chinaTime is the zone of Kuaidi100's time stamps (China Standard Time,
// no daylight saving), fixed so no time zone database is needed.
var chinaTime = time.FixedZone("CST", 8*60*60)

// Config configures a Client.
type Config struct {
	// Customer is the account's customer code (授权码 / 公司编号). Required.
	Customer string
	// Key is the account's authorisation key (授权key). Required.
	Key string
	// Salt signs status pushes (签名用随机字符串). Required to verify
	// pushes and to subscribe; a Client without it only queries.
	Salt string
	// Phone is sent with queries and subscriptions; Kuaidi100 needs it for
	// SF Express and ZTO. See the package documentation.
	Phone string
	// Endpoint is the API's base URL; DefaultEndpoint when empty.
	Endpoint string
	// HTTPClient makes the calls; a client with a 15 s timeout when nil.
	HTTPClient *http.Client
	// Companies adds to or overrides the package's Companies table.
	Companies map[string]string
}

// Client is a notary.Courier that asks Kuaidi100. It is safe for
// concurrent use.
type Client struct {
	customer, key, salt, phone string
	endpoint                   string
	http                       *http.Client
	companies                  map[string]string // registry code -> kuaidi100 code
	carriers                   map[string]string // kuaidi100 code -> registry code
}

// New returns a Client. A missing Customer or Key, or an Endpoint that is
// not an absolute http(s) URL, yields an error wrapping
// notary.ErrInvalidInput.
func New(cfg Config) (*Client, error) {
	if strings.TrimSpace(cfg.Customer) == "" {
		return nil, &notary.FieldError{Field: "customer", Reason: "required"}
	}
	if strings.TrimSpace(cfg.Key) == "" {
		return nil, &notary.FieldError{Field: "key", Reason: "required"}
	}
	endpoint := cfg.Endpoint
	if endpoint == "" {
		endpoint = DefaultEndpoint
	}
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, &notary.FieldError{Field: "endpoint", Reason: "want an absolute http(s) URL"}
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 15 * time.Second}
	}
	c := &Client{
		customer: cfg.Customer, key: cfg.Key, salt: cfg.Salt, phone: cfg.Phone,
		endpoint: strings.TrimRight(endpoint, "/"), http: hc,
		companies: map[string]string{}, carriers: map[string]string{},
	}
	for code, com := range Companies {
		c.companies[code] = com
	}
	for code, com := range cfg.Companies {
		c.companies[strings.ToUpper(strings.TrimSpace(code))] = com
	}
	for code, com := range c.companies {
		c.carriers[com] = code
	}
	return c, nil
}

// Normalize checks a tracking number with the courier registry and returns
// its canonical form; see courier.Normalize.
func (c *Client) Normalize(carrier, trackingNumber string) (string, error) {
	return courier.Normalize(carrier, trackingNumber)
}

// APIError is an answer of Kuaidi100 that is not a result: result=false
// with a return code, or an HTTP status other than 200.
type APIError struct {
	// Op is "query" or "subscribe".
	Op string
	// HTTPStatus is the answer's HTTP status code.
	HTTPStatus int
	// Code is Kuaidi100's returnCode ("" when the body had none).
	Code string
	// Message is Kuaidi100's message.
	Message string
}

// Error describes the failed call.
func (e *APIError) Error() string {
	if e.Code == "" {
		return fmt.Sprintf("kuaidi100: %s: HTTP %d", e.Op, e.HTTPStatus)
	}
	return fmt.Sprintf("kuaidi100: %s: returnCode %s: %s", e.Op, e.Code, e.Message)
}

// Temporary reports whether asking again later may succeed: the service
// failed or was busy (HTTP 5xx, 429, returnCode 501 or 502), as opposed to
// a request or account problem that needs a person.
func (e *APIError) Temporary() bool {
	switch e.Code {
	case "501", "502":
		return true
	case "":
		return e.HTTPStatus >= 500 || e.HTTPStatus == http.StatusTooManyRequests
	}
	return false
}

// Sign returns Kuaidi100's query signature: MD5 of param, key and customer
// concatenated, as 32 upper-case hex digits.
func Sign(param, key, customer string) string { return md5Upper(param + key + customer) }

// PushSign returns the signature of a status push: MD5 of param and salt
// concatenated, as 32 upper-case hex digits.
func PushSign(param, salt string) string { return md5Upper(param + salt) }

func md5Upper(s string) string {
	sum := md5.Sum([]byte(s))
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// queryParam is the query's param document, fields in Kuaidi100's order.
type queryParam struct {
	Com   string `json:"com"`
	Num   string `json:"num"`
	Phone string `json:"phone,omitempty"`
	Order string `json:"order"`
}

// Track asks Kuaidi100 for a consignment's status (see the package
// documentation for the errors).
func (c *Client) Track(ctx context.Context, carrier, trackingNumber string) (notary.TrackingStatus, error) {
	code, num, com, err := c.resolve(carrier, trackingNumber)
	if err != nil {
		return notary.TrackingStatus{}, err
	}
	param, err := json.Marshal(queryParam{Com: com, Num: num, Phone: c.phone, Order: "desc"})
	if err != nil {
		return notary.TrackingStatus{}, err
	}
	form := url.Values{
		"customer": {c.customer},
		"param":    {string(param)},
		"sign":     {Sign(string(param), c.key, c.customer)},
	}
	body, status, err := c.post(ctx, "/poll/query.do", form)
	if err != nil {
		return notary.TrackingStatus{}, fmt.Errorf("kuaidi100: query %s %s: %w", code, num, err)
	}
	var r result
	if status != http.StatusOK {
		return notary.TrackingStatus{}, &APIError{Op: "query", HTTPStatus: status}
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return notary.TrackingStatus{}, fmt.Errorf("kuaidi100: query %s %s: malformed answer: %v", code, num, err)
	}
	if r.ReturnCode != "" && !r.Result && r.Nu == "" {
		if r.ReturnCode == "500" {
			return notary.TrackingStatus{}, fmt.Errorf("kuaidi100: consignment %s %s: %s: %w", code, num, r.Message, notary.ErrNotFound)
		}
		return notary.TrackingStatus{}, &APIError{Op: "query", HTTPStatus: status, Code: r.ReturnCode, Message: r.Message}
	}
	st, err := c.status(r)
	if err != nil {
		return notary.TrackingStatus{}, fmt.Errorf("kuaidi100: query %s %s: %w", code, num, err)
	}
	st.Carrier, st.TrackingNumber = code, num
	return st, nil
}

// resolve checks the carrier and number and finds Kuaidi100's company code.
func (c *Client) resolve(carrier, number string) (code, num, com string, err error) {
	car, ok := courier.Lookup(carrier)
	if !ok {
		return "", "", "", &notary.FieldError{Field: "carrier", Reason: "unknown carrier"}
	}
	num, err = car.Normalize(number)
	if err != nil {
		return "", "", "", err
	}
	com, ok = c.companies[car.Code]
	if !ok {
		return "", "", "", &notary.FieldError{Field: "carrier", Reason: "no Kuaidi100 company code for " + car.Code}
	}
	return car.Code, num, com, nil
}

// maxBody bounds an answer; a tracking history is a few kilobytes.
const maxBody = 1 << 20

// post sends a form and returns the answer's body and status.
func (c *Client) post(ctx context.Context, path string, form url.Values) ([]byte, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint+path, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, 0, err
	}
	return body, resp.StatusCode, nil
}

// result is a query answer and a push's lastResult.
type result struct {
	Result     bool        `json:"result"`
	ReturnCode string      `json:"returnCode"`
	Message    string      `json:"message"`
	State      flexInt     `json:"state"`
	IsCheck    flexInt     `json:"ischeck"`
	Com        string      `json:"com"`
	Nu         string      `json:"nu"`
	Data       []scanEntry `json:"data"`
}

type scanEntry struct {
	Time     string `json:"time"`
	FTime    string `json:"ftime"`
	Context  string `json:"context"`
	Location string `json:"location"`
	AreaName string `json:"areaName"`
}

// flexInt decodes a number given as a JSON number or a string of digits
// (Kuaidi100's documents show both); absent or empty is -1.
type flexInt int

func (f *flexInt) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(bytes.TrimSpace(b)), `"`)
	if s == "" || s == "null" {
		*f = -1
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("not a number: %q", s)
	}
	*f = flexInt(n)
	return nil
}

// status translates an answer into the port's terms: events oldest first,
// the state through States, delivery at the newest scan.
func (c *Client) status(r result) (notary.TrackingStatus, error) {
	st := notary.TrackingStatus{TrackingNumber: strings.ToUpper(r.Nu), State: States[int(r.State)]}
	if code, ok := c.carriers[r.Com]; ok {
		st.Carrier = code
	} else {
		st.Carrier = strings.ToUpper(r.Com)
	}
	for _, d := range r.Data {
		raw := d.FTime
		if raw == "" {
			raw = d.Time
		}
		at, err := time.ParseInLocation(time.DateTime, raw, chinaTime)
		if err != nil {
			return notary.TrackingStatus{}, fmt.Errorf("malformed scan time %q", raw)
		}
		loc := d.Location
		if loc == "" {
			loc = d.AreaName
		}
		st.Events = append(st.Events, notary.TrackingEvent{At: at.UTC(), Location: loc, Description: d.Context})
	}
	// Kuaidi100 lists newest first; the port lists oldest first. A stable
	// sort keeps scans of one second in the order given.
	slices.Reverse(st.Events)
	slices.SortStableFunc(st.Events, func(a, b notary.TrackingEvent) int { return a.At.Compare(b.At) })
	if st.State == notary.TrackingDelivered {
		st.Delivered = true
		if n := len(st.Events); n > 0 {
			st.DeliveredAt = st.Events[n-1].At
		}
	}
	return st, nil
}

// subscribeParam is the subscription's param document.
type subscribeParam struct {
	Company    string          `json:"company"`
	Number     string          `json:"number"`
	Key        string          `json:"key"`
	Parameters subscribeExtras `json:"parameters"`
}

type subscribeExtras struct {
	CallbackURL string `json:"callbackurl"`
	Salt        string `json:"salt"`
	Phone       string `json:"phone,omitempty"`
}

// ErrNoSalt is returned by Subscribe and VerifyPush when the Client has no
// Config.Salt: unsigned pushes are never accepted.
var ErrNoSalt = errors.New("kuaidi100: no push salt configured")

// Subscribe asks Kuaidi100 to push status changes of a consignment to
// callbackURL (where PushHandler serves), signed with Config.Salt.
// Subscribing again is not an error. An unknown carrier, an invalid number
// or a callback URL that is not absolute http(s) yields an error wrapping
// notary.ErrInvalidInput; a refusal an *APIError.
func (c *Client) Subscribe(ctx context.Context, carrier, trackingNumber, callbackURL string) error {
	if c.salt == "" {
		return ErrNoSalt
	}
	code, num, com, err := c.resolve(carrier, trackingNumber)
	if err != nil {
		return err
	}
	if u, err := url.Parse(callbackURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &notary.FieldError{Field: "callback_url", Reason: "want an absolute http(s) URL"}
	}
	param, err := json.Marshal(subscribeParam{Company: com, Number: num, Key: c.key,
		Parameters: subscribeExtras{CallbackURL: callbackURL, Salt: c.salt, Phone: c.phone}})
	if err != nil {
		return err
	}
	body, status, err := c.post(ctx, "/poll", url.Values{"schema": {"json"}, "param": {string(param)}})
	if err != nil {
		return fmt.Errorf("kuaidi100: subscribe %s %s: %w", code, num, err)
	}
	if status != http.StatusOK {
		return &APIError{Op: "subscribe", HTTPStatus: status}
	}
	var r result
	if err := json.Unmarshal(body, &r); err != nil {
		return fmt.Errorf("kuaidi100: subscribe %s %s: malformed answer: %v", code, num, err)
	}
	if r.Result || r.ReturnCode == "200" || r.ReturnCode == "501" { // 501: already subscribed
		return nil
	}
	return &APIError{Op: "subscribe", HTTPStatus: status, Code: r.ReturnCode, Message: r.Message}
}
