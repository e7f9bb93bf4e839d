package extract

import (
	"strings"

	"github.com/newsdex/newsdex/extract/leaders"
)

// Small closed word lists. They are code, not data files, because the
// recogniser's rules are written against them.
var (
	// titleWords precede a name and are stripped from it. Lower-case
	// occurrences count as a cue too ("spokesman Dmitry Peskov").
	titleWords = `president presidents president-elect vice prime minister ministers secretary secretary-general
chancellor premier deputy chief aide aides adviser advisor advisers advisors spokesman spokeswoman spokesperson
judge justice general lieutenant colonel sergeant captain admiral major commander officer ambassador envoy
mayor king queen prince princess sheikh emir crown pope cardinal archbishop bishop reverend father rabbi imam
ayatollah professor dean chairman chairwoman chair ceo cfo coo founder co-founder leader lawmaker congressman
congresswoman senator senators representative assemblyman assemblywoman councilman councilwoman councilmember
commissioner director attorney sheriff detective inspector agent coach actor actress singer rapper author
writer columnist reporter correspondent anchor host economist analyst strategist pollster foreign defense
defence finance interior economy trade health education energy treasury presidential press senior former late
acting interim lady sir dame lord baroness baron duke duchess count countess speaker whip governor governors
gov governor-elect candidate nominee challenger rep reps sen sens dr doctor mr mrs ms miss mx prof rev gen lt col
sgt capt cmdr adm maj pres atty supt msgr fr hon swami cde comrade shahid brother sister uncle aunt
minority majority executive managing cabinet state deputies opposition regional provincial federal
national security homeland intelligence general-secretary first second house senate spokesmen officials
official head heads boss founder owner partner producer director-general secretary-general undersecretary
undersecretary-general under ex- tycoon billionaire businessman businesswoman entrepreneur investor
activist dissident journalist editor photographer presenter comedian star striker midfielder defender
goalkeeper player captain champion runner athlete manager son daughter wife husband widow widower
brother sister father mother mom dad uncle aunt cousin nephew niece grandson granddaughter grandfather
grandmother fiancée fiance fiancé partner girlfriend boyfriend successor predecessor astronomer scientist
researcher physicist chemist biologist historian professor lecturer teacher student doctor surgeon nurse
physician lawyer attorney prosecutor defendant suspect victim witness survivor resident residents
designer artist musician conductor composer filmmaker director producer novelist poet playwright
photographer architect engineer astronaut pilot soldier sergeant officer commander rebel militant
leader chairman member members spokesperson representative delegate negotiator mediator official
expert economist analyst consultant adviser advisor aide staffer secretary clerk guard ranger
priest pastor bishop archbishop cardinal monk nun cleric imam rabbi preacher activist campaigner
organizer organiser protester founder owner executive president ceo head chief`
	honorifics = `mr mrs ms miss mx dr sen sens rep reps gov lt col gen sgt capt cmdr adm maj prof rev pres atty supt msgr fr
hon sir dame lord lady president senator governor mayor judge justice general colonel admiral pope king queen
prince princess sheikh emir ayatollah imam rabbi cardinal archbishop bishop chancellor premier minister
secretary ambassador professor dean chairman chairwoman commissioner director swami cde comrade`
	speechWords = `said says say told tells tell added adds asked asks wrote writes tweeted tweets posted stated
explained explains noted notes argued argues insisted insists warned warns acknowledged acknowledges admitted
admits announced announces declared declares replied replies responded responds claimed claims recalled
recalls predicted cautioned urged urges emphasised emphasized stressed stresses confirmed confirms denied
denies testified commented quipped conceded countered contended observed suggested suggests vowed vows
pledged promised complained lamented reiterated continued wondered`
	cueWords = `said says say told tells reported reports report reporting according cited citing quoted quoting
interview interviewed wrote writes published broadcast aired citing confirmed reporter reporters correspondent
correspondents journalist journalists columnist editor anchor host told obtained revealed learned
first show program programme network newspaper magazine agency channel outlet station website citing
appearance appeared speaking spoke statement columns column op-ed editorial poll survey analysis
investigation story stories article articles report-ed`
	particles  = `de da di du del della der den van von ter ten la le bin ibn bint al el abu ould dos das zu af`
	suffixes   = `jr jr. sr sr. ii iii iv`
	locatives  = `in at from near outside across into throughout around toward towards via through inside within visit visited visiting visits based born`
	functionWs = `a an the of in on at for to and or but by with from as into over vs vs. via after before about amid against than per up out off`
	starters   = `will may can could would should shall must might did does do is are was were has have had being
what why how when where who whom whose which if as but and or so then yet also meanwhile however this that
these those there here under after before during with without while since although though because despite
according in on at for from by into over about among amid between through throughout upon toward towards
not no yes all every each some any many much more most few other another such only even just still already
now today yesterday tomorrow tonight last next first our their his her its my your we they he she it i you
us them him me dear hello thanks thank please let let's read watch see click sign subscribe share follow
like unlike join new old`
	negPre = `facto vice deputy former ex ex- late then future next incoming would-be assistant associate acting-deputy
second-in-command first lady vice-president deputy-prime`
)

// addWordLists registers the closed word lists in d.words.
func (d *data) addWordLists() {
	add := func(list string, class uint32) {
		for _, w := range strings.Fields(list) {
			d.words[hashWord(w)] |= class
			if !strings.HasSuffix(w, ".") && len(w) <= 6 {
				d.words[hashWord(w+".")] |= class
			}
		}
	}
	add(titleWords, wTitle)
	add(honorifics, wHonorific|wTitle)
	add(speechWords, wSpeech)
	add(cueWords, wCue)
	add(particles, wParticle)
	add(suffixes, wSuffix)
	add(locatives, wLocative)
	add(functionWs, wFunction)
	add(starters, wStarter)
	add(negPre, wNegPre)
}

// roleTitles are the office titles that role phrases use, in the words of
// leaders.RoleFor; each is added to the gazetteer.
var roleTitles = []string{
	"president", "prime minister", "premier", "chancellor", "leader", "king", "queen", "emir",
	"supreme leader", "finance minister", "treasury secretary", "economy minister", "treasury minister",
	"chancellor of the exchequer", "central bank governor", "central bank chief", "central bank head",
	"central bank president", "fed chairman", "fed chair", "fed chief", "fed chairwoman",
	"federal reserve chairman", "federal reserve chair", "federal reserve chairwoman",
	"bundesbank president", "bundesbank chief", "ecb president", "ecb chief", "boj governor",
	"bank of japan governor", "bank of england governor", "bank of canada governor",
	"bank of france governor", "bank of italy governor", "european central bank president",
	"head of state", "head of government", "pm", "taoiseach", "strongman", "ruler",
	"minister of finance", "secretary general", "secretary-general", "un secretary-general",
	"un secretary general", "nato secretary general", "nato secretary-general", "nato chief",
	"un chief", "u.n. secretary-general", "u.n. chief", "prime ministers", "presidents",
}

// implied countries of titles that name one institution.
var titleCountry = map[string]string{
	"fed chairman": "United States", "fed chair": "United States", "fed chief": "United States",
	"fed chairwoman": "United States", "federal reserve chairman": "United States",
	"federal reserve chair": "United States", "federal reserve chairwoman": "United States",
	"bundesbank president": "Germany", "bundesbank chief": "Germany", "ecb president": "Euro area",
	"ecb chief": "Euro area", "european central bank president": "Euro area", "boj governor": "Japan",
	"bank of japan governor": "Japan", "bank of england governor": "United Kingdom",
	"bank of canada governor": "Canada", "bank of france governor": "France",
	"bank of italy governor": "Italy", "taoiseach": "Ireland",
	"un secretary-general": "United Nations", "un secretary general": "United Nations",
	"u.n. secretary-general": "United Nations", "u.n. chief": "United Nations", "un chief": "United Nations",
	"nato secretary general": "NATO", "nato secretary-general": "NATO", "nato chief": "NATO",
}

// addTitles adds role titles to the gazetteer, matched in any case.
func (d *data) addTitles() {
	for _, t := range roleTitles {
		base := strings.TrimSuffix(strings.TrimSuffix(t, "s"), "")
		role, ok := leaders.RoleFor(base)
		if t == "prime ministers" || t == "presidents" {
			role, ok = leaders.RoleFor(strings.TrimSuffix(t, "s"))
		}
		if !ok {
			continue
		}
		key, n, _, _, ok := d.phrase(t)
		if !ok {
			continue
		}
		e := d.entry(key)
		e.role = role
		e.titleLen = uint8(n)
		e.shape(0, 0)
		if e.n == 0 {
			e.n = uint8(n)
		}
	}
}
