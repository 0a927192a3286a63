"""The code lists of a signal (level, scope, urgency, regulations …) and their Dutch labels.

The API speaks codes; the web UI shows the labels. Order is the order shown in forms. The
maatwerk grounds also have a plain-language explanation: what each allows and where it is
written down (:data:`MAATWERK_GROUND_EXPLANATIONS`).
"""

from collections.abc import Mapping
from dataclasses import dataclass

LEVELS: Mapping[str, str] = {
    "national_law": "Landelijke wet- en regelgeving",
    "municipal_policy": "Gemeentelijk beleid (beleidsregels, beleidsplan)",
    "municipal_practice": "Uitvoeringspraktijk van de gemeente",
    "other_organisation_practice": "Uitvoering door een andere organisatie",
}

SCOPES: Mapping[str, str] = {
    "individual": "Individueel",
    "possibly_structural": "Mogelijk structureel",
    "structural": "Structureel",
}

URGENCIES: Mapping[str, str] = {
    "acute": "Acuut: bestaanszekerheid in gevaar",
    "high": "Hoog",
    "normal": "Normaal",
}

REGULATIONS: Mapping[str, str] = {
    "participatiewet": "Participatiewet",
    "awb": "Algemene wet bestuursrecht (Awb)",
    "wgs": "Wet gemeentelijke schuldhulpverlening (Wgs)",
    "wsnp": "Wet schuldsanering natuurlijke personen (Wsnp)",
    "beslagvrije_voet": "Beslagvrije voet / invordering",
    "toeslagen": "Toeslagen (kinderopvang-, huur-, zorgtoeslag)",
    "wmo": "Wet maatschappelijke ondersteuning (Wmo)",
    "jeugdwet": "Jeugdwet",
    "gemeentebelastingen": "Gemeentebelastingen en kwijtschelding",
    "other": "Andere regeling",
}

SOURCE_ORGANISATIONS: Mapping[str, str] = {
    "gemeente": "De eigen gemeente",
    "belastingdienst_toeslagen": "Belastingdienst / Dienst Toeslagen",
    "uwv": "UWV",
    "svb": "Sociale Verzekeringsbank (SVB)",
    "cjib": "CJIB",
    "duo": "DUO",
    "cak": "CAK",
    "kredietbank": "Kredietbank / budgetbeheer",
    "woningcorporatie": "Woningcorporatie",
    "zorgverzekeraar": "Zorgverzekeraar",
    "other": "Andere organisatie",
}

IMPACTS: Mapping[str, str] = {
    "debts": "Schulden",
    "mental_health": "Psychische klachten",
    "physical_health": "Fysieke klachten",
    "relationships": "Relationele problemen",
    "participation_blocked": "Participatietraject onmogelijk",
    "utilities_cut_off": "Afsluiting water of energie",
    "job_loss": "Baanverlies",
    "eviction": "Ontruiming",
    "homelessness": "Dakloosheid",
    "education_stopped": "Stoppen met opleiding",
    "income_gap": "Inkomensgat",
}

MAATWERK: Mapping[str, str] = {
    "applied": "Ja, maatwerk is toegepast",
    "not_possible": "Overwogen, maar niet mogelijk",
    "unknown": "Weet ik niet",
}

MAATWERK_GROUNDS: Mapping[str, str] = {
    "awb_4_84": "Awb art. 4:84 (afwijken van een beleidsregel)",
    "pw_18_1": "Art. 18 lid 1 Participatiewet (afstemming op de omstandigheden)",
    "hardheidsclausule": "Hardheidsclausule",
    "beleidsregel": "Ruimte in een gemeentelijke beleidsregel",
    "nvvk_module": "NVVK-module (schuldhulpverlening)",
    "omgekeerde_toets": "Omgekeerde Toets / Amsterdamse Maatwerkmethode",
    "other": "Andere grond",
}


@dataclass(frozen=True)
class GroundExplanation:
    """A maatwerk ground in plain Dutch: where it is written down and what room it gives."""

    where: str
    allows: str


MAATWERK_GROUND_EXPLANATIONS: Mapping[str, GroundExplanation] = {
    "awb_4_84": GroundExplanation(
        where="Algemene wet bestuursrecht, artikel 4:84",
        allows="Een bestuursorgaan, zoals het college, volgt zijn eigen beleidsregel. Maar "
        "heeft die regel voor een inwoner door bijzondere omstandigheden gevolgen die niet in "
        "verhouding staan tot het doel van de regel? Dan mag en moet het bestuursorgaan van de "
        "beleidsregel afwijken.",
    ),
    "pw_18_1": GroundExplanation(
        where="Participatiewet, artikel 18 lid 1",
        allows="Het college stemt de bijstand af op de omstandigheden, de middelen en de "
        "mogelijkheden van de persoon. De bijstand en de verplichtingen die erbij horen, passen "
        "dus bij de situatie van deze inwoner en niet alleen bij een vaste norm.",
    ),
    "hardheidsclausule": GroundExplanation(
        where="Een bepaling in een bepaalde wet of regeling zelf",
        allows="Sommige wetten en regelingen hebben een hardheidsclausule: een bepaling die "
        "toestaat om af te wijken als het strikt toepassen van de regel voor iemand "
        "onredelijk hard uitpakt. Of die ruimte er is, en hoe ver, staat in die wet of regeling.",
    ),
    "beleidsregel": GroundExplanation(
        where="Een beleidsregel van de gemeente",
        allows="Een gemeentelijke beleidsregel kan zelf ruimte geven: een uitzondering, een "
        "keuze voor de uitvoerder of een bedrag dat kan worden aangepast. Dan is maatwerk "
        "mogelijk binnen wat die beleidsregel toestaat.",
    ),
    "nvvk_module": GroundExplanation(
        where="De NVVK-modules, de beroepsnorm van de schuldhulpverlening",
        allows="De gedragscode en modules van de NVVK beschrijven hoe schuldhulpverlening "
        "werkt. Ze laten ruimte voor maatwerk, bijvoorbeeld in het saneringstraject: een "
        "andere looptijd of regeling als de situatie van de inwoner daarom vraagt.",
    ),
    "omgekeerde_toets": GroundExplanation(
        where="De Omgekeerde Toets (en de Amsterdamse Maatwerkmethode)",
        allows="Een werkwijze, geen wetsartikel: toets eerst de uitkomst aan het doel van de "
        "wet en aan de situatie van de inwoner. Past de uitkomst daar niet bij, zoek dan de "
        "ruimte die de wet zelf biedt om tot een betere uitkomst te komen.",
    ),
    "other": GroundExplanation(
        where="Een andere wet, regeling of afspraak",
        allows="Maatwerk op een grond die hier niet staat, bijvoorbeeld een afspraak met een "
        "andere organisatie. Beschrijf in het artikel welke grond het was.",
    ),
}

OUTCOMES: Mapping[str, str] = {
    "solved_individually": "Individueel opgelost (maatwerk)",
    "policy_changed": "Beleid of werkinstructie aangepast",
    "escalated": "Doorgezet naar regionaal of landelijk niveau",
    "not_possible": "Niet mogelijk (met onderbouwing)",
    "referred": "Doorverwezen",
}

STATUSES: Mapping[str, str] = {
    "new": "Nieuw",
    "in_progress": "In behandeling",
    "awaiting_reporter": "Wacht op melder",
    "resolved": "Afgehandeld",
    "withdrawn": "Ingetrokken",
}

ORGANISATION_KINDS: Mapping[str, str] = {
    "staff": "Gemeentelijke afdeling",
    "partner": "Gecontracteerde partner",
}
# Who can report, as entry rules and figures see them: an organisation's kind, or the
# anonymous channel (signals.anonymous), which belongs to no organisation one can join.
REPORTER_KINDS: Mapping[str, str] = {**ORGANISATION_KINDS, "anonymous": "Anonieme melder"}

ROLES: Mapping[str, str] = {
    "professional": "Professional",
    "manager": "Leidinggevende",
    "member": "Lid van een overleg of team",
    "admin": "Beheerder",
    "ombudsman_admin": "Beheerder ombudsman",
    "privacy_officer": "Functionaris gegevensbescherming",
}

EVENT_LABELS: Mapping[str, str] = {
    "submitted": "Signaal ingediend",
    "accepted": "In behandeling genomen",
    "forwarded": "Doorgestuurd",
    "info_requested": "Vraag aan de melder",
    "reporter_replied": "Antwoord van de melder",
    "feedback_sent": "Terugkoppeling gegeven",
    "resolved": "Afgehandeld",
    "reopened": "Heropend",
    "info_added": "Aanvulling van de melder",
    "withdrawn": "Ingetrokken door de melder",
    "linked": "Gekoppeld aan een kwestie",
    "reminder_sent": "Herinnering verstuurd",
    "deadline_breached": "Termijn verstreken",
    "escalated_overdue": "Automatisch doorgezet (termijn verstreken)",
    "status_update_sent": "Statusbericht verstuurd",
    "survey_sent": "Vraag na afhandeling verstuurd",
    "survey_answered": "Oordeel van de melder",
    "followup_sent": "Controle na zes maanden verstuurd",
    "agendered": "Geagendeerd voor een overleg",
    "discussed": "Besproken in een overleg",
    "action_item_done": "Actiepunt afgerond",
    "followup_reminded": "Herinnering aan de controle na zes maanden",
    "followup_answered": "Controle na zes maanden beantwoord",
    "published": "Gepubliceerd als kennisartikel",
    "legal_hold": "Bewaarplicht ingesteld",
    "hold_released": "Bewaarplicht opgeheven",
    "anonymised": "Geanonimiseerd (bewaartermijn verstreken)",
}

# A kwestie's history as its page names it.
KWESTIE_EVENT_LABELS: Mapping[str, str] = {
    "created": "Kwestie aangemaakt",
    "linked": "Signaal gekoppeld",
    "unlinked": "Signaal ontkoppeld",
    "message": "Bericht aan de melders",
    "decided": "Besluit genomen",
    "discussed": "Besproken in een overleg",
    "published": "Gepubliceerd als kennisartikel",
}

CODE_LISTS: Mapping[str, Mapping[str, str]] = {
    "level": LEVELS,
    "scope": SCOPES,
    "urgency": URGENCIES,
    "regulations": REGULATIONS,
    "source_organisation": SOURCE_ORGANISATIONS,
    "impact": IMPACTS,
    "maatwerk": MAATWERK,
    "maatwerk_grounds": MAATWERK_GROUNDS,
    "outcome": OUTCOMES,
    "status": STATUSES,
}


def label(code_list: str, code: str | None) -> str:
    """The Dutch label of ``code`` in ``code_list``; the code itself when it is unknown."""
    if code is None:
        return ""
    return CODE_LISTS[code_list].get(code, code)
