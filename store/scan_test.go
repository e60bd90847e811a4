package store_test

import (
	"context"

	"github.com/haven-nrm/haven/store"
)

// scanAll calls fn with the cells of every row of table.
func scanAll(db *store.DB, table string, fn func([]any)) error {
	rows, err := db.RawQuery(context.Background(), "SELECT * FROM "+table)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	for rows.Next() {
		cells := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range cells {
			ptrs[i] = &cells[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		fn(cells)
	}
	return rows.Err()
}
