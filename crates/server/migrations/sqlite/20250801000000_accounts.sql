-- Accounts, sessions, one-time setup codes and the audit log; centres get their details, records
-- who created them and whom they are assigned to.
-- Released migrations are never edited: add a new file instead.

-- A centre is set up (given its code, name, district and state, and a first administrator) once;
-- the implicit centre of a database from before accounts is adopted by the first setup.
ALTER TABLE centres ADD COLUMN district TEXT NOT NULL DEFAULT '';
ALTER TABLE centres ADD COLUMN state TEXT NOT NULL DEFAULT '';
ALTER TABLE centres ADD COLUMN set_up_at INTEGER;

-- The account whose push first made the record (NULL for records from before accounts), and the
-- account named in its `assigned_to` field: outreach workers see only records of one of the two.
ALTER TABLE records ADD COLUMN created_by TEXT;
ALTER TABLE records ADD COLUMN assigned_to TEXT;
CREATE INDEX records_by_creator ON records (centre_id, created_by, seq);
CREATE INDEX records_by_assignee ON records (centre_id, assigned_to, seq);

-- Usernames are unique over all centres, since a login names no centre; kept in lower case.
CREATE TABLE accounts (
    id            TEXT    PRIMARY KEY,
    centre_id     TEXT    NOT NULL REFERENCES centres (id),
    username      TEXT    NOT NULL UNIQUE,
    display_name  TEXT    NOT NULL,
    role          TEXT    NOT NULL
                  CHECK (role IN ('administrator', 'counsellor', 'outreach_worker')),
    password_hash TEXT    NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at    INTEGER NOT NULL
) STRICT;

CREATE INDEX accounts_by_centre ON accounts (centre_id, created_at);

-- Only the SHA-256 of a token is kept: a copy of the database does not let anyone in.
CREATE TABLE sessions (
    token_hash   TEXT    PRIMARY KEY,
    account_id   TEXT    NOT NULL REFERENCES accounts (id),
    device_id    TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    revoked_at   INTEGER
) STRICT;

CREATE INDEX sessions_by_account ON sessions (account_id);

-- One-time codes to set up a centre: `first` for the server's first centre (printed at start),
-- `centre` for each later one (made by `sakhi-server centre add`, expiring). Only hashes are kept.
CREATE TABLE setup_codes (
    code_hash  TEXT    PRIMARY KEY,
    purpose    TEXT    NOT NULL CHECK (purpose IN ('first', 'centre')),
    created_at INTEGER NOT NULL,
    expires_at INTEGER,
    used_at    INTEGER
) STRICT;

-- Who did what, when, from where, to which records. Never a record's content. Append-only: the
-- triggers below refuse every UPDATE and DELETE.
CREATE TABLE audit (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         INTEGER NOT NULL,
    centre_id  TEXT,
    account_id TEXT,
    username   TEXT,
    device_id  TEXT,
    address    TEXT,
    action     TEXT    NOT NULL,
    outcome    TEXT    NOT NULL,
    records    TEXT    NOT NULL DEFAULT '[]',
    detail     TEXT
) STRICT;

CREATE INDEX audit_by_centre ON audit (centre_id, id);

CREATE TRIGGER audit_is_append_only_no_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_is_append_only_no_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
