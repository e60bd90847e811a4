package server

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/disclosure"
	"github.com/haven-nrm/haven/policy"
	"github.com/haven-nrm/haven/stats"
)

// Bounds on a statistics request, so that one request cannot hold the
// server: the protection of a table grows with its number of cells.
const (
	maxStatisticsYears      = 20
	maxStatisticsDimensions = 4
)

// formatHTML is the release format of a table shown on the page.
const formatHTML = "html"

// statisticsRequest is one protected table asked for in a URL.
type statisticsRequest struct {
	Query  stats.Query
	Format string
}

// parseStatisticsRequest reads by, from, to, basis, forms, k and format
// from a URL's query; formats lists the formats allowed (the first is the
// default). The period defaults to last calendar year. Every bad field is
// reported; no reason quotes the value sent.
func parseStatisticsRequest(q url.Values, now time.Time, formats []string) (statisticsRequest, error) {
	var v haven.Validation
	last := now.UTC().Year() - 1
	req := statisticsRequest{Query: stats.Query{
		Basis: stats.BasisReasonableGrounds, Forms: stats.FormsEach, K: disclosure.DefaultK,
		From: haven.DateOf(time.Date(last, 1, 1, 0, 0, 0, 0, time.UTC)),
		To:   haven.DateOf(time.Date(last, 12, 31, 0, 0, 0, 0, time.UTC)),
	}, Format: formats[0]}
	for _, s := range q["by"] {
		for d := range strings.SplitSeq(s, ",") {
			if d = strings.TrimSpace(d); d != "" {
				req.Query.By = append(req.Query.By, d)
			}
		}
	}
	if len(req.Query.By) > maxStatisticsDimensions {
		v.Addf("by", "must list at most %d dimensions", maxStatisticsDimensions)
	}
	dates := true
	for _, d := range []struct {
		key string
		dst *haven.Date
	}{{"from", &req.Query.From}, {"to", &req.Query.To}} {
		if s := q.Get(d.key); s != "" {
			p, err := haven.ParseDate(s)
			if err != nil {
				v.Add(d.key, "must be a date YYYY-MM-DD")
				dates = false
				continue
			}
			*d.dst = p
		}
	}
	if s := q.Get("basis"); s != "" {
		req.Query.Basis = s
	}
	if s := q.Get("forms"); s != "" {
		req.Query.Forms = s
	}
	kOK := true
	if s := q.Get("k"); s != "" {
		k, err := strconv.Atoi(s)
		if err != nil || k < 2 {
			// (The engine reads 0 as "the default"; a request must not.)
			v.Add("k", "must be a whole number, at least 2")
			kOK = false
		} else {
			req.Query.K = k
		}
	}
	if s := q.Get("format"); s != "" {
		req.Format = s
	}
	if !slices.Contains(formats, req.Format) {
		v.Addf("format", "must be %s", strings.Join(formats, ", "))
	}
	if dates && !req.Query.To.Before(req.Query.From.Time) && !req.Query.To.Before(req.Query.From.AddDate(maxStatisticsYears, 0, 0)) {
		v.Addf("period", "must not be longer than %d years", maxStatisticsYears)
	}
	// The engine's own checks name the field too (period, by, basis,
	// forms, k); a field already reported above is not reported twice.
	reported := haven.ErrorFields(v.Err())
	for _, fe := range haven.ErrorFields(req.Query.Validate()) {
		if (fe.Field == "period" && !dates) || (fe.Field == "k" && !kOK) ||
			slices.ContainsFunc(reported, func(r haven.FieldError) bool { return r.Field == fe.Field }) {
			continue
		}
		v.Add(fe.Field, fe.Reason)
	}
	req.Query.Title = "Detected victims by " + strings.Join(req.Query.By, ", ")
	return req, v.Err()
}

// values returns the request as URL parameters, for links to the same
// table in another format.
func (req statisticsRequest) values(format string) url.Values {
	q := req.Query
	return url.Values{"by": {strings.Join(q.By, ",")}, "from": {q.From.String()}, "to": {q.To.String()},
		"basis": {q.Basis}, "forms": {q.Forms}, "k": {strconv.Itoa(q.K)}, "format": {format}}
}

// protectedTable computes the table of req, protected.
func (s *Server) protectedTable(r *http.Request, req statisticsRequest) (*stats.Result, error) {
	if s.Statistics == nil {
		return nil, fmt.Errorf("statistics: no source of counts is configured")
	}
	engine := &stats.Engine{Source: s.Statistics}
	return engine.Table(r.Context(), req.Query)
}

// recordRelease records that res leaves Haven through channel (GR 38
// §111: who, when, which query, which protection). It is called before a
// byte of the table is written: if it fails, the table is not served.
func (s *Server) recordRelease(r *http.Request, channel string, req statisticsRequest, res *stats.Result) error {
	if s.Releases == nil {
		return fmt.Errorf("record release: no release log is configured")
	}
	// The same canonical query and protection as `haven stats` records.
	rel, err := stats.NewRelease(channel, stats.ReleaseQuery{By: req.Query.By, Basis: req.Query.Basis,
		From: req.Query.From.String(), To: req.Query.To.String(), Forms: req.Query.Forms, K: req.Query.K, Format: req.Format},
		&stats.Publication{Tables: []*stats.Result{res}})
	if err != nil {
		return fmt.Errorf("record release: %w", err)
	}
	if err := s.Releases.RecordRelease(r.Context(), rel); err != nil {
		// Whatever the cause, the table is not served: an internal error.
		return fmt.Errorf("record release: %s", err.Error())
	}
	return nil
}

// Content types of the statistics downloads.
var statisticsContentType = map[string]string{
	stats.FormatJSON: "application/json",
	stats.FormatCSV:  "text/csv; charset=utf-8",
	stats.FormatXLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

// apiStatistics serves one protected table as JSON (the shape of `haven
// stats --format json`: {"tables": [...]}) or as a CSV or XLSX download.
// Bad parameters are a 400 naming each field.
func (s *Server) apiStatistics(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	if err := decide(a.user, policy.StatisticsRead, nil); err != nil {
		return err
	}
	req, err := parseStatisticsRequest(r.URL.Query(), timeNow(), []string{stats.FormatJSON, stats.FormatCSV, stats.FormatXLSX})
	if err != nil {
		return &badRequest{err}
	}
	res, err := s.protectedTable(r, req)
	if err != nil {
		return err
	}
	var body bytes.Buffer
	pub := &stats.Publication{Tables: []*stats.Result{res}}
	if err := stats.Write(&body, req.Format, pub, nil); err != nil {
		return fmt.Errorf("statistics: write %s: %w", req.Format, err)
	}
	if err := s.recordRelease(r, haven.ReleaseAPI, req, res); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", statisticsContentType[req.Format])
	if req.Format != stats.FormatJSON {
		h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="haven-statistics-%s-%s.%s"`,
			req.Query.From, req.Query.To, req.Format))
	}
	w.WriteHeader(http.StatusOK)
	w.Write(body.Bytes()) // a client gone away is not an error of Haven's
	return nil
}
