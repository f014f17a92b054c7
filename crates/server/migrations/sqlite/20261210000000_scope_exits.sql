-- Scope exits: which records left which account's own scope, and when, so that an outreach
-- worker's next pull tells her phone to remove a case that was assigned away from her.
-- Released migrations are never edited: add a new file instead.

-- One row per account and record: the sequence number of the change that last took the record
-- out of the account's scope. It is a number of the centre's counter, like a record's, so that a
-- pull interleaves exits with records and one cursor covers both. A change that brings the record
-- back deletes the row. `account_id` is what the record's `assigned_to` field held, which need not
-- name an account, so it has no foreign key. Records that left a scope before this table existed
-- have no row.
CREATE TABLE scope_exits (
    account_id TEXT    NOT NULL,
    record_id  TEXT    NOT NULL REFERENCES records (id),
    centre_id  TEXT    NOT NULL REFERENCES centres (id),
    seq        INTEGER NOT NULL,
    PRIMARY KEY (account_id, record_id)
) STRICT;

-- An outreach worker's pull reads her exits after a cursor, in sequence order.
CREATE INDEX scope_exits_by_account ON scope_exits (centre_id, account_id, seq);
