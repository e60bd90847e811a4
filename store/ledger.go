package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/disclosure"
)

// PrivacyLedger is the differential-privacy budget ledger kept in the
// database: disclosure.Ledger over the tables privacy_budgets and
// privacy_charges. A charge checks and spends the budget in one UPDATE
// inside one transaction, so concurrent releases cannot both fit a budget
// that holds only one, on either database.
type PrivacyLedger struct{ db *DB }

var _ disclosure.Ledger = PrivacyLedger{}

// PrivacyLedger returns the database's budget ledger.
func (db *DB) PrivacyLedger() PrivacyLedger { return PrivacyLedger{db: db} }

// Open implements disclosure.Ledger.
func (l PrivacyLedger) Open(ctx context.Context, dataset string, total disclosure.Epsilon) error {
	if dataset == "" || len(dataset) > 200 || total <= 0 || total > disclosure.MaxEpsilon {
		return fmt.Errorf("open budget: need a dataset name of 1 to 200 characters and a positive total: %w", disclosure.ErrInvalid)
	}
	err := l.db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `INSERT INTO privacy_budgets (dataset, total, spent, opened_at) VALUES (?, ?, 0, ?)`,
			dataset, int64(total), l.db.Now())
		return mapError(err)
	})
	if haven.ErrorCode(err) == haven.ECONFLICT {
		return fmt.Errorf("open budget %q: %w", dataset, disclosure.ErrBudgetExists)
	}
	if err != nil {
		return fmt.Errorf("open budget %q: %w", dataset, err)
	}
	return nil
}

// Charge implements disclosure.Ledger.
func (l PrivacyLedger) Charge(ctx context.Context, c disclosure.Charge) error {
	if c.Epsilon <= 0 || c.Epsilon > disclosure.MaxEpsilon || c.Release == "" {
		return fmt.Errorf("charge: need a named release and a positive epsilon: %w", disclosure.ErrInvalid)
	}
	at := l.db.Now()
	return l.db.inTx(ctx, func(tx *Tx) error {
		// Check and spend in one statement: the row lock (PostgreSQL) or
		// the single writer (SQLite) orders concurrent charges.
		res, err := tx.exec(ctx, `UPDATE privacy_budgets SET spent = spent + ? WHERE dataset = ? AND spent + ? <= total`,
			int64(c.Epsilon), c.Dataset, int64(c.Epsilon))
		if err != nil {
			return fmt.Errorf("charge %q: %w", c.Dataset, mapError(err))
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("charge %q: %w", c.Dataset, mapError(err))
		} else if n == 0 {
			var total, spent int64
			err := tx.queryRow(ctx, `SELECT total, spent FROM privacy_budgets WHERE dataset = ?`, c.Dataset).Scan(&total, &spent)
			if err != nil {
				if errors.Is(err, sql.ErrNoRows) {
					return fmt.Errorf("charge %q: %w", c.Dataset, disclosure.ErrUnknownDataset)
				}
				return fmt.Errorf("charge %q: %w", c.Dataset, mapError(err))
			}
			return fmt.Errorf("charge %q: release %q needs epsilon %v, %v of %v left: %w", c.Dataset, c.Release,
				c.Epsilon, disclosure.Epsilon(total-spent), disclosure.Epsilon(total), disclosure.ErrBudgetExceeded)
		}
		_, err = tx.exec(ctx, `INSERT INTO privacy_charges (dataset, seq, release, epsilon, mechanism, at)
			VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM privacy_charges WHERE dataset = ?), ?, ?, ?, ?)`,
			c.Dataset, c.Dataset, c.Release, int64(c.Epsilon), c.Mechanism, at)
		if err != nil {
			return fmt.Errorf("charge %q: %w", c.Dataset, mapError(err))
		}
		return nil
	})
}

// Balance implements disclosure.Ledger.
func (l PrivacyLedger) Balance(ctx context.Context, dataset string) (disclosure.Balance, error) {
	var total, spent int64
	err := l.db.readRow(ctx, `SELECT total, spent FROM privacy_budgets WHERE dataset = ?`, dataset).Scan(&total, &spent)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return disclosure.Balance{}, fmt.Errorf("balance %q: %w", dataset, disclosure.ErrUnknownDataset)
		}
		return disclosure.Balance{}, fmt.Errorf("balance %q: %w", dataset, mapError(err))
	}
	return disclosure.Balance{Dataset: dataset, Total: disclosure.Epsilon(total), Spent: disclosure.Epsilon(spent)}, nil
}

// Charges implements disclosure.Ledger.
func (l PrivacyLedger) Charges(ctx context.Context, dataset string) ([]disclosure.Charge, error) {
	if _, err := l.Balance(ctx, dataset); err != nil {
		return nil, err
	}
	rows, err := l.db.readQuery(ctx, `SELECT release, epsilon, mechanism, at FROM privacy_charges WHERE dataset = ? ORDER BY seq`, dataset)
	if err != nil {
		return nil, fmt.Errorf("charges %q: %w", dataset, mapError(err))
	}
	defer rows.Close()
	var out []disclosure.Charge
	for rows.Next() {
		c := disclosure.Charge{Dataset: dataset}
		var e int64
		if err := rows.Scan(&c.Release, &e, &c.Mechanism, &c.Time); err != nil {
			return nil, fmt.Errorf("charges %q: %w", dataset, mapError(err))
		}
		c.Epsilon, c.Time = disclosure.Epsilon(e), c.Time.UTC()
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("charges %q: %w", dataset, mapError(err))
	}
	return out, nil
}
