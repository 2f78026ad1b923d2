"""Translations (nl/en) and Dutch/English number formats: the one place for UI and report text.

``TEXT`` maps a key to its Dutch and English text (a :meth:`str.format` template); :func:`t`
fills it in. Band and area labels live in :mod:`aandacht.bands`, not here.

>>> t("contact_moments", "nl", n=3)
'3 contactmomenten'
>>> fmt_number(1234.5, "nl", 1), fmt_number(1234.5, "en", 1)
('1.234,5', '1,234.5')
"""

from __future__ import annotations

import math
from typing import Any

__all__ = [
    "LANGS",
    "TEXT",
    "check_lang",
    "fmt_days_ago",
    "fmt_money",
    "fmt_number",
    "fmt_percent",
    "fmt_ratio",
    "fmt_relations",
    "fmt_short",
    "t",
]

LANGS: tuple[str, ...] = ("nl", "en")

TEXT: dict[str, dict[str, str]] = {
    # --- counts and time -------------------------------------------------------------------
    "contact_moments": {"nl": "{n} contactmomenten", "en": "{n} contact moments"},
    "contact_moment": {"nl": "{n} contactmoment", "en": "{n} contact moment"},
    "days_ago": {"nl": "{n} dagen geleden", "en": "{n} days ago"},
    "day_ago": {"nl": "{n} dag geleden", "en": "{n} day ago"},
    "today": {"nl": "vandaag", "en": "today"},
    "by_user": {"nl": "door {user}", "en": "by {user}"},
    # --- explanation sentences (B3) ---------------------------------------------------------
    "basis_relative": {"nl": "{ratio}× het groepsgemiddelde", "en": "{ratio}× the group average"},
    "basis_per_month": {"nl": "{rate} per maand", "en": "{rate} per month"},
    "basis_quantile": {
        "nl": "meer dan {pct} van de relaties met contact",
        "en": "more than {pct} of the relations with contact",
    },
    "basis_quantile_lowest": {
        "nl": "het laagste aantal van de relaties met contact",
        "en": "the lowest number among the relations with contact",
    },
    "basis_bounds": {"nl": "{band}: vanaf {low}", "en": "{band}: from {low}"},
    "basis_bounds_below": {
        "nl": "{band}: vanaf {low}, onder {high}",
        "en": "{band}: from {low}, below {high}",
    },
    "basis_below": {"nl": "{band}: onder {high}", "en": "{band}: below {high}"},
    "last": {"nl": "laatste: {what}", "en": "last: {what}"},
    "none_in_period": {
        "nl": "geen contactmomenten in de periode",
        "en": "no contact moments in the period",
    },
    "last_contact_ago": {"nl": "laatste contact {ago}", "en": "last contact {ago}"},
    "never_contact": {"nl": "nooit contact", "en": "no contact ever"},
    # --- sales explanations -----------------------------------------------------------------
    "sales_excluded": {
        "nl": "uitgesloten: geen contactmomenten en geen omzet in de periode",
        "en": "excluded: no contact moments and no revenue in the period",
    },
    "sales_no_contacts": {
        "nl": "{revenue} omzet zonder contactmomenten; verwacht: {expected}",
        "en": "{revenue} revenue and no contact moments; expected: {expected}",
    },
    "sales_no_revenue": {
        "nl": "{contacts} zonder omzet",
        "en": "{contacts} and no revenue",
    },
    "sales_negative_revenue": {
        "nl": "{contacts} bij een negatieve omzet van {revenue} (creditnota's): de index is "
        "negatief, onder elke drempel",
        "en": "{contacts} with a negative revenue of {revenue} (credit notes): the index is "
        "negative, below every threshold",
    },
    "sales_short": {
        "nl": "{contacts} bij {revenue} omzet (index {index}): {gap} minder dan de verwachte "
        "{expected}",
        "en": "{contacts} for {revenue} revenue (index {index}): {gap} short of the expected "
        "{expected}",
    },
    "sales_in_line": {
        "nl": "{contacts} bij {revenue} omzet (index {index}): zoals verwacht",
        "en": "{contacts} for {revenue} revenue (index {index}): as expected",
    },
    "gap_n": {"nl": "{n} contactmomenten", "en": "{n} contacts"},
    "gap_1": {"nl": "{n} contactmoment", "en": "{n} contact"},
    "sales_over": {
        "nl": "{contacts} bij {revenue} omzet (index {index}): {gap} meer dan de verwachte "
        "{expected}",
        "en": "{contacts} for {revenue} revenue (index {index}): {gap} more than the expected "
        "{expected}",
    },
    # --- summaries (S6, S9) -----------------------------------------------------------------
    "group_little": {"nl": "weinig aandacht", "en": "little attention"},
    "group_average": {"nl": "gemiddelde aandacht", "en": "average attention"},
    "group_much": {"nl": "veel aandacht", "en": "much attention"},
    "summary_line": {"nl": "{pct} {group} ({relations})", "en": "{pct} {group} ({relations})"},
    "n_relations": {"nl": "{n} relaties", "en": "{n} relations"},
    "n_relation": {"nl": "{n} relatie", "en": "{n} relation"},
    "summary_groups": {
        "nl": "Weinig = geen + zeer weinig + weinig (rood, donkergrijs, lichtgrijs); gemiddeld = "
        "blauw; veel = veel + zeer veel (groen, geel). Percentages van {n} gemeten relaties, "
        "inclusief relaties zonder contactmomenten.",
        "en": "Little = none + very little + little (red, dark grey, light grey); average = blue; "
        "much = much + very much (green, yellow). Percentages of {n} measured relations, "
        "including relations without contact moments.",
    },
    "how_relative": {
        "nl": "Strategie relatief: het aantal contactmomenten per relatie gedeeld door het "
        "groepsgemiddelde van {mean}; grenzen {thresholds}× het gemiddelde (een verhouding "
        "gelijk aan een grens telt in de hogere band).",
        "en": "Strategy relative: each relation's contact moments divided by the group average "
        "of {mean}; thresholds {thresholds}× the average (a ratio equal to a threshold goes to "
        "the higher band).",
    },
    "how_fixed": {
        "nl": "Strategie vast: grenzen bij {thresholds} contactmomenten (gelijk aan een grens "
        "telt in de hogere band).",
        "en": "Strategy fixed: thresholds at {thresholds} contact moments (equal to a threshold "
        "goes to the higher band).",
    },
    "how_per_month": {
        "nl": "Strategie per maand: contactmomenten per 30 dagen over een periode van {days} "
        "dagen; grenzen {thresholds} per maand.",
        "en": "Strategy per month: contact moments per 30 days over a period of {days} days; "
        "thresholds {thresholds} per month.",
    },
    "how_quantile": {
        "nl": "Strategie kwantielen: de relaties met contact verdeeld naar rangorde, grenzen "
        "bij {thresholds} van de groep; gelijke aantallen vallen in dezelfde band.",
        "en": "Strategy quantile: the relations with contact split by rank, cuts at "
        "{thresholds} of the group; equal numbers share a band.",
    },
    "how_natural_breaks": {
        "nl": "Strategie natuurlijke grenzen (Fisher–Jenks): de relaties met contact verdeeld "
        "in vijf klassen met zo klein mogelijke spreiding binnen elke klasse.",
        "en": "Strategy natural breaks (Fisher–Jenks): the relations with contact split into "
        "five classes with the least spread within each class.",
    },
    "how_none": {
        "nl": "Rood (geen) = precies de relaties zonder contactmomenten in de periode.",
        "en": "Red (none) = exactly the relations without contact moments in the period.",
    },
    "sales_how": {
        "nl": "Gemiddelde omzet per contactmoment A = {a} (totale omzet {revenue} / "
        "{contacts} contactmomenten van {n} relaties). Aandachtsindex = contactmomenten × A / "
        "omzet; 1 = aandacht in lijn met de omzet, 0 = omzet zonder contact, oneindig = contact "
        "zonder omzet.",
        "en": "Average revenue per contact moment A = {a} (total revenue {revenue} / {contacts} "
        "contact moments of {n} relations). Attention index = contact moments × A / revenue; "
        "1 = attention in line with revenue, 0 = revenue without contact, infinite = contact "
        "without revenue.",
    },
    "sales_how_relative": {
        "nl": "Mogelijk onvoldoende: index onder {t2}; gemiddeld: {t2} tot {t3}; mogelijk te "
        "veel: {t3} of meer.",
        "en": "Possibly insufficient: index below {t2}; average: {t2} to {t3}; possibly too "
        "much: {t3} or more.",
    },
    "sales_how_other": {
        "nl": "De banden van de index volgen strategie {strategy}; mogelijk onvoldoende = geen, "
        "zeer weinig en weinig; mogelijk te veel = veel en zeer veel.",
        "en": "The index bands follow strategy {strategy}; possibly insufficient = none, very "
        "little and little; possibly too much = much and very much.",
    },
    "sales_excluded_count": {
        "nl": "Uitgesloten zonder contactmomenten en zonder omzet: {relations}.",
        "en": "Excluded for having no contact moments and no revenue: {relations}.",
    },
    "sales_area_line": {
        "nl": "{label}: {relations} ({pct}), omzet {revenue} ({revenue_pct})",
        "en": "{label}: {relations} ({pct}), revenue {revenue} ({revenue_pct})",
    },
    # --- what the last contact moment was ---------------------------------------------------
    "channel_phone": {"nl": "telefoon", "en": "phone call"},
    "channel_meeting": {"nl": "afspraak", "en": "meeting"},
    "channel_visit": {"nl": "bezoek", "en": "visit"},
    "channel_trade_show": {"nl": "beurs", "en": "trade show"},
    "channel_email": {"nl": "e-mail", "en": "e-mail"},
    "channel_letter": {"nl": "brief", "en": "letter"},
    "channel_web": {"nl": "web", "en": "web"},
    "channel_other": {"nl": "overig contact", "en": "other contact"},
    "direction_in": {"nl": "in", "en": "in"},
    "direction_out": {"nl": "uit", "en": "out"},
    "action_history_added": {"nl": "historie", "en": "history entry"},
    "action_history_modified": {"nl": "historie gewijzigd", "en": "history entry modified"},
    "action_note_added": {"nl": "notitie", "en": "note"},
    "action_correspondence_added": {"nl": "correspondentie", "en": "correspondence"},
    "action_sales_suspect_added": {"nl": "suspect toegevoegd", "en": "suspect added"},
    "action_sales_suspect_to_quote": {"nl": "suspect → offerte", "en": "suspect → quote"},
    "action_sales_quote_added": {"nl": "offerte", "en": "quote"},
    "action_sales_quote_to_order": {"nl": "offerte → order", "en": "quote → order"},
    "action_sales_order_added": {"nl": "order", "en": "order"},
    "action_sales_quote_expired": {"nl": "offerte verlopen", "en": "quote expired"},
    "action_helpdesk_call_added": {"nl": "servicemelding", "en": "service call"},
    "source_history": {"nl": "historie", "en": "history"},
    "source_note": {"nl": "notitie", "en": "note"},
    "source_correspondence": {"nl": "correspondentie", "en": "correspondence"},
    "source_sales": {"nl": "verkoop", "en": "sales"},
    "source_helpdesk": {"nl": "helpdesk", "en": "helpdesk"},
    "source_marketing": {"nl": "marketing", "en": "marketing"},
}


def check_lang(lang: str) -> str:
    """Return ``lang`` if supported, else raise a ValueError listing the languages."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; valid: {', '.join(LANGS)}")
    return lang


def t(key: str, lang: str = "nl", **kw: Any) -> str:
    """The text for ``key`` in ``lang``, with ``{placeholders}`` filled from ``kw``.

    >>> t("by_user", "en", user="JdV")
    'by JdV'
    """
    check_lang(lang)
    try:
        template = TEXT[key][lang]
    except KeyError:
        raise KeyError(f"no text {key!r} for language {lang!r} in aandacht.i18n.TEXT") from None
    return template.format(**kw) if kw else template


def fmt_number(x: float, lang: str = "nl", decimals: int = 0) -> str:
    """A number with thousands separators: nl ``1.234,5``, en ``1,234.5``.

    >>> fmt_number(-0.25, "nl", 2)
    '-0,25'
    """
    if lang not in LANGS:
        check_lang(lang)
    if math.isnan(x):
        return ""
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    s = f"{x:,.{decimals}f}"
    if s[0] == "-" and not s.strip("-0.,"):  # rounds to zero: no "-0"
        s = s[1:]
    if lang == "nl":
        s = s.translate(_NL_SEPARATORS)
    return s


_NL_SEPARATORS = str.maketrans(",.", ".,")


def fmt_short(x: float, lang: str = "nl", decimals: int = 1) -> str:
    """At most ``decimals`` decimals, trailing zeros dropped: ``8,4``, ``12``.

    >>> fmt_short(8.0, "nl"), fmt_short(8.44, "nl"), fmt_short(0.25, "en", 2)
    ('8', '8,4', '0.25')
    """
    s = fmt_number(x, lang, decimals)
    sep = "," if lang == "nl" else "."
    if sep in s:
        s = s.rstrip("0").rstrip(sep)
    return s


def fmt_ratio(r: float, lang: str = "nl") -> str:
    """A ratio for ``…×``: two significant digits below 1, one decimal below 10, else whole.

    >>> fmt_ratio(0.1875, "nl"), fmt_ratio(1.5, "en"), fmt_ratio(12.34, "nl"), fmt_ratio(0, "en")
    ('0,19', '1.5', '12', '0')
    """
    if math.isinf(r) or math.isnan(r) or r == 0:
        return fmt_number(r, lang)
    if r >= 10:
        return fmt_number(r, lang, 0)
    if r >= 1:
        return fmt_short(r, lang, 1)
    decimals = max(1, 1 - math.floor(math.log10(r)))
    return fmt_short(r, lang, decimals)


def fmt_money(x: float, lang: str = "nl") -> str:
    """Euros: nl ``€ 12.000``, en ``€12,000``; cents shown only below 100.

    >>> fmt_money(12000, "nl"), fmt_money(12.5, "en")
    ('€ 12.000', '€12.50')
    """
    decimals = 0 if abs(x) >= 100 or float(x).is_integer() else 2
    s = fmt_number(x, lang, decimals)
    return f"€ {s}" if lang == "nl" else f"€{s}"


def fmt_percent(share: float, lang: str = "nl", decimals: int = 0) -> str:
    """A share (0–1) as a percentage: nl ``12,5%``, en ``12.5%``.

    >>> fmt_percent(0.125, "nl", 1)
    '12,5%'
    """
    return f"{fmt_number(share * 100, lang, decimals)}%"


def fmt_relations(n: int, lang: str = "nl") -> str:
    """``1 relatie`` / ``3 relaties`` (``relation(s)`` in English).

    >>> fmt_relations(1, "nl"), fmt_relations(1200, "en")
    ('1 relatie', '1,200 relations')
    """
    return t("n_relation" if n == 1 else "n_relations", lang, n=fmt_number(n, lang))


def fmt_days_ago(days: int, lang: str = "nl") -> str:
    """``41 dagen geleden`` / ``41 days ago``; ``vandaag`` / ``today`` for 0.

    >>> fmt_days_ago(1, "en")
    '1 day ago'
    """
    days = int(days)
    if days == 0:
        return t("today", lang)
    return t("day_ago" if days == 1 else "days_ago", lang, n=fmt_number(days, lang))


# ============================================================================================
# The dashboard (app/): every text the Panel app shows. Kept apart from the library texts above
# so both can grow without stepping on each other; merged into TEXT below.

APP_TEXT: dict[str, dict[str, str]] = {
    "app_title": {"nl": "Aandachtsmonitor", "en": "Attention monitor"},
    "privacy_name": {"nl": "Relatie {code}", "en": "Relation {code}"},
    # --- selection (S2) ---------------------------------------------------------------------
    "selection": {"nl": "Selectie", "en": "Selection"},
    "users": {"nl": "Medewerkers", "en": "Users"},
    "users_all": {"nl": "Alle", "en": "All"},
    "users_one": {"nl": "Eén", "en": "One"},
    "users_group": {"nl": "Groep", "en": "Group"},
    "user": {"nl": "Medewerker", "en": "User"},
    "user_group": {"nl": "Groep of afdeling", "en": "Group or department"},
    "period": {"nl": "Periode", "en": "Period"},
    "preset_this_week": {"nl": "Deze week", "en": "This week"},
    "preset_last_month": {"nl": "Afgelopen maand", "en": "Last month"},
    "preset_last_12_months": {"nl": "Afgelopen 12 maanden", "en": "Last 12 months"},
    "preset_since": {"nl": "Sinds een datum", "en": "Since a date"},
    "preset_custom": {"nl": "Vrije periode", "en": "Custom range"},
    "since": {"nl": "Sinds", "en": "Since"},
    "period_from": {"nl": "Van", "en": "From"},
    "period_to": {"nl": "Tot en met", "en": "Through"},
    "relations": {"nl": "Relaties", "en": "Relations"},
    "relations_all": {"nl": "Alle", "en": "All"},
    "relations_b_group": {"nl": "B-groep", "en": "B-group"},
    "relations_file": {"nl": "Bestand", "en": "File"},
    "b_group": {"nl": "B-groep", "en": "B-group"},
    "selection_file": {
        "nl": "Selectiebestand (één relatiecode per regel)",
        "en": "Selection file (one relation code per line)",
    },
    "file_none": {"nl": "Nog geen selectiebestand gekozen.", "en": "No selection file chosen."},
    "file_loaded": {"nl": "{file}: {relations}", "en": "{file}: {relations}"},
    "file_error": {
        "nl": "Het selectiebestand {file} is niet bruikbaar:",
        "en": "The selection file {file} cannot be used:",
    },
    "as_of": {"nl": "Peildatum (nu)", "en": "As of (now)"},
    "data_until": {
        "nl": "Gegevens t/m {date}: de peildatum staat op de laatste dag met gegevens.",
        "en": "Data up to {date}: the as-of date is set to the last day with data.",
    },
    "calculate": {"nl": "Bereken", "en": "Calculate"},
    "calculating": {"nl": "Bezig met berekenen…", "en": "Calculating…"},
    "calculated_at": {"nl": "berekend op {when}", "en": "calculated on {when}"},
    "live_label": {"nl": "Live", "en": "Live"},
    "live_waiting": {
        "nl": "live · wacht op nieuwe contactmomenten",
        "en": "live · waiting for new contact moments",
    },
    "live_status": {
        "nl": "live · laatste update {time} · {n}",
        "en": "live · last update {time} · {n}",
    },
    "live_one": {"nl": "1 nieuw contactmoment", "en": "1 new contact moment"},
    "live_many": {"nl": "{n} nieuwe contactmomenten", "en": "{n} new contact moments"},
    "live_reloaded": {"nl": "gegevens opnieuw geladen", "en": "data loaded again"},
    "live_off": {
        "nl": "live uit · nieuwe contactmomenten worden niet getoond tot u Live aanzet",
        "en": "live off · new contact moments are not shown until you switch Live on",
    },
    "live_rejected": {
        "nl": "Niet ingelezen (niets ervan is geteld): {problems}",
        "en": "Not taken in (nothing of it is counted): {problems}",
    },
    "live_rejected_short": {
        "nl": "Niet ingelezen (niets ervan is geteld): {file}, {n} probleem/problemen; "
        "de beheerder ziet ze in het serverlog.",
        "en": "Not taken in (nothing of it is counted): {file}, {n} problem(s); "
        "the administrator sees them in the server log.",
    },
    "live_error": {"nl": "Live bijwerken mislukt: {error}", "en": "Live update failed: {error}"},
    "not_calculated": {"nl": "Nog niet berekend.", "en": "Not calculated yet."},
    "pending": {
        "nl": "De selectie is gewijzigd: klik op Bereken om het overzicht bij te werken.",
        "en": "The selection has changed: click Calculate to update the overview.",
    },
    "calc_error": {"nl": "Berekenen lukt niet: {error}", "en": "Cannot calculate: {error}"},
    "store_error": {
        "nl": "Het resultaat kon niet worden bewaard: {error}",
        "en": "The result could not be stored: {error}",
    },
    "data_error": {
        "nl": "De gegevens in {data} zijn niet te laden.",
        "en": "The data in {data} cannot be loaded.",
    },
    "result_line": {
        "nl": "{relations}, {users}, {scope}; periode {start} t/m {end}; peildatum {as_of}",
        "en": "{relations}, {users}, {scope}; period {start} to {end}; as of {as_of}",
    },
    "users_all_text": {"nl": "alle medewerkers", "en": "all users"},
    "users_one_text": {"nl": "medewerker {user}", "en": "user {user}"},
    "users_group_text": {"nl": "groep {group}", "en": "group {group}"},
    "relations_all_text": {"nl": "alle relaties", "en": "all relations"},
    "relations_b_group_text": {"nl": "B-groep {group}", "en": "B-group {group}"},
    "relations_file_text": {
        "nl": "selectiebestand {file} ({n} codes)",
        "en": "selection file {file} ({n} codes)",
    },
    # --- settings ---------------------------------------------------------------------------
    "settings": {"nl": "Instellingen", "en": "Settings"},
    "language": {"nl": "Taal", "en": "Language"},
    "privacy": {"nl": "Privacymodus", "en": "Privacy mode"},
    "sales_permission": {"nl": "Toegang salesmonitor", "en": "Sales-monitor permission"},
    "revenue_basis": {"nl": "Omzet uit", "en": "Revenue from"},
    "revenue_orders": {"nl": "Orders", "en": "Orders"},
    "revenue_invoices": {"nl": "Facturen", "en": "Invoices"},
    "revenue_both": {"nl": "Beide", "en": "Both"},
    "bands": {"nl": "Banden", "en": "Bands"},
    "strategy": {"nl": "Strategie", "en": "Strategy"},
    "strategy_relative": {"nl": "Relatief (× gemiddelde)", "en": "Relative (× average)"},
    "strategy_quantile": {"nl": "Kwantielen", "en": "Quantiles"},
    "strategy_natural_breaks": {"nl": "Natuurlijke grenzen", "en": "Natural breaks"},
    "strategy_fixed": {"nl": "Vaste aantallen", "en": "Fixed counts"},
    "strategy_per_month": {"nl": "Per maand", "en": "Per month"},
    "threshold_n": {"nl": "Grens {n}", "en": "Threshold {n}"},
    "thresholds_none": {
        "nl": "Deze strategie bepaalt de grenzen zelf.",
        "en": "This strategy sets its own thresholds.",
    },
    "band_error": {
        "nl": "Deze grenzen zijn niet bruikbaar: {error}",
        "en": "These thresholds cannot be used: {error}",
    },
    "yes": {"nl": "ja", "en": "yes"},
    "no": {"nl": "nee", "en": "no"},
    # --- views ------------------------------------------------------------------------------
    "tab_overview": {"nl": "Overzicht", "en": "Overview"},
    "tab_timeline": {"nl": "Tijdlijn", "en": "Timeline"},
    "view": {"nl": "Beeld", "en": "View"},
    "view_attention": {"nl": "Aandacht", "en": "Attention"},
    "view_sources": {"nl": "Per bron", "en": "Per source"},
    "view_sales": {"nl": "Verkoop", "en": "Sales"},
    "no_permission": {
        "nl": "Het verkoopbeeld is alleen voor gebruikers met toegang tot de salesmonitor.",
        "en": "The sales view is only for users with sales-monitor permission.",
    },
    "distribution": {"nl": "Verdeling", "en": "Distribution"},
    "summary": {"nl": "Samenvatting", "en": "Summary"},
    "how_computed": {"nl": "Zo is het berekend", "en": "How it was computed"},
    "bin_range": {
        "nl": "{low} tot en met {high} contactmomenten",
        "en": "{low} to {high} contact moments",
    },
    "bin_range_one": {"nl": "precies {n}", "en": "exactly {n}"},
    "bin_empty": {"nl": "geen relaties in deze band", "en": "no relations in this band"},
    "bin_rpc": {
        "nl": "omzet per contactmoment {low} tot en met {high}",
        "en": "revenue per contact moment {low} to {high}",
    },
    "bin_rpc_none": {"nl": "geen contactmomenten", "en": "no contact moments"},
    "bin_revenue": {"nl": "omzet {revenue} ({share})", "en": "revenue {revenue} ({share})"},
    "bin_hint": {
        "nl": "Klik op een band om de relaties erin te zien.",
        "en": "Click a band to list its relations.",
    },
    "bin_list_title": {"nl": "{band}: {relations}", "en": "{band}: {relations}"},
    "excluded_title": {
        "nl": "Uitgesloten relaties (geen contactmomenten en geen omzet): {relations}",
        "en": "Excluded relations (no contact moments and no revenue): {relations}",
    },
    "grid_count": {"nl": "{relations} in het overzicht", "en": "{relations} in the overview"},
    "grid_hint": {
        "nl": "Klik op een totaal voor de tijdlijn; vink relaties aan om ze apart te exporteren.",
        "en": "Click a total for the timeline; tick relations to export only those.",
    },
    "export_all": {"nl": "Excel: alle relaties", "en": "Excel: all relations"},
    "export_selected": {"nl": "Excel: selectie ({n})", "en": "Excel: selection ({n})"},
    "export_filename": {"nl": "aandachtsmonitor", "en": "attention-monitor"},
    "timeline_hint": {
        "nl": "Klik in het overzicht op een totaal om de tijdlijn van die relatie te zien.",
        "en": "Click a total in the overview to see that relation's timeline.",
    },
    "timeline_title": {"nl": "Tijdlijn van {name} ({code})", "en": "Timeline of {name} ({code})"},
    "timeline_note": {
        "nl": "Voorlopige weergave: alle gebeurtenissen van deze relatie in tijdsvolgorde, ook "
        "die niet als contactmoment tellen.",
        "en": "Preliminary view: every event of this relation in time order, including those "
        "that are not contact moments.",
    },
    # --- column titles ----------------------------------------------------------------------
    "col_colour": {"nl": "Kleur", "en": "Colour"},
    "col_relation_id": {"nl": "Code", "en": "Code"},
    "col_name": {"nl": "Naam", "en": "Name"},
    "col_address": {"nl": "Adres", "en": "Address"},
    "col_postcode": {"nl": "Postcode", "en": "Postcode"},
    "col_city": {"nl": "Plaats", "en": "City"},
    "col_country": {"nl": "Land", "en": "Country"},
    "col_total": {"nl": "Tot.", "en": "Total"},
    "col_dgn": {"nl": "dgn", "en": "days"},
    "col_band": {"nl": "Aandacht", "en": "Attention"},
    "col_band_colour": {"nl": "", "en": ""},
    "col_sales_band_colour": {"nl": "", "en": ""},
    "col_history": {"nl": "Historie", "en": "History"},
    "col_history_dgn": {"nl": "Historie dgn", "en": "History days"},
    "col_correspondence": {"nl": "Corresp.", "en": "Corresp."},
    "col_correspondence_dgn": {"nl": "Corresp. dgn", "en": "Corresp. days"},
    "col_sales": {"nl": "Verkoop", "en": "Sales"},
    "col_sales_dgn": {"nl": "Verkoop dgn", "en": "Sales days"},
    "col_helpdesk": {"nl": "Helpdesk", "en": "Helpdesk"},
    "col_helpdesk_dgn": {"nl": "Helpdesk dgn", "en": "Helpdesk days"},
    "col_last_contact": {"nl": "Laatste contact", "en": "Last contact"},
    "col_last_user": {"nl": "Door", "en": "By"},
    "col_orders": {"nl": "Orders (€)", "en": "Orders (€)"},
    "col_invoices": {"nl": "Facturen (€)", "en": "Invoices (€)"},
    "col_revenue": {"nl": "Omzet (€)", "en": "Revenue (€)"},
    "col_revenue_short": {"nl": "omzet", "en": "revenue"},
    "col_revenue_per_contact": {"nl": "Omzet per contact (€)", "en": "Revenue per contact (€)"},
    "col_attention_index": {"nl": "Aandachtsindex", "en": "Attention index"},
    "col_sales_band": {"nl": "Verkoopband", "en": "Sales band"},
    "col_sales_area": {"nl": "Oordeel", "en": "Area"},
    "col_abc_class": {"nl": "ABC-klasse", "en": "ABC class"},
    "col_expected_contacts": {"nl": "Verwachte contacten", "en": "Expected contacts"},
    "col_contact_gap": {"nl": "Contacttekort", "en": "Contact gap"},
    "col_explanation": {"nl": "Toelichting", "en": "Explanation"},
    "col_sales_explanation": {"nl": "Toelichting verkoop", "en": "Sales explanation"},
    "col_count": {"nl": "Aantal", "en": "Count"},
    "col_share": {"nl": "Aandeel", "en": "Share"},
    "col_min": {"nl": "Van", "en": "From"},
    "col_max": {"nl": "Tot en met", "en": "To"},
    "col_revenue_share": {"nl": "Aandeel omzet", "en": "Share of revenue"},
    "col_item": {"nl": "Onderdeel", "en": "Item"},
    "col_setting": {"nl": "Instelling", "en": "Setting"},
    "col_value": {"nl": "Waarde", "en": "Value"},
    "col_timestamp": {"nl": "Tijdstip", "en": "Time"},
    "col_user_id": {"nl": "Medewerker", "en": "User"},
    "col_source": {"nl": "Bron", "en": "Source"},
    "col_action": {"nl": "Actie", "en": "Action"},
    "col_counted": {"nl": "Telt mee", "en": "Counted"},
    "col_channel": {"nl": "Kanaal", "en": "Channel"},
    "col_direction": {"nl": "Richting", "en": "Direction"},
    "col_subject": {"nl": "Onderwerp", "en": "Subject"},
    "col_amount": {"nl": "Bedrag (€)", "en": "Amount (€)"},
    "col_status": {"nl": "Status", "en": "Status"},
    # --- export sheets ----------------------------------------------------------------------
    "sheet_relations": {"nl": "Relaties", "en": "Relations"},
    "sheet_summary": {"nl": "Samenvatting", "en": "Summary"},
    "sheet_settings": {"nl": "Instellingen", "en": "Settings"},
    "sheet_excluded": {"nl": "Uitgesloten", "en": "Excluded"},
    "set_data": {"nl": "Gegevens", "en": "Data"},
    "set_users": {"nl": "Medewerkers", "en": "Users"},
    "set_relations": {"nl": "Relaties", "en": "Relations"},
    "set_period": {"nl": "Periode", "en": "Period"},
    "set_as_of": {"nl": "Peildatum", "en": "As of"},
    "set_revenue": {"nl": "Omzet uit", "en": "Revenue from"},
    "set_strategy": {"nl": "Bandstrategie", "en": "Band strategy"},
    "set_thresholds": {"nl": "Grenzen", "en": "Thresholds"},
    "set_calculated_at": {"nl": "Berekend op", "en": "Calculated on"},
    "set_exported_at": {"nl": "Geëxporteerd op", "en": "Exported on"},
    "set_privacy": {"nl": "Privacymodus", "en": "Privacy mode"},
    "set_rows": {"nl": "Relaties in dit bestand", "en": "Relations in this file"},
    "set_rows_all": {"nl": "alle {n}", "en": "all {n}"},
    "set_rows_selected": {"nl": "{n} geselecteerd", "en": "{n} selected"},
    "summary_attention": {"nl": "Aandacht", "en": "Attention"},
    "summary_sales": {"nl": "Verkoop", "en": "Sales"},
    "period_text": {"nl": "{start} t/m {end}", "en": "{start} to {end}"},
    # --- the map tab (S11, B12) -----------------------------------------------------------------
    "tab_map": {"nl": "Kaart", "en": "Map"},
    "map_show": {"nl": "Op de kaart", "en": "On the map"},
    "map_show_all": {"nl": "Alle relaties", "en": "All relations"},
    "map_show_selected": {"nl": "Geselecteerd ({n})", "en": "Selected ({n})"},
    "map_show_band": {"nl": "Eén band", "en": "One band"},
    "map_show_sales_area": {"nl": "Eén oordeel", "en": "One area"},
    "map_band": {"nl": "Aandachtsband", "en": "Attention band"},
    "map_area": {"nl": "Oordeel (verkoop)", "en": "Sales area"},
    "map_colour_by": {"nl": "Kleur naar", "en": "Colour by"},
    "map_colour_band": {"nl": "Aandacht", "en": "Attention"},
    "map_colour_sales_area": {"nl": "Omzet en aandacht", "en": "Revenue and attention"},
    "map_colour_overdue": {"nl": "Over termijn", "en": "Overdue"},
    "map_target_days": {
        "nl": "Norm: dagen tussen contactmomenten",
        "en": "Target: days between contact moments",
    },
    "map_target_default": {
        "nl": "Over termijn gemeten aan één norm voor alle relaties: elke {n} dagen een "
        "contactmoment (er zijn geen normen per relatie of B-groep ingesteld).",
        "en": "Overdue measured against one target for all relations: a contact moment every "
        "{n} days (no targets per relation or B-group are set).",
    },
    "map_target_cadence": {
        "nl": "Over termijn gemeten aan de ingestelde normen per relatie en B-groep ({file}); "
        "relaties zonder norm zijn wit.",
        "en": "Overdue measured against the targets set per relation and B-group ({file}); "
        "relations without a target are white.",
    },
    "map_cadence_default": {"nl": "standaardnormen", "en": "default targets"},
    "map_cadence_error": {
        "nl": "De normen in {file} zijn niet gebruikt:",
        "en": "The targets in {file} were not used:",
    },
    "map_count": {
        "nl": "{shown} op de kaart, {off} niet op de kaart.",
        "en": "{shown} on the map, {off} not on the map.",
    },
    "map_empty": {
        "nl": "Er staat niemand op de kaart bij deze keuze.",
        "en": "No one is on the map for this choice.",
    },
    "map_hint": {
        "nl": "Geselecteerde rijen in het overzicht en een aangeklikte band in de verdeling worden "
        "hier gemarkeerd. Selecteer op de kaart met de box- of lassotool (werkbalk): die "
        "relaties worden in het overzicht geselecteerd, ook voor Excel: selectie.",
        "en": "Rows selected in the overview and a band clicked in the distribution are "
        "highlighted here. Select on the map with the box or lasso tool (toolbar): those "
        "relations are selected in the overview, also for Excel: selection.",
    },
    "map_highlight_none": {"nl": "Niets gemarkeerd.", "en": "Nothing highlighted."},
    "map_highlight_rows": {
        "nl": "Gemarkeerd: {n} geselecteerd in het overzicht ({on} op de kaart).",
        "en": "Highlighted: {n} selected in the overview ({on} on the map).",
    },
    "map_highlight_bin": {
        "nl": "Gemarkeerd: band {band}, {n} ({on} op de kaart).",
        "en": "Highlighted: band {band}, {n} ({on} on the map).",
    },
    "map_clear": {"nl": "Selectie wissen", "en": "Clear selection"},
    "map_privacy": {
        "nl": "Privacymodus: relaties staan op het midden van hun postcodegebied (4 cijfers), niet "
        "op hun adres; codes en namen zijn pseudoniemen.",
        "en": "Privacy mode: relations are placed at the centre of their postcode area (4 "
        "digits), not at their address; codes and names are pseudonyms.",
    },
    "map_tiles": {
        "nl": "Achtergrond: OpenStreetMap-kaart van internet (AANDACHT_TILES) met provincies.",
        "en": "Background: OpenStreetMap from the internet (AANDACHT_TILES) with provinces.",
    },
    "map_offline": {
        "nl": "Achtergrond: provincies, en gemeenten als u inzoomt (offline).",
        "en": "Background: provinces, and municipalities when you zoom in (offline).",
    },
    "map_not_on_map": {"nl": "Niet op de kaart: {relations}", "en": "Not on the map: {relations}"},
    "col_not_on_map": {"nl": "Reden", "en": "Reason"},
    "map_reason_invalid coordinates": {
        "nl": "ongeldige coördinaten",
        "en": "invalid coordinates",
    },
    "map_reason_abroad": {"nl": "buitenland, geen coördinaten", "en": "abroad, no coordinates"},
    "map_reason_no postcode": {"nl": "geen postcode", "en": "no postcode"},
    "map_reason_hidden": {"nl": "postcode verborgen", "en": "postcode hidden"},
    "map_reason_invalid postcode": {"nl": "ongeldige postcode", "en": "invalid postcode"},
    "map_reason_unknown postcode": {"nl": "onbekende postcode", "en": "unknown postcode"},
}
TEXT.update(APP_TEXT)

# ============================================================================================
# Insights (trend, cadence, answers, two-way, who, reports): labels, column titles and report
# texts. Kept apart so several people can add keys; merged into TEXT below without overriding.

INSIGHT_TEXT: dict[str, dict[str, str]] = {
    # --- trend (B1) and cadence (B2) ----------------------------------------------------------
    "trend_up": {"nl": "meer aandacht", "en": "more attention"},
    "trend_down": {"nl": "minder aandacht", "en": "less attention"},
    "trend_flat": {"nl": "gelijk", "en": "steady"},
    "cadence_never": {"nl": "nooit contact", "en": "never contacted"},
    "cadence_beyond_max": {"nl": "over de maximale termijn", "en": "beyond the maximum"},
    "cadence_overdue": {"nl": "te laat", "en": "overdue"},
    "cadence_ok": {"nl": "op tijd", "en": "on time"},
    "cadence_no_target": {"nl": "geen norm", "en": "no target"},
    # --- answers (S14) --------------------------------------------------------------------------
    "mailing_responded": {"nl": "gereageerd", "en": "responded"},
    "mailing_no_response": {"nl": "geen reactie", "en": "no response"},
    "mailing_pending": {"nl": "nog open", "en": "pending"},
    "call_open": {"nl": "open", "en": "open"},
    "call_closed": {"nl": "opgelost", "en": "solved"},
    # events that are no contact moments (timeline, catch-up report)
    "action_sales_invoice_added": {"nl": "factuur", "en": "invoice"},
    "action_helpdesk_call_modified": {"nl": "melding gewijzigd", "en": "call updated"},
    "action_helpdesk_call_closed": {"nl": "melding gesloten", "en": "call closed"},
    "action_marketing_mailing_sent": {"nl": "mailing", "en": "mailing"},
    # --- reports (S15, B7) ----------------------------------------------------------------------
    "report_handover": {"nl": "Overdrachtsrapport", "en": "Hand-over report"},
    "report_catchup": {"nl": "Bijpraatrapport", "en": "Catch-up report"},
    "scope_mine": {
        "nl": "relaties met contact door {user} in de laatste {days} dagen",
        "en": "relations with contact by {user} in the last {days} days",
    },
    "scope_b_group": {"nl": "B-groep {group}", "en": "B-group {group}"},
    "sheet_report": {"nl": "Rapport", "en": "Report"},
    "sheet_handover_relations": {"nl": "Relaties", "en": "Relations"},
    "sheet_open_calls": {"nl": "Open meldingen", "en": "Open calls"},
    "sheet_open_quotes": {"nl": "Open offertes", "en": "Open quotes"},
    "sheet_others": {"nl": "Wie kent de relatie", "en": "Who else knows"},
    "sheet_catchup_relations": {"nl": "Per relatie", "en": "Per relation"},
    "sheet_events": {"nl": "Gebeurtenissen", "en": "Events"},
    "set_report": {"nl": "Rapport", "en": "Report"},
    "set_user": {"nl": "Medewerker", "en": "User"},
    "set_user_name": {"nl": "Naam", "en": "Name"},
    "set_department": {"nl": "Afdeling", "en": "Department"},
    "set_active": {"nl": "In dienst", "en": "Active"},
    "set_since": {"nl": "Sinds", "en": "Since"},
    "set_single_points": {"nl": "Enig aanspreekpunt", "en": "Single point of contact"},
    "set_open_calls": {"nl": "Open meldingen", "en": "Open calls"},
    "set_open_quotes": {"nl": "Open offertes", "en": "Open quotes"},
    "set_scope": {"nl": "Mijn relaties", "en": "My relations"},
    "set_my_relations": {"nl": "Aantal relaties", "en": "Number of relations"},
    "set_quiet_relations": {
        "nl": "Relaties zonder gebeurtenissen",
        "en": "Relations without events",
    },
    "set_events": {"nl": "Gebeurtenissen", "en": "Events"},
    # --- column titles --------------------------------------------------------------------------
    "col_contacts": {"nl": "Contactmomenten", "en": "Contact moments"},
    "col_first_contact": {"nl": "Eerste contact", "en": "First contact"},
    "col_days_since": {"nl": "dgn", "en": "days"},
    "col_last_how": {"nl": "Laatste contact via", "en": "Last contact by way of"},
    "col_last_subject": {"nl": "Onderwerp laatste contact", "en": "Subject of the last contact"},
    "col_open_calls": {"nl": "Open meldingen", "en": "Open calls"},
    "col_open_quotes": {"nl": "Open offertes", "en": "Open quotes"},
    "col_open_quote_amount": {"nl": "Bedrag open offertes", "en": "Amount of open quotes"},
    "col_other_users": {"nl": "Andere medewerkers", "en": "Other users"},
    "col_others": {"nl": "Wie kent de relatie (laatste contact)", "en": "Who else knows (last)"},
    "col_single_point": {"nl": "Enig aanspreekpunt", "en": "Single point of contact"},
    "col_call": {"nl": "Melding", "en": "Call"},
    "col_opened": {"nl": "Gemeld", "en": "Opened"},
    "col_opened_by": {"nl": "Gemeld door", "en": "Opened by"},
    "col_events": {"nl": "Gebeurtenissen", "en": "Events"},
    "col_last_update": {"nl": "Laatste wijziging", "en": "Last update"},
    "col_last_action": {"nl": "Laatste actie", "en": "Last action"},
    "col_last_body": {"nl": "Laatste notitie", "en": "Last note"},
    "col_closed_at": {"nl": "Gesloten", "en": "Closed"},
    "col_age_days": {"nl": "Dagen", "en": "Days"},
    "col_reference": {"nl": "Referentie", "en": "Reference"},
    "col_quoted_at": {"nl": "Offertedatum", "en": "Quoted"},
    "col_event_id": {"nl": "Gebeurtenis", "en": "Event"},
    "col_user_name": {"nl": "Naam medewerker", "en": "User name"},
    "col_department": {"nl": "Afdeling", "en": "Department"},
    "col_active": {"nl": "In dienst", "en": "Active"},
    "col_contact_moments": {"nl": "Contactmomenten", "en": "Contact moments"},
    "col_other": {"nl": "Overig", "en": "Other"},
    "col_users": {"nl": "Medewerkers", "en": "Users"},
    "col_first_event": {"nl": "Eerste", "en": "First"},
    "col_last_event": {"nl": "Laatste", "en": "Last"},
    "col_what": {"nl": "Wat", "en": "What"},
    "col_body": {"nl": "Inhoud", "en": "Content"},
    "col_recent": {"nl": "Laatste 3 maanden", "en": "Last 3 months"},
    "col_base": {"nl": "12 maanden daarvoor", "en": "12 months before"},
    "col_change": {"nl": "Verandering per maand", "en": "Change per month"},
    "col_trend": {"nl": "Trend", "en": "Trend"},
    "col_ideal_days": {"nl": "Ideaal (dagen)", "en": "Ideal (days)"},
    "col_max_days": {"nl": "Maximaal (dagen)", "en": "Maximum (days)"},
    "col_target_from": {"nl": "Norm uit", "en": "Target from"},
    "col_days_overdue": {"nl": "Dagen te laat", "en": "Days overdue"},
    "col_overdue_ratio": {"nl": "Achterstand", "en": "Overdue ratio"},
    "col_inbound": {"nl": "Inkomend", "en": "Inbound"},
    "col_outbound": {"nl": "Uitgaand", "en": "Outbound"},
    "col_in_share": {"nl": "Aandeel inkomend", "en": "Inbound share"},
    "col_sleeping": {"nl": "Slapend", "en": "Sleeping"},
    "col_median_response_hours": {"nl": "Reactietijd (uren)", "en": "Response time (hours)"},
    "col_median_response_working_hours": {
        "nl": "Reactietijd (werkuren, zonder weekend)",
        "en": "Response time (working hours, no weekends)",
    },
}
for _key in INSIGHT_TEXT:
    if _key in TEXT:  # never override a text someone else defined
        raise KeyError(f"i18n key {_key!r} is defined twice")
TEXT.update(INSIGHT_TEXT)
__all__ += ["INSIGHT_TEXT"]

# ============================================================================================
# Hosting (issue 7): log-in, saved monitors, history, upload limits. Merged like INSIGHT_TEXT.

HOSTING_TEXT: dict[str, dict[str, str]] = {
    "logged_in_as": {"nl": "Ingelogd als {who}", "en": "Logged in as {who}"},
    "logout": {"nl": "Afmelden", "en": "Log out"},
    "no_access_title": {"nl": "Geen toegang", "en": "No access"},
    "no_access": {
        "nl": "U heeft geen toegang tot de aandachtsmonitor: {reason}",
        "en": "You have no access to the attention monitor: {reason}",
    },
    "no_access_hint": {
        "nl": "Vraag de beheerder om uw login in access.yaml op te nemen, of meld u af en "
        "log in met een andere naam.",
        "en": "Ask the administrator to add your login to access.yaml, or log out and log in "
        "with another name.",
    },
    "access_config_error": {
        "nl": "De toegangsinstellingen (access.yaml) zijn niet te gebruiken: {error}",
        "en": "The access configuration (access.yaml) cannot be used: {error}",
    },
    "file_too_large": {
        "nl": "{file} is te groot ({size}); een selectiebestand mag hoogstens {max} zijn.",
        "en": "{file} is too large ({size}); a selection file may be at most {max}.",
    },
    # --- saved monitors and history (S3) ---------------------------------------------------
    "monitors": {"nl": "Monitors", "en": "Monitors"},
    "monitor_saved_list": {"nl": "Opgeslagen monitors", "en": "Saved monitors"},
    "monitor_none": {"nl": "(nog geen monitors)", "en": "(no monitors yet)"},
    "monitor_shared_label": {"nl": "{name} (gedeeld)", "en": "{name} (shared)"},
    "monitor_open": {"nl": "Openen en berekenen", "en": "Open and calculate"},
    "monitor_delete": {"nl": "Verwijderen", "en": "Delete"},
    "monitor_name": {"nl": "Naam", "en": "Name"},
    "monitor_shared": {"nl": "Delen met iedereen", "en": "Share with everyone"},
    "monitor_save": {"nl": "Huidige selectie opslaan", "en": "Save the current selection"},
    "monitor_saved": {"nl": "Monitor '{name}' is opgeslagen.", "en": "Monitor '{name}' saved."},
    "monitor_deleted": {
        "nl": "Monitor '{name}' is verwijderd.",
        "en": "Monitor '{name}' deleted.",
    },
    "monitor_error": {"nl": "Dat lukt niet: {error}", "en": "That did not work: {error}"},
    "monitor_shown": {"nl": "monitor {name}", "en": "monitor {name}"},
    "history": {"nl": "Eerdere berekeningen", "en": "Earlier calculations"},
    "history_none": {"nl": "(geen eerdere berekeningen)", "en": "(no earlier calculations)"},
    "history_item": {"nl": "{when} — {what}", "en": "{when} — {what}"},
    "history_show": {"nl": "Tonen", "en": "Show"},
}
for _key in HOSTING_TEXT:
    if _key in TEXT:  # never override a text someone else defined
        raise KeyError(f"i18n key {_key!r} is defined twice")
TEXT.update(HOSTING_TEXT)
__all__ += ["HOSTING_TEXT"]

# ============================================================================================
# The dashboard's timeline (S7), direct answers (S14), insight tab (B1, B2, B4, B6) and reports
# (S15, B7): kept apart from APP_TEXT so the map and the timeline can grow independently.

TIMELINE_APP_TEXT: dict[str, dict[str, str]] = {
    # --- settings ---------------------------------------------------------------------------
    "me": {"nl": "Ik ben (tot er ingelogd wordt)", "en": "I am (until there is log-in)"},
    "employee_permission": {
        "nl": "Mag cijfers per medewerker zien",
        "en": "May see figures per employee",
    },
    "tab_insights": {"nl": "Inzicht", "en": "Insights"},
    "tab_reports": {"nl": "Rapporten", "en": "Reports"},
    # --- timeline (S7) ----------------------------------------------------------------------
    "prev_relation": {"nl": "Vorige relatie (−)", "en": "Previous relation (−)"},
    "next_relation": {"nl": "Volgende relatie (+)", "en": "Next relation (+)"},
    "prev_item": {"nl": "Vorig item (↑)", "en": "Previous item (↑)"},
    "next_item": {"nl": "Volgend item (↓)", "en": "Next item (↓)"},
    "timeline_keys": {
        "nl": "Toetsen: + en − naar de volgende en vorige relatie (in de volgorde van het "
        "overzicht), ↓ en ↑ naar het volgende en vorige item. Klik op een item voor de inhoud.",
        "en": "Keys: + and − go to the next and previous relation (in the overview's order), "
        "↓ and ↑ to the next and previous item. Click an item to see its content.",
    },
    "timeline_trend": {
        "nl": "Trend (laatste 3 maanden tegen de 12 ervoor): {trend}",
        "en": "Trend (last 3 months against the 12 before): {trend}",
    },
    "timeline_count": {
        "nl": "{shown} van {total} gebeurtenissen getoond, {order}. ● contactmoment; "
        "○ overig, grijs en schuin: telt niet als contactmoment (factuur, mailing, wijziging).",
        "en": "{shown} of {total} events shown, {order}. ● contact moment; ○ other, grey "
        "and italic: not a contact moment (invoice, mailing, change).",
    },
    "timeline_item_hint": {
        "nl": "Klik op een item (of gebruik ↓ en ↑) om de inhoud te zien.",
        "en": "Click an item (or use ↓ and ↑) to see its content.",
    },
    "filter_sources": {"nl": "Bronnen (leeg: alle)", "en": "Sources (empty: all)"},
    "filter_users": {"nl": "Medewerkers (leeg: alle)", "en": "Users (empty: all)"},
    "kind_contact": {"nl": "● contactmoment", "en": "● contact moment"},
    "kind_other": {"nl": "○ overig", "en": "○ other"},
    "kind_other_chart": {"nl": "overig (geen contactmoment)", "en": "other (no contact moment)"},
    "item": {"nl": "Inhoud", "en": "Content"},
    "item_chain": {"nl": "Referentieketen", "en": "Reference chain"},
    "chart_title": {
        "nl": "Contactmomenten per maand (hele historie)",
        "en": "Contact moments per month (whole history)",
    },
    "col_kind": {"nl": "", "en": ""},
    # --- direct answers (S14) ---------------------------------------------------------------
    "answers_title": {"nl": "Directe antwoorden", "en": "Direct answers"},
    "answers_me": {"nl": "Ik: {me} (kies in Instellingen)", "en": "Me: {me} (choose in Settings)"},
    "answers_since": {"nl": "Collega's sinds", "en": "Colleagues since"},
    "answers_days": {"nl": "Reactie binnen (dagen)", "en": "Response within (days)"},
    "answers_department": {"nl": "Afdeling", "en": "Department"},
    "answers_group": {"nl": "E-mail van groep", "en": "E-mail from group"},
    "q_colleague": {
        "nl": "Had een collega (niet {me}) contact sinds {since}?",
        "en": "Did a colleague (not {me}) have contact since {since}?",
    },
    "q_department": {
        "nl": "Wanneer had {group} het laatst contact?",
        "en": "When did {group} last have contact?",
    },
    "q_calls": {
        "nl": "Open helpdeskmeldingen; is het laatste probleem opgelost?",
        "en": "Open helpdesk calls; is the last problem solved?",
    },
    "q_email": {
        "nl": "De laatste e-mail van {group} aan de klant",
        "en": "The last e-mail from {group} to the customer",
    },
    "q_mailings": {
        "nl": "Reageerde de klant binnen {days} dagen op de mailings?",
        "en": "Did the customer respond to the mailings within {days} days?",
    },
    "q_top": {
        "nl": "Topklant met te weinig aandacht? (verkoopbeeld)",
        "en": "A top customer getting too little attention? (sales view)",
    },
    "answer_yes_n": {"nl": "Ja, {n} contactmomenten.", "en": "Yes, {n} contact moments."},
    "answer_no": {"nl": "Nee.", "en": "No."},
    "answer_never": {"nl": "Nog nooit.", "en": "Never."},
    "answer_none": {"nl": "Geen.", "en": "None."},
    "answer_more": {"nl": "… en nog {n}", "en": "… and {n} more"},
    "answer_contact_line": {
        "nl": "{date}: {how} door {user} ({department})",
        "en": "{date}: {how} by {user} ({department})",
    },
    "answer_last_contact": {
        "nl": "{date} ({ago}): {how} door {user}",
        "en": "{date} ({ago}): {how} by {user}",
    },
    "answer_no_calls": {"nl": "Geen meldingen.", "en": "No calls."},
    "answer_calls": {
        "nl": "{open} open; laatste probleem opgelost: {solved}.",
        "en": "{open} open; last problem solved: {solved}.",
    },
    "answer_call_line": {
        "nl": "{call}, gemeld {date}: {subject} ({status}, {days} dagen)",
        "en": "{call}, opened {date}: {subject} ({status}, {days} days)",
    },
    "answer_email": {
        "nl": "{date} door {user}: {subject}",
        "en": "{date} by {user}: {subject}",
    },
    "answer_no_mailings": {"nl": "Geen mailings ontvangen.", "en": "No mailings received."},
    "answer_mailings": {
        "nl": "Op {responded} van {mailings} mailings gereageerd ({rate}).",
        "en": "Responded to {responded} of {mailings} mailings ({rate}).",
    },
    "answer_mailing_line": {"nl": "{date} {subject}: {status}", "en": "{date} {subject}: {status}"},
    "answer_not_top": {
        "nl": "Nee, geen topklant (omzetklasse {abc}).",
        "en": "No, not a top customer (revenue class {abc}).",
    },
    "answer_top_yes": {
        "nl": "Ja: omzetklasse {abc}, omzet {revenue}, {contacts} contactmomenten waar {expected} "
        "te verwachten zijn.",
        "en": "Yes: revenue class {abc}, revenue {revenue}, {contacts} contact moments where "
        "{expected} are expected.",
    },
    "answer_top_no": {
        "nl": "Topklant (omzetklasse {abc}, omzet {revenue}) met genoeg aandacht: {contacts} "
        "contactmomenten, {expected} te verwachten.",
        "en": "Top customer (revenue class {abc}, revenue {revenue}) with enough attention: "
        "{contacts} contact moments, {expected} expected.",
    },
    # --- the grid: trend and cadence (B1, B2) -------------------------------------------------
    "col_cadence": {"nl": "Norm", "en": "Cadence"},
    "col_scope": {"nl": "Voor", "en": "Scope"},
    "col_key": {"nl": "Relatie of B-groep", "en": "Relation or B-group"},
    "overdue_first": {"nl": "Achterstallig eerst", "en": "Overdue first"},
    "overdue_only": {"nl": "Alleen achterstallig", "en": "Only overdue"},
    "cadence": {"nl": "Contactnormen", "en": "Contact cadence"},
    "cadence_note": {
        "nl": "Normen: {n} regels uit {file}; aanpassen onder Contactnormen (zijbalk).",
        "en": "Cadence: {n} rows from {file}; change them under Contact cadence (sidebar).",
    },
    "cadence_default_file": {"nl": "de standaardinstelling", "en": "the default settings"},
    "cadence_help": {
        "nl": "Per relatie (code) of B-groep: ideaal en maximaal aantal dagen tussen "
        "contactmomenten. Een eigen regel van een relatie gaat voor die van haar B-groep.",
        "en": "Per relation (code) or B-group: the ideal and maximum days between contact "
        "moments. A relation's own row beats its B-group's.",
    },
    "cadence_add": {"nl": "Regel toevoegen", "en": "Add a row"},
    "cadence_remove": {"nl": "Laatste regel weg", "en": "Remove the last row"},
    "cadence_save": {"nl": "Opslaan", "en": "Save"},
    "cadence_invalid": {
        "nl": "De normen zijn niet opgeslagen:",
        "en": "The cadence was not saved:",
    },
    "cadence_file_error": {
        "nl": "De normen in {file} zijn niet bruikbaar (de standaard wordt gebruikt):",
        "en": "The cadence in {file} cannot be used (the default is used):",
    },
    # --- the insight tab (B1, B4, B6) -------------------------------------------------------
    "insights_wait": {"nl": "Bezig met berekenen…", "en": "Calculating…"},
    "drops_title": {
        "nl": "Waardevolle relaties met minder aandacht: {relations}",
        "en": "Valuable relations getting less attention: {relations}",
    },
    "drops_title_plain": {
        "nl": "Waardevolle relaties met minder aandacht",
        "en": "Valuable relations getting less attention",
    },
    "drops_no_permission": {
        "nl": "Alleen met toegang tot de salesmonitor (deze lijst gebruikt omzet).",
        "en": "Only with sales-monitor permission (this list uses revenue).",
    },
    "two_way_title": {"nl": "Tweerichtingsverkeer", "en": "Two-way attention"},
    "two_way_line": {
        "nl": "Slapend (wel contact uit, niets terug): {sleeping}. Mediane reactietijd op "
        "inkomende e-mail: {hours} uur ({working} werkuren, zonder weekend).",
        "en": "Sleeping (contact out, nothing back): {sleeping}. Median response time to "
        "inbound e-mail: {hours} hours ({working} working hours, no weekends).",
    },
    "sleeping_only": {"nl": "Alleen slapende relaties", "en": "Only sleeping relations"},
    "who_title": {"nl": "Wie geeft aandacht", "en": "Who gives attention"},
    "who_departments": {
        "nl": "Contactmomenten per afdeling aan de relaties van elke aandachtsband.",
        "en": "Contact moments per department to the relations of each attention band.",
    },
    "who_employees": {
        "nl": "Contactmomenten per relatie en medewerker",
        "en": "Contact moments per relation and employee",
    },
    "who_single_points": {
        "nl": "Enig of laatste aanspreekpunt",
        "en": "Single or last point of contact",
    },
    "who_no_permission": {
        "nl": "Cijfers per medewerker alleen met 'Mag cijfers per medewerker zien' (Instellingen).",
        "en": "Figures per employee only with 'May see figures per employee' (Settings).",
    },
    "col_undirected": {"nl": "Zonder richting", "en": "Undirected"},
    "col_days_since_inbound": {"nl": "dgn inkomend", "en": "Days since inbound"},
    "col_inbound_emails": {"nl": "Inkomende e-mails", "en": "Inbound e-mails"},
    "col_unanswered": {"nl": "Onbeantwoord", "en": "Unanswered"},
    "col_employees": {"nl": "Medewerkers", "en": "Employees"},
    "col_only_user": {"nl": "Enige", "en": "Only"},
    # --- reports (S15, B7) ------------------------------------------------------------------
    "report_leaving": {"nl": "Wie vertrekt", "en": "Who leaves"},
    "report_handover_since": {
        "nl": "Contact sinds (leeg: alles)",
        "en": "Contact since (empty: all)",
    },
    "report_catchup_since": {
        "nl": "Sinds (bijv. begin vakantie)",
        "en": "Since (e.g. start of holiday)",
    },
    "report_handover_button": {"nl": "Excel: overdrachtsrapport", "en": "Excel: hand-over report"},
    "report_catchup_button": {"nl": "Excel: bijpraatrapport", "en": "Excel: catch-up report"},
    "report_handover_help": {
        "nl": "Elke relatie waarmee de medewerker contact had, het laatste contact, open "
        "meldingen en offertes, en wie de relatie nog meer kent.",
        "en": "Every relation the employee had contact with, the last contact, open calls and "
        "quotes, and who else knows the relation.",
    },
    "report_handover_no_permission": {
        "nl": "Dit rapport gaat over één medewerker: alleen met 'Mag cijfers per medewerker "
        "zien' (Instellingen).",
        "en": "This report is about one employee: only with 'May see figures per employee' "
        "(Settings).",
    },
    "report_catchup_help": {
        "nl": "Alles wat er sinds die dag gebeurde bij de relaties van {me}, per relatie.",
        "en": "Everything that happened since that day in the relations of {me}, by relation.",
    },
    "report_error": {
        "nl": "Het rapport lukt niet: {error}",
        "en": "Cannot make the report: {error}",
    },
}
for _key in TIMELINE_APP_TEXT:
    if _key in TEXT:  # never override a text someone else defined
        raise KeyError(f"i18n key {_key!r} is defined twice")
TEXT.update(TIMELINE_APP_TEXT)
__all__ += ["TIMELINE_APP_TEXT"]


def fmt_date(d: Any, lang: str = "nl") -> str:
    """A date: nl ``31-10-2026``, en ``2026-10-31``; empty for a missing date.

    >>> import datetime as dt
    >>> fmt_date(dt.date(2026, 10, 31), "nl"), fmt_date("2026-10-31", "en")
    ('31-10-2026', '2026-10-31')
    """
    import datetime as dt

    check_lang(lang)
    if d is None or d == "":
        return ""
    if isinstance(d, str):
        d = dt.date.fromisoformat(d[:10])
    return d.strftime("%d-%m-%Y" if lang == "nl" else "%Y-%m-%d")


def fmt_datetime(d: Any, lang: str = "nl") -> str:
    """A date and time to the minute: nl ``31-10-2026 14:05``, en ``2026-10-31 14:05``.

    >>> import datetime as dt
    >>> fmt_datetime(dt.datetime(2026, 10, 31, 14, 5, 9), "nl")
    '31-10-2026 14:05'
    """
    import datetime as dt

    check_lang(lang)
    if d is None or d == "":
        return ""
    if isinstance(d, str):
        d = dt.datetime.fromisoformat(d)
    return d.strftime("%d-%m-%Y %H:%M" if lang == "nl" else "%Y-%m-%d %H:%M")


def fmt_live(updated_at: Any, n_new: int | None, lang: str = "nl") -> str:
    """The live line (B13): ``live · laatste update 13:05:12 · 4 nieuwe contactmomenten``;
    ``n_new=None`` after the data set was loaded again; no ``updated_at``: still waiting.

    >>> import datetime as dt
    >>> fmt_live(dt.datetime(2026, 12, 4, 13, 5, 12), 4, "en")
    'live · last update 13:05:12 · 4 new contact moments'
    >>> fmt_live(dt.datetime(2026, 12, 4, 13, 5, 12), 1, "nl")
    'live · laatste update 13:05:12 · 1 nieuw contactmoment'
    """
    check_lang(lang)
    if updated_at is None:
        return t("live_waiting", lang)
    if n_new is None:
        what = t("live_reloaded", lang)
    elif n_new == 1:
        what = t("live_one", lang)
    else:
        what = t("live_many", lang, n=fmt_number(n_new, lang))
    return t("live_status", lang, time=updated_at.strftime("%H:%M:%S"), n=what)


__all__ += ["APP_TEXT", "fmt_date", "fmt_datetime", "fmt_live"]


def per_value(values: Any, fn: Any) -> list:
    """``[fn(v) for v in values]``, with ``fn`` called once per distinct value (``None`` for a
    missing one): labels and colours for 100,000 rows from a handful of keys.

    >>> per_value(["much", "none", "much", None], lambda k: k and k.upper())
    ['MUCH', 'NONE', 'MUCH', None]
    """
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    mapped = np.empty(len(uniques) + 1, dtype=object)
    mapped[:-1] = [fn(u) for u in uniques]
    if (codes < 0).any():
        mapped[-1] = fn(None)
    return mapped[codes].tolist()


__all__ += ["per_value"]


# ----------------------------------------------------------------------------------------------
# the dashboard's screens (issue 15): typed dates, the relation's own colour, table pagers,
# yes/no marks and the selection file's problems, in the chosen language only

SCREEN_TEXT: dict[str, dict[str, str]] = {
    "date_placeholder": {"nl": "dd-mm-jjjj", "en": "yyyy-mm-dd"},
    "date_invalid": {
        "nl": "'{text}' is geen datum: typ dd-mm-jjjj, bijvoorbeeld 31-10-2026.",
        "en": "'{text}' is not a date: type yyyy-mm-dd, for example 2026-10-31.",
    },
    "as_of_calendar": {"nl": "of kies", "en": "or pick"},
    "newest_first": {"nl": "Nieuwste eerst", "en": "Newest first"},
    "oldest_first": {"nl": "Oudste eerst", "en": "Oldest first"},
    "newest_first_lower": {"nl": "nieuwste eerst", "en": "newest first"},
    "oldest_first_lower": {"nl": "oudste eerst", "en": "oldest first"},
    "timeline_col_who": {"nl": "Wie", "en": "Who"},
    "more_problems": {"nl": "… en nog {n}", "en": "… and {n} more"},
    "sel_not_text": {
        "nl": "dit is geen tekstbestand. Kies een tekst- of CSV-bestand met één relatiecode per regel",
        "en": "this is not a text file. Upload a text/CSV file with one relation code per line",
    },
    "sel_no_codes": {
        "nl": "het selectiebestand bevat geen relatiecodes. Zet één relatiecode per regel",
        "en": "the selection file holds no relation codes. Put one relation code per line",
    },
    "sel_unknown_code": {
        "nl": "regel {row}: relatie {value} staat niet in de relaties. Verbeter de code of haal "
        "de regel weg",
        "en": "line {row}: relation {value} is not in relations. Correct the code or remove the "
        "line",
    },
    "sel_unknown_total": {"nl": "{n} onbekende codes in totaal", "en": "{n} unknown codes in all"},
}
TEXT.update(SCREEN_TEXT)


def parse_date(text: str, lang: str = "nl") -> Any:
    """A typed date: ``31-10-2026`` (also ``31/10/2026``, ``31.10.2026``, ``1-3-2026``) in
    Dutch, ISO ``2026-10-31`` in English; ISO is understood in Dutch too. Raises ``ValueError``
    with a message in ``lang`` otherwise.

    >>> parse_date("31-10-2026", "nl"), parse_date(" 2026-10-31 ", "en")
    (datetime.date(2026, 10, 31), datetime.date(2026, 10, 31))
    >>> parse_date("31-10-2026", "en")
    Traceback (most recent call last):
    ...
    ValueError: '31-10-2026' is not a date: type yyyy-mm-dd, for example 2026-10-31.
    """
    import datetime as dt
    import re

    check_lang(lang)
    s = (text or "").strip()
    try:
        m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", s)
        if m:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        m = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", s)
        if m and lang == "nl":
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        pass
    raise ValueError(t("date_invalid", lang, text=s[:40]))


#: Colour names a CRM may use for a relation's own colour (S4), Dutch and English, with the
#: swatch shown for them. Anything else is shown as it is, without a swatch.
RELATION_COLOURS: dict[str, tuple[str, str, str]] = {
    # key: (hex, nl, en)
    "red": ("#d62728", "rood", "red"),
    "orange": ("#ff7f0e", "oranje", "orange"),
    "yellow": ("#f2c500", "geel", "yellow"),
    "green": ("#2ca02c", "groen", "green"),
    "blue": ("#1f77b4", "blauw", "blue"),
    "purple": ("#9467bd", "paars", "purple"),
    "pink": ("#e377c2", "roze", "pink"),
    "brown": ("#8c564b", "bruin", "brown"),
    "grey": ("#7f7f7f", "grijs", "grey"),
    "black": ("#000000", "zwart", "black"),
    "white": ("#ffffff", "wit", "white"),
}
_COLOUR_KEYS = {
    **{k: k for k in RELATION_COLOURS},
    **{nl: k for k, (_, nl, _) in RELATION_COLOURS.items()},
    "gray": "grey",
    "violet": "purple",
    "paarse": "purple",
}


def _missing(value: Any) -> bool:
    """None, NaN, NaT or pd.NA."""
    if value is None:
        return True
    try:
        return bool(value != value)
    except TypeError:  # pd.NA
        return True


def _colour_key(value: Any) -> str | None:
    if _missing(value):
        return None
    return _COLOUR_KEYS.get(str(value).strip().lower())


def relation_colour(value: Any, lang: str = "nl") -> str:
    """The relation's own CRM colour as text in ``lang``; an unknown value as it is; empty
    when missing.

    >>> relation_colour("rood", "en"), relation_colour("Blue", "nl"), relation_colour("#123abc")
    ('red', 'blauw', '#123abc')
    >>> relation_colour(None, "en")
    ''
    """
    check_lang(lang)
    key = _colour_key(value)
    if key is not None:
        _, nl, en = RELATION_COLOURS[key]
        return nl if lang == "nl" else en
    return "" if _missing(value) else str(value)


def relation_colour_hex(value: Any) -> str:
    """The swatch colour (``#rrggbb``) of a relation's own colour: a known name or a hex code;
    empty otherwise (never text from the data other than a checked hex code).

    >>> relation_colour_hex("rood"), relation_colour_hex("#12AB3c"), relation_colour_hex("x")
    ('#d62728', '#12ab3c', '')
    """
    import re

    key = _colour_key(value)
    if key is not None:
        return RELATION_COLOURS[key][0]
    s = "" if _missing(value) else str(value).strip()
    return s.lower() if re.fullmatch(r"#[0-9a-fA-F]{6}", s) else ""


#: Tabulator's own texts (pager, loading, no data) per language, for its ``langs`` option.
TABLE_LANGS: dict[str, dict[str, Any]] = {
    "nl": {
        "pagination": {
            "page_size": "Rijen per pagina",
            "page_title": "Toon pagina",
            "first": "Eerste",
            "first_title": "Eerste pagina",
            "last": "Laatste",
            "last_title": "Laatste pagina",
            "prev": "Vorige",
            "prev_title": "Vorige pagina",
            "next": "Volgende",
            "next_title": "Volgende pagina",
            "all": "Alle",
            "counter": {"showing": "Rijen", "of": "van", "rows": "rijen", "pages": "pagina's"},
        },
        "data": {"loading": "Laden…", "error": "Fout"},
        "headerFilters": {"default": "filter…"},
    },
    "en": {
        "pagination": {
            "page_size": "Page size",
            "page_title": "Show page",
            "first": "First",
            "first_title": "First page",
            "last": "Last",
            "last_title": "Last page",
            "prev": "Previous",
            "prev_title": "Previous page",
            "next": "Next",
            "next_title": "Next page",
            "all": "All",
            "counter": {"showing": "Showing", "of": "of", "rows": "rows", "pages": "pages"},
        },
        "data": {"loading": "Loading…", "error": "Error"},
        "headerFilters": {"default": "filter…"},
    },
}


def table_locale(lang: str = "nl") -> dict[str, Any]:
    """Tabulator's ``locale`` and ``langs`` configuration for ``lang`` (pager and messages).

    >>> table_locale("nl")["langs"]["nl"]["pagination"]["next"]
    'Volgende'
    """
    check_lang(lang)
    return {"locale": lang, "langs": {lang: TABLE_LANGS[lang]}}


def yes_no(value: Any, lang: str = "nl") -> str:
    """``ja`` / ``nee`` (``yes`` / ``no``); empty when missing.

    >>> yes_no(True, "nl"), yes_no(False, "en"), yes_no(None)
    ('ja', 'no', '')
    """
    return "" if _missing(value) else t("yes" if bool(value) else "no", lang)


def problem_text(problem: Any, lang: str = "nl") -> str:
    """One problem of a selection file (:class:`aandacht.errors.Problem` with a ``key``) in
    ``lang``; a problem without a known key as the library states it.

    >>> from aandacht.errors import Problem
    >>> p = Problem("sel.txt", "relation R9 is not in relations", 3, "relation_id", "R9",
    ...             "Correct the code or remove the line", key="sel_unknown_code")
    >>> problem_text(p, "nl")
    'regel 3: relatie R9 staat niet in de relaties. Verbeter de code of haal de regel weg'
    """
    key = getattr(problem, "key", "")
    if key not in SCREEN_TEXT:
        return str(problem)
    return t(key, lang, row=problem.row, value=problem.value, n=problem.value)


__all__ += [
    "RELATION_COLOURS",
    "SCREEN_TEXT",
    "TABLE_LANGS",
    "parse_date",
    "problem_text",
    "relation_colour",
    "relation_colour_hex",
    "table_locale",
    "yes_no",
]
