package disk

import (
	"context"
	"io/fs"
	"iter"
	"strings"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/internal/urlsign"
)

// ListObjects yields the objects whose key starts with prefix, walking only
// the folder that holds the prefix, in lexical order per folder. Objects
// written or removed during the walk may or may not be yielded.
func (p *Provider) ListObjects(ctx context.Context, prefix string) iter.Seq2[*mediastore.Object, error] {
	return func(yield func(*mediastore.Object, error) bool) {
		start := "."
		if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
			start = prefix[:i]
			if urlsign.CheckKey(start) != nil {
				yield(nil, p.err("ListObjects", prefix, mediastore.ErrInvalid, nil))
				return
			}
		}
		if start == reservedDir || strings.HasPrefix(start, reservedDir+"/") {
			return
		}
		fsys := p.root.FS()
		err := fs.WalkDir(fsys, start, func(name string, d fs.DirEntry, err error) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err != nil {
				if name == start && notExist(err) {
					return fs.SkipAll // nothing under this prefix
				}
				return err
			}
			if d.IsDir() {
				if name == reservedDir || (name != start && !strings.HasPrefix(prefix, name+"/") && !strings.HasPrefix(name+"/", prefix)) {
					return fs.SkipDir
				}
				return nil
			}
			if !d.Type().IsRegular() || !strings.HasPrefix(name, prefix) {
				return nil
			}
			fi, err := d.Info()
			if err != nil {
				if notExist(err) {
					return nil // removed during the walk
				}
				return err
			}
			if !yield(p.report(name, fi, p.readMeta(name, fi)), nil) {
				return fs.SkipAll
			}
			return nil
		})
		if err != nil {
			yield(nil, p.err("ListObjects", prefix, mediastore.ErrProvider, err))
		}
	}
}
