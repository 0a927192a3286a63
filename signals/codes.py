"""The code lists of a signal (level, scope, urgency, regulations …) and their Dutch labels.

The API speaks codes; the web UI shows the labels. Order is the order shown in forms.
"""

from collections.abc import Mapping

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

ROLES: Mapping[str, str] = {
    "professional": "Professional",
    "manager": "Leidinggevende",
    "member": "Lid van een overleg of team",
    "admin": "Beheerder",
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
