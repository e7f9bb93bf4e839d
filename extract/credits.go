package extract

// Picture and caption credits ("(Jorge Duenes/Reuters)", "REUTERS/Jonathan
// Ernst", "AFP via Getty Images", "(AP Photo/Name)", "Photo by Name/Getty",
// "Photograph: Name/AFP") name the photographer and the agency that sold the
// picture. Neither is a person of the story nor a cited outlet, so markCredits
// claims their tokens before people, places and outlets are looked for.

// creditWords name picture sources or mark a credit; an element of a
// "/"-joined chain holding one makes the chain a credit.
var creditWords = newWordSet(`images image photo photos photograph photographs photographer pictures getty
shutterstock flickr wikimedia commons istock istockphoto pool epa efe epa-efe sipa zuma alamy corbis
handout courtesy file files`)

// creditCues before ":" or "by" start a credit: "Photo: Name", "Photo by Name".
var creditCues = newWordSet(`photo photos photograph photographer image images credit credits illustration
caption contributing`)

// creditStops end the list of a poll or survey: "Reuters/Ipsos poll" is a
// citation, not a credit.
var creditStops = newWordSet(`poll polls polling survey surveys`)

var (
	hBy  = hashWord("by")
	hVia = hashWord("via")
)

// creditElem is one element of a credit chain: tokens [i, j).
type creditElem struct{ i, j int }

// markCredits claims the tokens of picture and caption credits.
func (d *data) markCredits(s *state) {
	toks := s.toks
	for k := range toks {
		t := toks[k]
		switch {
		case t.f&fPunct != 0 && (t.h == '/' || t.h == '|'):
			d.creditChain(s, k)
		case t.f&fWord != 0 && creditCues[t.h]:
			d.creditCue(s, k)
		case s.isPunct(k-1, '(') && s.spanStarting(k) != nil && s.spanStarting(k).e.outlet != 0:
			// "(Reuters: Rick Wilking)".
			if sp := s.spanStarting(k); s.isPunct(int(sp.j), ':') {
				s.claimCredit(k, int(sp.j))
				d.creditCue(s, int(sp.j)-1)
			}
		case t.f&fPunct != 0 && t.h == '(':
			d.creditParen(s, k)
		}
		if t.f&fLineStart != 0 {
			d.bylineLine(s, k)
		}
	}
}

// bylineLine claims a byline: a line of names only ("David Jackson, and
// Kevin Johnson") followed by a line that is an outlet's name ("USA
// TODAY"). The authors are not people of the story.
func (d *data) bylineLine(s *state, k int) {
	toks := s.toks
	j := k
	names := 0
	for j < len(toks) && (j == k || toks[j].f&fLineStart == 0) {
		t := toks[j]
		switch {
		case s.capWord(j):
			names++
		case t.f&fWord != 0 && (t.h == hAnd || t.h == hBy):
		case s.isPunct(j, ','):
		default:
			return
		}
		j++
		if j-k > 12 {
			return
		}
	}
	if names < 2 || j >= len(toks) {
		return
	}
	sp := s.spanStarting(j)
	if sp == nil || sp.e.outlet == 0 || int(sp.j) < len(toks) && toks[sp.j].f&fLineStart == 0 {
		return
	}
	s.claimCredit(k, j)
}

// claimCredit marks tokens [i, j) as a credit.
func (s *state) claimCredit(i, j int) {
	for k := max(i, 0); k < j && k < len(s.toks); k++ {
		s.claimed[k] = true
		s.toks[k].f |= fJunk
	}
}

// capWord reports a capitalised or all-capitals word at k.
func (s *state) capWord(k int) bool {
	return k >= 0 && k < len(s.toks) && s.toks[k].f&fWord != 0 && s.toks[k].f&(fCap|fUpper) != 0
}

// creditBack returns the start of the element ending before token k: up to
// four capitalised words, stopping after a credit word ("Images Chip
// Somodevilla/": the previous credit ends at "Images").
func (s *state) creditBack(k int) int {
	i := k
	for i-1 >= 0 && k-(i-1) <= 4 && s.capWord(i-1) && !creditWords[s.toks[i-1].h] && s.toks[i-1].f&fSentEnd == 0 {
		i--
		if s.toks[i].f&fLineStart != 0 {
			break
		}
	}
	// "AFP/Getty Images": a credit word alone is an element too.
	if i == k && s.capWord(k-1) && creditWords[s.toks[k-1].h] {
		i = k - 1
		if s.capWord(i-1) && creditWords[s.toks[i-1].h] {
			i-- // "Getty Images/"
		}
	}
	return i
}

// creditFwd returns the end of the element starting at token k: up to
// four capitalised words, "via" between them, ending after a credit word.
func (s *state) creditFwd(k int) int {
	j := k
	for j < len(s.toks) && j-k < 6 {
		t := s.toks[j]
		if t.f&fLineStart != 0 && j > k {
			break
		}
		if t.f&fWord != 0 && t.h == hVia && s.capWord(j+1) {
			j++
			continue
		}
		if !s.capWord(j) && !(t.f&fWord != 0 && creditWords[t.h]) {
			break // "(Gage Skidmore | flickr)": credit words may be lower case
		}
		j++
		if creditWords[t.h] && !(s.capWord(j) && creditWords[s.toks[j].h]) {
			break // "Getty Images Trump says": the caption ends here
		}
		if t.f&fSentEnd != 0 {
			break
		}
	}
	return j
}

// creditChain looks at the "/"- or "|"-joined chain through the separator at
// k and claims it when an element is a news agency or a credit word.
func (d *data) creditChain(s *state, k int) {
	if s.claimed[k] {
		return
	}
	sep := s.toks[k].h
	var elems []creditElem
	// Walk left to the start of the chain.
	start := k
	for {
		i := s.creditBack(start)
		if i == start {
			break
		}
		elems = append([]creditElem{{i, start}}, elems...)
		if i-1 >= 0 && s.isPunct(i-1, rune(sep)) {
			start = i - 1
			continue
		}
		break
	}
	// Walk right.
	at := k
	for at < len(s.toks) && s.isPunct(at, rune(sep)) {
		j := s.creditFwd(at + 1)
		if j == at+1 {
			break
		}
		elems = append(elems, creditElem{at + 1, j})
		at = j
	}
	if len(elems) < 2 {
		return
	}
	last := elems[len(elems)-1].j
	if last < len(s.toks) && s.toks[last].f&fWord != 0 && creditStops[s.toks[last].h] {
		return
	}
	credit := false
	for _, e := range elems {
		for t := e.i; t < e.j; t++ {
			if creditWords[s.toks[t].h] {
				credit = true
			}
			// A news agency counts in a "/" chain only; "|" separates
			// headlines too ("On The Money: ... | Trump to hit EU").
			if sep == '/' {
				if sp := s.spanCovering(t); sp != nil && sp.e.outlet != 0 {
					credit = true
				}
			}
		}
	}
	// "Yuri Gripas | Reuters" at the end of a caption line.
	if !credit && sep == '|' && (last >= len(s.toks) || s.toks[last].f&fLineStart != 0) {
		for t := elems[len(elems)-1].i; t < last; t++ {
			if sp := s.spanCovering(t); sp != nil && sp.e.outlet != 0 {
				credit = true
			}
		}
	}
	if !credit {
		return
	}
	for _, e := range elems {
		s.claimCredit(e.i, e.j)
	}
	for t := elems[0].j; t < last; t++ {
		if s.isPunct(t, rune(sep)) {
			s.claimed[t] = true
		}
	}
}

// creditCue claims the credit after "Photo:", "Photo by", "Photograph:" and
// an agency right before the cue ("Reuters photo", "AP Photo").
func (d *data) creditCue(s *state, k int) {
	toks := s.toks
	// "Reuters photo", "AP Photo": the outlet before the cue word.
	if p := k - 1; p >= 0 {
		if sp := s.spanCovering(p); sp != nil && sp.e.outlet != 0 && int(sp.j) == k {
			s.claimCredit(int(sp.i), k+1)
		}
	}
	n := k + 1
	if n < len(toks) && (s.isPunct(n, ':') || toks[n].f&fWord != 0 && toks[n].h == hBy && toks[n].f&fLower != 0) {
		n++
	} else {
		return
	}
	// Up to the end of the parenthesis, line or sentence: names, agencies,
	// commas and slashes.
	j := n
	for j < len(toks) && j-n < 12 {
		t := toks[j]
		if j > n && t.f&fLineStart != 0 {
			break
		}
		if t.f&fPunct != 0 {
			if t.h == ',' || t.h == '/' || t.h == '|' || t.h == '-' {
				j++
				continue
			}
			break
		}
		if !s.capWord(j) && !(t.h == hVia || t.h == hAnd) {
			break
		}
		j++
		if t.f&fSentEnd != 0 {
			break
		}
	}
	if j > n {
		s.claimCredit(k, j)
	}
}

// creditParen claims a parenthesised name that ends a paragraph, a caption
// credit such as "Ben Shapiro at Politicon 2016 (Gage Skidmore)".
func (d *data) creditParen(s *state, k int) {
	toks := s.toks
	j := k + 1
	for j < len(toks) && j-k <= 4 && s.capWord(j) && toks[j].f&fUpper == 0 {
		j++
	}
	if j-(k+1) < 2 || !s.isPunct(j, ')') {
		return
	}
	// Nothing after ")" on its line, and no sentence punctuation before "(".
	if j+1 < len(toks) && toks[j+1].f&fLineStart == 0 {
		return
	}
	// A known person in parentheses is a mention ("the bill's sponsor
	// (Chuck Grassley)"), not a photographer.
	if sp := s.spanStarting(k + 1); sp != nil && len(sp.e.persons) > 0 && int(sp.j) == j {
		return
	}
	s.claimCredit(k+1, j)
}
