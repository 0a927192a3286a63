"""Demo signals written from the example cases of the Knellende mechanismen report (2023).

Each entry is one signal as a reporter would submit it, plus the feedback and (for some) the
resolution that its owner gives afterwards. ``reporter`` is a persona key of the demo loader;
``days_ago`` is when the signal was submitted; feedback and resolution days count from then.
Owners take a signal on the next working morning, except where ``taken_on`` is False: the
newest signals, submitted a day or two ago, still wait in their owner's inbox within the
term to accept. A case without feedback is one whose owner did not report back in time: the
loader lets the clocks run out and the scheduler escalate it (:mod:`signals.demo.loader`);
the next owner takes it on and writes to the reporter, except where ``late`` is True: then
nobody does, and it goes up the route until a node that does not escalate.
The texts describe mechanisms, never a person: no names, addresses or BSNs.
"""

from typing import Any

DEMO_CASES: list[dict[str, Any]] = [
    # Case 1: inkomensgat bij werken vanuit de uitkering (consulent, opgelost met maatwerk).
    {
        "reporter": "consulent",
        "days_ago": 110,
        "title": "Inkomensgat bij werkaanvaarding: bijstand stopt direct, eerste loon komt pas een "
        "maand later.",
        "situation": (
            "Als een inwoner vanuit de bijstand aan het werk gaat, beëindigen we de uitkering "
            "per de startdatum van het werk. Het eerste salaris wordt pas aan het eind van de "
            "volgende maand betaald, waardoor er een periode van vier tot zes weken zonder "
            "inkomen ontstaat. Vaste lasten zoals huur en zorgverzekering lopen in die weken "
            "gewoon door. We zien dat inwoners hierdoor twijfelen om een baan aan te nemen."
        ),
        "resident_experience": (
            "Inwoners zeggen dat ze worden gestraft voor het feit dat ze aan het werk gaan; de "
            "eerste maand in een nieuwe baan begint met een huurachterstand."
        ),
        "regulations": ["participatiewet"],
        "level": "municipal_practice",
        "source_organisation": "gemeente",
        "scope": "structural",
        "urgency": "normal",
        "impact": ["income_gap", "debts"],
        "maatwerk": "applied",
        "maatwerk_grounds": ["beleidsregel"],
        "feedback": [
            (
                2,
                "Dank voor je signaal. Ik heb het in behandeling en bespreek het donderdag in "
                "het teamoverleg inkomen.",
            ),
            (
                12,
                "In het teamoverleg herkenden meer consulenten dit. Ik vraag bij beleid na of "
                "een overbruggingsvoorschot standaard kan worden aangeboden.",
            ),
        ],
        "resolution": {
            "days_after": 30,
            "outcome": "solved_individually",
            "rationale": (
                "Voor deze situatie is een voorschot op de laatste bijstandsmaand verstrekt op "
                "grond van de ruimte in de beleidsregel, zodat de periode tot het eerste loon is "
                "overbrugd. Een standaardregeling vraagt een besluit van beleid; dat loopt via "
                "het afstemmingsmoment beleid en uitvoering."
            ),
            "message": (
                "Het inkomensgat is voor deze inwoner opgelost met een voorschot. Het "
                "structurele punt heb ik meegegeven aan beleid; je hoort van mij zodra daar iets "
                "over bekend is."
            ),
            "article": {
                "title": "Inkomensgat bij werkaanvaarding: voorschot op de laatste bijstandsmaand",
                "summary": (
                    "Wie vanuit de bijstand gaat werken, krijgt het eerste loon vaak pas na een "
                    "maand, terwijl de bijstand direct stopt. De beleidsregel laat een voorschot "
                    "toe: daarmee is de periode tot het eerste loon te overbruggen."
                ),
                "what_was_done": (
                    "Voorschot op de laatste bijstandsmaand verstrekt; het structurele punt is "
                    "aan beleid voorgelegd."
                ),
            },
        },
    },
    # Case 1 again: wisselend inkomen uit een oproepcontract (buurtteam).
    {
        "reporter": "buurtteam",
        "days_ago": 44,
        "title": "Wisselend inkomen uit een oproepcontract leidt steeds tot verrekening achteraf "
        "en maanden met te weinig geld.",
        "situation": (
            "Inwoners met een oproep- of nulurencontract houden een aanvullende uitkering. "
            "Het inkomen wordt achteraf verrekend, waardoor een goede werkmaand een maand later "
            "leidt tot een veel lagere uitkering. Wie in de tussentijd minder uren krijgt, zit "
            "die maand onder het sociaal minimum. In ons buurtteam zien we dit bij meerdere "
            "huishoudens tegelijk."
        ),
        "resident_experience": (
            "Inwoners weten nooit wat er aan het eind van de maand binnenkomt en durven daardoor "
            "geen extra diensten meer aan te nemen."
        ),
        "regulations": ["participatiewet"],
        "level": "municipal_practice",
        "source_organisation": "gemeente",
        "scope": "possibly_structural",
        "urgency": "normal",
        "impact": ["income_gap", "mental_health"],
        "maatwerk": "unknown",
        "maatwerk_grounds": [],
        "feedback": [],
        "resolution": None,
    },
    # Case 2: aanvraag uitkering buiten behandeling, geen terugwerkende kracht (raadslid).
    {
        "reporter": "raadslid",
        "days_ago": 73,
        "title": "Bijstandsaanvraag buiten behandeling bij ontbrekende stukken, waarna maanden "
        "zonder inkomen volgen.",
        "situation": (
            "Bij een bijstandsaanvraag moeten alle stukken digitaal worden aangeleverd, zoals "
            "bankafschriften van drie maanden en stukken van een ex-partner. Lukt dat niet "
            "binnen de hersteltermijn, dan wordt de aanvraag buiten behandeling gesteld. De "
            "nieuwe aanvraag geldt pas vanaf de nieuwe datum, zodat de bijstand niet met "
            "terugwerkende kracht wordt toegekend. Inwoners zitten daardoor soms twee of drie "
            "maanden zonder inkomen."
        ),
        "resident_experience": (
            "Inwoners ervaren dat ze worden afgewezen omdat ze een papiertje niet konden krijgen, "
            "terwijl ze wel recht hadden."
        ),
        "regulations": ["participatiewet", "awb"],
        "level": "municipal_practice",
        "source_organisation": "gemeente",
        "scope": "structural",
        "urgency": "high",
        "impact": ["income_gap", "debts", "eviction"],
        "maatwerk": "not_possible",
        "maatwerk_grounds": [],
        "feedback": [
            (
                3,
                "Dank voor het signaal. Ik heb het doorgezet naar het team inkomen met de vraag "
                "hoe vaak dit voorkomt.",
            ),
            (
                18,
                "Het team inkomen herkent het beeld. Ze bekijken of de hersteltermijn verlengd "
                "kan worden als een inwoner aantoonbaar hulp zoekt bij het verzamelen van de "
                "stukken. Ik houd je op de hoogte.",
            ),
        ],
        "resolution": None,
    },
    # Case 2 again: aanvraag zonder vast adres en zonder digitale middelen (buurtteam, nieuw).
    {
        "reporter": "buurtteam",
        "days_ago": 2,
        "taken_on": False,
        "title": "Inwoners zonder vast adres kunnen de gevraagde stukken voor een "
        "bijstandsaanvraag niet digitaal aanleveren.",
        "situation": (
            "Dak- en thuisloze inwoners met een briefadres hebben vaak geen eigen computer of "
            "scanner en soms geen werkende DigiD. Het aanvraagportaal vraagt om uploads van "
            "identiteitsbewijs, bankafschriften en een huurcontract of verklaring van de "
            "hoofdbewoner. Zonder volledig dossier start de behandeling niet. Wij helpen met "
            "uploaden, maar de post over ontbrekende stukken komt op het briefadres en wordt "
            "vaak te laat gezien."
        ),
        "resident_experience": "",
        "regulations": ["participatiewet", "awb"],
        "level": "municipal_practice",
        "source_organisation": "gemeente",
        "scope": "possibly_structural",
        "urgency": "high",
        "impact": ["income_gap", "homelessness"],
        "maatwerk": "unknown",
        "maatwerk_grounds": [],
        "feedback": [],
        "resolution": None,
    },
    # Case 3: vermogensgrenzen bij kwijtschelding (schuldhulp).
    {
        "reporter": "schuldhulp",
        "days_ago": 88,
        "title": "Vermogen uit een onverdeelde nalatenschap blokkeert kwijtschelding, terwijl de "
        "inwoner er niet bij kan.",
        "situation": (
            "Bij een aanvraag om kwijtschelding van gemeentelijke belastingen telt een aandeel "
            "in een onverdeelde nalatenschap mee als vermogen. Zolang de erfenis niet verdeeld "
            "is, kan de inwoner dat geld niet gebruiken. De kwijtschelding wordt toch afgewezen "
            "en de aanslagen gaan naar de invordering. Hetzelfde zien we bij een auto die nodig "
            "is voor werk of mantelzorg."
        ),
        "resident_experience": (
            "Inwoners begrijpen niet dat ze als vermogend worden gezien terwijl ze hun "
            "boodschappen niet kunnen betalen."
        ),
        "regulations": ["gemeentebelastingen"],
        "level": "national_law",
        "source_organisation": "gemeente",
        "scope": "possibly_structural",
        "urgency": "normal",
        "impact": ["debts"],
        "maatwerk": "not_possible",
        "maatwerk_grounds": [],
        "feedback": [
            (4, "Dank, ik heb je signaal ontvangen en leg het voor aan de afdeling belastingen."),
            (
                25,
                "Belastingen geeft aan dat de kwijtscheldingsregels landelijk zijn vastgelegd. "
                "Ze bekijken of uitstel van betaling mogelijk is zolang een nalatenschap niet "
                "verdeeld is. Het signaal blijft open tot daar een antwoord op is.",
            ),
        ],
        "resolution": None,
    },
    # Case 4: zoekperiode van vier weken voor kwetsbare jongeren (buurtteam).
    {
        "reporter": "buurtteam",
        "days_ago": 27,
        "title": "Kwetsbare jongeren krijgen in de zoekperiode van vier weken geen bijstand en "
        "lopen direct huurachterstand op.",
        "situation": (
            "Jongeren tot 27 jaar moeten na hun aanvraag eerst vier weken zelf werk of een "
            "opleiding zoeken voordat de bijstand ingaat. Jongeren die net uit de jeugdhulp komen "
            "of psychische klachten hebben, lukt dat vaak niet. In die vier weken hebben ze geen "
            "inkomen, terwijl de huur van een kamer wel betaald moet worden. Het is ons niet "
            "duidelijk wanneer de uitzondering op de zoekperiode kan worden toegepast."
        ),
        "resident_experience": (
            "Jongeren haken af en melden zich pas weer als de schulden al zijn opgelopen."
        ),
        "regulations": ["participatiewet"],
        "level": "national_law",
        "source_organisation": None,
        "scope": "structural",
        "urgency": "high",
        "impact": ["income_gap", "debts", "education_stopped"],
        "maatwerk": "unknown",
        "maatwerk_grounds": [],
        "feedback": [
            (
                2,
                "Dank voor dit signaal. We nemen het mee naar de multidomein casuïstiekbespreking "
                "met de doorbraakcoach.",
            ),
            (
                9,
                "In de casuïstiekbespreking is afgesproken dat een jurist op een rij zet wanneer "
                "de zoekperiode niet geldt, bijvoorbeeld bij een psychische beperking. Die "
                "uitleg delen we ook met de buurtteams.",
            ),
        ],
        "resolution": None,
    },
    # Case 5: fraudeschulden en de minnelijke schuldregeling (schuldhulp, nee met onderbouwing).
    {
        "reporter": "schuldhulp",
        "days_ago": 102,
        "title": "Een fraudevordering van het UWV maakt een minnelijke schuldregeling onmogelijk, "
        "ook als de overige schulden klein zijn.",
        "situation": (
            "Bij een schuldhulptraject werkt het UWV niet mee aan een minnelijke regeling zodra "
            "een van de vorderingen als fraudevordering is aangemerkt. Daardoor gaan ook de "
            "andere schuldeisers niet akkoord en strandt het traject. De inwoner blijft "
            "aflossen op een schuld met boete, terwijl nieuwe schulden ontstaan. Het gaat vaak "
            "om een te laat doorgegeven wijziging van jaren geleden."
        ),
        "resident_experience": (
            "Inwoners voelen zich blijvend als fraudeur behandeld en zien geen einde aan de "
            "schulden."
        ),
        "regulations": ["wgs", "wsnp"],
        "level": "other_organisation_practice",
        "source_organisation": "uwv",
        "scope": "structural",
        "urgency": "normal",
        "impact": ["debts", "mental_health"],
        "maatwerk": "not_possible",
        "maatwerk_grounds": [],
        "feedback": [
            (3, "Dank voor je signaal. Ik leg het voor aan het stedelijk overleg schuldhulp."),
            (
                20,
                "In het stedelijk overleg is dit breed herkend. We vragen na of de NVVK dit "
                "punt al landelijk heeft ingebracht.",
            ),
        ],
        "resolution": {
            "days_after": 41,
            "outcome": "not_possible",
            "rationale": (
                "Nee is ook een antwoord: de gemeente kan een schuldeiser niet verplichten in te "
                "stemmen met een minnelijke regeling, en de regels voor fraudevorderingen zijn "
                "landelijk vastgelegd. De NVVK heeft dit knelpunt al op de landelijke agenda, "
                "dus het apart voorleggen vanuit Amsterdam voegt nu weinig toe. Stabilisatie en "
                "budgetbeheer blijven voor deze inwoners wel beschikbaar."
            ),
            "message": (
                "We kunnen dit lokaal niet oplossen; de onderbouwing staat hierboven. Je signaal "
                "is meegeteld in de landelijke inbreng via de NVVK. Dank dat je het hebt gemeld."
            ),
            "article": {
                "title": "Fraudevordering UWV blokkeert een minnelijke schuldregeling",
                "summary": (
                    "De gemeente kan een schuldeiser niet verplichten mee te werken aan een "
                    "minnelijke regeling, en de regels voor fraudevorderingen zijn landelijk. "
                    "Lokaal is dit niet op te lossen; de NVVK brengt het landelijk in."
                ),
                "what_was_done": (
                    "Stabilisatie en budgetbeheer aangeboden; het signaal telt mee in de "
                    "landelijke inbreng."
                ),
            },
        },
    },
    # Case 6: beslagvrije voet en bijzondere incassobevoegdheden (raadslid, acuut).
    {
        "reporter": "raadslid",
        "days_ago": 3,
        "title": "Door verrekening naast een loonbeslag houdt een inwoner minder over dan de "
        "beslagvrije voet.",
        "situation": (
            "Op het loon ligt een beslag waarbij de beslagvrije voet wordt gerespecteerd. "
            "Daarnaast verrekent het CJIB een openstaande vordering met een eigen bevoegdheid, "
            "zonder rekening te houden met het lopende beslag. Het besteedbaar inkomen komt "
            "daardoor ruim onder de beslagvrije voet uit. De huur van deze maand kan niet worden "
            "betaald."
        ),
        "resident_experience": (
            "De inwoner heeft na de vaste lasten een paar tientjes over voor de rest van de maand "
            "en is bang de woning kwijt te raken."
        ),
        "regulations": ["beslagvrije_voet"],
        "level": "other_organisation_practice",
        "source_organisation": "cjib",
        "scope": "possibly_structural",
        "urgency": "acute",
        "impact": ["debts", "eviction", "mental_health"],
        "maatwerk": "unknown",
        "maatwerk_grounds": [],
        "feedback": [
            (
                1,
                "Ontvangen en als acuut opgepakt. Het Stedelijk Doorbraakteam neemt vandaag "
                "contact op met het CJIB over de verrekening.",
            ),
        ],
        "resolution": None,
    },
    # Case 7: inkomen onder het sociaal minimum door woonlasten en inflatie (buurtteam).
    {
        "reporter": "buurtteam",
        "days_ago": 61,
        "title": "Huishoudens in de bijstand komen door hoge huur en energielasten structureel "
        "onder het sociaal minimum uit.",
        "situation": (
            "Steeds meer huishoudens in de bijstand wonen in een vrijesectorwoning omdat er geen "
            "sociale huurwoning beschikbaar is. De huur valt boven de grens voor huurtoeslag. "
            "Na huur, energie en zorgverzekering blijft er voor een alleenstaande soms minder "
            "dan 50 euro per week over voor eten en vervoer. Door de inflatie is dat het "
            "afgelopen jaar verder gedaald."
        ),
        "resident_experience": (
            "Inwoners slaan maaltijden over en schamen zich om steeds bij de voedselbank te "
            "moeten aankloppen."
        ),
        "regulations": ["participatiewet", "toeslagen"],
        "level": "national_law",
        "source_organisation": None,
        "scope": "structural",
        "urgency": "normal",
        "impact": ["debts", "physical_health", "mental_health"],
        "maatwerk": "not_possible",
        "maatwerk_grounds": [],
        "feedback": [],
        "resolution": None,
    },
    # Case 8: strikte sanctionering bij een kleine fout (handhaving).
    {
        "reporter": "handhaving",
        "days_ago": 39,
        "title": "Bij een kleine, niet gemelde bijverdienste volgen verplicht een terugvordering "
        "en een boete.",
        "situation": (
            "Als een inwoner een kleine bijverdienste of een gift van familie niet op tijd "
            "doorgeeft, is dat een schending van de inlichtingenplicht. We vorderen het bedrag "
            "terug en moeten daarnaast een boete opleggen, ook als het om een paar honderd euro "
            "gaat en er geen opzet is. De ruimte om verminderde verwijtbaarheid mee te wegen "
            "wordt in de praktijk weinig gebruikt."
        ),
        "resident_experience": (
            "Inwoners voelen zich als fraudeur behandeld voor een vergissing en worden "
            "wantrouwig tegenover de gemeente."
        ),
        "regulations": ["participatiewet"],
        "level": "national_law",
        "source_organisation": None,
        "scope": "structural",
        "urgency": "normal",
        "impact": ["debts", "mental_health"],
        "maatwerk": "not_possible",
        "maatwerk_grounds": [],
        "feedback": [
            (
                5,
                "Dank je. Ik neem dit mee naar het overleg met de jurist van bezwaar en beroep "
                "om te kijken hoe we verminderde verwijtbaarheid vaker kunnen meewegen.",
            ),
        ],
        "resolution": None,
    },
    # Case 8 again: maatregel na een gemiste afspraak (raadslid).
    {
        "reporter": "raadslid",
        "days_ago": 16,
        "title": "Een gemiste afspraak leidt tot een maatregel van een volle maand, terwijl de "
        "uitnodiging alleen digitaal is verstuurd.",
        "situation": (
            "De uitnodiging voor een gesprek met de consulent wordt alleen via de Berichtenbox "
            "verstuurd. Inwoners die daar niet regelmatig inloggen, missen de afspraak. Dat "
            "leidt tot een verlaging van de bijstand volgens de maatregelenverordening, "
            "zonder dat eerst telefonisch contact is gezocht. Bezwaar maken lukt deze inwoners "
            "vaak niet zonder hulp."
        ),
        "resident_experience": "",
        "regulations": ["participatiewet"],
        "level": "municipal_policy",
        "source_organisation": "gemeente",
        "scope": "possibly_structural",
        "urgency": "normal",
        "impact": ["income_gap", "debts"],
        "maatwerk": "unknown",
        "maatwerk_grounds": [],
        "feedback": [],
        "resolution": None,
    },
    # Case 9: gegevensuitwisseling en de inlichtingenplicht (handhaving, werkinstructie aangepast).
    {
        "reporter": "handhaving",
        "days_ago": 95,
        "title": "Inwoners moeten dezelfde stukken steeds opnieuw aanleveren, wat leidt tot een "
        "onbedoelde schending van de inlichtingenplicht.",
        "situation": (
            "Voor de uitkering, bijzondere bijstand en schuldhulp worden dezelfde stukken apart "
            "opgevraagd, omdat de afdelingen gegevens niet met elkaar mogen of kunnen delen. "
            "Inwoners raken het overzicht kwijt over wat ze al hebben ingeleverd en bij wie. "
            "Een wijziging die bij de ene afdeling is gemeld, wordt bij de andere als niet "
            "gemeld gezien. Bij handhaving komt dat binnen als schending van de "
            "inlichtingenplicht, met een boete als gevolg."
        ),
        "resident_experience": (
            "Inwoners zeggen dat ze het al drie keer hebben doorgegeven en toch een boete krijgen."
        ),
        "regulations": ["participatiewet", "wgs"],
        "level": "municipal_practice",
        "source_organisation": "gemeente",
        "scope": "structural",
        "urgency": "normal",
        "impact": ["debts", "mental_health"],
        "maatwerk": "applied",
        "maatwerk_grounds": ["awb_4_84"],
        "feedback": [
            (
                2,
                "Dank voor je signaal. Ik breng het in bij het afstemmingsmoment beleid en "
                "uitvoering van deze maand.",
            ),
            (
                24,
                "Beleid en de privacyjurist werken aan een werkinstructie. Het concept volgt "
                "binnen twee weken; wil je meelezen?",
            ),
        ],
        "resolution": {
            "days_after": 52,
            "outcome": "policy_changed",
            "rationale": (
                "De werkinstructie handhaving is aangepast: voordat een schending van de "
                "inlichtingenplicht wordt vastgesteld, wordt eerst nagegaan of de wijziging bij "
                "een andere afdeling van de gemeente is gemeld. Stukken die al in het dossier "
                "zitten, worden niet opnieuw opgevraagd."
            ),
            "message": (
                "Dank voor je signaal en je meeleeswerk. De nieuwe werkinstructie geldt vanaf "
                "volgende maand. Over een half jaar kijken we samen of het verschil maakt."
            ),
        },
    },
    # Case 10: lange behandelduur van toeslagen (raadslid, recent toeslagen-signaal, nieuw).
    {
        "reporter": "raadslid",
        "days_ago": 1,
        "taken_on": False,
        "title": "De aanpassing van huurtoeslag na een scheiding duurt maanden, waardoor een "
        "huurachterstand ontstaat.",
        "situation": (
            "Na een scheiding moet de huurtoeslag opnieuw worden berekend voor de achterblijvende "
            "ouder. De Dienst Toeslagen doet er maanden over om de nieuwe situatie te verwerken. "
            "In de tussentijd wordt er geen of te weinig toeslag uitbetaald. De huurachterstand "
            "loopt op en de verhuurder dreigt met een incassotraject."
        ),
        "resident_experience": (
            "De ouder belt iedere week met de Belastingtelefoon en krijgt steeds te horen dat de "
            "aanvraag nog in behandeling is."
        ),
        "regulations": ["toeslagen"],
        "level": "other_organisation_practice",
        "source_organisation": "belastingdienst_toeslagen",
        "scope": "possibly_structural",
        "urgency": "high",
        "impact": ["debts", "eviction"],
        "maatwerk": "unknown",
        "maatwerk_grounds": [],
        "feedback": [],
        "resolution": None,
    },
    # Case 11: digitale dienstverlening sluit niet aan (buurtteam).
    {
        "reporter": "buurtteam",
        "days_ago": 52,
        "title": "Formulieren en brieven zijn alleen digitaal beschikbaar, terwijl veel inwoners "
        "daar niet mee overweg kunnen.",
        "situation": (
            "Aanvragen voor bijzondere bijstand en kwijtschelding kunnen alleen nog met DigiD "
            "worden ingediend. Besluiten en verzoeken om informatie komen in de Berichtenbox. "
            "Oudere en laaggeletterde inwoners zien die berichten niet of te laat en missen "
            "termijnen. Een papieren alternatief is er alleen op verzoek, maar dat weten "
            "inwoners niet."
        ),
        "resident_experience": (
            "Inwoners voelen zich buitengesloten en worden afhankelijk van hulp van kinderen of "
            "buren."
        ),
        "regulations": ["awb", "gemeentebelastingen", "participatiewet"],
        "level": "municipal_practice",
        "source_organisation": "gemeente",
        "scope": "structural",
        "urgency": "normal",
        "impact": [],
        "maatwerk": "unknown",
        "maatwerk_grounds": [],
        "feedback": [],
        "resolution": None,
    },
    # Case 12: KOT, 'opzet/grove schuld' blokkeert betalingsregeling en Msnp (schuldhulp).
    {
        "reporter": "schuldhulp",
        "days_ago": 13,
        "title": "Door de kwalificatie 'opzet/grove schuld' wijst Toeslagen een betalingsregeling "
        "en deelname aan de minnelijke regeling af.",
        "situation": (
            "Bij een terugvordering van kinderopvangtoeslag met de kwalificatie 'opzet/grove "
            "schuld' wijst de Dienst Toeslagen een persoonlijke betalingsregeling af. Ook stemt "
            "de dienst niet in met een minnelijke schuldregeling via de gemeente. Daardoor kan "
            "ook met de andere schuldeisers geen regeling worden getroffen. Het gaat om ouders "
            "die (nog) niet als gedupeerde zijn erkend."
        ),
        "resident_experience": (
            "De ouder voelt zich als fraudeur weggezet en heeft geen vertrouwen meer dat iemand "
            "naar het eigen verhaal luistert."
        ),
        "regulations": ["toeslagen", "wgs"],
        "level": "other_organisation_practice",
        "source_organisation": "belastingdienst_toeslagen",
        "scope": "possibly_structural",
        "urgency": "high",
        "impact": ["debts", "mental_health", "relationships"],
        "maatwerk": "not_possible",
        "maatwerk_grounds": [],
        "feedback": [
            (
                2,
                "Dank voor je signaal. Ik breng het in bij de wekelijkse casuïstiekbespreking "
                "voor gedupeerden en bij het stedelijk overleg toeslagen.",
            ),
        ],
        "resolution": None,
    },
    # Case 12 again: verrekening van kinderopvangtoeslag bij werkhervatting (consulent).
    {
        "reporter": "consulent",
        "days_ago": 22,
        "title": "Nieuwe kinderopvangtoeslag wordt volledig verrekend met een oude schuld, "
        "waardoor ouders niet aan het werk kunnen.",
        "situation": (
            "Ouders die vanuit de bijstand aan het werk gaan, vragen kinderopvangtoeslag aan. "
            "De Dienst Toeslagen verrekent het volledige bedrag met een oude terugvordering. "
            "De opvang kan dan niet worden betaald en de ouder moet de baan laten schieten of "
            "niet aannemen. Het re-integratietraject loopt daardoor vast."
        ),
        "resident_experience": (
            "Ouders zeggen dat werken voor hen onmogelijk wordt gemaakt, terwijl de gemeente hen "
            "juist aan het werk wil helpen."
        ),
        "regulations": ["toeslagen", "participatiewet"],
        "level": "other_organisation_practice",
        "source_organisation": "belastingdienst_toeslagen",
        "scope": "structural",
        "urgency": "high",
        "impact": ["participation_blocked", "job_loss", "debts"],
        "maatwerk": "not_possible",
        "maatwerk_grounds": [],
        "feedback": [
            (
                3,
                "Dank voor je signaal. Ik vraag via onze contactpersoon bij Toeslagen na of een "
                "verrekening kan worden beperkt als een ouder aan het werk gaat.",
            ),
            (
                15,
                "Toeslagen heeft nog niet gereageerd. Ik heb het signaal ook ingebracht bij het "
                "VNG-overleg toeslagen; zodra er een reactie is hoor je het.",
            ),
        ],
        "resolution": None,
    },
    # Case 13: betalingsregeling van 1.600 euro per maand (raadslid, geen terugkoppeling).
    {
        "reporter": "raadslid",
        "days_ago": 29,
        "title": "De Belastingdienst stelt een alleenstaande met een laag inkomen een "
        "betalingsregeling van 1.600 euro per maand voor.",
        "situation": (
            "Voor een terugvordering van toeslagen stelt de Belastingdienst een betalingsregeling "
            "voor van 1.600 euro per maand. Het gaat om een alleenstaande met een inkomen rond "
            "het sociaal minimum. Een betalingsregeling naar draagkracht is aangevraagd, maar "
            "daarop is nog geen reactie gekomen. Intussen lopen aanmaningskosten op."
        ),
        "resident_experience": (
            "De inwoner schrok zo van de brief dat de post een tijd ongeopend is gebleven."
        ),
        "regulations": ["toeslagen", "beslagvrije_voet"],
        "level": "other_organisation_practice",
        "source_organisation": "belastingdienst_toeslagen",
        "scope": "individual",
        "urgency": "high",
        "impact": ["debts", "mental_health"],
        "maatwerk": "unknown",
        "maatwerk_grounds": [],
        "feedback": [],
        "resolution": None,
    },
    # Case 14: niet-pluis, steeds dezelfde bewijsstukken opgevraagd (buurtteam).
    {
        "reporter": "buurtteam",
        "days_ago": 67,
        "title": "Niet-pluis: Toeslagen vraagt een ouder steeds opnieuw dezelfde bewijsstukken "
        "voor kinderopvangtoeslag.",
        "situation": (
            "Een ouder is drie keer gevraagd dezelfde contracten en facturen van de "
            "kinderopvang aan te leveren, terwijl die steeds zijn ingestuurd. In het team "
            "gingen we ervan uit dat Toeslagen dit wel zou weten. Omdat een terugvordering dreigt "
            "als de stukken niet worden geaccepteerd, melden we het nu toch. We willen weten of "
            "dit vaker voorkomt."
        ),
        "resident_experience": (
            "De ouder trekt al weken aan de bel en heeft het gevoel dat niemand luistert."
        ),
        "regulations": ["toeslagen"],
        "level": "other_organisation_practice",
        "source_organisation": "belastingdienst_toeslagen",
        "scope": "possibly_structural",
        "urgency": "normal",
        "impact": ["mental_health"],
        "maatwerk": "unknown",
        "maatwerk_grounds": [],
        "feedback": [
            (
                2,
                "Goed dat je dit meldt, ook al is het nog niet zeker dat er iets mis is. We "
                "kijken of er vergelijkbare signalen zijn.",
            ),
            (
                16,
                "Er is een tweede vergelijkbaar signaal binnengekomen. We hebben beide "
                "gekoppeld en via de contactpersoon bij Toeslagen om uitleg gevraagd.",
            ),
        ],
        "resolution": None,
    },
    # Case 14 again: de gemeente vordert re-integratiekosten terug (consulent, acuut).
    {
        "reporter": "consulent",
        "days_ago": 81,
        "title": "Na een fraudelabel van elders vordert de gemeente een zelf betaalde "
        "re-integratieopleiding terug.",
        "situation": (
            "Een inwoner volgde een opleiding die de gemeente als re-integratietraject had "
            "betaald. Nadat de inwoner elders als fraudeur was aangemerkt, is de opleiding "
            "stopgezet en zijn de kosten teruggevorderd. Daardoor ontstond een domino-effect: "
            "nieuwe schulden, een huurachterstand en een dreigende ontruiming. Het fraudelabel "
            "is niet getoetst voordat de gemeente zelf maatregelen nam."
        ),
        "resident_experience": (
            "De inwoner was trots op de opleiding en ervaart het stopzetten als een tweede straf."
        ),
        "regulations": ["participatiewet", "toeslagen"],
        "level": "municipal_practice",
        "source_organisation": "gemeente",
        "scope": "individual",
        "urgency": "acute",
        "impact": ["debts", "education_stopped", "eviction", "participation_blocked"],
        "maatwerk": "unknown",
        "maatwerk_grounds": [],
        "feedback": [
            (
                1,
                "Dank, dit pakken we als acuut op. De invordering is opgeschort in afwachting "
                "van een juridische toets.",
            ),
            (
                6,
                "De casus is aangemeld bij het Stedelijk Doorbraakteam, dat met de "
                "woningcorporatie contact opneemt over de ontruiming.",
            ),
            (
                35,
                "De juridische toets loopt nog. De ontruiming is van tafel; de opleiding is "
                "nog niet hervat. Volgende update binnen vier weken.",
            ),
        ],
        "resolution": None,
    },
    # Case 15: kostendelersnorm (consulent, opgeschaald; landelijk opgelost vanaf 2023).
    {
        "reporter": "consulent",
        "days_ago": 120,
        "title": "Door de kostendelersnorm verhuizen inwonende jongvolwassenen, zodat hun ouder "
        "de volledige bijstand houdt.",
        "situation": (
            "Een inwonend kind van 21 jaar of ouder telt mee als kostendeler, waardoor de "
            "bijstand van de ouder fors daalt. In meerdere gezinnen vertrekt de jongvolwassene "
            "daarom van huis, soms zonder eigen woonruimte. We passen art. 18 lid 1 "
            "Participatiewet toe waar dat kan, maar dat vraagt zeer bijzondere omstandigheden "
            "en veel onderbouwing per geval."
        ),
        "resident_experience": (
            "Jongeren voelen zich verantwoordelijk voor het inkomen van hun ouder en gaan "
            "zwerven om het gezin niet te benadelen."
        ),
        "regulations": ["participatiewet"],
        "level": "national_law",
        "source_organisation": None,
        "scope": "structural",
        "urgency": "normal",
        "impact": ["income_gap", "homelessness", "relationships"],
        "maatwerk": "applied",
        "maatwerk_grounds": ["pw_18_1"],
        "feedback": [
            (
                3,
                "Dank voor je signaal. Dit is een landelijk knelpunt; ik breng het in bij het "
                "stedelijk overleg met de vraag het via de VNG te agenderen.",
            ),
            (
                30,
                "Het signaal is via de VNG meegenomen in de landelijke inbreng over de "
                "kostendelersnorm. Dit kan lang duren; ik houd je op de hoogte.",
            ),
        ],
        "resolution": {
            "days_after": 60,
            "outcome": "escalated",
            "rationale": (
                "Via het stedelijk overleg en de VNG voorgelegd aan het Rijk. Landelijk is de "
                "wet aangepast: vanaf 2023 tellen inwonende jongvolwassenen tot 27 jaar niet "
                "meer mee als kostendeler. Het knelpunt is daarmee voor deze groep opgelost."
            ),
            "message": (
                "Goed nieuws: de kostendelersnorm is landelijk aangepast. Jongvolwassenen tot 27 "
                "jaar tellen niet meer mee. Het laat zien dat signaleren loont, ook als het een "
                "lange adem vraagt. Dank voor je volharding."
            ),
            "article": {
                "title": "Kostendelersnorm: jongvolwassenen tot 27 jaar tellen niet meer mee",
                "summary": (
                    "Inwonende jongvolwassenen verhuisden zodat hun ouder de volledige bijstand "
                    "hield. Na signalen via het stedelijk overleg en de VNG is de wet aangepast: "
                    "tot 27 jaar telt een inwonend kind niet meer mee als kostendeler."
                ),
                "what_was_done": "Via de VNG aan het Rijk voorgelegd; de wet is aangepast.",
            },
        },
    },
    # Case 16: strenge voorwaarden van de Kredietbank (schuldhulp, geen terugkoppeling).
    {
        "reporter": "schuldhulp",
        "days_ago": 57,
        "title": "Inwoners met een flexibel inkomen komen niet in aanmerking voor een "
        "saneringskrediet van de Kredietbank.",
        "situation": (
            "De Kredietbank stelt als voorwaarde voor een saneringskrediet een stabiel inkomen "
            "over een langere periode. Inwoners met een uitzend- of oproepcontract voldoen daar "
            "niet aan, ook als hun inkomen gemiddeld voldoende is. Zij blijven dan in een "
            "langdurig traject met alle schuldeisers afzonderlijk. De voorwaarden liggen buiten "
            "onze eigen organisatie, zodat we er zelf weinig ruimte in hebben."
        ),
        "resident_experience": "",
        "regulations": ["wgs"],
        "level": "other_organisation_practice",
        "source_organisation": "kredietbank",
        "scope": "possibly_structural",
        "urgency": "normal",
        "impact": ["debts"],
        "maatwerk": "not_possible",
        "maatwerk_grounds": [],
        "feedback": [],
        "resolution": None,
    },
    # Case 16 again: wachtlijst Wmo-begeleiding (buurtteam, doorverwezen).
    {
        "reporter": "buurtteam",
        "days_ago": 76,
        "title": "Door een lange wachtlijst voor Wmo-begeleiding lopen administratieve problemen "
        "bij inwoners verder op.",
        "situation": (
            "Voor ambulante begeleiding vanuit de Wmo geldt een wachttijd van ongeveer vier "
            "maanden. In die tijd stapelen post, rekeningen en aanmaningen zich op bij inwoners "
            "die hun administratie niet zelf kunnen voeren. Het buurtteam vangt een deel op, "
            "maar heeft daar geen capaciteit voor. Bij de start van de begeleiding zijn de "
            "schulden vaak al bij de deurwaarder."
        ),
        "resident_experience": (
            "Inwoners hebben het gevoel dat ze in de wacht worden gezet terwijl het steeds erger "
            "wordt."
        ),
        "regulations": ["wmo"],
        "level": "municipal_practice",
        "source_organisation": "gemeente",
        "scope": "structural",
        "urgency": "normal",
        "impact": ["debts", "mental_health"],
        "maatwerk": "unknown",
        "maatwerk_grounds": [],
        "feedback": [
            (
                4,
                "Dank voor je signaal. Ik vraag bij de Wmo-toegang na hoe de wachttijd nu is en "
                "of er een overbrugging mogelijk is.",
            ),
        ],
        "resolution": {
            "days_after": 21,
            "outcome": "referred",
            "rationale": (
                "De wachttijd voor Wmo-begeleiding valt onder de contractafspraken met de "
                "zorgaanbieders en wordt door de Wmo-toegang en de contractmanager gevolgd. "
                "Het signaal is daarheen doorgezet, met het verzoek om een voorrangsregeling "
                "voor inwoners met dreigende schulden."
            ),
            "message": (
                "Je signaal ligt nu bij de Wmo-toegang en de contractmanager. Zij nemen contact "
                "met je op. Tot die tijd kun je voor administratieve hulp doorverwijzen naar het "
                "spreekuur van de sociaal raadslieden."
            ),
        },
    },
    # Case 17: beslagbevoegdheden van Belastingdienst en UWV (schuldhulp, geen terugkoppeling).
    {
        "reporter": "schuldhulp",
        "days_ago": 34,
        "title": "Verrekening door UWV en Belastingdienst gaat door tijdens de stabilisatiefase "
        "van een schuldhulptraject.",
        "situation": (
            "Tijdens de stabilisatiefase proberen we de inkomsten en uitgaven van een inwoner in "
            "balans te krijgen. Het UWV verrekent intussen een oude terugvordering met de "
            "uitkering en de Belastingdienst verrekent een teruggave met een openstaande schuld. "
            "Daardoor lukt het stabiliseren niet en kan het traject niet verder. Deze "
            "bevoegdheden liggen in de wet en het is heel moeilijk om daar iets aan te doen."
        ),
        "resident_experience": (
            "Inwoners raken ontmoedigd omdat ze hun best doen, maar het geld toch verdwijnt."
        ),
        "regulations": ["beslagvrije_voet", "wgs"],
        "level": "other_organisation_practice",
        "source_organisation": "uwv",
        "scope": "structural",
        "urgency": "normal",
        "impact": ["debts", "mental_health"],
        "maatwerk": "not_possible",
        "maatwerk_grounds": [],
        "feedback": [],
        "resolution": None,
    },
    # Case 18: achterstand energietoeslag, voorrang via het mailadres (buurtteam, opgelost).
    {
        "reporter": "buurtteam",
        "days_ago": 99,
        "title": "Een aanvraag voor de energietoeslag ligt al weken stil terwijl de "
        "energieleverancier afsluiting heeft aangekondigd.",
        "situation": (
            "Door de grote hoeveelheid aanvragen voor de energietoeslag duurt de behandeling "
            "weken. In dit huishouden heeft de energieleverancier afsluiting aangekondigd "
            "vanwege een betalingsachterstand. Het speciale mailadres waarmee professionals "
            "voorrang kunnen vragen, was in ons buurtteam niet bekend. We melden dit zodat het "
            "mailadres breder gedeeld wordt."
        ),
        "resident_experience": ("Het gezin is bang om in de winter zonder verwarming te zitten."),
        "regulations": ["participatiewet"],
        "level": "municipal_practice",
        "source_organisation": "gemeente",
        "scope": "possibly_structural",
        "urgency": "acute",
        "impact": ["utilities_cut_off", "debts"],
        "maatwerk": "unknown",
        "maatwerk_grounds": [],
        "feedback": [
            (
                1,
                "Dank, ontvangen. We zetten de aanvraag direct door via het mailadres voor "
                "voorrang.",
            ),
        ],
        "resolution": {
            "days_after": 4,
            "outcome": "solved_individually",
            "rationale": (
                "De aanvraag is met voorrang behandeld en de energietoeslag is uitbetaald; de "
                "energieleverancier heeft de afsluiting ingetrokken. Het mailadres voor "
                "voorrang wordt opnieuw onder de aandacht gebracht bij alle buurtteams."
            ),
            "message": (
                "De energietoeslag is toegekend en uitbetaald, de afsluiting gaat niet door. "
                "Het mailadres voor voorrang delen we opnieuw met alle buurtteams."
            ),
        },
    },
    # Case 19: aanvragen bijzondere bijstand lopen vast (consulent, kwestietafel).
    {
        "reporter": "consulent",
        "days_ago": 84,
        "title": "Aanvragen voor bijzondere bijstand blijven liggen tussen afdelingen, zonder dat "
        "duidelijk is wie eigenaar is.",
        "situation": (
            "Aanvragen voor bijzondere bijstand, bijvoorbeeld voor woninginrichting of "
            "bewindvoeringskosten, lopen vaak vast tussen inkomen, schuldhulp en de Wmo. Elke "
            "afdeling wacht op een stuk van de ander. De wettelijke beslistermijn wordt "
            "regelmatig overschreden. Dit speelt niet bij één aanvraag, maar komt steeds terug."
        ),
        "resident_experience": (
            "Inwoners weten niet bij wie ze moeten navragen hoe het staat en worden van het "
            "kastje naar de muur gestuurd."
        ),
        "regulations": ["participatiewet", "awb"],
        "level": "municipal_practice",
        "source_organisation": "gemeente",
        "scope": "structural",
        "urgency": "normal",
        "impact": ["debts"],
        "maatwerk": "applied",
        "maatwerk_grounds": ["omgekeerde_toets"],
        "feedback": [
            (3, "Dank voor je signaal. Dit past bij de kwestietafel; ik heb het daar aangemeld."),
            (
                21,
                "De kwestietafel herkent het en merkt het aan als impactvolle kwestie. Inkomen, "
                "wonen, buurtteam en klachtenafhandeling werken een voorstel uit.",
            ),
        ],
        "resolution": {
            "days_after": 49,
            "outcome": "policy_changed",
            "rationale": (
                "De werkinstructie bijzondere bijstand is aangepast: de afdeling waar de aanvraag "
                "binnenkomt blijft eigenaar tot het besluit, en vraagt ontbrekende stukken zelf "
                "op bij de andere afdeling. Bij een afwijzing belt de consulent de inwoner."
            ),
            "message": (
                "Dank voor je signaal: de werkinstructie is aangepast en geldt vanaf nu. De "
                "kwestietafel kijkt over een half jaar of de doorlooptijden korter zijn."
            ),
        },
    },
    # Case 20: schuring tussen afdeling inkomen en buurtteam (buurtteam, geen terugkoppeling;
    # ook na elke escalatie neemt niemand het op: het ligt te laat bij de wethouder).
    {
        "reporter": "buurtteam",
        "days_ago": 48,
        "late": True,
        "title": "Maatwerk van het buurtteam wordt door de afdeling inkomen als inkomen verrekend "
        "met de uitkering.",
        "situation": (
            "Het buurtteam heeft meer vrije ruimte en betaalt in noodsituaties een kleine, "
            "urgente rekening uit een noodfonds. De afdeling inkomen ziet die betaling als "
            "inkomen en verrekent haar met de uitkering. Er is overleg tussen de teamleiders "
            "geweest en we kregen terugkoppeling, maar het is onduidelijk of het hoger wordt "
            "opgepakt. Dit speelt in meer wijken."
        ),
        "resident_experience": (
            "Inwoners snappen niet dat de ene hulpverlener geeft wat de andere weer terugneemt."
        ),
        "regulations": ["participatiewet"],
        "level": "municipal_practice",
        "source_organisation": "gemeente",
        "scope": "possibly_structural",
        "urgency": "normal",
        "impact": ["income_gap"],
        "maatwerk": "applied",
        "maatwerk_grounds": ["omgekeerde_toets"],
        "feedback": [],
        "resolution": None,
    },
    # Case 21: privacy versus hulpverlening (handhaving, doorverwezen naar de wethouder).
    {
        "reporter": "handhaving",
        "days_ago": 70,
        "title": "Handhaving ziet bij een huisbezoek ernstige zorgen, maar mag die zonder "
        "toestemming niet met het buurtteam delen.",
        "situation": (
            "Bij een huisbezoek in het kader van handhaving zien we soms dat een huishouden "
            "grote schulden heeft of dat de woonsituatie onveilig is. Zonder toestemming mogen "
            "we die informatie niet delen met het buurtteam. Als de inwoner geen toestemming "
            "geeft, blijft de zorg liggen tot het escaleert. Het is onduidelijk wie de afweging "
            "tussen privacy en hulpverlening mag maken."
        ),
        "resident_experience": "",
        "regulations": ["participatiewet", "other"],
        "level": "national_law",
        "source_organisation": None,
        "scope": "possibly_structural",
        "urgency": "normal",
        "impact": ["debts", "physical_health"],
        "maatwerk": "unknown",
        "maatwerk_grounds": [],
        "feedback": [
            (
                5,
                "Dank voor je signaal. Ik bespreek het anoniem met de functionaris "
                "gegevensbescherming.",
            ),
        ],
        "resolution": {
            "days_after": 28,
            "outcome": "referred",
            "rationale": (
                "Dit is een afweging tussen privacy en hulpverlening die niet in het team kan "
                "worden gemaakt. De wethouder heeft gevraagd dat zulke dilemma's aan het bestuur "
                "worden voorgelegd, zodat de uitvoerder gesteund is. Het signaal is daarom "
                "doorverwezen naar de staf van de wethouder en de functionaris "
                "gegevensbescherming."
            ),
            "message": (
                "Je signaal ligt nu bij de staf van de wethouder en de functionaris "
                "gegevensbescherming. Zij nodigen je uit om het dilemma toe te lichten."
            ),
        },
    },
    # Case 22: afhandeling KOT-compensatie te complex en te lang (raadslid, nee met onderbouwing).
    {
        "reporter": "raadslid",
        "days_ago": 91,
        "title": "De afhandeling van de compensatie voor gedupeerden van de toeslagenaffaire is "
        "te complex en duurt te lang.",
        "situation": (
            "Gedupeerde ouders wachten lang op de integrale beoordeling en begrijpen de brieven "
            "van de hersteloperatie niet. In de tussentijd ontstaan nieuwe betalingsproblemen. "
            "Bij de compensatie is geen maatwerk mogelijk, ook niet als de situatie van een "
            "gezin daar duidelijk om vraagt. Als raadslieden besteden we veel tijd aan uitleg "
            "zonder dat we iets kunnen versnellen."
        ),
        "resident_experience": (
            "Ouders zeggen dat het herstel voelt als een tweede toeslagenaffaire."
        ),
        "regulations": ["toeslagen"],
        "level": "other_organisation_practice",
        "source_organisation": "belastingdienst_toeslagen",
        "scope": "structural",
        "urgency": "high",
        "impact": ["mental_health", "debts", "relationships"],
        "maatwerk": "not_possible",
        "maatwerk_grounds": [],
        "feedback": [
            (
                3,
                "Dank voor je signaal. Ik bespreek het met het team Hersteloperatie "
                "Toeslagenaffaire.",
            ),
            (
                19,
                "Het team herstel herkent het en heeft het ingebracht in het VNG-overleg. Daar "
                "wordt gekeken welke ruimte gemeenten hebben.",
            ),
        ],
        "resolution": {
            "days_after": 45,
            "outcome": "not_possible",
            "rationale": (
                "Nee is ook een antwoord: de regels en de snelheid van de compensatie liggen bij "
                "de landelijke hersteloperatie, de gemeente heeft daar geen zeggenschap over. "
                "Wat de gemeente wel kan, is brede hulp bieden op vijf leefgebieden; die blijft "
                "beschikbaar. Het signaal is via het VNG-overleg landelijk bekend."
            ),
            "message": (
                "We kunnen de afhandeling van de compensatie niet versnellen of aanpassen; de "
                "onderbouwing staat hierboven. Voor brede hulp kun je ouders blijven aanmelden "
                "bij het team herstel. Dank voor je signaal."
            ),
        },
    },
    # Case 23: herhaald vastlopen met budgetbeheer, opgeschaald naar de NVVK (schuldhulp).
    {
        "reporter": "schuldhulp",
        "days_ago": 106,
        "title": "Een budgetbeheerder betaalt vaste lasten herhaaldelijk te laat, waardoor nieuwe "
        "achterstanden ontstaan.",
        "situation": (
            "Bij meerdere inwoners in budgetbeheer bij dezelfde partij worden huur en energie "
            "te laat of niet betaald. Daardoor ontstaan nieuwe achterstanden terwijl de inwoner "
            "denkt dat alles geregeld is. Afspraken met de budgetbeheerder leveren steeds maar "
            "tijdelijk verbetering op. We lopen hier nu voor de derde keer op vast."
        ),
        "resident_experience": (
            "Inwoners hebben hun geld uit handen gegeven om rust te krijgen en krijgen nu toch "
            "aanmaningen."
        ),
        "regulations": ["wgs"],
        "level": "other_organisation_practice",
        "source_organisation": "kredietbank",
        "scope": "structural",
        "urgency": "normal",
        "impact": ["debts", "eviction", "utilities_cut_off"],
        "maatwerk": "applied",
        "maatwerk_grounds": ["nvvk_module"],
        "feedback": [
            (
                4,
                "Dank voor je signaal. Omdat dit al de derde keer is, bereid ik een melding "
                "bij de NVVK voor.",
            ),
            (22, "De melding bij de NVVK is gedaan. Zij nemen contact op met de budgetbeheerder."),
        ],
        "resolution": {
            "days_after": 50,
            "outcome": "escalated",
            "rationale": (
                "Het probleem keert terug ondanks eerdere afspraken en kan lokaal niet worden "
                "opgelost. Daarom is het voorgelegd aan de NVVK als brancheorganisatie. De "
                "NVVK heeft de budgetbeheerder aangesproken op de kwaliteitsnormen."
            ),
            "message": (
                "Je signaal is voorgelegd aan de NVVK, die de budgetbeheerder heeft "
                "aangesproken. Meld het ons direct als het opnieuw gebeurt, dan koppelen we het "
                "aan dit signaal."
            ),
        },
    },
    # Case 24: 'op het matje geroepen' na het aankaarten van toeslagen (tegengeluid).
    {
        "reporter": "consulent",
        "days_ago": 41,
        "title": "Er is geen afgesproken ruimte om zorgen over toeslagen buiten de eigen lijn te "
        "bespreken zonder daarop te worden aangesproken.",
        "situation": (
            "Een medewerker die knelpunten rond toeslagen bij politieke partijen had aangekaart, "
            "werd daarop door de leidinggevende aangesproken en gevraagd dit niet meer te doen. "
            "Er is geen route afgesproken voor signalen die binnen de lijn geen gehoor vinden. "
            "Daardoor durven collega's structurele zorgen minder snel te delen. Dit signaal "
            "gaat over ruimte voor tegengeluid, niet over een persoon."
        ),
        "resident_experience": "",
        "regulations": ["toeslagen", "other"],
        "level": "municipal_practice",
        "source_organisation": "gemeente",
        "scope": "structural",
        "urgency": "normal",
        "impact": [],
        "maatwerk": "unknown",
        "maatwerk_grounds": [],
        "feedback": [
            (
                2,
                "Dank dat je dit deelt. Ik bespreek het in het MT en met beleid, zonder "
                "namen van collega's te noemen.",
            ),
            (
                14,
                "Het management heeft voorgesteld 'ruimte voor tegengeluid' als vast punt op "
                "de agenda van het werkoverleg te zetten. We vragen ook de ombudsman hoe "
                "medewerkers daar terechtkunnen.",
            ),
        ],
        "resolution": None,
    },
    # Case 25: the same fear, now through the anonymous channel (Les 8): no reporter at all.
    {
        "reporter": None,
        "days_ago": 9,
        "title": "Giften van familie worden van de bijstand afgetrokken, ook kleine bedragen.",
        "situation": (
            "Bij de heronderzoeken zien we dat kleine, incidentele giften van familie (een "
            "boodschappenpakket, een bijdrage aan de energierekening) als inkomsten worden "
            "verrekend of teruggevorderd. Collega's passen dit verschillend toe; wie er in het "
            "team iets van zegt, krijgt te horen dat 'de regel de regel is'. Ik meld dit "
            "anoniem omdat ik mijn opdracht niet op het spel wil zetten."
        ),
        "resident_experience": (
            "Inwoners durven geen hulp van familie meer aan te nemen en schamen zich als het "
            "toch gebeurt; sommigen melden giften niet meer, met een terugvordering als gevolg."
        ),
        "regulations": ["participatiewet"],
        "level": "municipal_practice",
        "source_organisation": "gemeente",
        "scope": "structural",
        "urgency": "normal",
        "impact": ["debts", "mental_health"],
        "maatwerk": "unknown",
        "maatwerk_grounds": [],
        "feedback": [
            (
                3,
                "Dank voor dit signaal. We bespreken het in de eerstvolgende tafel, zonder te "
                "zoeken wie het meldde, en leggen de beleidsregel over giften ernaast.",
            ),
        ],
        "resolution": None,
    },
]
