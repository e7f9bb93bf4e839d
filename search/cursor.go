package search

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A cursor is base64url(JSON{k, a}) + "." + a checksum. k binds it to the
// query, filters and sort it came from, so a cursor replayed with another
// query is refused instead of paging somewhere arbitrary; the checksum makes
// any edit a 400, not a confusing result.
type cursorBody struct {
	Key   string   `json:"k"`
	After []string `json:"a"`
}

func cursorKeyFor(r *Request) string {
	var b strings.Builder
	b.WriteString(r.Query)
	b.WriteByte(0)
	b.WriteString(r.Sort)
	b.WriteByte(0)
	b.WriteString(r.Mode)
	b.WriteByte(0)
	b.WriteString(r.Op)
	b.WriteByte(0)
	b.WriteString(r.Count)
	b.WriteByte(0)
	b.WriteString(strconv.Itoa(r.Neighbours))
	if r.Collapse != nil && !*r.Collapse {
		b.WriteString("\x00all")
	}
	for _, name := range FilterNames {
		vals := slices.Clone(r.Filters[name])
		slices.Sort(vals)
		b.WriteByte(0)
		b.WriteString(name)
		b.WriteString(strings.Join(vals, "\x01"))
		b.WriteByte(1)
		b.WriteString(r.FilterOps[name])
	}
	b.WriteByte(0)
	if !r.From.IsZero() {
		b.WriteString(r.From.Format(time.DateOnly))
	}
	b.WriteByte(0)
	if !r.To.IsZero() {
		b.WriteString(r.To.Format(time.DateOnly))
	}
	sum := sha256.Sum256([]byte(b.String()))
	return base64.RawURLEncoding.EncodeToString(sum[:8])
}

func checksum(payload string) string {
	sum := sha256.Sum256([]byte("newsdex-cursor\x00" + payload))
	return base64.RawURLEncoding.EncodeToString(sum[:6])
}

func encodeCursor(key string, after []string) string {
	js, _ := json.Marshal(cursorBody{Key: key, After: after})
	payload := base64.RawURLEncoding.EncodeToString(js)
	return payload + "." + checksum(payload)
}

// decodeCursor checks a cursor against the request's key and returns its
// n sort values (any number if n < 0); any tampering is a *ParamError.
func decodeCursor(c, key string, n int) ([]string, error) {
	bad := func(why string) error { return paramErr("cursor", "invalid cursor: %s", why) }
	if len(c) > 4096 {
		return nil, bad("too long")
	}
	payload, sum, ok := strings.Cut(c, ".")
	if !ok || checksum(payload) != sum {
		return nil, bad("checksum mismatch")
	}
	js, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return nil, bad("not base64")
	}
	var body cursorBody
	if err := json.Unmarshal(js, &body); err != nil {
		return nil, bad("not JSON")
	}
	if body.Key != key {
		return nil, bad("it belongs to another query, filter or sort")
	}
	if n >= 0 && len(body.After) != n {
		return nil, bad("wrong number of sort values")
	}
	return body.After, nil
}
