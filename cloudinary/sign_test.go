package cloudinary

import (
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudinary/cloudinary-go/v2/api/uploader"
	cldasset "github.com/cloudinary/cloudinary-go/v2/asset"
	"github.com/cloudinary/cloudinary-go/v2/config"
	"github.com/mediastore/mediastore"
)

// cldMu serializes cloudinary-go's config constructors, which write a
// package-level decoder (a data race in v2.16.1 when two run at once).
var cldMu sync.Mutex

func cldConfig(cloud, key, secret string) *config.Configuration {
	cldMu.Lock()
	defer cldMu.Unlock()
	c, err := config.NewFromParams(cloud, key, secret)
	if err != nil {
		panic(err)
	}
	return c
}

// Every vector of /work/shared/providers.md §1 (A–H), §2 and §5, each
// published by Cloudinary (docs) or in an official SDK's tests.
func TestSignParamsVectors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		params  url.Values
		version int
		secret  string
		algo    string
		want    string
	}{
		{"A", url.Values{"eager": {"w_400,h_300,c_pad|w_260,h_200,c_crop"}, "public_id": {"sample_image"}, "timestamp": {"1315060510"}},
			2, "abcd", "sha1", "bfd09f95f331f558cbd1320e67aa8d488770583e"},
		{"B", url.Values{"timestamp": {"1315060510"}}, 2, "abcd", "sha1", "a21ad0f63beb4de2e5575204b79ab90bffb02c10"},
		{"C", url.Values{"cloud_name": {"dn6ot3ged"}, "timestamp": {"1568810420"}, "username": {"user@cloudinary.com"}},
			2, "hdcixPpR2iKERPwqvH6sHdK9cyac", "sha1", "14c00ba6d0dfdedbc86b316847d95b9e6cd46d94"},
		{"D", url.Values{"cloud_name": {"dn6ot3ged"}, "timestamp": {"1568810420"}, "username": {"user@cloudinary.com"}},
			2, "hdcixPpR2iKERPwqvH6sHdK9cyac", "sha256", "45ddaa4fa01f0c2826f32f669d2e4514faf275fe6df053f1a150e7beae58a3bd"},
		{"E", url.Values{"cloud_name": {"dn6ot3ged"}, "notification_url": {"https://fake.com/callback?a=1&tags=hello,world"}, "timestamp": {"1568810420"}},
			2, "hdcixPpR2iKERPwqvH6sHdK9cyac", "sha1", "4fdf465dd89451cc1ed8ec5b3e314e8a51695704"},
		{"F", url.Values{"cloud_name": {"dn6ot3ged"}, "notification_url": {"https://fake.com/callback?a=1&tags=hello,world"}, "timestamp": {"1568810420"}},
			1, "hdcixPpR2iKERPwqvH6sHdK9cyac", "sha1", "7b4e3a539ff1fa6e6700c41b3a2ee77586a025f9"},
		{"G", url.Values{"timestamp": {"123456789"}}, 2, "secret", "sha256", "06dbb2b05a8fdce468026e104596e6b8009dee3d08a6a62956ee7fef9aef8c74"},
		{"H", url.Values{"context": {"alt=x"}, "overwrite": {"true"}, "public_id": {"folder/my id"}, "tags": {"a", "b"}, "timestamp": {"1315060510"}},
			2, "secret", "sha1", "9af5e2cab9320b8f30b409ae592c2b8dcd95dcab"},
	} {
		got, err := signParams(tc.params, tc.secret, tc.algo, tc.version)
		if err != nil || got != tc.want {
			t.Errorf("vector %s: %s %v, want %s", tc.name, got, err, tc.want)
		}
	}
	if _, err := signParams(url.Values{"public_id": {"x"}}, "s", "sha1", 2); err == nil {
		t.Error("signParams without timestamp: no error (cloudinary-go would sign time.Now)")
	}
}

// signRequest is what goes on the wire: vector H with the unsigned
// parameters present (cloudinary-go's own Upload produces this signature).
func TestSignRequestVectorH(t *testing.T) {
	t.Parallel()
	p, err := New(Config{CloudName: "test123", APIKey: "key", APISecret: "secret",
		Test: TestConfig{Now: func() time.Time { return time.Unix(1315060510, 0) }}})
	if err != nil {
		t.Fatal(err)
	}
	params := url.Values{"context": {"alt=x"}, "overwrite": {"true"}, "public_id": {"folder/my id"}, "tags": {"a,b"},
		"resource_type": {"image"}, "file": {"ignored"}, "folder": {""}}
	if err := p.signRequest(params); err != nil {
		t.Fatal(err)
	}
	if params.Get("signature") != "9af5e2cab9320b8f30b409ae592c2b8dcd95dcab" || params.Get("timestamp") != "1315060510" || params.Get("api_key") != "key" {
		t.Errorf("signRequest: %v", params)
	}
	// SHA-256 product environments (vector G).
	p.cfg.SignatureAlgorithm = "sha256"
	p.cfg.Test.Now = func() time.Time { return time.Unix(123456789, 0) }
	params = url.Values{}
	if err := p.signRequest(params); err != nil || params.Get("signature") != "06dbb2b05a8fdce468026e104596e6b8009dee3d08a6a62956ee7fef9aef8c74" {
		t.Errorf("sha256 signRequest: %v %v", params, err)
	}
}

func TestResponseSignatureVectors(t *testing.T) {
	t.Parallel()
	const secret = "X7qLTrsES31MzxxkxPPA-pAGGfU"
	if got := responseSignature("tests/logo.png", "1", secret, "sha1"); got != "08d3107a5b2ad82e7d82c0b972218fbf20b5b1e0" {
		t.Errorf("sha1: %s", got)
	}
	if got := responseSignature("tests/logo.png", "1", secret, "sha256"); got != "cc69ae4ed73303fbf4a55f2ae5fc7e34ad3a5c387724bfcde447a2957cacdfea" {
		t.Errorf("sha256: %s", got)
	}
	// cloudinary-go >= v2.16.1 agrees (older versions never matched).
	up, _ := uploader.NewWithConfiguration(cldConfig("demo", "key", secret))
	if !up.VerifyApiResponseSignature("tests/logo.png", "1", "08d3107a5b2ad82e7d82c0b972218fbf20b5b1e0") {
		t.Error("cloudinary-go rejects the pycld vector: is it older than v2.16.1?")
	}
	if !equalHex("08D3107A5B2AD82E7D82C0B972218FBF20B5B1E0", "08d3107a5b2ad82e7d82c0b972218fbf20b5b1e0") || equalHex("08d3", "08d3107a5b2ad82e7d82c0b972218fbf20b5b1e0") {
		t.Error("equalHex")
	}
}

func TestNotificationVectors(t *testing.T) {
	t.Parallel()
	const secret = "X7qLTrsES31MzxxkxPPA-pAGGfU"
	body := []byte(`{"notification_type":"eager","eager":[{"transformation":"sp_full_hd/mp4","bytes":1055,"url":"http://res.cloudinary.com/demo/video/upload/sp_full_hd/v1533125278/dog.mp4","secure_url":"https://res.cloudinary.com/demo/video/upload/sp_full_hd/v1533125278/dog.mp4"}],"public_id":"dog","batch_id":"9b11fa058c61fa577f4ec516bf6ee756ac2aefef095af99aef1302142cc1694a"}`)
	const ts, sig = "1549533514", "dfe82de1d9083fe0b7ea68070649f9a15b8874da"
	fresh := time.Unix(1549533514+10, 0)
	if err := VerifyNotificationSignature(body, ts, sig, secret, "sha1", 0, fresh); err != nil {
		t.Errorf("pycld vector: %v", err)
	}
	if err := VerifyNotificationSignature([]byte("{}"), "0", "d5497e1a206ad0ba29ad09a7c0c5f22e939682d15009c15ab3199f62fefbd14b",
		"someApiSecret", "sha256", time.Hour, time.Unix(60, 0)); err != nil {
		t.Errorf("pycld sha256 vector: %v", err)
	}
	for _, tc := range []struct {
		name      string
		body      []byte
		ts, sig   string
		now       time.Time
		maxAge    time.Duration
		kind      error
		secretOut bool
	}{
		{"tampered body", append([]byte(" "), body...), ts, sig, fresh, 0, mediastore.ErrForbidden, false},
		{"wrong signature", body, ts, strings.Repeat("0", 40), fresh, 0, mediastore.ErrForbidden, false},
		{"other timestamp", body, "1549533515", sig, fresh, 0, mediastore.ErrForbidden, false},
		{"stale (default 2h)", body, ts, sig, time.Unix(1549533514+7200, 0), 0, mediastore.ErrForbidden, false},
		{"stale (max age)", body, ts, sig, time.Unix(1549533514+61, 0), time.Minute, mediastore.ErrForbidden, false},
		{"no signature", body, ts, "", fresh, 0, mediastore.ErrInvalid, false},
		{"bad timestamp", body, "yesterday", sig, fresh, 0, mediastore.ErrInvalid, false},
	} {
		err := VerifyNotificationSignature(tc.body, tc.ts, tc.sig, secret, "sha1", tc.maxAge, tc.now)
		if mediastore.KindOf(err) != tc.kind {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.kind)
		}
		if err != nil && strings.Contains(err.Error(), secret) {
			t.Errorf("%s: error holds the secret", tc.name)
		}
	}
	if err := VerifyNotificationSignature(body, ts, sig, secret, "sha1", 0, time.Unix(1549533514+7199, 0)); err != nil {
		t.Errorf("just under 2h: %v", err)
	}
}

func TestDeliverySignatureVectors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ transformation, publicID, want string }{
		{"c_crop,h_20,w_10", "image.jpg", "s--Ai4Znfl3--"},
		{"", "image.jpg", "s----SjmNDA--"},
		{"", "sample.jpg", "s--v2fTPYTu--"},
		{"", "sample", "s--k6qA1NWo--"},
	} {
		if got := deliverySignature(tc.transformation, tc.publicID, "b"); got != tc.want {
			t.Errorf("deliverySignature(%q, %q) = %s, want %s", tc.transformation, tc.publicID, got, tc.want)
		}
	}
	p, err := New(Config{CloudName: "test123", APIKey: "a", APISecret: "b"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	for _, tc := range []struct {
		key  string
		tr   Transformation
		opts mediastore.URLOptions
		want string
	}{
		{"image/authenticated/sample", nil, mediastore.URLOptions{}, "https://res.cloudinary.com/test123/image/authenticated/s--k6qA1NWo--/sample"},
		{"raw/upload/image.jpg", nil, mediastore.URLOptions{Signed: true}, "https://res.cloudinary.com/test123/raw/upload/s----SjmNDA--/image.jpg"},
		{"image/upload/image", Transformation{{Width: 10, Height: 20, Crop: CropCrop}}, mediastore.URLOptions{}, "https://res.cloudinary.com/test123/image/upload/c_crop,h_20,w_10/image"},
		{"image/upload/folder/sample", Transformation{{Width: 300, Crop: CropFill}}, mediastore.URLOptions{}, "https://res.cloudinary.com/test123/image/upload/c_fill,w_300/v1/folder/sample"},
	} {
		got, err := p.TransformedURL(ctx, tc.key, tc.tr, &tc.opts)
		if err != nil || got != tc.want {
			t.Errorf("URL(%q): %s %v, want %s", tc.key, got, err, tc.want)
		}
	}
}

// The URLs are the ones cloudinary-go's asset package builds (analytics
// off), signed or not.
func TestURLsMatchCloudinaryGo(t *testing.T) {
	t.Parallel()
	p, err := New(Config{CloudName: "test123", APIKey: "a", APISecret: "b"})
	if err != nil {
		t.Fatal(err)
	}
	cfg := cldConfig("test123", "a", "b")
	cfg.URL.Analytics = false
	cfg.URL.Secure = true
	for _, tc := range []struct {
		rt, typ, publicID, tr string
		signed                bool
	}{
		{"image", "upload", "sample", "", false},
		{"image", "upload", "owner/abc-photo", "", false},
		{"image", "upload", "owner/abc-фото_ü", "", true},
		{"video", "authenticated", "owner/clip", "", true},
		{"raw", "private", "owner/report.v2.pdf", "", true},
		{"image", "upload", "owner/abc-photo", "c_fill,g_face,h_200,w_300/e_sepia", true},
	} {
		a, _ := cldasset.New(tc.publicID, cfg)
		a.AssetType = apiAssetType(tc.rt)
		a.DeliveryType = apiDeliveryType(tc.typ)
		a.Transformation = rawTransformation(tc.tr)
		a.Config.URL.SignURL = tc.signed
		want, err := a.String()
		if err != nil {
			t.Fatal(err)
		}
		got := p.deliveryURL(ref{tc.rt, tc.typ, tc.publicID}, tc.tr, tc.signed)
		if got != want {
			t.Errorf("%s/%s/%s: %s, cloudinary-go %s", tc.rt, tc.typ, tc.publicID, got, want)
		}
	}
	if u, _ := p.URL(t.Context(), "image/upload/sample", &mediastore.URLOptions{}); strings.Contains(u, "_a=") {
		t.Errorf("analytics parameter in %s", u)
	}
}
