package leaders

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// foldSpecial maps letters that Unicode does not decompose into a base
// letter plus marks (so NFD leaves them alone) to their usual ASCII spelling.
var foldSpecial = map[rune]string{
	'ß': "ss", 'ł': "l", 'Ł': "l", 'ø': "o", 'Ø': "o", 'æ': "ae", 'Æ': "ae",
	'œ': "oe", 'Œ': "oe", 'ı': "i", 'đ': "d", 'Đ': "d", 'ð': "d", 'þ': "th",
}

// Fold returns the form of a name used for matching: lower case, without
// diacritics, with apostrophes dropped and periods, hyphens, dashes and runs
// of white space turned into one space. So "Recep Tayyip Erdoğan" matches
// "recep tayyip erdogan", "Kim Jong-un" matches "Kim Jong Un", "George H.W.
// Bush" matches "George H. W. Bush", and "O’Neill" matches "ONeill".
func Fold(name string) string {
	var b strings.Builder
	space := false
	for _, r := range norm.NFD.String(name) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == '\'' || r == '’' || r == '‘' || r == '`' || r == 'ʻ':
			continue
		case r == '.' || r == '-' || r == '‐' || r == '–' || r == '—' || r == '_' || unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		if s, ok := foldSpecial[r]; ok {
			b.WriteString(s)
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
