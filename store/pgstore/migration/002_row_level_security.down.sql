DROP POLICY mediastore_owner ON {{.Table}};
ALTER TABLE {{.Table}} DISABLE ROW LEVEL SECURITY;
