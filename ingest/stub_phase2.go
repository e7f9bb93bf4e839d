package ingest

import (
	"errors"
	"io"
)

func readFeed(s *stream, r io.Reader) error              { return errors.New("feeds not yet supported") }
func readHTML(s *stream, r io.Reader, base string) error { return errors.New("html not yet supported") }
func (w *walker) url(u string) error                     { return errors.New("urls not yet supported") }
