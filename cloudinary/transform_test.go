package cloudinary

import (
	"errors"
	"testing"

	"github.com/mediastore/mediastore"
)

func TestTransformationEncode(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		tr   Transformation
		want string
	}{
		{nil, ""},
		{Transformation{{}}, ""},
		{Transformation{{Width: 300, Crop: CropFill}}, "c_fill,w_300"},
		{Transformation{{Width: 10, Height: 20, Crop: CropCrop}}, "c_crop,h_20,w_10"},
		{Transformation{{Width: 300, Height: 200, Crop: CropFill, Gravity: GravityFace, Quality: "auto", Format: "webp"}},
			"c_fill,f_webp,g_face,h_200,q_auto,w_300"},
		{Transformation{{Width: 300, Crop: CropFill}, {Raw: "e_sepia"}, {Quality: "80", Raw: "r_max"}}, "c_fill,w_300/e_sepia/q_80,r_max"},
		{Transformation{{Raw: "l_text:Arial_60:Hello/fl_layer_apply,g_north"}}, "l_text:Arial_60:Hello/fl_layer_apply,g_north"},
		{Transformation{{Quality: "auto:eco"}}, "q_auto:eco"},
	} {
		got, err := tc.tr.Encode()
		if err != nil || got != tc.want {
			t.Errorf("%+v: %q %v, want %q", tc.tr, got, err, tc.want)
		}
	}
	for _, bad := range []Transformation{
		{{Width: -1}}, {{Crop: "squash"}}, {{Gravity: "up"}}, {{Quality: "0"}}, {{Quality: "101"}}, {{Quality: "best"}},
		{{Format: "WEBP"}}, {{Format: "../x"}}, {{Raw: "e_sepia?x=1"}}, {{Raw: "a//b"}}, {{Raw: "v123"}}, {{Raw: "x y"}},
		{{Raw: "a/../b"}}, {{Raw: "e_sepia#"}},
	} {
		if s, err := bad.Encode(); err == nil {
			t.Errorf("%+v encoded as %q, want an error", bad, s)
		}
	}
}

func TestTransformationOf(t *testing.T) {
	t.Parallel()
	tr, err := TransformationOf(&mediastore.Transform{Width: 300, Height: 200, Crop: "fill", Gravity: "center", Quality: 80, Format: "auto", Raw: []string{"e_grayscale"}})
	if err != nil {
		t.Fatal(err)
	}
	if s, err := tr.Encode(); err != nil || s != "c_fill,f_auto,g_center,h_200,q_80,w_300/e_grayscale" {
		t.Errorf("%q %v", s, err)
	}
	if _, err := TransformationOf(&mediastore.Transform{Quality: 200}); err == nil {
		t.Error("quality 200 accepted")
	}
	p, _ := New(Config{CloudName: "c", APIKey: "k", APISecret: "s"})
	if _, err := p.TransformURL(t.Context(), "image/upload/x", &mediastore.Transform{Crop: "squash"}, &mediastore.URLOptions{}); !errors.Is(err, mediastore.ErrInvalid) {
		t.Errorf("bad crop: %v", err)
	}
	if _, err := p.TransformURL(t.Context(), "raw/upload/x.pdf", &mediastore.Transform{Width: 10}, &mediastore.URLOptions{}); !errors.Is(err, mediastore.ErrUnsupported) {
		t.Errorf("raw transform: %v", err)
	}
	if u, err := p.TransformURL(t.Context(), "raw/upload/x.pdf", &mediastore.Transform{}, &mediastore.URLOptions{}); err != nil || u != "https://res.cloudinary.com/c/raw/upload/x.pdf" {
		t.Errorf("raw with an empty transform: %s %v", u, err)
	}
}
