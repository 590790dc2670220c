package mediastore

import (
	"errors"
	"testing"
	"time"
)

func TestCursorRoundTrip(t *testing.T) {
	t.Parallel()
	c := Cursor{CreatedAt: time.Date(2026, 12, 2, 5, 30, 0, 123456789, time.UTC), ID: "0b7c2c1e-8a7f-4d7e-9d1e-1b2c3d4e5f60"}
	text := c.String()
	got, err := ParseCursor(text)
	if err != nil {
		t.Fatal(err)
	}
	if !got.CreatedAt.Equal(c.CreatedAt) || got.ID != c.ID {
		t.Fatalf("round trip: got %+v, want %+v", got, c)
	}
}

func TestCursorTampered(t *testing.T) {
	t.Parallel()
	text := Cursor{CreatedAt: time.Unix(1700000000, 0), ID: "abc"}.String()
	bad := []string{"", "!!!", "e30", text[:len(text)-2], text + "A"}
	for i := 0; i < len(text); i++ {
		b := []byte(text)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		bad = append(bad, string(b))
	}
	for _, s := range bad {
		if _, err := ParseCursor(s); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseCursor(%q) err = %v, want ErrInvalid", s, err)
		}
	}
}

func FuzzParseCursor(f *testing.F) {
	f.Add(Cursor{CreatedAt: time.Unix(1700000000, 5), ID: "x"}.String())
	f.Add("")
	f.Add("AAAAAA")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCursor(s)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error without ErrInvalid: %v", err)
			}
			return
		}
		again, err := ParseCursor(c.String())
		if err != nil || !again.CreatedAt.Equal(c.CreatedAt) || again.ID != c.ID {
			t.Fatalf("re-encode of a valid cursor failed: %v", err)
		}
	})
}
