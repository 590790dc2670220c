// Package paramcheck validates MetadataStore parameters once for every
// store in the module, so that pgstore and memstore refuse the same input
// with the same ErrInvalid errors.
package paramcheck

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/mediastore/mediastore"
)

// Bounds on text fields. Indexed fields stay well below PostgreSQL's
// B-tree entry limit.
const (
	MaxIndexed = 1024 // owner, provider, key, resource type
	MaxText    = 8192 // every other text field
	MaxLimit   = 1000 // largest page or claim batch
)

// Invalid returns the ErrInvalid error of op.
func Invalid(op, provider, key string, format string, args ...any) error {
	return mediastore.NewError(op, provider, key, mediastore.ErrInvalid, fmt.Errorf(format, args...))
}

// NotFound returns the ErrNotFound error of op.
func NotFound(op, provider, key string) error {
	return mediastore.NewError(op, provider, key, mediastore.ErrNotFound, nil)
}

// Conflict returns the ErrConflict error of op.
func Conflict(op, provider, key, why string) error {
	return mediastore.NewError(op, provider, key, mediastore.ErrConflict, errors.New(why))
}

// field is a named text value with its bound.
type field struct {
	name, value string
	required    bool
	max         int
}

func checkFields(fs ...field) error {
	for _, f := range fs {
		switch {
		case f.required && f.value == "":
			return fmt.Errorf("%s is required", f.name)
		case len(f.value) > f.max:
			return fmt.Errorf("%s is longer than %d bytes", f.name, f.max)
		case !utf8.ValidString(f.value) || strings.ContainsRune(f.value, 0):
			return fmt.Errorf("%s is not valid UTF-8 text", f.name)
		}
	}
	return nil
}

// MarshalExtra encodes extras as JSON; nil stays nil.
func MarshalExtra(extra map[string]any) ([]byte, error) {
	if extra == nil {
		return nil, nil
	}
	b, err := json.Marshal(extra)
	if err != nil {
		return nil, fmt.Errorf("Extra is not JSON: %w", err)
	}
	// PostgreSQL's jsonb cannot hold the NUL character.
	if strings.Contains(string(b), `\u0000`) {
		return nil, errors.New("Extra holds a NUL character")
	}
	return b, nil
}

// Insert validates p.
func Insert(p *mediastore.InsertParams) error {
	if p == nil {
		return errors.New("params are nil")
	}
	if err := checkFields(
		field{"Owner", p.Owner, true, MaxIndexed},
		field{"Provider", p.Provider, true, MaxIndexed},
		field{"Key", p.Key, true, MaxIndexed},
		field{"ResourceType", p.ResourceType, false, MaxIndexed},
		field{"Filename", p.Filename, false, MaxText},
		field{"ContentType", p.ContentType, false, MaxText},
		field{"SHA256", p.SHA256, false, MaxText},
		field{"URL", p.URL, false, MaxText},
	); err != nil {
		return err
	}
	if !p.Status.Valid() {
		return fmt.Errorf("Status %q is not a status", p.Status)
	}
	if p.Status != mediastore.StatusReady && p.ExpiresAt.IsZero() {
		return fmt.Errorf("ExpiresAt is required for a %s row", p.Status)
	}
	if p.Size < 0 {
		return errors.New("Size is negative")
	}
	_, err := MarshalExtra(p.Extra)
	return err
}

// Get validates p.
func Get(p *mediastore.GetParams) error {
	if p == nil {
		return errors.New("params are nil")
	}
	return checkFields(field{"Owner", p.Owner, true, MaxIndexed}, field{"ID", p.ID, true, MaxText})
}

// GetByKey validates p.
func GetByKey(p *mediastore.GetByKeyParams) error {
	if p == nil {
		return errors.New("params are nil")
	}
	return checkFields(
		field{"Owner", p.Owner, true, MaxIndexed},
		field{"Provider", p.Provider, true, MaxIndexed},
		field{"Key", p.Key, true, MaxIndexed},
	)
}

// List validates p.
func List(p *mediastore.ListParams) error {
	if p == nil {
		return errors.New("params are nil")
	}
	if err := checkFields(
		field{"Owner", p.Owner, true, MaxIndexed},
		field{"ResourceType", p.ResourceType, false, MaxIndexed},
	); err != nil {
		return err
	}
	if !p.Status.Valid() {
		return fmt.Errorf("Status %q is not a status", p.Status)
	}
	if p.Limit < 1 || p.Limit > MaxLimit {
		return fmt.Errorf("Limit %d is not between 1 and %d", p.Limit, MaxLimit)
	}
	if p.After != nil && !ValidID(p.After.ID) {
		return errors.New("the cursor does not name a row")
	}
	return nil
}

// SetStatus validates p.
func SetStatus(p *mediastore.SetStatusParams) error {
	if p == nil {
		return errors.New("params are nil")
	}
	if err := checkFields(field{"ID", p.ID, true, MaxText}, field{"Owner", p.Owner, false, MaxIndexed}); err != nil {
		return err
	}
	if !p.From.Valid() {
		return fmt.Errorf("From %q is not a status", p.From)
	}
	if !p.To.Valid() {
		return fmt.Errorf("To %q is not a status", p.To)
	}
	if p.To != mediastore.StatusReady && p.ExpiresAt.IsZero() {
		return fmt.Errorf("ExpiresAt is required for a %s row", p.To)
	}
	if o := p.Object; o != nil {
		if err := checkFields(
			field{"Object.Key", o.Key, false, MaxIndexed},
			field{"Object.ResourceType", o.ResourceType, false, MaxIndexed},
			field{"Object.ContentType", o.ContentType, false, MaxText},
			field{"Object.SHA256", o.SHA256, false, MaxText},
			field{"Object.ETag", o.ETag, false, MaxText},
			field{"Object.URL", o.URL, false, MaxText},
		); err != nil {
			return err
		}
		if o.Size < 0 || o.Width < 0 || o.Height < 0 {
			return errors.New("Object.Size, Width and Height must not be negative")
		}
		if o.Width > math.MaxInt32 || o.Height > math.MaxInt32 {
			return errors.New("Object.Width or Height is too large")
		}
		if _, err := MarshalExtra(o.Extra); err != nil {
			return err
		}
	}
	return nil
}

// Delete validates p.
func Delete(p *mediastore.DeleteParams) error {
	if p == nil {
		return errors.New("params are nil")
	}
	if err := checkFields(field{"ID", p.ID, true, MaxText}, field{"Owner", p.Owner, false, MaxIndexed}); err != nil {
		return err
	}
	if !p.Status.Valid() {
		return fmt.Errorf("Status %q is not a status", p.Status)
	}
	return nil
}

// Claim validates p.
func Claim(p *mediastore.ClaimParams) error {
	if p == nil {
		return errors.New("params are nil")
	}
	if err := checkFields(field{"Provider", p.Provider, true, MaxIndexed}); err != nil {
		return err
	}
	if p.Now.IsZero() {
		return errors.New("Now is required")
	}
	if p.Limit < 1 || p.Limit > MaxLimit {
		return fmt.Errorf("Limit %d is not between 1 and %d", p.Limit, MaxLimit)
	}
	if p.Lease <= 0 {
		return errors.New("Lease must be positive")
	}
	return nil
}

// Scan validates p.
func Scan(p *mediastore.ScanParams) error {
	if p == nil {
		return errors.New("params are nil")
	}
	if err := checkFields(
		field{"Provider", p.Provider, true, MaxIndexed},
		field{"Prefix", p.Prefix, false, MaxIndexed},
		field{"AfterKey", p.AfterKey, false, MaxIndexed},
	); err != nil {
		return err
	}
	if p.Limit < 1 || p.Limit > MaxLimit {
		return fmt.Errorf("Limit %d is not between 1 and %d", p.Limit, MaxLimit)
	}
	return nil
}

// PrefixEnd returns the least string, in byte order, that is greater than
// every string starting with prefix, and false when there is none. Both are
// valid UTF-8 when prefix is: the last rune is replaced by the next one.
func PrefixEnd(prefix string) (string, bool) {
	for prefix != "" {
		r, size := utf8.DecodeLastRuneInString(prefix)
		prefix = prefix[:len(prefix)-size]
		for r++; r <= utf8.MaxRune; r++ {
			if utf8.ValidRune(r) {
				return prefix + string(r), true
			}
		}
	}
	return "", false
}

// ValidID reports whether id has the form of a row ID: a UUID in its
// canonical lowercase text form.
func ValidID(id string) bool {
	if len(id) != 36 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
				return false
			}
		}
	}
	return true
}

// NewID returns a random (version 4) UUID in canonical form.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
