-- A centre's case numbers: the year and count of the last number it gave (`DHR-2026-0042`). The
-- server numbers each case in the push that brings it first, inside the push's transaction, which
-- holds the centre's turn; numbers start again at 1 each year.
-- Released migrations are never edited: add a new file instead.
ALTER TABLE centres ADD COLUMN case_year INTEGER NOT NULL DEFAULT 0 CHECK (case_year >= 0);
ALTER TABLE centres ADD COLUMN case_count BIGINT NOT NULL DEFAULT 0 CHECK (case_count >= 0);

-- Every number given, with its case: a case given back after a restore with a number that
-- another case got meanwhile is numbered again, so no two cases ever share one.
CREATE TABLE case_numbers (
    centre_id  TEXT NOT NULL REFERENCES centres (id),
    number     TEXT NOT NULL,
    record_id  TEXT NOT NULL,
    PRIMARY KEY (centre_id, number)
);
