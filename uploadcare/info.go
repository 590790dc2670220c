package uploadcare

import (
	"strings"
	"time"

	"github.com/mediastore/mediastore"
)

// fileInfo is the REST API's file info (v0.7) and, for the fields they
// share, the Upload API's /info/ and /multipart/complete/ answers.
type fileInfo struct {
	UUID             string            `json:"uuid"`
	Size             int64             `json:"size"`
	MimeType         string            `json:"mime_type"`
	OriginalFilename string            `json:"original_filename"`
	IsImage          bool              `json:"is_image"`
	IsReady          bool              `json:"is_ready"`
	IsStored         *bool             `json:"is_stored"` // Upload API only
	DatetimeUploaded *time.Time        `json:"datetime_uploaded"`
	DatetimeStored   *time.Time        `json:"datetime_stored"`
	DatetimeRemoved  *time.Time        `json:"datetime_removed"`
	Metadata         map[string]string `json:"metadata"`
	ContentInfo      *struct {
		Image *imageInfo `json:"image"`
	} `json:"content_info"`
	ImageInfo *imageInfo `json:"image_info"` // Upload API only
}

type imageInfo struct {
	Format string `json:"format"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
}

// image returns the image facts of whichever shape the answer used.
func (fi *fileInfo) image() *imageInfo {
	if fi.ContentInfo != nil && fi.ContentInfo.Image != nil {
		return fi.ContentInfo.Image
	}
	return fi.ImageInfo
}

// stored reports whether the file is stored (not temporary).
func (fi *fileInfo) stored() bool {
	if fi.IsStored != nil {
		return *fi.IsStored
	}
	return fi.DatetimeStored != nil
}

// object converts an answer about uuid into an Object. Extra["stored"]
// is set only by Stat: the objects of Put and VerifyDirect are temporary by
// construction and become rows that outlive the commit.
func (p *Provider) object(uuid string, fi *fileInfo, withStored bool) *mediastore.Object {
	o := &mediastore.Object{
		Key:          uuid,
		Size:         fi.Size,
		ContentType:  fi.MimeType,
		ResourceType: resourceType(fi.MimeType),
		URL:          p.cdnURL(uuid, "", ""),
		Extra:        map[string]any{},
	}
	if withStored {
		o.Extra["stored"] = fi.stored()
	}
	if fi.DatetimeUploaded != nil {
		o.ModTime = *fi.DatetimeUploaded
	}
	if fi.OriginalFilename != "" {
		o.Extra["original_filename"] = fi.OriginalFilename
	}
	if img := fi.image(); img != nil {
		o.Width, o.Height = img.Width, img.Height
		o.Extra["image"] = map[string]any{"format": img.Format, "width": img.Width, "height": img.Height}
		if o.ResourceType == "raw" {
			o.ResourceType = "image"
		}
	}
	return o
}

func resourceType(mime string) string {
	switch {
	case strings.HasPrefix(mime, "image/"):
		return "image"
	case strings.HasPrefix(mime, "video/"):
		return "video"
	}
	return "raw"
}
