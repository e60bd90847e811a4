package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"strings"
	"time"
)

// Config is every setting of the haven command, filled from flags, then
// HAVEN_* environment variables, then defaults, and checked by Validate
// before anything starts. A setting that may hold a secret can also be read
// from a file named by the variable with _FILE appended.
type Config struct {
	DatabaseURL     string
	Addr            string
	TLSCert         string
	TLSKey          string
	TrustedProxies  []netip.Prefix
	MasterKeyFile   string
	LogLevel        slog.Level
	LogFormat       string
	ShutdownTimeout time.Duration
	RequireTOTP     bool
}

// option describes one setting: its flag, its variable, its default.
type option struct {
	flag, env, def, usage string
	fileVariant           bool
}

var (
	optDB          = option{"db", "HAVEN_DATABASE_URL", "./haven.db", "SQLite file path, or postgres:// URL", true}
	optAddr        = option{"addr", "HAVEN_ADDR", "127.0.0.1:8080", "address to listen on", false}
	optTLSCert     = option{"tls-cert", "HAVEN_TLS_CERT", "", "TLS certificate file (PEM); with --tls-key, serve HTTPS", false}
	optTLSKey      = option{"tls-key", "HAVEN_TLS_KEY", "", "TLS private key file (PEM)", false}
	optProxies     = option{"trusted-proxies", "HAVEN_TRUSTED_PROXIES", "", "comma-separated addresses or CIDRs of reverse proxies whose X-Forwarded-* headers are trusted", false}
	optMasterKey   = option{"master-key-file", "HAVEN_MASTER_KEY_FILE", "./haven.key", "file holding the master key that wraps the encryption keys", false}
	optLogLevel    = option{"log-level", "HAVEN_LOG_LEVEL", "info", "debug, info, warn or error", false}
	optLogFormat   = option{"log-format", "HAVEN_LOG_FORMAT", "text", "text or json", false}
	optShutdown    = option{"shutdown-timeout", "HAVEN_SHUTDOWN_TIMEOUT", "15s", "how long to let requests finish on SIGTERM", false}
	optRequireTOTP = option{"require-totp", "HAVEN_REQUIRE_TOTP", "true", "require a TOTP second factor for staff who can read case content (false turns it off for the whole deployment)", false}
	allOptions     = []option{optDB, optAddr, optTLSCert, optTLSKey, optProxies, optMasterKey, optLogLevel, optLogFormat, optShutdown, optRequireTOTP}
	databaseOption = []option{optDB}
)

// defaultFor returns the environment's value for o, or o's default.
func defaultFor(o option) (string, error) {
	if v, ok := os.LookupEnv(o.env); ok {
		return v, nil
	}
	if o.fileVariant {
		if path, ok := os.LookupEnv(o.env + "_FILE"); ok {
			b, err := os.ReadFile(path)
			if err != nil {
				return "", fmt.Errorf("%s_FILE: %w", o.env, err)
			}
			return strings.TrimSpace(string(b)), nil
		}
	}
	return o.def, nil
}

// settings binds options to a flag set and collects their values.
type settings struct {
	fs     *flag.FlagSet
	values map[string]*string
}

func newSettings(fs *flag.FlagSet, opts ...option) (*settings, error) {
	s := &settings{fs: fs, values: map[string]*string{}}
	for _, o := range opts {
		def, err := defaultFor(o)
		if err != nil {
			return nil, err
		}
		s.values[o.flag] = fs.String(o.flag, def, o.usage+" (env "+o.env+")")
	}
	return s, nil
}

func (s *settings) get(o option) string {
	if v, ok := s.values[o.flag]; ok {
		return *v
	}
	return o.def
}

// config builds and validates a Config from parsed settings.
func (s *settings) config() (*Config, error) {
	c := &Config{
		DatabaseURL:   s.get(optDB),
		Addr:          s.get(optAddr),
		TLSCert:       s.get(optTLSCert),
		TLSKey:        s.get(optTLSKey),
		MasterKeyFile: s.get(optMasterKey),
		LogFormat:     s.get(optLogFormat),
	}
	var errs []error
	if err := c.LogLevel.UnmarshalText([]byte(s.get(optLogLevel))); err != nil {
		errs = append(errs, fmt.Errorf("--log-level: must be debug, info, warn or error"))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("--log-format: must be text or json"))
	}
	d, err := time.ParseDuration(s.get(optShutdown))
	if err != nil || d < 0 {
		errs = append(errs, fmt.Errorf("--shutdown-timeout: must be a duration such as 15s"))
	}
	c.ShutdownTimeout = d
	switch s.get(optRequireTOTP) {
	case "true":
		c.RequireTOTP = true
	case "false":
		c.RequireTOTP = false
	default:
		errs = append(errs, errors.New("--require-totp: must be true or false"))
	}
	if p := strings.TrimSpace(s.get(optProxies)); p != "" {
		for _, part := range strings.Split(p, ",") {
			part = strings.TrimSpace(part)
			prefix, err := netip.ParsePrefix(part)
			if err != nil {
				addr, aerr := netip.ParseAddr(part)
				if aerr != nil {
					errs = append(errs, fmt.Errorf("--trusted-proxies: %q is not an address or CIDR", part))
					continue
				}
				prefix = netip.PrefixFrom(addr, addr.BitLen())
			}
			c.TrustedProxies = append(c.TrustedProxies, prefix)
		}
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		errs = append(errs, errors.New("--tls-cert and --tls-key go together"))
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("--addr: must be host:port"))
	}
	if c.DatabaseURL == "" {
		errs = append(errs, errors.New("--db: a database is required"))
	}
	return c, errors.Join(errs...)
}

// newLogger returns the structured logger Config asks for, on stderr.
func (c *Config) newLogger() *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}
