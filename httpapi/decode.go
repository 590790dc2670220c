package httpapi

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
)

// strictness of decodeJSON.
const (
	strict  = true  // unknown fields are refused
	lenient = false // unknown fields are ignored
)

// decodeJSON reads r's body, bounded by Config.MaxJSONBytes, as exactly one
// JSON object into dst. Every failure is a 400 with a sentence naming the
// problem, a 413 for a body over the limit, or a 415 for a body that is not
// declared as JSON.
func (h *Handler) decodeJSON(w http.ResponseWriter, r *http.Request, dst any, strictFields bool) error {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return &apiError{status: http.StatusUnsupportedMediaType, msg: "the request body must be JSON sent with Content-Type: application/json", cause: err}
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, h.cfg.MaxJSONBytes))
	if strictFields {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return badRequest("the request body must hold a single JSON object", err)
	}
	return nil
}

// jsonError turns a decoding failure into a sentence. It names fields of
// the request types, and an unknown field by its (quoted, bounded) name.
func jsonError(err error) error {
	var (
		mbe *http.MaxBytesError
		se  *json.SyntaxError
		te  *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &mbe):
		return err // resolve answers 413
	case errors.Is(err, io.EOF):
		return badRequest("the request body is empty: send a JSON object", err)
	case errors.As(err, &se), errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("the request body is not valid JSON", err)
	case errors.As(err, &te):
		field, _, _ := strings.Cut(te.Field, ".")
		if field == "" {
			return badRequest("the request body must be a JSON object", err)
		}
		return badRequest("field "+strconv.Quote(field)+" must be "+describe(te.Type), err)
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		// encoding/json has no typed error for this one.
		if len(name) > 66 {
			name = name[:64] + `..."`
		}
		return badRequest("the request body has an unknown field "+strings.ToValidUTF8(name, "?"), err)
	}
	return badRequest("the request body could not be read as JSON", err)
}

// describe names the JSON shape a Go type expects.
func describe(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		if t.PkgPath() == "encoding/json" && t.Name() == "Number" {
			return "a number"
		}
		return "a string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.Map:
		if t.Elem().Kind() == reflect.String {
			return "an object of strings"
		}
		return "an object"
	case reflect.Struct:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	}
	return "of another type"
}
