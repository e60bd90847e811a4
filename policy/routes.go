package policy

// Public marks a route anyone may call without logging in.
const Public Action = "public"

// Authenticated marks a route any logged-in user may call; the handler
// asks the policy about the records it touches.
const Authenticated Action = "authenticated"

// Routes names the action every route of the server performs. The server
// refuses to register a route missing here, and a test walks every route
// with every role, so a new route cannot arrive without a rule.
var Routes = map[string]Action{
	"GET /healthz":             Public,
	"GET /readyz":              Public,
	"GET /metrics":             Public,
	"GET /api/v1/openapi.json": Public,
	"GET /static/":             Public,
	"GET /{$}":                 Public,
	"GET /login":               Public,
	"POST /login":              Public,
	"POST /logout":             Authenticated,
	// The second-factor pages serve a session that has passed the password
	// but not yet the code; the handlers check that session themselves.
	"GET /login/totp":        Public,
	"POST /login/totp":       Public,
	"GET /login/totp/setup":  Public,
	"POST /login/totp/setup": Public,

	"GET /api/v1/me":                                          Me,
	"POST /api/v1/identity-search":                            IdentitySearch,
	"GET /api/v1/cases":                                       CaseList,
	"POST /api/v1/cases":                                      CaseCreate,
	"GET /api/v1/cases/{id}":                                  CaseRead,
	"PATCH /api/v1/cases/{id}":                                CaseUpdate,
	"GET /api/v1/cases/{id}/person":                           PersonRead,
	"GET /api/v1/cases/{id}/notes":                            NoteRead,
	"POST /api/v1/cases/{id}/notes":                           NoteAdd,
	"GET /api/v1/cases/{id}/consents":                         ConsentRead,
	"POST /api/v1/cases/{id}/consents":                        ConsentRecord,
	"POST /api/v1/cases/{id}/consents/{consent}/withdraw":     ConsentWithdraw,
	"GET /api/v1/cases/{id}/permits":                          PermitRequest,
	"POST /api/v1/cases/{id}/permits":                         PermitRequest,
	"POST /api/v1/cases/{id}/break-glass":                     BreakGlassCreate,
	"POST /api/v1/cases/{id}/events":                          CaseEvent,
	"GET /api/v1/cases/{id}/lifecycle":                        CaseRead,
	"POST /api/v1/cases/{id}/non-punishment":                  NonPunishmentRecord,
	"GET /api/v1/cases/{id}/non-punishment":                   NonPunishmentDocument,
	"GET /api/v1/cases/{id}/non-punishment/{number}/document": NonPunishmentDocument,
	"GET /api/v1/cases/{id}/protection":                       ProtectionRead,
	"POST /api/v1/cases/{id}/protection":                      ProtectionRecord,
	"POST /api/v1/cases/{id}/protection/{procedure}/decision": ProtectionRecord,
	"GET /api/v1/inbox":                                       Inbox,
	"GET /api/v1/cases/{id}/access-log":                       AccessLogRead,
	"GET /api/v1/cases/{id}/break-glass":                      BreakGlassList,
	"GET /api/v1/screening/catalogue":                         ScreeningEvaluate,
	"POST /api/v1/screening/evaluate":                         ScreeningEvaluate,
	"POST /api/v1/screenings/anonymous":                       ScreeningEvaluate,
	"GET /api/v1/cases/{id}/screenings":                       ScreeningRead,
	"POST /api/v1/cases/{id}/screenings":                      ScreeningRecord,
	"GET /api/v1/permits":                                     PermitList,
	"GET /api/v1/permits/{id}":                                PermitRead,
	"POST /api/v1/permits/{id}/decision":                      PermitDecide,
	"GET /api/v1/users":                                       UserList,
	"POST /api/v1/users":                                      UserCreate,
	"GET /api/v1/organisations":                               OrganisationList,
	"POST /api/v1/organisations":                              OrganisationCreate,
	"GET /api/v1/statistics":                                  StatisticsRead,
	"GET /api/v1/statistics/releases":                         StatisticsRead,
	"GET /api/v1/reports/rapporteur":                          ReportRead,
	"GET /api/v1/reports/rapporteur.pdf":                      ReportRead,

	"GET /cases":                CaseList,
	"GET /cases/new":            CaseCreate,
	"POST /cases":               CaseCreate,
	"GET /cases/{id}":           CaseRead,
	"GET /cases/{id}/edit":      CaseUpdate,
	"POST /cases/{id}/edit":     CaseUpdate,
	"POST /cases/{id}/notes":    NoteAdd,
	"POST /cases/{id}/events":   CaseEvent,
	"GET /inbox":                Inbox,
	"POST /cases/{id}/consents": ConsentRecord,
	"POST /cases/{id}/consents/{consent}/withdraw": ConsentWithdraw,
	"GET /statistics":          StatisticsRead,
	"GET /statistics/releases": StatisticsRead,
	"GET /reports/rapporteur":  ReportRead,
}
