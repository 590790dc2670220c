package uploadcare

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/mediastore/mediastore"
)

// Ops is a chain of Uploadcare CDN URL operations, built step by step and
// rendered by String as "-/op/params/-/op2/params/". The zero value is the
// empty chain; every method returns a new chain and leaves o as it was.
//
//	ops := uploadcare.Ops{}.Preview(800, 600).Format("webp").Quality(uploadcare.QualitySmart)
//	p.CDNURL(uuid, ops, "photo.webp") // .../<uuid>/-/preview/800x600/-/format/webp/-/quality/smart/photo.webp
type Ops struct {
	steps []string
}

// Quality is a value of the quality operation.
type Quality string

// The qualities the CDN knows, from the smallest files to the best images.
const (
	QualityLightest    Quality = "lightest"
	QualityLighter     Quality = "lighter"
	QualityNormal      Quality = "normal"
	QualityBetter      Quality = "better"
	QualityBest        Quality = "best"
	QualitySmart       Quality = "smart"
	QualitySmartRetina Quality = "smart_retina"
)

// Alignments for Crop and ScaleCrop. Any "Xp,Yp" percentage or "X,Y" pixel
// offset string works too.
const (
	AlignCenter = "center"
	// AlignSmart lets the CDN find the important part (ScaleCrop only).
	AlignSmart = "smart"
	// AlignSmartFaces favours faces (ScaleCrop only).
	AlignSmartFaces = "smart_faces"
)

func (o Ops) with(step ...string) Ops {
	steps := make([]string, 0, len(o.steps)+1)
	steps = append(steps, o.steps...)
	return Ops{steps: append(steps, strings.Join(step, "/"))}
}

// dims renders "WxH", leaving out a zero side ("800x", "x600").
func dims(w, h int) string {
	s := ""
	if w > 0 {
		s = strconv.Itoa(w)
	}
	s += "x"
	if h > 0 {
		s += strconv.Itoa(h)
	}
	return s
}

// Preview downscales to fit within w x h, keeping the proportions
// (-/preview/WxH/); zero for both gives the CDN's default 2048x2048.
func (o Ops) Preview(w, h int) Ops {
	if w <= 0 && h <= 0 {
		return o.with("preview")
	}
	return o.with("preview", dims(w, h))
}

// Resize resizes to w x h (-/resize/WxH/); with one side zero the other
// follows the aspect ratio, with both set the image may be distorted.
func (o Ops) Resize(w, h int) Ops { return o.with("resize", dims(w, h)) }

// Crop cuts a w x h region at align (-/crop/WxH/align/) without scaling;
// align "" is the top left corner.
func (o Ops) Crop(w, h int, align string) Ops {
	if align == "" {
		return o.with("crop", dims(w, h))
	}
	return o.with("crop", dims(w, h), align)
}

// ScaleCrop scales the image to cover w x h and crops the excess around
// align (-/scale_crop/WxH/align/); align "" is the CDN's default (center).
func (o Ops) ScaleCrop(w, h int, align string) Ops {
	if align == "" {
		return o.with("scale_crop", dims(w, h))
	}
	return o.with("scale_crop", dims(w, h), align)
}

// Format converts the output (-/format/F/): "jpeg", "png", "webp", "auto"
// (the best format the browser accepts) or "preserve".
func (o Ops) Format(f string) Ops { return o.with("format", f) }

// Quality sets the compression (-/quality/Q/).
func (o Ops) Quality(q Quality) Ops { return o.with("quality", string(q)) }

// Raw appends one operation in the CDN's own syntax, such as "grayscale"
// or "blur/50"; a leading "-/" and a trailing "/" are optional.
func (o Ops) Raw(step string) Ops {
	step = strings.Trim(strings.TrimPrefix(step, "-/"), "/")
	if step == "" {
		return o
	}
	return o.with(step)
}

// Len is the number of operations.
func (o Ops) Len() int { return len(o.steps) }

// String renders the chain as it goes into a CDN URL after "<uuid>/":
// "-/resize/800x/-/format/webp/", or "" for the empty chain.
func (o Ops) String() string {
	var b strings.Builder
	for _, s := range o.steps {
		b.WriteString("-/")
		b.WriteString(s)
		b.WriteString("/")
	}
	return b.String()
}

// gravities maps mediastore gravities to crop alignments.
var gravities = map[string]string{
	"":          "",
	"center":    AlignCenter,
	"north":     "50p,0p",
	"south":     "50p,100p",
	"east":      "100p,50p",
	"west":      "0p,50p",
	"northwest": "0p,0p",
	"northeast": "100p,0p",
	"southwest": "0p,100p",
	"southeast": "100p,100p",
	"auto":      AlignSmart,
	"face":      AlignSmartFaces,
	"faces":     AlignSmartFaces,
}

// qualityOf maps a 1-100 quality to the CDN's named levels.
func qualityOf(q int) Quality {
	switch {
	case q >= 90:
		return QualityBest
	case q >= 80:
		return QualityBetter
	case q >= 60:
		return QualityNormal
	case q >= 40:
		return QualityLighter
	}
	return QualityLightest
}

// FromTransform translates a provider-neutral transform into operations:
//
//   - Width/Height with Crop "" or "scale": resize (one side may be zero);
//     "fit": preview (fits within the box, never upscales); "fill":
//     scale_crop at Gravity; "crop": crop at Gravity (both sides needed).
//     "pad" has no equivalent and is ErrUnsupported.
//   - Gravity: center (the default), north, south, east, west, northwest,
//     ..., auto (smart), face (smart_faces); crop accepts only center and
//     the compass points.
//   - Quality 1-100 becomes lightest (<40), lighter (<60), normal (<80),
//     better (<90) or best.
//   - Format: jpg/jpeg, png, webp, auto, preserve.
//   - Raw steps are appended as [Ops.Raw].
//
// Bad values are ErrInvalid.
func FromTransform(t *mediastore.Transform) (Ops, error) {
	const op = "uploadcare.FromTransform"
	invalid := func(format string, args ...any) (Ops, error) {
		return Ops{}, mediastore.NewError(op, Name, "", mediastore.ErrInvalid, fmt.Errorf(format, args...))
	}
	var o Ops
	if t == nil {
		return o, nil
	}
	if t.Width < 0 || t.Height < 0 {
		return invalid("negative width or height")
	}
	align, ok := gravities[strings.ToLower(t.Gravity)]
	if !ok {
		return invalid("unknown gravity %q", t.Gravity)
	}
	if align == "" {
		align = AlignCenter // as other providers crop by default
	}
	sized := t.Width > 0 || t.Height > 0
	switch strings.ToLower(t.Crop) {
	case "", "scale":
		if sized {
			o = o.Resize(t.Width, t.Height)
		}
	case "fit":
		if sized {
			o = o.Preview(t.Width, t.Height)
		}
	case "fill":
		if t.Width == 0 || t.Height == 0 {
			return invalid("crop %q needs width and height", t.Crop)
		}
		o = o.ScaleCrop(t.Width, t.Height, align)
	case "crop":
		if t.Width == 0 || t.Height == 0 {
			return invalid("crop %q needs width and height", t.Crop)
		}
		if align == AlignSmart || align == AlignSmartFaces {
			return invalid("crop %q does not take gravity %q", t.Crop, t.Gravity)
		}
		o = o.Crop(t.Width, t.Height, align)
	case "pad":
		return Ops{}, mediastore.NewError(op, Name, "", mediastore.ErrUnsupported, errors.New(`crop "pad" has no Uploadcare operation`))
	default:
		return invalid("unknown crop %q", t.Crop)
	}
	if t.Quality < 0 || t.Quality > 100 {
		return invalid("quality %d is not from 1 to 100", t.Quality)
	}
	if t.Quality > 0 {
		o = o.Quality(qualityOf(t.Quality))
	}
	switch f := strings.ToLower(t.Format); f {
	case "":
	case "jpg", "jpeg":
		o = o.Format("jpeg")
	case "png", "webp", "auto", "preserve":
		o = o.Format(f)
	default:
		return invalid("unsupported format %q", t.Format)
	}
	for _, r := range t.Raw {
		if strings.ContainsAny(r, "?#") {
			return invalid("raw step %q contains ? or #", r)
		}
		o = o.Raw(r)
	}
	return o, nil
}
