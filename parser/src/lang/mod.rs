//! Language data: the words resumes use, one table per language.
//!
//! Every rule of the parser that depends on words (section titles, month
//! names, "present" words, degree names, address and phone labels) reads
//! them from here, never from a literal in the rule. Each language is one
//! file holding one [`Lang`] value; [`ALL`] lists them. Adding Italian,
//! Portuguese or Dutch is adding a file and a line to [`ALL`].
//!
//! Rules match against the union of all languages, so a resume with German
//! titles and English bullets reads like either; [`detect`] tells which
//! language the running text is in, for `meta.language` and for the
//! warning when the parser is unsure.
//!
//! Words are written lowercase; matching folds case and diacritics
//! ([`fold`]), so `Fähigkeiten`, `FAHIGKEITEN` and `fähigkeiten` are one word.

mod de;
mod en;
mod es;
mod fr;
mod it;
mod nl;
mod pt;

use crate::sections::Kind;
use std::sync::OnceLock;

/// The word tables of one language. All words lowercase; multi-word entries
/// are separated by single spaces.
#[derive(Debug)]
pub struct Lang {
    /// ISO 639-1 code, recorded as `meta.language`.
    pub code: &'static str,
    /// The language's English name, for messages.
    pub name: &'static str,
    /// Function words frequent in running text (articles, prepositions,
    /// conjunctions): what [`detect`] counts.
    pub stopwords: &'static [&'static str],
    /// Names and abbreviations of each month, January first.
    pub months: [&'static [&'static str]; 12],
    /// Season names with the month they stand for.
    pub seasons: &'static [(&'static str, u8)],
    /// Words or phrases that end a range "until now" (`present`, `heute`,
    /// `aujourd'hui`, `à ce jour`).
    pub present: &'static [&'static str],
    /// Words before a lone start date that make it an open range (`since`,
    /// `seit`, `depuis`, `desde`).
    pub since: &'static [&'static str],
    /// Words between the two dates of a range (`to`, `bis`, `au`, `hasta`).
    pub range_words: &'static [&'static str],
    /// Words between a month and its year (`enero de 2024`).
    pub month_year_links: &'static [&'static str],
    /// Words that name a section (one word each; the kind they decide).
    pub sections: &'static [(&'static str, Kind)],
    /// Words that may stand next to a section word in a title.
    pub heading_fillers: &'static [&'static str],
    /// Degree names (study types), as written; matched at the start of a piece.
    pub degrees: &'static [&'static str],
    /// Words between a degree and its field (`in`, `of`).
    pub degree_connectors: &'static [&'static str],
    /// Labels of a grade (`GPA`, `Note`, `Nota`, `Mention`).
    pub grade_labels: &'static [&'static str],
    /// Words that make a name an educational institution.
    pub institution_words: &'static [&'static str],
    /// Words and legal forms that make a name a company.
    pub company_words: &'static [&'static str],
    /// Words of job titles.
    pub role_words: &'static [&'static str],
    /// Skill and language levels (`expert`, `native`, `Muttersprache`, `courant`).
    pub levels: &'static [&'static str],
    /// Contact details: labels, countries, regions, postcode shapes.
    pub contact: Contact,
}

/// The contact-line words of one language.
#[derive(Debug)]
pub struct Contact {
    /// Labels before a phone number (`phone`, `tel`, `mobil`, `téléphone`).
    pub phone_labels: &'static [&'static str],
    /// Labels before an e-mail address (`email`, `e-mail`, `courriel`).
    pub email_labels: &'static [&'static str],
    /// Labels before a place or address (`location`, `adresse`, `wohnort`).
    pub location_labels: &'static [&'static str],
    /// Labels before a web address (`website`, `web`, `homepage`).
    pub url_labels: &'static [&'static str],
    /// Country names in this language with their ISO 3166 code.
    pub countries: &'static [(&'static str, &'static str)],
    /// Words that end or start a street name (`street`, `straße`, `rue`, `calle`).
    pub street_words: &'static [&'static str],
}

/// Every language the parser reads, English first.
pub static ALL: &[&Lang] = &[
    &en::EN,
    &de::DE,
    &fr::FR,
    &es::ES,
    &it::IT,
    &pt::PT,
    &nl::NL,
];

/// The English name of a language code of [`ALL`] (the code itself otherwise).
pub fn name(code: &str) -> &str {
    ALL.iter().find(|l| l.code == code).map_or(code, |l| l.name)
}

/// Lowercase with diacritics removed (`Fähigkeiten` → `fahigkeiten`,
/// `Expérience` → `experience`, `ß` → `ss`).
pub fn fold(word: &str) -> String {
    use unicode_normalization::char::is_combining_mark;
    use unicode_normalization::UnicodeNormalization;
    if word.is_ascii() {
        return word.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(word.len());
    for c in word.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        match c {
            'ß' => out.push_str("ss"),
            'œ' | 'Œ' => out.push_str("oe"),
            'æ' | 'Æ' => out.push_str("ae"),
            _ => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// The folded forms of one word list of every language, built once.
fn folded(pick: fn(&Lang) -> &'static [&'static str]) -> Vec<String> {
    let mut out: Vec<String> = ALL.iter().flat_map(|l| pick(l)).map(|w| fold(w)).collect();
    out.sort();
    out.dedup();
    out
}

macro_rules! word_set {
    ($(#[$doc:meta])* $name:ident, $field:expr) => {
        $(#[$doc])*
        pub fn $name(word: &str) -> bool {
            static SET: OnceLock<Vec<String>> = OnceLock::new();
            let set = SET.get_or_init(|| folded($field));
            set.binary_search(&fold(word)).is_ok()
        }
    };
}

word_set!(
    /// A word that may stand beside a section word in a title.
    is_heading_filler,
    |l| l.heading_fillers
);
word_set!(
    /// A one-word "until now" (`present`, `heute`, `actualidad`).
    is_present_word,
    |l| l.present
);
word_set!(
    /// `since`, `seit`, `depuis`, `desde`.
    is_since_word,
    |l| l.since
);
word_set!(
    /// `de` in `enero de 2024`: a word between a month and its year.
    is_month_year_link,
    |l| l.month_year_links
);
word_set!(
    /// `to`, `bis`, `au`, `hasta`: a word between the dates of a range.
    is_range_word,
    |l| l.range_words
);
word_set!(
    /// A grade label (`GPA`, `Note`).
    is_grade_label,
    |l| l.grade_labels
);
word_set!(
    /// A word of an institution's name (`university`, `hochschule`).
    is_institution_word,
    |l| l.institution_words
);
word_set!(
    /// A word of a company's name or a legal form (`inc`, `gmbh`).
    is_company_word,
    |l| l.company_words
);
word_set!(
    /// A word of a job title.
    is_role_word,
    |l| l.role_words
);
word_set!(
    /// A skill or language level word.
    is_level_word,
    |l| l.levels
);
word_set!(
    /// A label before a phone number.
    is_phone_label,
    |l| l.contact.phone_labels
);
word_set!(
    /// A label before an e-mail address.
    is_email_label,
    |l| l.contact.email_labels
);
word_set!(
    /// A label before a place.
    is_location_label,
    |l| l.contact.location_labels
);
word_set!(
    /// A label before a web address.
    is_url_label,
    |l| l.contact.url_labels
);

/// The section kind a single title word decides, if it is one. When languages
/// disagree the kind listed first in [`Kind::PRIORITY`] wins.
pub fn section_word(word: &str) -> Option<Kind> {
    static MAP: OnceLock<Vec<(String, Kind)>> = OnceLock::new();
    let map = MAP.get_or_init(|| {
        let mut map: Vec<(String, Kind)> = ALL
            .iter()
            .flat_map(|l| l.sections.iter())
            .map(|(w, k)| (fold(w), *k))
            .collect();
        map.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.rank().cmp(&b.1.rank())));
        map.dedup_by(|a, b| a.0 == b.0);
        map
    });
    let w = fold(word);
    map.binary_search_by(|(k, _)| k.as_str().cmp(&w))
        .ok()
        .map(|i| map[i].1)
}

/// The section kind of a whole title that is one of the multi-word entries
/// (`parcours professionnel`), given as its lowercase words.
pub fn section_phrase(title_words: &[&str]) -> Option<Kind> {
    static PHRASES: OnceLock<Vec<(Vec<String>, Kind)>> = OnceLock::new();
    let phrases = PHRASES.get_or_init(|| {
        ALL.iter()
            .flat_map(|l| l.sections.iter())
            .map(|(w, k)| (words(&fold(w)), *k))
            .filter(|(w, _)| w.len() > 1)
            .collect()
    });
    let folded: Vec<String> = title_words.iter().map(|w| fold(w)).collect();
    phrases.iter().find(|(p, _)| *p == folded).map(|(_, k)| *k)
}

/// Month number of a month name or abbreviation in any language: the word
/// (a trailing period dropped) is a name or a prefix of at least three
/// letters of names of one month only (`jui` is June and July in French:
/// no month).
pub fn month_number(word: &str) -> Option<u8> {
    static MONTHS: OnceLock<Vec<(String, u8)>> = OnceLock::new();
    let months = MONTHS.get_or_init(|| {
        let mut v: Vec<(String, u8)> = ALL
            .iter()
            .flat_map(|l| {
                l.months
                    .iter()
                    .enumerate()
                    .flat_map(|(i, names)| names.iter().map(move |n| (fold(n), i as u8 + 1)))
            })
            .collect();
        v.sort();
        v.dedup();
        v
    });
    let word = word.trim_end_matches('.');
    // No month name is longer than "septiembre"/"setiembre" (10 letters).
    let letters = word.chars().count();
    if !(3..=12).contains(&letters) {
        return None;
    }
    let w = fold(word);
    if !w.chars().all(char::is_alphabetic) {
        return None;
    }
    if let Ok(i) = months.binary_search_by(|(n, _)| n.as_str().cmp(&w)) {
        return Some(months[i].1);
    }
    // Prefixes: every name starting with `w` must be the same month.
    let start = months.partition_point(|(n, _)| n.as_str() < w.as_str());
    let mut found = None;
    for (name, m) in &months[start..] {
        if !name.starts_with(&w) {
            break;
        }
        match found {
            None => found = Some(*m),
            Some(f) if f != *m => return None,
            _ => {}
        }
    }
    found
}

/// Month a season name stands for (`summer` → 6, `Sommer` → 6).
pub fn season_month(word: &str) -> Option<u8> {
    static SEASONS: OnceLock<Vec<(String, u8)>> = OnceLock::new();
    let seasons = SEASONS.get_or_init(|| {
        let mut v: Vec<(String, u8)> = ALL
            .iter()
            .flat_map(|l| l.seasons.iter())
            .map(|(s, m)| (fold(s), *m))
            .collect();
        v.sort();
        v.dedup_by(|a, b| a.0 == b.0);
        v
    });
    if !(3..=12).contains(&word.chars().count()) {
        return None;
    }
    let w = fold(word);
    seasons
        .binary_search_by(|(s, _)| s.as_str().cmp(&w))
        .ok()
        .map(|i| seasons[i].1)
}

/// Multi-word "present" phrases of every language, folded and split into
/// words (`à ce jour` → `["a", "ce", "jour"]`), longest first.
pub fn present_phrases() -> &'static [Vec<String>] {
    static PHRASES: OnceLock<Vec<Vec<String>>> = OnceLock::new();
    PHRASES.get_or_init(|| {
        let mut v: Vec<Vec<String>> = ALL
            .iter()
            .flat_map(|l| l.present.iter())
            .map(|p| words(&fold(p)))
            .filter(|w| w.len() > 1)
            .collect();
        v.sort_by_key(|w| std::cmp::Reverse(w.len()));
        v.dedup();
        v
    })
}

/// Degree names of every language, longest first (so `Master of Science`
/// is tried before `Master`).
pub fn degrees() -> &'static [&'static str] {
    static DEGREES: OnceLock<Vec<&'static str>> = OnceLock::new();
    DEGREES.get_or_init(|| {
        let mut v: Vec<&'static str> = ALL.iter().flat_map(|l| l.degrees.iter().copied()).collect();
        v.sort_by_key(|d| std::cmp::Reverse(d.len()));
        v.dedup();
        v
    })
}

/// Connectors between a degree and its field, every language.
pub fn degree_connectors() -> &'static [&'static str] {
    static CONNECTORS: OnceLock<Vec<&'static str>> = OnceLock::new();
    CONNECTORS.get_or_init(|| {
        let mut v: Vec<&'static str> = ALL
            .iter()
            .flat_map(|l| l.degree_connectors.iter().copied())
            .collect();
        v.sort_by_key(|d| std::cmp::Reverse(d.len()));
        v.dedup();
        v
    })
}

/// ISO code of a country name in any language (`Deutschland` → `DE`).
pub fn country_code(name: &str) -> Option<&'static str> {
    static MAP: OnceLock<Vec<(String, &'static str)>> = OnceLock::new();
    let map = MAP.get_or_init(|| {
        let mut v: Vec<(String, &'static str)> = ALL
            .iter()
            .flat_map(|l| l.contact.countries.iter())
            .map(|(n, c)| (fold(n), *c))
            .collect();
        v.sort();
        v.dedup_by(|a, b| a.0 == b.0);
        v
    });
    let w = fold(name.trim());
    map.binary_search_by(|(n, _)| n.as_str().cmp(&w))
        .ok()
        .map(|i| map[i].1)
}

/// Every known country code.
pub fn is_country_code(code: &str) -> bool {
    ALL.iter()
        .flat_map(|l| l.contact.countries.iter())
        .any(|(_, c)| *c == code)
}

/// A word ending or starting a street name, any language.
pub fn is_street_word(word: &str) -> bool {
    static SET: OnceLock<Vec<String>> = OnceLock::new();
    let set = SET.get_or_init(|| folded(|l| l.contact.street_words));
    let w = fold(word.trim_end_matches('.'));
    set.binary_search(&w).is_ok()
}

/// The alphabetic words of a folded text.
fn words(folded: &str) -> Vec<String> {
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// What [`detect`] found.
#[derive(Debug, Clone, PartialEq)]
pub struct Detected {
    /// The language of most of the running text.
    pub code: &'static str,
    /// Its share of the stopwords counted, 0.0..=1.0.
    pub share: f32,
    /// How many stopwords were counted in all.
    pub evidence: usize,
    /// A second language with a large share (a mixed-language resume).
    pub second: Option<(&'static str, f32)>,
}

/// The language of a text, from the function words it uses. `None` when
/// the text holds too few of them to tell (a resume of bare keywords).
pub fn detect(text: &str) -> Option<Detected> {
    static SETS: OnceLock<Vec<Vec<String>>> = OnceLock::new();
    let sets = SETS.get_or_init(|| {
        ALL.iter()
            .map(|l| {
                let mut v: Vec<String> = l.stopwords.iter().map(|w| fold(w)).collect();
                v.sort();
                v.dedup();
                v
            })
            .collect()
    });
    let mut counts = vec![0usize; ALL.len()];
    for word in text.split(|c: char| !c.is_alphabetic()) {
        if word.is_empty() || word.len() > 12 {
            continue;
        }
        let w = fold(word);
        for (i, set) in sets.iter().enumerate() {
            if set.binary_search(&w).is_ok() {
                counts[i] += 1;
            }
        }
    }
    let total: usize = counts.iter().sum();
    if total < 3 {
        return None;
    }
    let mut order: Vec<usize> = (0..ALL.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(counts[i]));
    let best = order[0];
    let share = counts[best] as f32 / total as f32;
    let second = order.get(1).and_then(|&i| {
        let s = counts[i] as f32 / total as f32;
        (s >= 0.25).then_some((ALL[i].code, s))
    });
    Some(Detected {
        code: ALL[best].code,
        share,
        evidence: total,
        second,
    })
}

/// First-level administrative regions written in addresses: US states,
/// Canadian provinces, Australian states (with their postal abbreviations),
/// German and Austrian Länder, Swiss cantons, French régions, Spanish
/// comunidades autónomas. Each row is (postal abbreviation or "", name,
/// ISO 3166 country). Regions belong to countries, not languages, so they
/// live here rather than in one language file; names in several languages
/// (`Bayern`, `Bavaria`) are separate rows. Adding a country is adding rows.
pub static REGIONS: &[(&str, &str, &str)] = &[
    ("AL", "Alabama", "US"),
    ("AK", "Alaska", "US"),
    ("AZ", "Arizona", "US"),
    ("AR", "Arkansas", "US"),
    ("CA", "California", "US"),
    ("CO", "Colorado", "US"),
    ("CT", "Connecticut", "US"),
    ("DE", "Delaware", "US"),
    ("FL", "Florida", "US"),
    ("GA", "Georgia", "US"),
    ("HI", "Hawaii", "US"),
    ("ID", "Idaho", "US"),
    ("IL", "Illinois", "US"),
    ("IN", "Indiana", "US"),
    ("IA", "Iowa", "US"),
    ("KS", "Kansas", "US"),
    ("KY", "Kentucky", "US"),
    ("LA", "Louisiana", "US"),
    ("ME", "Maine", "US"),
    ("MD", "Maryland", "US"),
    ("MA", "Massachusetts", "US"),
    ("MI", "Michigan", "US"),
    ("MN", "Minnesota", "US"),
    ("MS", "Mississippi", "US"),
    ("MO", "Missouri", "US"),
    ("MT", "Montana", "US"),
    ("NE", "Nebraska", "US"),
    ("NV", "Nevada", "US"),
    ("NH", "New Hampshire", "US"),
    ("NJ", "New Jersey", "US"),
    ("NM", "New Mexico", "US"),
    ("NY", "New York", "US"),
    ("NC", "North Carolina", "US"),
    ("ND", "North Dakota", "US"),
    ("OH", "Ohio", "US"),
    ("OK", "Oklahoma", "US"),
    ("OR", "Oregon", "US"),
    ("PA", "Pennsylvania", "US"),
    ("RI", "Rhode Island", "US"),
    ("SC", "South Carolina", "US"),
    ("SD", "South Dakota", "US"),
    ("TN", "Tennessee", "US"),
    ("TX", "Texas", "US"),
    ("UT", "Utah", "US"),
    ("VT", "Vermont", "US"),
    ("VA", "Virginia", "US"),
    ("WA", "Washington", "US"),
    ("WV", "West Virginia", "US"),
    ("WI", "Wisconsin", "US"),
    ("WY", "Wyoming", "US"),
    ("DC", "District of Columbia", "US"),
    ("AB", "Alberta", "CA"),
    ("BC", "British Columbia", "CA"),
    ("MB", "Manitoba", "CA"),
    ("NB", "New Brunswick", "CA"),
    ("NL", "Newfoundland and Labrador", "CA"),
    ("NS", "Nova Scotia", "CA"),
    ("NT", "Northwest Territories", "CA"),
    ("NU", "Nunavut", "CA"),
    ("ON", "Ontario", "CA"),
    ("PE", "Prince Edward Island", "CA"),
    ("QC", "Quebec", "CA"),
    ("QC", "Québec", "CA"),
    ("SK", "Saskatchewan", "CA"),
    ("YT", "Yukon", "CA"),
    ("NSW", "New South Wales", "AU"),
    ("VIC", "Victoria", "AU"),
    ("QLD", "Queensland", "AU"),
    ("WA", "Western Australia", "AU"),
    ("SA", "South Australia", "AU"),
    ("TAS", "Tasmania", "AU"),
    ("ACT", "Australian Capital Territory", "AU"),
    ("NT", "Northern Territory", "AU"),
    ("", "Baden-Württemberg", "DE"),
    ("", "Bayern", "DE"),
    ("", "Bavaria", "DE"),
    ("", "Berlin", "DE"),
    ("", "Brandenburg", "DE"),
    ("", "Bremen", "DE"),
    ("", "Hamburg", "DE"),
    ("", "Hessen", "DE"),
    ("", "Hesse", "DE"),
    ("", "Mecklenburg-Vorpommern", "DE"),
    ("", "Niedersachsen", "DE"),
    ("", "Lower Saxony", "DE"),
    ("", "Nordrhein-Westfalen", "DE"),
    ("", "North Rhine-Westphalia", "DE"),
    ("", "NRW", "DE"),
    ("", "Rheinland-Pfalz", "DE"),
    ("", "Saarland", "DE"),
    ("", "Sachsen", "DE"),
    ("", "Saxony", "DE"),
    ("", "Sachsen-Anhalt", "DE"),
    ("", "Schleswig-Holstein", "DE"),
    ("", "Thüringen", "DE"),
    ("", "Thuringia", "DE"),
    ("", "Burgenland", "AT"),
    ("", "Kärnten", "AT"),
    ("", "Niederösterreich", "AT"),
    ("", "Oberösterreich", "AT"),
    ("", "Salzburg", "AT"),
    ("", "Steiermark", "AT"),
    ("", "Tirol", "AT"),
    ("", "Vorarlberg", "AT"),
    ("", "Wien", "AT"),
    ("", "Zürich", "CH"),
    ("", "Bern", "CH"),
    ("", "Luzern", "CH"),
    ("", "Uri", "CH"),
    ("", "Schwyz", "CH"),
    ("", "Obwalden", "CH"),
    ("", "Nidwalden", "CH"),
    ("", "Glarus", "CH"),
    ("", "Zug", "CH"),
    ("", "Freiburg", "CH"),
    ("", "Fribourg", "CH"),
    ("", "Solothurn", "CH"),
    ("", "Basel-Stadt", "CH"),
    ("", "Basel-Landschaft", "CH"),
    ("", "Schaffhausen", "CH"),
    ("", "Appenzell Ausserrhoden", "CH"),
    ("", "Appenzell Innerrhoden", "CH"),
    ("", "St. Gallen", "CH"),
    ("", "Graubünden", "CH"),
    ("", "Aargau", "CH"),
    ("", "Thurgau", "CH"),
    ("", "Tessin", "CH"),
    ("", "Ticino", "CH"),
    ("", "Waadt", "CH"),
    ("", "Vaud", "CH"),
    ("", "Wallis", "CH"),
    ("", "Valais", "CH"),
    ("", "Neuenburg", "CH"),
    ("", "Neuchâtel", "CH"),
    ("", "Genf", "CH"),
    ("", "Genève", "CH"),
    ("", "Jura", "CH"),
    ("", "Auvergne-Rhône-Alpes", "FR"),
    ("", "Bourgogne-Franche-Comté", "FR"),
    ("", "Bretagne", "FR"),
    ("", "Centre-Val de Loire", "FR"),
    ("", "Corse", "FR"),
    ("", "Grand Est", "FR"),
    ("", "Hauts-de-France", "FR"),
    ("", "Île-de-France", "FR"),
    ("", "Normandie", "FR"),
    ("", "Nouvelle-Aquitaine", "FR"),
    ("", "Occitanie", "FR"),
    ("", "Pays de la Loire", "FR"),
    ("", "Provence-Alpes-Côte d'Azur", "FR"),
    ("", "Alsace", "FR"),
    ("", "Aquitaine", "FR"),
    ("", "Auvergne", "FR"),
    ("", "Basse-Normandie", "FR"),
    ("", "Bourgogne", "FR"),
    ("", "Champagne-Ardenne", "FR"),
    ("", "Franche-Comté", "FR"),
    ("", "Haute-Normandie", "FR"),
    ("", "Languedoc-Roussillon", "FR"),
    ("", "Limousin", "FR"),
    ("", "Lorraine", "FR"),
    ("", "Midi-Pyrénées", "FR"),
    ("", "Nord-Pas-de-Calais", "FR"),
    ("", "Picardie", "FR"),
    ("", "Poitou-Charentes", "FR"),
    ("", "Rhône-Alpes", "FR"),
    ("", "Guadeloupe", "FR"),
    ("", "Martinique", "FR"),
    ("", "Guyane", "FR"),
    ("", "La Réunion", "FR"),
    ("", "Mayotte", "FR"),
    ("", "Andalucía", "ES"),
    ("", "Aragón", "ES"),
    ("", "Asturias", "ES"),
    ("", "Principado de Asturias", "ES"),
    ("", "Islas Baleares", "ES"),
    ("", "Illes Balears", "ES"),
    ("", "Canarias", "ES"),
    ("", "Islas Canarias", "ES"),
    ("", "Cantabria", "ES"),
    ("", "Castilla-La Mancha", "ES"),
    ("", "Castilla y León", "ES"),
    ("", "Cataluña", "ES"),
    ("", "Catalunya", "ES"),
    ("", "Comunidad de Madrid", "ES"),
    ("", "Madrid", "ES"),
    ("", "Comunidad Valenciana", "ES"),
    ("", "Comunitat Valenciana", "ES"),
    ("", "Extremadura", "ES"),
    ("", "Galicia", "ES"),
    ("", "La Rioja", "ES"),
    ("", "Región de Murcia", "ES"),
    ("", "Murcia", "ES"),
    ("", "Navarra", "ES"),
    ("", "Comunidad Foral de Navarra", "ES"),
    ("", "País Vasco", "ES"),
    ("", "Euskadi", "ES"),
    ("", "Ceuta", "ES"),
    ("", "Melilla", "ES"),
    // Italian regioni, Portuguese regiões, Dutch provincies, Belgian regions
    // and provinces: only those not named after their capital city (Lisboa,
    // Porto, Utrecht, Groningen, Antwerpen), which addresses write as the city.
    ("", "Abruzzo", "IT"),
    ("", "Basilicata", "IT"),
    ("", "Calabria", "IT"),
    ("", "Campania", "IT"),
    ("", "Emilia-Romagna", "IT"),
    ("", "Friuli-Venezia Giulia", "IT"),
    ("", "Friuli Venezia Giulia", "IT"),
    ("", "Lazio", "IT"),
    ("", "Liguria", "IT"),
    ("", "Lombardia", "IT"),
    ("", "Lombardy", "IT"),
    ("", "Marche", "IT"),
    ("", "Molise", "IT"),
    ("", "Piemonte", "IT"),
    ("", "Piedmont", "IT"),
    ("", "Puglia", "IT"),
    ("", "Apulia", "IT"),
    ("", "Sardegna", "IT"),
    ("", "Sardinia", "IT"),
    ("", "Sicilia", "IT"),
    ("", "Sicily", "IT"),
    ("", "Toscana", "IT"),
    ("", "Tuscany", "IT"),
    ("", "Trentino-Alto Adige", "IT"),
    ("", "Trentino-Südtirol", "IT"),
    ("", "Umbria", "IT"),
    ("", "Valle d'Aosta", "IT"),
    ("", "Veneto", "IT"),
    ("", "Açores", "PT"),
    ("", "Região Autónoma dos Açores", "PT"),
    ("", "Azores", "PT"),
    ("", "Madeira", "PT"),
    ("", "Região Autónoma da Madeira", "PT"),
    ("", "Alentejo", "PT"),
    ("", "Algarve", "PT"),
    ("", "Área Metropolitana de Lisboa", "PT"),
    ("", "Área Metropolitana do Porto", "PT"),
    ("", "Drenthe", "NL"),
    ("", "Flevoland", "NL"),
    ("", "Friesland", "NL"),
    ("", "Fryslân", "NL"),
    ("", "Gelderland", "NL"),
    ("", "Noord-Brabant", "NL"),
    ("", "Noord-Holland", "NL"),
    ("", "Overijssel", "NL"),
    ("", "Zeeland", "NL"),
    ("", "Zuid-Holland", "NL"),
    ("", "Vlaanderen", "BE"),
    ("", "Flanders", "BE"),
    ("", "Wallonie", "BE"),
    ("", "Wallonia", "BE"),
    ("", "Oost-Vlaanderen", "BE"),
    ("", "West-Vlaanderen", "BE"),
    ("", "Vlaams-Brabant", "BE"),
    ("", "Waals-Brabant", "BE"),
    ("", "Brabant wallon", "BE"),
    ("", "Henegouwen", "BE"),
    ("", "Hainaut", "BE"),
];

/// The country of a region name in any spelling (`Bayern` → `DE`,
/// `texas` → `US`), case and diacritics ignored.
pub fn region_country(name: &str) -> Option<&'static str> {
    static MAP: OnceLock<Vec<(String, &'static str)>> = OnceLock::new();
    let map = MAP.get_or_init(|| {
        let mut v: Vec<(String, &'static str)> =
            REGIONS.iter().map(|(_, n, c)| (fold(n), *c)).collect();
        v.sort();
        v.dedup_by(|a, b| a.0 == b.0);
        v
    });
    let w = fold(name.trim());
    map.binary_search_by(|(n, _)| n.as_str().cmp(&w))
        .ok()
        .map(|i| map[i].1)
}

/// The countries whose region has this postal abbreviation, as written
/// (upper case): `TX` → `["US"]`, `WA` → `["US", "AU"]`, `ON` → `["CA"]`.
pub fn region_code_countries(code: &str) -> impl Iterator<Item = &'static str> + '_ {
    REGIONS
        .iter()
        .filter(move |(c, _, _)| !c.is_empty() && *c == code)
        .map(|(_, _, cc)| *cc)
}

/// The first word of a contact label, when `text` starts with one of any
/// language (`Tel.: `, `E-Mail:`, `Téléphone :`, `Dirección:`, `Web:`):
/// the kind of value it announces and the rest of the text after the label
/// and its colon. A label needs its colon unless the value follows a word
/// that cannot be anything but a label (`Tel. 0151 …`, `Phone 555 …`).
pub fn strip_contact_label(text: &str) -> Option<(LabelKind, &str)> {
    let t = text.trim_start();
    // The label is everything before the first ':' (at most four words).
    let (label, rest) = match t.split_once(':') {
        Some((l, r)) if l.split_whitespace().count() <= 4 && !l.contains(['/', '@']) => (l, r),
        _ => {
            // "Tel. 030 123" / "Mobil 0151 …": a phone label without colon
            // before a value starting with a digit, '+' or '('.
            let (first, rest) = t.split_once(' ')?;
            let starts_number = rest
                .trim_start()
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit() || c == '+' || c == '(');
            if starts_number && is_phone_label(first.trim_end_matches('.')) {
                return Some((LabelKind::Phone, rest.trim_start()));
            }
            return None;
        }
    };
    let l = label.trim().trim_end_matches('.');
    let kind = if is_phone_label(l) {
        LabelKind::Phone
    } else if is_email_label(l) {
        LabelKind::Email
    } else if is_location_label(l) {
        LabelKind::Location
    } else if is_url_label(l) {
        LabelKind::Url
    } else {
        return None;
    };
    Some((kind, rest.trim_start()))
}

/// What a contact label announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelKind {
    Phone,
    Email,
    Location,
    Url,
}

/// A compound ending in a listed word: the part after its last hyphen
/// (`Backend-Entwickler`, `Lachmann-Universität`), or a tail of six or more
/// letters after three or more (`Systemadministratorin`,
/// `Fachhochschule`): German and Dutch join words. The word itself being
/// listed does not count.
fn ends_with_listed(word: &str, listed: fn(&str) -> bool) -> bool {
    if let Some((_, last)) = word.rsplit_once('-') {
        if !last.is_empty() && listed(last) {
            return true;
        }
    }
    let chars: Vec<(usize, char)> = word.char_indices().collect();
    chars.len() >= 9 && (3..=chars.len() - 6).any(|i| listed(&word[chars[i].0..]))
}

/// A compound ending in a job-title word (`Softwareentwicklerin`,
/// `IT-Projektleiter`).
pub fn ends_with_role_word(word: &str) -> bool {
    ends_with_listed(word, is_role_word)
}

/// A compound ending in an institution word (`Lachmann-Universität`,
/// `Fachhochschule`).
pub fn ends_with_institution_word(word: &str) -> bool {
    ends_with_listed(word, is_institution_word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding() {
        assert_eq!(fold("Fähigkeiten"), "fahigkeiten");
        assert_eq!(fold("EXPÉRIENCE"), "experience");
        assert_eq!(fold("Straße"), "strasse");
    }

    #[test]
    fn months_in_every_language() {
        assert_eq!(month_number("März"), Some(3));
        assert_eq!(month_number("Mrz"), Some(3));
        assert_eq!(month_number("janv."), Some(1));
        assert_eq!(month_number("sept."), Some(9));
        assert_eq!(month_number("dic."), Some(12));
        assert_eq!(month_number("Okt."), Some(10));
        assert_eq!(month_number("août"), Some(8));
        assert_eq!(month_number("juil."), Some(7));
        assert_eq!(month_number("juin"), Some(6));
        assert_eq!(month_number("jui"), None);
        assert_eq!(month_number("Mai"), Some(5));
        assert_eq!(month_number("enero"), Some(1));
        assert_eq!(month_number("Dezember"), Some(12));
        assert_eq!(month_number("Marketing"), None);
        assert_eq!(month_number("ma"), None);
        // Italian.
        assert_eq!(month_number("gennaio"), Some(1));
        assert_eq!(month_number("gen."), Some(1));
        assert_eq!(month_number("maggio"), Some(5));
        assert_eq!(month_number("mag"), Some(5));
        assert_eq!(month_number("giu"), Some(6));
        assert_eq!(month_number("lug."), Some(7));
        assert_eq!(month_number("sett."), Some(9));
        assert_eq!(month_number("ott"), Some(10));
        assert_eq!(month_number("Dicembre"), Some(12));
        // Portuguese.
        assert_eq!(month_number("fevereiro"), Some(2));
        assert_eq!(month_number("fev"), Some(2));
        assert_eq!(month_number("Março"), Some(3));
        assert_eq!(month_number("mai"), Some(5));
        assert_eq!(month_number("out."), Some(10));
        assert_eq!(month_number("dez"), Some(12));
        // Dutch.
        assert_eq!(month_number("maart"), Some(3));
        assert_eq!(month_number("mrt"), Some(3));
        assert_eq!(month_number("mei"), Some(5));
        assert_eq!(month_number("augustus"), Some(8));
        assert_eq!(month_number("okt."), Some(10));
        // Prefixes shared by several languages stay one month ("mar",
        // "jun", "set", "dec"); "jui" is still June and July.
        assert_eq!(month_number("mar"), Some(3));
        assert_eq!(month_number("jun"), Some(6));
        assert_eq!(month_number("set"), Some(9));
        assert_eq!(month_number("dec"), Some(12));
        assert_eq!(month_number("jul"), Some(7));
        assert_eq!(month_number("ju"), None);
    }

    #[test]
    fn section_words_in_every_language() {
        assert_eq!(section_word("Berufserfahrung"), Some(Kind::Work));
        assert_eq!(section_word("FORMATION"), Some(Kind::Education));
        assert_eq!(section_word("Compétences"), Some(Kind::Skills));
        assert_eq!(section_word("idiomas"), Some(Kind::Languages));
        assert_eq!(section_word("Sprachkenntnisse"), Some(Kind::Languages));
        assert_eq!(section_word("Acme"), None);
        // Italian.
        assert_eq!(section_word("Esperienze"), Some(Kind::Work));
        assert_eq!(section_word("ISTRUZIONE"), Some(Kind::Education));
        assert_eq!(section_word("competenze"), Some(Kind::Skills));
        assert_eq!(section_word("Capacità"), Some(Kind::Skills));
        assert_eq!(section_word("lingue"), Some(Kind::Languages));
        assert_eq!(section_word("progetti"), Some(Kind::Projects));
        assert_eq!(section_word("contatti"), Some(Kind::Contact));
        assert_eq!(section_phrase(&["dati", "personali"]), Some(Kind::Contact));
        // Portuguese.
        assert_eq!(section_word("Experiência"), Some(Kind::Work));
        assert_eq!(section_word("formação"), Some(Kind::Education));
        assert_eq!(section_word("Línguas"), Some(Kind::Languages));
        assert_eq!(section_word("projectos"), Some(Kind::Projects));
        assert_eq!(section_word("prêmios"), Some(Kind::Awards));
        assert_eq!(
            section_phrase(&["percurso", "profissional"]),
            Some(Kind::Work)
        );
        assert_eq!(
            section_phrase(&["percurso", "académico"]),
            Some(Kind::Education)
        );
        assert_eq!(
            section_phrase(&["habilitações", "literárias"]),
            Some(Kind::Education)
        );
        // Dutch.
        assert_eq!(section_word("Werkervaring"), Some(Kind::Work));
        assert_eq!(section_word("opleidingen"), Some(Kind::Education));
        assert_eq!(section_word("vaardigheden"), Some(Kind::Skills));
        assert_eq!(section_word("talen"), Some(Kind::Languages));
        assert_eq!(section_word("vrijwilligerswerk"), Some(Kind::Volunteer));
        assert_eq!(section_phrase(&["hobby", "s"]), Some(Kind::Interests));
        assert_eq!(section_word("contactgegevens"), Some(Kind::Contact));
    }

    #[test]
    fn italian_portuguese_dutch_words() {
        assert!(is_present_word("oggi"));
        assert!(is_present_word("atualmente"));
        assert!(is_present_word("heden"));
        assert!(present_phrases().contains(&vec!["in".to_string(), "corso".to_string()]));
        assert!(is_since_word("dal"));
        assert!(is_since_word("sinds"));
        assert!(is_range_word("até"));
        assert!(is_range_word("tot"));
        assert!(degrees().contains(&"Laurea magistrale"));
        assert!(degrees().contains(&"Mestrado Integrado"));
        assert!(is_grade_label("voto"));
        assert!(is_grade_label("Média"));
        assert!(is_institution_word("Università"));
        assert!(is_institution_word("hogeschool"));
        assert!(is_company_word("s.r.l."));
        assert!(is_company_word("Lda."));
        assert!(is_company_word("b.v."));
        assert!(is_role_word("sviluppatrice"));
        assert!(is_role_word("engenheira"));
        assert!(is_role_word("ontwikkelaar"));
        assert!(is_level_word("madrelingua"));
        assert!(is_level_word("vloeiend"));
        assert_eq!(
            strip_contact_label("Cellulare: +39 333 1234567"),
            Some((LabelKind::Phone, "+39 333 1234567"))
        );
        assert_eq!(
            strip_contact_label("Morada: Rua Augusta 10"),
            Some((LabelKind::Location, "Rua Augusta 10"))
        );
        assert_eq!(
            strip_contact_label("Woonplaats: Utrecht"),
            Some((LabelKind::Location, "Utrecht"))
        );
        assert_eq!(country_code("Italia"), Some("IT"));
        assert_eq!(country_code("Brasil"), Some("BR"));
        assert_eq!(country_code("België"), Some("BE"));
        assert!(is_street_word("Viale"));
        assert!(is_street_word("Travessa"));
        assert!(is_street_word("gracht"));
        assert_eq!(region_country("Lombardia"), Some("IT"));
        assert_eq!(region_country("Açores"), Some("PT"));
        assert_eq!(region_country("Noord-Holland"), Some("NL"));
        // A code that is also an abbreviation is not a country ("John Doe's CV").
        assert!(!is_country_code("CV"));
    }

    #[test]
    fn detection() {
        let de = "Konzeption und Entwicklung einer Schnittstelle zum ERP-System mit der \
                  Erfahrung in der Entwicklung von Microservices für die Kunden";
        assert_eq!(detect(de).unwrap().code, "de");
        let fr = "Développement d'une plateforme de paiement pour les clients et la \
                  migration des services dans le cloud";
        assert_eq!(detect(fr).unwrap().code, "fr");
        let es = "Desarrollo de una plataforma de pagos para los clientes y la migración \
                  de los servicios en la nube con el equipo";
        assert_eq!(detect(es).unwrap().code, "es");
        let en = "Led the migration of the payments platform to the cloud and built \
                  the tools for the team with an eye on cost";
        assert_eq!(detect(en).unwrap().code, "en");
        let it = "Sviluppo di una piattaforma per i pagamenti con il team della banca \
                  e migrazione dei servizi nel cloud per gli utenti";
        assert_eq!(detect(it).unwrap().code, "it");
        let pt = "Desenvolvimento de uma plataforma para os clientes do banco e migração \
                  dos serviços para a nuvem pela equipa";
        assert_eq!(detect(pt).unwrap().code, "pt");
        let nl = "Ontwikkeling van een betaalplatform voor de klanten en migratie van het \
                  systeem naar de cloud met het team";
        assert_eq!(detect(nl).unwrap().code, "nl");
        assert_eq!(detect("Rust Go SQL"), None);
    }
}
