package storetest

import (
	"crypto/rand"
	"encoding/hex"
	"reflect"
	"testing"
	"time"

	"github.com/mediastore/mediastore"
)

// Run runs the store specification as parallel subtests of t. newStore is
// called once per subtest and must return a fresh, empty store.
func Run(t *testing.T, newStore func(t *testing.T) mediastore.MetadataStore) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s mediastore.MetadataStore)
	}{
		{"InsertGet", testInsertGet},
		{"InsertExtra", testInsertExtra},
		{"ReturnsCopies", testReturnsCopies},
		{"NotFound", testNotFound},
		{"OtherOwner", testOtherOwner},
		{"Conflict", testConflict},
		{"ListOrder", testListOrder},
		{"ListFilters", testListFilters},
		{"ListLimits", testListLimits},
		{"ListStableUnderInserts", testListStableUnderInserts},
		{"SetStatus", testSetStatus},
		{"SetStatusKeepsEmptyFields", testSetStatusKeepsEmptyFields},
		{"SetStatusWrongFrom", testSetStatusWrongFrom},
		{"SetStatusKeyConflict", testSetStatusKeyConflict},
		{"SetStatusRace", testSetStatusRace},
		{"SetStatusSystem", testSetStatusSystem},
		{"Delete", testDelete},
		{"Claim", testClaim},
		{"ClaimLease", testClaimLease},
		{"ClaimOrderAndLimit", testClaimOrderAndLimit},
		{"ClaimConcurrent", testClaimConcurrent},
		{"Invalid", testInvalid},
		{"Canceled", testCanceled},
		{"ScanRows", testScanRows},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, newStore(t))
		})
	}
}

// now is a base time at the stores' precision (microseconds).
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// unique returns prefix and random hex, for owners, providers and keys.
func unique(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// ready returns the params of a ready row of owner at provider.
func ready(owner, provider string) *mediastore.InsertParams {
	key := unique(owner + "/")
	return &mediastore.InsertParams{
		Owner: owner, Provider: provider, Key: key + ".png", Status: mediastore.StatusReady,
		Filename: "photo.png", ContentType: "image/png", ResourceType: "image", Size: 1234,
		SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		URL:    "https://cdn.example/" + key + ".png",
	}
}

// pending returns the params of a pending row expiring at exp.
func pending(owner, provider string, exp time.Time) *mediastore.InsertParams {
	p := ready(owner, provider)
	p.Status, p.ExpiresAt = mediastore.StatusPending, exp
	return p
}

// mustInsert inserts p or fails the test.
func mustInsert(t *testing.T, s mediastore.MetadataStore, p *mediastore.InsertParams) *mediastore.File {
	t.Helper()
	f, err := s.Insert(t.Context(), p)
	if err != nil {
		t.Fatalf("Insert(%s): %v", p.Key, err)
	}
	return f
}

// mustGet returns the owner's row id or fails the test.
func mustGet(t *testing.T, s mediastore.MetadataStore, owner, id string) *mediastore.File {
	t.Helper()
	f, err := s.Get(t.Context(), &mediastore.GetParams{Owner: owner, ID: id})
	if err != nil {
		t.Fatalf("Get(%s): %v", id, err)
	}
	return f
}

// requireKind fails the test unless err matches exactly the sentinel want.
func requireKind(t *testing.T, what string, err, want error) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: got no error, want %v", what, want)
	}
	if got := mediastore.KindOf(err); got != want {
		t.Fatalf("%s: got %v (kind %v), want kind %v", what, err, got, want)
	}
}

// requireSame fails the test unless got and want record the same row.
func requireSame(t *testing.T, got, want *mediastore.File) {
	t.Helper()
	if got == nil || want == nil {
		t.Fatalf("got %v, want %v", got, want)
	}
	type plain struct {
		ID, Owner, Provider, Key, Filename, ContentType, ResourceType, SHA256, ETag, URL string
		Status                                                                           mediastore.Status
		Size                                                                             int64
		Width, Height                                                                    int
	}
	flat := func(f *mediastore.File) plain {
		return plain{f.ID, f.Owner, f.Provider, f.Key, f.Filename, f.ContentType, f.ResourceType,
			f.SHA256, f.ETag, f.URL, f.Status, f.Size, f.Width, f.Height}
	}
	if flat(got) != flat(want) {
		t.Fatalf("row differs:\n got  %+v\n want %+v", flat(got), flat(want))
	}
	if !got.CreatedAt.Equal(want.CreatedAt) || !got.UpdatedAt.Equal(want.UpdatedAt) || !got.ExpiresAt.Equal(want.ExpiresAt) {
		t.Fatalf("times differ: got created %v updated %v expires %v, want %v %v %v",
			got.CreatedAt, got.UpdatedAt, got.ExpiresAt, want.CreatedAt, want.UpdatedAt, want.ExpiresAt)
	}
	if !reflect.DeepEqual(got.Extra, want.Extra) {
		t.Fatalf("Extra = %#v, want %#v", got.Extra, want.Extra)
	}
}

// requireMatches fails the test unless f holds what p inserted.
func requireMatches(t *testing.T, f *mediastore.File, p *mediastore.InsertParams) {
	t.Helper()
	want := &mediastore.File{
		ID: f.ID, Owner: p.Owner, Provider: p.Provider, Key: p.Key, Status: p.Status,
		Filename: p.Filename, ContentType: p.ContentType, ResourceType: p.ResourceType,
		Size: p.Size, SHA256: p.SHA256, URL: p.URL, Extra: p.Extra,
		CreatedAt: f.CreatedAt, UpdatedAt: f.UpdatedAt, ExpiresAt: p.ExpiresAt,
	}
	requireSame(t, f, want)
}
