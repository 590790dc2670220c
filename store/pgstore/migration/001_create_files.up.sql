-- One table for the files of every provider. Keys compare in byte order
-- (COLLATE "C"), whatever the database's collation: exact equality, and
-- the (provider, key) index serves ScanRows' key order.
CREATE TABLE {{.Table}} (
    id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    owner         text        NOT NULL CHECK (owner <> ''),
    provider      text        NOT NULL CHECK (provider <> ''),
    key           text        COLLATE "C" NOT NULL CHECK (key <> ''),
    status        text        NOT NULL CHECK (status IN ('pending', 'ready', 'deleting')),
    filename      text        NOT NULL DEFAULT '',
    content_type  text        NOT NULL DEFAULT '',
    resource_type text        NOT NULL DEFAULT '',
    size          bigint      NOT NULL DEFAULT 0 CHECK (size >= 0),
    sha256        text        NOT NULL DEFAULT '',
    etag          text        NOT NULL DEFAULT '',
    url           text        NOT NULL DEFAULT '',
    width         integer     NOT NULL DEFAULT 0,
    height        integer     NOT NULL DEFAULT 0,
    extra         jsonb,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz,
    CONSTRAINT {{.Name "provider_key_key"}} UNIQUE (provider, key)
);

-- The owner's listing: newest first by keyset (created_at, id).
CREATE INDEX {{.Name "owner_list_idx"}}
    ON {{.Table}} (owner, status, created_at DESC, id DESC);

-- The same listing filtered by resource type.
CREATE INDEX {{.Name "owner_type_list_idx"}}
    ON {{.Table}} (owner, status, resource_type, created_at DESC, id DESC);

-- The sweeper's work only: pending intents and deleting tombstones.
CREATE INDEX {{.Name "sweep_idx"}}
    ON {{.Table}} (provider, expires_at)
    WHERE status IN ('pending', 'deleting');
