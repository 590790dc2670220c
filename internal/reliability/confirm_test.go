package reliability

import (
	"errors"
	"testing"

	"github.com/mediastore/mediastore"
)

// TestConfirmRaceKeepsReadyObject: two confirms of one direct upload run
// at once, by two Clients whose limits differ (a rolling deploy that
// lowers MaxSize). One records the file; the other, refusing it, must not
// delete the object of the row the first made ready.
func TestConfirmRaceKeepsReadyObject(t *testing.T) {
	t.Parallel()
	e := newS3Env(t)
	ctx := t.Context()
	content := pngBytes(64<<10, 11)
	tk, err := e.direct.PrepareUpload(ctx, "alice", &mediastore.PrepareRequest{Filename: "d.png", ContentType: "image/png"})
	must(t, err)
	putTicket(t, e.srv.HTTPClient(), tk, content)

	// The strict Client refuses the object; just before its clean-up
	// starts (its first call after the checks), the other Client's
	// confirm records it.
	var accepted *mediastore.File
	hook := func(ev event) {
		cleanup := ev.dep == "s3" && ev.op == "Delete" || ev.dep == "pg" && (ev.op == "Delete" || ev.op == "SetStatus")
		if cleanup && !ev.after && accepted == nil {
			accepted, err = e.direct.ConfirmUpload(ctx, "alice", &mediastore.ConfirmRequest{Key: tk.Key})
			must(t, err)
		}
	}
	strict, err := mediastore.New(newHookProvider(e.dprov, hook), &hookStore{MetadataStore: e.dstore, hook: hook},
		&mediastore.Config{MaxSize: 32 << 10, Test: mediastore.TestConfig{Now: e.clock.Now}})
	must(t, err)
	if _, err := strict.ConfirmUpload(ctx, "alice", &mediastore.ConfirmRequest{Key: tk.Key}); !errors.Is(err, mediastore.ErrTooLarge) {
		t.Fatalf("the strict confirm: %v, want ErrTooLarge", err)
	}
	if accepted == nil {
		t.Fatal("the refusal deleted nothing: the race was not staged")
	}
	st := e.readState(t)
	if st.rows[tk.Key] != string(mediastore.StatusReady) || !st.objects[tk.Key] {
		t.Fatalf("the recorded file lost its object: %s", describe(st))
	}
}
