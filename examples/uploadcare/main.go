// Command uploadcare is the Uploadcare guide's server, streamed and
// consistent: POST /upload receives a multipart form (optional fileName and
// size, then file) and streams the file to Uploadcare as it arrives (the
// multipart upload API for files of 10 MB and more), records a row, then
// stores the file, so that a crash in between leaves only a temporary file
// that Uploadcare removes after 24 hours. It also serves the endpoints an
// application needs next: list, one file, a download URL, delete. See
// README.md for a walk-through with curl.
//
//	UPLOADCARE_PUBLIC_KEY=... UPLOADCARE_SECRET_KEY=... \
//	DATABASE_URL=postgres://... go run ./examples/uploadcare
//
// UPLOADCARE_UPLOAD_BASE_URL (default https://upload.uploadcare.com),
// UPLOADCARE_API_BASE_URL (default https://api.uploadcare.com) and
// UPLOADCARE_CDN_BASE_URL (default https://ucarecdn.com) point it at other
// servers, such as the fake in internal/fakes/uploadcarefake/cmd/fakeuploadcare.
// Projects created since September 2025 are served from their own CDN
// subdomain, https://<subdomain>.ucarecd.net (see uploadcare.CDNSubdomain):
// set UPLOADCARE_CDN_BASE_URL to it. An upload of 10 MB or more that states
// no size is first copied to a temporary file (Uploadcare's multipart API
// needs the size before the first byte), removed whatever happens; send the
// size field to stream it straight through. The common variables (PORT,
// DATABASE_URL, MEDIASTORE_MAX_SIZE, MEDIASTORE_ALLOWED_TYPES) are those of
// examples/internal/app. A missing variable or an unreachable database ends
// it with status 2 and one line that names the problem.
package main

import (
	"os"

	"github.com/mediastore/mediastore/examples/internal/app"
	"github.com/mediastore/mediastore/uploadcare"
)

func main() {
	common := app.LoadCommon(uploadcare.EnvPublicKey, uploadcare.EnvSecretKey)
	cfg, err := uploadcare.ConfigFromEnv()
	if err != nil {
		app.Exit("%v", err)
	}
	// The contract's default is the global CDN domain; the provider's own
	// default is the per-project subdomain of newer projects.
	if os.Getenv(uploadcare.EnvCDNBaseURL) == "" {
		cfg.CDNBaseURL = uploadcare.LegacyCDNBaseURL
	}
	p, err := uploadcare.New(cfg)
	if err != nil {
		app.Exit("%v", err)
	}
	app.Run(app.Config{Common: common, Provider: p, SpoolUnsized: true})
}
