package extract

// matchSpans finds the longest gazetteer phrase at each token, left to
// right, and records the spans.
func (d *data) matchSpans(s *state) {
	toks := s.toks
	for i := 0; i < len(toks); {
		t := toks[i]
		if t.f&fWord == 0 {
			i++
			continue
		}
		// Most words are lower case and start no phrase: skip the lookup.
		if t.f&fLower != 0 && t.w&wLowerStart == 0 {
			i++
			continue
		}
		if t.f&fJunk != 0 {
			// "Znak.com", "News.com.au": outlets named by their domain.
			if e, _ := d.gazT.get(t.h); e != nil && e.outlet != 0 && e.n == 1 {
				s.spans = append(s.spans, span{i: int32(i), j: int32(i + 1), e: e})
				s.spanAt[i] = int32(len(s.spans))
				s.inSpan[i] = int32(len(s.spans))
			}
			i++
			continue
		}
		j, e := d.longest(toks, i)
		if e == nil {
			i++
			continue
		}
		s.spans = append(s.spans, span{i: int32(i), j: int32(j), e: e})
		n := int32(len(s.spans))
		s.spanAt[i] = n
		for k := i; k < j; k++ {
			s.inSpan[k] = n
		}
		i = j
	}
}

// longest returns the end of the longest phrase starting at token i whose
// capitalisation fits, and its entry; nil if none.
func (d *data) longest(toks []token, i int) (int, *entry) {
	var acc uint64
	best, bestE := -1, (*entry)(nil)
	for k := i; k < len(toks) && k-i < 12; k++ {
		t := toks[k]
		if t.f&fJunk != 0 {
			break
		}
		if k > i && t.f&fParaStart != 0 {
			break
		}
		acc = seqHash(acc, t.h)
		e, _ := d.gazT.get(acc)
		if e == nil {
			break
		}
		if e.n == uint8(k-i+1) && shapeOK(e, toks, i, k) {
			best, bestE = k+1, e
		}
		if !e.prefix {
			break
		}
	}
	return best, bestE
}

// shapeOK checks the capitalisation the entry asks of tokens i..k.
func shapeOK(e *entry, toks []token, i, k int) bool {
	for n := 0; n <= k-i && n < 16; n++ {
		t := toks[i+n]
		bit := uint16(1) << n
		if e.upMask&bit != 0 && t.f&fNoLower == 0 {
			return false
		}
		if e.capMask&bit != 0 && t.f&(fCap|fUpper) == 0 {
			return false
		}
	}
	return true
}

// spanStarting returns the span starting at token i, or nil.
func (s *state) spanStarting(i int) *span {
	if i < 0 || i >= len(s.spanAt) || s.spanAt[i] == 0 {
		return nil
	}
	return &s.spans[s.spanAt[i]-1]
}

// spanCovering returns the span covering token i, or nil.
func (s *state) spanCovering(i int) *span {
	if i < 0 || i >= len(s.inSpan) || s.inSpan[i] == 0 {
		return nil
	}
	return &s.spans[s.inSpan[i]-1]
}

// word returns the text of token i.
func (s *state) word(i int) string {
	t := s.toks[i]
	return s.text[t.s:t.e]
}

// isPunct reports whether token i is the punctuation rune r.
func (s *state) isPunct(i int, r rune) bool {
	return i >= 0 && i < len(s.toks) && s.toks[i].f&fPunct != 0 && s.toks[i].h == uint64(r)
}
