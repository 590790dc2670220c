package mediastore

import (
	"errors"
	"strings"
)

// The error kinds. Every error the library returns satisfies errors.Is with
// exactly one of them; check with errors.Is, never by comparing messages.
var (
	// ErrNotFound: no such file or object (or it belongs to another owner).
	ErrNotFound = errors.New("mediastore: not found")
	// ErrConflict: the key already exists, or the row changed under us.
	ErrConflict = errors.New("mediastore: conflict")
	// ErrTooLarge: the content is larger than Config.MaxSize.
	ErrTooLarge = errors.New("mediastore: file too large")
	// ErrTypeNotAllowed: the sniffed content type is not in Config.AllowedTypes.
	ErrTypeNotAllowed = errors.New("mediastore: content type not allowed")
	// ErrForbidden: the caller may not do this (a key issued to another
	// owner, a forged proof, an expired ticket).
	ErrForbidden = errors.New("mediastore: forbidden")
	// ErrInvalid: bad input (empty owner, nil reader, malformed cursor,
	// size that does not match the content).
	ErrInvalid = errors.New("mediastore: invalid argument")
	// ErrUnsupported: the provider lacks the capability the call needs.
	ErrUnsupported = errors.New("mediastore: not supported by this provider")
	// ErrProvider: the provider failed or could not be reached.
	ErrProvider = errors.New("mediastore: provider failure")
	// ErrStore: the metadata store failed or could not be reached.
	ErrStore = errors.New("mediastore: metadata store failure")
)

// Error adds where and what to a failure. errors.Is matches its Kind and
// anything in the chain of Err; errors.As reaches both.
type Error struct {
	// Op is the operation: "Upload", "Delete", "r2.Put".
	Op string
	// Provider is the provider name, if any.
	Provider string
	// Key is the object key or file id concerned, if any. Never a secret.
	Key string
	// Kind is one of the Err* sentinels.
	Kind error
	// Err is the underlying cause, if any. It must not hold secrets.
	Err error
}

// Error formats the failure as "mediastore: Op provider key: kind: cause".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("mediastore: ")
	b.WriteString(e.Op)
	if e.Provider != "" {
		b.WriteString(" ")
		b.WriteString(e.Provider)
	}
	if e.Key != "" {
		b.WriteString(" ")
		b.WriteString(quoteKey(e.Key))
	}
	if e.Kind != nil {
		b.WriteString(": ")
		b.WriteString(strings.TrimPrefix(e.Kind.Error(), "mediastore: "))
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(strings.TrimPrefix(e.Err.Error(), "mediastore: "))
	}
	return b.String()
}

// Unwrap returns the non-nil of Kind and Err.
func (e *Error) Unwrap() []error {
	var errs []error
	if e.Kind != nil {
		errs = append(errs, e.Kind)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// NewError returns an *Error. It is meant for provider and store
// implementations, which report their failures in the library's vocabulary.
func NewError(op, provider, key string, kind, cause error) *Error {
	return &Error{Op: op, Provider: provider, Key: key, Kind: kind, Err: cause}
}

// KindOf returns the sentinel that err matches, or nil when it matches none.
func KindOf(err error) error {
	for _, k := range []error{ErrNotFound, ErrConflict, ErrTooLarge, ErrTypeNotAllowed,
		ErrForbidden, ErrInvalid, ErrUnsupported, ErrProvider, ErrStore} {
		if errors.Is(err, k) {
			return k
		}
	}
	return nil
}

// quoteKey bounds and quotes a key for an error message.
func quoteKey(k string) string {
	const max = 200
	if len(k) > max {
		k = k[:max] + "..."
	}
	return `"` + strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' {
			return '?'
		}
		return r
	}, k) + `"`
}
