package server

// registerTOTPRoutes registers the second-factor pages.
func (s *Server) registerTOTPRoutes() {
	s.handle("GET /login/totp", s.page(s.handleTOTPForm))
	s.handle("POST /login/totp", s.page(s.handleTOTPVerify))
	s.handle("GET /login/totp/setup", s.page(s.handleTOTPSetupForm))
	s.handle("POST /login/totp/setup", s.page(s.handleTOTPSetup))
}

// secondFactorRoutes are the only routes a session that owes its second
// factor may reach: entering a code, setting up an app, and logging out.
var secondFactorRoutes = map[string]bool{
	"GET /login/totp":        true,
	"POST /login/totp":       true,
	"GET /login/totp/setup":  true,
	"POST /login/totp/setup": true,
	"POST /logout":           true,
}
