package main

import (
	"testing"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/examples/internal/presigntest"
	"github.com/mediastore/mediastore/r2"
)

func TestMain(m *testing.M) { presigntest.Main(m) }

// TestExample runs the R2 guide's flows and the contract's refusals
// through this example's routes and its binary, against versitygw (R2's
// region "auto") and PostgreSQL.
func TestExample(t *testing.T) {
	presigntest.Run(t, &presigntest.Example{
		Name:        r2.Name,
		PresignPath: "/presign-upload",
		SavePath:    "/save-metadata",
		Region:      r2.Region,
		Routes:      routes,
		Provider: func(s presigntest.Settings) (mediastore.Provider, error) {
			return r2.New(r2.Config{
				AccountID: "0123456789abcdef0123456789abcdef", Endpoint: s.Endpoint,
				AccessKeyID: s.AccessKey, SecretAccessKey: s.SecretKey, Bucket: s.Bucket,
				PublicBaseURL: s.PublicBaseURL, UsePathStyle: true, CreateOnly: s.CreateOnly, HTTPClient: s.HTTPClient,
			})
		},
		Env: func(s presigntest.Settings) []string {
			// R2_ACCOUNT_ID may be left out when R2_ENDPOINT_URL is set.
			return []string{
				r2.EnvAccessKeyID + "=" + s.AccessKey, r2.EnvSecretAccessKey + "=" + s.SecretKey,
				r2.EnvBucket + "=" + s.Bucket, r2.EnvEndpoint + "=" + s.Endpoint, r2.EnvForcePathStyle + "=true",
			}
		},
		Required:                []string{r2.EnvAccessKeyID, r2.EnvSecretAccessKey, r2.EnvBucket},
		EndpointVar:             r2.EnvEndpoint,
		RequiredWithoutEndpoint: []string{r2.EnvAccountID},
		Malformed:               []string{r2.EnvEndpoint + "=ftp://127.0.0.1/", r2.EnvPublicBaseURL + "=media.example.com", r2.EnvCreateOnly + "=maybe"},
		CreateOnly:              true,
	})
}
