-- The PostgreSQL schema: the same tables, columns and rules as the three SQLite migrations of the
-- same time, for a deployment where several server instances share one database.
-- Released migrations are never edited: add a new file instead.
--
-- Ids are kept as text and times as milliseconds since 1970, as in SQLite, so that both backends
-- read and write them alike. Record and change bodies are JSON text that only the server reads
-- back whole; no query looks inside them.

-- One life of this database. A restored copy gets a new epoch, and devices then resync.
CREATE TABLE server_meta (
    singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
    epoch      TEXT    NOT NULL,
    created_at BIGINT  NOT NULL
);

-- A One Stop Centre. `seq` is the last sequence number given to one of its changes. A push locks
-- its centre's row before it reads anything and bumps `seq` before it commits, so the pushes of
-- one centre run one at a time, in sequence order, and each commits before the next gets a number:
-- sequence order is commit order, on every instance. Pushes of different centres do not wait for
-- each other.
CREATE TABLE centres (
    id           TEXT    PRIMARY KEY,
    code         TEXT    NOT NULL UNIQUE,
    name         TEXT    NOT NULL,
    district     TEXT    NOT NULL DEFAULT '',
    state        TEXT    NOT NULL DEFAULT '',
    seq          BIGINT  NOT NULL DEFAULT 0 CHECK (seq >= 0),
    -- The same bounds as `LockMinutes` in the domain crate.
    lock_minutes INTEGER NOT NULL DEFAULT 5 CHECK (lock_minutes BETWEEN 1 AND 60),
    created_at   BIGINT  NOT NULL,
    set_up_at    BIGINT
);

-- The merged state of each record: the full field-stamped snapshot a pull sends (`body`), the
-- sequence number of the last change applied to it, the account whose push made it, and the
-- account its `assigned_to` field names (outreach workers see only records of one of the two).
CREATE TABLE records (
    id          TEXT   PRIMARY KEY,
    centre_id   TEXT   NOT NULL REFERENCES centres (id),
    kind        TEXT   NOT NULL,
    body        TEXT   NOT NULL,
    seq         BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    created_by  TEXT,
    assigned_to TEXT
);

-- Pulls read a centre's records in sequence order; one sequence number names one record at most.
CREATE UNIQUE INDEX records_by_centre_seq ON records (centre_id, seq);
CREATE INDEX records_by_creator ON records (centre_id, created_by, seq);
CREATE INDEX records_by_assignee ON records (centre_id, assigned_to, seq);

-- Every change accepted, as it was sent (`body`), so that a change sent again is recognised and
-- acknowledged without being applied twice.
CREATE TABLE changes (
    id          TEXT   PRIMARY KEY,
    record_id   TEXT   NOT NULL REFERENCES records (id),
    centre_id   TEXT   NOT NULL REFERENCES centres (id),
    device_id   TEXT   NOT NULL,
    seq         BIGINT NOT NULL,
    body        TEXT   NOT NULL,
    received_at BIGINT NOT NULL
);

CREATE INDEX changes_by_record ON changes (record_id);

-- Usernames are unique over all centres, since a login names no centre; kept in lower case.
CREATE TABLE accounts (
    id            TEXT    PRIMARY KEY,
    centre_id     TEXT    NOT NULL REFERENCES centres (id),
    username      TEXT    NOT NULL UNIQUE,
    display_name  TEXT    NOT NULL,
    role          TEXT    NOT NULL
                  CHECK (role IN ('administrator', 'counsellor', 'outreach_worker')),
    password_hash TEXT    NOT NULL,
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    BIGINT  NOT NULL
);

CREATE INDEX accounts_by_centre ON accounts (centre_id, created_at);

-- Only the SHA-256 of a token is kept: a copy of the database does not let anyone in.
CREATE TABLE sessions (
    token_hash   TEXT   PRIMARY KEY,
    account_id   TEXT   NOT NULL REFERENCES accounts (id),
    device_id    TEXT   NOT NULL,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    revoked_at   BIGINT
);

CREATE INDEX sessions_by_account ON sessions (account_id);

-- One-time codes to set up a centre: `first` for the server's first centre (printed at start),
-- `centre` for each later one (made by `sakhi-server centre add`, expiring). Only hashes are kept.
CREATE TABLE setup_codes (
    code_hash  TEXT   PRIMARY KEY,
    purpose    TEXT   NOT NULL CHECK (purpose IN ('first', 'centre')),
    created_at BIGINT NOT NULL,
    expires_at BIGINT,
    used_at    BIGINT
);

-- Who did what, when, from where, to which records. Never a record's content. Append-only: the
-- triggers below refuse every UPDATE, DELETE and TRUNCATE.
CREATE TABLE audit (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         BIGINT NOT NULL,
    centre_id  TEXT,
    account_id TEXT,
    username   TEXT,
    device_id  TEXT,
    address    TEXT,
    action     TEXT   NOT NULL,
    outcome    TEXT   NOT NULL,
    records    TEXT   NOT NULL DEFAULT '[]',
    detail     TEXT
);

CREATE INDEX audit_by_centre ON audit (centre_id, id);

CREATE FUNCTION audit_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$;

CREATE TRIGGER audit_is_append_only_no_update_or_delete BEFORE UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION audit_is_append_only();

CREATE TRIGGER audit_is_append_only_no_truncate BEFORE TRUNCATE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION audit_is_append_only();
