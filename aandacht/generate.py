"""Deterministic generator of a realistic Dutch SME CRM data set.

``generate()`` returns the five canonical tables of the data-format contract
(``docs/data-format.md``, :mod:`aandacht.schema`); ``write()`` stores them in a folder.
The same arguments always give the same tables: all randomness comes from one
``numpy.random.default_rng(seed)`` and nothing depends on the current date.

The bulk of the events is built with vectorised numpy over "chains" (an e-mail thread, a helpdesk
call, a quote → order → invoice funnel, a mailing and its responses): one row per chain and one
column per step, so 10 million events take seconds, not hours.

Postcode centroids come from GeoNames (https://www.geonames.org/), licensed under
Creative Commons Attribution 4.0 (CC BY 4.0); the file is shipped in ``aandacht/data/``.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from aandacht.schema import ACTIONS, CHANNELS, COLUMNS, DIRECTIONS, SOURCES, STATUSES

__all__ = ["generate", "write"]

#: GeoNames postcode file (GeoNames, CC BY 4.0).
GEONAMES_FILE = Path(__file__).parent / "data" / "geonames_NL_postcodes.tsv"

# --------------------------------------------------------------------------------------------
# Vocabulary (Dutch content, English code)
# --------------------------------------------------------------------------------------------

SURNAMES = (
    "De Vries",
    "Jansen",
    "Van den Berg",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "De Boer",
    "Mulder",
    "De Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "Van Leeuwen",
    "Dekker",
    "Brouwer",
    "De Wit",
    "Dijkstra",
    "Smits",
    "De Graaf",
    "Van der Meer",
    "Van der Linden",
    "Kok",
    "Jacobs",
    "De Haan",
    "Vermeulen",
    "Van den Heuvel",
    "Van der Veen",
    "Van den Broek",
    "De Bruijn",
    "De Jong",
    "Schouten",
    "Van Beek",
    "Willems",
    "Van Dijk",
    "Hoekstra",
    "Maas",
    "Verhoeven",
    "Koster",
    "Prins",
    "Blom",
    "Huisman",
    "Kuipers",
    "Van Wijk",
    "Post",
    "Kramer",
    "Van Vliet",
    "Postma",
    "Timmermans",
    "Scholten",
    "Van der Heijden",
    "Bosman",
    "Veenstra",
    "Hermans",
    "Wouters",
    "Evers",
    "Groen",
    "Koning",
    "Van Dam",
    "Sanders",
    "Claassen",
    "Hofman",
    "Van Rijn",
    "Boersma",
    "Stam",
    "Molenaar",
    "Van Os",
    "Zijlstra",
    "Kroon",
    "Westerhof",
    "Brink",
    "Van Loon",
    "Gerritsen",
    "Verbeek",
    "Oosterhuis",
    "Ter Horst",
    "Van Essen",
    "Lammers",
    "Bouwman",
    "Wijnands",
    "Hoogendoorn",
    "Kempen",
    "Van Dongen",
)
FIRST_NAMES = (
    "Jan",
    "Piet",
    "Kees",
    "Anna",
    "Sophie",
    "Emma",
    "Lucas",
    "Daan",
    "Sem",
    "Julia",
    "Mila",
    "Thijs",
    "Lotte",
    "Bram",
    "Fleur",
    "Ruben",
    "Iris",
    "Niels",
    "Sanne",
    "Marieke",
    "Gerrit",
    "Henk",
    "Ingrid",
    "Wouter",
    "Esther",
    "Mohamed",
    "Fatima",
    "Anouk",
    "Tim",
    "Linda",
)
TRADE_PREFIX = (
    "Bakkerij",
    "Installatiebedrijf",
    "Autobedrijf",
    "Schildersbedrijf",
    "Bouwbedrijf",
    "Hoveniersbedrijf",
    "Drukkerij",
    "Transportbedrijf",
    "Adviesbureau",
    "Accountantskantoor",
    "Loodgietersbedrijf",
    "Tandartspraktijk",
    "Garage",
    "Timmerbedrijf",
    "Aannemersbedrijf",
    "Machinefabriek",
    "Kwekerij",
    "Slagerij",
    "Makelaardij",
    "Elektrotechnisch Bureau",
)
TRADE_SUFFIX = (
    "Logistiek",
    "Techniek",
    "Metaal",
    "Installaties",
    "Bouw",
    "Groep",
    "Advies",
    "Verhuur",
    "Transport",
    "Schoonmaak",
    "Kunststoffen",
    "Automatisering",
    "Vastgoed",
    "Infra",
    "Elektro",
    "Machinebouw",
    "Interieur",
    "Zorg",
    "Food",
    "Agri",
    "Totaalinstallaties",
)
FANCY = (
    "De Korenbloem",
    "Het Anker",
    "De Zwaan",
    "De Molen",
    "'t Hoekje",
    "De Eendracht",
    "Noorderlicht",
    "De Linde",
    "De Hoop",
    "Het Wapen van Holland",
    "De Gouden Leeuw",
    "'t Centrum",
    "De Vaart",
    "Zonnehoek",
    "De Klimop",
    "Het Baken",
)
FANCY_PREFIX = (
    "Café",
    "Hotel",
    "Zorgcentrum",
    "Kinderopvang",
    "Restaurant",
    "Bakkerij",
    "Tuincentrum",
    "Stichting",
)
LEGAL = ("", " B.V.", " V.O.F.", " N.V.", " & Zn.", " Holding B.V.")
LEGAL_P = (0.36, 0.46, 0.08, 0.02, 0.05, 0.03)
STREETS = (
    "Hoofdstraat",
    "Kerkstraat",
    "Dorpsstraat",
    "Molenweg",
    "Industrieweg",
    "Stationsweg",
    "Schoolstraat",
    "Nieuwstraat",
    "Marktplein",
    "Kanaalweg",
    "Havenstraat",
    "Julianastraat",
    "Wilhelminastraat",
    "Beatrixlaan",
    "Parallelweg",
    "Ambachtsweg",
    "Edisonstraat",
    "Nijverheidsweg",
    "Handelsweg",
    "Zuidweg",
    "Energieweg",
    "Kastanjelaan",
    "Eikenlaan",
    "Lindelaan",
    "Oranjestraat",
    "Voorstraat",
    "Achterweg",
    "Spoorlaan",
    "Bedrijvenweg",
    "Koningin Julianaweg",
    "Prins Bernhardlaan",
    "Zandweg",
    "Dijkweg",
    "Nobelstraat",
)
FOREIGN = {
    "BE": (
        ("Antwerpen", "2000"),
        ("Gent", "9000"),
        ("Brugge", "8000"),
        ("Hasselt", "3500"),
        ("Leuven", "3000"),
        ("Mechelen", "2800"),
        ("Turnhout", "2300"),
        ("Brussel", "1000"),
    ),
    "DE": (
        ("Kleve", "47533"),
        ("Emmerich am Rhein", "46446"),
        ("Düsseldorf", "40210"),
        ("Köln", "50667"),
        ("Aachen", "52062"),
        ("Münster", "48143"),
        ("Gronau", "48599"),
        ("Nordhorn", "48529"),
    ),
}
FOREIGN_STREETS = {
    "BE": ("Meir", "Kerkstraat", "Stationsstraat", "Nijverheidslaan"),
    "DE": ("Hauptstraße", "Bahnhofstraße", "Industriestraße", "Gartenweg"),
}
FOREIGN_NAMES = {
    "BE": ("Peeters", "Janssens", "Maes", "Claes", "Wouters", "Goossens"),
    "DE": ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker"),
}
FOREIGN_LEGAL = {"BE": (" BV", " NV", " BVBA"), "DE": (" GmbH", " GmbH & Co. KG", " AG")}
COLOURS = ("rood", "groen", "blauw", "geel", "oranje", "paars")
COLOURS_P = (0.25, 0.25, 0.2, 0.12, 0.1, 0.08)
NORTH = ("Groningen", "Friesland", "Drenthe")
SOUTH = ("Limburg", "North Brabant", "Zeeland")

#: (user_id, name, department); the order is fixed so that results are reproducible.
USERS = (
    ("JdV", "Jan de Vries", "Sales"),
    ("PB", "Petra Bakker", "Sales"),
    ("MK", "Mark Kuipers", "Sales"),
    ("SvD", "Sanne van Dijk", "Sales"),
    ("RJ", "Ruud Jacobs", "Sales"),
    ("LS", "Linda Smit", "Sales"),
    ("TH", "Tom Hendriks", "Sales"),
    ("EdG", "Eva de Graaf", "Sales"),
    ("BM", "Bart Mulder", "Sales"),
    ("NeA", "Nadia el Amrani", "Sales"),
    ("KV", "Kees Verhoeven", "Sales"),
    ("AV", "Anouk Visser", "Marketing"),
    ("DP", "Daan Peters", "Marketing"),
    ("FB", "Femke Bos", "Marketing"),
    ("LV", "Lotte Vermeulen", "Marketing"),
    ("YB", "Youssef Bakkali", "Marketing"),
    ("HD", "Henk Dekker", "Service"),
    ("IB", "Ingrid Brouwer", "Service"),
    ("WK", "Wim Koster", "Service"),
    ("MdW", "Marloes de Wit", "Service"),
    ("SP", "Stefan Post", "Service"),
    ("PR", "Priya Ramdin", "Service"),
    ("JM", "Joost Maas", "Service"),
    ("KH", "Karin Hoekstra", "Service"),
    ("RS", "Rob Schouten", "Service"),
)
USER_GROUPS = {
    "inside sales": ("PB", "LS", "EdG", "KV"),
    "account managers": ("JdV", "MK", "SvD", "RJ", "TH", "BM", "NeA"),
    "first line": ("IB", "MdW", "PR", "KH"),
    "management": ("JdV", "AV", "HD"),
}
#: Users who left: (user_id, successor, days before `end` they left, successor is a new hire).
LEAVERS = (("RJ", "NeA", 210, True), ("WK", "SP", 95, False))

PRODUCTS = (
    "het onderhoudscontract",
    "de installatie",
    "de nieuwe werkplekken",
    "het serverbeheer",
    "het jaarcontract",
    "de reserveonderdelen",
    "de softwarelicenties",
    "het printerpark",
    "de beveiligingscamera's",
    "de koelinstallatie",
    "de zonnepanelen",
    "de bedrijfskleding",
    "het kantoormeubilair",
    "de vloerreiniging",
    "de heftruck",
    "de transportbanden",
    "de LED-verlichting",
    "de cv-ketel",
    "de airco-units",
    "de netwerkapparatuur",
    "de training",
    "het adviestraject",
    "de webshopkoppeling",
    "het voorraadsysteem",
)
MONTHS_NL = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)

EMAIL_SUBJECTS = (
    "Vraag over {p}",
    "Offerteaanvraag {p}",
    "Planning {p}",
    "Levering {p}",
    "Prijsopgave {p}",
    "Contractverlenging {p}",
    "Documentatie {p}",
    "Retour {p}",
    "Afspraak volgende week",
    "Wijziging contactpersoon",
    "Bevestiging bestelling",
    "Uitnodiging kennismaking",
    "Terugkoppeling gesprek",
    "Nieuwe contactgegevens",
    "Openstaande punten",
    "Vraag over levertijd",
    "Factuur niet ontvangen",
    "Jaarevaluatie",
)
EMAIL_IN = (
    "Bedankt voor de snelle reactie.",
    "Wij hebben nog een vraag over {p}.",
    "Kunt u ons een prijsopgave sturen voor {p}?",
    "De levering is vandaag in goede orde ontvangen.",
    "Helaas werkt {p} nog steeds niet naar behoren.",
    "Graag plannen we volgende week een afspraak in.",
    "Onze contactpersoon is per 1 januari gewijzigd.",
    "Wij gaan akkoord met het voorstel.",
    "Kunt u de factuur opnieuw sturen naar onze administratie?",
    "Is het mogelijk om de levering een week te vervroegen?",
    "Wij zijn tevreden over de uitvoering van {p}.",
    "Kunt u ons de handleiding van {p} toesturen?",
    "Ik ben de komende twee weken afwezig; mijn collega neemt het over.",
)
EMAIL_OUT = (
    "Hartelijk dank voor uw bericht.",
    "Zoals besproken stuur ik u hierbij de gegevens.",
    "In de bijlage vindt u de informatie over {p}.",
    "De levering staat gepland voor volgende week dinsdag.",
    "Kunt u mij laten weten of dit zo akkoord is?",
    "Wij nemen hierover binnenkort telefonisch contact met u op.",
    "Onze monteur komt donderdagochtend langs.",
    "Mocht u nog vragen hebben, dan hoor ik het graag.",
    "Ik heb uw vraag doorgezet naar onze afdeling Service.",
    "De prijs is inclusief installatie en exclusief btw.",
    "Graag nodig ik u uit voor een kennismakingsgesprek.",
    "De gevraagde documentatie over {p} is bijgevoegd.",
    "Wij hebben de planning aangepast aan uw wensen.",
)
GREET_IN = ("Beste {f},", "Hallo {f},", "Goedemiddag,", "Goedemorgen,", "Geachte heer/mevrouw,")
GREET_OUT = (
    "Beste {f},",
    "Geachte heer {s},",
    "Geachte mevrouw {s},",
    "Goedemorgen,",
    "Beste relatie,",
)
CLOSE_IN = ("Groet,\n{f} {s}", "Met vriendelijke groet,\n{f} {s}", "Alvast bedankt!\n{f}")
CLOSE_OUT = ("Met vriendelijke groet,", "Met vriendelijke groeten,", "Hartelijke groet,")
LETTER_SUBJECTS = (
    "Betreft: contractverlenging",
    "Betreft: prijswijziging per 1 januari",
    "Betreft: ingebrekestelling",
    "Betreft: opzegging",
    "Betreft: jaaroverzicht",
    "Betreft: bevestiging afspraken",
)

HISTORY_SUBJECTS = {
    "phone": (
        "Telefonisch contact over {p}",
        "Teruggebeld over {p}",
        "Belafspraak {p}",
        "Klant belde: vraag over {p}",
        "Telefonisch opgevolgd",
    ),
    "meeting": ("Overleg {p}", "Jaargesprek", "Evaluatiegesprek {p}", "Teams-overleg {p}"),
    "visit": (
        "Bezoek op locatie: {p}",
        "Kennismakingsbezoek",
        "Relatiebezoek",
        "Bezoek i.v.m. {p}",
    ),
    "trade_show": ("Gesproken op de beurs", "Beursbezoek: interesse in {p}", "Beurscontact {p}"),
}
HISTORY_BODY = (
    "Klant belde over {p}. Afgesproken dat wij een voorstel sturen.",
    "Gesproken met de inkoper; tevreden over {p}, wel kritisch op de levertijden.",
    "Directeur gaf aan dat er volgend jaar uitbreiding komt.",
    "Voortgang {p} besproken. Volgende afspraak over zes weken.",
    "Klant overweegt over te stappen naar een concurrent; prijsvoorstel voorbereiden.",
    "Nieuwe contactpersoon voorgesteld. Kaartje afgegeven.",
    "Vragen over {p} beantwoord. Geen actie nodig.",
    "Klacht over de laatste levering besproken; excuses aangeboden.",
    "Interesse in {p}. Brochure nagestuurd.",
    "Rondleiding gehad door het nieuwe pand. Mooie kansen voor {p}.",
)
HISTORY_MODIFIED = ("Aanvulling: ", "Correctie: ", "Bijgewerkt na terugbellen: ")
NOTE_SUBJECTS = ("Notitie", "Let op", "Intern", "Contactpersoon", "Betaalgedrag", "Voorkeur")
NOTE_BODY = (
    "Contactpersoon is met verlof tot eind volgende maand.",
    "Klant wil alleen per e-mail benaderd worden.",
    "Let op: betaalt vaak te laat.",
    "Directeur is fervent golfer; uitnodigen voor de relatiedag.",
    "Factuuradres gewijzigd, zie NAW.",
    "Niet bellen op vrijdagmiddag.",
    "Onderdeel van een grotere holding; inkoop centraal geregeld.",
    "Raamcontract loopt af over drie maanden.",
    "Wil graag een vast aanspreekpunt.",
)
CALL_SUBJECTS = (
    "Storing {p}",
    "Vraag over {p}",
    "Foutmelding {p}",
    "Onderhoudsverzoek {p}",
    "Klacht levering",
    "Inlogprobleem klantportaal",
    "Vervanging defect onderdeel",
)
CALL_ADDED = (
    "Klant meldt dat {p} niet meer werkt sinds vanochtend.",
    "Melding via de telefoon; urgentie middel.",
    "Klant vraagt om een monteur voor {p}.",
    "Foutcode doorgegeven, klant stuurt foto's na.",
)
CALL_MODIFIED = (
    "Monteur ingepland.",
    "Onderdeel besteld, levertijd drie dagen.",
    "Klant gebeld voor aanvullende informatie.",
    "Doorgezet naar tweede lijn.",
    "Wachten op reactie van de leverancier.",
)
CALL_CLOSED = (
    "Opgelost op afstand.",
    "Onderdeel vervangen, werkt weer.",
    "Klant geïnformeerd, melding gesloten.",
    "Geen reactie van klant; gesloten.",
)
MAILINGS = (
    "Nieuwsbrief {m} {y}",
    "Uitnodiging open dag {y}",
    "Voorjaarsactie {y}",
    "Najaarsaanbieding {y}",
    "Webinar: energiezuinig ondernemen",
    "Nieuw in ons assortiment",
    "Klanttevredenheidsonderzoek {y}",
    "Uitnodiging beurs {y}",
    "Zomersluiting en openingstijden {y}",
    "Kerstgroet en openingstijden {y}",
)
MAILING_BODY = (
    "Beste relatie,\n\nIn deze nieuwsbrief leest u het laatste nieuws. Bekijk de "
    "aanbiedingen op onze website.\n\nMet vriendelijke groet,\nTeam Marketing",
    "Beste relatie,\n\nGraag nodigen wij u uit. Meld u aan via de link in deze "
    "e-mail.\n\nMet vriendelijke groet,\nTeam Marketing",
)
MAILING_RESPONSE = (
    "Graag ontvang ik meer informatie.",
    "Ik meld mij aan met twee collega's.",
    "Kunt u mij terugbellen over deze actie?",
    "Graag uitschrijven voor deze nieuwsbrief.",
    "Interessant aanbod; wat zijn de levertijden?",
)
#: Sales steps: (action, subject template, body template).
SALES_STEPS = (
    ("suspect_added", "Interesse in {p}", "Lead: interesse in {p}. Opvolgen binnen twee weken."),
    ("suspect_to_quote", "Suspect omgezet naar offerte", "Na gesprek offerte gemaakt voor {p}."),
    ("quote_added", "Offerte {p}", "Offerte voor {p}, geldig 30 dagen."),
    ("quote_expired", "Offerte vervallen: {p}", "Geen reactie binnen de geldigheidsduur."),
    ("quote_to_order", "Offerte omgezet naar order", "Akkoord ontvangen op de offerte."),
    ("order_added", "Order {p}", "Order bevestigd; levering volgens planning."),
    ("invoice_added", "Factuur {p}", "Factuur verstuurd, betaaltermijn 30 dagen."),
    ("invoice_added", "Termijnfactuur {p}", "Termijnfactuur verstuurd."),
    ("invoice_added", "Slotfactuur {p}", "Slotfactuur verstuurd."),
)
#: Hostile content (as found in real e-mail) that exports and web views must escape.
HOSTILE_SUBJECTS = (
    '=HYPERLINK("http://x")',
    '=HYPERLINK("http://x","klik hier")',
    "+31 6 12345678 graag terugbellen",
    "@SUM(1+1)",
    '-korting 10%, "spoed"; dank!',
    "Re: <b>offerte</b>",
)
HOSTILE_BODIES = (
    "<script>alert(1)</script>",
    "Zie bijlage <img src=x onerror=alert(1)>",
    "Tekst met \"aanhalingstekens\", komma's; puntkomma's\nen\ttabs",
    "'; DROP TABLE events; --",
    "Zoë’s café — € 1.234,56 😀 {{7*7}} ${7*7}",
    '<a href="javascript:alert(1)">klik</a>',
)

# --------------------------------------------------------------------------------------------
# Codes
# --------------------------------------------------------------------------------------------

#: Every (source, action) pair; events carry an index into this list.
PAIRS: tuple[tuple[str, str], ...] = tuple((s, a) for s in SOURCES for a in ACTIONS[s])
_PAIR = {p: i for i, p in enumerate(PAIRS)}
ACTION_NAMES: tuple[str, ...] = tuple(dict.fromkeys(a for _, a in PAIRS))
_PAIR_SOURCE = np.array([SOURCES.index(s) for s, _ in PAIRS], dtype=np.int8)
_PAIR_ACTION = np.array([ACTION_NAMES.index(a) for _, a in PAIRS], dtype=np.int8)
_CH = {c: i for i, c in enumerate(CHANNELS)}
_IN, _OUT = DIRECTIONS.index("in"), DIRECTIONS.index("out")
_OPEN, _CLOSED = STATUSES.index("open"), STATUSES.index("closed")
_DAY = 86_400
_PAD = 500  # days of calendar beyond `end`, so that chain steps can overflow and be dropped

_FIELDS = (
    "rel",
    "user",
    "day",
    "sec",
    "pair",
    "chan",
    "dir",
    "subj",
    "body",
    "amount",
    "status",
    "ref",
)


class _Pool:
    """Deduplicated list of strings; events store int codes into it (-1 = empty)."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self._index: dict[str, int] = {}

    def add(self, text: str) -> int:
        code = self._index.get(text)
        if code is None:
            code = self._index[text] = len(self.items)
            self.items.append(text)
        return code

    def add_all(self, texts: list[str]) -> np.ndarray:
        return np.array([self.add(t) for t in texts], dtype=np.int32)


@dataclass
class _Calendar:
    """Days ``0 .. n_days - 1`` from ``start``; weights model weekends and holidays."""

    start: dt.date
    n_days: int
    weights: np.ndarray  # relative activity per day (n_days)
    fair: np.ndarray  # trade-fair days (n_days)
    next_work: np.ndarray  # first working day >= i (n_days + _PAD); may be >= n_days

    @classmethod
    def build(cls, end: dt.date, years: int) -> _Calendar:
        try:
            start = end.replace(year=end.year - years)
        except ValueError:  # 29 February
            start = end.replace(year=end.year - years, day=28)
        n_days = (end - start).days + 1
        total = n_days + _PAD
        dates = [start + dt.timedelta(days=i) for i in range(total)]
        holidays = set()
        for year in range(start.year, end.year + 3):
            holidays |= _dutch_holidays(year)
        weekday = np.array([d.weekday() for d in dates])
        holiday = np.array([d in holidays for d in dates])
        work = (weekday < 5) & ~holiday
        w = np.array([1.05, 1.0, 1.0, 1.0, 0.85, 0.015, 0.015])[weekday]
        w = np.where(holiday, 0.03, w)
        month = np.array([d.month for d in dates])
        mday = np.array([d.day for d in dates])
        summer = ((month == 7) & (mday >= 19)) | (month == 8)
        w = np.where(summer, w * np.where((month == 8) & (mday <= 20), 0.35, 0.5), w)
        xmas = ((month == 12) & (mday >= 24)) | ((month == 1) & (mday <= 2))
        w = np.where(xmas, w * 0.2, w)
        w = w * (0.9 + 0.2 * np.arange(total) / n_days)  # the business grows a little
        fair = np.zeros(total, dtype=bool)
        for year in range(start.year, end.year + 1):
            for month0, day0 in ((2, 8), (4, 15), (10, 1)):  # three fairs a year, Tue-Thu
                first = dt.date(year, month0, day0)
                first += dt.timedelta(days=(1 - first.weekday()) % 7)
                for k in range(3):
                    i = (first - start).days + k
                    if 0 <= i < total:
                        fair[i] = True
        work &= ~xmas  # chains pause over Christmas (new events still trickle in)
        nxt = np.empty(total, dtype=np.int64)
        upcoming = total  # beyond the padded calendar: always dropped
        for i in range(total - 1, -1, -1):
            if work[i]:
                upcoming = i
            nxt[i] = upcoming
        return cls(start, n_days, w[:n_days], fair[:n_days], nxt)

    def sample(
        self,
        rng: np.random.Generator,
        lo: np.ndarray,
        hi: np.ndarray,
        boost: np.ndarray | None = None,
    ) -> np.ndarray:
        """Draw one day per element within ``[lo, hi]`` proportional to the day weights."""
        w = self.weights if boost is None else self.weights * boost
        cdf = np.concatenate([[0.0], np.cumsum(w)])
        a, b = cdf[lo], cdf[hi + 1]
        day = np.searchsorted(cdf, a + rng.random(len(lo)) * (b - a), side="right") - 1
        return np.clip(day, lo, hi)

    def working(self, day: np.ndarray) -> np.ndarray:
        """The first working day on or after ``day`` (``>= n_days`` means after `end`)."""
        return self.next_work[np.minimum(day, len(self.next_work) - 1)]


def _dutch_holidays(year: int) -> set[dt.date]:
    """Dutch public holidays of one year (Easter by the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month = (h + l_ - 7 * m + 114) // 31
    easter = dt.date(year, month, (h + l_ - 7 * m + 114) % 31 + 1)
    kings = dt.date(year, 4, 27)
    if kings.weekday() == 6:
        kings = dt.date(year, 4, 26)
    days = {dt.date(year, 1, 1), kings, dt.date(year, 12, 25), dt.date(year, 12, 26)}
    days |= {easter + dt.timedelta(days=n) for n in (0, 1, 39, 49, 50)}
    if year % 5 == 0:
        days.add(dt.date(year, 5, 5))
    return days


def _office_seconds(rng: np.random.Generator, n: int) -> np.ndarray:
    """Seconds after midnight during office hours (peaks mid-morning and mid-afternoon)."""
    pick = rng.random(n)
    hour = np.where(
        pick < 0.45,
        rng.normal(10.2, 1.1, n),
        np.where(pick < 0.9, rng.normal(14.6, 1.3, n), rng.uniform(7.5, 18.0, n)),
    )
    hour = np.where((hour < 7.25) | (hour > 18.75), rng.uniform(8.0, 17.5, n), hour)
    return (hour * 3600).astype(np.int64)


def _advance(
    rng: np.random.Generator,
    cal: _Calendar,
    day: np.ndarray,
    sec: np.ndarray,
    p_same: float,
    min_days: int,
    max_days: int,
    minutes: float = 90.0,
) -> tuple[np.ndarray, np.ndarray]:
    """The time of a chain's next step: later the same day, or a later working day."""
    n = len(day)
    same = rng.random(n) < p_same
    later = sec + 60 + (rng.exponential(minutes, n) * 60).astype(np.int64)
    same &= later < 19 * 3600
    new_day = cal.working(day + rng.integers(min_days, max_days + 1, n))
    return np.where(same, day, new_day), np.where(same, later, _office_seconds(rng, n))


def _empty(n: int) -> dict[str, np.ndarray]:
    rows = {k: np.full(n, -1, dtype=np.int32) for k in _FIELDS}
    rows["amount"] = np.full(n, np.nan)
    return rows


def _flatten(
    keep: np.ndarray, steps: dict[str, np.ndarray], chains: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """Rows of the kept steps in chain-major order (so any prefix keeps whole chain heads)."""
    ci, si = np.nonzero(keep)
    rows = _empty(len(ci))
    for k, v in steps.items():
        rows[k] = v[ci, si].astype(rows[k].dtype, copy=False)
    for k, v in chains.items():
        rows[k] = v[ci].astype(rows[k].dtype, copy=False)
    return rows


def _head(rows: dict[str, np.ndarray], n: int) -> dict[str, np.ndarray]:
    return {k: v[:n] for k, v in rows.items()}


# --------------------------------------------------------------------------------------------
# Relations and users
# --------------------------------------------------------------------------------------------


@dataclass
class _Profile:
    """Hidden per-relation traits that drive the events."""

    weight: np.ndarray  # attention weight (heavy-tailed)
    revenue: np.ndarray  # revenue factor (0 for prospects)
    first: np.ndarray  # first day the relation can have contact
    last: np.ndarray  # last day of counted contact (dormant / neglected relations stop early)
    manager: np.ndarray  # account manager (user index)
    prospect: np.ndarray
    top: np.ndarray
    neglected: np.ndarray
    dead: np.ndarray


def _load_geo() -> pd.DataFrame:
    geo = pd.read_csv(
        GEONAMES_FILE,
        sep="\t",
        header=None,
        dtype=str,
        keep_default_na=False,
        usecols=[1, 2, 3, 9, 10],
        names=["postcode", "city", "province", "lat", "lon"],
    )
    geo = geo[geo["postcode"].str.fullmatch(r"\d{4}") & (geo["lat"] != "")]
    return geo.astype({"lat": float, "lon": float}).reset_index(drop=True)


def _org_name(rng: np.random.Generator, city: str) -> str:
    surname = SURNAMES[rng.integers(len(SURNAMES))]
    legal = LEGAL[rng.choice(len(LEGAL), p=LEGAL_P)]
    form = rng.random()
    if form < 0.35:
        return f"{TRADE_PREFIX[rng.integers(len(TRADE_PREFIX))]} {surname}{legal}"
    if form < 0.75:
        return f"{surname} {TRADE_SUFFIX[rng.integers(len(TRADE_SUFFIX))]}{legal}"
    if form < 0.87:
        fancy = FANCY[rng.integers(len(FANCY))]
        return f"{FANCY_PREFIX[rng.integers(len(FANCY_PREFIX))]} {fancy}"
    if form < 0.95:
        return f"{city} {TRADE_SUFFIX[rng.integers(len(TRADE_SUFFIX))]}{legal}"
    letters = "".join(rng.choice(list("ABCDEGHJKMNPRSTVW"), size=3))
    return f"{letters} {TRADE_SUFFIX[rng.integers(len(TRADE_SUFFIX))]} B.V."


def _relations(
    rng: np.random.Generator, n: int, cal: _Calendar
) -> tuple[pd.DataFrame, pd.DataFrame, _Profile]:
    geo = _load_geo()
    d = cal.n_days
    perm = rng.permutation(n)
    n_dead, n_dormant, n_prospect = round(0.03 * n), round(0.07 * n), round(0.12 * n)
    dead = np.zeros(n, bool)
    dead[perm[:n_dead]] = True
    dormant = np.zeros(n, bool)
    dormant[perm[n_dead : n_dead + n_dormant]] = True
    prospect = np.zeros(n, bool)
    prospect[perm[n_dead + n_dormant : n_dead + n_dormant + n_prospect]] = True
    customer = ~(dead | dormant | prospect)

    weight = rng.lognormal(0.0, 1.1, n)
    revenue = np.where(prospect | dead, 0.0, rng.lognormal(0.0, 1.2, n))
    n_top = max(1, round(0.075 * n))
    cand = np.flatnonzero(customer)
    top_idx = cand[np.argsort(-revenue[cand], kind="stable")[:n_top]]
    top = np.zeros(n, bool)
    top[top_idx] = True
    neglected = np.zeros(n, bool)
    neglected[rng.choice(top_idx, size=max(1, round(0.13 * n_top)), replace=False)] = True
    weight = np.where(top, weight * 2.5 + 1.0, weight)
    weight = np.where(prospect, weight * 0.4, weight)
    weight = np.where(dead, 0.0, weight)

    first = np.zeros(n, dtype=np.int64)
    late = (prospect & (rng.random(n) < 0.5)) | (customer & ~top & (rng.random(n) < 0.06))
    first[late] = rng.integers(min(30, d - 1), max(d - 30, min(30, d - 1) + 1), late.sum())
    last = np.full(n, d - 1, dtype=np.int64)
    cut = max(d - 367, 1)  # dormant: nothing counted in the last year
    last[dormant] = rng.integers(min(30, cut - 1) if cut > 1 else 0, cut, dormant.sum())
    last[neglected] = np.maximum(d - 366 - rng.integers(10, 90, neglected.sum()), 0)

    # account managers, some with more relations than others
    managers = np.array(
        [_USER_INDEX[u] for u in USER_GROUPS["account managers"] if u != "NeA"]
    )  # the new hire inherits RJ's relations
    mw = np.linspace(1.6, 0.7, len(managers))
    manager = managers[rng.choice(len(managers), n, p=mw / mw.sum())]

    # name, address, postcode
    g = rng.integers(len(geo), size=n)
    country = np.full(n, "NL", dtype=object)
    abroad = rng.random(n) < 0.02
    country[abroad] = np.where(rng.random(abroad.sum()) < 0.6, "BE", "DE")
    no_postcode = ~abroad & (rng.random(n) < 0.01)
    letters = np.array(list("ABCDEGHJKLMNPRSTVWXZ"))
    pc_letters = letters[rng.integers(len(letters), size=(n, 2))]
    pc_letters[:, 1] = np.where(  # SA, SD and SS are not used in Dutch postcodes
        (pc_letters[:, 0] == "S") & np.isin(pc_letters[:, 1], ["A", "D", "S"]),
        "R",
        pc_letters[:, 1],
    )
    jitter = rng.normal(0.0, 1.0, size=(n, 2)) * np.array([0.0027, 0.0045])  # ~300 m
    numbers = rng.integers(1, 250, n)
    suffix = np.array(["", "", "", "", "", "", "a", "b", "-2", "-14"])[rng.integers(10, size=n)]
    colour_on = rng.random(n) < 0.22
    colour = np.array(COLOURS)[rng.choice(len(COLOURS), n, p=COLOURS_P)]
    names, addresses, postcodes, cities, lats, lons, seen = [], [], [], [], [], [], set()
    for i in range(n):
        if country[i] == "NL":
            city = geo.at[g[i], "city"]
            name = _org_name(rng, city)
            street = STREETS[rng.integers(len(STREETS))]
            postcode = (
                ""
                if no_postcode[i]
                else f"{geo.at[g[i], 'postcode']} {pc_letters[i, 0]}{pc_letters[i, 1]}"
            )
            lat = np.nan if no_postcode[i] else round(geo.at[g[i], "lat"] + jitter[i, 0], 6)
            lon = np.nan if no_postcode[i] else round(geo.at[g[i], "lon"] + jitter[i, 1], 6)
        else:
            c = country[i]
            city, postcode = FOREIGN[c][rng.integers(len(FOREIGN[c]))]
            name = (
                f"{FOREIGN_NAMES[c][rng.integers(len(FOREIGN_NAMES[c]))]} "
                f"{TRADE_SUFFIX[rng.integers(len(TRADE_SUFFIX))]}"
                f"{FOREIGN_LEGAL[c][rng.integers(len(FOREIGN_LEGAL[c]))]}"
            )
            street = FOREIGN_STREETS[c][rng.integers(len(FOREIGN_STREETS[c]))]
            lat = lon = np.nan
        if name in seen:
            name = f"{name} ({city})"
        seen.add(name)
        names.append(name)
        addresses.append(f"{street} {numbers[i]}{suffix[i]}")
        postcodes.append(postcode or None)
        cities.append(city)
        lats.append(lat)
        lons.append(lon)
    ids = [f"R{i + 1:05d}" for i in range(n)]
    relations = pd.DataFrame(
        {
            "relation_id": ids,
            "name": names,
            "address": addresses,
            "postcode": postcodes,
            "city": cities,
            "country": country.astype(str).tolist(),
            "lat": np.array(lats, dtype=float),
            "lon": np.array(lons, dtype=float),
            "colour": [c if on else None for c, on in zip(colour, colour_on, strict=True)],
        }
    )

    province = np.where(country == "NL", geo["province"].to_numpy()[g], "")
    member = {
        "top customers": top,
        "prospects": prospect,
        "region north": np.isin(province, NORTH),
        "region south": np.isin(province, SOUTH),
        "dealers": customer & ~top & (rng.random(n) < 0.06),
    }
    pairs = [(ids[i], grp) for grp, mask in member.items() for i in np.flatnonzero(mask)]
    pairs.sort()
    relation_groups = pd.DataFrame(pairs, columns=["relation_id", "group"])
    profile = _Profile(weight, revenue, first, last, manager, prospect, top, neglected, dead)
    return relations, relation_groups, profile


_USER_INDEX = {u[0]: i for i, u in enumerate(USERS)}


def _users() -> tuple[pd.DataFrame, pd.DataFrame]:
    left = {u for u, *_ in LEAVERS}
    users = pd.DataFrame(
        {
            "user_id": [u[0] for u in USERS],
            "name": [u[1] for u in USERS],
            "department": [u[2] for u in USERS],
            "active": [u[0] not in left for u in USERS],
        }
    )
    groups = pd.DataFrame(
        [(u, g) for g, members in USER_GROUPS.items() for u in members],
        columns=["user_id", "group"],
    )
    return users, groups


def _by(department: str | None = None, group: str | None = None) -> np.ndarray:
    if group is not None:
        return np.array([_USER_INDEX[u] for u in USER_GROUPS[group]])
    return np.array([i for i, u in enumerate(USERS) if u[2] == department])


def _pick(rng: np.random.Generator, pool: np.ndarray, n: int) -> np.ndarray:
    return pool[rng.integers(len(pool), size=n)]


# --------------------------------------------------------------------------------------------
# Events
# --------------------------------------------------------------------------------------------


class _Builder:
    """Builds the event rows of each kind; holds the shared state."""

    def __init__(self, rng: np.random.Generator, cal: _Calendar, prof: _Profile) -> None:
        self.rng, self.cal, self.prof = rng, cal, prof
        self.text = _Pool()
        self.refs: list[str] = []
        self.sales_u = _by("Sales")
        self.inside = _by(group="inside sales")
        self.marketing = _by("Marketing")
        self.service = _by("Service")

    # -- helpers ---------------------------------------------------------------------------
    def relations(self, n: int, weight: np.ndarray) -> np.ndarray:
        return self.rng.choice(len(weight), size=n, p=weight / weight.sum())

    def anyone(self, rel: np.ndarray) -> np.ndarray:
        """A user for history, notes: mostly the account manager, else anyone."""
        rng, n = self.rng, len(rel)
        r = rng.random(n)
        return np.where(
            r < 0.45,
            self.prof.manager[rel],
            np.where(
                r < 0.65,
                _pick(rng, self.sales_u, n),
                np.where(r < 0.9, _pick(rng, self.service, n), _pick(rng, self.marketing, n)),
            ),
        )

    def texts(self, templates: tuple[str, ...], prefix: str = "") -> np.ndarray:
        """Codes of every template x product combination, shape (len(templates), products)."""
        out = np.empty((len(templates), len(PRODUCTS)), dtype=np.int64)
        for i, t in enumerate(templates):
            out[i] = self.text.add_all([prefix + t.format(p=p) for p in PRODUCTS])
        return out

    def letters(
        self, greet: tuple[str, ...], sentences: tuple[str, ...], close: tuple[str, ...], n: int
    ) -> np.ndarray:
        """A pool of ``n`` e-mail bodies: greeting, one to three sentences, closing."""
        rng, bodies = self.rng, []
        for _ in range(n):
            f = FIRST_NAMES[rng.integers(len(FIRST_NAMES))]
            s = SURNAMES[rng.integers(len(SURNAMES))]
            p = PRODUCTS[rng.integers(len(PRODUCTS))]
            k = rng.integers(1, 4)
            lines = " ".join(
                sentences[j].format(p=p) for j in rng.choice(len(sentences), k, replace=False)
            )
            bodies.append(
                f"{greet[rng.integers(len(greet))].format(f=f, s=s)}\n\n{lines}\n\n"
                f"{close[rng.integers(len(close))].format(f=f, s=s)}"
            )
        return self.text.add_all(bodies)

    def ref_codes(self, names: list[str]) -> int:
        offset = len(self.refs)
        self.refs.extend(names)
        return offset

    def numbered(
        self, prefixes: tuple[str, ...], day: np.ndarray, sec: np.ndarray, width: int = 4
    ) -> tuple[int, np.ndarray]:
        """Reference names ``<prefix>-<year>-<nnnn>`` numbered by start time within each year.

        Returns the offset of the block and the per-chain number index; the reference of
        prefix ``k`` of chain ``c`` has code ``offset + c * len(prefixes) + k``.
        """
        years = np.array(
            [(self.cal.start + dt.timedelta(days=int(x))).year for x in range(self.cal.n_days)]
        )[np.minimum(day, self.cal.n_days - 1)]
        order = np.lexsort((sec, day))
        year_sorted = years[order]
        starts = np.searchsorted(year_sorted, year_sorted, side="left")
        number = np.empty(len(day), dtype=np.int64)
        number[order] = np.arange(len(day)) - starts + 1
        names = [
            f"{p}-{y}-{k:0{width}d}"
            for y, k in zip(years.tolist(), number.tolist(), strict=True)
            for p in prefixes
        ]
        return self.ref_codes(names), number

    # -- kinds -----------------------------------------------------------------------------
    def history(self, budget: int) -> dict[str, np.ndarray]:
        rng, cal, prof = self.rng, self.cal, self.prof
        n = math.ceil(budget / 1.2 * 1.15) + 10
        rel = self.relations(n, prof.weight)
        day0 = cal.sample(rng, prof.first[rel], prof.last[rel], boost=1 + 3 * cal.fair)
        sec0 = _office_seconds(rng, n)
        chans = ("phone", "meeting", "visit", "trade_show")
        chan = rng.choice(3, n, p=[0.6, 0.2, 0.2])
        chan = np.where(cal.fair[day0] & (rng.random(n) < 0.7), 3, chan)
        day1, sec1 = _advance(rng, cal, day0, sec0, 0.5, 1, 10)
        keep = np.stack([np.ones(n, bool), (rng.random(n) < 0.2) & (day1 <= prof.last[rel])], 1)
        subj_tab = np.concatenate([self.texts(HISTORY_SUBJECTS[c]) for c in chans])
        offsets = np.cumsum([0] + [len(HISTORY_SUBJECTS[c]) for c in chans])
        tmpl = offsets[chan] + rng.integers(0, 1 << 30, n) % np.diff(offsets)[chan]
        subj = subj_tab[tmpl, rng.integers(len(PRODUCTS), size=n)]
        body_tab = self.texts(HISTORY_BODY)
        flat = rng.integers(len(HISTORY_BODY), size=n) * len(PRODUCTS) + rng.integers(
            len(PRODUCTS), size=n
        )
        b0 = body_tab.ravel()[flat]
        mod_tab = np.array(
            [
                [self.text.add(m + self.text.items[c]) for c in body_tab.ravel()]
                for m in HISTORY_MODIFIED
            ]
        )
        b1 = mod_tab[rng.integers(len(HISTORY_MODIFIED), size=n), flat]
        user0 = self.anyone(rel)
        user1 = np.where(rng.random(n) < 0.7, user0, self.anyone(rel))
        chan_code = np.array([_CH[c] for c in chans])[chan]
        rows = _flatten(
            keep,
            {
                "day": np.stack([day0, day1], 1),
                "sec": np.stack([sec0, sec1], 1),
                "user": np.stack([user0, user1], 1),
                "body": np.stack([b0, b1], 1),
                "pair": np.broadcast_to(
                    np.array([_PAIR["history", "added"], _PAIR["history", "modified"]]), (n, 2)
                ),
            },
            {"rel": rel, "chan": chan_code, "subj": subj},
        )
        return _head(rows, budget)

    def notes(self, n: int) -> dict[str, np.ndarray]:
        rng, cal, prof = self.rng, self.cal, self.prof
        rows = _empty(n)
        rel = self.relations(max(n, 1), prof.weight)[:n]
        rows["rel"] = rel
        rows["day"] = cal.sample(rng, prof.first[rel], prof.last[rel])
        rows["sec"] = _office_seconds(rng, n)
        rows["user"] = self.anyone(rel)
        rows["pair"][:] = _PAIR["note", "added"]
        rows["subj"] = self.text.add_all(list(NOTE_SUBJECTS))[
            rng.integers(len(NOTE_SUBJECTS), size=n)
        ]
        rows["body"] = self.text.add_all(list(NOTE_BODY))[rng.integers(len(NOTE_BODY), size=n)]
        return rows

    def correspondence(self, budget: int) -> dict[str, np.ndarray]:
        rng, cal, prof = self.rng, self.cal, self.prof
        n = math.ceil(budget / 2.1 * 1.2) + 10
        steps = 8
        rel = self.relations(n, prof.weight)
        letter = rng.random(n) < 0.08
        length = np.minimum(rng.geometric(0.45, n), steps)
        length = np.where(letter, np.minimum(length, 2), length)
        first_in = rng.random(n) < 0.45
        day = np.empty((n, steps), dtype=np.int64)
        sec = np.empty((n, steps), dtype=np.int64)
        day[:, 0] = cal.sample(rng, prof.first[rel], prof.last[rel])
        sec[:, 0] = _office_seconds(rng, n)
        for k in range(1, steps):
            d_mail, s_mail = _advance(rng, cal, day[:, k - 1], sec[:, k - 1], 0.35, 1, 7)
            d_let, s_let = _advance(rng, cal, day[:, k - 1], sec[:, k - 1], 0.0, 3, 14)
            day[:, k] = np.where(letter, d_let, d_mail)
            sec[:, k] = np.where(letter, s_let, s_mail)
        ok = (np.arange(steps) < length[:, None]) & (day <= prof.last[rel][:, None])
        keep = np.logical_and.accumulate(ok, axis=1)
        inbound = first_in[:, None] ^ (np.arange(steps) % 2 == 1)
        r = rng.random(n)
        owner = np.where(
            r < 0.5,
            prof.manager[rel],
            np.where(
                r < 0.7,
                _pick(rng, self.inside, n),
                np.where(r < 0.92, _pick(rng, self.service, n), _pick(rng, self.marketing, n)),
            ),
        )
        ti, pi = rng.integers(len(EMAIL_SUBJECTS), size=n), rng.integers(len(PRODUCTS), size=n)
        base = self.texts(EMAIL_SUBJECTS)[ti, pi]
        re = self.texts(EMAIL_SUBJECTS, prefix="Re: ")[ti, pi]
        letter_subj = self.text.add_all(list(LETTER_SUBJECTS))[
            rng.integers(len(LETTER_SUBJECTS), size=n)
        ]
        subj = np.where(np.arange(steps) == 0, base[:, None], re[:, None])
        subj = np.where(letter[:, None], letter_subj[:, None], subj)
        pool_in = self.letters(GREET_IN, EMAIL_IN, CLOSE_IN, 400)
        pool_out = self.letters(GREET_OUT, EMAIL_OUT, CLOSE_OUT, 400)
        body = np.where(
            inbound,
            _pick(rng, pool_in, n * steps).reshape(n, steps),
            _pick(rng, pool_out, n * steps).reshape(n, steps),
        )
        # a handful of inbound e-mails with hostile content
        hostile = np.flatnonzero(~letter & first_in)[: len(HOSTILE_SUBJECTS)]
        subj[hostile, 0] = self.text.add_all(list(HOSTILE_SUBJECTS))[: len(hostile)]
        body[hostile, 0] = self.text.add_all(list(HOSTILE_BODIES))[: len(hostile)]
        rows = _flatten(
            keep,
            {
                "day": day,
                "sec": sec,
                "subj": subj,
                "body": body,
                "dir": np.where(inbound, _IN, _OUT),
            },
            {"rel": rel, "user": owner, "chan": np.where(letter, _CH["letter"], _CH["email"])},
        )
        rows["pair"][:] = _PAIR["correspondence", "added"]
        return _head(rows, budget)

    def mailings(self, budget: int) -> dict[str, np.ndarray]:
        rng, cal, prof = self.rng, self.cal, self.prof
        n_rel = len(prof.weight)
        alive = ~prof.dead
        m = max(1, round(budget / (0.55 * max(alive.sum(), 1) * 1.05)))
        tue_thu = np.isin((np.arange(cal.n_days) + cal.start.weekday()) % 7, [1, 2, 3])
        day = cal.sample(
            rng,
            np.zeros(m, np.int64),
            np.full(m, cal.n_days - 1),
            boost=np.where(tue_thu, 1.0, 0.02),
        )
        sec = rng.integers(9 * 3600, 10 * 3600 + 1800, m)
        sender = _pick(rng, self.marketing, m)
        frac = rng.uniform(0.25, 0.85, m)
        to = (rng.random((m, n_rel)) < frac[:, None]) & alive & (prof.first <= day[:, None])
        mi, ri = np.nonzero(to)
        rank = np.arange(len(mi)) - np.searchsorted(mi, mi)
        # subjects and references per mailing
        subjects = []
        for k in range(m):
            date = cal.start + dt.timedelta(days=int(day[k]))
            subjects.append(
                MAILINGS[rng.integers(len(MAILINGS))].format(
                    m=MONTHS_NL[date.month - 1], y=date.year
                )
            )
        subj = self.text.add_all(subjects)
        re = self.text.add_all(["Re: " + s for s in subjects])
        offset, _ = self.numbered(("MAIL",), day, sec, width=3)
        body = self.text.add_all(list(MAILING_BODY))
        resp_body = self.text.add_all(list(MAILING_RESPONSE))
        # responses: an inbound e-mail within days, sometimes answered
        w = prof.weight[ri] / max(prof.weight[alive].mean(), 1e-9)
        p = np.clip(0.035 * w**0.3, 0.0, 0.2)
        ans = (rng.random(len(mi)) < p) & (day[mi] <= prof.last[ri])
        delay = rng.choice(6, len(mi), p=[0.3, 0.3, 0.15, 0.1, 0.1, 0.05])
        d1, s1 = cal.working(day[mi] + delay), _office_seconds(rng, len(mi))
        s1 = np.where(d1 == day[mi], np.maximum(s1, sec[mi] + rank // 5 + 600), s1)
        ans &= d1 <= prof.last[ri]
        d2, s2 = _advance(rng, cal, d1, s1, 0.5, 1, 2)
        reply = ans & (rng.random(len(mi)) < 0.5) & (d2 <= prof.last[ri])
        handler = np.where(rng.random(len(mi)) < 0.6, prof.manager[ri], sender[mi])
        parts = []
        for kind, mask in ((0, np.ones(len(mi), bool)), (1, ans), (2, reply)):
            idx = np.flatnonzero(mask)
            rows = _empty(len(idx))
            rows["rel"] = ri[idx]
            rows["chan"][:] = _CH["email"]
            rows["ref"] = offset + mi[idx]
            if kind == 0:
                rows["day"], rows["sec"] = day[mi[idx]], sec[mi[idx]] + rank[idx] // 5
                rows["user"], rows["subj"] = sender[mi[idx]], subj[mi[idx]]
                rows["body"] = body[rng.integers(len(body), size=len(idx))]
                rows["pair"][:] = _PAIR["marketing", "mailing_sent"]
            else:
                rows["day"] = (d1 if kind == 1 else d2)[idx]
                rows["sec"] = (s1 if kind == 1 else s2)[idx]
                rows["user"], rows["subj"] = handler[idx], re[mi[idx]]
                rows["dir"][:] = _IN if kind == 1 else _OUT
                rows["body"] = (
                    resp_body[rng.integers(len(resp_body), size=len(idx))]
                    if kind == 1
                    else _pick(rng, self.letters(GREET_OUT, EMAIL_OUT, CLOSE_OUT, 50), len(idx))
                )
                rows["pair"][:] = _PAIR["correspondence", "added"]
            rows["_key"] = np.stack([mi[idx], np.full(len(idx), kind), ri[idx]])
            parts.append(rows)
        rows = {k: np.concatenate([p[k] for p in parts], axis=-1) for k in parts[0]}
        key = rows.pop("_key")
        order = np.lexsort((key[2], key[1], key[0]))  # chain-major: per mailing
        return _head({k: v[order] for k, v in rows.items()}, budget)

    def helpdesk(self, budget: int) -> dict[str, np.ndarray]:
        rng, cal, prof = self.rng, self.cal, self.prof
        n = math.ceil(budget / 2.9 * 1.15) + 10
        w = prof.weight**0.8 * np.where(prof.prospect, 0.1, 1.0)
        rel = self.relations(n, w)
        n_mod = rng.choice(4, n, p=[0.35, 0.35, 0.2, 0.1])
        closes = rng.random(n) < 0.95
        length = 1 + n_mod + closes
        steps = 5
        day = np.empty((n, steps), dtype=np.int64)
        sec = np.empty((n, steps), dtype=np.int64)
        day[:, 0] = cal.sample(rng, prof.first[rel], prof.last[rel])
        sec[:, 0] = _office_seconds(rng, n)
        col = np.arange(steps)
        is_close = closes[:, None] & (col == (n_mod + 1)[:, None])
        for k in range(1, steps):
            dm, sm = _advance(rng, cal, day[:, k - 1], sec[:, k - 1], 0.4, 1, 4)
            dc, sc = _advance(rng, cal, day[:, k - 1], sec[:, k - 1], 0.3, 1, 10)
            day[:, k] = np.where(is_close[:, k], dc, dm)
            sec[:, k] = np.where(is_close[:, k], sc, sm)
        keep = np.logical_and.accumulate((col < length[:, None]) & (day < cal.n_days), axis=1)
        pair = np.where(
            col == 0,
            _PAIR["helpdesk", "call_added"],
            np.where(
                is_close, _PAIR["helpdesk", "call_closed"], _PAIR["helpdesk", "call_modified"]
            ),
        )
        first = _pick(rng, self.service, n)
        user = np.where(
            rng.random((n, steps)) < 0.75,
            first[:, None],
            _pick(rng, self.service, n * steps).reshape(n, steps),
        )
        chan = np.where(
            col == 0,
            rng.choice([_CH["phone"], _CH["email"], _CH["web"]], n, p=[0.55, 0.3, 0.15])[:, None],
            -1,
        )
        product = rng.integers(len(PRODUCTS), size=n)
        subj = self.texts(CALL_SUBJECTS)[rng.integers(len(CALL_SUBJECTS), size=n), product]
        b_add = self.texts(CALL_ADDED)[rng.integers(len(CALL_ADDED), size=n), product]
        b_mod = self.text.add_all(list(CALL_MODIFIED))
        b_close = self.text.add_all(list(CALL_CLOSED))
        body = np.where(
            col == 0,
            b_add[:, None],
            np.where(
                is_close,
                _pick(rng, b_close, n * steps).reshape(n, steps),
                _pick(rng, b_mod, n * steps).reshape(n, steps),
            ),
        )
        order = np.lexsort((sec[:, 0], day[:, 0]))
        number = np.empty(n, dtype=np.int64)
        number[order] = np.arange(n)
        offset = self.ref_codes([f"CALL-{k + 1:06d}" for k in range(n)])
        rows = _flatten(
            keep,
            {
                "day": day,
                "sec": sec,
                "user": user,
                "pair": pair,
                "chan": chan,
                "body": body,
                "status": np.where(is_close, _CLOSED, _OPEN),
            },
            {"rel": rel, "subj": subj, "ref": offset + number},
        )
        return _head(rows, budget)

    def sales(self, budget: int) -> dict[str, np.ndarray]:
        rng, cal, prof = self.rng, self.cal, self.prof
        d = cal.n_days
        n = math.ceil(budget / 3.6 * 1.2) + 10
        # neglected top customers: one or two direct orders in the last year, nothing else
        special = np.repeat(
            np.flatnonzero(prof.neglected), rng.integers(1, 3, prof.neglected.sum())
        )
        wn = prof.weight / prof.weight.mean()
        rv = prof.revenue / max(prof.revenue.mean(), 1e-9)
        w = np.where(prof.prospect, 0.3 * wn, 0.5 * wn + 0.5 * rv) * ~prof.dead
        rel = np.concatenate([special, self.relations(n, w)])
        n = len(rel)
        sp = np.arange(n) < len(special)
        kind = np.where(
            prof.prospect[rel],
            rng.choice(3, n, p=[0.7, 0.3, 0.0]),
            rng.choice(3, n, p=[0.15, 0.5, 0.35]),
        )  # suspect, quote, direct order
        kind[sp] = 2
        has_s = kind == 0
        has_q = (kind == 1) | (has_s & (rng.random(n) < 0.5))
        outcome = rng.choice(3, n, p=[0.55, 0.35, 0.10])  # order, expired, still open
        outcome = np.where(prof.prospect[rel] & (outcome == 0), 1, outcome)
        has_o = (kind == 2) | (has_q & (outcome == 0))
        n_inv = rng.choice([1, 2, 3], n, p=[0.75, 0.18, 0.07])
        present = np.stack(
            [
                has_s,
                has_s & has_q,
                has_q,
                has_q & (outcome == 1),
                has_q & (outcome == 0),
                has_o,
                has_o,
                has_o & (n_inv >= 2),
                has_o & (n_inv >= 3),
            ],
            1,
        )
        steps = present.shape[1]
        # (p_same, min_days, max_days) per step; None = a few seconds/minutes later
        delays = (
            (0, 0, 0),
            (0.1, 2, 25),
            None,
            (0.0, 30, 45),
            (0.05, 3, 40),
            None,
            (0.0, 5, 30),
            (0.0, 20, 60),
            (0.0, 20, 60),
        )
        lo = np.where(sp, max(d - 360, 0), prof.first[rel])
        hi = np.where(sp, max(d - 30, 0), prof.last[rel])
        day0 = cal.sample(rng, lo, np.maximum(lo, hi))
        sec0 = _office_seconds(rng, n)
        day = np.empty((n, steps), dtype=np.int64)
        sec = np.empty((n, steps), dtype=np.int64)
        cur_d, cur_s, started = day0.copy(), sec0.copy(), np.zeros(n, bool)
        for k, delay in enumerate(delays):
            if delay is None:
                nd, ns = cur_d, cur_s + rng.integers(30, 900, n)
            else:
                nd, ns = _advance(rng, cal, cur_d, cur_s, *delay)
            nd, ns = np.where(started, nd, day0), np.where(started, ns, sec0)
            day[:, k], sec[:, k] = nd, ns
            cur_d = np.where(present[:, k], nd, cur_d)
            cur_s = np.where(present[:, k], ns, cur_s)
            started |= present[:, k]
        limit = np.where(np.arange(steps) >= 6, d - 1, np.where(sp, d - 1, prof.last[rel])[:, None])
        keep = present & np.logical_and.accumulate(~present | (day <= limit), axis=1)
        # amounts in cents: heavy-tailed, larger for relations with more revenue
        base = rng.lognormal(math.log(2200), 0.85, n) * np.maximum(rv[rel], 0.2) ** 0.5
        base = np.where(sp, rng.uniform(20_000, 80_000, n), base)
        cents = np.clip(base, 150, 250_000) * 100
        cents = np.where(rng.random(n) < 0.5, np.round(cents / 100) * 100, np.round(cents))
        cents = cents.astype(np.int64)
        order_c = np.where(
            has_q & (rng.random(n) < 0.3), np.round(cents * rng.uniform(0.85, 0.98, n)), cents
        ).astype(np.int64)
        share = np.where(n_inv == 1, 1.0, np.where(n_inv == 2, 0.5, 0.4))
        f1 = np.round(order_c * share).astype(np.int64)
        f2 = np.where(n_inv == 2, order_c - f1, np.round(order_c * 0.3).astype(np.int64))
        f3 = order_c - f1 - f2
        nan = np.full(n, np.nan)
        amount = np.stack(
            [nan, nan, cents / 100, nan, nan, order_c / 100, f1 / 100, f2 / 100, f3 / 100], 1
        )
        # users: suspects by marketing or sales, quotes/orders by an owner, invoices by inside
        owner = np.where(rng.random(n) < 0.6, prof.manager[rel], _pick(rng, self.inside, n))
        r = rng.random(n)
        suspect_user = np.where(
            r < 0.35,
            _pick(rng, self.marketing, n),
            np.where(r < 0.75, prof.manager[rel], _pick(rng, self.inside, n)),
        )
        invoicer = _pick(rng, self.inside, n)
        user = np.stack([suspect_user] + [owner] * 5 + [invoicer] * 3, 1)
        chan = np.full((n, steps), -1, dtype=np.int64)
        chan[:, 0] = np.where(
            cal.fair[np.minimum(day0, d - 1)],
            _CH["trade_show"],
            rng.choice([_CH["web"], _CH["phone"], _CH["other"]], n, p=[0.4, 0.35, 0.25]),
        )
        product = rng.integers(len(PRODUCTS), size=n)
        subj_tab = self.texts(tuple(s for _, s, _ in SALES_STEPS))
        body_tab = self.texts(tuple(b for _, _, b in SALES_STEPS))
        subj = subj_tab[:, product].T
        body = body_tab[:, product].T
        pair = np.broadcast_to(np.array([_PAIR["sales", a] for a, _, _ in SALES_STEPS]), (n, steps))
        letters = ("S", "Q", "O", "F")
        offset, _ = self.numbered(letters, day0, sec0)
        stage = np.array([0, 0, 1, 1, 1, 2, 3, 3, 3])
        ref = offset + np.arange(n)[:, None] * len(letters) + stage
        rows = _flatten(
            keep,
            {
                "day": day,
                "sec": sec,
                "user": user,
                "chan": chan,
                "subj": subj,
                "body": body,
                "pair": pair,
                "amount": amount,
                "ref": ref,
            },
            {"rel": rel},
        )
        return _head(rows, budget)


def _remap_users(user: np.ndarray, day: np.ndarray, n_days: int) -> np.ndarray:
    """Hand-over: after a user left, their work is done by the successor (and vice versa)."""
    user = user.copy()
    for leaver, successor, days_before, new_hire in LEAVERS:
        left = max(n_days - 1 - days_before, n_days // 3)
        a, b = _USER_INDEX[leaver], _USER_INDEX[successor]
        user[(user == a) & (day > left)] = b
        if new_hire:
            user[(user == b) & (day <= left)] = a
    return user


def _to_str(values: pa.Array) -> pd.Series:
    return pd.Series(
        values.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow", na_value=np.nan)}.get)
    )


def _categorical(codes: np.ndarray, categories) -> pd.Categorical:
    return pd.Categorical.from_codes(codes, categories=pd.Index(list(categories), dtype="str"))


def generate(
    n_relations: int = 400,
    n_events: int = 150_000,
    *,
    seed: int = 42,
    end: dt.date = dt.date(2026, 10, 31),
    years: int = 2,
) -> dict[str, pd.DataFrame]:
    """Generate a deterministic, realistic Dutch SME CRM data set.

    Parameters
    ----------
    n_relations
        Number of relations (organisations).
    n_events
        Exact number of events.
    seed
        Seed of the random generator; the same arguments give identical tables.
    end
        Last day of the data; events fall within ``years`` years up to ``end`` 23:59:59.
    years
        Length of the history in years.

    Returns
    -------
    dict of DataFrame
        The five tables ``relations, relation_groups, users, user_groups, events`` with the
        contract's columns. Repetitive event text columns are categorical; ``event_id`` and
        ``reference`` are pyarrow-backed strings.
    """
    if isinstance(end, dt.datetime):
        end = end.date()
    if n_relations < 1 or n_events < 0 or years < 1:
        raise ValueError("need n_relations >= 1, n_events >= 0 and years >= 1")
    rng = np.random.default_rng(seed)
    cal = _Calendar.build(end, years)
    users, user_groups = _users()
    relations, relation_groups, prof = _relations(rng, n_relations, cal)

    b = _Builder(rng, cal, prof)
    budget = {
        "history": 0.30,
        "correspondence": 0.28,
        "mailings": 0.10,
        "helpdesk": 0.12,
        "sales": 0.12,
    }
    parts = [getattr(b, k)(int(n_events * f)) for k, f in budget.items()]
    parts.append(b.notes(n_events - sum(len(p["rel"]) for p in parts)))
    rows = {}
    for k in _FIELDS:  # field by field, freeing the parts as we go
        rows[k] = np.concatenate([p.pop(k) for p in parts])
        rows[k] = rows[k].astype(np.float64 if k == "amount" else np.int32, copy=False)
    del parts
    rows["user"] = _remap_users(rows["user"], rows["day"], cal.n_days)

    start = np.datetime64(cal.start, "s").astype(np.int64)
    ts = start + rows.pop("day").astype(np.int64) * _DAY + rows.pop("sec")
    order = np.argsort(ts, kind="stable")
    ts = ts[order]
    n = len(order)

    def take(k: str) -> np.ndarray:
        return rows.pop(k)[order]

    width = max(7, len(str(n)))
    ids = pc.binary_join_element_wise(
        "E", pc.utf8_lpad(pa.array(np.arange(1, n + 1)).cast(pa.string()), width, "0"), ""
    )
    cols: dict[str, object] = {"event_id": _to_str(ids)}
    del ids
    cols["relation_id"] = _categorical(take("rel"), relations["relation_id"])
    cols["user_id"] = _categorical(take("user"), users["user_id"])
    cols["timestamp"] = ts.astype("datetime64[s]").astype("datetime64[us]")
    del ts
    pair = take("pair")
    cols["source"] = _categorical(_PAIR_SOURCE[pair], SOURCES)
    cols["action"] = _categorical(_PAIR_ACTION[pair], ACTION_NAMES)
    del pair
    cols["channel"] = _categorical(take("chan"), CHANNELS)
    cols["direction"] = _categorical(take("dir"), DIRECTIONS)
    cols["subject"] = _categorical(take("subj"), b.text.items)
    cols["body"] = _categorical(take("body"), b.text.items)
    cols["amount"] = take("amount")
    cols["status"] = _categorical(take("status"), STATUSES)
    ref = take("ref")
    cols["reference"] = _to_str(pa.array(b.refs, pa.string()).take(pa.array(ref, mask=ref < 0)))
    del ref
    events = pd.DataFrame(cols, copy=False)
    tables = {
        "relations": relations,
        "relation_groups": relation_groups,
        "users": users,
        "user_groups": user_groups,
        "events": events,
    }
    return {name: tables[name][list(COLUMNS[name])] for name in COLUMNS}


def write(
    tables: dict[str, pd.DataFrame], folder: str | Path, events_format: str = "parquet"
) -> None:
    """Write a data set to ``folder``: four CSV files and ``events.parquet`` (or ``.csv``).

    Parameters
    ----------
    tables
        The five tables, as returned by :func:`generate`.
    folder
        Target folder; created when missing; existing files are overwritten.
    events_format
        ``"parquet"`` (zstd-compressed, text columns dictionary-encoded) or ``"csv"``.
    """
    if events_format not in ("parquet", "csv"):
        raise ValueError(f"events_format must be 'parquet' or 'csv', not {events_format!r}")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("relations", "relation_groups", "users", "user_groups"):
        tables[name].to_csv(
            folder / f"{name}.csv", index=False, encoding="utf-8", lineterminator="\n"
        )
    events = tables["events"]
    if events_format == "csv":
        events.to_csv(
            folder / "events.csv",
            index=False,
            encoding="utf-8",
            lineterminator="\n",
            float_format="%.2f",
            date_format="%Y-%m-%d %H:%M:%S",
        )
    else:
        table = pa.Table.from_pandas(events, preserve_index=False)
        pq.write_table(table, folder / "events.parquet", compression="zstd")
