package haven

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"reflect"
	"time"
)

// Date is a calendar day without time or zone, written YYYY-MM-DD in JSON and
// in the database. Event and decision dates are days, not instants.
type Date struct {
	time.Time
}

const dateLayout = "2006-01-02"

// ParseDate parses YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return Date{}, fmt.Errorf("parse date: want YYYY-MM-DD")
	}
	return Date{t}, nil
}

// DateOf returns the day of t in UTC.
func DateOf(t time.Time) Date {
	y, m, d := t.UTC().Date()
	return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.Format(dateLayout)
}

func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// MarshalJSON writes "YYYY-MM-DD" (or null); without it the embedded
// time.Time's method would write a full timestamp.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + d.String() + `"`), nil
}

func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	p, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = p
	return nil
}

// Value stores a date as text, which sorts and compares the same way on
// SQLite and PostgreSQL.
func (d Date) Value() (driver.Value, error) {
	if d.IsZero() {
		return nil, nil
	}
	return d.String(), nil
}

// UnmarshalJSON accepts "YYYY-MM-DD" or null. A bad date is reported as a
// type error so the JSON decoder names the field it was found in.
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = Date{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		if s == "" {
			*d = Date{}
			return nil
		}
		if p, err := ParseDate(s); err == nil {
			*d = p
			return nil
		}
	}
	return &json.UnmarshalTypeError{Value: "date (want YYYY-MM-DD)", Type: reflect.TypeFor[Date]()}
}

func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = Date{}
	case string:
		return d.UnmarshalText([]byte(v))
	case []byte:
		return d.UnmarshalText(v)
	case time.Time:
		*d = DateOf(v)
	default:
		return fmt.Errorf("scan date: unsupported type %T", src)
	}
	return nil
}
