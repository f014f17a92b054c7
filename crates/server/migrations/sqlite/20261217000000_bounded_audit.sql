-- Refusals anyone can cause without an account (a made-up token, a login for no account or one the
-- limiter slowed, a setup-code guess) are counted here, one row per minute, address, action and
-- outcome, instead of a row each in the audit log: no stranger may grow it without bound.
-- Released migrations are never edited: add a new file instead.
CREATE TABLE audit_tallies (
    minute  INTEGER NOT NULL,
    address TEXT    NOT NULL,
    action  TEXT    NOT NULL,
    outcome TEXT    NOT NULL,
    times   INTEGER NOT NULL CHECK (times > 0),
    PRIMARY KEY (minute, address, action, outcome)
) STRICT;

-- The export notice a row logs, made on the phone: one sent again (its answer lost) gets no
-- second row.
ALTER TABLE audit ADD COLUMN export_id TEXT;
CREATE UNIQUE INDEX audit_export_once ON audit (account_id, export_id) WHERE export_id IS NOT NULL;
