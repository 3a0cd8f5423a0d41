package smtp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"net/textproto"
	"strings"
	"sync"
	"time"

	mail "github.com/wneessen/go-mail"
	gmsmtp "github.com/wneessen/go-mail/smtp"

	"github.com/notarykit/notarykit/notary"
)

// TLS policies of Config.TLSPolicy.
const (
	// TLSMandatory requires STARTTLS: a server that does not offer it, or
	// a failed handshake, fails the delivery. The default.
	TLSMandatory = "mandatory"
	// TLSOpportunistic uses STARTTLS when the server offers it and sends
	// in plain text otherwise.
	TLSOpportunistic = "opportunistic"
	// TLSNone never uses STARTTLS.
	TLSNone = "none"
)

// Default ports and timeout.
const (
	DefaultPort         = 587 // submission with STARTTLS
	DefaultImplicitPort = 465 // submissions (implicit TLS)
	DefaultTimeout      = 30 * time.Second
)

// Config configures a Notifier.
type Config struct {
	// Host is the SMTP server's host name; it is also the name its TLS
	// certificate must carry, unless TLSConfig.ServerName says otherwise.
	Host string
	// Port is the server's port: 587 by default, 465 with ImplicitTLS.
	Port int
	// Username and Password, when Username is set, authenticate with the
	// strongest mechanism both sides support (SCRAM-SHA-256, SCRAM-SHA-1,
	// CRAM-MD5, PLAIN, LOGIN). PLAIN and LOGIN are refused on a connection
	// without TLS, except to localhost.
	Username string
	Password string
	// From is the sender: address and display name.
	From netmail.Address
	// TLSPolicy is TLSMandatory ("mandatory", the default),
	// TLSOpportunistic ("opportunistic") or TLSNone ("none"). It governs
	// STARTTLS and is ignored with ImplicitTLS.
	TLSPolicy string
	// ImplicitTLS connects with TLS from the start (SMTPS, port 465)
	// instead of upgrading with STARTTLS.
	ImplicitTLS bool
	// Timeout bounds dialling and each message's exchange with the server
	// (30 seconds by default).
	Timeout time.Duration
	// TLSConfig, when set, is used for STARTTLS and implicit TLS, for
	// example to trust a private CA. Its ServerName defaults to Host.
	TLSConfig *tls.Config
	// HELO is the name the client introduces itself with (the local host
	// name by default).
	HELO string
	// Clock dates the messages (their Date header). Pass the service's,
	// Service.Clock(), so mail is dated on the clock that stamps the
	// records; nil means the system clock.
	Clock notary.Clock
}

// Notifier is a [notary.Notifier] that sends messages by SMTP. It keeps one
// connection open and reuses it for the following messages, dialling again
// when the connection fails or the server dropped it. It is safe for
// concurrent use; messages are sent one at a time.
type Notifier struct {
	cfg    Config
	client *mail.Client

	mu   sync.Mutex
	conn *gmsmtp.Client // the open session, nil when there is none
	raw  net.Conn       // its network connection
	cur  *call          // the Notify call in progress
}

// call lets a cancelled context interrupt one Notify call by closing the
// connection it uses, and never a connection of a later call.
type call struct {
	mu   sync.Mutex
	conn net.Conn
	over bool
}

// use records the connection the call is using.
func (c *call) use(conn net.Conn) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.conn = conn
}

// interrupt closes the call's connection unless the call is over.
func (c *call) interrupt() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.over && c.conn != nil {
		_ = c.conn.Close()
	}
}

// end marks the call over.
func (c *call) end() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.over = true
}

var _ notary.Notifier = (*Notifier)(nil)

// systemClock is the wall clock, the default of Config.Clock.
type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// New checks cfg and returns a notifier. It does not connect: the first
// Notify does.
func New(cfg Config) (*Notifier, error) {
	if cfg.Host == "" {
		return nil, errors.New("smtp: Config.Host is required")
	}
	if cfg.Port == 0 {
		cfg.Port = DefaultPort
		if cfg.ImplicitTLS {
			cfg.Port = DefaultImplicitPort
		}
	}
	if cfg.Port < 1 || cfg.Port > 65535 {
		return nil, fmt.Errorf("smtp: invalid port %d", cfg.Port)
	}
	if cfg.From.Address == "" {
		return nil, errors.New("smtp: Config.From.Address is required")
	}
	if _, err := netmail.ParseAddress(cfg.From.Address); err != nil {
		return nil, fmt.Errorf("smtp: invalid From address %q: %w", cfg.From.Address, err)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Clock == nil {
		cfg.Clock = systemClock{}
	}
	var policy mail.TLSPolicy
	switch strings.ToLower(cfg.TLSPolicy) {
	case "", TLSMandatory:
		policy = mail.TLSMandatory
	case TLSOpportunistic:
		policy = mail.TLSOpportunistic
	case TLSNone:
		policy = mail.NoTLS
	default:
		return nil, fmt.Errorf("smtp: unknown TLS policy %q (want %q, %q or %q)", cfg.TLSPolicy, TLSMandatory, TLSOpportunistic, TLSNone)
	}
	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg.TLSConfig != nil {
		tlsConfig = cfg.TLSConfig.Clone()
	}
	if tlsConfig.ServerName == "" {
		tlsConfig.ServerName = cfg.Host
	}
	cfg.TLSConfig = tlsConfig

	n := &Notifier{cfg: cfg}
	opts := []mail.Option{
		mail.WithPort(cfg.Port),
		mail.WithTimeout(cfg.Timeout),
		mail.WithTLSPolicy(policy),
		mail.WithTLSConfig(tlsConfig),
		mail.WithDialContextFunc(n.dial),
	}
	if cfg.ImplicitTLS {
		opts = append(opts, mail.WithSSL())
	}
	if cfg.HELO != "" {
		opts = append(opts, mail.WithHELO(cfg.HELO))
	}
	if cfg.Username != "" {
		opts = append(opts,
			mail.WithUsername(cfg.Username), mail.WithPassword(cfg.Password),
			mail.WithOpportunisticSMTPAuth(
				mail.SMTPAuthSCRAMSHA256PLUS, mail.SMTPAuthSCRAMSHA256,
				mail.SMTPAuthSCRAMSHA1PLUS, mail.SMTPAuthSCRAMSHA1,
				mail.SMTPAuthCramMD5, mail.SMTPAuthPlain, mail.SMTPAuthLogin,
			))
	}
	client, err := mail.NewClient(cfg.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("smtp: %w", err)
	}
	n.client = client
	return n, nil
}

// dial opens the network connection, with TLS from the start when
// ImplicitTLS is set, and remembers it so that a cancelled context can
// interrupt the session. It runs inside Notify, with n.mu held.
func (n *Notifier) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	d := &net.Dialer{Timeout: n.cfg.Timeout}
	var (
		c   net.Conn
		err error
	)
	if n.cfg.ImplicitTLS {
		c, err = (&tls.Dialer{NetDialer: d, Config: n.cfg.TLSConfig}).DialContext(ctx, network, addr)
	} else {
		c, err = d.DialContext(ctx, network, addr)
	}
	if err != nil {
		return nil, err
	}
	n.raw = c
	if n.cur != nil {
		n.cur.use(c)
	}
	if err := ctx.Err(); err != nil {
		// Cancelled while dialling: the interrupt may have missed c.
		_ = c.Close()
		return nil, err
	}
	return c, nil
}

// Notify sends m to m.To.Email (with m.To.Name as display name), from
// Config.From, with m.Subject (RFC 2047-encoded UTF-8), Message-ID <m.ID>,
// a Date from Config.Clock and an Auto-Submitted header; the body is text/plain, or
// multipart/alternative with text/plain and text/html when m.HTML is set.
//
// A refusal with an SMTP 5xx reply (unknown mailbox, message rejected)
// returns an error wrapping notary.ErrPermanent, as does a message that
// cannot be addressed. Anything else — a 4xx reply, a connection that
// cannot be opened or authenticated, a timeout, a cancelled context — is
// temporary and returned as a plain error for the relay to retry.
// Failures while connecting are temporary whatever their reply code: they
// concern the server or the configuration, not the message.
func (n *Notifier) Notify(ctx context.Context, m notary.Message) error {
	msg, err := n.build(m)
	if err != nil {
		return err
	}

	n.mu.Lock()
	defer n.mu.Unlock()
	c := &call{conn: n.raw}
	n.cur = c
	stop := context.AfterFunc(ctx, c.interrupt)
	defer func() {
		stop()
		c.end()
		n.cur = nil
	}()
	for try := 0; ; try++ {
		fresh := n.conn == nil
		if fresh {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("smtp: send %s: %w", m.ID, err)
			}
			conn, err := n.client.DialToSMTPClientWithContext(ctx)
			if err != nil {
				n.closeRaw()
				if ctxErr := ctx.Err(); ctxErr != nil {
					err = errors.Join(ctxErr, err)
				}
				return fmt.Errorf("smtp: connect to %s:%d: %w", n.cfg.Host, n.cfg.Port, err)
			}
			n.conn = conn
		}

		err := n.client.SendWithSMTPClient(n.conn, msg)
		if err == nil {
			return nil
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			n.drop()
			return fmt.Errorf("smtp: send %s: %w", m.ID, errors.Join(ctxErr, err))
		}
		code := replyCode(err)
		// Keep no session that failed: the next message starts afresh.
		n.drop()
		if code >= 500 && code <= 599 {
			return fmt.Errorf("smtp: send %s: %w: %w", m.ID, notary.ErrPermanent, err)
		}
		if !fresh && try == 0 && connCheckFailed(err) {
			// The kept connection went stale (the server closed it while
			// idle) before anything was sent: dial again at once.
			continue
		}
		return fmt.Errorf("smtp: send %s: %w", m.ID, err)
	}
}

// build makes the MIME message of m.
func (n *Notifier) build(m notary.Message) (*mail.Msg, error) {
	msg := mail.NewMsg(mail.WithCharset(mail.CharsetUTF8), mail.WithEncoding(mail.EncodingQP))
	if err := msg.FromFormat(n.cfg.From.Name, n.cfg.From.Address); err != nil {
		return nil, fmt.Errorf("smtp: message %s: From: %w", m.ID, err)
	}
	if m.To.Email == "" {
		return nil, fmt.Errorf("smtp: message %s has no recipient address: %w", m.ID, notary.ErrPermanent)
	}
	if _, err := netmail.ParseAddress(m.To.Email); err != nil {
		return nil, fmt.Errorf("smtp: message %s: invalid recipient %q: %w: %w", m.ID, m.To.Email, notary.ErrPermanent, err)
	}
	if err := msg.AddToFormat(m.To.Name, m.To.Email); err != nil {
		return nil, fmt.Errorf("smtp: message %s: invalid recipient %q: %w: %w", m.ID, m.To.Email, notary.ErrPermanent, err)
	}
	if m.ID != "" {
		msg.SetMessageIDWithValue(m.ID)
	} else {
		msg.SetMessageID()
	}
	msg.SetDateWithValue(n.cfg.Clock.Now())
	msg.Subject(m.Subject)
	msg.SetGenHeader(mail.Header("Auto-Submitted"), "auto-generated")
	msg.SetBodyString(mail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(mail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// Close ends the kept SMTP session, if any. A later Notify connects again.
func (n *Notifier) Close() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.conn == nil {
		return nil
	}
	err := n.client.CloseWithSMTPClient(n.conn)
	n.closeRaw()
	n.conn = nil
	return err
}

// drop abandons the current session without a QUIT. Called with n.mu held.
func (n *Notifier) drop() {
	n.closeRaw()
	n.conn = nil
}

// closeRaw closes the network connection. Called with n.mu held.
func (n *Notifier) closeRaw() {
	if n.raw != nil {
		_ = n.raw.Close()
		n.raw = nil
	}
}

// replyCode returns the SMTP reply code carried by err, or 0 when the
// failure did not come from a server reply.
func replyCode(err error) int {
	var se *mail.SendError
	if errors.As(err, &se) {
		if c := se.ErrorCode(); c != 0 {
			return c
		}
	}
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code
	}
	return 0
}

// connCheckFailed reports whether err says the kept connection was dead
// before the message transaction began.
func connCheckFailed(err error) bool {
	var se *mail.SendError
	return errors.As(err, &se) && se.Reason == mail.ErrConnCheck
}
