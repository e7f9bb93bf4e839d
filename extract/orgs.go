package extract

import "slices"

// Organisation names look like people's names ("Smith Barney", "McDonnell
// Douglas", "Societe Generale"): two capitalised words, often a given name
// among them. An article usually writes the full name once with its legal
// suffix ("McDonnell Douglas Corp", "Societe Generale SA", "Smith Barney,
// Harris Upham and Co") and the short name elsewhere, so findOrgNames learns
// the article's organisations from their suffixes and decideUnknown refuses
// those names as people anywhere in the article.

// orgSuffixWords end a company's name; the capitalised words before them
// name the company.
var orgSuffixWords = newWordSet(`corp corp. corporation inc inc. co co. ltd ltd. llc plc sa s.a. ag nv n.v.
gmbh spa cie bhd securities bancorp bank holdings group partners capital brothers bros bros. associates
investments`)

// attribNouns right after a name make it an organisation used as a
// modifier: "Smith Barney analyst", "Ginnie Mae executive", "the Coral
// Gables home" is handled by determinerWords.
var attribNouns = newWordSet(`analyst analysts economist economists strategist strategists trader traders
spokesman spokeswoman spokesperson executive executives official officials employee employees unit
subsidiary shares stock shareholders stockholders board directors management affiliate division`)

// determinerWords before a name make it a thing: "the Geneva Conventions",
// "his Coral Gables home", "a Smith Barney report".
var determinerWords = newWordSet(`the a an his her its their our my your`)

// orgKey is a company name by its first and last token.
type orgKey [2]uint64

// findOrgNames records the names before organisation suffixes: "McDonnell
// Douglas Corp", "S.G. Warburg Securities", and each name of a firm list
// "Smith Barney, Harris Upham and Co".
func (d *data) findOrgNames(s *state) {
	toks := s.toks
	s.orgs = s.orgs[:0]
	s.orgWords = s.orgWords[:0]
	for k := range toks {
		t := toks[k]
		if t.f&fWord == 0 || t.f&(fCap|fUpper) == 0 || !orgSuffixWords[t.h] || k == 0 {
			continue
		}
		// Walk back over the names of the firm, separated by ",", "and"
		// or "&": "Smith Barney, Harris Upham and Co".
		// Only a partnership ("... and Co", "& Co") lists several names;
		// otherwise "Reps. Kevin Brady and Greg Walden, AFP and Freedom
		// Partners" would make the congressmen a firm.
		partnership := s.isPunct(k-1, '&') || toks[k-1].f&fWord != 0 && toks[k-1].h == hAnd
		end := k
		for n := 0; n < 4 && end > 0; n++ {
			p := end - 1
			for p >= 0 && (s.isPunct(p, ',') || s.isPunct(p, '&') || toks[p].f&fWord != 0 && toks[p].h == hAnd) {
				p--
			}
			i := p + 1
			// A possessive ends the walk: "Rupert Murdoch's News Corp
			// Ltd" is News Corp, owned by a person.
			for i-1 >= 0 && p+1-(i-1) <= 4 && s.capWord(i-1) && toks[i-1].f&(fSentEnd|fPoss) == 0 && !orgSuffixWords[toks[i-1].h] {
				i--
				if toks[i].f&fLineStart != 0 {
					break
				}
			}
			if i > p {
				break
			}
			first := i
			// Initials ("S.G. Warburg") are no part of the key.
			for first < p && toks[first].f&(fInitial|fAbbrev) != 0 {
				first++
			}
			// In a headline every word is capitalised, so a suffix there
			// may be a plain noun ("Whether Trump Associates Were
			// Monitored"): its words do not veto a surname elsewhere.
			if t.f&fHeadline == 0 {
				for m := first; m <= p; m++ {
					s.orgWords = append(s.orgWords, toks[m].h)
				}
			}
			s.orgs = append(s.orgs, orgKey{toks[first].h, toks[p].h})
			// Every pair of neighbours: "Smith Barney" of "Smith Barney
			// Harris Upham and Co".
			for m := first; m < p; m++ {
				s.orgs = append(s.orgs, orgKey{toks[m].h, toks[m+1].h})
			}
			if first == p {
				// "S.G. Warburg Securities": the one word plus the suffix.
				s.orgs = append(s.orgs, orgKey{toks[p].h, t.h})
			}
			if partnership && i-1 >= 0 && (s.isPunct(i-1, ',') || s.isPunct(i-1, '&') || toks[i-1].f&fWord != 0 && toks[i-1].h == hAnd) {
				end = i
				continue
			}
			break
		}
	}
}

// isOrg reports whether the name from token a to token b (its first and
// last core tokens) is an organisation of the article.
func (s *state) isOrg(first, last int) bool {
	k := orgKey{s.toks[first].h, s.toks[last].h}
	for _, o := range s.orgs {
		if o == k {
			return true
		}
	}
	return false
}

// orgWord reports whether the word with hash h is part of the name of one
// of the article's organisations named outside a headline.
func (s *state) orgWord(h uint64) bool {
	return slices.Contains(s.orgWords, h)
}

// thingContext reports context that makes the name at tokens [a, b) a
// thing: a determiner before it ("the Geneva Conventions") or an
// attributive noun after it ("Ginnie Mae executive").
func (s *state) thingContext(a, b int) bool {
	toks := s.toks
	// A given name first is a person used attributively: "the Paula Jones
	// case", "the George Floyd protests".
	given := toks[a].w&wGiven != 0
	if p := a - 1; !given && p >= 0 && toks[p].f&fWord != 0 && toks[p].f&fLower != 0 && determinerWords[toks[p].h] {
		return true
	}
	if p := a - 1; !given && p >= 0 && toks[p].f&fWord != 0 && toks[p].h == hThe && toks[a].f&fSentStart == 0 {
		return true
	}
	if b < len(toks) && toks[b].f&fWord != 0 && toks[b].f&fLower != 0 && attribNouns[toks[b].h] && toks[b-1].f&fPoss == 0 {
		return true
	}
	// "analyst William Smith of Smith Barney", "vice president at X": after
	// a person or a job title, "of" or "at" introduces the employer.
	if p := a - 1; p >= 1 && toks[p].f&fWord != 0 && toks[p].f&fLower != 0 && (toks[p].h == hOf || toks[p].h == hAt) {
		q := toks[p-1]
		// "Personal Computer Rental Corp of Coral Gables": after a company.
		if s.claimed[p-1] && q.f&fJunk == 0 && q.f&fCap != 0 || q.f&fLower != 0 && attribNouns[q.h] || q.f&fLower != 0 && employerTitles[q.h] ||
			q.f&fCap != 0 && orgSuffixWords[q.h] {
			return true
		}
	}
	return false
}

// employerTitles before "of" or "at" name a job at an organisation.
var employerTitles = newWordSet(`president vice-president chairman chairwoman director partner analyst economist
strategist manager treasurer founder co-founder ceo cfo`)

var hAt = hashWord("at")

// placeListItem reports whether [a, b) is an item of a list of places:
// "Key Biscayne, Coral Gables and South Miami", "Miami Beach and Coral Gables".
func (d *data) placeListItem(s *state, a, b int) bool {
	toks := s.toks
	// Cities only, and not after "of" or "in": "Joe Donnelly of Indiana,
	// Claire McCaskill of Missouri" and "Tia Goldenberg in Jerusalem and
	// Jonathan Lemire" are lists of people.
	isPlace := func(sp *span) bool {
		return sp != nil && sp.e.place != 0 && len(sp.e.persons) == 0 && d.places[sp.e.place-1].typ == "city" &&
			!(sp.i > 0 && toks[sp.i-1].f&fWord != 0 && (toks[sp.i-1].h == hOf || toks[sp.i-1].w&wLocative != 0))
	}
	if p := a - 1; p >= 1 && (s.isPunct(p, ',') || toks[p].f&fWord != 0 && toks[p].h == hAnd) {
		if isPlace(s.spanCovering(p - 1)) {
			return true
		}
	}
	if b+1 < len(toks) && (s.isPunct(b, ',') || toks[b].f&fWord != 0 && toks[b].h == hAnd) {
		k := b + 1
		if k < len(toks) && toks[k].f&fWord != 0 && toks[k].h == hAnd {
			k++
		}
		if sp := s.spanStarting(k); isPlace(sp) && (toks[a].w&wGiven == 0 || d.listGoesOn(s, int(sp.j))) {
			return true
		}
	}
	return false
}

// listGoesOn reports whether a list item ends before token k: a comma,
// "and", "or" or the end of the sentence follows. A name that starts with
// a given name and is followed by a town needs it, or "Melissa Montoya,
// Fort Myers (Fla.) News Press" and "Karen Handel, Johns Creek City
// Councilman Bob Gray" would lose a person to the town after her.
func (d *data) listGoesOn(s *state, k int) bool {
	toks := s.toks
	if k >= len(toks) || toks[k-1].f&fSentEnd != 0 || toks[k].f&fLineStart != 0 {
		return true
	}
	t := toks[k]
	return s.isPunct(k, ',') || t.f&fPunct != 0 && (t.h == '.' || t.h == ';') || t.f&fWord != 0 && (t.h == hAnd || t.h == hOr)
}

var hOr = hashWord("or")

// markNameExpansions claims a scraped full-name expansion after an unknown
// two-word name, as in The Hill's "Sen. Bill Cassidy William (Bill) Morgan
// CassidyUN Security Council ...": capitalised words (and a parenthesised
// nickname) up to a repeat of the surname. markExpansions does the same
// after known people.
func markNameExpansions(s *state) {
	toks := s.toks
	for i := 0; i+2 < len(toks); i++ {
		if !s.capWord(i) || !s.capWord(i+1) || toks[i].f&fHeadline != 0 || s.claimed[i+1] ||
			toks[i].w&(wTitle|wHonorific|wNonPerson) != 0 || toks[i].f&fAbbrev != 0 {
			continue // "Sen. Roy Blunt Roy Dean Blunt": the name starts after the title
		}
		last := toks[i+1].h
		j := i + 2
		if !s.capWord(j) || toks[j].f&fLineStart != 0 {
			continue
		}
		for k := j; k < len(toks) && k < j+8; k++ {
			t := toks[k]
			if t.f&fPunct != 0 && (t.h == '(' || t.h == ')') {
				continue
			}
			if !s.capWord(k) {
				break
			}
			// The repeat ends the expansion: glued to the next word
			// ("CassidyUN") or followed by no capitalised word.
			if t.h == last && k > j && (k+1 >= len(toks) || toks[k+1].f&fGlued != 0 || !s.capWord(k+1)) {
				for m := j; m <= k; m++ {
					s.claimed[m] = true
					toks[m].f |= fJunk
				}
				i = k
				break
			}
		}
	}
}
