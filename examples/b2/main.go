package main

import (
	"net/http"
	"strings"

	"github.com/mediastore/mediastore/b2"
	"github.com/mediastore/mediastore/examples/internal/app"
	"github.com/mediastore/mediastore/httpapi"
)

func main() {
	app.Run(config())
}

// config reads the environment and builds the provider, exiting with
// status 2 and one line on a missing or malformed variable.
func config() app.Config {
	common := app.LoadCommon(b2.EnvApplicationKeyID, b2.EnvApplicationKey, b2.EnvBucket, b2.EnvEndpoint)
	cfg, err := b2.ConfigFromEnv()
	if err != nil {
		app.Exit("%v", err)
	}
	p, err := b2.New(cfg)
	if err != nil {
		app.Exit("%s", variables.Replace(err.Error()))
	}
	return app.Config{Common: common, Provider: p, Routes: routes}
}

// variables names the fields in b2.New's errors by their variables.
var variables = strings.NewReplacer(
	"Config.AccessKeyID", b2.EnvApplicationKeyID,
	"Config.SecretAccessKey", b2.EnvApplicationKey,
	"Config.Bucket", b2.EnvBucket,
	"Config.PublicBaseURL", b2.EnvPublicBaseURL,
	"Config.Endpoint", b2.EnvEndpoint,
	"Config.Region", b2.EnvRegion,
)

// routes mounts the guide's endpoints at the guide's paths.
func routes(mux *http.ServeMux, h *httpapi.Handler) {
	mux.HandleFunc("POST /presign-b2-upload", h.PresignUpload)
	mux.HandleFunc("POST /save-b2-metadata", h.SaveMetadata)
}
