package mediastore

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSanitizeFilename(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want string }{
		{"photo.JPG", "photo.jpg"},
		{"../../etc/passwd", "passwd"},
		{"/abs/path/x.png", "x.png"},
		{`C:\Users\me\cat.gif`, "cat.gif"},
		{"a/b", "b"},
		{"..", ""},
		{"...", ""},
		{"", ""},
		{".bashrc", "bashrc"},
		{"my photo (1).jpeg", "my-photo-1.jpeg"},
		{"evil\x00name\n.png", "evil-name.png"},
		{"über café.mp4", "ber-caf.mp4"},
		{"a..b..c.txt", "a.b.c.txt"},
		{"x.tar.gz", "x.tar.gz"},
		{".png", "png"},
		{"name.", "name"},
		{"résumé", "r-sum"},
	}
	for _, c := range cases {
		if got := SanitizeFilename(c.in); got != c.want {
			t.Errorf("SanitizeFilename(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestSanitizeFilenameBounds(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 10_000) + ".png"
	got := SanitizeFilename(long)
	if len(got) > maxNameLen || !strings.HasSuffix(got, ".png") {
		t.Fatalf("10 KB name sanitized to %d bytes %q", len(got), got[:20])
	}
	ctrl := string([]byte{1, 2, 3, 0x7f, 0x1b}) + "x.jpg"
	if got := SanitizeFilename(ctrl); got != "x.jpg" {
		t.Fatalf("control characters: got %q", got)
	}
}

func FuzzSanitizeFilename(f *testing.F) {
	for _, s := range []string{"../../etc/passwd", "a/b", "x.png", "\x00", strings.Repeat("é", 300), ".", "..", "a..b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := SanitizeFilename(in)
		if len(out) > maxNameLen {
			t.Fatalf("too long: %d", len(out))
		}
		if strings.Contains(out, "..") || strings.ContainsAny(out, "/\\") || strings.HasPrefix(out, ".") {
			t.Fatalf("unsafe: %q", out)
		}
		if !utf8.ValidString(out) {
			t.Fatalf("invalid utf8: %q", out)
		}
		for _, r := range out {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
				t.Fatalf("unexpected rune %q in %q", r, out)
			}
		}
		if SanitizeFilename(out) != out {
			t.Fatalf("not idempotent: %q -> %q", out, SanitizeFilename(out))
		}
		k := makeKey(in, "u1", out, "image/png")
		if strings.Contains(k, "..") || strings.HasPrefix(k, "/") || strings.Count(k, "/") != 1 {
			t.Fatalf("unsafe key %q", k)
		}
	})
}

func TestMakeKey(t *testing.T) {
	t.Parallel()
	cases := []struct{ owner, name, ct, want string }{
		{"user_123", "cat.png", "image/png", "user_123/ID-cat.png"},
		{"user_123", "", "image/jpeg", "user_123/ID-file.jpg"},
		{"user_123", "notes", "text/plain; charset=utf-8", "user_123/ID-notes.txt"},
		{"../evil", "x.gif", "image/gif", "evil/ID-x.gif"},
		{"日本", "x.gif", "image/gif", "owner/ID-x.gif"},
	}
	for _, c := range cases {
		if got := makeKey(c.owner, "ID", c.name, c.ct); got != c.want {
			t.Errorf("makeKey(%q, %q, %q) = %q, want %q", c.owner, c.name, c.ct, got, c.want)
		}
	}
	a, b := newUniqueID(), newUniqueID()
	if a == b || len(a) != 20 {
		t.Fatalf("unique ids %q %q", a, b)
	}
}

func TestValidOwner(t *testing.T) {
	t.Parallel()
	for _, o := range []string{"", "a\nb", strings.Repeat("x", 257), "\xff"} {
		if validOwner(o) {
			t.Errorf("validOwner(%q) = true", o)
		}
	}
	for _, o := range []string{"user_123", "alice@example.com", "日本"} {
		if !validOwner(o) {
			t.Errorf("validOwner(%q) = false", o)
		}
	}
}
