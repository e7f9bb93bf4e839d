package chunk

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// endsSentence reports whether word, a run of non-space bytes followed by
// whitespace and then next, ends a sentence. It is a heuristic tuned for
// English news prose: a final '.', '!' or '?' (possibly inside closing
// quotes or brackets) ends a sentence unless the next word starts in lower
// case or the word is an abbreviation ("Mr.", "U.S.", "Jan."), an initial
// ("Vladimir V. Putin") or an ellipsis inside a sentence. Decimals such as
// 3.5 never reach here because they hold no space.
func endsSentence(word, next string) bool {
	core, closed := trimClosers(word)
	if core == "" {
		return false
	}
	switch core[len(core)-1] {
	case '!', '?':
	case '.':
		if !closed && isAbbreviation(core[:len(core)-1]) {
			return false
		}
	default:
		return false
	}
	return !startsLower(next)
}

// trimClosers strips closing quotes and brackets from the end of word and
// reports whether there were any.
func trimClosers(word string) (string, bool) {
	closed := false
	for word != "" {
		switch c := word[len(word)-1]; c {
		case '"', '\'', ')', ']':
			word = word[:len(word)-1]
			closed = true
			continue
		}
		// ’ ” » as UTF-8.
		if strings.HasSuffix(word, "\u2019") || strings.HasSuffix(word, "\u201d") {
			word = word[:len(word)-3]
			closed = true
			continue
		}
		if strings.HasSuffix(word, "\u00bb") {
			word = word[:len(word)-2]
			closed = true
			continue
		}
		break
	}
	return word, closed
}

// startsLower reports whether s begins with a lower-case letter.
func startsLower(s string) bool {
	if s == "" {
		return false
	}
	if c := s[0]; c < utf8.RuneSelf {
		return 'a' <= c && c <= 'z'
	}
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsLower(r)
}

// isAbbreviation reports whether w, a word without its final period, is an
// abbreviation that does not end a sentence.
func isAbbreviation(w string) bool {
	// Opening quotes or brackets: ("Mr.
	w = strings.TrimLeft(w, "\"'([“‘«")
	if w == "" || strings.HasSuffix(w, "..") {
		// "..." is an ellipsis; it ends a sentence when the next word is
		// capitalised, like a full stop.
		return false
	}
	if isDotted(w) {
		return true
	}
	switch w {
	case
		// Titles and ranks.
		"Mr", "Mrs", "Ms", "Messrs", "Dr", "Prof", "Sen", "Sens", "Rep", "Reps",
		"Gov", "Govs", "Gen", "Lt", "Col", "Maj", "Capt", "Cpt", "Sgt", "Cpl",
		"Adm", "Cmdr", "Cdr", "Rev", "Hon", "Pres", "Supt", "Insp", "Amb",
		"Atty", "Sr", "Jr", "St", "Mt", "Ft", "Fr", "Sra", "Mme", "Mlle",
		// Companies and addresses.
		"Inc", "Corp", "Co", "Ltd", "Bros", "Assn", "Dept", "Univ", "Ave",
		"Blvd", "Rd", "Hwy",
		// Months and days as AP abbreviates them.
		"Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct",
		"Nov", "Dec", "Mon", "Tue", "Tues", "Wed", "Thu", "Thurs", "Fri", "Sat",
		// References and Latin.
		"No", "Nos", "Vol", "Vols", "Fig", "Figs", "Art", "Sec", "Ch", "Op",
		"vs", "v", "cf", "ca", "approx", "est", "al", "viz",
		// US states in AP style (the dotted ones, such as N.Y., are
		// handled by isDotted).
		"Ala", "Ariz", "Ark", "Calif", "Colo", "Conn", "Del", "Fla", "Ga", "Ill",
		"Ind", "Kan", "Kans", "Ky", "La", "Md", "Mass", "Mich", "Minn", "Miss",
		"Mo", "Mont", "Neb", "Nev", "Okla", "Ore", "Pa", "Tenn", "Vt", "Va",
		"Wash", "Wis", "Wyo":
		return true
	}
	return false
}

// isDotted reports whether w is a single letter or a dotted abbreviation
// of short letter groups: "V", "U.S", "e.g", "D.C", "Ph.D".
func isDotted(w string) bool {
	seg := 0
	for _, r := range w {
		switch {
		case r == '.':
			if seg == 0 {
				return false
			}
			seg = 0
		case unicode.IsLetter(r):
			seg++
			if seg > 2 {
				return false
			}
		default:
			return false
		}
	}
	if seg == 0 {
		return false
	}
	// A lone letter is an initial only when upper case: "V." but not the
	// "a." of "plan a." that ends a sentence.
	if !strings.Contains(w, ".") {
		r, _ := utf8.DecodeRuneInString(w)
		return utf8.RuneCountInString(w) == 1 && unicode.IsUpper(r)
	}
	return true
}
