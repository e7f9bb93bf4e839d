package extract

import (
	"io/fs"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/newsdex/newsdex"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// seedArticle reads the embedded seed: a "date YYYY-MM-DD" line, then the body.
func seedArticle(tb testing.TB) newsdex.Article {
	tb.Helper()
	raw, err := fs.ReadFile(newsdex.Seeds, "seeds/000_5285904866886d73.txt")
	if err != nil {
		tb.Fatal(err)
	}
	text := strings.TrimSpace(string(raw))
	first, body, _ := strings.Cut(text, "\n")
	first = strings.TrimSpace(first)
	// The date line may share its line with the body: " date 2025-05-08 Moscow, May 8: ...".
	var date string
	if rest, ok := strings.CutPrefix(first, "date "); ok {
		date, rest, _ = strings.Cut(rest, " ")
		body = rest + "\n" + body
	}
	return newsdex.Article{ID: "seed", Body: strings.TrimSpace(body), Published: day(date)}
}

func TestSeed(t *testing.T) {
	x := mustNew(t)
	a := seedArticle(t)
	x.Extract(&a)
	if diff := cmp.Diff([]string{"Xi Jinping", "Vladimir Putin", "Yury Ushakov", "Donald Trump", "Tatyana Golikova"}, newsdex.Names(a.People), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("people (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"TASS", "Xinhua"}, newsdex.Names(a.Cited), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("cited (-want +got):\n%s", diff)
	}
	wantLeaders := []newsdex.Entity{}
	for _, e := range a.People {
		switch e.Name {
		case "Xi Jinping":
			e.Office = "President of China"
		case "Vladimir Putin":
			e.Office = "President of Russia"
		case "Donald Trump":
			e.Office = "President of the United States"
		default:
			continue
		}
		wantLeaders = append(wantLeaders, e)
	}
	if diff := cmp.Diff(wantLeaders, a.Leaders); diff != "" {
		t.Errorf("leaders (-want +got):\n%s", diff)
	}
	// Xi's count includes "the Chinese leader": count the surface mentions.
	text := a.Title + "\n" + a.Body
	surface := 0
	for i := strings.Index(text, "Xi"); i >= 0; {
		if end := i + 2; end >= len(text) || !('a' <= text[end] && text[end] <= 'z') {
			surface++ // "Xi", "Xi's", not "Xinhua"
		}
		next := strings.Index(text[i+2:], "Xi")
		if next < 0 {
			break
		}
		i += 2 + next
	}
	for _, e := range a.People {
		if e.Name == "Xi Jinping" && e.Count != surface+1 {
			t.Errorf("Xi Jinping count = %d, want %d (%d names + \"the Chinese leader\")", e.Count, surface+1, surface)
		}
	}
	if a.Dateline != "Moscow" {
		t.Errorf("dateline = %q, want Moscow", a.Dateline)
	}
	for _, p := range []string{"Russia", "Moscow", "China", "Beijing", "United States"} {
		if !slices.Contains(newsdex.Names(a.Places), p) {
			t.Errorf("places %v lack %s", newsdex.Names(a.Places), p)
		}
	}
}

// TestNoFragments checks headline-style lines: the people in them are
// found, nothing else is.
func TestNoFragments(t *testing.T) {
	x := mustNew(t)
	tests := []struct {
		name, text string
		want       []string
	}{
		{"putin declares", "Russia-Ukraine War: Vladimir Putin Declares a Ceasefire on May 8–10 for WWII Victory Day Over Nazi Germany.", []string{"Vladimir Putin"}},
		{"trump declares", "US V-Day: Donald Trump Declares May 8 As ‘Victory Day’ Honouring 80th Anniversary of America’s Victory in World War 2.", []string{"Donald Trump"}},
		{"hyphen pair", "Putin-Xi Jinping Meeting in Moscow", []string{"Vladimir Putin", "Xi Jinping"}},
		{"institutions", "The Kremlin said the Russian Air Force and the UN Security Council met. The Great Patriotic War and the Power of Siberia pipeline were discussed.", nil},
		{"handle", "Putin lives in a Shark tank. Nothing is safe. pic.twitter.com/xnccKxdaEP — Bricktop_NAFO (@Bricktop_NAFO) May 8, 2025", []string{"Vladimir Putin"}},
		{"possessive", "Xi's plane landed. Xi said hello.", []string{"Xi Jinping"}},
		{"titles stripped", "Russian Deputy Prime Minister Tatyana Golikova met Mr. John Smith, who said nothing.", []string{"Tatyana Golikova", "John Smith"}},
		{"middle initial", "Vladimir V. Putin spoke. President Putin then left.", []string{"Vladimir Putin"}},
		{"surname resolves", "Jane Doe-Smith, a lawyer, said so. Doe-Smith added that it was fine.", []string{"Jane Doe-Smith"}},
		{"county is no person", "Voters in Harris County backed Harris.", []string{"Kamala Harris"}},
		{"country as given name", "Acting secretary Chad Wolf visited Chad.", []string{"Chad Wolf"}},
		{"glued scraper text", "Sen. Ted CruzRafael (Ted) Edward CruzTrump is fine.", []string{"Ted Cruz", "Donald Trump"}},
		{"expansion", "Speaker Paul Ryan Paul Davis Ryan Retirees should say no.", []string{"Paul Ryan"}},
		{"things", "Photo: Getty Images. He spoke in the Rose Garden about the James Webb space telescope.", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := newsdex.Article{Body: tc.text, Published: day("2025-05-08")}
			x.Extract(&a)
			if diff := cmp.Diff(tc.want, newsdex.Names(a.People), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("people of %q (-want +got):\n%s", tc.text, diff)
			}
		})
	}
}

// TestRoles resolves role phrases to the office holder on the date.
func TestRoles(t *testing.T) {
	x := mustNew(t)
	tests := []struct {
		text, date, want string
	}{
		{"The Chinese president said so.", "2019-06-01", "Xi Jinping"},
		{"China's president said so.", "2010-06-01", "Hu Jintao"},
		{"Talks with the Chinese leader ended.", "2025-05-08", "Xi Jinping"},
		{"The U.S. president said so.", "1987-03-01", "Ronald Reagan"},
		{"The U.S. president said so.", "1995-03-01", "Bill Clinton"},
		{"The U.S. president said so.", "2005-03-01", "George W. Bush"},
		{"The U.S. president said so.", "2010-03-01", "Barack Obama"},
		{"The U.S. president said so.", "2018-03-01", "Donald Trump"},
		{"The U.S. president said so.", "2022-03-01", "Joe Biden"},
		{"The British prime minister said so.", "1987-03-01", "Margaret Thatcher"},
		{"Britain's prime minister said so.", "1995-03-01", "John Major"},
		{"The British prime minister said so.", "2003-03-01", "Tony Blair"},
		{"The British prime minister said so.", "2009-03-01", "Gordon Brown"},
		{"The British prime minister said so.", "2019-03-01", "Theresa May"},
		{"The British prime minister said so.", "2020-03-01", "Boris Johnson"},
		{"The German chancellor said so.", "1987-03-01", "Helmut Kohl"},
		{"The German chancellor said so.", "2010-03-01", "Angela Merkel"},
		{"The German chancellor said so.", "2023-03-01", "Olaf Scholz"},
		{"The Soviet leader said so.", "1987-03-01", "Mikhail Gorbachev"},
		{"Russia's leader said so.", "2019-03-01", "Vladimir Putin"},
		{"The Russian President said so.", "2019-03-01", "Vladimir Putin"},
		{"Fed Chairman said rates would rise.", "1987-03-01", "Paul Volcker"},
		{"The Federal Reserve Chairman said so.", "1995-03-01", "Alan Greenspan"},
		{"The Fed chairman said so.", "2010-03-01", "Ben Bernanke"},
		{"The Fed chair said so.", "2019-03-01", "Jerome Powell"},
		{"Japan's finance minister said so.", "1987-03-01", "Kiichi Miyazawa"},
		{"The Japanese prime minister said so.", "1987-03-01", "Yasuhiro Nakasone"},
		{"The Japanese prime minister said so.", "2015-03-01", "Shinzo Abe"},
		{"The French president said so.", "1990-03-01", "François Mitterrand"},
		{"The French president said so.", "2019-03-01", "Emmanuel Macron"},
		{"The Indian prime minister said so.", "2016-03-01", "Narendra Modi"},
		{"The Canadian prime minister said so.", "1988-03-01", "Brian Mulroney"},
		{"The Israeli prime minister said so.", "2019-03-01", "Benjamin Netanyahu"},
		{"Turkey's president said so.", "2019-03-01", "Recep Tayyip Erdoğan"},
		{"The U.S. Treasury Secretary said so.", "1987-03-01", "James Baker"},
	}
	for _, tc := range tests {
		t.Run(tc.date+" "+tc.text, func(t *testing.T) {
			a := newsdex.Article{Body: tc.text, Published: day(tc.date)}
			x.Extract(&a)
			if diff := cmp.Diff([]newsdex.Entity{{Name: tc.want, Count: 1, First: 1}}, stripOffice(a.People), cmpFirstAny()); diff != "" {
				t.Errorf("people (-want +got):\n%s", diff)
			}
			if len(a.Leaders) != 1 || a.Leaders[0].Name != tc.want || a.Leaders[0].Office == "" {
				t.Errorf("leaders = %v, want %s with an office", a.Leaders, tc.want)
			}
		})
	}
	// A full name shared by two leaders resolves by date.
	for _, tc := range []struct{ date, want string }{{"1990-01-01", "George H. W. Bush"}, {"2005-01-01", "George W. Bush"}} {
		a := newsdex.Article{Body: "George Bush spoke.", Published: day(tc.date)}
		x.Extract(&a)
		if got := newsdex.Names(a.People); len(got) != 1 || got[0] != tc.want {
			t.Errorf("George Bush on %s = %v, want %s", tc.date, got, tc.want)
		}
	}
	// Phrases that name no holder.
	for _, tc := range []struct{ text, date string }{
		{"The president said so.", "2019-03-01"},
		{"The former Chinese president said so.", "2019-03-01"},
		{"The Chinese Vice President said so.", "2019-03-01"},
		{"The Chinese president said so.", ""},
		{"World leaders met.", "2019-03-01"},
	} {
		a := newsdex.Article{Body: tc.text}
		if tc.date != "" {
			a.Published = day(tc.date)
		}
		x.Extract(&a)
		if len(a.People) != 0 {
			t.Errorf("%q on %q: people %v, want none", tc.text, tc.date, a.People)
		}
	}
	// A name after the title is the mention; the title adds nothing.
	a := newsdex.Article{Body: "Russian President Vladimir Putin said so.", Published: day("2019-03-01")}
	x.Extract(&a)
	if len(a.People) != 1 || a.People[0].Count != 1 {
		t.Errorf("people = %v, want Vladimir Putin once", a.People)
	}
}

func stripOffice(es []newsdex.Entity) []newsdex.Entity {
	out := slices.Clone(es)
	for i := range out {
		out[i].Office = ""
	}
	return out
}

// cmpFirstAny ignores First: role phrases start at different offsets.
func cmpFirstAny() cmp.Option {
	return cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".First" }, cmp.Ignore())
}

func TestCited(t *testing.T) {
	x := mustNew(t)
	tests := []struct {
		name, text, outlet string
		want               []string
	}{
		{"agencies", "Russian state media TASS said. Xinhua cited Xi as saying so.", "", []string{"TASS", "Xinhua"}},
		{"according to", "According to Reuters, the deal is off, the BBC reported.", "", []string{"Reuters", "BBC"}},
		{"told", "He told CNN and said in an interview with Fox News that it was fine.", "", []string{"CNN", "Fox News"}},
		{"ambiguous AP", "The AP reported it. Ap is not. AP said more.", "", []string{"Associated Press"}},
		{"AP without cue", "He used AP style in class.", "", nil},
		{"fox alone", "Fox is a company.", "", nil},
		{"bloomberg person", "Michael Bloomberg spent money. Bloomberg said he would run.", "", nil},
		{"bloomberg outlet", "Bloomberg reported the merger.", "", []string{"Bloomberg"}},
		{"publisher not cited", "WASHINGTON (AP) — The Senate voted. Associated Press writer Jane Roe contributed to this report.", "Associated Press", nil},
		// Issue 16: an outlet named in its own article is no citation, cue or not.
		{"publisher reported", "The vote was close, The New York Times reported.", "New York Times - News", nil},
		{"canonical", "The Wall Street Journal and NYT and the Washington Post said.", "", []string{"The Wall Street Journal", "The New York Times", "The Washington Post"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := newsdex.Article{Body: tc.text, Outlet: tc.outlet, Published: day("2019-03-01")}
			x.Extract(&a)
			if diff := cmp.Diff(tc.want, newsdex.Names(a.Cited), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("cited of %q (-want +got):\n%s", tc.text, diff)
			}
		})
	}
}

func TestPlaces(t *testing.T) {
	x := mustNew(t)
	tests := []struct {
		name, text string
		want       []string
	}{
		{"demonym is no place", "Russian President Vladimir Putin spoke.", nil},
		{"us before noun", "U.S. officials and the UK government met in Kiev.", []string{"United States", "United Kingdom", "Kyiv"}},
		{"new york city", "He lives in New York. The New York Times said so.", []string{"New York City"}},
		{"new york state", "Gov. Andrew Cuomo of New York spoke in upstate New York.", []string{"New York"}},
		{"washington", "Officials in Washington disagreed. Voters in Idaho, Michigan and Washington went to the polls.", []string{"Washington, D.C.", "Idaho", "Michigan", "Washington"}},
		{"org names", "The Bank of England and the University of Texas and the Utah Jazz and the Washington Post.", nil},
		{"person not place", "Rep. Jim Jordan said Jordan would not attend.", nil},
		{"country possessive", "China's economy grew.", []string{"China"}},
		{"town pattern", "A fire in Koszalin, Poland killed five.", []string{"Koszalin", "Poland"}},
		{"currency", "It cost US$5.", nil},
		{"continents", "Migrants from Central America and Latin America crossed into America.", []string{"United States"}},
		{"town before state", "He grew up in College Park, Maryland.", []string{"College Park", "Maryland"}},
		{"towns of", "Patients came from the towns of Beni, Butembo and Katwa.", []string{"Beni", "Butembo", "Katwa"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := newsdex.Article{Body: tc.text, Published: day("2019-03-01")}
			x.Extract(&a)
			if diff := cmp.Diff(tc.want, newsdex.Names(a.Places), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("places of %q (-want +got):\n%s", tc.text, diff)
			}
		})
	}
}

func TestDateline(t *testing.T) {
	x := mustNew(t)
	for _, tc := range []struct{ body, want string }{
		{"Moscow, May 8: Talks began.", "Moscow"},
		{"WASHINGTON (AP) — The Senate voted.", "Washington, D.C."},
		{"LONDON, March 3 (Reuters) - Shares fell.", "London"},
		{"Moscow is cold.", ""},
		{"Russia, China and India met.", ""},
	} {
		a := newsdex.Article{Body: tc.body}
		x.Extract(&a)
		if a.Dateline != tc.want {
			t.Errorf("dateline of %q = %q, want %q", tc.body, a.Dateline, tc.want)
		}
	}
}

func TestConcurrent(t *testing.T) {
	x := mustNew(t)
	seed := seedArticle(t)
	want := seed
	x.Extract(&want)
	done := make(chan newsdex.Article)
	for range 8 {
		go func() {
			a := seed
			a.People, a.Places, a.Cited, a.Leaders = nil, nil, nil, nil
			x.Extract(&a)
			done <- a
		}()
	}
	for range 8 {
		got := <-done
		if diff := cmp.Diff(want.People, got.People); diff != "" {
			t.Errorf("concurrent people differ (-want +got):\n%s", diff)
		}
	}
}
