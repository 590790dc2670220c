-- Row Level Security keyed on the per-transaction setting mediastore.owner,
-- which the store sets with set_config('mediastore.owner', $1, true) when
-- Config.RLS is on. ENABLE, not FORCE: the table owner and BYPASSRLS roles
-- (the migrator, the sweeper's SystemPool) are not filtered; every other
-- role sees, inserts, changes and deletes only the rows of that owner, and
-- none at all when the setting is unset.
ALTER TABLE {{.Table}} ENABLE ROW LEVEL SECURITY;

CREATE POLICY mediastore_owner ON {{.Table}}
    USING (owner = current_setting('mediastore.owner', true))
    WITH CHECK (owner = current_setting('mediastore.owner', true));
