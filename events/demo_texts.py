"""German and Dutch texts of the demo welcome days (issue 14: content in several languages), for events/demo.py.

The main texts in events/demo.py are English; a few sessions are left untranslated on purpose, so that the console's
"Missing translations" panel shows them. The German and Dutch descriptions follow the organisers' own texts
(Wissensregion Düsseldorf, POM Limburg).
"""
EVENT_TEXTS = {
    "duesseldorf-meets-international-talents-2027": {
        "de": {"title": "Düsseldorf meets International Talents 2027",
               "description": "Eine Willkommens- und Beratungsveranstaltung der Wissensregion Düsseldorf für "
                              "internationale Studierende und Forschende, die ihr Studium in der Region abschließen: "
                              "Workshops, Vorträge und 1:1-Gespräche mit Partnern wie Henkel, dem "
                              "Max-Planck-Institut für Eisenforschung und der IHK Düsseldorf – damit Sie hier Arbeit "
                              "finden und bleiben."},
        "nl": {"title": "Düsseldorf meets International Talents 2027",
               "description": "Een dag voor internationale studenten en onderzoekers die hun studie in de regio "
                              "afronden: workshops, lezingen en 1-op-1-gesprekken met werkgevers zoals Henkel, het "
                              "Max-Planck-Institut für Eisenforschung en de IHK Düsseldorf – zodat je hier werk "
                              "vindt en blijft."},
    },
    "limburg-stem-talent-day-2027": {
        "nl": {"title": "Limburgse STEM-talentdag 2027",
               "description": "Jong buitenlands STEM-talent voedt gevestigde Limburgse bedrijven: mentoring, "
                              "innovatieprojecten, een taalbad Nederlands van drie maanden, en partners die zich "
                              "vrijblijvend kandidaat stellen als lead partner of meewerkende partner."},
        "de": {"title": "Limburger MINT-Talenttag 2027",
               "description": "Junge MINT-Talente aus dem Ausland treffen etablierte Limburger Unternehmen: "
                              "Mentoring, Innovationsprojekte, ein dreimonatiges Sprachbad Niederländisch und "
                              "Partner, die sich unverbindlich als Lead- oder mitwirkender Partner melden."},
    },
}
SESSION_TEXTS = {  # by the session's English title
    "Welcome to the knowledge region Düsseldorf": {
        "de": {"title": "Willkommen in der Wissensregion Düsseldorf",
               "abstract": "Warum Düsseldorf möchte, dass Sie bleiben, und was der Tag bietet."},
        "nl": {"title": "Welkom in de kennisregio Düsseldorf",
               "abstract": "Waarom Düsseldorf wil dat je blijft, en wat de dag te bieden heeft."}},
    "Applying for jobs in Germany: CV, cover letter, interview": {
        "de": {"title": "Bewerben in Deutschland: Lebenslauf, Anschreiben, Vorstellungsgespräch",
               "abstract": "Was deutsche Arbeitgeber von einer Bewerbung erwarten, mit Rückmeldung zu Ihrem "
                           "eigenen Lebenslauf."},
        "nl": {"title": "Solliciteren in Duitsland: cv, motivatiebrief, gesprek"}},
    "Your residence permit after graduation (§ 20 AufenthG, EU Blue Card)": {
        "de": {"title": "Ihr Aufenthaltstitel nach dem Abschluss (§ 20 AufenthG, Blaue Karte EU)",
               "abstract": "18 Monate für die Arbeitssuche, die Blaue Karte EU und wie Sie Ihren Titel ohne "
                           "Unterbrechung wechseln."}},
    "Meet the employers: 1:1 meetings": {
        "de": {"title": "Arbeitgeber treffen: 1:1-Gespräche"},
        "nl": {"title": "Maak kennis met werkgevers: 1-op-1-gesprekken"}},
    "Lunch": {"de": {"title": "Mittagessen"}, "nl": {"title": "Lunch"}},
    "Limburg needs STEM talent: welcome": {
        "nl": {"title": "Limburg heeft STEM-talent nodig: welkom",
               "abstract": "Hoe Limburgse bedrijven en de regio samenwerken om jong STEM-talent aan te trekken en "
                           "te houden."},
        "de": {"title": "Limburg braucht MINT-Talente: Willkommen"}},
    "Innovation projects with Limburg companies": {
        "nl": {"title": "Innovatieprojecten met Limburgse bedrijven",
               "abstract": "Werk aan een echte innovatie-uitdaging van een Limburgs bedrijf."}},
    "Mentoring programme: find your company": {
        "nl": {"title": "Mentoringprogramma: vind je bedrijf",
               "abstract": "Hoe het onthaalbureau je koppelt aan een mentor en een onderneming."}},
    "Speed meetings with employers": {"nl": {"title": "Speeddates met werkgevers"},
                                      "de": {"title": "Kurzgespräche mit Arbeitgebern"}},
}
ROOM_TEXTS = {"Plenarsaal": {"de": {"name": "Plenarsaal"}, "nl": {"name": "Plenaire zaal"}},
              "Raum A": {"de": {"name": "Raum A"}, "nl": {"name": "Zaal A"}},
              "Raum B": {"de": {"name": "Raum B"}, "nl": {"name": "Zaal B"}},
              "Raum C": {"de": {"name": "Raum C"}, "nl": {"name": "Zaal C"}},
              "Foyer": {"de": {"name": "Foyer"}, "nl": {"name": "Foyer"}},
              "Lokaal 1": {"de": {"name": "Raum 1"}}, "Lokaal 2": {"de": {"name": "Raum 2"}},
              "Hal": {"de": {"name": "Halle"}}}
ORGANISATION_TEXTS = {
    "Henkel AG & Co. KGaA": {"de": {"description": "Klebstoffe, Wasch- und Reinigungsmittel, Kosmetik: ein "
                                                   "Chemieunternehmen, zu Hause in Düsseldorf-Holthausen."}},
    "POM Limburg": {"nl": {"description": "De provinciale ontwikkelingsmaatschappij."}},
}
