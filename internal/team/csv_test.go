package team

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSpreadsheetSafe(t *testing.T) {
	t.Parallel()
	require.Equal(t,
		[]string{"'=SUM(A1)", "'+1", "'-2", "'@cmd", "'\tx", "'\rx", "plain", "", "{\"a\":1}"},
		spreadsheetSafe("=SUM(A1)", "+1", "-2", "@cmd", "\tx", "\rx", "plain", "", `{"a":1}`))
}
