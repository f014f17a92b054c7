-- A centre's idle lock time: after how many idle minutes its phones lock, chosen by one of its
-- administrators (`PATCH /api/v1/centre`). Centres from before the setting keep the default, 5.
-- Released migrations are never edited: add a new file instead.

-- The same bounds as `LockMinutes` in the domain crate: a value the app could not use cannot be
-- stored, whichever code writes it.
ALTER TABLE centres ADD COLUMN lock_minutes INTEGER NOT NULL DEFAULT 5
    CHECK (lock_minutes BETWEEN 1 AND 60);
