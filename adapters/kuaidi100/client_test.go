package kuaidi100

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/notarykit/notarykit/notary"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// t0 is a fixed instant; nothing here reads the real clock.
var t0 = time.Date(2026, 3, 2, 1, 30, 0, 0, time.UTC)

func newClient(t *testing.T, e *emulator, mod func(*Config)) *Client {
	t.Helper()
	cfg := Config{Customer: e.customer, Key: e.key, Salt: "salt-123", Phone: "02088886666", Endpoint: e.srv.URL}
	if mod != nil {
		mod(&cfg)
	}
	c, err := New(cfg)
	require.NoError(t, err)
	return c
}

func TestSignVectors(t *testing.T) {
	// Computed independently (Python hashlib) from the documented rule.
	assert.Equal(t, "D6742B7D7593BE75FEA78416820D7201",
		Sign(`{"com":"shunfeng","num":"SF123456789012"}`, "KEY", "CUSTOMER"))
	assert.Equal(t, "D41D8CD98F00B204E9800998ECF8427E", PushSign("", ""))
}

func TestTrackInTransitThenDelivered(t *testing.T) {
	e := newEmulator(t)
	c := newClient(t, e, nil)
	ctx := context.Background()

	e.scan("shunfeng", "SF123456789012", 1, t0, "深圳", "顺丰速运 已收取快件")
	e.scan("shunfeng", "SF123456789012", 0, t0.Add(6*time.Hour), "广州", "快件到达【广州中转场】")

	st, err := c.Track(ctx, "sf", " sf 1234 5678 9012 ")
	require.NoError(t, err)
	assert.Equal(t, "SF", st.Carrier)
	assert.Equal(t, "SF123456789012", st.TrackingNumber)
	assert.Equal(t, notary.TrackingInTransit, st.State)
	assert.False(t, st.Delivered)
	assert.True(t, st.DeliveredAt.IsZero())
	require.Len(t, st.Events, 2)
	assert.Equal(t, notary.TrackingEvent{At: t0, Location: "深圳", Description: "顺丰速运 已收取快件"}, st.Events[0])
	assert.Equal(t, t0.Add(6*time.Hour), st.Events[1].At)

	e.scan("shunfeng", "SF123456789012", 5, t0.Add(20*time.Hour), "北京", "快件交给张三，正在派送途中")
	st, err = c.Track(ctx, "SF", "SF123456789012")
	require.NoError(t, err)
	assert.Equal(t, notary.TrackingOutForDelivery, st.State)

	signed := t0.Add(22 * time.Hour)
	e.scan("shunfeng", "SF123456789012", 3, signed, "北京", "快件已签收，签收人：前台")
	st, err = c.Track(ctx, "SF", "SF123456789012")
	require.NoError(t, err)
	assert.Equal(t, notary.TrackingDelivered, st.State)
	assert.True(t, st.Delivered)
	assert.Equal(t, signed, st.DeliveredAt)
	assert.Len(t, st.Events, 4)
}

func TestTrackStates(t *testing.T) {
	e := newEmulator(t)
	c := newClient(t, e, nil)
	tests := []struct {
		code int
		want notary.TrackingState
	}{
		{0, notary.TrackingInTransit}, {1, notary.TrackingPickedUp}, {2, notary.TrackingProblem},
		{3, notary.TrackingDelivered}, {4, notary.TrackingReturned}, {5, notary.TrackingOutForDelivery},
		{6, notary.TrackingReturning}, {7, notary.TrackingInTransit}, {8, notary.TrackingInTransit},
		{13, notary.TrackingProblem}, {14, notary.TrackingRefused}, {99, notary.TrackingUnknown},
	}
	for i, tt := range tests {
		num := "73123456789" + string(rune('0'+i%10)) + string(rune('0'+i/10))
		e.scan("zhongtong", num, tt.code, t0, "", "scan")
		st, err := c.Track(context.Background(), "ZTO", num)
		require.NoError(t, err, tt.code)
		assert.Equal(t, tt.want, st.State, "state %d", tt.code)
		assert.Equal(t, tt.want == notary.TrackingDelivered, st.Delivered, "state %d", tt.code)
	}
}

func TestTrackUnknownNumber(t *testing.T) {
	e := newEmulator(t)
	c := newClient(t, e, nil)
	_, err := c.Track(context.Background(), "YUNDA", "4312345678901")
	require.Error(t, err)
	assert.ErrorIs(t, err, notary.ErrNotFound)
	assert.Contains(t, err.Error(), "查询无结果")
}

func TestTrackServiceDown(t *testing.T) {
	e := newEmulator(t)
	c := newClient(t, e, nil)
	ctx := context.Background()
	e.scan("yuantong", "YT1234567890123", 0, t0, "上海", "已发出")

	e.setDown(true)
	_, err := c.Track(ctx, "YTO", "YT1234567890123")
	require.Error(t, err)
	assert.NotErrorIs(t, err, notary.ErrNotFound)
	assert.NotErrorIs(t, err, notary.ErrInvalidInput)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusBadGateway, apiErr.HTTPStatus)
	assert.True(t, apiErr.Temporary())

	// Asked again once the service is back, the same call succeeds.
	e.setDown(false)
	st, err := c.Track(ctx, "YTO", "YT1234567890123")
	require.NoError(t, err)
	assert.Equal(t, notary.TrackingInTransit, st.State)
	assert.Equal(t, 2, e.queryCount())

	// Unreachable altogether: a transport error, nothing else.
	e.srv.Close()
	_, err = c.Track(ctx, "YTO", "YT1234567890123")
	require.Error(t, err)
	assert.NotErrorIs(t, err, notary.ErrNotFound)
}

func TestTrackBadCredentials(t *testing.T) {
	e := newEmulator(t)
	c := newClient(t, e, func(cfg *Config) { cfg.Key = "wrong" })
	e.scan("ems", "EE123456785CN", 0, t0, "", "x")
	_, err := c.Track(context.Background(), "EMS", "EE123456785CN")
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "503", apiErr.Code)
	assert.False(t, apiErr.Temporary(), "a signature failure needs a person, not a retry")
}

func TestTrackInvalidInputCallsNothing(t *testing.T) {
	e := newEmulator(t)
	c := newClient(t, e, nil)
	for _, tt := range []struct{ carrier, number, field string }{
		{"UPS", "1Z999", "carrier"},
		{"EMS", "EE123456784CN", "tracking_number"},
		{"SF", "", "tracking_number"},
	} {
		_, err := c.Track(context.Background(), tt.carrier, tt.number)
		var fe *notary.FieldError
		require.ErrorAs(t, err, &fe, tt)
		assert.Equal(t, tt.field, fe.Field)
	}
	assert.Zero(t, e.queryCount())
}

func TestNewValidates(t *testing.T) {
	for _, tt := range []struct {
		cfg   Config
		field string
	}{
		{Config{Key: "k"}, "customer"},
		{Config{Customer: "c"}, "key"},
		{Config{Customer: "c", Key: "k", Endpoint: "poll.kuaidi100.com"}, "endpoint"},
	} {
		_, err := New(tt.cfg)
		var fe *notary.FieldError
		require.ErrorAs(t, err, &fe)
		assert.Equal(t, tt.field, fe.Field)
	}
}

// pushSink records the pushes PushHandler hands over.
type pushSink struct {
	mu     sync.Mutex
	pushes []Push
	fail   error
}

func (s *pushSink) on(_ context.Context, p Push) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	s.pushes = append(s.pushes, p)
	return nil
}

func (s *pushSink) got() []Push {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Push(nil), s.pushes...)
}

func TestSubscribeAndPush(t *testing.T) {
	e := newEmulator(t)
	c := newClient(t, e, nil)
	sink := &pushSink{}
	host := httptest.NewServer(c.PushHandler(sink.on))
	t.Cleanup(host.Close)
	ctx := context.Background()

	require.NoError(t, c.Subscribe(ctx, "JD", "JDVA12345678901", host.URL+"/kuaidi100/push"))
	require.NoError(t, c.Subscribe(ctx, "JD", "JDVA12345678901", host.URL+"/kuaidi100/push"), "subscribing again is fine")

	e.scan("jd", "JDVA12345678901", 0, t0, "武汉", "运输中")
	status, ans := e.push("jd", "JDVA12345678901", "polling", "")
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, pushAnswer{Result: true, ReturnCode: "200", Message: "成功"}, ans)

	e.scan("jd", "JDVA12345678901", 3, t0.Add(30*time.Hour), "北京", "已签收")
	status, _ = e.push("jd", "JDVA12345678901", "shutdown", "")
	assert.Equal(t, http.StatusOK, status)

	got := sink.got()
	require.Len(t, got, 2)
	assert.Equal(t, "polling", got[0].Status)
	assert.Equal(t, notary.TrackingInTransit, got[0].Tracking.State)
	assert.Equal(t, "JD", got[1].Tracking.Carrier)
	assert.Equal(t, "JDVA12345678901", got[1].Tracking.TrackingNumber)
	assert.Equal(t, "shutdown", got[1].Status)
	assert.True(t, got[1].Tracking.Delivered)
	assert.Equal(t, t0.Add(30*time.Hour), got[1].Tracking.DeliveredAt)
}

func TestPushBadSignatureRefused(t *testing.T) {
	e := newEmulator(t)
	c := newClient(t, e, nil)
	sink := &pushSink{}
	host := httptest.NewServer(c.PushHandler(sink.on))
	t.Cleanup(host.Close)
	require.NoError(t, c.Subscribe(context.Background(), "STO", "773123456789012", host.URL))
	e.scan("shentong", "773123456789012", 3, t0, "", "已签收")

	status, ans := e.push("shentong", "773123456789012", "shutdown", "another-salt")
	assert.Equal(t, http.StatusForbidden, status)
	assert.False(t, ans.Result)
	assert.Empty(t, sink.got(), "a forged push reaches nobody")

	// Missing sign, tampered param, wrong method.
	good := `{"status":"shutdown","lastResult":{"nu":"773123456789012","com":"shentong","state":"3","data":[]}}`
	for name, form := range map[string]url.Values{
		"no sign":  {"param": {good}},
		"tampered": {"param": {strings.Replace(good, `"3"`, `"0"`, 1)}, "sign": {PushSign(good, "salt-123")}},
	} {
		resp, err := http.PostForm(host.URL, form)
		require.NoError(t, err, name)
		resp.Body.Close()
		assert.Equal(t, http.StatusForbidden, resp.StatusCode, name)
	}
	resp, err := http.Get(host.URL)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	assert.Empty(t, sink.got())

	// The same document correctly signed, in lower-case hex, is accepted.
	p, err := c.VerifyPush(url.Values{"param": {good}, "sign": {strings.ToLower(PushSign(good, "salt-123"))}})
	require.NoError(t, err)
	assert.True(t, p.Tracking.Delivered)

	// A signed document that is not a push is bad input, not forbidden.
	_, err = c.VerifyPush(url.Values{"param": {"[]"}, "sign": {PushSign("[]", "salt-123")}})
	assert.ErrorIs(t, err, notary.ErrInvalidInput)
}

func TestPushHandlerFailureAsksForRepush(t *testing.T) {
	e := newEmulator(t)
	c := newClient(t, e, nil)
	sink := &pushSink{fail: errors.New("store unavailable")}
	host := httptest.NewServer(c.PushHandler(sink.on))
	t.Cleanup(host.Close)
	require.NoError(t, c.Subscribe(context.Background(), "YUNDA", "4312345678901", host.URL))
	e.scan("yunda", "4312345678901", 0, t0, "", "在途")

	status, ans := e.push("yunda", "4312345678901", "polling", "")
	assert.Equal(t, http.StatusInternalServerError, status)
	assert.False(t, ans.Result, "result=false makes Kuaidi100 push again")

	sink.mu.Lock()
	sink.fail = nil
	sink.mu.Unlock()
	status, ans = e.push("yunda", "4312345678901", "polling", "")
	assert.Equal(t, http.StatusOK, status)
	assert.True(t, ans.Result)
	assert.Len(t, sink.got(), 1)
}

func TestNoSaltRefusesPushes(t *testing.T) {
	e := newEmulator(t)
	c := newClient(t, e, func(cfg *Config) { cfg.Salt = "" })
	_, err := c.VerifyPush(url.Values{"param": {"{}"}, "sign": {PushSign("{}", "")}})
	assert.ErrorIs(t, err, notary.ErrForbidden)
	assert.ErrorIs(t, c.Subscribe(context.Background(), "SF", "SF123456789012", "https://example.test/cb"), ErrNoSalt)
}
