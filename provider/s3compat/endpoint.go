package s3compat

import (
	"context"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	smithyauth "github.com/aws/smithy-go/auth"
	smithyendpoints "github.com/aws/smithy-go/endpoints"
)

// NewEndpointCache returns a resolver that memoizes next. The SDK resolves
// the endpoint of every operation through its rules, and for a region that
// is not an AWS one (R2's "auto", B2's "us-west-004") the rules compile the
// partitions' region patterns on each call: about a quarter of the CPU of a
// presign. Providers made by [New] use it; it is exported for S3 clients
// built beside them.
func NewEndpointCache(next s3.EndpointResolverV2) s3.EndpointResolverV2 {
	return &endpointCache{next: next}
}

// endpointCache memoizes an s3.EndpointResolverV2. The SDK resolves the
// endpoint twice per call (for the auth scheme, then for the request), and
// for a region that is not an AWS region (R2's "auto", B2's "us-west-004")
// each resolution compiles the region regexp of every AWS partition
// (awsrulesfn.getPartition): about 16 regexp.Compile per presign. The S3
// rules never read Key, Prefix or CopySource, so the endpoint of a client
// depends only on the other parameters, which make the cache key.
type endpointCache struct {
	next s3.EndpointResolverV2
	m    sync.Map // endpointKey -> smithyendpoints.Endpoint
}

func (c *endpointCache) ResolveEndpoint(ctx context.Context, p s3.EndpointParameters) (smithyendpoints.Endpoint, error) {
	key, ok := endpointKey(p)
	if !ok {
		return c.next.ResolveEndpoint(ctx, p)
	}
	if e, ok := c.m.Load(key); ok {
		return copyEndpoint(e.(smithyendpoints.Endpoint)), nil
	}
	e, err := c.next.ResolveEndpoint(ctx, p)
	if err != nil {
		return e, err
	}
	c.m.Store(key, e)
	return copyEndpoint(e), nil
}

// copyEndpoint copies what the SDK changes in an endpoint it is handed:
// the headers, the properties and the auth options' signer and identity
// properties (the signing middleware writes to them).
func copyEndpoint(e smithyendpoints.Endpoint) smithyendpoints.Endpoint {
	out := smithyendpoints.Endpoint{URI: e.URI, Headers: e.Headers.Clone()}
	out.Properties.SetAll(&e.Properties)
	if opts, ok := smithyauth.GetAuthOptions(&e.Properties); ok {
		cp := make([]*smithyauth.Option, len(opts))
		for i, o := range opts {
			c := &smithyauth.Option{SchemeID: o.SchemeID}
			c.SignerProperties.SetAll(&o.SignerProperties)
			c.IdentityProperties.SetAll(&o.IdentityProperties)
			cp[i] = c
		}
		smithyauth.SetAuthOptions(&out.Properties, cp)
	}
	return out
}

// endpointKey is the values of p's parameters but Key, Prefix and
// CopySource; ok is false for a parameter of a type it does not know.
func endpointKey(p s3.EndpointParameters) (string, bool) {
	var sb strings.Builder
	v := reflect.ValueOf(p)
	for i := range v.NumField() {
		switch v.Type().Field(i).Name {
		case "Key", "Prefix", "CopySource":
			continue
		}
		f := v.Field(i)
		if f.Kind() != reflect.Pointer {
			return "", false
		}
		if f.IsNil() {
			sb.WriteString("\x00-")
			continue
		}
		switch e := f.Elem(); e.Kind() {
		case reflect.String:
			sb.WriteString("\x00s")
			sb.WriteString(e.String())
		case reflect.Bool:
			sb.WriteString("\x00b")
			sb.WriteString(strconv.FormatBool(e.Bool()))
		default:
			return "", false
		}
	}
	return sb.String(), true
}
