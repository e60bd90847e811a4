package store_test

import (
	"bytes"
	"context"
	"encoding/base32"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/store"
	"github.com/haven-nrm/haven/store/storetest"
)

// totpCode is what an authenticator app holding secret shows at t.
func totpCode(t testing.TB, secret string, at time.Time) string {
	t.Helper()
	code, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// wrongTOTPCode returns a six-digit code that no step near at accepts.
func wrongTOTPCode(t testing.TB, secret string, at time.Time) string {
	t.Helper()
	near := map[string]bool{}
	for d := -2; d <= 2; d++ {
		near[totpCode(t, secret, at.Add(time.Duration(d)*30*time.Second))] = true
	}
	n, _ := strconv.Atoi(totpCode(t, secret, at))
	for {
		n = (n + 1) % 1_000_000
		if c := fmt.Sprintf("%06d", n); !near[c] {
			return c
		}
	}
}

// totpWorld is a database at a controlled time with the fixture's users.
type totpWorld struct {
	db    *store.DB
	fx    *storetest.Fixture
	clock time.Time
}

func newTOTPWorld(t *testing.T, open func(testing.TB) *store.DB) *totpWorld {
	w := &totpWorld{db: open(t), clock: time.Date(2026, 3, 2, 9, 0, 10, 0, time.UTC)}
	w.db.Now = func() time.Time { return w.clock }
	w.fx = storetest.Seed(t, w.db)
	return w
}

func (w *totpWorld) login(t *testing.T, username string) *haven.Session {
	t.Helper()
	s, err := w.db.Login(context.Background(), username, storetest.Password)
	if err != nil {
		t.Fatalf("login %s: %v", username, err)
	}
	return s
}

// enrol sets up an authenticator app for username and returns its secret
// and the upgraded session.
func (w *totpWorld) enrol(t *testing.T, username string) (string, *haven.Session) {
	t.Helper()
	ctx := context.Background()
	s := w.login(t, username)
	secret, _, err := w.db.StartTOTPEnrolment(ctx, s.Token)
	if err != nil {
		t.Fatalf("start enrolment: %v", err)
	}
	up, err := w.db.ConfirmTOTPEnrolment(ctx, s.Token, totpCode(t, secret, w.clock))
	if err != nil {
		t.Fatalf("confirm enrolment: %v", err)
	}
	// The next code comes from a later step: the one just used is spent.
	w.clock = w.clock.Add(30 * time.Second)
	return secret, up
}

func secondFactor(t *testing.T, db *store.DB, token string) (passed, enrolled bool) {
	t.Helper()
	passed, enrolled, err := db.SessionSecondFactor(context.Background(), token)
	if err != nil {
		t.Fatalf("session second factor: %v", err)
	}
	return passed, enrolled
}

func TestTOTPEnrolment(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		w := newTOTPWorld(t, open)
		ctx := context.Background()
		s := w.login(t, "caseworker")
		if passed, enrolled := secondFactor(t, w.db, s.Token); passed || enrolled {
			t.Fatalf("new session: passed %v, enrolled %v; want neither", passed, enrolled)
		}
		secret, uri, err := w.db.StartTOTPEnrolment(ctx, s.Token)
		if err != nil {
			t.Fatal(err)
		}
		if raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret); err != nil || len(raw) < 20 {
			t.Fatalf("secret %q: %d bytes, %v; want at least 160 bits of base32", secret, len(raw), err)
		}
		key, err := otp.NewKeyFromURL(uri)
		if err != nil || key.Type() != "totp" || key.Issuer() != "Haven" || key.AccountName() != "caseworker" || key.Secret() != secret {
			t.Fatalf("otpauth URI %q: %v", uri, err)
		}
		// Reloading the page shows the same secret, or an app that already
		// scanned it would be left with a dead one.
		if again, _, err := w.db.StartTOTPEnrolment(ctx, s.Token); err != nil || again != secret {
			t.Fatalf("second start: %q, %v; want the same secret", again, err)
		}
		// Not enrolled until a code confirms it.
		if _, enrolled := secondFactor(t, w.db, s.Token); enrolled {
			t.Fatal("enrolled before confirming a code")
		}
		if _, err := w.db.ConfirmTOTPEnrolment(ctx, s.Token, wrongTOTPCode(t, secret, w.clock)); haven.ErrorCode(err) != haven.EUNAUTHORIZED {
			t.Fatalf("wrong confirmation code: %v", err)
		}
		if n := failures(t, w.db, "caseworker"); n != 1 {
			t.Fatalf("a wrong code counted %d failures, want 1", n)
		}
		up, err := w.db.ConfirmTOTPEnrolment(ctx, s.Token, totpCode(t, secret, w.clock))
		if err != nil {
			t.Fatalf("confirm: %v", err)
		}
		// The session was upgraded under new tokens; the old token is dead.
		if up.Token == s.Token || up.CSRFToken == s.CSRFToken || !up.ExpiresAt.Equal(s.ExpiresAt) {
			t.Fatalf("upgraded session %+v: want new tokens and the old expiry", up)
		}
		if _, _, err := w.db.AuthenticateSession(ctx, s.Token); haven.ErrorCode(err) != haven.EUNAUTHORIZED {
			t.Fatalf("the pre-upgrade token still works: %v", err)
		}
		if passed, enrolled := secondFactor(t, w.db, up.Token); !passed || !enrolled {
			t.Fatalf("upgraded session: passed %v, enrolled %v", passed, enrolled)
		}
		if n := failures(t, w.db, "caseworker"); n != 0 {
			t.Fatalf("a right code left %d failures", n)
		}
		// Enrolled: no second set-up, and no new secret can be started.
		if _, _, err := w.db.StartTOTPEnrolment(ctx, up.Token); haven.ErrorCode(err) != haven.ECONFLICT {
			t.Fatalf("start enrolment when enrolled: %v", err)
		}
	})
}

func TestTOTPLogin(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		w := newTOTPWorld(t, open)
		ctx := context.Background()
		secret, _ := w.enrol(t, "guardian")

		s := w.login(t, "guardian")
		if passed, enrolled := secondFactor(t, w.db, s.Token); passed || !enrolled {
			t.Fatalf("password-only session: passed %v, enrolled %v", passed, enrolled)
		}
		code := totpCode(t, secret, w.clock)
		up, err := w.db.VerifyTOTP(ctx, s.Token, code)
		if err != nil {
			t.Fatalf("right code: %v", err)
		}
		if passed, _ := secondFactor(t, w.db, up.Token); !passed || up.Token == s.Token {
			t.Fatal("a right code did not upgrade the session under a new token")
		}
		// The same code again, still within its 30 seconds, from another
		// password login: refused, and counted.
		s2 := w.login(t, "guardian")
		if _, err := w.db.VerifyTOTP(ctx, s2.Token, code); haven.ErrorCode(err) != haven.EUNAUTHORIZED {
			t.Fatalf("replayed code: %v", err)
		}
		if n := failures(t, w.db, "guardian"); n != 1 {
			t.Fatalf("a replayed code counted %d failures, want 1", n)
		}
		// A phone 90 s ahead is outside the window; 30 s ahead is inside.
		w.clock = w.clock.Add(30 * time.Second)
		if _, err := w.db.VerifyTOTP(ctx, s2.Token, totpCode(t, secret, w.clock.Add(90*time.Second))); haven.ErrorCode(err) != haven.EUNAUTHORIZED {
			t.Fatalf("code 90 s ahead: %v", err)
		}
		ahead := totpCode(t, secret, w.clock.Add(30*time.Second))
		if _, err := w.db.VerifyTOTP(ctx, s2.Token, " "+ahead[:3]+" "+ahead[3:]); err != nil {
			t.Fatalf("code 30 s ahead, typed with spaces: %v", err)
		}
		// The pre-upgrade token is dead.
		if _, err := w.db.VerifyTOTP(ctx, s2.Token, ahead); haven.ErrorCode(err) != haven.EUNAUTHORIZED {
			t.Fatalf("the old token of an upgraded session: %v", err)
		}
		// Now's code is inside the window but older than the last one
		// used: refused, so no code seen over a shoulder works later.
		s3 := w.login(t, "guardian")
		if _, err := w.db.VerifyTOTP(ctx, s3.Token, totpCode(t, secret, w.clock)); haven.ErrorCode(err) != haven.EUNAUTHORIZED {
			t.Fatalf("code older than the last one used: %v", err)
		}
	})
}

func TestTOTPWrongCodesLockOut(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		w := newTOTPWorld(t, open)
		ctx := context.Background()
		secret, _ := w.enrol(t, "competent_body")
		// Logging in again between wrong codes must not reset their count.
		for i := range 5 {
			s := w.login(t, "competent_body")
			if _, err := w.db.VerifyTOTP(ctx, s.Token, wrongTOTPCode(t, secret, w.clock)); haven.ErrorCode(err) != haven.EUNAUTHORIZED {
				t.Fatalf("wrong code %d: %v", i, err)
			}
		}
		if _, err := w.db.Login(ctx, "competent_body", storetest.Password); haven.ErrorCode(err) != haven.ETOOMANY {
			t.Fatalf("password login after 5 wrong codes: %v, want locked", err)
		}
		w.clock = w.clock.Add(31 * time.Second)
		s := w.login(t, "competent_body")
		if _, err := w.db.VerifyTOTP(ctx, s.Token, "12345"); haven.ErrorCode(err) != haven.EUNAUTHORIZED {
			t.Fatalf("malformed code: %v", err)
		}
		// Locked again, now for 60 s, even with the right code.
		if _, err := w.db.VerifyTOTP(ctx, s.Token, totpCode(t, secret, w.clock)); haven.ErrorCode(err) != haven.ETOOMANY {
			t.Fatalf("right code while locked: %v", err)
		}
		w.clock = w.clock.Add(61 * time.Second)
		if _, err := w.db.VerifyTOTP(ctx, s.Token, totpCode(t, secret, w.clock)); err != nil {
			t.Fatalf("right code after the lock: %v", err)
		}
		if n := failures(t, w.db, "competent_body"); n != 0 {
			t.Fatalf("%d failures left after a right code", n)
		}
	})
}

func TestTOTPSecretIsSealed(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		w := newTOTPWorld(t, open)
		ctx := context.Background()
		secret, _ := w.enrol(t, "caseworker")
		s := w.login(t, "first_responder")
		pending, _, err := w.db.StartTOTPEnrolment(ctx, s.Token)
		if err != nil {
			t.Fatal(err)
		}
		cells, err := rawRows(w.db, "users")
		if err != nil {
			t.Fatal(err)
		}
		// The scan must see plain columns, or finding nothing proves nothing.
		if !containsCell(cells, "first_responder") {
			t.Fatal("the raw scan does not see the usernames: the check below would prove nothing")
		}
		for _, sec := range []string{secret, pending} {
			raw, _ := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(sec)
			for _, needle := range [][]byte{[]byte(sec), []byte(strings.ToLower(sec)), raw} {
				for _, c := range cells {
					if bytes.Contains(c, needle) {
						t.Fatalf("the users table holds a TOTP secret in plaintext")
					}
				}
			}
		}
		// A sealed secret copied to another user does not open: her codes
		// fail rather than the copied secret's.
		if _, err := w.db.Exec(ctx, `UPDATE users SET totp_secret_enc = (SELECT totp_secret_enc FROM users WHERE username = 'caseworker') WHERE username = 'guardian'`); err != nil {
			t.Fatal(err)
		}
		g := w.login(t, "guardian")
		if _, err := w.db.VerifyTOTP(ctx, g.Token, totpCode(t, secret, w.clock)); err == nil || haven.ErrorCode(err) != haven.EINTERNAL {
			t.Fatalf("a moved secret: %v, want an internal error", err)
		}
	})
}

func TestResetTOTP(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		w := newTOTPWorld(t, open)
		ctx := context.Background()
		secret, up := w.enrol(t, "service_provider")
		if err := w.db.ResetTOTP(ctx, "Service_Provider"); err != nil {
			t.Fatal(err)
		}
		// Her sessions ended: she logs in again and must set up anew.
		if _, _, err := w.db.AuthenticateSession(ctx, up.Token); haven.ErrorCode(err) != haven.EUNAUTHORIZED {
			t.Fatalf("session after reset: %v", err)
		}
		s := w.login(t, "service_provider")
		if passed, enrolled := secondFactor(t, w.db, s.Token); passed || enrolled {
			t.Fatalf("after reset: passed %v, enrolled %v", passed, enrolled)
		}
		if _, err := w.db.VerifyTOTP(ctx, s.Token, totpCode(t, secret, w.clock)); haven.ErrorCode(err) != haven.EINVALID {
			t.Fatalf("the old secret after reset: %v", err)
		}
		fresh, _, err := w.db.StartTOTPEnrolment(ctx, s.Token)
		if err != nil || fresh == secret {
			t.Fatalf("enrolment after reset: %v; a new secret is expected", err)
		}
		if err := w.db.ResetTOTP(ctx, "nobody"); haven.ErrorCode(err) != haven.ENOTFOUND {
			t.Fatalf("reset of an unknown user: %v", err)
		}
	})
}

func failures(t *testing.T, db *store.DB, username string) int {
	t.Helper()
	var n int
	err := db.QueryRow(context.Background(), "SELECT COALESCE(SUM(failures), 0) FROM login_failures WHERE username = ?", username).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
