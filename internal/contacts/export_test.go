package contacts

// SetExportBatch makes the privacy export read n rows at a time until the returned func
// restores the default: a test with a few rows then crosses many pages.
func SetExportBatch(n int32) (restore func()) {
	old := exportBatch.Swap(n)
	return func() { exportBatch.Store(old) }
}
