package main

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/store/storetest"
)

func TestUserResetTOTP(t *testing.T) {
	ctx := context.Background()
	db, _, path := VaultDB(t)

	// The caseworker sets up an app and is logged in with it.
	sess, err := db.Login(ctx, "caseworker", storetest.Password)
	if err != nil {
		t.Fatal(err)
	}
	secret, _, err := db.StartTOTPEnrolment(ctx, sess.Token)
	if err != nil {
		t.Fatal(err)
	}
	code, _ := totp.GenerateCodeCustom(secret, db.Now(), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	full, err := db.ConfirmTOTPEnrolment(ctx, sess.Token, code)
	if err != nil {
		t.Fatal(err)
	}

	var stdout, stderr bytes.Buffer
	if err := runUserResetTOTP(ctx, []string{"--db", path, "--username", "caseworker"}, &stdout, &stderr); err != nil {
		t.Fatalf("reset-totp: %v (%s)", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "caseworker") {
		t.Fatalf("reset-totp said %q", stdout.String())
	}
	// Her session has ended; her next login has no app and must set one up.
	if _, _, err := db.AuthenticateSession(ctx, full.Token); haven.ErrorCode(err) != haven.EUNAUTHORIZED {
		t.Fatalf("session after reset: %v", err)
	}
	next, err := db.Login(ctx, "caseworker", storetest.Password)
	if err != nil {
		t.Fatal(err)
	}
	if passed, enrolled, err := db.SessionSecondFactor(ctx, next.Token); err != nil || passed || enrolled {
		t.Fatalf("after reset: passed %v, enrolled %v, %v; want a fresh set-up", passed, enrolled, err)
	}
	if fresh, _, err := db.StartTOTPEnrolment(ctx, next.Token); err != nil || fresh == secret {
		t.Fatalf("set-up after reset: %v; want a new secret", err)
	}

	// Mistakes are one clear line, or the usage.
	if err := runUserResetTOTP(ctx, []string{"--db", path, "--username", "nobody"}, &stdout, &stderr); err == nil || !strings.Contains(err.Error(), `"nobody"`) {
		t.Fatalf("unknown user: %v", err)
	}
	stderr.Reset()
	if err := runUserResetTOTP(ctx, []string{"--db", path}, &stdout, &stderr); !errors.Is(err, errUsage) || !strings.Contains(stderr.String(), "--username") {
		t.Fatalf("no username: %v %q", err, stderr.String())
	}
	if err := runUserResetTOTP(ctx, []string{"--db", filepath.Join(t.TempDir(), "fresh.db"), "--username", "caseworker"}, &stdout, &stderr); err == nil || !strings.Contains(err.Error(), "haven migrate") {
		t.Fatalf("unmigrated database: %v", err)
	}
}
