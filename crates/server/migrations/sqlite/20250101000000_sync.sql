-- The sync server's first schema: centres with their sequence counter, the database's epoch, the
-- current state of every record, and every change ever accepted.
-- Released migrations are never edited: add a new file instead.

-- One life of this database. A restored copy gets a new epoch, and devices then resync.
CREATE TABLE server_meta (
    singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
    epoch      TEXT    NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

-- A One Stop Centre. `seq` is the last sequence number given to one of its changes: it is bumped
-- inside the pushing transaction, so sequence order is commit order.
CREATE TABLE centres (
    id         TEXT    PRIMARY KEY,
    code       TEXT    NOT NULL UNIQUE,
    name       TEXT    NOT NULL,
    seq        INTEGER NOT NULL DEFAULT 0 CHECK (seq >= 0),
    created_at INTEGER NOT NULL
) STRICT;

-- The merged state of each record: the full field-stamped snapshot a pull sends (`body`, the
-- Record's JSON), and the sequence number of the last change applied to it.
CREATE TABLE records (
    id         TEXT    PRIMARY KEY,
    centre_id  TEXT    NOT NULL REFERENCES centres (id),
    kind       TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    seq        INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- Pulls read a centre's records in sequence order; one sequence number names one record at most.
CREATE UNIQUE INDEX records_by_centre_seq ON records (centre_id, seq);

-- Every change accepted, as it was sent (`body`, the Change's JSON), so that a change sent again
-- is recognised and acknowledged without being applied twice.
CREATE TABLE changes (
    id          TEXT    PRIMARY KEY,
    record_id   TEXT    NOT NULL REFERENCES records (id),
    centre_id   TEXT    NOT NULL REFERENCES centres (id),
    device_id   TEXT    NOT NULL,
    seq         INTEGER NOT NULL,
    body        TEXT    NOT NULL,
    received_at INTEGER NOT NULL
) STRICT;

CREATE INDEX changes_by_record ON changes (record_id);
