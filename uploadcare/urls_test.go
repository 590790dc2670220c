package uploadcare

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/internal/fakes/uploadcarefake"
)

const exampleUUID = "22240276-2f06-41f8-9411-755c8ce926ed"

func TestOpsBuilder(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		ops  Ops
		want string
	}{
		{Ops{}, ""},
		{Ops{}.Resize(800, 0), "-/resize/800x/"},
		{Ops{}.Resize(0, 600), "-/resize/x600/"},
		{Ops{}.Preview(0, 0), "-/preview/"},
		{Ops{}.Preview(100, 100), "-/preview/100x100/"},
		{Ops{}.Crop(300, 200, ""), "-/crop/300x200/"},
		{Ops{}.Crop(300, 200, "50p,50p"), "-/crop/300x200/50p,50p/"},
		{Ops{}.ScaleCrop(300, 200, AlignSmart), "-/scale_crop/300x200/smart/"},
		{Ops{}.Format("webp").Quality(QualitySmart), "-/format/webp/-/quality/smart/"},
		{Ops{}.Raw("-/grayscale/").Raw("blur/50").Raw(""), "-/grayscale/-/blur/50/"},
	} {
		if got := tc.ops.String(); got != tc.want {
			t.Errorf("ops = %q, want %q", got, tc.want)
		}
	}
	// Chains do not share their steps.
	base := Ops{}.Preview(10, 10)
	a, b := base.Format("png"), base.Format("webp")
	if a.String() != "-/preview/10x10/-/format/png/" || b.String() != "-/preview/10x10/-/format/webp/" || base.Len() != 1 {
		t.Fatalf("chains interfere: %s %s %s", a, b, base)
	}
}

func TestFromTransform(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		tr   mediastore.Transform
		want string
	}{
		{mediastore.Transform{}, ""},
		{mediastore.Transform{Width: 800}, "-/resize/800x/"},
		{mediastore.Transform{Width: 800, Height: 600, Crop: "scale"}, "-/resize/800x600/"},
		{mediastore.Transform{Width: 800, Height: 600, Crop: "fit"}, "-/preview/800x600/"},
		{mediastore.Transform{Width: 10, Height: 10, Crop: "fill", Format: "webp"}, "-/scale_crop/10x10/center/-/format/webp/"},
		{mediastore.Transform{Width: 10, Height: 10, Crop: "fill", Gravity: "face"}, "-/scale_crop/10x10/smart_faces/"},
		{mediastore.Transform{Width: 10, Height: 10, Crop: "crop", Gravity: "north"}, "-/crop/10x10/50p,0p/"},
		{mediastore.Transform{Quality: 85, Format: "jpg"}, "-/quality/better/-/format/jpeg/"},
		{mediastore.Transform{Quality: 10}, "-/quality/lightest/"},
		{mediastore.Transform{Raw: []string{"grayscale", "-/blur/50/"}}, "-/grayscale/-/blur/50/"},
	} {
		ops, err := FromTransform(&tc.tr)
		if err != nil || ops.String() != tc.want {
			t.Errorf("FromTransform(%+v) = %q, %v; want %q", tc.tr, ops, err, tc.want)
		}
	}
	for _, tr := range []mediastore.Transform{
		{Width: -1},
		{Width: 10, Crop: "fill"},
		{Width: 10, Height: 10, Crop: "crop", Gravity: "face"},
		{Crop: "stretch"},
		{Gravity: "up"},
		{Quality: 101},
		{Format: "bmp"},
		{Raw: []string{"resize/10x/?x=1"}},
	} {
		_, err := FromTransform(&tr)
		requireKind(t, err, mediastore.ErrInvalid)
	}
	_, err := FromTransform(&mediastore.Transform{Width: 10, Height: 10, Crop: "pad"})
	requireKind(t, err, mediastore.ErrUnsupported)
}

func TestPublicURLs(t *testing.T) {
	t.Parallel()
	p, b := setup(t, uploadcarefake.Options{}, nil)
	obj := mustPut(t, p, "u/01url-photo.txt", []byte("bytes!"), textPut(6))
	ctx := t.Context()
	u, err := p.URL(ctx, obj.Key, &mediastore.URLOptions{Expiry: time.Minute, Signed: true})
	if err != nil || u != b.fake.CDNURL+"/"+obj.Key+"/" {
		t.Fatalf("URL = %q, %v", u, err)
	}
	u, err = p.URL(ctx, obj.Key, &mediastore.URLOptions{DownloadName: "my photo/1.txt"})
	if want := b.fake.CDNURL + "/" + obj.Key + "/-/inline/no/my%20photo_1.txt"; err != nil || u != want {
		t.Fatalf("URL with DownloadName = %q, %v; want %q", u, err, want)
	}
	resp := get(t, u)
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") {
		t.Errorf("Content-Disposition %q, want attachment", cd)
	}
	u, err = p.TransformURL(ctx, obj.Key, &mediastore.Transform{Width: 640}, &mediastore.URLOptions{})
	if want := b.fake.CDNURL + "/" + obj.Key + "/-/resize/640x/"; err != nil || u != want {
		t.Fatalf("TransformURL = %q, %v; want %q", u, err, want)
	}
	_, err = p.TransformURL(ctx, obj.Key, &mediastore.Transform{Crop: "pad", Width: 1, Height: 1}, &mediastore.URLOptions{})
	requireKind(t, err, mediastore.ErrUnsupported)
	if !strings.Contains(err.Error(), obj.Key) {
		t.Errorf("TransformURL error %q does not name the key", err)
	}
	if got := p.CDNURL(exampleUUID, Ops{}.Preview(100, 100), "pineapple.jpg"); got != b.fake.CDNURL+"/"+exampleUUID+"/-/preview/100x100/pineapple.jpg" {
		t.Errorf("CDNURL = %q", got)
	}
}

func get(t *testing.T, u string) *http.Response {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func TestSecureDelivery(t *testing.T) {
	t.Parallel()
	p, b := setup(t, uploadcarefake.Options{SecureDeliverySecret: testSecureSecret}, nil)
	now := time.Unix(1633996800, 0)
	p.now = func() time.Time { return now }
	// pyuploadcare's vector, through URL.
	const uuid = "52da3bfc-7cd8-4861-8b05-126fef7a6994"
	u, err := p.URL(t.Context(), uuid, &mediastore.URLOptions{Expiry: 300 * time.Second})
	want := b.fake.CDNURL + "/" + uuid + "/?token=exp=1633997100~acl=/" + uuid + "/~hmac=81852547d9dbd9eefd24bee2cada6eab02244b9013533bc8511511923098df72"
	if err != nil || u != want {
		t.Fatalf("URL = %q, %v; want %q", u, err, want)
	}
	if u, _ := p.SignedURL(uuid, Ops{}, "", 300*time.Second); u != want {
		t.Fatalf("SignedURL = %q, want %q", u, want)
	}

	p.now = time.Now
	obj := mustPut(t, p, "u/01sec-s.txt", []byte("secret bytes"), textPut(12))
	unsigned := b.fake.CDNURL + "/" + obj.Key + "/"
	if code := get(t, unsigned).StatusCode; code != 403 {
		t.Fatalf("unsigned URL: %d, want 403", code)
	}
	for name, opts := range map[string]*mediastore.URLOptions{
		"Plain":    {Expiry: time.Minute},
		"Download": {Expiry: time.Minute, DownloadName: "report (final).txt"},
	} {
		u, err := p.URL(t.Context(), obj.Key, opts)
		if err != nil {
			t.Fatal(err)
		}
		if code := get(t, u).StatusCode; code != 200 {
			t.Errorf("%s: signed URL %s: %d, want 200", name, u, code)
		}
	}
	u, _ = p.TransformURL(t.Context(), obj.Key, &mediastore.Transform{Width: 10}, &mediastore.URLOptions{Expiry: time.Minute})
	if code := get(t, u).StatusCode; code != 200 {
		t.Errorf("signed transform URL %s: %d", u, code)
	}
	// The token covers only its path: not other operations.
	if code := get(t, strings.Replace(u, "/-/resize/10x/", "/-/resize/2000x/", 1)).StatusCode; code != 403 {
		t.Errorf("token reused for other operations: %d, want 403", code)
	}
	// An expired token.
	p.now = func() time.Time { return time.Now().Add(-time.Hour) }
	u, _ = p.URL(t.Context(), obj.Key, &mediastore.URLOptions{Expiry: time.Minute})
	if code := get(t, u).StatusCode; code != 403 {
		t.Errorf("expired token: %d, want 403", code)
	}
	p.now = time.Now

	// ReadRange signs its CDN request too.
	rc, err := p.ReadRange(t.Context(), obj.Key, 7, 5)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if string(got) != "bytes" {
		t.Fatalf("ReadRange = %q", got)
	}
}

func TestReadRangeEdges(t *testing.T) {
	t.Parallel()
	p, _ := setup(t, uploadcarefake.Options{}, nil)
	obj := mustPut(t, p, "u/01r-r.txt", []byte("0123456789"), textPut(10))
	for _, tc := range []struct {
		off, n int64
		want   string
	}{{0, 0, ""}, {10, 5, ""}, {20, -1, ""}, {8, -1, "89"}, {0, 3, "012"}} {
		rc, err := p.ReadRange(t.Context(), obj.Key, tc.off, tc.n)
		if err != nil {
			t.Fatalf("ReadRange(%d, %d): %v", tc.off, tc.n, err)
		}
		got, _ := io.ReadAll(rc)
		rc.Close()
		if string(got) != tc.want {
			t.Errorf("ReadRange(%d, %d) = %q, want %q", tc.off, tc.n, got, tc.want)
		}
	}
	_, err := p.ReadRange(t.Context(), obj.Key, -1, 2)
	requireKind(t, err, mediastore.ErrInvalid)
	_, err = p.ReadRange(t.Context(), "not-a-uuid", 0, 2)
	requireKind(t, err, mediastore.ErrNotFound)
}
