package main

import (
	"net/http"
	"os"
	"strings"

	"github.com/mediastore/mediastore/examples/internal/app"
	"github.com/mediastore/mediastore/httpapi"
	"github.com/mediastore/mediastore/r2"
)

func main() {
	app.Run(config())
}

// config reads the environment and builds the provider, exiting with
// status 2 and one line on a missing or malformed variable.
func config() app.Config {
	required := []string{r2.EnvAccessKeyID, r2.EnvSecretAccessKey, r2.EnvBucket}
	if os.Getenv(r2.EnvEndpoint) == "" {
		required = append([]string{r2.EnvAccountID}, required...)
	}
	common := app.LoadCommon(required...)
	cfg, err := r2.ConfigFromEnv()
	if err != nil {
		app.Exit("%v", err)
	}
	p, err := r2.New(cfg)
	if err != nil {
		app.Exit("%s", variables.Replace(err.Error()))
	}
	return app.Config{Common: common, Provider: p, Routes: routes}
}

// variables names the fields in r2.New's errors by their variables.
var variables = strings.NewReplacer(
	"Config.AccountID", r2.EnvAccountID,
	"Config.AccessKeyID", r2.EnvAccessKeyID,
	"Config.SecretAccessKey", r2.EnvSecretAccessKey,
	"Config.Bucket", r2.EnvBucket,
	"Config.PublicBaseURL", r2.EnvPublicBaseURL,
	"Config.Endpoint", r2.EnvEndpoint,
)

// routes mounts the guide's endpoints at the guide's paths.
func routes(mux *http.ServeMux, h *httpapi.Handler) {
	mux.HandleFunc("POST /presign-upload", h.PresignUpload)
	mux.HandleFunc("POST /save-metadata", h.SaveMetadata)
}
