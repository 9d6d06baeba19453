-- +goose Up
-- An import's stored file holds the rows of everyone it imported. Erasing a contact (privacy)
-- deletes the files of the ended imports that wrote it; the import keeps its row, counts and
-- checksum, and says when its file went (its error report is gone with it).
ALTER TABLE imports ADD COLUMN file_erased_at timestamptz;

-- +goose Down
ALTER TABLE imports DROP COLUMN file_erased_at;
