// Package archtest checks the shape of the module as tests: which
// packages import Bleve, how long files are, how many parameters the
// functions of package search take (issue 19, acceptance 1) and that api/
// answers every error through its one mapping. It has no code of its own.
package archtest

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// root is the module root, two levels up from this package.
const root = "../.."

// goFiles returns the .go files under dir (relative to the module root),
// test files only if tests is set, skipping testdata and hidden folders.
func goFiles(t *testing.T, dir string, tests bool) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(filepath.Join(root, dir), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); n == "testdata" || n == "node_modules" || strings.HasPrefix(n, ".") && p != filepath.Join(root, dir) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || !tests && strings.HasSuffix(p, "_test.go") {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: %v", dir, err)
	}
	return out
}

// TestOnlyIndexAndSearchImportBleve: no Bleve type appears above index/
// and search/ (STYLE.md §1), test files included.
func TestOnlyIndexAndSearchImportBleve(t *testing.T) {
	fset := token.NewFileSet()
	for _, f := range goFiles(t, ".", true) {
		if strings.HasPrefix(f, "index/") || strings.HasPrefix(f, "search/") {
			continue
		}
		file, err := parser.ParseFile(fset, filepath.Join(root, f), nil, parser.ImportsOnly)
		if err != nil {
			t.Fatalf("parse %s: %v", f, err)
		}
		for _, imp := range file.Imports {
			if strings.HasPrefix(strings.Trim(imp.Path.Value, `"`), "github.com/blevesearch/") {
				t.Errorf("%s imports %s: only index/ and search/ (and their internal packages) may", f, imp.Path.Value)
			}
		}
	}
}

// maxLines bounds a non-test Go file of search/, index/ and api/: a file
// that grows past it holds more than one responsibility.
const maxLines = 500

// overLong lists the files still over maxLines, to be split; the test
// fails when one of them is short enough to leave the list, so it only
// shrinks.
var overLong = []string{}

func TestFileLength(t *testing.T) {
	for _, dir := range []string{"search", "index", "api"} {
		for _, f := range goFiles(t, dir, false) {
			b, err := os.ReadFile(filepath.Join(root, f))
			if err != nil {
				t.Fatal(err)
			}
			n := strings.Count(string(b), "\n")
			listed := slices.Contains(overLong, f)
			switch {
			case n > maxLines && !listed:
				t.Errorf("%s has %d lines, more than %d: split it by responsibility", f, n, maxLines)
			case n <= maxLines && listed:
				t.Errorf("%s has %d lines now: take it off overLong", f, n)
			}
		}
	}
}

// maxParams bounds the parameters of a function or method of package
// search (receivers not counted): more means a struct wants to be passed.
const maxParams = 6

// manyParams lists the functions still over maxParams, as "file:func";
// like overLong it only shrinks.
var manyParams = []string{}

func TestSearchParams(t *testing.T) {
	fset := token.NewFileSet()
	for _, f := range goFiles(t, "search", false) {
		file, err := parser.ParseFile(fset, filepath.Join(root, f), nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatalf("parse %s: %v", f, err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			var name string
			var ft *ast.FuncType
			switch n := n.(type) {
			case *ast.FuncDecl:
				name, ft = n.Name.Name, n.Type
			case *ast.FuncLit:
				name, ft = fmt.Sprintf("func literal at line %d", fset.Position(n.Pos()).Line), n.Type
			default:
				return true
			}
			count := 0
			for _, p := range ft.Params.List {
				count += max(1, len(p.Names))
			}
			key := f + ":" + name
			listed := slices.Contains(manyParams, key)
			switch {
			case count > maxParams && !listed:
				t.Errorf("%s takes %d parameters, more than %d: pass a struct", key, count, maxParams)
			case count <= maxParams && listed:
				t.Errorf("%s takes %d parameters now: take it off manyParams", key, count)
			}
			return true
		})
	}
}

// TestAPIErrorsLeaveThroughFail: api/ maps errors to statuses and codes in
// one function, Server.fail (STYLE.md §3). Nothing else calls writeError,
// and nothing but writeError aborts with a JSON body, so no handler or
// middleware can answer with a literal code beside the mapping.
func TestAPIErrorsLeaveThroughFail(t *testing.T) {
	allowed := map[string]string{"writeError": "fail", "AbortWithStatusJSON": "writeError"}
	fset := token.NewFileSet()
	calls := 0
	for _, f := range goFiles(t, "api", false) {
		file, err := parser.ParseFile(fset, filepath.Join(root, f), nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatalf("parse %s: %v", f, err)
		}
		for _, decl := range file.Decls {
			fd, ok := decl.(*ast.FuncDecl)
			if !ok {
				// A writeError in a package-level func literal would escape
				// the check below; there is none, and there must stay none.
				ast.Inspect(decl, func(n ast.Node) bool {
					if name := calleeName(n); allowed[name] != "" {
						t.Errorf("%s: %s called outside any function", fset.Position(n.Pos()), name)
					}
					return true
				})
				continue
			}
			ast.Inspect(fd, func(n ast.Node) bool {
				name := calleeName(n)
				if want, ok := allowed[name]; ok {
					calls++
					if fd.Name.Name != want {
						t.Errorf("%s: %s calls %s; only %s may: send the error through Server.fail", fset.Position(n.Pos()), fd.Name.Name, name, want)
					}
				}
				return true
			})
		}
	}
	if calls == 0 {
		t.Fatal("found no call of writeError or AbortWithStatusJSON in api/: has the mapping moved?")
	}
}

// calleeName returns the name of the function or method n calls, or ""
// when n is not a call.
func calleeName(n ast.Node) string {
	call, ok := n.(*ast.CallExpr)
	if !ok {
		return ""
	}
	switch fn := call.Fun.(type) {
	case *ast.Ident:
		return fn.Name
	case *ast.SelectorExpr:
		return fn.Sel.Name
	}
	return ""
}
