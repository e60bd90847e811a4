package server

// registerTOTPRoutes registers the second-factor pages.
func (s *Server) registerTOTPRoutes() {}
