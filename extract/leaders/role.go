package leaders

import "strings"

// titleRoles maps a folded title (see Fold) to a role. The extractor strips
// the country ("Chinese", "Russia's", "U.S.") and hands over the rest.
// Titles that name one institution ("fed chairman", "ecb president",
// "commission president") are listed in full because the bare noun
// ("president") would map to the wrong office; plain "governor" is left out
// since it mostly means a state or provincial governor.
var titleRoles = map[string]string{
	// Heads of state.
	"president": RoleHeadOfState, "state president": RoleHeadOfState,
	"head of state": RoleHeadOfState, "king": RoleHeadOfState,
	"queen": RoleHeadOfState, "monarch": RoleHeadOfState,
	"emperor": RoleHeadOfState, "emir": RoleHeadOfState, "amir": RoleHeadOfState,
	"federal president": RoleHeadOfState, "sovereign": RoleHeadOfState,
	"european council president": RoleHeadOfState, "council president": RoleHeadOfState,
	"president of the european council": RoleHeadOfState,

	// Heads of government.
	"prime minister": RoleHeadOfGovernment, "premier": RoleHeadOfGovernment,
	"pm": RoleHeadOfGovernment, "chancellor": RoleHeadOfGovernment,
	"federal chancellor": RoleHeadOfGovernment, "head of government": RoleHeadOfGovernment,
	"taoiseach":                            RoleHeadOfGovernment,
	"commission president":                 RoleHeadOfGovernment,
	"european commission president":        RoleHeadOfGovernment,
	"president of the european commission": RoleHeadOfGovernment,
	"eu commission president":              RoleHeadOfGovernment,

	// Supreme and party leaders.
	"supreme leader": RoleSupremeLeader, "paramount leader": RoleSupremeLeader,
	"general secretary": RolePartyLeader, "party leader": RolePartyLeader,
	"party chief": RolePartyLeader, "communist party chief": RolePartyLeader,
	"communist party leader": RolePartyLeader, "party general secretary": RolePartyLeader,
	"first secretary": RolePartyLeader, "party boss": RolePartyLeader,

	// Finance ministers.
	"finance minister": RoleFinanceMinister, "minister of finance": RoleFinanceMinister,
	"treasury secretary": RoleFinanceMinister, "secretary of the treasury": RoleFinanceMinister,
	"chancellor of the exchequer": RoleFinanceMinister, "exchequer chancellor": RoleFinanceMinister,
	"treasury minister": RoleFinanceMinister, "economy minister": RoleFinanceMinister,
	"economy and finance minister": RoleFinanceMinister, "finance chief": RoleFinanceMinister,
	"minister of economy and finance": RoleFinanceMinister,
	"minister of the economy":         RoleFinanceMinister, "minister of economy": RoleFinanceMinister,

	// Central banks.
	"central bank governor": RoleCentralBank, "central bank chief": RoleCentralBank,
	"central bank head": RoleCentralBank, "central bank president": RoleCentralBank,
	"central banker": RoleCentralBank, "central bank chairman": RoleCentralBank,
	"fed chairman": RoleCentralBank, "fed chair": RoleCentralBank, "fed chief": RoleCentralBank,
	"fed chairwoman": RoleCentralBank, "federal reserve chairman": RoleCentralBank,
	"federal reserve chair": RoleCentralBank, "federal reserve chairwoman": RoleCentralBank,
	"chairman of the federal reserve": RoleCentralBank, "chair of the federal reserve": RoleCentralBank,
	"bundesbank president": RoleCentralBank, "bundesbank chief": RoleCentralBank,
	"bank of england governor": RoleCentralBank, "governor of the bank of england": RoleCentralBank,
	"boj governor": RoleCentralBank, "bank of japan governor": RoleCentralBank,
	"bank of canada governor": RoleCentralBank, "bank of france governor": RoleCentralBank,
	"bank of italy governor": RoleCentralBank,
	"ecb president":          RoleCentralBank, "ecb chief": RoleCentralBank,
	"european central bank president":        RoleCentralBank,
	"president of the european central bank": RoleCentralBank,

	// Secretaries general.
	"secretary general": RoleSecretaryGeneral, "un secretary general": RoleSecretaryGeneral,
	"nato secretary general": RoleSecretaryGeneral, "nato chief": RoleSecretaryGeneral,
	"un chief": RoleSecretaryGeneral, "u n secretary general": RoleSecretaryGeneral,
	"u n chief": RoleSecretaryGeneral,

	// The country's leader, answered by Dataset.Leader.
	"leader": RoleLeader, "strongman": RoleLeader, "ruler": RoleLeader,
}

// titlePrefixes are words before a title that do not change which office it
// names. "Former" is deliberately absent: a former president is not the
// holder on the article's date.
var titlePrefixes = []string{"acting ", "interim ", "caretaker ", "incumbent ", "sitting ", "then "}

// RoleFor maps a title as written in news ("President", "prime minister",
// "Premier", "Fed Chairman", "treasury secretary", "central bank chief",
// "leader") to a role, ignoring case, diacritics, periods and hyphens
// ("secretary-general") and the prefixes acting, interim, caretaker,
// incumbent, sitting and then. It reports false for titles it does not know,
// including "vice president" and "former president". The full table:
//
//	president, state president, federal president, head of state, king,
//	queen, monarch, emperor, emir, sovereign, (European) Council president
//	                                                → head_of_state
//	prime minister, premier, PM, chancellor, head of government, taoiseach,
//	(European) Commission president                 → head_of_government
//	supreme leader, paramount leader                → supreme_leader
//	general secretary, first secretary, party leader/chief/boss
//	                                                → party_leader
//	finance/treasury/economy minister, treasury secretary, chancellor of
//	the exchequer, finance chief                    → finance_minister
//	central bank governor/chief/head/president/chairman, Fed chair(man),
//	Fed chief, Bundesbank president, BoJ/Bank of England/... governor,
//	ECB president                                   → central_bank
//	secretary general, NATO chief, UN chief         → secretary_general
//	leader, ruler, strongman                        → leader (see Dataset.Leader)
//
// "Chancellor" means head of government (Germany, Austria); use
// RoleForCountry to get the British meaning.
func RoleFor(title string) (role string, ok bool) {
	t := Fold(title)
	for trimmed := true; trimmed; {
		trimmed = false
		for _, p := range titlePrefixes {
			if strings.HasPrefix(t, p) {
				t, trimmed = strings.TrimPrefix(t, p), true
			}
		}
	}
	role, ok = titleRoles[t]
	return role, ok
}

// countryTitleRoles overrides titleRoles for one country, keyed by country
// then folded title.
var countryTitleRoles = map[string]map[string]string{
	// In Britain "the Chancellor" is the Chancellor of the Exchequer.
	"United Kingdom": {"chancellor": RoleFinanceMinister},
	// "Iran's leader" is the Supreme Leader; Leader answers that too, this
	// just saves the caller a step.
	"Iran": {"leader": RoleSupremeLeader},
	// "Secretary" alone means the Treasury Secretary only in an economic
	// context; not mapped. The ECB is the Euro area's only office.
	"Euro area":      {"president": RoleCentralBank},
	"NATO":           {"chief": RoleSecretaryGeneral, "head": RoleSecretaryGeneral},
	"United Nations": {"chief": RoleSecretaryGeneral, "head": RoleSecretaryGeneral},
}

// RoleForCountry is RoleFor with country-specific meanings: "chancellor" in
// the United Kingdom is the finance minister, "president" of the Euro area is
// the ECB president. Country is a canonical name as in the data.
func RoleForCountry(title, country string) (role string, ok bool) {
	if m, found := countryTitleRoles[country]; found {
		t := Fold(title)
		for _, p := range titlePrefixes {
			t = strings.TrimPrefix(t, p)
		}
		if r, found := m[t]; found {
			return r, true
		}
	}
	return RoleFor(title)
}
