package cloudinary

import (
	"strings"
	"testing"
)

func TestKeys(t *testing.T) {
	t.Parallel()
	p, _ := New(Config{CloudName: "c", APIKey: "k", APISecret: "s"})
	pf, _ := New(Config{CloudName: "c", APIKey: "k", APISecret: "s", Folder: "app/prod", DeliveryType: "authenticated"})
	for _, tc := range []struct {
		p        *Provider
		key, rt  string
		want     string
		wantFail bool
	}{
		{p, "owner/abc-photo.jpg", "image", "image/upload/owner/abc-photo", false},
		{p, "owner/abc-clip.MP4", "video", "video/upload/owner/abc-clip", false},
		{p, "owner/abc-report.pdf", "raw", "raw/upload/owner/abc-report.pdf", false},
		{p, "owner/abc-archive.tar.gz", "raw", "raw/upload/owner/abc-archive.tar.gz", false},
		{p, "owner/abc-archive.tar.gz", "auto", "auto/upload/owner/abc-archive.tar", false},
		{p, "owner/abc-noext", "image", "image/upload/owner/abc-noext", false},
		{p, "owner/.png", "image", "image/upload/owner/.png", false},
		{p, "/owner//a b?c&d#e%f<g>h\\i.png", "image", "image/upload/owner/a_b_c_d_e_f_g_h_i", false},
		{p, "owner/../x.png", "image", "image/upload/owner/_/x", false},
		{p, "ü/日本語-ファイル.png", "image", "image/upload/ü/日本語-ファイル", false},
		{pf, "owner/abc.png", "image", "image/authenticated/app/prod/owner/abc", false},
		{p, "///", "image", "", true},
		{pf, "///", "raw", "", true},
	} {
		r, ok := tc.p.mapKey(tc.key, tc.rt)
		if ok == tc.wantFail || ok && r.Key() != tc.want {
			t.Errorf("mapKey(%q, %s) = %q %v, want %q", tc.key, tc.rt, r.Key(), ok, tc.want)
		}
		if ok {
			back, ok := p.refOf(r.Key())
			if !ok || back != r {
				t.Errorf("refOf(%q) = %+v, want %+v", r.Key(), back, r)
			}
		}
	}
	long := "owner/" + strings.Repeat("é", 200) + ".pdf"
	r, _ := p.mapKey(long, "raw")
	if len(r.PublicID) > 255 || !strings.HasSuffix(r.PublicID, ".pdf") || !strings.HasPrefix(r.PublicID, "owner/éé") {
		t.Errorf("long key: %d bytes %q", len(r.PublicID), r.PublicID)
	}
	// A Client key is mapped with the resource type its extension suggests.
	for key, want := range map[string]string{
		"owner/abc.png": "image/upload/owner/abc", "owner/abc.txt": "raw/upload/owner/abc.txt",
		"owner/abc.mp3": "video/upload/owner/abc", "owner/abc": "auto/upload/owner/abc",
		"image/upload/owner/abc": "image/upload/owner/abc", "raw/private/x.y": "raw/private/x.y",
		"image/upload/a b.png": "image/upload/image/upload/a_b",
	} {
		if r, ok := p.refOf(key); !ok || r.Key() != want {
			t.Errorf("refOf(%q) = %q, want %q", key, r.Key(), want)
		}
	}
}

func TestResourceTypeOf(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ rt, ct, key, want string }{
		{"raw", "image/png", "a.png", "raw"},
		{"", "image/png", "a.bin", "image"},
		{"", "video/mp4", "a", "video"},
		{"", "audio/mpeg", "a", "video"},
		{"", "application/pdf", "a.pdf", "raw"},
		{"", "text/plain; charset=utf-8", "a", "raw"},
		{"", "", "a.JPG", "image"},
		{"", "", "a.unknownext", "auto"},
		{"", "", "a", "auto"},
	} {
		if got := resourceTypeOf(tc.rt, tc.ct, tc.key); got != tc.want {
			t.Errorf("resourceTypeOf(%q, %q, %q) = %s, want %s", tc.rt, tc.ct, tc.key, got, tc.want)
		}
	}
}
