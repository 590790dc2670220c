package main

import (
	"testing"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/b2"
	"github.com/mediastore/mediastore/examples/internal/presigntest"
)

func TestMain(m *testing.M) { presigntest.Main(m) }

// region is the B2_REGION of the local server (B2's own endpoints name
// their region in the host).
const region = "us-west-004"

// TestExample runs the B2 guide's flows and the contract's refusals
// through this example's routes and its binary, against versitygw and
// PostgreSQL.
func TestExample(t *testing.T) {
	presigntest.Run(t, &presigntest.Example{
		Name:        b2.Name,
		PresignPath: "/presign-b2-upload",
		SavePath:    "/save-b2-metadata",
		Region:      region,
		Routes:      routes,
		Provider: func(s presigntest.Settings) (mediastore.Provider, error) {
			return b2.New(b2.Config{
				Endpoint: s.Endpoint, Region: region,
				ApplicationKeyID: s.AccessKey, ApplicationKey: s.SecretKey, Bucket: s.Bucket,
				PublicBaseURL: s.PublicBaseURL, UsePathStyle: true, HTTPClient: s.HTTPClient,
			})
		},
		Env: func(s presigntest.Settings) []string {
			return []string{
				b2.EnvApplicationKeyID + "=" + s.AccessKey, b2.EnvApplicationKey + "=" + s.SecretKey,
				b2.EnvBucket + "=" + s.Bucket, b2.EnvEndpoint + "=" + s.Endpoint,
				b2.EnvRegion + "=" + region, b2.EnvForcePathStyle + "=true",
			}
		},
		Required: []string{b2.EnvApplicationKeyID, b2.EnvApplicationKey, b2.EnvBucket, b2.EnvEndpoint},
		Malformed: []string{
			b2.EnvEndpoint + "=http://s3.us-west-004.backblazeb2.com", // B2 is HTTPS only
			b2.EnvEndpoint + "=ftp://127.0.0.1/", b2.EnvPublicBaseURL + "=media.example.com",
		},
	})
}
