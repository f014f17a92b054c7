-- At most how many days outreach workers' phones keep the cases they synced, chosen by one of the
-- centre's administrators (`PATCH /api/v1/centre`); NULL for no limit, as every centre starts.
-- The phones do the purging; the server keeps the setting and sends it with the centre.
-- Released migrations are never edited: add a new file instead.

-- The same bounds as `PurgeDays` in the domain crate: a value the app could not use cannot be
-- stored, whichever code writes it.
ALTER TABLE centres ADD COLUMN purge_days INTEGER CHECK (purge_days BETWEEN 1 AND 365);
