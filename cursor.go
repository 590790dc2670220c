package mediastore

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"time"
)

// Cursor is a keyset position in an owner's listing: the (CreatedAt, ID) of
// the last row of a page. Its text form is opaque to clients (base64 of a
// checksummed JSON document); a cursor that was altered fails to parse with
// an ErrInvalid error.
type Cursor struct {
	CreatedAt time.Time
	ID        string
}

type cursorJSON struct {
	V  int    `json:"v"`
	T  string `json:"t"`
	ID string `json:"id"`
}

const maxCursorLen = 512

// MarshalText encodes the cursor in its opaque text form.
func (c Cursor) MarshalText() ([]byte, error) {
	body, err := json.Marshal(cursorJSON{V: 1, T: c.CreatedAt.UTC().Format(time.RFC3339Nano), ID: c.ID})
	if err != nil {
		return nil, err
	}
	sum := make([]byte, 4, 4+len(body))
	binary.BigEndian.PutUint32(sum, crc32.ChecksumIEEE(body))
	raw := append(sum, body...)
	out := make([]byte, base64.RawURLEncoding.EncodedLen(len(raw)))
	base64.RawURLEncoding.Encode(out, raw)
	return out, nil
}

// String returns the opaque text form.
func (c Cursor) String() string {
	b, _ := c.MarshalText()
	return string(b)
}

// UnmarshalText decodes the opaque text form. Anything that MarshalText did
// not produce yields an ErrInvalid error.
func (c *Cursor) UnmarshalText(text []byte) error {
	bad := func() error { return &Error{Op: "ParseCursor", Kind: ErrInvalid, Err: errMalformedCursor} }
	if len(text) == 0 || len(text) > maxCursorLen {
		return bad()
	}
	raw := make([]byte, base64.RawURLEncoding.DecodedLen(len(text)))
	n, err := base64.RawURLEncoding.Decode(raw, text)
	if err != nil || n < 5 {
		return bad()
	}
	raw = raw[:n]
	if binary.BigEndian.Uint32(raw[:4]) != crc32.ChecksumIEEE(raw[4:]) {
		return bad()
	}
	var cj cursorJSON
	if err := json.Unmarshal(raw[4:], &cj); err != nil || cj.V != 1 || cj.ID == "" || len(cj.ID) > 64 {
		return bad()
	}
	t, err := time.Parse(time.RFC3339Nano, cj.T)
	if err != nil {
		return bad()
	}
	c.CreatedAt, c.ID = t, cj.ID
	return nil
}

// ParseCursor decodes a cursor from its opaque text form, as returned in a
// page's Next. It returns an ErrInvalid error for anything else.
func ParseCursor(s string) (*Cursor, error) {
	var c Cursor
	if err := c.UnmarshalText([]byte(s)); err != nil {
		return nil, err
	}
	return &c, nil
}

type constError string

func (e constError) Error() string { return string(e) }

const errMalformedCursor = constError("malformed cursor")
