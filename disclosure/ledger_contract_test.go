package disclosure_test

import (
	"testing"

	"github.com/haven-nrm/haven/disclosure"
	"github.com/haven-nrm/haven/disclosure/ledgertest"
)

func TestMemoryLedgerContract(t *testing.T) {
	ledgertest.Run(t, func(*testing.T) disclosure.Ledger { return disclosure.NewMemoryLedger() })
}
