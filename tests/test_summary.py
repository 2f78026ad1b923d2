"""Summaries and one-sentence explanations (nl/en), and the Dutch/English number formats."""

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aandacht.bands import STRATEGIES, classify
from aandacht.i18n import (
    TEXT,
    fmt_days_ago,
    fmt_money,
    fmt_number,
    fmt_percent,
    fmt_ratio,
    fmt_relations,
    t,
)
from aandacht.sales import sales_view
from aandacht.summary import (
    attention_summary,
    band_bins,
    describe_contact,
    explain,
    explain_sales,
    explanations,
    relations_text,
    result_line,
    rounded_percentages,
    sales_bins,
    sales_explanations,
    sales_summary,
    settings_sheet,
    summary_sheet,
    users_text,
)


def relations():
    """A counting result as the engine returns it (the columns explanations use)."""
    return pd.DataFrame(
        {
            "relation_id": ["R1", "R2", "R3", "R4"],
            "name": ["Jansen", "Van Dijk", "De Boer", "Smit"],
            "total": [3, 10, 0, 47],
            "dgn": pd.array([41, 2, 400, None], dtype="Int64"),
            "last_user": ["JdV", "PB", "AS", None],
            "last_source": ["correspondence", "sales", "history", None],
            "last_action": ["added", "quote_added", "added", None],
            "last_channel": ["email", None, "phone", None],
            "last_direction": ["out", None, None, None],
            "revenue": [12000.0, 3000.0, 0.0, 0.0],
        }
    )


# ------------------------------------------------------------------------------ i18n


def test_number_formats():
    assert fmt_number(1234567.891, "nl", 2) == "1.234.567,89"
    assert fmt_number(1234567.891, "en", 2) == "1,234,567.89"
    assert fmt_number(-0.001, "nl", 1) == "0,0"
    assert fmt_number(float("inf"), "nl") == "∞"
    assert fmt_money(12345.6, "nl") == "€ 12.346" and fmt_money(12345.6, "en") == "€12,346"
    assert fmt_money(12.5, "nl") == "€ 12,50"
    assert fmt_percent(0.125, "nl", 1) == "12,5%" and fmt_percent(1, "en") == "100%"
    assert fmt_ratio(0.2, "nl") == "0,2" and fmt_ratio(0.04, "en") == "0.04"
    assert fmt_ratio(2.8125, "nl") == "2,8" and fmt_ratio(47.3, "nl") == "47"
    assert fmt_days_ago(0, "nl") == "vandaag" and fmt_days_ago(1, "nl") == "1 dag geleden"
    assert fmt_days_ago(1200, "nl") == "1.200 dagen geleden"
    assert fmt_relations(1, "en") == "1 relation" and fmt_relations(2, "nl") == "2 relaties"


def test_text_table():
    assert all(set(v) == {"nl", "en"} for v in TEXT.values())
    assert t("contact_moments", "en", n=3) == "3 contact moments"
    with pytest.raises(KeyError, match="no text"):
        t("no_such_key", "nl")
    with pytest.raises(ValueError, match="unknown language"):
        t("contact_moments", "fr", n=1)


def test_rounded_percentages():
    assert rounded_percentages([1, 1, 1]) == [34, 33, 33]
    assert rounded_percentages([3, 1, 1]) == [60, 20, 20]
    assert rounded_percentages([0, 0, 0]) == [0, 0, 0]


@given(st.lists(st.integers(0, 1000), min_size=1, max_size=6))
def test_rounded_percentages_add_up(counts):
    p = rounded_percentages(counts)
    assert sum(p) == (100 if sum(counts) else 0)
    assert all(abs(x - 100 * c / max(sum(counts), 1)) < 1 for x, c in zip(p, counts, strict=True))


# ------------------------------------------------------------------------------ summaries


def test_attention_summary_hand_worked():
    # [0, 1, 2, 4, 9]: none, little, little, average, much
    s = attention_summary(classify([0, 1, 2, 4, 9]), "nl")
    assert list(s.table["group"]) == ["little", "average", "much"]
    assert list(s.table["count"]) == [3, 1, 1]
    assert list(s.table["percent"]) == [60, 20, 20]
    assert s.table["share"].sum() == pytest.approx(1.0)
    assert s.text.splitlines() == [
        "60% weinig aandacht (3 relaties)",
        "20% gemiddelde aandacht (1 relatie)",
        "20% veel aandacht (1 relatie)",
    ]
    assert "groepsgemiddelde van 3,2" in s.how and "0,25 / 0,75 / 1,5 / 3" in s.how
    assert "5 gemeten relaties" in s.how
    en = attention_summary(classify([0, 1, 2, 4, 9]), "en")
    assert en.text.splitlines()[0] == "60% little attention (3 relations)"
    assert "group average of 3.2" in en.how


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_attention_summary_every_strategy(name):
    r = classify([0, 1, 2, 3, 8, 20], name, period_days=365)
    for lang in ("nl", "en"):
        s = attention_summary(r, lang)
        assert sum(s.table["percent"]) == 100 and int(s.table["count"].sum()) == 6
        assert s.how


def test_attention_summary_empty():
    s = attention_summary(classify([]), "en")
    assert list(s.table["percent"]) == [0, 0, 0]


def test_sales_summary_hand_worked():
    # ΣC = 8, ΣR = 1600 -> A = 200; areas: insufficient R1 + R3, too_much R2 + R5
    df = pd.DataFrame(
        {"relation_id": ["R1", "R2", "R3", "R4", "R5"], "total": [2, 2, 0, 0, 4],
         "revenue": [1000.0, 100.0, 500.0, 0.0, 0.0]}
    )  # fmt: skip
    s = sales_summary(sales_view(df), "nl")
    assert s.n == 4 and s.excluded == 1
    assert list(s.table["count"]) == [2, 0, 2] and list(s.table["percent"]) == [50, 0, 50]
    assert s.text.splitlines() == [
        "Mogelijk onvoldoende: 2 relaties (50%), omzet € 1.500 (94%)",
        "Gemiddeld: 0 relaties (0%), omzet € 0 (0%)",
        "Mogelijk te veel: 2 relaties (50%), omzet € 100 (6%)",
    ]
    assert "A = € 200" in s.how and "index onder 0,75" in s.how and "1 relatie." in s.how
    en = sales_summary(sales_view(df), "en")
    assert en.text.splitlines()[2] == "Possibly too much: 2 relations (50%), revenue €100 (6%)"
    assert "A = €200" in en.how and "1.5 or more" in en.how
    q = sales_summary(sales_view(df, "quantile"), "en")
    assert "strategy quantile" in q.how


def test_summary_sheet_holds_the_bands_and_the_summaries():
    df = pd.DataFrame(
        {"relation_id": ["R1", "R2", "R3", "R4", "R5"], "total": [2, 2, 0, 0, 4],
         "revenue": [1000.0, 100.0, 500.0, 0.0, 0.0]}
    )  # fmt: skip
    banding = classify(df["total"], "relative")
    nl = summary_sheet(banding, None, "nl")
    assert list(nl.columns[:3]) == ["Onderdeel", "Aantal", "Aandeel"]
    items = nl["Onderdeel"].tolist()
    assert items[:3] == ["Aandacht", "geen", "zeer weinig"]
    assert attention_summary(banding, "nl").how in items
    assert nl["Aantal"].dropna().sum() == 5  # every relation in one band
    assert "Omzet" not in " ".join(items)  # no sales view: no revenue rows
    en = summary_sheet(banding, sales_view(df), "en")
    items = en.iloc[:, 0].tolist()
    assert "Sales" in items
    assert "Possibly too much: 2 relations (50%), revenue €100 (6%)" in items
    assert en.iloc[:, 5].dropna().sum() == 1600.0  # the sales bands' revenue


def test_bins_with_their_hover_texts():
    banding = classify([0, 1, 1, 5, 9, 30], "fixed", thresholds=(1, 4, 10, 20))
    bins = band_bins(banding, "en").set_index("band")
    assert bins["count"].sum() == 6
    assert bins.loc["none", "hint"] == t("none_in_period", "en")
    assert bins.loc["little", "hint"] == "exactly 1 contact moment"
    assert bins.loc["very_much", "hint"] == "exactly 30 contact moments"
    assert bins.loc["average", "hint"] == "5 to 9 contact moments"
    assert (
        band_bins(banding, "nl").set_index("band").loc["little", "hint"]
        == "precies 1 contactmoment"
    )
    empty = bins[bins["count"] == 0]
    assert (empty["hint"] == t("bin_empty", "en")).all()
    assert band_bins(banding, "nl")["label"].tolist()[0] == "geen"
    df = pd.DataFrame(
        {"relation_id": ["R1", "R2", "R3", "R4", "R5"], "total": [2, 2, 0, 0, 4],
         "revenue": [1000.0, 100.0, 500.0, 0.0, 0.0]}
    )  # fmt: skip
    sb = sales_bins(sales_view(df), "nl")
    assert sb["count"].sum() == sales_view(df).bands["count"].sum()
    assert sb["revenue"].sum() == 1600.0
    full = sb[sb["count"] > 0]
    assert full["hint"].str.contains("€").all()


def test_selection_in_words_and_the_settings_sheet():
    import datetime as dt

    sel = {"period_from": "2026-01-01", "period_to": "2026-12-31", "as_of": "2026-12-31"}
    assert users_text(sel, "en") == t("users_all_text", "en")
    assert users_text({**sel, "users": ["JdV", "PB"]}, "nl") == t(
        "users_one_text", "nl", user="JdV, PB"
    )
    assert relations_text({**sel, "b_group": "Top"}, "en") == t(
        "relations_b_group_text", "en", group="Top"
    )
    chosen = relations_text({**sel, "relations": ["R1", "R2"]}, "nl", "mijn.csv")
    assert "mijn.csv" in chosen and "2" in chosen
    line = result_line(sel, 1234, "nl")
    assert "1.234" in line and "01-01-2026" in line and "31-12-2026" in line
    kw = dict(
        data="data_samples", strategy="relative", thresholds=[0.5, 1.5, 2.5],
        calculated_at=dt.datetime(2026, 12, 31, 9, 30), privacy=True, n_rows=7, selected=True,
        exported_at=dt.datetime(2026, 12, 31, 10, 0),
    )  # fmt: skip
    sheet = settings_sheet({**sel, "revenue": "both"}, "en", revenue="both", **kw)
    values = dict(zip(sheet.iloc[:, 0], sheet.iloc[:, 1], strict=True))
    assert values[t("set_data", "en")] == "data_samples"
    assert values[t("set_revenue", "en")] == t("revenue_both", "en")
    assert values[t("set_thresholds", "en")] == "0.5 / 1.5 / 2.5"
    assert values[t("set_privacy", "en")] == t("yes", "en")
    assert values[t("set_rows", "en")] == t("set_rows_selected", "en", n="7")
    # for a principal who may not see revenue, not even the word
    hidden = settings_sheet({**sel, "revenue": "both"}, "en", show_revenue=False, **kw)
    assert t("set_revenue", "en") not in hidden.iloc[:, 0].tolist()
    assert len(hidden) == len(sheet) - 1


# ------------------------------------------------------------------------------ explanations


def test_explain_example_sentence():
    r = classify([3, 10, 20, 27])  # mean 15: 3 is 0.2× the average -> very_little
    row = {
        "total": 3, "dgn": 41, "last_user": "JdV", "last_source": "correspondence",
        "last_action": "added", "last_channel": "email", "last_direction": "out",
    }  # fmt: skip
    assert explain(row, r, "nl", band="very_little") == (
        "3 contactmomenten, 0,2× het groepsgemiddelde; laatste: e-mail uit door JdV, "
        "41 dagen geleden"
    )
    assert explain(row, r, "en", band="very_little") == (
        "3 contact moments, 0.2× the group average; last: e-mail out by JdV, 41 days ago"
    )
    with pytest.raises(ValueError, match="band"):
        explain(row, r, "nl")


def test_explain_none_band():
    r = classify([0, 5])
    assert explain({"total": 0, "band": "none", "dgn": 400}, r, "nl") == (
        "geen contactmomenten in de periode; laatste contact 400 dagen geleden"
    )
    assert explain({"total": 0, "band": "none", "dgn": 400}, r, "en") == (
        "no contact moments in the period; last contact 400 days ago"
    )
    assert explain({"total": 0, "band": "none", "dgn": pd.NA}, r, "nl") == "nooit contact"
    assert explain({"total": 0, "band": "none"}, r, "en") == "no contact ever"


def test_explanations_per_relation():
    df = relations()
    r = classify(df["total"])  # mean 15: 0.2×, 0.67×, 0, 3.13×
    nl = explanations(df, r, "nl")
    assert list(nl) == [
        "3 contactmomenten, 0,2× het groepsgemiddelde; laatste: e-mail uit door JdV, "
        "41 dagen geleden",
        "10 contactmomenten, 0,67× het groepsgemiddelde; laatste: offerte door PB, 2 dagen geleden",
        "geen contactmomenten in de periode; laatste contact 400 dagen geleden",
        "47 contactmomenten, 3,1× het groepsgemiddelde",
    ]
    en = explanations(df, r, "en")
    assert en.iloc[1] == (
        "10 contact moments, 0.67× the group average; last: quote by PB, 2 days ago"
    )
    assert en.name == "explanation" and list(en.index) == list(df.index)
    with pytest.raises(ValueError, match="rows"):
        explanations(df.iloc[:2], r, "nl")


def test_explanations_other_strategies():
    df = relations()
    by = {
        name: explanations(df, classify(df["total"], name, period_days=365), lang)
        for name in STRATEGIES
        for lang in ("nl",)
    }
    assert by["fixed"].iloc[0].startswith("3 contactmomenten, weinig: vanaf 3, onder 6;")
    assert by["fixed"].iloc[3].startswith("47 contactmomenten, zeer veel: vanaf 24")
    assert by["per_month"].iloc[1].startswith("10 contactmomenten, 0,82 per maand;")
    assert (
        by["quantile"]
        .iloc[0]
        .startswith("3 contactmomenten, het laagste aantal van de relaties met contact;")
    )
    assert by["quantile"].iloc[3].startswith("47 contactmomenten, meer dan 67% van de relaties")
    # natural breaks, 3 distinct values -> little, average, much
    assert by["natural_breaks"].iloc[0].startswith("3 contactmomenten, weinig: vanaf 3, onder 10")
    en = explanations(df, classify(df["total"], "fixed"), "en")
    assert en.iloc[1].startswith("10 contact moments, average: from 6, below 12;")


def test_shown_numbers_never_seem_to_cross_a_threshold():
    # 3 in 365 days = 0.2466 per month: "0,25" would contradict very_little (< 0.25)
    r = classify([3], "per_month", period_days=365)
    assert explain({"total": 3}, r, "nl", band=r.yb[0]) == "3 contactmomenten, 0,247 per maand"
    # 299 of mean 200 = 1.495: not "1,5" (which would be much)
    r = classify([299, 101])
    assert r.yb[0] == "average"
    assert explain({"total": 299}, r, "en", band="average") == (
        "299 contact moments, 1.495× the group average"
    )
    # exactly on the threshold is shown as the threshold
    r = classify([5, 0, 5])
    assert explain({"total": 5}, r, "nl", band="much") == (
        "5 contactmomenten, 1,5× het groepsgemiddelde"
    )


def test_describe_contact():
    assert describe_contact("correspondence", "added", "email", "in", "en") == "e-mail in"
    assert describe_contact("history", "added", "visit", None, "nl") == "bezoek"
    assert describe_contact("history", "modified", None, None, "en") == "history entry modified"
    assert describe_contact("helpdesk", "call_added", "phone", None, "nl") == "servicemelding"
    assert describe_contact("sales", "quote_to_order", None, None, "nl") == "offerte → order"
    assert describe_contact("note", "added", None, None, "en") == "note"
    assert describe_contact(None, None, None, None, "en") == ""


def test_sales_explanations():
    df = pd.DataFrame(
        {"relation_id": ["R1", "R2", "R3", "R4", "R5", "R6"], "total": [3, 9, 0, 0, 5, 4],
         "revenue": [12000.0, 300.0, 1500.0, 0.0, 0.0, 1600.0]}
    )  # fmt: skip
    # ΣC = 21, ΣR = 15400 -> A = 733.33; expected = revenue / A
    v = sales_view(df)
    nl = sales_explanations(v, "nl")
    assert list(nl) == [
        "3 contactmomenten bij € 12.000 omzet (index 0,18): 13,4 contactmomenten minder dan "
        "de verwachte 16,4",
        "9 contactmomenten bij € 300 omzet (index 22): 8,6 contactmomenten meer dan de "
        "verwachte 0,4",
        "€ 1.500 omzet zonder contactmomenten; verwacht: 2 contactmomenten",
        "uitgesloten: geen contactmomenten en geen omzet in de periode",
        "5 contactmomenten zonder omzet",
        "4 contactmomenten bij € 1.600 omzet (index 1,8): 1,8 contactmomenten meer dan de "
        "verwachte 2,2",
    ]
    en = sales_explanations(v, "en")
    assert en.iloc[0] == (
        "3 contact moments for €12,000 revenue (index 0.18): 13.4 contacts short of the "
        "expected 16.4"
    )
    assert en.iloc[3] == "excluded: no contact moments and no revenue in the period"
    assert en.iloc[4] == "5 contact moments and no revenue"
    # exactly in line: index 1
    v = sales_view(pd.DataFrame({"relation_id": ["A", "B"], "total": [1, 2],
                                 "revenue": [100.0, 200.0]}))  # fmt: skip
    assert sales_explanations(v, "en").iloc[0] == (
        "1 contact moment for €100 revenue (index 1): as expected"
    )
    row = {"revenue": 12000.0, "attention_index": 0.4, "sales_area": "insufficient",
           "expected_contacts": 4.0, "contact_gap": 1.0}  # fmt: skip
    assert explain_sales(row, 3, "nl").endswith("1 contactmoment minder dan de verwachte 4")


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_explanations_equal_explain_row_by_row(name, lang):
    # explanations() builds the sentences from cached parts (fast for 100,000 relations); they
    # must be explain()'s, on the sample data (all kinds of last contacts, zeros, no contact)
    import aandacht
    from aandacht.summary import explain

    res = aandacht.calculate(aandacht.load("data_samples"), aandacht.Selection(as_of="2026-10-31"))
    result = classify(res["total"], name, period_days=365)
    fast = explanations(res, result, lang)
    slow = [
        explain(row, result, lang, band=b)
        for row, b in zip(res.to_dict("records"), result.yb, strict=True)
    ]
    assert fast.tolist() == slow
    assert len(set(slow)) > 10  # the data gives many different sentences


def test_the_grid_table_of_a_result():
    # the dashboard's table: the result's rows in order, with band, colours and explanation in
    # the language; the sales view's columns only with a sales view; pseudonyms in privacy mode
    from pathlib import Path

    import aandacht
    from aandacht.summary import grid_table

    ds = aandacht.load(Path(__file__).resolve().parents[1] / "data_samples")
    res = aandacht.calculate(ds, aandacht.Selection(as_of="2026-10-31", revenue="both"))
    banding = classify(res["total"], "relative")
    plain = grid_table(res, banding, lang="en")
    assert plain["relation_id"].tolist() == res["relation_id"].tolist()
    assert plain["band_key"].tolist() == [str(b) for b in banding.yb]
    assert plain["explanation"].str.contains("contact").any()
    assert "revenue" not in plain and "sales_band" not in plain
    view = sales_view(res)
    with_sales = grid_table(res, banding, view, "nl", extras={"trend": pd.Series(["↑"] * len(res))})
    assert with_sales["revenue"].tolist() == view.table["revenue"].tolist()
    assert with_sales["sales_area_key"].tolist() == view.table["sales_area"].tolist()
    assert "sales_explanation" in with_sales and (with_sales["trend"] == "↑").all()
    later = grid_table(res, banding, view, "nl", with_sales_explanations=False)
    assert "sales_explanation" not in later
    hidden = grid_table(res, banding, lang="nl", privacy=True)
    assert not set(hidden["relation_id"]) & set(res["relation_id"])
    assert len(hidden) == len(res)
