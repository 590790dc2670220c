package providertest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/mediastore/mediastore"
)

func testRangeReader(t *testing.T, f *fixture) {
	rr := f.p.(mediastore.RangeReader)
	data := content("range", 1000)
	obj := f.put(t, f.key("range.bin"), data, binOpts(1000))
	for _, tc := range []struct {
		name           string
		offset, length int64
		want           []byte
	}{
		{"Whole", 0, -1, data},
		{"Head", 0, 10, data[:10]},
		{"FromOffsetToEnd", 10, -1, data[10:]},
		{"Middle", 500, 100, data[500:600]},
		{"LastByte", 999, 1, data[999:]},
		{"PastTheEnd", 990, 100, data[990:]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rc, err := rr.ReadRange(f.ctx, obj.Key, tc.offset, tc.length)
			if err != nil {
				t.Fatalf("ReadRange(%d, %d): %v", tc.offset, tc.length, err)
			}
			got, err := io.ReadAll(rc)
			if cerr := rc.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				t.Fatalf("ReadRange(%d, %d): reading: %v", tc.offset, tc.length, err)
			}
			if !bytes.Equal(got, tc.want) {
				t.Fatalf("ReadRange(%d, %d) = %d bytes %.20q..., want %d bytes %.20q...", tc.offset, tc.length, len(got), got, len(tc.want), tc.want)
			}
		})
	}
	t.Run("Missing", func(t *testing.T) {
		rc, err := rr.ReadRange(f.ctx, f.missingKey(t), 0, 10)
		if err == nil {
			rc.Close()
		}
		if !errors.Is(err, mediastore.ErrNotFound) {
			t.Fatalf("ReadRange of a missing key: %v, want an ErrNotFound error", err)
		}
	})
}

// directOpts describes a direct upload of data.
func directOpts(data []byte, declareSize bool) *mediastore.DirectOptions {
	o := &mediastore.DirectOptions{
		ContentType:  "text/plain",
		ResourceType: "raw",
		Size:         -1,
		MaxSize:      1 << 20,
		Filename:     "direct.txt",
		Expiry:       15 * time.Minute,
	}
	if declareSize {
		o.Size = int64(len(data))
	}
	return o
}

// prepare calls PrepareDirect and checks the ticket's shape.
func (f *fixture) prepare(t *testing.T, key string, opts *mediastore.DirectOptions) *mediastore.Ticket {
	t.Helper()
	before := time.Now()
	tk, err := f.p.(mediastore.DirectUploader).PrepareDirect(f.ctx, key, opts)
	if err != nil {
		t.Fatalf("PrepareDirect(%q): %v", key, err)
	}
	if tk == nil {
		t.Fatalf("PrepareDirect(%q) returned a nil Ticket and no error", key)
	}
	if tk.Key == "" { // the ticket is for key itself
		c := *tk
		c.Key = key
		tk = &c
	}
	switch {
	case !f.opts.AssignsKeys && tk.Key != key:
		t.Fatalf("PrepareDirect(%q): Ticket.Key = %q", key, tk.Key)
	case tk.Method != http.MethodPut && tk.Method != http.MethodPost:
		t.Fatalf("PrepareDirect(%q): Ticket.Method = %q, want PUT or POST", key, tk.Method)
	case tk.Method == http.MethodPost && tk.FileField == "":
		t.Fatalf("PrepareDirect(%q): POST ticket without a FileField", key)
	case !tk.ExpiresAt.After(before) || tk.ExpiresAt.After(before.Add(opts.Expiry+time.Minute)):
		t.Fatalf("PrepareDirect(%q): Ticket.ExpiresAt = %v, want within %v from now", key, tk.ExpiresAt, opts.Expiry)
	}
	if u, err := url.Parse(tk.URL); err != nil || !u.IsAbs() {
		t.Fatalf("PrepareDirect(%q): Ticket.URL %q is not an absolute URL", key, tk.URL)
	}
	if !f.opts.AssignsKeys {
		f.deleteAtEnd(t, tk.Key)
	}
	return tk
}

// upload executes tk as a browser would, sending body with contentType ("":
// the ticket's own), and returns the status and the response body.
func (f *fixture) upload(t *testing.T, tk *mediastore.Ticket, body []byte, contentType string) (int, []byte) {
	t.Helper()
	var req *http.Request
	var err error
	switch tk.Method {
	case http.MethodPut:
		req, err = http.NewRequestWithContext(f.ctx, http.MethodPut, tk.URL, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		copyHeaders(req.Header, tk.Headers)
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
	case http.MethodPost:
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		for _, k := range slices.Sorted(maps.Keys(tk.Fields)) {
			if err := mw.WriteField(k, tk.Fields[k]); err != nil {
				t.Fatal(err)
			}
		}
		ph := textproto.MIMEHeader{}
		ph.Set("Content-Disposition", `form-data; name="`+tk.FileField+`"; filename="direct.txt"`)
		ph.Set("Content-Type", cmpOr(contentType, tk.Headers.Get("Content-Type"), "text/plain"))
		pw, err := mw.CreatePart(ph)
		if err != nil {
			t.Fatal(err)
		}
		pw.Write(body)
		mw.Close()
		req, err = http.NewRequestWithContext(f.ctx, http.MethodPost, tk.URL, &b)
		if err != nil {
			t.Fatal(err)
		}
		copyHeaders(req.Header, tk.Headers)
		req.Header.Set("Content-Type", mw.FormDataContentType())
	}
	resp, err := f.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", tk.Method, tk.URL, err)
	}
	defer resp.Body.Close()
	rb, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading response: %v", tk.Method, tk.URL, err)
	}
	return resp.StatusCode, rb
}

// copyHeaders copies a ticket's headers; Go sets Host and Content-Length
// from the request itself.
func copyHeaders(dst, src http.Header) {
	for k, vs := range src {
		switch http.CanonicalHeaderKey(k) {
		case "Host", "Content-Length":
			continue
		}
		dst[http.CanonicalHeaderKey(k)] = slices.Clone(vs)
	}
}

func cmpOr(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// proof is what a browser would bring back from an upload response: the
// top-level scalar fields of its JSON body, as strings.
func proof(body []byte) map[string]string {
	var m map[string]json.RawMessage
	out := map[string]string{}
	if json.Unmarshal(body, &m) != nil {
		return out
	}
	for k, raw := range m {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			out[k] = s
			continue
		}
		var n json.Number
		d := json.NewDecoder(bytes.NewReader(raw))
		d.UseNumber()
		if d.Decode(&n) == nil {
			out[k] = n.String()
			continue
		}
		var b bool
		if json.Unmarshal(raw, &b) == nil {
			out[k] = map[bool]string{true: "true", false: "false"}[b]
		}
	}
	return out
}

// confirm returns the key of what a successful upload stored: through
// VerifyDirect when the provider has it, else the ticket's key.
func (f *fixture) confirm(t *testing.T, tk *mediastore.Ticket, respBody []byte, data []byte) string {
	t.Helper()
	key := tk.Key
	if dk, ok := f.p.(mediastore.DirectKeyer); ok {
		got, err := dk.DirectKey(proof(respBody))
		if err != nil || got != tk.Key {
			t.Fatalf("DirectKey(proof of the upload) = %q, %v; want the ticket's key %q", got, err, tk.Key)
		}
		if got, err := dk.DirectKey(map[string]string{}); !errors.Is(err, mediastore.ErrInvalid) {
			t.Fatalf("DirectKey(empty proof) = %q, %v; want an ErrInvalid error", got, err)
		}
	}
	if v, ok := f.p.(mediastore.DirectVerifier); ok {
		obj, err := v.VerifyDirect(f.ctx, tk.Key, proof(respBody))
		if err != nil {
			t.Fatalf("VerifyDirect(%q) after a successful upload: %v", tk.Key, err)
		}
		if obj == nil || obj.Key == "" {
			t.Fatalf("VerifyDirect(%q) = %+v, want an Object with a Key", tk.Key, obj)
		}
		if obj.Size != int64(len(data)) {
			t.Errorf("VerifyDirect: Object.Size = %d, want %d", obj.Size, len(data))
		}
		key = obj.Key
		f.deleteAtEnd(t, key)
	}
	return key
}

func testDirectUploader(t *testing.T, f *fixture) {
	for _, tc := range []struct {
		name     string
		declared bool
	}{{"DeclaredSize", true}, {"UndeclaredSize", false}} {
		t.Run(tc.name, func(t *testing.T) {
			data := content("direct "+tc.name, 2000)
			opts := directOpts(data, tc.declared)
			tk := f.prepare(t, f.key("direct.txt"), opts)
			code, rb := f.upload(t, tk, data, "")
			if code/100 != 2 {
				t.Fatalf("%s with the ticket: status %d, body %.300q", tk.Method, code, rb)
			}
			key := f.confirm(t, tk, rb, data)
			f.stat(t, key, data, &mediastore.PutOptions{ContentType: opts.ContentType, ResourceType: opts.ResourceType})
			f.download(t, f.url(t, key, true), data)
		})
	}
	if !f.opts.EnforcesDirect {
		return
	}
	for _, tc := range []struct {
		name        string
		body        []byte
		contentType string
	}{
		{"OtherContentType", content("direct", 2000), "application/octet-stream"},
		{"Longer", content("direct", 2001), ""},
		{"Shorter", content("direct", 1999), ""},
	} {
		t.Run("Refuses"+tc.name, func(t *testing.T) {
			opts := directOpts(content("direct", 2000), true)
			tk := f.prepare(t, f.key("refused.txt"), opts)
			if code, _ := f.upload(t, tk, tc.body, tc.contentType); code/100 == 2 {
				t.Fatalf("%s with %d bytes of %q under a ticket for %d bytes of %q: status %d, want a refusal",
					tk.Method, len(tc.body), cmpOr(tc.contentType, opts.ContentType), opts.Size, opts.ContentType, code)
			}
			if !f.opts.AssignsKeys {
				f.requireNotFound(t, tk.Key)
			}
		})
	}
}

func testDirectVerifier(t *testing.T, f *fixture) {
	v := f.p.(mediastore.DirectVerifier)
	t.Run("NothingUploaded", func(t *testing.T) {
		tk := f.prepare(t, f.key("never-uploaded.txt"), directOpts(nil, false))
		obj, err := v.VerifyDirect(f.ctx, tk.Key, map[string]string{})
		if !errors.Is(err, mediastore.ErrNotFound) {
			t.Fatalf("VerifyDirect of a ticket never used = %+v, %v; want an ErrNotFound error", obj, err)
		}
	})
	t.Run("ForgedProof", func(t *testing.T) {
		data := content("verify", 1500)
		tk := f.prepare(t, f.key("verify.txt"), directOpts(data, true))
		code, rb := f.upload(t, tk, data, "")
		if code/100 != 2 {
			t.Fatalf("%s with the ticket: status %d, body %.300q", tk.Method, code, rb)
		}
		f.confirm(t, tk, rb, data) // the genuine proof works
		genuine := proof(rb)
		if len(genuine) == 0 {
			return // this provider's uploads need no proof
		}
		forged := map[string]string{}
		for k, s := range genuine {
			forged[k] = mangle(s)
		}
		obj, err := v.VerifyDirect(f.ctx, tk.Key, forged)
		if !errors.Is(err, mediastore.ErrForbidden) && !errors.Is(err, mediastore.ErrNotFound) {
			t.Fatalf("VerifyDirect with every proof field altered = %+v, %v; want an ErrForbidden or ErrNotFound error", obj, err)
		}
	})
}

// mangle changes the last character of s to another of the same class, so
// that the value keeps its format (a UUID, hex, digits) but not its meaning.
func mangle(s string) string {
	if s == "" {
		return "x"
	}
	last := s[len(s)-1]
	var c byte
	switch {
	case last >= '0' && last <= '9':
		c = '0' + (last-'0'+1)%10
	case last >= 'a' && last <= 'f':
		c = 'a' + (last-'a'+1)%6
	case last >= 'a' && last <= 'z':
		c = 'a'
	case last >= 'A' && last <= 'Z':
		c = 'A' + (last-'A'+1)%26
	default:
		return s + "x"
	}
	return s[:len(s)-1] + string(c)
}

func testLister(t *testing.T, f *fixture) {
	l := f.p.(mediastore.Lister)
	want := map[string]int64{}
	for i := range 3 {
		data := content("list", 100+i)
		obj := f.put(t, f.prefix+"list/"+randHex(4)+"-item.txt", data, textOpts(int64(len(data))))
		want[obj.Key] = int64(len(data))
	}
	f.put(t, f.prefix+"other/"+randHex(4)+"-item.txt", []byte("elsewhere"), textOpts(9))
	prefix := f.prefix + "list/"
	if f.opts.AssignsKeys {
		prefix = ""
	}
	got := map[string]int64{}
	for obj, err := range l.ListObjects(f.ctx, prefix) {
		if err != nil {
			t.Fatalf("ListObjects(%q): %v", prefix, err)
		}
		if _, dup := got[obj.Key]; dup {
			t.Errorf("ListObjects(%q) yielded %q twice", prefix, obj.Key)
		}
		got[obj.Key] = obj.Size
		if !strings.HasPrefix(obj.Key, prefix) {
			t.Errorf("ListObjects(%q) yielded %q", prefix, obj.Key)
		}
	}
	for k, size := range want {
		if gs, ok := got[k]; !ok || gs != size {
			t.Errorf("ListObjects(%q): %q has size %d (listed %t), want %d", prefix, k, gs, ok, size)
		}
	}
	if !f.opts.AssignsKeys && len(got) != len(want) {
		t.Errorf("ListObjects(%q) = %v, want exactly %v", prefix, got, want)
	}
	t.Run("StopEarly", func(t *testing.T) {
		n := 0
		for _, err := range l.ListObjects(f.ctx, prefix) {
			if err != nil {
				t.Fatalf("ListObjects(%q): %v", prefix, err)
			}
			n++
			break
		}
		if n != 1 {
			t.Fatalf("ListObjects(%q) yielded %d objects before the break, want 1", prefix, n)
		}
	})
}

func testTransformer(t *testing.T, f *fixture) {
	tr := f.p.(mediastore.Transformer)
	data := tinyPNG(t)
	obj := f.put(t, f.key("transform.png"), data, &mediastore.PutOptions{Size: int64(len(data)), ContentType: "image/png", ResourceType: "image"})
	plain := f.url(t, obj.Key, false)
	u, err := tr.TransformURL(f.ctx, obj.Key, &mediastore.Transform{Width: 10, Height: 10, Crop: "fill", Format: "webp"}, &mediastore.URLOptions{Expiry: 15 * time.Minute})
	if err != nil {
		t.Fatalf("TransformURL(%q): %v", obj.Key, err)
	}
	if pu, err := url.Parse(u); err != nil || !pu.IsAbs() {
		t.Fatalf("TransformURL(%q) = %q, want an absolute URL", obj.Key, u)
	}
	if u == plain {
		t.Fatalf("TransformURL(%q) = %q, the same as the untransformed URL", obj.Key, u)
	}
}

func testCommitter(t *testing.T, f *fixture) {
	c := f.p.(mediastore.Committer)
	data := content("commit", 700)
	obj := f.put(t, f.key("commit.txt"), data, textOpts(700))
	for i := range 2 { // a retried Commit is harmless
		if err := c.Commit(f.ctx, obj.Key); err != nil {
			t.Fatalf("Commit #%d(%q): %v", i+1, obj.Key, err)
		}
	}
	f.stat(t, obj.Key, data, textOpts(700))
	f.download(t, f.url(t, obj.Key, false), data)
	if err := c.Commit(f.ctx, f.missingKey(t)); !errors.Is(err, mediastore.ErrNotFound) {
		t.Fatalf("Commit of a missing key = %v, want an ErrNotFound error", err)
	}
}

// testStoredHasher checks that Put reports the SHA-256 of exactly the bytes
// stored, whatever the length and however the reader hands them over: a
// few bytes, lengths around common buffer sizes, and a stream read in
// uneven pieces of unknown total length.
func testStoredHasher(t *testing.T, f *fixture) {
	for _, tc := range []struct {
		name   string
		n      int
		known  bool
		reader func(io.Reader) io.Reader
	}{
		{"OneByte", 1, true, nil},
		{"BufferEdge", 256 << 10, true, nil},
		{"BufferEdgePlusOne", 256<<10 + 1, true, nil},
		{"UnevenReadsUnknownSize", 3<<20 + 17, false, iotest.HalfReader},
		{"OneByteReads", 4099, false, iotest.OneByteReader},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := content(tc.name, tc.n)
			var r io.Reader = bytes.NewReader(data)
			if tc.reader != nil {
				r = tc.reader(r)
			}
			opts := binOpts(int64(tc.n))
			if !tc.known {
				opts = binOpts(-1)
			}
			key := f.key("hashed.bin")
			obj, err := f.p.Put(f.ctx, key, r, opts)
			if err != nil {
				t.Fatalf("Put(%q, %d bytes): %v", key, tc.n, err)
			}
			f.checkReturned(t, key, obj)
			f.deleteAtEnd(t, obj.Key)
			if want := sha256Hex(data); obj.SHA256 != want {
				t.Fatalf("Put(%q, %d bytes): Object.SHA256 = %q, want %q (HashesStored reports true)", key, tc.n, obj.SHA256, want)
			}
			f.stat(t, obj.Key, data, opts)
		})
	}
}

// testStatReader checks that StatRead reports what Stat reports, with the
// object's first bytes, for objects shorter than, as long as and longer
// than the bytes asked for, and a not-found error for a missing key.
func testStatReader(t *testing.T, f *fixture) {
	sr := f.p.(mediastore.StatReader)
	const n = 512
	for _, size := range []int{1, 100, n, n + 1, 70_000} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			data := content(fmt.Sprint("statread", size), size)
			obj := f.put(t, f.key("statread.bin"), data, binOpts(int64(size)))
			got, head, err := sr.StatRead(f.ctx, obj.Key, n)
			if err != nil {
				t.Fatalf("StatRead(%q, %d): %v", obj.Key, n, err)
			}
			if want := data[:min(n, size)]; !bytes.Equal(head, want) {
				t.Fatalf("StatRead(%q, %d): %d bytes of head, want the object's first %d", obj.Key, n, len(head), len(want))
			}
			st := f.stat(t, obj.Key, data, binOpts(int64(size)))
			if got.Size != st.Size || got.ETag != st.ETag || mediaType(got.ContentType) != mediaType(st.ContentType) {
				t.Fatalf("StatRead(%q) = size %d, ETag %q, type %q; Stat says %d, %q, %q",
					obj.Key, got.Size, got.ETag, got.ContentType, st.Size, st.ETag, st.ContentType)
			}
			if got.SHA256 != "" {
				t.Fatalf("StatRead(%q): SHA256 %s, want none (it is Stat's to report)", obj.Key, got.SHA256)
			}
		})
	}
	t.Run("Missing", func(t *testing.T) {
		key := f.missingKey(t)
		if obj, _, err := sr.StatRead(f.ctx, key, n); !errors.Is(err, mediastore.ErrNotFound) {
			t.Fatalf("StatRead(missing %q) = %+v, %v; want ErrNotFound", key, obj, err)
		}
	})
}
