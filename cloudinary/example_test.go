package cloudinary_test

import (
	"context"
	"fmt"
	"time"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/cloudinary"
)

func ExampleTransformation_Encode() {
	t := cloudinary.Transformation{
		{Width: 300, Height: 200, Crop: cloudinary.CropFill, Gravity: cloudinary.GravityFace, Quality: "auto"},
		{Raw: "e_sepia"},
	}
	s, err := t.Encode()
	fmt.Println(s, err)
	// Output: c_fill,g_face,h_200,q_auto,w_300/e_sepia <nil>
}

func ExampleTransformationOf() {
	t, _ := cloudinary.TransformationOf(&mediastore.Transform{Width: 640, Crop: "fit", Format: "webp", Quality: 80})
	s, _ := t.Encode()
	fmt.Println(s)
	// Output: c_fit,f_webp,q_80,w_640
}

func ExampleProvider_URL() {
	p, _ := cloudinary.New(cloudinary.Config{CloudName: "test123", APIKey: "a", APISecret: "b", DeliveryType: "authenticated"})
	u, _ := p.URL(context.Background(), "image/authenticated/sample", &mediastore.URLOptions{Expiry: time.Hour})
	fmt.Println(u)
	// Output: https://res.cloudinary.com/test123/image/authenticated/s--k6qA1NWo--/sample
}

func ExampleVerifyNotificationSignature() {
	body := []byte("{}")
	err := cloudinary.VerifyNotificationSignature(body, "0",
		"d5497e1a206ad0ba29ad09a7c0c5f22e939682d15009c15ab3199f62fefbd14b", "someApiSecret", "sha256",
		time.Hour, time.Unix(60, 0))
	fmt.Println(err)
	// Output: <nil>
}
