package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"
)

type ctxKey int

const (
	requestIDKey ctxKey = iota
	secureKey
)

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

func newRequestID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// logger returns the server's logger with the request's id.
func (s *Server) logger(r *http.Request) *slog.Logger {
	return s.Logger.With("request_id", requestID(r.Context()))
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (w *statusRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// withRequestContext gives every request an id, security headers, a
// recovered panic and one structured log line. The line names the route
// pattern, never the path or query, so no identifier reaches the logs.
func (s *Server) withRequestContext(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := newRequestID()
		ctx := context.WithValue(r.Context(), requestIDKey, id)
		ctx = context.WithValue(ctx, secureKey, s.isSecure(r))
		r = r.WithContext(ctx)
		h := w.Header()
		h.Set("X-Request-Id", id)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("Cache-Control", "no-store")
		if s.isSecure(r) {
			h.Set("Strict-Transport-Security", "max-age=63072000")
		}
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				s.logger(r).Error("panic", "panic", p)
				if rec.status == 0 {
					http.Error(rec, "Internal error.", http.StatusInternalServerError)
				}
			}
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			status := rec.status
			if status == 0 {
				status = http.StatusOK
			}
			d := time.Since(start)
			s.metrics.observe(route, r.Method, status, d)
			s.logger(r).Info("request", "method", r.Method, "route", route, "status", status,
				"duration_ms", float64(d.Microseconds())/1000, "client", s.clientIP(r).String())
		}()
		next.ServeHTTP(rec, r)
	})
}

// fromTrustedProxy tells whether the direct peer is a configured proxy.
func (s *Server) fromTrustedProxy(r *http.Request) bool {
	if len(s.config.TrustedProxies) == 0 {
		return false
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	for _, p := range s.config.TrustedProxies {
		if p.Contains(addr.Unmap()) {
			return true
		}
	}
	return false
}

// clientIP is the peer's address, or the first untrusted address of
// X-Forwarded-For when the peer is a trusted proxy.
func (s *Server) clientIP(r *http.Request) netip.Addr {
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	peer, _ := netip.ParseAddr(host)
	if !s.fromTrustedProxy(r) {
		return peer
	}
	hops := strings.Split(r.Header.Get("X-Forwarded-For"), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		trusted := false
		for _, p := range s.config.TrustedProxies {
			if p.Contains(a.Unmap()) {
				trusted = true
			}
		}
		if !trusted {
			return a
		}
	}
	return peer
}

// isSecure tells whether the client reached Haven over HTTPS: directly, or
// through a trusted proxy that says so.
func (s *Server) isSecure(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	return s.fromTrustedProxy(r) && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

func secure(ctx context.Context) bool {
	v, _ := ctx.Value(secureKey).(bool)
	return v
}
