package lifecycle

import (
	"slices"
	"strings"
	"time"

	"github.com/haven-nrm/haven"
)

// Actor is who fires an event.
type Actor struct {
	UserID string       `json:"user_id"`
	Role   haven.Role   `json:"role"`
	Sector haven.Sector `json:"sector"`
}

// ActorOf returns the actor a user acts as.
func ActorOf(u *haven.User) Actor {
	return Actor{UserID: u.ID, Role: u.Role, Sector: u.Sector}
}

// Request is an event someone asks to fire, with its inputs.
type Request struct {
	Event Event
	Actor Actor
	// Decision is the record of a reasonable-grounds, conclusive, review or
	// age-assessment decision. Kind and, except for an age assessment,
	// Outcome may be left empty: the event says them.
	Decision *Decision
	// Reasons is what is new or wrong, for a request for reconsideration.
	Reasons string
	// Permit is the kind of residence permit asked for.
	Permit haven.PermitKind
}

// EffectKind is something an event causes besides its change of state.
type EffectKind string

// The effects. The caller acts on them: it stores the review, the period
// or the closure, starts the protocol, files the permit request.
const (
	// EffectReflectionGranted: Outcome.Reflection is granted (GR 38 §92).
	EffectReflectionGranted EffectKind = "reflection_granted"
	// EffectReviewOpened: Outcome.Review is opened for the independent panel.
	EffectReviewOpened EffectKind = "review_opened"
	// EffectReviewDecided: the panel decided the open review.
	EffectReviewDecided EffectKind = "review_decided"
	// EffectReviewWithdrawn: the case closed by her withdrawal or return
	// while a review was open; the review ends without a decision.
	EffectReviewWithdrawn EffectKind = "review_withdrawn"
	// EffectIdentified: she is identified; the caller sets the case's
	// identified_on.
	EffectIdentified EffectKind = "identified"
	// EffectCaseClosed: the caller closes the case with
	// Outcome.ClosureReason.
	EffectCaseClosed EffectKind = "case_closed"
	// EffectAgeAssessed: the caller updates the case's age status from the
	// decision's finding.
	EffectAgeAssessed EffectKind = "age_assessed"
	// EffectMissingChildProtocol: a child went missing; the caller raises
	// the alert and records the protocol's start (GR 38 §96).
	EffectMissingChildProtocol EffectKind = "missing_child_protocol"
	// EffectPermitRequested: the caller files a residence-permit request
	// of Outcome.Permit with the immigration compartment.
	EffectPermitRequested EffectKind = "residence_permit_requested"
)

// effectMessages describe each effect for the person who fired the event.
var effectMessages = map[EffectKind]string{
	EffectReflectionGranted:    "reflection and recovery period granted (GR 38 §92)",
	EffectReviewOpened:         "review by an independent panel opened",
	EffectReviewDecided:        "review decided by the independent panel",
	EffectReviewWithdrawn:      "open review ended by the closure of the case",
	EffectIdentified:           "identified as a victim of trafficking (GR 38 §39)",
	EffectCaseClosed:           "case closed",
	EffectAgeAssessed:          "age assessment recorded (GR 38 §96)",
	EffectMissingChildProtocol: "missing-child protocol started (GR 38 §96)",
	EffectPermitRequested:      "residence permit requested (GR 38 §92)",
}

// Effect is one effect of a fired event.
type Effect struct {
	Kind    EffectKind `json:"kind"`
	Message string     `json:"message"`
}

// Outcome is what a fired event does: the step to store. Nothing is changed
// until the caller stores it and folds it into the case with Apply.
type Outcome struct {
	Event Event                `json:"event"`
	From  haven.LifecycleState `json:"from"`
	// To is the state after the event; From when the event records a fact.
	To    haven.LifecycleState `json:"to"`
	At    time.Time            `json:"at"`
	Actor Actor                `json:"actor"`
	// Decision is the decision recorded, its Kind and Outcome filled.
	Decision *Decision        `json:"decision,omitempty"`
	Reasons  string           `json:"reasons,omitempty"`
	Permit   haven.PermitKind `json:"permit,omitempty"`
	// Reflection is the period granted, with EffectReflectionGranted.
	Reflection Period `json:"reflection,omitzero"`
	// Review is the review opened, with EffectReviewOpened.
	Review        *Review  `json:"review,omitempty"`
	ClosureReason string   `json:"closure_reason,omitempty"`
	Effects       []Effect `json:"effects,omitempty"`
}

// Has tells whether the outcome has an effect of kind k.
func (o Outcome) Has(k EffectKind) bool {
	return slices.ContainsFunc(o.Effects, func(e Effect) bool { return e.Kind == k })
}

// Fire checks whether req may happen now to a case with facts f and returns
// what it does. It changes nothing: a refused request returns a *Refusal
// naming the rule that refused it, and the caller stores nothing.
//
// The checks run in this order, and the first that fails refuses: the event
// exists (EINVALID); the actor's role may fire it (EFORBIDDEN); the table
// has a row for it from the present state (ECONFLICT); its inputs are
// complete and valid (EINVALID); its guards hold (ECONFLICT); a review
// panel is independent of the decision under review (EINVALID).
func Fire(cfg Config, f Facts, req Request, now time.Time) (Outcome, error) {
	r, err := find(f.State, req.Event, req.Actor.Role)
	if err != nil {
		return Outcome{}, err
	}
	d, err := checkInputs(r, req)
	if err != nil {
		return Outcome{}, err
	}
	c := &check{f: f, req: req, cfg: cfg, now: now}
	for _, g := range r.guards {
		if !g.ok(c) {
			return Outcome{}, refuse(g.rule, g.rule.Message)
		}
	}
	if d != nil && d.Kind == KindReview {
		for _, m := range d.Members {
			if slices.Contains(f.Review.Against, m.UserID) {
				return Outcome{}, refuse(ruleReviewIndependent, ruleReviewIndependent.Message,
					haven.FieldError{Field: "decision.members", Reason: "must not include a member of the decision under review"})
			}
		}
	}
	return outcome(cfg, f, r, req, d, now), nil
}

// find returns the row of the event from the state, if the role may fire it.
func find(state haven.LifecycleState, event Event, role haven.Role) (*row, error) {
	rows := rowsOf(event)
	if len(rows) == 0 {
		return nil, refuse(ruleUnknownEvent, "Unknown lifecycle event.",
			haven.FieldError{Field: "event", Reason: "must be one of " + joinEvents(events)})
	}
	if !slices.ContainsFunc(rows, func(r *row) bool { return slices.Contains(r.roles, role) }) {
		return nil, forbidden(rows[0], role)
	}
	r, _ := rowFor(event, state)
	if r == nil {
		var from []string
		for _, r := range rows {
			for _, s := range r.from {
				from = append(from, string(s))
			}
		}
		return nil, refuse(ruleNotFromState, string(event)+" cannot happen while the case is "+string(state)+
			"; it happens from: "+strings.Join(from, ", "))
	}
	if !slices.Contains(r.roles, role) {
		return nil, forbidden(r, role)
	}
	return r, nil
}

func forbidden(r *row, role haven.Role) error {
	names := make([]string, len(r.roles))
	for i, x := range r.roles {
		names[i] = string(x)
	}
	who := string(role)
	if who == "" {
		who = "no role"
	}
	return refuse(ruleRoleNotAllowed, string(r.event)+" is for "+strings.Join(names, ", ")+
		", not "+who+" (GR 38 "+r.basis+")")
}

// checkInputs checks the request's own inputs against the row and returns
// the decision to record, its kind and finding filled.
func checkInputs(r *row, req Request) (*Decision, error) {
	if r.decision == "" {
		if req.Decision != nil {
			return nil, refuse(ruleDecisionUnexpected, string(r.event)+" takes no decision record")
		}
	} else {
		if req.Decision == nil {
			return nil, refuse(ruleDecisionRequired, ruleDecisionRequired.Message)
		}
		d := req.Decision.clone()
		if d.Kind == "" {
			d.Kind = r.decision
		}
		if d.Outcome == "" {
			d.Outcome = r.finding
		}
		if d.Kind != r.decision {
			return nil, refuse(ruleDecisionKind, string(r.event)+" needs a decision record of kind "+string(r.decision),
				haven.FieldError{Field: "decision.kind", Reason: "must be " + string(r.decision)})
		}
		if r.finding != "" && d.Outcome != r.finding {
			return nil, refuse(ruleDecisionOutcome, string(r.event)+" records a "+string(r.finding)+" decision",
				haven.FieldError{Field: "decision.outcome", Reason: "must be " + string(r.finding)})
		}
		if err := ValidateDecision(*d); err != nil {
			return nil, err
		}
		return d, nil
	}
	switch r.event {
	case RequestReconsideration:
		if strings.TrimSpace(req.Reasons) == "" || len(req.Reasons) > haven.MaxNoteLength {
			return nil, refuse(ruleReconsiderationReasons, ruleReconsiderationReasons.Message,
				haven.FieldError{Field: "reasons", Reason: "is required, at most 20000 characters"})
		}
	case RequestResidencePermit:
		if !slices.Contains(haven.PermitKinds, req.Permit) {
			return nil, refuse(rulePermitKind, rulePermitKind.Message,
				haven.FieldError{Field: "permit", Reason: "must be one of reflection_period, temporary_residence, permanent_residence"})
		}
	}
	return nil, nil
}

// outcome builds the outcome of an accepted request.
func outcome(cfg Config, f Facts, r *row, req Request, d *Decision, now time.Time) Outcome {
	o := Outcome{Event: r.event, From: f.State, To: r.to, At: now, Actor: req.Actor, Decision: d}
	if o.To == "" {
		o.To = f.State
	}
	add := func(k EffectKind) { o.Effects = append(o.Effects, Effect{Kind: k, Message: effectMessages[k]}) }
	switch r.event {
	case RequestReconsideration:
		o.Reasons = req.Reasons
		o.Review = &Review{Of: f.Review.Of, Open: true, OpenedAt: now, Reconsideration: true,
			Against: slices.Clone(f.Review.Against)}
		add(EffectReviewOpened)
	case RequestResidencePermit:
		o.Permit = req.Permit
		add(EffectPermitRequested)
	case ReportMissing:
		if f.Child {
			add(EffectMissingChildProtocol)
		}
	case RecordAgeAssessment:
		add(EffectAgeAssessed)
	}
	if d != nil && (d.Kind == KindReasonableGrounds || d.Kind == KindConclusive) && d.Outcome == Negative {
		// Every negative decision is reviewed by an independent panel.
		o.Review = &Review{Of: d.Kind, Open: true, OpenedAt: now, Against: d.memberIDs()}
		add(EffectReviewOpened)
	}
	if d != nil && d.Kind == KindReview {
		add(EffectReviewDecided)
	}
	if slices.Contains(r.effects, EffectReflectionGranted) {
		o.Reflection = Period{From: now, Until: now.Add(cfg.reflection())}
		add(EffectReflectionGranted)
	}
	if slices.Contains(r.effects, EffectIdentified) {
		add(EffectIdentified)
	}
	if o.To == haven.StateClosed && o.From != haven.StateClosed {
		o.ClosureReason = closureReason[r.event]
		if f.Review.Open {
			add(EffectReviewWithdrawn)
		}
		add(EffectCaseClosed)
	}
	return o
}

// Allowed lists the events actor could fire now on a case with facts f: the
// role may, the table has a row from the present state and the guards hold.
// It does not check inputs the request would carry (a decision record,
// reasons); for a residence permit it is enough that one kind fits. Pages
// use it to offer only the actions that can succeed.
func Allowed(cfg Config, f Facts, a Actor, now time.Time) []Event {
	var out []Event
	for _, e := range events {
		r, _ := rowFor(e, f.State)
		if r == nil || !slices.Contains(r.roles, a.Role) {
			continue
		}
		probes := []Request{{Event: e, Actor: a}}
		if e == RequestResidencePermit {
			probes = probes[:0]
			for _, k := range haven.PermitKinds {
				probes = append(probes, Request{Event: e, Actor: a, Permit: k})
			}
		}
		if slices.ContainsFunc(probes, func(req Request) bool { return guardsHold(r, &check{f: f, req: req, cfg: cfg, now: now}) }) {
			out = append(out, e)
		}
	}
	return out
}

func guardsHold(r *row, c *check) bool {
	for _, g := range r.guards {
		if !g.ok(c) {
			return false
		}
	}
	return true
}

func joinEvents(es []Event) string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = string(e)
	}
	return strings.Join(s, ", ")
}
