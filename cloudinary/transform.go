package cloudinary

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/mediastore/mediastore"
)

// Crop is a crop mode, the c_ parameter.
type Crop string

// The crop modes of Cloudinary's resizing documentation.
const (
	CropFill    Crop = "fill"
	CropLFill   Crop = "lfill"
	CropFillPad Crop = "fill_pad"
	CropFit     Crop = "fit"
	CropMFit    Crop = "mfit"
	CropLimit   Crop = "limit"
	CropScale   Crop = "scale"
	CropCrop    Crop = "crop"
	CropThumb   Crop = "thumb"
	CropPad     Crop = "pad"
	CropLPad    Crop = "lpad"
	CropMPad    Crop = "mpad"
	CropAuto    Crop = "auto"
)

// Gravity is the focus of a crop, the g_ parameter.
type Gravity string

// The gravities of Cloudinary's documentation.
const (
	GravityAuto      Gravity = "auto"
	GravityCenter    Gravity = "center"
	GravityFace      Gravity = "face"
	GravityFaces     Gravity = "faces"
	GravityNorth     Gravity = "north"
	GravitySouth     Gravity = "south"
	GravityEast      Gravity = "east"
	GravityWest      Gravity = "west"
	GravityNorthEast Gravity = "north_east"
	GravityNorthWest Gravity = "north_west"
	GravitySouthEast Gravity = "south_east"
	GravitySouthWest Gravity = "south_west"
)

var (
	crops     = map[Crop]bool{}
	gravities = map[Gravity]bool{}
)

func init() {
	for _, c := range []Crop{CropFill, CropLFill, CropFillPad, CropFit, CropMFit, CropLimit, CropScale,
		CropCrop, CropThumb, CropPad, CropLPad, CropMPad, CropAuto} {
		crops[c] = true
	}
	for _, g := range []Gravity{GravityAuto, GravityCenter, GravityFace, GravityFaces, GravityNorth,
		GravitySouth, GravityEast, GravityWest, GravityNorthEast, GravityNorthWest, GravitySouthEast, GravitySouthWest} {
		gravities[g] = true
	}
}

// Step is one transformation component: its parameters are applied
// together. Zero fields are left out.
type Step struct {
	// Width and Height are w_ and h_, in pixels.
	Width, Height int
	// Crop is c_.
	Crop Crop
	// Gravity is g_.
	Gravity Gravity
	// Quality is q_: "auto", "auto:good" (best, good, eco, low) or 1 to 100.
	Quality string
	// Format is f_: "auto", "webp", "jpg", ....
	Format string
	// Raw holds further parameters in Cloudinary's syntax, appended after
	// the typed ones: "e_sepia,r_max". A "/" in it starts a chained
	// component.
	Raw string
}

// Transformation is a chain of components, applied in order: each Step
// renders as its parameters sorted by name and joined with ",", and the
// steps are joined with "/" (Step{Width: 300, Crop: CropFill} then
// Step{Raw: "e_sepia"} is "c_fill,w_300/e_sepia").
type Transformation []Step

var (
	formatRe  = regexp.MustCompile(`^[a-z0-9]{1,10}$`)
	qualityRe = regexp.MustCompile(`^auto(:(best|good|eco|low))?$`)
	rawRe     = regexp.MustCompile(`^[A-Za-z0-9_,:.!$@*^=+()~-]+$`)
	versionRe = regexp.MustCompile(`^v[0-9]+$`)
)

// Encode validates t and renders it in Cloudinary's URL syntax. An empty
// chain renders as "".
func (t Transformation) Encode() (string, error) {
	var steps []string
	for i, s := range t {
		enc, err := s.encode()
		if err != nil {
			return "", fmt.Errorf("transformation step %d: %w", i, err)
		}
		if enc != "" {
			steps = append(steps, enc)
		}
	}
	return strings.Join(steps, "/"), nil
}

func (s Step) encode() (string, error) {
	var parts []string
	if s.Width < 0 || s.Height < 0 {
		return "", errors.New("width and height must not be negative")
	}
	if s.Width > 0 {
		parts = append(parts, "w_"+strconv.Itoa(s.Width))
	}
	if s.Height > 0 {
		parts = append(parts, "h_"+strconv.Itoa(s.Height))
	}
	if s.Crop != "" {
		if !crops[s.Crop] {
			return "", fmt.Errorf("unknown crop mode %q", s.Crop)
		}
		parts = append(parts, "c_"+string(s.Crop))
	}
	if s.Gravity != "" {
		if !gravities[s.Gravity] {
			return "", fmt.Errorf("unknown gravity %q", s.Gravity)
		}
		parts = append(parts, "g_"+string(s.Gravity))
	}
	if s.Quality != "" {
		if q, err := strconv.Atoi(s.Quality); (err != nil || q < 1 || q > 100) && !qualityRe.MatchString(s.Quality) {
			return "", fmt.Errorf("quality %q must be 1 to 100 or auto", s.Quality)
		}
		parts = append(parts, "q_"+s.Quality)
	}
	if s.Format != "" {
		if !formatRe.MatchString(s.Format) {
			return "", fmt.Errorf("format %q must be lowercase letters and digits", s.Format)
		}
		parts = append(parts, "f_"+s.Format)
	}
	sort.Strings(parts)
	out := strings.Join(parts, ",")
	if s.Raw != "" {
		for _, seg := range strings.Split(s.Raw, "/") {
			if !rawRe.MatchString(seg) || versionRe.MatchString(seg) || strings.Contains(seg, "..") {
				return "", fmt.Errorf("raw component %q is not a Cloudinary transformation", seg)
			}
		}
		if out != "" {
			out += ","
		}
		out += s.Raw
	}
	return out, nil
}

// TransformationOf translates the provider-neutral Transform: its typed
// fields make the first step, each Raw entry a chained step after it.
func TransformationOf(t *mediastore.Transform) (Transformation, error) {
	if t.Quality < 0 || t.Quality > 100 {
		return nil, fmt.Errorf("quality %d must be 1 to 100, or 0 for the default", t.Quality)
	}
	first := Step{Width: t.Width, Height: t.Height, Crop: Crop(t.Crop), Gravity: Gravity(t.Gravity), Format: t.Format}
	if t.Quality > 0 {
		first.Quality = strconv.Itoa(t.Quality)
	}
	tr := Transformation{first}
	for _, r := range t.Raw {
		if r == "" {
			return nil, errors.New("empty raw transformation step")
		}
		tr = append(tr, Step{Raw: r})
	}
	return tr, nil
}
