package storetest

import (
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/mediastore/mediastore"
)

func testSetStatus(t *testing.T, s mediastore.MetadataStore) {
	ctx := t.Context()
	owner, provider := unique("owner-"), unique("prov-")
	f := mustInsert(t, s, pending(owner, provider, now().Add(time.Hour)))

	obj := &mediastore.Object{
		Key: f.Key + ".final", Size: 98765, ContentType: "image/webp", ResourceType: "image",
		ETag: `"abc123"`, SHA256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		URL: "https://cdn.example/final", Width: 640, Height: 480,
		Extra: map[string]any{"version": 3.0},
	}
	g, err := s.SetStatus(ctx, &mediastore.SetStatusParams{ID: f.ID, Owner: owner,
		From: mediastore.StatusPending, To: mediastore.StatusReady, Object: obj})
	if err != nil {
		t.Fatal(err)
	}
	want := *f
	want.Status, want.Key, want.Size, want.ContentType, want.ResourceType = mediastore.StatusReady, obj.Key, obj.Size, obj.ContentType, obj.ResourceType
	want.ETag, want.SHA256, want.URL, want.Width, want.Height, want.Extra = obj.ETag, obj.SHA256, obj.URL, obj.Width, obj.Height, obj.Extra
	want.ExpiresAt = time.Time{} // cleared
	want.UpdatedAt = g.UpdatedAt
	requireSame(t, g, &want)
	if g.UpdatedAt.Before(f.UpdatedAt) {
		t.Fatalf("UpdatedAt went back: %v -> %v", f.UpdatedAt, g.UpdatedAt)
	}
	requireSame(t, mustGet(t, s, owner, f.ID), g)

	// The key was replaced: the row is found by the new key only.
	if _, err := s.GetByKey(ctx, &mediastore.GetByKeyParams{Owner: owner, Provider: provider, Key: obj.Key}); err != nil {
		t.Fatalf("GetByKey(new key): %v", err)
	}
	_, err = s.GetByKey(ctx, &mediastore.GetByKeyParams{Owner: owner, Provider: provider, Key: f.Key})
	requireKind(t, "GetByKey(old key)", err, mediastore.ErrNotFound)

	// ready -> deleting sets the expiry.
	exp := now().Add(10 * time.Minute)
	d, err := s.SetStatus(ctx, &mediastore.SetStatusParams{ID: f.ID, Owner: owner,
		From: mediastore.StatusReady, To: mediastore.StatusDeleting, ExpiresAt: exp})
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != mediastore.StatusDeleting || !d.ExpiresAt.Equal(exp) {
		t.Fatalf("after ready -> deleting: status %s expires %v, want deleting %v", d.Status, d.ExpiresAt, exp)
	}
	// The same status again is a valid compare-and-set (a new lease).
	exp2 := exp.Add(time.Minute)
	d, err = s.SetStatus(ctx, &mediastore.SetStatusParams{ID: f.ID, Owner: owner,
		From: mediastore.StatusDeleting, To: mediastore.StatusDeleting, ExpiresAt: exp2})
	if err != nil || !d.ExpiresAt.Equal(exp2) {
		t.Fatalf("deleting -> deleting: %v, expires %v, want %v", err, d.ExpiresAt, exp2)
	}
}

func testSetStatusKeepsEmptyFields(t *testing.T, s mediastore.MetadataStore) {
	owner := unique("owner-")
	p := pending(owner, unique("prov-"), now().Add(time.Hour))
	p.Extra = map[string]any{"kept": true}
	f := mustInsert(t, s, p)
	for _, obj := range []*mediastore.Object{nil, {}} {
		from := f.Status
		g, err := s.SetStatus(t.Context(), &mediastore.SetStatusParams{ID: f.ID, Owner: owner,
			From: from, To: mediastore.StatusReady, Object: obj})
		if err != nil {
			t.Fatal(err)
		}
		want := *f
		want.Status, want.ExpiresAt, want.UpdatedAt = mediastore.StatusReady, time.Time{}, g.UpdatedAt
		requireSame(t, g, &want)
		f = g
	}
	// Only the non-empty fields of an Object change the row.
	g, err := s.SetStatus(t.Context(), &mediastore.SetStatusParams{ID: f.ID, Owner: owner,
		From: mediastore.StatusReady, To: mediastore.StatusReady, Object: &mediastore.Object{Width: 10}})
	if err != nil {
		t.Fatal(err)
	}
	if g.Width != 10 || g.Height != f.Height || g.Size != f.Size || g.Key != f.Key || !reflect.DeepEqual(g.Extra, f.Extra) {
		t.Fatalf("partial Object: %+v, from %+v", g, f)
	}
}

func testSetStatusWrongFrom(t *testing.T, s mediastore.MetadataStore) {
	owner := unique("owner-")
	f := mustInsert(t, s, pending(owner, unique("prov-"), now().Add(time.Hour)))
	for _, sys := range []bool{false, true} {
		p := &mediastore.SetStatusParams{ID: f.ID, Owner: owner, From: mediastore.StatusReady,
			To: mediastore.StatusDeleting, ExpiresAt: now(), Object: &mediastore.Object{Key: "changed"}}
		if sys {
			p.Owner = ""
		}
		_, err := s.SetStatus(t.Context(), p)
		requireKind(t, "SetStatus wrong From", err, mediastore.ErrConflict)
	}
	requireSame(t, mustGet(t, s, owner, f.ID), f)
}

func testSetStatusKeyConflict(t *testing.T, s mediastore.MetadataStore) {
	owner, provider := unique("owner-"), unique("prov-")
	a := mustInsert(t, s, pending(owner, provider, now().Add(time.Hour)))
	b := mustInsert(t, s, ready(owner, provider))
	_, err := s.SetStatus(t.Context(), &mediastore.SetStatusParams{ID: a.ID, Owner: owner,
		From: mediastore.StatusPending, To: mediastore.StatusReady, Object: &mediastore.Object{Key: b.Key}})
	requireKind(t, "SetStatus to a taken key", err, mediastore.ErrConflict)
	requireSame(t, mustGet(t, s, owner, a.ID), a)
}

func testSetStatusRace(t *testing.T, s mediastore.MetadataStore) {
	owner := unique("owner-")
	f := mustInsert(t, s, pending(owner, unique("prov-"), now().Add(time.Hour)))
	const n = 8
	var wg sync.WaitGroup
	results := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.SetStatus(t.Context(), &mediastore.SetStatusParams{ID: f.ID, Owner: owner,
				From: mediastore.StatusPending, To: mediastore.StatusReady})
			results <- err
		}()
	}
	wg.Wait()
	close(results)
	won := 0
	for err := range results {
		if err == nil {
			won++
			continue
		}
		requireKind(t, "losing SetStatus", err, mediastore.ErrConflict)
	}
	if won != 1 {
		t.Fatalf("%d concurrent compare-and-sets won, want exactly 1", won)
	}
}

func testSetStatusSystem(t *testing.T, s mediastore.MetadataStore) {
	owner := unique("owner-")
	f := mustInsert(t, s, pending(owner, unique("prov-"), now().Add(time.Hour)))
	exp := now().Add(time.Minute)
	g, err := s.SetStatus(t.Context(), &mediastore.SetStatusParams{ID: f.ID,
		From: mediastore.StatusPending, To: mediastore.StatusDeleting, ExpiresAt: exp})
	if err != nil {
		t.Fatal(err)
	}
	if g.Owner != owner || g.Status != mediastore.StatusDeleting || !g.ExpiresAt.Equal(exp) {
		t.Fatalf("system SetStatus: %+v", g)
	}
	if err := s.Delete(t.Context(), &mediastore.DeleteParams{ID: f.ID, Status: mediastore.StatusDeleting}); err != nil {
		t.Fatalf("system Delete: %v", err)
	}
	_, err = s.Get(t.Context(), &mediastore.GetParams{Owner: owner, ID: f.ID})
	requireKind(t, "Get after system Delete", err, mediastore.ErrNotFound)
}

func testDelete(t *testing.T, s mediastore.MetadataStore) {
	ctx := t.Context()
	owner := unique("owner-")
	f := mustInsert(t, s, ready(owner, unique("prov-")))
	other := mustInsert(t, s, ready(owner, f.Provider))

	err := s.Delete(ctx, &mediastore.DeleteParams{ID: f.ID, Owner: owner, Status: mediastore.StatusDeleting})
	requireKind(t, "Delete in the wrong status", err, mediastore.ErrConflict)
	err = s.Delete(ctx, &mediastore.DeleteParams{ID: f.ID, Status: mediastore.StatusPending})
	requireKind(t, "system Delete in the wrong status", err, mediastore.ErrConflict)
	requireSame(t, mustGet(t, s, owner, f.ID), f)

	if err := s.Delete(ctx, &mediastore.DeleteParams{ID: f.ID, Owner: owner, Status: mediastore.StatusReady}); err != nil {
		t.Fatal(err)
	}
	_, err = s.Get(ctx, &mediastore.GetParams{Owner: owner, ID: f.ID})
	requireKind(t, "Get after Delete", err, mediastore.ErrNotFound)
	_, err = s.GetByKey(ctx, &mediastore.GetByKeyParams{Owner: owner, Provider: f.Provider, Key: f.Key})
	requireKind(t, "GetByKey after Delete", err, mediastore.ErrNotFound)
	err = s.Delete(ctx, &mediastore.DeleteParams{ID: f.ID, Owner: owner, Status: mediastore.StatusReady})
	requireKind(t, "second Delete", err, mediastore.ErrNotFound)

	// Only that row went; its key is free again.
	requireSame(t, mustGet(t, s, owner, other.ID), other)
	p := ready(owner, f.Provider)
	p.Key = f.Key
	mustInsert(t, s, p)
}
