package leaders

import (
	"testing"
)

// TestFacts spot-checks the data against known (country, role, date) →
// person facts, with both sides of notable handovers.
func TestFacts(t *testing.T) {
	d := loadT(t)
	const (
		hos = RoleHeadOfState
		hog = RoleHeadOfGovernment
		fin = RoleFinanceMinister
		cb  = RoleCentralBank
	)
	tests := []struct {
		country, role, at, want string
	}{
		// United States.
		{"United States", hos, "1980-06-01", "Jimmy Carter"},
		{"United States", hos, "1987-10-19", "Ronald Reagan"},
		{"United States", hog, "1991-01-17", "George H. W. Bush"},
		{"United States", hos, "1998-12-19", "Bill Clinton"},
		{"United States", hos, "2001-09-11", "George W. Bush"},
		{"United States", hos, "2017-01-19", "Barack Obama"},
		{"United States", hos, "2017-01-20", "Donald Trump"},
		{"United States", hos, "2019-06-01", "Donald Trump"},
		{"United States", hos, "2021-01-19", "Donald Trump"},
		{"United States", hos, "2021-01-20", "Joe Biden"},
		{"United States", hos, "2022-02-24", "Joe Biden"},
		{"United States", hos, "2025-01-19", "Joe Biden"},
		{"United States", hos, "2025-01-20", "Donald Trump"},
		{"United States", fin, "1987-02-22", "James Baker"},
		{"United States", fin, "2008-09-15", "Henry Paulson"},
		{"United States", fin, "2022-06-01", "Janet Yellen"},
		{"United States", cb, "1985-01-01", "Paul Volcker"},
		{"United States", cb, "1987-10-19", "Alan Greenspan"},
		{"United States", cb, "2007-08-09", "Ben Bernanke"},
		{"United States", cb, "2018-02-03", "Janet Yellen"},
		{"United States", cb, "2018-02-05", "Jerome Powell"},
		// United Kingdom.
		{"United Kingdom", hog, "1982-04-02", "Margaret Thatcher"},
		{"United Kingdom", hog, "1992-09-16", "John Major"},
		{"United Kingdom", hog, "2003-03-20", "Tony Blair"},
		{"United Kingdom", hog, "2016-06-23", "David Cameron"},
		{"United Kingdom", hog, "2019-07-23", "Theresa May"},
		{"United Kingdom", hog, "2019-07-24", "Boris Johnson"},
		{"United Kingdom", hog, "2022-10-01", "Liz Truss"},
		{"United Kingdom", hog, "2024-07-04", "Rishi Sunak"},
		{"United Kingdom", hog, "2024-07-05", "Keir Starmer"},
		{"United Kingdom", hos, "2022-09-07", "Elizabeth II"},
		{"United Kingdom", hos, "2022-09-08", "Charles III"},
		{"United Kingdom", fin, "1992-09-16", "Norman Lamont"},
		{"United Kingdom", fin, "2005-03-16", "Gordon Brown"},
		{"United Kingdom", cb, "2016-06-24", "Mark Carney"},
		// Germany.
		{"Germany", hog, "1985-05-05", "Helmut Kohl"},
		{"Germany", hog, "1990-10-03", "Helmut Kohl"},
		{"Germany", hog, "2015-09-05", "Angela Merkel"},
		{"Germany", hog, "2021-12-07", "Angela Merkel"},
		{"Germany", hog, "2021-12-08", "Olaf Scholz"},
		{"Germany", hog, "2025-05-05", "Olaf Scholz"},
		{"Germany", hog, "2025-05-06", "Friedrich Merz"},
		{"Germany", fin, "2012-06-01", "Wolfgang Schäuble"},
		{"Germany", cb, "1990-07-01", "Karl Otto Pöhl"},
		// France, Italy.
		{"France", hos, "1985-07-10", "François Mitterrand"},
		{"France", hos, "2017-05-13", "François Hollande"},
		{"France", hos, "2017-05-14", "Emmanuel Macron"},
		{"France", hog, "1987-01-01", "Jacques Chirac"},
		{"France", fin, "2010-05-09", "Christine Lagarde"},
		{"Italy", hog, "1986-01-01", "Bettino Craxi"},
		{"Italy", hog, "2011-11-16", "Mario Monti"},
		{"Italy", cb, "2008-01-01", "Mario Draghi"},
		// Japan.
		{"Japan", hog, "1985-09-22", "Yasuhiro Nakasone"},
		{"Japan", hog, "2005-09-11", "Junichiro Koizumi"},
		{"Japan", hog, "2019-01-01", "Shinzo Abe"},
		{"Japan", hog, "2020-09-16", "Yoshihide Suga"},
		{"Japan", hog, "2021-10-04", "Fumio Kishida"},
		{"Japan", hog, "2024-10-01", "Shigeru Ishiba"},
		{"Japan", hog, "2025-10-21", "Sanae Takaichi"},
		{"Japan", hos, "1988-12-31", "Hirohito"},
		{"Japan", hos, "2019-04-30", "Akihito"},
		{"Japan", hos, "2019-05-01", "Naruhito"},
		{"Japan", fin, "1985-09-22", "Noboru Takeshita"},
		{"Japan", cb, "2013-04-04", "Haruhiko Kuroda"},
		// China.
		{"China", hos, "2003-03-14", "Jiang Zemin"},
		{"China", hos, "2003-03-15", "Hu Jintao"},
		{"China", hos, "2013-03-13", "Hu Jintao"},
		{"China", hos, "2013-03-14", "Xi Jinping"},
		{"China", hos, "2019-10-01", "Xi Jinping"},
		{"China", hog, "1989-06-04", "Li Peng"},
		{"China", hog, "2020-01-01", "Li Keqiang"},
		// Russia and the Soviet Union.
		{"Soviet Union", RolePartyLeader, "1981-01-01", "Leonid Brezhnev"},
		{"Soviet Union", RolePartyLeader, "1983-06-01", "Yuri Andropov"},
		{"Soviet Union", RolePartyLeader, "1984-06-01", "Konstantin Chernenko"},
		{"Soviet Union", RolePartyLeader, "1987-12-08", "Mikhail Gorbachev"},
		{"Soviet Union", hos, "1987-12-08", "Andrei Gromyko"},
		{"Soviet Union", hos, "1991-08-19", "Mikhail Gorbachev"},
		{"Russia", hos, "1993-10-04", "Boris Yeltsin"},
		{"Russia", hos, "2000-05-07", "Vladimir Putin"},
		{"Russia", hos, "2008-08-08", "Dmitry Medvedev"},
		{"Russia", hog, "2008-08-08", "Vladimir Putin"},
		{"Russia", hos, "2012-05-07", "Vladimir Putin"},
		{"Russia", hos, "2022-02-24", "Vladimir Putin"},
		{"Russia", hog, "2022-02-24", "Mikhail Mishustin"},
		// Others.
		{"India", hog, "1984-10-30", "Indira Gandhi"},
		{"India", hog, "1984-10-31", "Rajiv Gandhi"},
		{"India", hog, "2010-01-01", "Manmohan Singh"},
		{"India", hog, "2019-05-23", "Narendra Modi"},
		{"Canada", hog, "2016-01-01", "Justin Trudeau"},
		{"Canada", hog, "2025-03-14", "Mark Carney"},
		{"Australia", hog, "2010-06-24", "Julia Gillard"},
		{"Brazil", hos, "2016-06-01", "Michel Temer"},
		{"Brazil", hos, "2020-03-01", "Jair Bolsonaro"},
		{"South Africa", hos, "1995-06-24", "Nelson Mandela"},
		{"South Africa", hog, "1983-01-01", "P. W. Botha"},
		{"South Korea", hos, "2017-01-01", "Hwang Kyo-ahn"},
		{"Turkey", hog, "2010-01-01", "Recep Tayyip Erdoğan"},
		{"Turkey", hos, "2016-07-15", "Recep Tayyip Erdoğan"},
		{"Turkey", hos, "2019-01-01", "Recep Tayyip Erdoğan"},
		{"Turkey", hog, "2019-01-01", "Recep Tayyip Erdoğan"},
		{"Saudi Arabia", hos, "1990-08-02", "Fahd bin Abdulaziz"},
		{"Saudi Arabia", hog, "2023-01-01", "Mohammed bin Salman"},
		{"Mexico", hos, "2020-01-01", "Andrés Manuel López Obrador"},
		{"Argentina", hos, "1982-04-02", "Leopoldo Galtieri"},
		{"Indonesia", hos, "1997-07-01", "Suharto"},
		{"European Union", hog, "1992-02-07", "Jacques Delors"},
		{"European Union", hos, "2016-01-01", "Donald Tusk"},
		{"Euro area", cb, "2012-07-26", "Mario Draghi"},
		{"Iran", RoleSupremeLeader, "2019-01-01", "Ali Khamenei"},
		{"Iran", hos, "2019-01-01", "Hassan Rouhani"},
		{"Iran", hog, "1985-01-01", "Mir-Hossein Mousavi"},
		{"Israel", hog, "1995-11-03", "Yitzhak Rabin"},
		{"Israel", hog, "2019-01-01", "Benjamin Netanyahu"},
		{"Ukraine", hos, "2022-02-24", "Volodymyr Zelenskyy"},
		{"Iraq", hos, "1990-08-02", "Saddam Hussein"},
		{"Syria", hos, "2011-03-15", "Bashar al-Assad"},
		{"Egypt", hos, "2011-02-10", "Hosni Mubarak"},
		{"North Korea", RoleSupremeLeader, "2018-06-12", "Kim Jong-un"},
		{"Pakistan", hog, "2019-01-01", "Imran Khan"},
		{"Poland", hos, "1993-01-01", "Lech Wałęsa"},
		{"Hungary", hog, "2015-01-01", "Viktor Orbán"},
		{"NATO", RoleSecretaryGeneral, "2022-02-24", "Jens Stoltenberg"},
		{"United Nations", RoleSecretaryGeneral, "2003-03-20", "Kofi Annan"},
		{"Cuba", hos, "1990-01-01", "Fidel Castro"},
		{"Venezuela", hos, "2005-01-01", "Hugo Chávez"},
		{"Taiwan", hos, "2020-01-11", "Tsai Ing-wen"},
	}
	for _, tc := range tests {
		t.Run(tc.country+"/"+tc.role+"/"+tc.at, func(t *testing.T) {
			got, ok := d.Holder(tc.country, tc.role, date(tc.at))
			if !ok {
				t.Fatalf("Holder(%q, %q, %s) found nobody, want %s", tc.country, tc.role, tc.at, tc.want)
			}
			if got.Person != tc.want {
				t.Errorf("Holder(%q, %q, %s) = %s, want %s", tc.country, tc.role, tc.at, fmtTerm(got), tc.want)
			}
		})
	}
}

// TestLeaderFacts spot-checks Leader's per-country choice.
func TestLeaderFacts(t *testing.T) {
	d := loadT(t)
	tests := []struct{ country, at, want string }{
		{"China", "1985-01-01", "Deng Xiaoping"},
		{"China", "1995-01-01", "Jiang Zemin"},
		{"China", "2019-01-01", "Xi Jinping"},
		{"Soviet Union", "1986-01-01", "Mikhail Gorbachev"},
		{"Soviet Union", "1983-01-01", "Yuri Andropov"},
		{"Russia", "2010-01-01", "Dmitry Medvedev"},
		{"Russia", "2019-01-01", "Vladimir Putin"},
		{"United Kingdom", "2019-01-01", "Theresa May"},
		{"Germany", "2019-01-01", "Angela Merkel"},
		{"France", "2019-01-01", "Emmanuel Macron"},
		{"Japan", "2019-01-01", "Shinzo Abe"},
		{"India", "2019-01-01", "Narendra Modi"},
		{"Israel", "2019-01-01", "Benjamin Netanyahu"},
		{"Iran", "2019-01-01", "Ali Khamenei"},
		{"North Korea", "2019-01-01", "Kim Jong-un"},
		{"Turkey", "2010-01-01", "Recep Tayyip Erdoğan"},
		{"Turkey", "2016-01-01", "Recep Tayyip Erdoğan"},
		{"Saudi Arabia", "2023-01-01", "Salman bin Abdulaziz"},
		{"United States", "2019-01-01", "Donald Trump"},
		{"Poland", "1985-01-01", "Wojciech Jaruzelski"},
		{"Vietnam", "2019-01-01", "Nguyen Phu Trong"},
		{"Pakistan", "2005-01-01", "Pervez Musharraf"},
		{"Pakistan", "2000-01-01", "Pervez Musharraf"},
		{"Pakistan", "2019-01-01", "Imran Khan"},
		{"Afghanistan", "1999-01-01", "Mohammed Omar"},
		{"Afghanistan", "2022-01-01", "Hibatullah Akhundzada"},
		{"European Union", "2019-01-01", "Jean-Claude Juncker"},
		{"Ethiopia", "2019-01-01", "Abiy Ahmed"},
		{"South Africa", "1983-01-01", "P. W. Botha"},
		{"South Africa", "2019-01-01", "Cyril Ramaphosa"},
	}
	for _, tc := range tests {
		t.Run(tc.country+"/"+tc.at, func(t *testing.T) {
			got, ok := d.Leader(tc.country, date(tc.at))
			if !ok || got.Person != tc.want {
				t.Errorf("Leader(%q, %s) = %s, %v; want %s", tc.country, tc.at, fmtTerm(got), ok, tc.want)
			}
			// RoleLeader through Holder is the same question.
			if h, _ := d.Holder(tc.country, RoleLeader, date(tc.at)); h.Person != got.Person {
				t.Errorf("Holder(%q, leader, %s) = %s, Leader gave %s", tc.country, tc.at, h.Person, got.Person)
			}
		})
	}
}
