package kuaidi100

import (
	"crypto/md5"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// emulator is Kuaidi100's query and subscription API as its documentation
// describes it (see the package documentation), on 127.0.0.1. It checks
// signatures with its own MD5 code, not the package's.
type emulator struct {
	t        testing.TB
	srv      *httptest.Server
	customer string
	key      string

	mu      sync.Mutex
	down    bool // answer every call with HTTP 502
	queries int
	parcels map[string]*parcel       // com/num
	subs    map[string]*subscription // com/num
}

type parcel struct {
	state int
	scans []emuScan // oldest first
}

type emuScan struct {
	at       time.Time
	location string
	context  string
}

type subscription struct{ callback, salt string }

func newEmulator(t testing.TB) *emulator {
	e := &emulator{t: t, customer: "CUSTOMER-1", key: "authkey-1",
		parcels: map[string]*parcel{}, subs: map[string]*subscription{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /poll/query.do", e.query)
	mux.HandleFunc("POST /poll", e.subscribe)
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	return e
}

func upperMD5(s string) string { return fmt.Sprintf("%X", md5.Sum([]byte(s))) }

// scan adds a scan and sets the parcel's state.
func (e *emulator) scan(com, num string, state int, at time.Time, location, text string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	p := e.parcels[com+"/"+num]
	if p == nil {
		p = &parcel{}
		e.parcels[com+"/"+num] = p
	}
	p.state = state
	p.scans = append(p.scans, emuScan{at: at, location: location, context: text})
}

func (e *emulator) setDown(down bool) {
	e.mu.Lock()
	e.down = down
	e.mu.Unlock()
}

func (e *emulator) queryCount() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.queries
}

func (e *emulator) answer(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	if err := json.NewEncoder(w).Encode(v); err != nil {
		e.t.Error(err)
	}
}

func fail(code, msg string) map[string]any {
	return map[string]any{"result": false, "returnCode": code, "message": msg}
}

// lastResult renders a parcel as Kuaidi100 does: newest scan first, state
// and ischeck as strings.
func (p *parcel) lastResult(com, num string) map[string]any {
	data := []map[string]string{}
	for i := len(p.scans) - 1; i >= 0; i-- {
		s := p.scans[i]
		ts := s.at.In(time.FixedZone("", 8*3600)).Format("2006-01-02 15:04:05")
		data = append(data, map[string]string{"time": ts, "ftime": ts, "context": s.context, "location": s.location})
	}
	check := "0"
	if p.state == 3 {
		check = "1"
	}
	return map[string]any{"message": "ok", "nu": num, "ischeck": check, "condition": "F00",
		"com": com, "status": "200", "state": fmt.Sprint(p.state), "data": data}
}

func (e *emulator) query(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.queries++
	if e.down {
		http.Error(w, "<html>502 Bad Gateway</html>", http.StatusBadGateway)
		return
	}
	if err := r.ParseForm(); err != nil {
		e.answer(w, fail("400", "提交的数据不完整"))
		return
	}
	customer, param, sign := r.PostForm.Get("customer"), r.PostForm.Get("param"), r.PostForm.Get("sign")
	if customer != e.customer || sign != upperMD5(param+e.key+customer) {
		e.answer(w, fail("503", "验证签名失败"))
		return
	}
	var q struct{ Com, Num, Phone, Order string }
	if err := json.Unmarshal([]byte(param), &q); err != nil || q.Com == "" || q.Num == "" {
		e.answer(w, fail("400", "提交的数据不完整"))
		return
	}
	p := e.parcels[q.Com+"/"+q.Num]
	if p == nil {
		e.answer(w, fail("500", "查询无结果，请隔段时间再查"))
		return
	}
	e.answer(w, p.lastResult(q.Com, q.Num))
}

func (e *emulator) subscribe(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.down {
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	if err := r.ParseForm(); err != nil || r.PostForm.Get("schema") != "json" {
		e.answer(w, fail("400", "数据不完整"))
		return
	}
	var s struct {
		Company, Number, Key string
		Parameters           struct{ Callbackurl, Salt string }
	}
	if err := json.Unmarshal([]byte(r.PostForm.Get("param")), &s); err != nil || s.Parameters.Callbackurl == "" {
		e.answer(w, fail("400", "数据不完整"))
		return
	}
	if s.Key != e.key {
		e.answer(w, fail("600", "您不是合法的订阅者"))
		return
	}
	k := s.Company + "/" + s.Number
	if _, ok := e.subs[k]; ok {
		e.answer(w, fail("501", "重复订阅"))
		return
	}
	e.subs[k] = &subscription{callback: s.Parameters.Callbackurl, salt: s.Parameters.Salt}
	e.answer(w, map[string]any{"result": true, "returnCode": "200", "message": "提交成功"})
}

// push posts the parcel's current state to its subscriber, signed with
// salt (the subscription's when empty), and returns the HTTP status and
// the decoded answer.
func (e *emulator) push(com, num, status, salt string) (int, pushAnswer) {
	e.mu.Lock()
	sub, p := e.subs[com+"/"+num], e.parcels[com+"/"+num]
	if sub == nil || p == nil {
		e.mu.Unlock()
		e.t.Fatalf("emulator: no subscription or parcel for %s/%s", com, num)
	}
	doc := map[string]any{"status": status, "billstatus": "got", "message": "", "autoCheck": "0",
		"comOld": "", "comNew": "", "lastResult": p.lastResult(com, num)}
	e.mu.Unlock()
	param, err := json.Marshal(doc)
	if err != nil {
		e.t.Fatal(err)
	}
	if salt == "" {
		salt = sub.salt
	}
	form := url.Values{"param": {string(param)}, "sign": {upperMD5(string(param) + salt)}}
	resp, err := http.Post(sub.callback, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var a pushAnswer
	_ = json.NewDecoder(resp.Body).Decode(&a)
	return resp.StatusCode, a
}
