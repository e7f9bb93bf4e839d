package extract

import (
	"fmt"
	"strings"
)

// GivenNameVariants returns, for each given name of nicknames.txt in lower
// case, the names it may stand for (Chuck: charles; Charles: chuck, charlie,
// ...). Package search uses it to resolve filter spellings such as
// "Charles Grassley" to the indexed "Chuck Grassley".
func GivenNameVariants() (map[string][]string, error) {
	out := map[string][]string{}
	err := lines("nicknames.txt", func(_ int, f []string) error {
		if len(f) < 2 {
			return fmt.Errorf("want formal<TAB>short|short, got %q", strings.Join(f, "\t"))
		}
		names := append([]string{f[0]}, splitAliases(f[1])...)
		for _, a := range names {
			for _, b := range names {
				if a != b {
					out[strings.ToLower(a)] = append(out[strings.ToLower(a)], strings.ToLower(b))
				}
			}
		}
		return nil
	})
	return out, err
}
