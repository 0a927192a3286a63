"""Full-text search on PostgreSQL at 1,000,000 signals (issue 17), with the visibility filter.

Run: .venv/bin/python benchmarks/search.py [--signals 1000000] [--runs 30] [--rebuild]
     [--no-keep]

Target (issue 17): search answers in under 100 ms p95 at 1,000,000 signals and 10,000
knowledge articles, including the visibility filter.

Uses SIGNALS_SEARCH_BENCH_DATABASE_URL (default: a database "bench_search" on the local
PostgreSQL), migrates it with Alembic and fills it once (again with ``--rebuild``, or when it
holds another number of signals) in SQL, INSERT … SELECT from generate_series with
independent pseudo-random picks per signal:

- people: an administrator, 300 managers, 6,000 staff professionals (each under a manager),
  2,400 professionals of six partner organisations, three members of each route group, and
  one new colleague who reported only 20 signals (at 1,000,000);
- signals spread evenly from January 2023 to NOW (``KM-<year>-<number>`` references), with
  Dutch titles and situations composed from a vocabulary about bijstand, schulden, toeslagen,
  kostendelersnorm, beslagvrije voet, Wmo, jeugdzorg, huurachterstand … so that a common word
  is in 5–20% of the signals and a rare one in a few hundred; 30% from partners (they enter at
  ``linking_pin``, owned by the ``linking_pins`` group), the others at ``teamleider`` (the
  reporter's manager), acute ones at ``doorbraakteam``; 30% forwarded to another node (some
  to the ombudsman, a closed room); a participant row per node it was at; one or two
  regulations and a source organisation; older ones mostly resolved (with a rationale);
- 3,000 kwesties (some at the ombudsman, 60% decided) to which 8% of the signals are linked,
  and 4,000 meetings of the route's groups, most held with minutes (leerdialogen with a
  record);
- 10,000 knowledge articles, from resolved signals and decided kwesties, but only when the
  table ``knowledge_articles`` exists and :mod:`signals.search.indexing` indexes kind
  ``article`` (otherwise it says that articles were skipped).

The search index (``search_entries``) of the signals is filled in one INSERT … SELECT that
mirrors :func:`signals.search.indexing.signal_document` and ``_upsert``: the vector is
``setweight(to_tsvector('dutch', title), 'A') || setweight(to_tsvector('dutch', body), 'B')``
where the body is the situation, the resident's experience and the rationale, then the
labels of the regulations (in ``regulation_codes`` order) and of the source organisation,
the non-empty ones joined by newlines. The GIN index is dropped for the load and made again
afterwards (the same definition as the migration's). Twenty signals are then checked against
the real indexer (their vector computed through ``signals.search.indexing``); a difference
stops the benchmark. Kwesties, meetings and articles (a few thousand) are indexed by the real
indexer itself. Then VACUUM ANALYZE, as autovacuum would.

Then it times ``signals.search.services.search(user, {"q": query})`` itself, in an app
context with a fresh session per call, for five people — an administrator (sees all), a
member of the ``linking_pins`` group (a participant in 30% of the signals), a manager (owner
of a team's signals), a staff professional with 20 signals of their own and a partner
professional — and six queries: a common word, two common words, a rare word, a word nobody
used, a reference (``KM-2025-000123``) and a three-word phrase. Three warm-up calls, then
``--runs`` timed calls per combination. Prints p50, p95 and max per person and query (and the
p95 of the slowest SQL statement in the call), the overall p95, the database's size, and the
statements of the slowest combination with the plan (EXPLAIN ANALYZE, BUFFERS) of its
heaviest one (the highest median).
"""

import argparse
import math
import os
import statistics
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from bench_db import Statement, ensure_database, statements, vacuum
from flask_migrate import upgrade
from sqlalchemy import func, select, text

from signals import create_app
from signals.auth.models import User
from signals.codes import REGULATIONS, SOURCE_ORGANISATIONS
from signals.extensions import db
from signals.routing.services import active_graph
from signals.search import indexing
from signals.search.services import search
from signals.workflow.models import Signal

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_search"
ROUTES = "routes_config/amsterdam.yaml"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
START = datetime(2023, 1, 1, 0, 0, tzinfo=UTC)
TARGET_MS = 100
WARM_UP = 3

MANAGERS = 300
STAFF = 6000
PARTNER_ORGANISATIONS = 6
PARTNER_STAFF = 2400
GROUP_MEMBERS = 3
KWESTIES = 3000
MEETINGS = 4000
ARTICLES = 10_000
FIRST_MANAGER = 2  # user 1 is the administrator
FIRST_STAFF = FIRST_MANAGER + MANAGERS
FIRST_PARTNER = FIRST_STAFF + STAFF
NEW_COLLEAGUE = FIRST_PARTNER + PARTNER_STAFF  # reports one signal in 50,000
FIRST_MEMBER = NEW_COLLEAGUE + 1
NEW_COLLEAGUE_EVERY = 50_000
BIG_GROUP = "linking_pins"  # owns every partner signal at linking_pin

QUERIES: list[tuple[str, str]] = [
    ("common word", "schulden"),
    ("two common words", "bijstand kostendelersnorm"),
    ("rare word", "woonwagen"),
    ("word nobody used", "zeppelinhangar"),
    ("reference", "KM-2025-000123"),
    ("three-word phrase", "beslagvrije voet verkeerd"),
]

# The vocabulary. A title is one of TITLES; a situation one sentence of each of PROBLEMS,
# EFFECTS and TRIED, and for 2.5% of the signals one of RARE (each rare word in a few hundred).
TITLES = [
    "Kostendelersnorm verlaagt bijstand bij inwonende zoon",
    "Kostendelersnorm bij mantelzorg voor een ouder",
    "Bijstand stopgezet na controle van de woonsituatie",
    "Bijstand teruggevorderd na een kleine fout in het formulier",
    "Terugvordering toeslagen leidt tot nieuwe schulden",
    "Toeslagen stopgezet na wijziging van het inkomen",
    "Huurtoeslag te laat uitbetaald, huurachterstand loopt op",
    "Zorgtoeslag teruggevorderd door een verkeerde schatting",
    "Kinderopvangtoeslag: de hersteloperatie loopt vast",
    "Beslagvrije voet verkeerd berekend door de deurwaarder",
    "Beslagvrije voet niet toegepast bij loonbeslag",
    "Schulden groeien door boetes en incassokosten",
    "Schuldhulpverlening geweigerd wegens nieuwe schulden",
    "Wachtlijst schuldhulpverlening is te lang",
    "Huurachterstand leidt tot een dreigende ontruiming",
    "Huurachterstand niet gemeld door de woningcorporatie",
    "Wmo-aanvraag voor huishoudelijke hulp afgewezen",
    "Wmo-indicatie voor een traplift duurt maanden",
    "Eigen bijdrage Wmo te hoog voor minima",
    "Jeugdzorg stopt bij de achttiende verjaardag",
    "Wachtlijst jeugdzorg voor een gezin met schulden",
    "Jeugdzorg en schuldhulp werken langs elkaar heen",
    "Kwijtschelding gemeentebelastingen afgewezen door spaargeld",
    "Kwijtschelding van gemeentelijke belastingen te laat behandeld",
    "Uitkering van het UWV gekort zonder uitleg",
    "Inkomensgat tussen WW en bijstand",
    "Studiefinanciering van DUO telt mee als inkomen",
    "Energietoeslag niet uitgekeerd aan studenten",
    "Afsluiting van energie dreigt bij een betalingsachterstand",
    "Wanbetalersregeling zorgverzekering via het CAK",
    "Bijzondere bijstand voor bewindvoering geweigerd",
    "Parttime werk naast bijstand: de verrekening klopt niet",
    "Kostendelersnorm bij een dakloze jongere die inwoont",
    "Toeslagen en schulden: dubbele terugvordering",
    "Beslagvrije voet bij samenloop van beslagen",
    "Schulden bij het CJIB door verkeersboetes",
    "Huurachterstand na stopzetting van de huurtoeslag",
    "Wmo-vervoer niet geregeld voor dagbesteding",
    "Jeugdzorg: eigen bijdrage na een verhuizing",
    "Inlichtingenplicht bijstand onduidelijk voor een nieuwkomer",
]
PROBLEMS = [
    "De inwoner kreeg een brief dat de uitkering per direct wordt stopgezet.",
    "Door de kostendelersnorm gaat het gezin er 300 euro per maand op achteruit.",
    "De deurwaarder houdt de beslagvrije voet niet aan en er blijft te weinig over.",
    "De toeslagen worden teruggevorderd terwijl het inkomen nauwelijks veranderde.",
    "De huurachterstand is ontstaan doordat de huurtoeslag maanden te laat kwam.",
    "De aanvraag voor bijzondere bijstand ligt al tien weken zonder besluit.",
    "Het CJIB verhoogt de boete terwijl de betalingsregeling nog loopt.",
    "De Wmo-consulent wijst huishoudelijke hulp af omdat een huisgenoot kan helpen.",
    "De jongere valt na zijn achttiende tussen jeugdzorg en volwassenenzorg in.",
    "De wachttijd voor schuldhulpverlening is opgelopen tot vier maanden.",
    "Het UWV verrekent een oude vordering met de lopende uitkering.",
    "De woningcorporatie dreigt met ontruiming na drie maanden achterstand.",
    "Er zijn meerdere beslagen tegelijk en niemand bewaakt de beslagvrije voet.",
    "De bijstand wordt gekort omdat de zoon weer thuis woont.",
    "De eigen bijdrage voor de Wmo-voorziening is hoger dan het gezin kan betalen.",
    "De inwoner begrijpt de inlichtingenplicht niet en krijgt een boete.",
    "Door een fout van de gemeente is de uitkering twee maanden niet betaald.",
    "De zorgverzekeraar heeft de inwoner aangemeld bij de wanbetalersregeling.",
    "De energieleverancier kondigt afsluiting aan wegens een betalingsachterstand.",
    "Het gezin heeft schulden bij zes schuldeisers en de incassokosten lopen op.",
    "De gemeente weigert kwijtschelding van de gemeentelijke belastingen.",
    "De studiefinanciering wordt als inkomen gezien en de bijstand daalt.",
    "De herstelbetaling uit de hersteloperatie toeslagen wordt door schuldeisers opgeeist.",
    "Het jeugdzorgtraject stopt na een verhuizing naar een andere gemeente.",
    "De inwoner moet een bewindvoerder betalen maar heeft daar geen geld voor.",
    "De terugvordering van bijstand is groter dan wat de inwoner ooit ontving.",
    "De mantelzorger verliest inkomen door de kostendelersnorm.",
    "Het formulier voor de aanvraag is alleen digitaal en te ingewikkeld.",
    "De inwoner heeft parttime werk en de verrekening met de bijstand klopt niet.",
    "De inwoner heeft huurachterstand en schulden bij de zorgverzekeraar.",
]
EFFECTS = [
    "Het gezin kan de vaste lasten niet meer betalen.",
    "De achterstanden lopen verder op.",
    "Er dreigt huisuitzetting.",
    "De inwoner heeft psychische klachten gekregen.",
    "De kinderen kunnen niet meer naar de sportclub.",
    "Het participatietraject is stilgevallen.",
    "De inwoner durft geen post meer te openen.",
    "Er is geen geld voor boodschappen aan het einde van de maand.",
    "De relatie staat onder druk door de financiele zorgen.",
    "De inwoner overweegt te stoppen met de opleiding.",
    "Het vertrouwen in de gemeente is weg.",
    "De inwoner is zijn baan kwijtgeraakt.",
    "Er is een gat in het inkomen van enkele maanden.",
    "De voedselbank is nu de enige uitweg.",
    "De inwoner slaapt tijdelijk bij vrienden.",
    "De problemen stapelen zich op.",
    "De gezondheid van de inwoner gaat achteruit.",
    "Het gezin moet kiezen tussen huur en eten.",
    "De inwoner trekt zich terug en zoekt geen hulp meer.",
    "Er komen steeds nieuwe aanmaningen binnen.",
]
TRIED = [
    "Maatwerk is gevraagd maar de regel laat geen ruimte.",
    "Contact met de afdeling leverde geen oplossing op.",
    "Een bezwaarschrift is ingediend, een besluit laat op zich wachten.",
    "De hardheidsclausule is genoemd maar niet toegepast.",
    "Volgens de werkinstructie mag de consulent niet afwijken.",
    "Ook de sociaal raadsman kon niets bereiken.",
    "Een betalingsregeling werd geweigerd.",
    "De schuldeiser wil niet meewerken aan een minnelijke regeling.",
    "Het buurtteam heeft alles geprobeerd.",
    "De uitvoeringsorganisatie verwijst terug naar de gemeente.",
    "Een telefonische afspraak werd drie keer verzet.",
    "De budgetcoach ziet geen oplossing binnen het beleid.",
    "Er is een klacht ingediend bij de organisatie.",
    "De consulent wil wel, maar het systeem staat het niet toe.",
    "Het advies van de jurist is om af te wachten.",
    "De wethouder is op de hoogte gebracht.",
    "De omgekeerde toets is nog niet uitgevoerd.",
    "Een verzoek om uitstel van betaling is afgewezen.",
    "De inwoner is doorverwezen naar de kredietbank.",
    "Er is een melding gedaan bij het meldpunt.",
]
RARE_WORDS = [
    "woonwagen",
    "woonboot",
    "antikraak",
    "vakantiepark",
    "seizoenarbeid",
    "pleeggezin",
    "kamerverhuur",
    "lijfrente",
    "alimentatie",
    "erfenis",
    "nalatenschap",
    "crowdfunding",
    "statushouder",
    "gezinshereniging",
    "detentie",
    "reclassering",
    "mantelzorgwoning",
    "volkstuin",
    "bedrijfsauto",
    "zelfstandige",
    "faillissement",
    "echtscheiding",
    "tweeling",
    "dwangsom",
    "verblijfsvergunning",
    "taalcursus",
    "inburgering",
    "gokschulden",
    "vakantiegeld",
    "wachtgeld",
    "studieschuld",
    "zorgkosten",
    "rolstoel",
    "scootmobiel",
    "hulphond",
    "postadres",
    "briefadres",
    "noodopvang",
    "vrouwenopvang",
    "daklozenopvang",
    "kraamzorg",
    "uitvaart",
    "begrafenis",
    "internetabonnement",
    "telefoonabonnement",
    "rijbewijs",
    "bromfiets",
    "kinderbijslag",
    "kindgebonden",
    "pensioen",
    "AOW-gat",
    "kapitaal",
    "spaarrekening",
    "bankbeslag",
    "loonstrook",
    "nulurencontract",
    "uitzendbureau",
    "stageplek",
    "leerwerkplek",
    "vrijwilligerswerk",
]
RARE_SENTENCE = "Het gaat in dit geval ook om {word}."
EXPERIENCES = [
    "Ik voel me van het kastje naar de muur gestuurd.",
    "Niemand legt uit waarom het geld is stopgezet.",
    "Ik heb alles op tijd ingeleverd en toch gaat het mis.",
    "Ik schaam me om hulp te vragen.",
    "Elke brief maakt me bang.",
    "Ik wil gewoon mijn rekeningen betalen.",
    "Het voelt alsof de regels belangrijker zijn dan mensen.",
    "Mijn kinderen merken de stress thuis.",
    "Ik weet niet meer bij wie ik moet zijn.",
    "De consulent was vriendelijk maar kon niets doen.",
]
RATIONALES = [
    "Met maatwerk is de terugvordering kwijtgescholden.",
    "De werkinstructie is aangepast zodat dit niet meer voorkomt.",
    "Doorverwezen naar schuldhulpverlening en de kredietbank.",
    "Het signaal is meegenomen in de landelijke lobby.",
    "Binnen de wet was geen ruimte; uitgelegd aan de melder.",
    "De beslagvrije voet is opnieuw berekend en hersteld.",
    "De toeslag is alsnog toegekend na contact met de Dienst Toeslagen.",
    "De kostendelersnorm is buiten toepassing gelaten op grond van maatwerk.",
]
KWESTIE_TITLES = [
    "Kostendelersnorm raakt mantelzorgers",
    "Beslagvrije voet wordt structureel te laag berekend",
    "Terugvordering toeslagen veroorzaakt schulden",
    "Huurachterstand door late huurtoeslag",
    "Wachtlijst schuldhulpverlening",
    "Jeugdzorg stopt abrupt bij achttien jaar",
    "Wmo eigen bijdrage te hoog voor minima",
    "Verrekening parttime werk met bijstand",
    "Kwijtschelding gemeentebelastingen te streng",
    "Boetes CJIB lopen op tijdens betalingsregeling",
]
MEETING_TITLES = [
    "Casustafel schulden",
    "Signalenoverleg inkomen",
    "Leerdialoog kostendelersnorm",
    "Casustafel jeugdzorg en Wmo",
    "Signalenoverleg toeslagen",
    "Leerdialoog beslagvrije voet",
]
MINUTES = [
    "Besproken: de signalen over de kostendelersnorm bij mantelzorg.",
    "De casus over de beslagvrije voet is toegelicht door de inbrenger.",
    "Afgesproken dat beleid de werkinstructie voor terugvordering herziet.",
    "De wachtlijst bij schuldhulpverlening wordt geagendeerd bij de wethouder.",
    "Huurachterstand: de woningcorporatie sluit aan bij het volgende overleg.",
    "Jeugdzorg en Wmo stemmen de overgang bij achttien jaar beter af.",
    "Toeslagen: contact gezocht met de Dienst Toeslagen over herstelbetalingen.",
    "Conclusie: geen ruimte binnen de wet, signaal gaat naar landelijk.",
]
# Nodes that may receive a forwarded signal (a value listed twice is picked twice as often).
FORWARD_TARGETS = [
    *["casuistiek"] * 4,
    *["maatwerkcoach"] * 2,
    "vakgroephouder",
    "kot_casuistiek",
    "stedelijk_overleg",
    *["kwestietafel"] * 2,
    "klachten",
    "inzicht_advies",
    *["beleid"] * 2,
    "ombudsman",
    "landelijk",
]
KWESTIE_NODES = [*["beleid"] * 5, *["kwestietafel"] * 8, *["landelijk"] * 3, "ombudsman"]
MEETING_NODES = ["casuistiek", "kot_casuistiek", "stedelijk_overleg", "kwestietafel", "beleid"]
REGULATION_PICKS = [
    *["participatiewet"] * 4,
    *["toeslagen"] * 3,
    *["wgs"] * 2,
    *["awb"] * 2,
    *["wmo"] * 2,
    "beslagvrije_voet",
    "jeugdwet",
    "gemeentebelastingen",
    "wsnp",
    "other",
]
SOURCE_PICKS = ["gemeente", "gemeente", "uwv", "svb", "belastingdienst_toeslagen", "cjib", "duo"]
OUTCOME_PICKS = [
    *["solved_individually"] * 8,
    *["referred"] * 4,
    *["policy_changed"] * 3,
    *["escalated"] * 2,
    *["not_possible"] * 3,
]
LEVEL_PICKS = [
    "national_law",
    "municipal_policy",
    "municipal_practice",
    "other_organisation_practice",
]


def quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def sql_array(values: list[str]) -> str:
    return "ARRAY[" + ", ".join(quoted(value) for value in values) + "]"


def pick(values: list[str], number: str) -> str:
    """SQL: one of ``values`` by the pick ``number`` (a non-negative integer expression)."""
    return f"({sql_array(values)})[1 + ({number}) % {len(values)}]"


def hashed(name: str, key: str = "n") -> str:
    """SQL: an independent pseudo-random pick 0–999 999 for the row ``key``."""
    return f"mod(abs(hashtext('{name}' || {key})), 1000000)"


# Seeding ----------------------------------------------------------------------------------


def people_sql(groups: list[str]) -> str:
    partners = ", ".join(
        f"({2 + i}, {quoted(name)}, 'partner', now())"
        for i, name in enumerate(
            [
                "Buurtteam Noord",
                "Buurtteam Zuidoost",
                "Sociaal raadslieden",
                "Schuldhulp Maatje",
                "Stichting Thuisadministratie",
                "Jongerenwerk West",
            ][:PARTNER_ORGANISATIONS]
        )
    )
    return f"""
INSERT INTO organisations (id, name, kind, created_at)
VALUES (1, 'Gemeente Bench – Werk, Participatie en Inkomen', 'staff', now()), {partners};
SELECT setval(pg_get_serial_sequence('organisations', 'id'), {1 + PARTNER_ORGANISATIONS});
INSERT INTO users (id, email, name, organisation_id, role, manager_id, password_hash, active,
                   created_at)
VALUES (1, 'admin@bench.test', 'Beheerder', 1, 'admin', NULL, 'x', true, now());
INSERT INTO users (id, email, name, organisation_id, role, manager_id, password_hash, active,
                   created_at)
SELECT {FIRST_MANAGER} + i, 'manager' || i || '@bench.test', 'Manager ' || i, 1,
       'manager', NULL, 'x', true, now()
FROM generate_series(0, {MANAGERS - 1}) AS i;
INSERT INTO users (id, email, name, organisation_id, role, manager_id, password_hash, active,
                   created_at)
VALUES ({NEW_COLLEAGUE}, 'nieuw@bench.test', 'Nieuwe collega', 1, 'professional',
        {FIRST_MANAGER}, 'x', true, now());
INSERT INTO users (id, email, name, organisation_id, role, manager_id, password_hash, active,
                   created_at)
SELECT {FIRST_STAFF} + i, 'pro' || i || '@bench.test', 'Professional ' || i, 1,
       'professional', {FIRST_MANAGER} + i % {MANAGERS}, 'x', true, now()
FROM generate_series(0, {STAFF - 1}) AS i;
INSERT INTO users (id, email, name, organisation_id, role, manager_id, password_hash, active,
                   created_at)
SELECT {FIRST_PARTNER} + i, 'partner' || i || '@bench.test', 'Partner ' || i,
       2 + i % {PARTNER_ORGANISATIONS}, 'professional', NULL, 'x', true, now()
FROM generate_series(0, {PARTNER_STAFF - 1}) AS i;
INSERT INTO users (id, email, name, organisation_id, role, manager_id, password_hash, active,
                   created_at)
SELECT {FIRST_MEMBER} + g * {GROUP_MEMBERS} + m,
       'lid' || m || '.' || ({sql_array(groups)})[1 + g] || '@bench.test',
       'Lid ' || m || ' ' || ({sql_array(groups)})[1 + g], 1, 'member', NULL, 'x', true, now()
FROM generate_series(0, {len(groups) - 1}) AS g, generate_series(0, {GROUP_MEMBERS - 1}) AS m;
INSERT INTO group_memberships (user_id, "group")
SELECT {FIRST_MEMBER} + g * {GROUP_MEMBERS} + m, ({sql_array(groups)})[1 + g]
FROM generate_series(0, {len(groups) - 1}) AS g, generate_series(0, {GROUP_MEMBERS - 1}) AS m;
SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT max(id) FROM users));
"""  # noqa: S608 - only this file's constants


def plan_sql(owner_group: str) -> str:
    """A temporary table with every generated signal's picks and columns."""
    rare = [RARE_SENTENCE.format(word=word) for word in RARE_WORDS]
    picks = ", ".join(
        f"{hashed(name)} AS p_{name}"
        for name in (
            "kind urgency status open forward target level reg reg2 second outcome source "
            "scope title problem effect tried rare rare_word experience has_experience "
            "rationale reporter kwestie has_kwestie"
        ).split()
    )
    return f"""
CREATE TEMP TABLE bench_plan ON COMMIT DROP AS
SELECT *,
       CASE WHEN p_forward % 100 < 30 AND status <> 'new'
            THEN {pick(FORWARD_TARGETS, "p_target")} END AS forwarded_to,
       'KM-' || year || '-' || lpad((row_number() OVER (PARTITION BY year ORDER BY n))::text,
                                    6, '0') AS reference
FROM (
    SELECT *,
           CASE WHEN urgency = 'acute' THEN 'doorbraakteam'
                WHEN partner THEN 'linking_pin' ELSE 'teamleider' END AS entry,
           CASE WHEN p_status % 100 < least(90, age * 2) THEN 'resolved'
                WHEN p_status % 100 >= 97 AND age > 3 THEN 'withdrawn'
                WHEN age < 4 OR p_open % 100 < 12 THEN 'new'
                WHEN p_open % 100 < 80 THEN 'in_progress'
                ELSE 'awaiting_reporter' END AS status,
           CASE WHEN n % {NEW_COLLEAGUE_EVERY} = {NEW_COLLEAGUE_EVERY // 2} THEN {NEW_COLLEAGUE}
                WHEN partner THEN {FIRST_PARTNER} + p_reporter % {PARTNER_STAFF}
                ELSE {FIRST_STAFF} + p_reporter % {STAFF} END AS reporter_id,
           CASE WHEN partner THEN 2 + (p_reporter % {PARTNER_STAFF}) % {PARTNER_ORGANISATIONS}
                ELSE 1 END AS organisation_id,
           CASE WHEN n % {NEW_COLLEAGUE_EVERY} = {NEW_COLLEAGUE_EVERY // 2} THEN {FIRST_MANAGER}
                ELSE {FIRST_MANAGER} + (p_reporter % {STAFF}) % {MANAGERS} END AS manager_id,
           {pick(REGULATION_PICKS, "p_reg")} AS reg1,
           CASE WHEN p_reg2 % 100 < 30 THEN {pick(REGULATION_PICKS, "p_second")} END AS reg2_raw
    FROM (
        SELECT *,
               EXTRACT(EPOCH FROM CAST(:now AS timestamptz) - created) / 86400 AS age,
               EXTRACT(YEAR FROM created AT TIME ZONE 'Europe/Amsterdam')::int AS year,
               p_kind % 100 < 30 AND n % {NEW_COLLEAGUE_EVERY} <> {NEW_COLLEAGUE_EVERY // 2}
                   AS partner,
               CASE WHEN p_urgency % 100 < 4 THEN 'acute'
                    WHEN p_urgency % 100 < 24 THEN 'high' ELSE 'normal' END AS urgency
        FROM (
            SELECT n,
                   CAST(:start AS timestamptz)
                       + CAST((n - 0.5) / :count AS double precision)
                       * (CAST(:end AS timestamptz) - CAST(:start AS timestamptz)) AS created,
                   {picks}
            FROM generate_series(1, :count) AS n
        ) AS picked
    ) AS kinds
) AS statuses;

ALTER TABLE bench_plan ADD COLUMN node text, ADD COLUMN owner_group text,
    ADD COLUMN owner_user_id integer, ADD COLUMN entry_group text, ADD COLUMN reg2 text,
    ADD COLUMN title text, ADD COLUMN situation text;
UPDATE bench_plan SET
    node = coalesce(forwarded_to, entry),
    entry_group = CASE entry WHEN 'teamleider' THEN NULL
                             WHEN 'linking_pin' THEN '{BIG_GROUP}'
                             ELSE 'doorbraakteam' END,
    reg2 = CASE WHEN reg2_raw = reg1 THEN NULL ELSE reg2_raw END,
    title = {pick(TITLES, "p_title")},
    situation = {pick(PROBLEMS, "p_problem")} || ' ' || {pick(EFFECTS, "p_effect")} || ' '
                || {pick(TRIED, "p_tried")}
                || CASE WHEN p_rare % 1000 < 25 THEN ' ' || {pick(rare, "p_rare_word")}
                        ELSE '' END;
UPDATE bench_plan SET
    owner_group = CASE WHEN forwarded_to IS NOT NULL THEN {owner_group} ELSE entry_group END;
UPDATE bench_plan SET owner_user_id = CASE WHEN owner_group IS NULL THEN manager_id END;
"""  # noqa: S608 - only this file's constants


SIGNALS_SQL = f"""
INSERT INTO signals (id, reference, title, situation, resident_experience, level,
    source_organisation, scope, urgency, impact, maatwerk, maatwerk_grounds, reporter_id,
    organisation_id, status, node, owner_user_id, owner_group, route_version, accept_due,
    feedback_due, update_due, outcome, rationale, regulation_codes, node_visit,
    node_entered_at, kwestie_id, version, created_at, updated_at, resolved_at)
SELECT n, reference, title, situation,
       CASE WHEN p_has_experience % 100 < 40 THEN {pick(EXPERIENCES, "p_experience")}
            ELSE '' END,
       {pick(LEVEL_PICKS, "p_level")}, {pick(SOURCE_PICKS, "p_source")},
       (ARRAY['individual', 'possibly_structural', 'structural'])[1 + p_scope % 3],
       urgency, CAST('[]' AS json), 'unknown', CAST('[]' AS json), reporter_id,
       organisation_id, status, node, owner_user_id, owner_group, :route_version,
       created + interval '2 days', created + interval '14 days', created + interval '28 days',
       CASE WHEN status = 'resolved' THEN {pick(OUTCOME_PICKS, "p_outcome")} END,
       CASE WHEN status = 'resolved' THEN {pick(RATIONALES, "p_rationale")} END,
       '|' || reg1 || '|' || coalesce(reg2 || '|', ''), 1 + (forwarded_to IS NOT NULL)::int,
       created + CASE WHEN forwarded_to IS NULL THEN interval '0' ELSE interval '3 days' END,
       CASE WHEN p_has_kwestie % 100 < 8 THEN 1 + p_kwestie % {KWESTIES} END,
       1, created, created,
       CASE WHEN status = 'resolved' THEN created + interval '20 days' END
FROM bench_plan;
SELECT setval(pg_get_serial_sequence('signals', 'id'), (SELECT max(id) FROM signals));
INSERT INTO signal_regulations (signal_id, code, position)
SELECT n, reg1, 0 FROM bench_plan
UNION ALL
SELECT n, reg2, 1 FROM bench_plan WHERE reg2 IS NOT NULL;
INSERT INTO signal_participants (signal_id, node, user_id, "group", since)
SELECT n, entry, CASE WHEN entry_group IS NULL THEN manager_id END, entry_group, created
FROM bench_plan
UNION ALL
SELECT n, forwarded_to, NULL, owner_group, created + interval '3 days'
FROM bench_plan WHERE forwarded_to IS NOT NULL;
INSERT INTO reference_counters (year, last_number)
SELECT year, count(*) FROM bench_plan GROUP BY year
"""  # noqa: S608 - only this file's constants


def kwesties_sql(node_groups: dict[str, str]) -> str:
    groups = "CASE node " + " ".join(
        f"WHEN {quoted(key)} THEN {quoted(group)}" for key, group in node_groups.items()
    )
    return f"""
INSERT INTO kwesties (id, title, description, regulation, level, source_organisation, node,
    status, outcome, rationale, owner_user_id, owner_group, created_by_id, created_at,
    updated_at, decided_at, version)
SELECT k, title, description, regulation, level, source, node,
       CASE WHEN decided THEN 'decided' ELSE 'open' END,
       CASE WHEN decided THEN {pick(OUTCOME_PICKS, "p_outcome")} END,
       CASE WHEN decided THEN {pick(RATIONALES, "p_rationale")} END,
       NULL, {groups} END, {FIRST_MANAGER} + k % {MANAGERS}, created, created,
       CASE WHEN decided THEN created + interval '60 days' END, 1
FROM (
    SELECT k, {pick(KWESTIE_TITLES, hashed("ktitle", "k"))} || ' (' || k || ')' AS title,
           {pick(PROBLEMS, hashed("kproblem", "k"))} || ' '
               || {pick(EFFECTS, hashed("keffect", "k"))} AS description,
           {pick(REGULATION_PICKS, hashed("kreg", "k"))} AS regulation,
           {pick(LEVEL_PICKS, hashed("klevel", "k"))} AS level,
           {pick(SOURCE_PICKS, hashed("ksource", "k"))} AS source,
           {pick(KWESTIE_NODES, hashed("knode", "k"))} AS node,
           {hashed("kdecided", "k")} % 100 < 60 AS decided,
           {hashed("koutcome", "k")} AS p_outcome, {hashed("krationale", "k")} AS p_rationale,
           CAST(:start AS timestamptz) + (k - 0.5) / {KWESTIES}
               * (CAST(:end AS timestamptz) - CAST(:start AS timestamptz)) AS created
    FROM generate_series(1, {KWESTIES}) AS k
) AS planned;
SELECT setval(pg_get_serial_sequence('kwesties', 'id'), {KWESTIES})
"""  # noqa: S608 - only this file's constants


MEETINGS_SQL = f"""
INSERT INTO meetings (id, node, kind, title, starts_at, status, chair_id, minutes, record,
    held_at, created_at, version)
SELECT m, node, kind, title || ' ' || to_char(starts_at, 'YYYY-MM-DD'), starts_at,
       CASE WHEN held THEN 'held' ELSE 'planned' END, {FIRST_MANAGER} + m % {MANAGERS},
       CASE WHEN held THEN {pick(MINUTES, hashed("mmin1", "m"))} || E'\\n'
                           || {pick(MINUTES, hashed("mmin2", "m"))} END,
       CASE WHEN held AND kind = 'leerdialoog'
            THEN json_build_object(
                'dominant_views', json_build_array({pick(PROBLEMS, hashed("mview", "m"))}),
                'lessons', {pick(TRIED, hashed("mlesson", "m"))}) END,
       CASE WHEN held THEN starts_at + interval '2 hours' END,
       starts_at - interval '14 days', 1
FROM (
    SELECT m, {pick(MEETING_NODES, hashed("mnode", "m"))} AS node,
           (ARRAY['casuistiek', 'signalenoverleg', 'leerdialoog'])
               [1 + {hashed("mkind", "m")} % 3] AS kind,
           {pick(MEETING_TITLES, hashed("mtitle", "m"))} AS title,
           CAST(:start AS timestamptz) + (m - 0.5) / {MEETINGS}
               * (CAST(:now AS timestamptz) + interval '60 days' - CAST(:start AS timestamptz))
               AS starts_at
    FROM generate_series(1, {MEETINGS}) AS m
) AS planned
CROSS JOIN LATERAL (SELECT starts_at < CAST(:now AS timestamptz) AS held) AS h;
SELECT setval(pg_get_serial_sequence('meetings', 'id'), {MEETINGS})
"""  # noqa: S608 - only this file's constants


def signal_entries_sql() -> str:
    """The signals' search entries, as indexing.signal_document and write_entries make them."""
    regulation_labels = "CASE code " + " ".join(
        f"WHEN {quoted(code)} THEN {quoted(name)}" for code, name in REGULATIONS.items()
    )
    source_labels = "CASE s.source_organisation " + " ".join(
        f"WHEN {quoted(code)} THEN {quoted(name)}" for code, name in SOURCE_ORGANISATIONS.items()
    )
    # _joined(situation, experience, rationale, *regulation labels, source label): the
    # non-empty parts, one a line; an unknown code stands for itself, an unknown source for "".
    body = f"""concat_ws(E'\\n',
        nullif(s.situation, ''), nullif(s.resident_experience, ''), nullif(s.rationale, ''),
        (SELECT nullif(string_agg(nullif({regulation_labels} ELSE code END, ''), E'\\n'
                                  ORDER BY position), '')
         FROM unnest(string_to_array(s.regulation_codes, '|')) WITH ORDINALITY
              AS codes(code, position)
         WHERE code <> ''),
        nullif({source_labels} ELSE '' END, ''))"""  # noqa: S608 - only this file's constants
    return f"""
INSERT INTO search_entries (kind, object_id, created_at, vector)
SELECT 'signal', s.id, s.created_at,
       setweight(to_tsvector('dutch'::regconfig, s.title), 'A')
       || setweight(to_tsvector('dutch'::regconfig, {body}), 'B')
FROM signals AS s
ORDER BY s.created_at
"""  # noqa: S608 - only this file's constants


# The signals' own full-text index (as the migration makes it: one partial GIN index per kind).
GIN_INDEX = (
    "CREATE INDEX ix_search_entries_signal_vector ON search_entries USING gin (vector) "
    "WHERE kind = 'signal'"
)


def execute_script(script: str, **values: Any) -> None:
    connection = db.session.connection()
    for statement in script.split(";\n"):
        if statement.strip():
            connection.execute(text(statement), values)


def prepare_database(url: str, count: int, rebuild: bool) -> bool:
    """Drop the database unless it holds this data set; whether it must be seeded."""
    name = url.rsplit("/", 1)[1]
    plain = url.replace("postgresql+psycopg", "postgresql")
    held: tuple[int, int] | None = None
    try:
        with psycopg.connect(plain, autocommit=True) as connection:
            tables = connection.execute(
                "SELECT to_regclass('signals'), to_regclass('search_entries')"
            ).fetchone()
            if tables is not None and None not in tables:
                row = connection.execute(
                    "SELECT (SELECT count(*) FROM signals), "
                    "(SELECT count(*) FROM search_entries WHERE kind = 'signal')"
                ).fetchone()
                held = (row[0], row[1]) if row is not None else None
    except psycopg.OperationalError:
        pass  # no database yet
    if held is None or (held == (0, 0) and not rebuild):
        ensure_database(url)
        return True
    if held == (count, count) and not rebuild:
        print(f"database {name} holds {count:,} indexed signals: reusing it")
        return False
    print(f"database {name} holds {held[0]:,} signals ({held[1]:,} indexed); filling it again")
    drop_database(url)
    ensure_database(url)
    return True


def drop_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    server = url.replace("postgresql+psycopg", "postgresql").rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def seed(count: int) -> None:
    graph = active_graph()
    nodes = graph.nodes
    unknown = set(FORWARD_TARGETS + KWESTIE_NODES + MEETING_NODES + ["linking_pin"]) - set(nodes)
    if unknown:
        raise SystemExit(f"nodes not in {ROUTES}: {sorted(unknown)}")
    node_groups = {key: node.owner.group for key, node in nodes.items() if node.owner.group}
    groups = sorted(set(node_groups.values()) | {BIG_GROUP})
    owner_group = (
        "CASE forwarded_to "
        + " ".join(f"WHEN {quoted(key)} THEN {quoted(group)}" for key, group in node_groups.items())
        + " END"
    )
    values = {
        "count": count,
        "start": START,
        "end": NOW - timedelta(hours=1),
        "now": NOW,
        "route_version": graph.version,
    }
    started = time.perf_counter()
    connection = db.session.connection()
    connection.execute(text("SET LOCAL synchronous_commit = off"))
    connection.execute(text("SET LOCAL work_mem = '256MB'"))
    connection.execute(text("SET LOCAL maintenance_work_mem = '1GB'"))
    execute_script(people_sql(groups))
    execute_script(kwesties_sql(node_groups), **values)
    execute_script(MEETINGS_SQL, **values)
    execute_script(plan_sql(owner_group), **values)
    planned = time.perf_counter()
    print(f"  planned {count:,} signals in {planned - started:.0f} s")
    execute_script(SIGNALS_SQL, **values)
    inserted = time.perf_counter()
    print(f"  inserted the signals, regulations and participants in {inserted - planned:.0f} s")
    connection.execute(text("DROP INDEX ix_search_entries_signal_vector"))
    connection.execute(text(signal_entries_sql()))
    entries = time.perf_counter()
    print(f"  indexed the signals (INSERT … SELECT to_tsvector) in {entries - inserted:.0f} s")
    connection.execute(text(GIN_INDEX))
    print(f"  made the GIN index in {time.perf_counter() - entries:.0f} s")
    db.session.commit()
    for kind in ("kwestie", "meeting"):
        print(f"  indexed {index_with_the_indexer(kind):,} {kind} entries with the indexer")
    print(f"seeded in {time.perf_counter() - started:.0f} s")


def index_with_the_indexer(kind: str, batch_size: int = 1000) -> int:
    """Index every thing of ``kind`` through signals.search.indexing itself (its document
    function and its upsert), as a flush would; returns how many."""
    searchable = next(s for s in indexing.SEARCHABLES if s.kind == kind)
    model = searchable.model
    last_id, total = 0, 0
    while True:
        query = select(model).where(model.id > last_id).order_by(model.id).limit(batch_size)
        batch = list(db.session.scalars(query))
        if not batch:
            return total
        indexing.write_entries(db.session.connection(), searchable, batch)
        db.session.commit()
        last_id = batch[-1].id
        total += len(batch)
        db.session.expunge_all()


# Knowledge articles (issue 17, branch "knowledge") ----------------------------------------

ARTICLE_TITLES = [
    "Maatwerk bij de kostendelersnorm voor mantelzorgers",
    "Beslagvrije voet herstellen bij samenloop van beslagen",
    "Terugvordering toeslagen en schulden: wat werkte",
    "Huurachterstand voorkomen bij late huurtoeslag",
    "Jeugdzorg na achttien: een warme overdracht",
    "Wmo eigen bijdrage: kwijtschelding voor minima",
    "Bijstand en parttime werk: de verrekening uitgelegd",
    "Kwijtschelding gemeentebelastingen ondanks een kleine buffer",
]
ARTICLE_SEED_SQL = f"""
INSERT INTO knowledge_articles (title, summary, what_was_done, regulations, regulation_codes,
    level, source_organisation, outcome, maatwerk, maatwerk_grounds, kwestie_id, signal_id,
    source_kwestie_id, published_by_id, published_at, updated_at, version)
SELECT {pick(ARTICLE_TITLES, hashed("atitle", "s.id"))},
       {pick(PROBLEMS, hashed("asummary", "s.id"))} || ' ' || {pick(EFFECTS, "s.id")},
       {pick(RATIONALES, hashed("adone", "s.id"))} || ' ' || {pick(TRIED, "s.id")},
       json_build_array(split_part(s.regulation_codes, '|', 2)),
       '|' || split_part(s.regulation_codes, '|', 2) || '|',
       s.level, s.source_organisation, s.outcome, 'applied', CAST('["awb_4_84"]' AS json),
       s.kwestie_id, s.id, NULL, coalesce(s.owner_user_id, {FIRST_MANAGER}),
       s.resolved_at, s.resolved_at, 1
FROM (SELECT *, row_number() OVER (ORDER BY id) AS resolved_number
      FROM signals WHERE status = 'resolved') AS s
WHERE s.resolved_number % :every = 0
ORDER BY s.id
LIMIT :from_signals;
INSERT INTO knowledge_articles (title, summary, what_was_done, regulations, regulation_codes,
    level, source_organisation, outcome, maatwerk, maatwerk_grounds, kwestie_id, signal_id,
    source_kwestie_id, published_by_id, published_at, updated_at, version)
SELECT k.title, k.description, k.rationale,
       json_build_array(k.regulation), '|' || k.regulation || '|', k.level,
       k.source_organisation, k.outcome, NULL, CAST('[]' AS json), k.id, NULL, k.id,
       k.created_by_id, k.decided_at, k.decided_at, 1
FROM kwesties AS k
WHERE k.status = 'decided' AND k.node <> 'ombudsman'
ORDER BY k.id
LIMIT :from_kwesties
"""  # noqa: S608 - only this file's constants


def seed_articles(count: int = ARTICLES) -> None:
    """10,000 knowledge articles, indexed by the real indexer, when both exist; else skipped."""
    table = db.session.scalar(text("SELECT to_regclass('knowledge_articles')"))
    if table is None or "article" not in indexing.KINDS:
        print(
            f"knowledge articles skipped: table knowledge_articles "
            f"{'exists' if table else 'missing'}, kind 'article' "
            f"{'indexed' if 'article' in indexing.KINDS else 'not indexed'} "
            f"by signals.search.indexing"
        )
        return
    held = db.session.scalar(text("SELECT count(*) FROM knowledge_articles")) or 0
    indexed = (
        db.session.scalar(text("SELECT count(*) FROM search_entries WHERE kind = 'article'")) or 0
    )
    if held and indexed == held:
        print(f"{held:,} knowledge articles held and indexed: reusing them")
        return
    started = time.perf_counter()
    if not held:
        # A tenth from decided kwesties, the rest from resolved signals spread over the years.
        from_kwesties = count // 10
        resolved = db.session.scalar(select(func.count()).where(Signal.status == "resolved"))
        execute_script(
            ARTICLE_SEED_SQL,
            every=max(1, (resolved or 0) // (count - from_kwesties)),
            from_signals=count - from_kwesties,
            from_kwesties=from_kwesties,
        )
        db.session.commit()
    total = index_with_the_indexer("article")
    print(f"{total:,} knowledge articles made and indexed in {time.perf_counter() - started:.0f} s")


# The check: the SQL-made entries are what the indexer would write --------------------------


def check_against_indexer(sample: int = 20) -> None:
    """The SQL-made entries of ``sample`` signals spread over the table (with and without a
    resident's experience, rationale, second regulation, kwestie) against the indexer's."""
    searchable = next(s for s in indexing.SEARCHABLES if s.kind == "signal")
    last = db.session.scalar(select(func.max(Signal.id))) or 1
    step = max(1, last // sample)
    ids = list(
        db.session.scalars(
            select(Signal.id).where(Signal.id % step == step // 2).order_by(Signal.id).limit(sample)
        )
    )
    differ = []
    for signal in db.session.scalars(select(Signal).where(Signal.id.in_(ids))):
        document = searchable.document(signal)
        same = db.session.scalar(
            text(
                "SELECT vector = setweight(to_tsvector('dutch'::regconfig, :title), 'A') "
                "|| setweight(to_tsvector('dutch'::regconfig, :body), 'B') "
                "FROM search_entries WHERE kind = 'signal' AND object_id = :id"
            ),
            {"title": document.title, "body": document.searched, "id": signal.id},
        )
        if not same:
            differ.append(signal.reference)
    db.session.rollback()
    if differ:
        raise SystemExit(f"the SQL-made entries differ from the indexer's for {differ}")
    print(f"checked {len(ids)} signals' entries against signals.search.indexing: identical")


# Timing -----------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """Nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@dataclass
class Combination:
    persona: str
    label: str
    query: str
    calls: list[float] = field(default_factory=list)  # ms, the whole search()
    slowest_sql: list[float] = field(default_factory=list)  # ms, its slowest statement
    found: str = ""
    # Per SQL text (in the order first run): its milliseconds in each call, and its last
    # parameters; the statements of one kind differ in their parameters only.
    by_sql: dict[str, list[float]] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)

    def heaviest(self) -> tuple[str, Any, float]:
        """The statement with the highest median: its SQL, parameters and median ms."""
        sql = max(self.by_sql, key=lambda key: statistics.median(self.by_sql[key]))
        return sql, self.parameters[sql], statistics.median(self.by_sql[sql])

    @property
    def p95(self) -> float:
        return percentile(self.calls, 0.95)


@dataclass(frozen=True)
class Persona:
    label: str
    email: str


PERSONAS = [
    Persona("administrator", "admin@bench.test"),
    Persona(f"member of {BIG_GROUP}", f"lid0.{BIG_GROUP}@bench.test"),
    Persona("manager", f"manager{7}@bench.test"),
    Persona("professional, 20 own", "nieuw@bench.test"),
    Persona("partner professional", "partner7@bench.test"),
]


def fresh_user(user_id: int) -> User:
    """A new session, and the user as a request would have it (with their groups)."""
    db.session.remove()
    user = db.session.get(User, user_id)
    assert user is not None
    _ = user.groups
    return user


def run_combination(user_id: int, combination: Combination, runs: int) -> None:
    data = {"q": combination.query}
    for _ in range(WARM_UP):
        result = search(fresh_user(user_id), data)
    combination.found = (
        "exact"
        if result.exact is not None
        else " ".join(f"{k.kind[0]}{k.count}{'+' if k.more else ''}" for k in result.kinds)
    )
    for _ in range(runs):
        user = fresh_user(user_id)
        with statements() as seen:
            started = time.perf_counter()
            search(user, data)
            elapsed = (time.perf_counter() - started) * 1000
        db.session.rollback()
        combination.calls.append(elapsed)
        slowest = max(seen.ran, key=lambda statement: statement.seconds)
        combination.slowest_sql.append(slowest.seconds * 1000)
        for statement in seen.ran:
            combination.by_sql.setdefault(statement.sql, []).append(statement.seconds * 1000)
            combination.parameters[statement.sql] = statement.parameters


def explain(statement: Statement) -> list[str]:
    plan = (
        db.session.connection()
        .exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement.sql, statement.parameters)
        .scalars()
        .all()
    )
    db.session.rollback()
    return list(plan)


def print_table(combinations: list[Combination]) -> None:
    print(
        f"\n{'person':<24} {'query':<18} {'q':<27} {'found':<16} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'max ms':>8} {'sql p95':>8}"
    )
    print("-" * 126)
    for c in combinations:
        verdict = "" if c.p95 < TARGET_MS else "  OVER"
        print(
            f"{c.persona:<24} {c.label:<18} {c.query:<27} {c.found:<16} "
            f"{statistics.median(c.calls):>8.1f} {c.p95:>8.1f} {max(c.calls):>8.1f} "
            f"{percentile(c.slowest_sql, 0.95):>8.1f}{verdict}"
        )


def print_sizes() -> None:
    sizes = db.session.execute(
        text(
            "SELECT (SELECT count(*) FROM signals), "
            "(SELECT count(*) FROM search_entries), "
            "pg_size_pretty(pg_database_size(current_database())), "
            "pg_size_pretty(pg_total_relation_size('signals')), "
            "pg_size_pretty(pg_total_relation_size('search_entries')), "
            "pg_size_pretty(pg_relation_size('ix_search_entries_signal_vector')), "
            "pg_size_pretty(pg_total_relation_size('signal_participants'))"
        )
    ).one()
    kinds = db.session.execute(
        text("SELECT kind, count(*) FROM search_entries GROUP BY kind ORDER BY kind")
    ).all()
    db.session.rollback()
    print(
        f"database {sizes[2]}: {sizes[0]:,} signals ({sizes[3]}), {sizes[1]:,} search entries "
        f"({sizes[4]}, the signals' GIN index {sizes[5]}; "
        + ", ".join(f"{kind} {n:,}" for kind, n in kinds)
        + f"), participants {sizes[6]}"
    )


def print_frequencies() -> None:
    """How many signals each query's words match (all of them, as plainto_tsquery does)."""
    for label, query in QUERIES:
        if label == "reference":
            continue
        matches = db.session.scalar(
            text(
                "SELECT count(*) FROM search_entries WHERE kind = 'signal' "
                "AND vector @@ plainto_tsquery('dutch'::regconfig, :q)"
            ),
            {"q": query},
        )
        print(f"  {query!r:<30} matches {matches:>9,} signals")
    db.session.rollback()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--signals", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--rebuild", action="store_true", help="drop and fill the database again")
    parser.add_argument(
        "--keep",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="keep the database for the next run (default); --no-keep drops it",
    )
    args = parser.parse_args()
    url = os.environ.get("SIGNALS_SEARCH_BENCH_DATABASE_URL", DEFAULT_URL)
    must_seed = prepare_database(url, args.signals, args.rebuild)
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "TESTING": True,
            "ROUTES": ROUTES,
            "SMTP_HOST": None,
        }
    )
    with app.app_context():
        upgrade()
        if must_seed:
            seed(args.signals)
        check_against_indexer()
        articles_before = db.session.scalar(
            text("SELECT count(*) FROM search_entries WHERE kind = 'article'")
        )
        seed_articles()
        if must_seed or articles_before != db.session.scalar(
            text("SELECT count(*) FROM search_entries WHERE kind = 'article'")
        ):
            started = time.perf_counter()
            vacuum()
            print(f"VACUUM ANALYZE in {time.perf_counter() - started:.0f} s")
        db.session.rollback()
        print_sizes()
        print("word frequencies:")
        print_frequencies()
        combinations: list[Combination] = []
        for persona in PERSONAS:
            user_id = db.session.scalars(select(User.id).where(User.email == persona.email)).one()
            user = fresh_user(user_id)
            own = db.session.scalar(
                select(func.count()).select_from(Signal).where(Signal.reporter_id == user.id)
            )
            print(f"\n{persona.label} ({persona.email}, groups {user.groups}, {own:,} own):")
            for label, query in QUERIES:
                combination = Combination(persona.label, label, query)
                run_combination(user_id, combination, args.runs)
                combinations.append(combination)
                print(
                    f"  {label:<18} p50 {statistics.median(combination.calls):7.1f}  "
                    f"p95 {combination.p95:7.1f} ms  ({combination.found})"
                )
        print_table(combinations)
        every = [call for c in combinations for call in c.calls]
        worst = max(combinations, key=lambda c: c.p95)
        verdict = "yes" if worst.p95 < TARGET_MS else "NO"
        print(
            f"\noverall p95 {percentile(every, 0.95):.1f} ms over {len(every):,} searches; "
            f"every combination under {TARGET_MS} ms p95: {verdict} "
            f"(slowest: {worst.persona}, {worst.label}, p95 {worst.p95:.1f} ms)"
        )
        print_sizes()
        print(f"\n-- the statements of the slowest combination ({worst.persona}, {worst.query!r}):")
        for sql, times in worst.by_sql.items():
            print(
                f"   median {statistics.median(times):7.1f} ms  p95 {percentile(times, 0.95):7.1f}"
                f" ms  x{len(times) / len(worst.calls):.0f}  {' '.join(sql.split())[:80]}"
            )
        sql, parameters, median = worst.heaviest()
        print(f"\n-- its heaviest statement (median {median:.1f} ms):")
        print("   " + " ".join(sql.split()))
        print(f"   parameters: {parameters}")
        for line in explain(Statement(sql, parameters, 0.0)):
            print(f"   {line}")
        db.session.remove()
        db.engine.dispose()
    if not args.keep:
        drop_database(url)
        print(f"dropped {url.rsplit('/', 1)[1]}")


if __name__ == "__main__":
    main()
