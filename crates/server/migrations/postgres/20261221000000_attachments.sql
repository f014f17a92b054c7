-- The content of attachments (photos, documents, voice notes), kept in the database beside their
-- records so that one backup holds a case and its files together. `attachment_contents` has a row
-- once the first chunk of an attachment arrives, with the size and SHA-256 its record declares;
-- `complete_at` is set once every chunk is there and the whole matched the SHA-256.
-- Released migrations are never edited: add a new file instead.
CREATE TABLE attachment_contents (
    record_id   TEXT    PRIMARY KEY,
    centre_id   TEXT    NOT NULL,
    case_id     TEXT    NOT NULL,
    size        BIGINT  NOT NULL CHECK (size > 0),
    sha256      TEXT    NOT NULL,
    chunks      INTEGER NOT NULL CHECK (chunks > 0),
    complete_at BIGINT,
    -- The content of a record of its own centre.
    FOREIGN KEY (record_id, centre_id) REFERENCES records (id, centre_id)
);

-- What a case and a centre hold, for their limits.
CREATE INDEX attachment_contents_by_case ON attachment_contents (centre_id, case_id);

-- Each chunk as it arrived; a chunk sent again is the same row.
CREATE TABLE attachment_chunks (
    record_id TEXT    NOT NULL REFERENCES attachment_contents (record_id),
    n         INTEGER NOT NULL CHECK (n >= 0),
    bytes     BYTEA   NOT NULL,
    PRIMARY KEY (record_id, n)
);
