// Command cloudinary is the Cloudinary guide's server, verified: the
// browser asks for a signature (GET /generate-signature), uploads straight
// to Cloudinary with it, and reports the upload (POST /save-metadata),
// which the library checks against Cloudinary before it records a row. It
// also serves the server-side upload (POST /upload, streamed, chunked for
// large files) and the endpoints an application needs next: list, one
// file, a download URL, delete. See README.md for a walk-through with curl.
//
//	CLOUDINARY_CLOUD_NAME=... CLOUDINARY_API_KEY=... CLOUDINARY_API_SECRET=... \
//	DATABASE_URL=postgres://... go run ./examples/cloudinary
//
// CLOUDINARY_URL (cloudinary://API_KEY:API_SECRET@CLOUD_NAME) may stand for
// the three. CLOUDINARY_API_BASE_URL (default https://api.cloudinary.com)
// and CLOUDINARY_DELIVERY_BASE_URL (default https://res.cloudinary.com)
// point it at another server, such as the fake in
// internal/fakes/cloudinaryfake/cmd/fakecloudinary. The common variables
// (PORT, DATABASE_URL, MEDIASTORE_MAX_SIZE, MEDIASTORE_ALLOWED_TYPES) are
// those of examples/internal/app. A missing variable or an unreachable
// database ends it with status 2 and one line that names the problem.
package main

import (
	"net/http"
	"os"
	"strings"

	"github.com/mediastore/mediastore/cloudinary"
	"github.com/mediastore/mediastore/examples/internal/app"
	"github.com/mediastore/mediastore/httpapi"
)

func main() {
	requireEnv()
	common := app.LoadCommon()
	cfg, err := cloudinary.ConfigFromEnv()
	if err != nil {
		app.Exit("%v", err)
	}
	p, err := cloudinary.New(cfg)
	if err != nil {
		app.Exit("%v", err)
	}
	app.Run(app.Config{Common: common, Provider: p, Routes: routes})
}

// requireEnv exits with status 2 and one line naming every missing
// variable, the database's and Cloudinary's together.
func requireEnv() {
	var missing []string
	names := []string{"DATABASE_URL"}
	if os.Getenv(cloudinary.EnvURL) == "" {
		names = append(names, cloudinary.EnvCloudName, cloudinary.EnvAPIKey, cloudinary.EnvAPISecret)
	}
	for _, n := range names {
		if os.Getenv(n) == "" {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		hint := ""
		if len(missing) > 1 || missing[0] != "DATABASE_URL" {
			hint = " (or set " + cloudinary.EnvURL + "=cloudinary://API_KEY:API_SECRET@CLOUD_NAME for the Cloudinary ones)"
		}
		app.Exit("missing environment variable(s): %s%s", strings.Join(missing, ", "), hint)
	}
}

// routes mounts the guide's two endpoints next to the common ones.
func routes(mux *http.ServeMux, h *httpapi.Handler) {
	mux.HandleFunc("GET /generate-signature", h.GenerateSignature)
	mux.HandleFunc("POST /save-metadata", h.SaveCloudinaryMetadata)
}
