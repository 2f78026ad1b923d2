# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 02 — One client's timeline
#
# "Do my top customers get enough attention?" (S14). This notebook
#
# 1. finds a **neglected top customer**: a relation of the B-group `top customers` that brings
#    much revenue but gets few contact moments (sales area *possibly insufficient*),
# 2. shows its **timeline** (S7): every event in time order, also those that are not contact
#    moments (invoices, mailings),
# 3. plots its **activity per month** per source (history, correspondence, sales, helpdesk),
# 4. and its **band history** (B1): the band it got in every quarter, each quarter counted and
#    banded against all relations the way the monitor does it.
#
# All computing is done by the `aandacht` library; this notebook only arranges and plots.

# %%
# ruff: noqa: B018  (a cell's last expression is what the notebook shows)
import os
from pathlib import Path

import holoviews as hv
import hvplot.pandas  # noqa: F401  (registers .hvplot on DataFrames)
import pandas as pd
import panel as pn

import aandacht
from aandacht.bands import BAND_NAMES, BANDS
from aandacht.history import activity_per_month, band_history
from aandacht.sales import sales_view
from aandacht.summary import sales_explanations

pn.extension()
hv.extension("bokeh")
pd.set_option("display.width", 140)
pd.set_option("display.max_colwidth", 60)


def find_data(name: str = "data_samples") -> Path:
    """The data folder: $AANDACHT_DATA, or ``data_samples`` in this folder or a parent."""
    if os.environ.get("AANDACHT_DATA"):
        return Path(os.environ["AANDACHT_DATA"])
    for folder in (Path.cwd(), *Path.cwd().parents):
        if (folder / name).is_dir():
            return folder / name
    raise FileNotFoundError(f"no folder {name!r} here or above; set AANDACHT_DATA")


# %% tags=["parameters"]
AS_OF = "2026-10-31"  # "now": the last day of the sample data
HISTORY_START = "2024-10-31"  # the first day of the sample data
B_GROUP = "top customers"
RELATION = None  # a relation code, or None to pick the most neglected top customer

# %% [markdown]
# ## Find a neglected top customer
# The sales view (S9) weighs each relation's contact moments against its revenue over the last
# year. *Possibly insufficient* with the sales band `none` or `very_little` means: much revenue,
# hardly any contact.

# %%
ds = aandacht.load(find_data())
result = aandacht.calculate(ds, aandacht.Selection(as_of=AS_OF, b_group=B_GROUP, revenue="both"))
view = sales_view(result)
candidates = result[["relation_id", "name", "city", "total", "dgn"]].join(
    view.table[["revenue", "attention_index", "sales_band", "sales_area", "contact_gap"]]
)
candidates["explanation"] = sales_explanations(view, "en")
candidates = candidates[candidates["sales_area"] == "insufficient"].sort_values(
    "revenue", ascending=False
)
candidates.round(3)

# %%
if RELATION is None:
    neglected = candidates[candidates["sales_band"].isin(["none", "very_little"])]
    RELATION = neglected["relation_id"].iloc[0]
chosen = candidates.set_index("relation_id").loc[RELATION]
print(f"{RELATION} {chosen['name']} ({chosen['city']}): {chosen['explanation']}")

# %% [markdown]
# ## Timeline (S7)
# All events of the relation up to `AS_OF`, oldest first. `counted` says whether the event is a
# contact moment, `counted_under` under which group.

# %%
events = aandacht.timeline(ds, RELATION, as_of=AS_OF)
cols = ["timestamp", "user_id", "source", "action", "counted", "channel", "direction",
        "subject", "amount", "reference"]  # fmt: skip
print(f"{len(events)} events, {int(events['counted'].sum())} contact moments")
events[cols].tail(15)

# %%
timeline_plot = events.hvplot.scatter(
    x="timestamp",
    y="source",
    by="counted",
    hover_cols=["action", "user_id", "subject", "amount"],
    size=60,
    alpha=0.7,
    height=260,
    width=900,
    title=f"{RELATION} {chosen['name']}: every event (colour: contact moment or not)",
)
timeline_plot

# %% [markdown]
# ## Activity per month, per source
# Contact moments per month under each group (S8: history includes notes), and the events that
# are not contact moments (invoices, mailings) as a line.

# %%
activity = activity_per_month(ds, RELATION, start=HISTORY_START, end=AS_OF)
activity.tail(6)

# %%
monthly = activity.assign(month=activity["month"].dt.strftime("%Y-%m"))
activity_plot = monthly.hvplot.bar(
    x="month",
    y=["history", "correspondence", "sales", "helpdesk"],
    stacked=True,
    rot=90,
    height=320,
    width=900,
    ylabel="contact moments",
    legend="top_right",
    title=f"{RELATION}: contact moments per month",
) * monthly.hvplot.line(x="month", y="not_counted", color="black", label="not counted")
activity_plot

# %% [markdown]
# ## Band history (B1)
# The band the relation got in each calendar quarter, counting only that quarter and banding it
# against **all** relations with the default strategy (relative to the group mean). The first
# and last quarter are cut to the data (31 Oct 2024 and 31 Oct 2026). The second table uses a
# rolling year instead: the band the monitor showed at the end of each quarter (the first
# rolling years reach back before the data starts, so they hold less than a year).

# %%
history = band_history(ds, [RELATION], start=HISTORY_START, end=AS_OF, freq="Q")
history[["period", "period_from", "period_to", "total", "group_mean", "ratio", "band"]].round(2)

# %%
rolling = band_history(ds, [RELATION], start=HISTORY_START, end=AS_OF, freq="Q", window_days=365)
rolling[["period", "period_from", "period_to", "total", "ratio", "band"]].round(2)

# %%
band_levels = {b: i for i, b in enumerate(BAND_NAMES)}
plot_data = pd.concat(
    [history.assign(kind="quarter"), rolling.assign(kind="rolling year")], ignore_index=True
)
plot_data["level"] = plot_data["band"].map(band_levels)
plot_data["colour"] = plot_data["band"].map(lambda b: BANDS[b].colour)
plot_data["label"] = plot_data["band"].map(lambda b: BANDS[b].label_en)
yticks = [(i, BANDS[b].label_en) for b, i in band_levels.items()]
band_plot = hv.Overlay(
    [
        hv.Curve(part, "period", "level", label=kind).opts(line_dash=dash)
        * hv.Scatter(part, "period", ["level", "colour", "label", "total"]).opts(
            color="colour", size=12, tools=["hover"]
        )
        for (kind, part), dash in zip(
            plot_data.groupby("kind", sort=False), ["solid", "dashed"], strict=True
        )
    ]
).opts(
    hv.opts.Curve(color="grey"),
    hv.opts.Overlay(
        height=320, width=900, yticks=yticks, ylim=(-0.5, 5.5), legend_position="top_right",
        title=f"{RELATION}: attention band per quarter", ylabel="band",
    ),
)  # fmt: skip
band_plot

# %% [markdown]
# **Reading it.** On the sample data the chosen top customer got *very much* attention in its
# first year and then nothing but one or two direct orders and the mailings; its quarter band
# drops to *none* in 2026 while the revenue keeps coming. The rolling-year band, which is what
# the monitor shows, follows half a year later. That is the case the sales view flags as
# *possibly insufficient*, and the one the attention-drop alert (B1) is for.
