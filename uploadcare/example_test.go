package uploadcare_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/uploadcare"
)

func ExampleCDNSubdomain() {
	fmt.Println("https://" + uploadcare.CDNSubdomain("demopublickey") + ".ucarecd.net")
	// Output: https://1s4oyld5dc.ucarecd.net
}

func ExampleOps() {
	p, err := uploadcare.New(uploadcare.Config{
		PublicKey:  "demopublickey",
		SecretKey:  "demosecretkey",
		CDNBaseURL: uploadcare.LegacyCDNBaseURL,
	})
	if err != nil {
		panic(err)
	}
	ops := uploadcare.Ops{}.Preview(800, 600).Format("webp").Quality(uploadcare.QualitySmart)
	fmt.Println(p.CDNURL("22240276-2f06-41f8-9411-755c8ce926ed", ops, "pineapple.webp"))
	// Output: https://ucarecdn.com/22240276-2f06-41f8-9411-755c8ce926ed/-/preview/800x600/-/format/webp/-/quality/smart/pineapple.webp
}

func ExampleProvider_TransformURL() {
	p, err := uploadcare.New(uploadcare.Config{
		PublicKey:  "demopublickey",
		SecretKey:  "demosecretkey",
		CDNBaseURL: "https://cdn.example.com",
		// Signed URLs, as in projects with secure delivery.
		SecureDeliverySecret: "73636b61519adede42191efe1e73f02a67c7b692e3765f90c250c230be095211",
	})
	if err != nil {
		panic(err)
	}
	u, err := p.TransformURL(context.Background(), "22240276-2f06-41f8-9411-755c8ce926ed",
		&mediastore.Transform{Width: 200, Height: 200, Crop: "fill", Gravity: "face"},
		&mediastore.URLOptions{Expiry: time.Hour})
	if err != nil {
		panic(err)
	}
	base, token, _ := strings.Cut(u, "?token=")
	fmt.Println(base)
	fmt.Println(strings.Contains(token, "~acl=/22240276-2f06-41f8-9411-755c8ce926ed/-/scale_crop/200x200/smart_faces/~hmac="))
	// Output:
	// https://cdn.example.com/22240276-2f06-41f8-9411-755c8ce926ed/-/scale_crop/200x200/smart_faces/
	// true
}
