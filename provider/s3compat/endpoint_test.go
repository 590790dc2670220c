package s3compat

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	smithyauth "github.com/aws/smithy-go/auth"
	smithyendpoints "github.com/aws/smithy-go/endpoints"
)

// TestEndpointCache checks that the cached resolver answers what the SDK's
// answers, and that an endpoint it hands out can be changed without
// changing the next one.
func TestEndpointCache(t *testing.T) {
	ctx := context.Background()
	def := s3.NewDefaultEndpointResolverV2()
	c := &endpointCache{next: def}
	for _, p := range []s3.EndpointParameters{
		{Bucket: aws.String("media"), Region: aws.String("auto"), Endpoint: aws.String("https://acct.r2.cloudflarestorage.com"), ForcePathStyle: aws.Bool(false)},
		{Bucket: aws.String("media"), Region: aws.String("auto"), Endpoint: aws.String("https://acct.r2.cloudflarestorage.com"), ForcePathStyle: aws.Bool(true)},
		{Bucket: aws.String("other"), Region: aws.String("auto"), Endpoint: aws.String("https://acct.r2.cloudflarestorage.com"), ForcePathStyle: aws.Bool(true)},
		{Bucket: aws.String("media"), Region: aws.String("us-west-004"), Endpoint: aws.String("https://s3.us-west-004.backblazeb2.com")},
		{Bucket: aws.String("media"), Region: aws.String("us-east-1")},
	} {
		for range 2 { // a miss, then a hit
			for _, key := range []string{"a.png", "b/c.png"} {
				p.Key = aws.String(key)
				want, err := def.ResolveEndpoint(ctx, p)
				if err != nil {
					t.Fatal(err)
				}
				got, err := c.ResolveEndpoint(ctx, p)
				if err != nil {
					t.Fatal(err)
				}
				if got.URI.String() != want.URI.String() || signing(got) != signing(want) {
					t.Fatalf("%s: cached %s %s, want %s %s", aws.ToString(p.Bucket), got.URI.String(), signing(got), want.URI.String(), signing(want))
				}
				// The SDK writes into the options it is handed.
				opts, _ := smithyauth.GetAuthOptions(&got.Properties)
				for _, o := range opts {
					o.SignerProperties.Set("mediastore-test", true)
				}
			}
		}
	}
}

// signing describes an endpoint's auth options.
func signing(e smithyendpoints.Endpoint) string {
	opts, _ := smithyauth.GetAuthOptions(&e.Properties)
	var sb strings.Builder
	for _, o := range opts {
		fmt.Fprintf(&sb, "%s%v;", o.SchemeID, o.SignerProperties.Values())
	}
	return sb.String()
}

func TestRangeTotal(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"bytes 0-511/12345", 12345, true},
		{"bytes 0-99/100", 100, true},
		{"BYTES 0-0/1", 1, true},
		{"bytes 0-511/*", 0, false},
		{"bytes */12345", 12345, true},
		{"", 0, false},
		{"bytes 0-511", 0, false},
		{"items 0-1/2", 0, false},
		{"bytes 0-1/-2", 0, false},
		{"bytes 0-1/x", 0, false},
	} {
		if got, ok := rangeTotal(tc.in); got != tc.want || ok != tc.ok {
			t.Errorf("rangeTotal(%q) = %d, %t; want %d, %t", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
