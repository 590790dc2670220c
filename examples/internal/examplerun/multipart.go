package examplerun

import (
	"io"
	"mime/multipart"
	"net/textproto"
	"strings"
)

type multipartWriter struct{ *multipart.Writer }

func newMultipart(w io.Writer) multipartWriter { return multipartWriter{multipart.NewWriter(w)} }

// createFile starts a file part with the given Content-Type (as curl -F
// "file=@x;type=T" sends it; "" leaves it to application/octet-stream).
func (m multipartWriter) createFile(field, name, ctype string) (io.Writer, error) {
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	h := textproto.MIMEHeader{}
	esc := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	h.Set("Content-Disposition", `form-data; name="`+esc.Replace(field)+`"; filename="`+esc.Replace(name)+`"`)
	h.Set("Content-Type", ctype)
	return m.CreatePart(h)
}
