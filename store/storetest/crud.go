package storetest

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/mediastore/mediastore"
)

func testInsertGet(t *testing.T, s mediastore.MetadataStore) {
	ctx := t.Context()
	owner, provider := unique("owner-"), unique("prov-")
	p := pending(owner, provider, now().Add(time.Hour))
	f := mustInsert(t, s, p)
	if len(f.ID) != 36 || f.ID[8] != '-' {
		t.Fatalf("ID = %q, want a UUID", f.ID)
	}
	if f.CreatedAt.IsZero() || f.UpdatedAt.IsZero() {
		t.Fatalf("timestamps not set: %+v", f)
	}
	requireMatches(t, f, p)
	requireSame(t, mustGet(t, s, owner, f.ID), f)

	byKey, err := s.GetByKey(ctx, &mediastore.GetByKeyParams{Owner: owner, Provider: provider, Key: p.Key})
	if err != nil {
		t.Fatal(err)
	}
	requireSame(t, byKey, f)

	// Two rows get two IDs; a ready row has no expiry.
	r := mustInsert(t, s, ready(owner, provider))
	if r.ID == f.ID {
		t.Fatal("two rows share an ID")
	}
	if !r.ExpiresAt.IsZero() {
		t.Fatalf("ready row ExpiresAt = %v, want zero", r.ExpiresAt)
	}
}

func testInsertExtra(t *testing.T, s mediastore.MetadataStore) {
	owner := unique("owner-")
	p := ready(owner, unique("prov-"))
	// JSON numbers come back as float64, as encoding/json decodes them.
	p.Extra = map[string]any{
		"version": 1712345678.0,
		"format":  "png",
		"tags":    []any{"a", "b"},
		"image":   map[string]any{"dpi": 72.0, "alpha": true},
		"unicode": "ünï – 写真",
	}
	f := mustInsert(t, s, p)
	if !reflect.DeepEqual(f.Extra, p.Extra) {
		t.Fatalf("Insert Extra = %#v, want %#v", f.Extra, p.Extra)
	}
	if g := mustGet(t, s, owner, f.ID); !reflect.DeepEqual(g.Extra, p.Extra) {
		t.Fatalf("Get Extra = %#v, want %#v", g.Extra, p.Extra)
	}
	// No extras is nil, not an empty map.
	if g := mustInsert(t, s, ready(owner, p.Provider)); g.Extra != nil {
		t.Fatalf("Extra = %#v, want nil", g.Extra)
	}
}

func testReturnsCopies(t *testing.T, s mediastore.MetadataStore) {
	owner := unique("owner-")
	p := ready(owner, unique("prov-"))
	p.Extra = map[string]any{"k": "v"}
	f := mustInsert(t, s, p)
	p.Extra["k"] = "changed by the caller"
	f.Extra["k"] = "changed by the caller"
	f.Key = "changed"
	g := mustGet(t, s, owner, f.ID)
	if g.Extra["k"] != "v" || g.Key == "changed" {
		t.Fatalf("the store kept the caller's changes: %+v", g)
	}
	g.Extra["k"] = "again"
	if h := mustGet(t, s, owner, f.ID); h.Extra["k"] != "v" {
		t.Fatalf("the store kept the caller's changes: %+v", h)
	}
}

func testNotFound(t *testing.T, s mediastore.MetadataStore) {
	ctx := t.Context()
	owner, provider := unique("owner-"), unique("prov-")
	mustInsert(t, s, ready(owner, provider)) // the store is not empty
	missing := "00000000-0000-4000-8000-000000000000"
	for _, id := range []string{missing, "not-a-uuid", "00000000-0000-4000-8000-00000000000G"} {
		_, err := s.Get(ctx, &mediastore.GetParams{Owner: owner, ID: id})
		requireKind(t, "Get "+id, err, mediastore.ErrNotFound)
		_, err = s.SetStatus(ctx, &mediastore.SetStatusParams{ID: id, Owner: owner,
			From: mediastore.StatusReady, To: mediastore.StatusReady})
		requireKind(t, "SetStatus "+id, err, mediastore.ErrNotFound)
		_, err = s.SetStatus(ctx, &mediastore.SetStatusParams{ID: id,
			From: mediastore.StatusReady, To: mediastore.StatusReady})
		requireKind(t, "system SetStatus "+id, err, mediastore.ErrNotFound)
		err = s.Delete(ctx, &mediastore.DeleteParams{ID: id, Owner: owner, Status: mediastore.StatusReady})
		requireKind(t, "Delete "+id, err, mediastore.ErrNotFound)
		err = s.Delete(ctx, &mediastore.DeleteParams{ID: id, Status: mediastore.StatusReady})
		requireKind(t, "system Delete "+id, err, mediastore.ErrNotFound)
	}
	_, err := s.GetByKey(ctx, &mediastore.GetByKeyParams{Owner: owner, Provider: provider, Key: "missing"})
	requireKind(t, "GetByKey", err, mediastore.ErrNotFound)
}

func testOtherOwner(t *testing.T, s mediastore.MetadataStore) {
	ctx := t.Context()
	alice, bob, provider := unique("alice-"), unique("bob-"), unique("prov-")
	exp := now().Add(time.Hour)
	f := mustInsert(t, s, pending(alice, provider, exp))

	_, err := s.Get(ctx, &mediastore.GetParams{Owner: bob, ID: f.ID})
	requireKind(t, "Get", err, mediastore.ErrNotFound)
	_, err = s.GetByKey(ctx, &mediastore.GetByKeyParams{Owner: bob, Provider: provider, Key: f.Key})
	requireKind(t, "GetByKey", err, mediastore.ErrNotFound)
	_, err = s.SetStatus(ctx, &mediastore.SetStatusParams{ID: f.ID, Owner: bob,
		From: mediastore.StatusPending, To: mediastore.StatusReady, Object: &mediastore.Object{Key: "stolen"}})
	requireKind(t, "SetStatus", err, mediastore.ErrNotFound)
	// With the wrong From too: not found beats conflict for another owner.
	_, err = s.SetStatus(ctx, &mediastore.SetStatusParams{ID: f.ID, Owner: bob,
		From: mediastore.StatusReady, To: mediastore.StatusDeleting, ExpiresAt: exp})
	requireKind(t, "SetStatus wrong From", err, mediastore.ErrNotFound)
	err = s.Delete(ctx, &mediastore.DeleteParams{ID: f.ID, Owner: bob, Status: mediastore.StatusPending})
	requireKind(t, "Delete", err, mediastore.ErrNotFound)
	err = s.Delete(ctx, &mediastore.DeleteParams{ID: f.ID, Owner: bob, Status: mediastore.StatusReady})
	requireKind(t, "Delete wrong status", err, mediastore.ErrNotFound)
	res, err := s.List(ctx, &mediastore.ListParams{Owner: bob, Status: mediastore.StatusPending, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Files) != 0 {
		t.Fatalf("bob lists %d of alice's rows", len(res.Files))
	}

	// Alice's row is untouched.
	requireSame(t, mustGet(t, s, alice, f.ID), f)
}

func testConflict(t *testing.T, s mediastore.MetadataStore) {
	ctx := t.Context()
	alice, bob, provider := unique("alice-"), unique("bob-"), unique("prov-")
	p := ready(alice, provider)
	first := mustInsert(t, s, p)

	_, err := s.Insert(ctx, p)
	requireKind(t, "same owner", err, mediastore.ErrConflict)
	q := *p
	q.Owner = bob
	_, err = s.Insert(ctx, &q)
	requireKind(t, "other owner", err, mediastore.ErrConflict)
	if _, err := s.GetByKey(ctx, &mediastore.GetByKeyParams{Owner: bob, Provider: provider, Key: p.Key}); err == nil {
		t.Fatal("the conflicting insert was recorded")
	}
	requireSame(t, mustGet(t, s, alice, first.ID), first)

	// The same key at another provider is another object.
	r := *p
	r.Provider = unique("other-")
	mustInsert(t, s, &r)
}

func testInvalid(t *testing.T, s mediastore.MetadataStore) {
	ctx := t.Context()
	owner, provider := unique("owner-"), unique("prov-")
	f := mustInsert(t, s, pending(owner, provider, now().Add(time.Hour)))
	exp := now().Add(time.Hour)

	inserts := map[string]func(p *mediastore.InsertParams){
		"no owner":            func(p *mediastore.InsertParams) { p.Owner = "" },
		"no provider":         func(p *mediastore.InsertParams) { p.Provider = "" },
		"no key":              func(p *mediastore.InsertParams) { p.Key = "" },
		"no status":           func(p *mediastore.InsertParams) { p.Status = "" },
		"bad status":          func(p *mediastore.InsertParams) { p.Status = "gone" },
		"pending, no expiry":  func(p *mediastore.InsertParams) { p.Status, p.ExpiresAt = mediastore.StatusPending, time.Time{} },
		"deleting, no expiry": func(p *mediastore.InsertParams) { p.Status, p.ExpiresAt = mediastore.StatusDeleting, time.Time{} },
		"negative size":       func(p *mediastore.InsertParams) { p.Size = -1 },
		"NUL in key":          func(p *mediastore.InsertParams) { p.Key += "\x00" },
		"bad UTF-8 filename":  func(p *mediastore.InsertParams) { p.Filename = "a\xffb" },
		"huge key":            func(p *mediastore.InsertParams) { p.Key = string(make([]byte, 5000)) },
		"unencodable extra":   func(p *mediastore.InsertParams) { p.Extra = map[string]any{"f": func() {}} },
		"NUL in extra":        func(p *mediastore.InsertParams) { p.Extra = map[string]any{"s": "a\x00b"} },
	}
	for name, mutate := range inserts {
		p := ready(owner, provider)
		mutate(p)
		_, err := s.Insert(ctx, p)
		requireKind(t, "Insert "+name, err, mediastore.ErrInvalid)
	}
	_, err := s.Insert(ctx, nil)
	requireKind(t, "Insert nil", err, mediastore.ErrInvalid)

	_, err = s.Get(ctx, &mediastore.GetParams{ID: f.ID})
	requireKind(t, "Get no owner", err, mediastore.ErrInvalid)
	_, err = s.Get(ctx, &mediastore.GetParams{Owner: owner})
	requireKind(t, "Get no id", err, mediastore.ErrInvalid)
	_, err = s.Get(ctx, nil)
	requireKind(t, "Get nil", err, mediastore.ErrInvalid)
	for name, p := range map[string]*mediastore.GetByKeyParams{
		"no owner":    {Provider: provider, Key: f.Key},
		"no provider": {Owner: owner, Key: f.Key},
		"no key":      {Owner: owner, Provider: provider},
		"nil":         nil,
	} {
		_, err := s.GetByKey(ctx, p)
		requireKind(t, "GetByKey "+name, err, mediastore.ErrInvalid)
	}
	for name, p := range map[string]*mediastore.ListParams{
		"no owner":  {Status: mediastore.StatusReady, Limit: 10},
		"no status": {Owner: owner, Limit: 10},
		"bad cursor": {Owner: owner, Status: mediastore.StatusReady, Limit: 10,
			After: &mediastore.Cursor{CreatedAt: now(), ID: "x'; drop table files; --"}},
		"nil": nil,
	} {
		_, err := s.List(ctx, p)
		requireKind(t, "List "+name, err, mediastore.ErrInvalid)
	}
	for name, p := range map[string]*mediastore.SetStatusParams{
		"no id":               {Owner: owner, From: mediastore.StatusPending, To: mediastore.StatusReady},
		"bad from":            {ID: f.ID, Owner: owner, From: "x", To: mediastore.StatusReady},
		"bad to":              {ID: f.ID, Owner: owner, From: mediastore.StatusPending, To: ""},
		"deleting, no expiry": {ID: f.ID, Owner: owner, From: mediastore.StatusPending, To: mediastore.StatusDeleting},
		"pending, no expiry":  {ID: f.ID, Owner: owner, From: mediastore.StatusPending, To: mediastore.StatusPending},
		"negative size": {ID: f.ID, Owner: owner, From: mediastore.StatusPending, To: mediastore.StatusReady,
			Object: &mediastore.Object{Size: -5}},
		"NUL in object key": {ID: f.ID, Owner: owner, From: mediastore.StatusPending, To: mediastore.StatusReady,
			Object: &mediastore.Object{Key: "a\x00"}},
		"nil": nil,
	} {
		_, err := s.SetStatus(ctx, p)
		requireKind(t, "SetStatus "+name, err, mediastore.ErrInvalid)
	}
	for name, p := range map[string]*mediastore.DeleteParams{
		"no id":      {Owner: owner, Status: mediastore.StatusPending},
		"bad status": {ID: f.ID, Owner: owner, Status: "zombie"},
		"nil":        nil,
	} {
		err := s.Delete(ctx, p)
		requireKind(t, "Delete "+name, err, mediastore.ErrInvalid)
	}
	for name, p := range map[string]*mediastore.ClaimParams{
		"no provider": {Now: exp, Limit: 10, Lease: time.Minute},
		"no now":      {Provider: provider, Limit: 10, Lease: time.Minute},
		"zero limit":  {Provider: provider, Now: exp, Lease: time.Minute},
		"huge limit":  {Provider: provider, Now: exp, Limit: 1001, Lease: time.Minute},
		"no lease":    {Provider: provider, Now: exp, Limit: 10},
		"nil":         nil,
	} {
		_, err := s.ClaimExpired(ctx, p)
		requireKind(t, "ClaimExpired "+name, err, mediastore.ErrInvalid)
	}

	// Nothing was written or changed.
	requireSame(t, mustGet(t, s, owner, f.ID), f)
	for _, st := range []mediastore.Status{mediastore.StatusPending, mediastore.StatusReady, mediastore.StatusDeleting} {
		res, err := s.List(ctx, &mediastore.ListParams{Owner: owner, Status: st, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		if st == mediastore.StatusPending {
			want = 1
		}
		if len(res.Files) != want {
			t.Fatalf("%d %s rows after invalid calls, want %d", len(res.Files), st, want)
		}
	}
}

func testCanceled(t *testing.T, s mediastore.MetadataStore) {
	owner, provider := unique("owner-"), unique("prov-")
	f := mustInsert(t, s, pending(owner, provider, now().Add(-time.Hour)))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	requireCanceled := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("%s with a cancelled context = %v, want an error wrapping context.Canceled", what, err)
		}
	}
	p := ready(owner, provider)
	_, err := s.Insert(ctx, p)
	requireCanceled("Insert", err)
	_, err = s.Get(ctx, &mediastore.GetParams{Owner: owner, ID: f.ID})
	requireCanceled("Get", err)
	_, err = s.GetByKey(ctx, &mediastore.GetByKeyParams{Owner: owner, Provider: provider, Key: f.Key})
	requireCanceled("GetByKey", err)
	_, err = s.List(ctx, &mediastore.ListParams{Owner: owner, Status: mediastore.StatusPending, Limit: 10})
	requireCanceled("List", err)
	_, err = s.SetStatus(ctx, &mediastore.SetStatusParams{ID: f.ID, Owner: owner, From: mediastore.StatusPending, To: mediastore.StatusReady})
	requireCanceled("SetStatus", err)
	requireCanceled("Delete", s.Delete(ctx, &mediastore.DeleteParams{ID: f.ID, Owner: owner, Status: mediastore.StatusPending}))
	_, err = s.ClaimExpired(ctx, &mediastore.ClaimParams{Provider: provider, Now: now(), Limit: 10, Lease: time.Minute})
	requireCanceled("ClaimExpired", err)

	// Nothing was written or changed.
	_, err = s.GetByKey(t.Context(), &mediastore.GetByKeyParams{Owner: owner, Provider: provider, Key: p.Key})
	requireKind(t, "GetByKey of the cancelled Insert", err, mediastore.ErrNotFound)
	requireSame(t, mustGet(t, s, owner, f.ID), f)
}
