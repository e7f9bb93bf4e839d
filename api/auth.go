package api

import (
	"bufio"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/gin-gonic/gin"
)

// MinKeyBytes is the shortest API key accepted: shorter keys can be
// guessed through the network.
const MinKeyBytes = 16

// keySet holds the SHA-256 digests of the API keys. Comparing digests of
// equal length with subtle.ConstantTimeCompare leaks neither a key's bytes
// nor its length through timing.
type keySet [][sha256.Size]byte

func newKeySet(keys []string) keySet {
	var ks keySet
	for _, k := range keys {
		if k = strings.TrimSpace(k); k != "" {
			ks = append(ks, sha256.Sum256([]byte(k)))
		}
	}
	return ks
}

// match reports whether key is one of the set. It looks at every key,
// matched or not, so the time taken says nothing about which matched.
func (ks keySet) match(key string) bool {
	d := sha256.Sum256([]byte(key))
	found := 0
	for i := range ks {
		found |= subtle.ConstantTimeCompare(d[:], ks[i][:])
	}
	return found == 1
}

// SplitKeys parses a comma-separated key list, as in NEWSDEX_API_KEYS.
// Empty entries are skipped; a key shorter than MinKeyBytes or holding
// spaces or control characters is an error that does not quote the key.
func SplitKeys(s string) ([]string, error) {
	var keys []string
	for i, k := range strings.Split(s, ",") {
		k = strings.TrimSpace(k)
		if k == "" {
			continue
		}
		if err := checkKey(k); err != nil {
			return nil, fmt.Errorf("api keys: key %d: %w", i+1, err)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// ReadKeyFile reads API keys from path, one per line; blank lines and lines
// starting with # are skipped. Errors name the line, never the key.
func ReadKeyFile(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("api key file: %w", err)
	}
	defer f.Close()
	var keys []string
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		k := strings.TrimSpace(sc.Text())
		if k == "" || strings.HasPrefix(k, "#") {
			continue
		}
		if err := checkKey(k); err != nil {
			return nil, fmt.Errorf("api key file %s line %d: %w", path, n, err)
		}
		keys = append(keys, k)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("api key file %s: %w", path, err)
	}
	return keys, nil
}

func checkKey(k string) error {
	if len(k) < MinKeyBytes {
		return fmt.Errorf("shorter than %d bytes", MinKeyBytes)
	}
	for _, r := range k {
		if r <= ' ' || r == 0x7f || r == '\uFFFD' {
			return fmt.Errorf("holds a space, control character or invalid UTF-8")
		}
	}
	return nil
}

// keyFrom returns the key a request presents: "Authorization: Bearer KEY"
// or "X-API-Key: KEY".
func keyFrom(r *http.Request) (string, bool) {
	if k := r.Header.Get("X-API-Key"); k != "" {
		return k, true
	}
	if auth := r.Header.Get("Authorization"); auth != "" {
		scheme, k, ok := strings.Cut(auth, " ")
		if ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(k), true
		}
		return "", true // a credential, but not one we take: treat as wrong
	}
	return "", false
}

// requireKey refuses a request without a valid key: 401 without one, 403
// with a wrong one, and 403 when the server has no keys at all.
func (s *Server) requireKey(c *gin.Context) {
	if len(s.keys) == 0 {
		s.fail(c, refuse(errNoKeys, "this route needs an API key and the server has none: set NEWSDEX_API_KEYS (comma-separated) or --api-key-file (one key per line) and restart"))
		return
	}
	k, ok := keyFrom(c.Request)
	if !ok {
		c.Header("WWW-Authenticate", `Bearer realm="newsdex"`)
		s.fail(c, refuse(errUnauthorized, "this route needs an API key: send Authorization: Bearer KEY or X-API-Key: KEY"))
		return
	}
	if !s.keys.match(k) {
		// Log that a key failed, never the key.
		s.log.Warn("rejected API key", "route", c.FullPath(), "client", c.ClientIP())
		s.fail(c, refuse(errForbidden, "the API key is not valid"))
	}
}

// readAuth guards the /v1 read routes when Options.ReadKeyRequired.
func (s *Server) readAuth() gin.HandlerFunc {
	if !s.opts.ReadKeyRequired {
		return func(*gin.Context) {}
	}
	return s.requireKey
}

// metricsAuth guards /metrics when Options.MetricsKeyRequired.
func (s *Server) metricsAuth() gin.HandlerFunc {
	if !s.opts.MetricsKeyRequired {
		return func(*gin.Context) {}
	}
	return s.requireKey
}
