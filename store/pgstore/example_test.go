package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/internal/testdb"
	"github.com/mediastore/mediastore/store/pgstore"
)

// The life of one row: migrate, record an upload intent, mark it ready,
// list it, and see that another owner cannot.
func Example() {
	ctx := context.Background()
	// A program opens its own pool:
	//	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	// Here the test harness hands one out, with a fresh schema.
	pool, schema := testdb.ExampleSchema(ctx)

	if _, err := pgstore.Migrate(ctx, pool, &pgstore.MigrateOpts{Schema: schema}); err != nil {
		log.Fatal(err)
	}
	store, err := pgstore.New(pool, &pgstore.Config{Schema: schema})
	if err != nil {
		log.Fatal(err)
	}

	f, err := store.Insert(ctx, &mediastore.InsertParams{
		Owner: "user_123", Provider: "disk", Key: "user_123/cat.png",
		Status: mediastore.StatusPending, Filename: "cat.png",
		ExpiresAt: time.Now().Add(15 * time.Minute),
	})
	if err != nil {
		log.Fatal(err)
	}
	f, err = store.SetStatus(ctx, &mediastore.SetStatusParams{
		ID: f.ID, Owner: "user_123", From: mediastore.StatusPending, To: mediastore.StatusReady,
		Object: &mediastore.Object{Size: 1234, ContentType: "image/png", ResourceType: "image"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(f.Key, f.Status, f.Size, f.ContentType)

	page, err := store.List(ctx, &mediastore.ListParams{Owner: "user_123", Status: mediastore.StatusReady, Limit: 10})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("listed:", len(page.Files), "last page:", page.Next == nil)

	_, err = store.Get(ctx, &mediastore.GetParams{Owner: "user_456", ID: f.ID})
	fmt.Println("another owner:", errors.Is(err, mediastore.ErrNotFound))

	// Output:
	// user_123/cat.png ready 1234 image/png
	// listed: 1 last page: true
	// another owner: true
}
