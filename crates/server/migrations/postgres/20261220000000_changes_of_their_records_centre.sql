-- A change belongs to a record of its own centre: one foreign key on both columns says so, where
-- two said less (a record, and a centre, not necessarily the record's). It is also half the
-- checks: each change inserted was checked against its centre's row, which the push holds locked
-- to take its turn, and those checks cost PostgreSQL more than the insert itself.
-- Released migrations are never edited: add a new file instead.
CREATE UNIQUE INDEX records_in_centre ON records (id, centre_id);
ALTER TABLE changes DROP CONSTRAINT changes_record_id_fkey;
ALTER TABLE changes DROP CONSTRAINT changes_centre_id_fkey;
ALTER TABLE changes ADD CONSTRAINT changes_of_a_record_of_its_centre
    FOREIGN KEY (record_id, centre_id) REFERENCES records (id, centre_id);
