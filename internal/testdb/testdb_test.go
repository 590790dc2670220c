package testdb_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

func exists(t *testing.T, sql, name string) bool {
	t.Helper()
	var ok bool
	if err := testdb.Pool(context.Background(), t).QueryRow(context.Background(), sql, name).Scan(&ok); err != nil {
		t.Fatal(err)
	}
	return ok
}

const (
	schemaExists = "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)"
	roleExists   = "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)"
)

func TestSchemaAndRoleAreDropped(t *testing.T) {
	var schema, role string
	t.Run("inner", func(t *testing.T) {
		schema = testdb.MigratedSchema(t.Context(), t)
		var url string
		role, url = testdb.Role(t.Context(), t)
		if !exists(t, schemaExists, schema) || !exists(t, roleExists, role) {
			t.Fatal("schema or role not made")
		}
		// The role can log in, and is no superuser.
		conn, err := pgx.Connect(t.Context(), url)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
		var super string
		if err := conn.QueryRow(t.Context(), "SELECT current_setting('is_superuser')").Scan(&super); err != nil || super != "off" {
			t.Fatalf("is_superuser = %q (%v)", super, err)
		}
	})
	if exists(t, schemaExists, schema) {
		t.Errorf("schema %s survived its test", schema)
	}
	if exists(t, roleExists, role) {
		t.Errorf("role %s survived its test", role)
	}
}

func TestStoresAreIsolated(t *testing.T) {
	t.Parallel()
	a := testdb.Store(t.Context(), t, nil)
	b := testdb.Store(t.Context(), t, nil)
	f, err := a.Insert(t.Context(), &mediastore.InsertParams{Owner: "o", Provider: "disk", Key: "k", Status: mediastore.StatusReady})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Get(t.Context(), &mediastore.GetParams{Owner: "o", ID: f.ID}); mediastore.KindOf(err) != mediastore.ErrNotFound {
		t.Fatalf("the other store's Get = %v, want ErrNotFound", err)
	}
	// The same key is free in the other store.
	if _, err := b.Insert(t.Context(), &mediastore.InsertParams{Owner: "o", Provider: "disk", Key: "k", Status: mediastore.StatusReady}); err != nil {
		t.Fatal(err)
	}
}

func TestSimpleProtocolPool(t *testing.T) {
	t.Parallel()
	pool := testdb.NewPool(t.Context(), t, testdb.SimpleProtocol)
	if mode := pool.Config().ConnConfig.DefaultQueryExecMode; mode != pgx.QueryExecModeSimpleProtocol {
		t.Fatalf("exec mode = %v", mode)
	}
	var n int
	if err := pool.QueryRow(t.Context(), "SELECT $1::int + 1", 41).Scan(&n); err != nil || n != 42 {
		t.Fatalf("got %d, %v", n, err)
	}
}
