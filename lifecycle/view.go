package lifecycle

import "time"

// View is a case's lifecycle as the API and the pages show it.
type View struct {
	Facts   Facts        `json:"facts"`
	Alerts  []Alert      `json:"alerts"`
	Steps   []StepRecord `json:"steps"`
	Allowed []Event      `json:"allowed_events"`
}

// StepRecord is one stored step of a case: the outcome of a fired event.
type StepRecord struct {
	Seq     int     `json:"seq"`
	Outcome Outcome `json:"outcome"`
}

// InboxItem is one time limit or overdue step in a user's inbox.
type InboxItem struct {
	CaseID    string    `json:"case_id"`
	Reference string    `json:"reference"`
	Rule      string    `json:"rule"`
	Message   string    `json:"message"`
	Due       time.Time `json:"due"`
	Overdue   bool      `json:"overdue"`
}
