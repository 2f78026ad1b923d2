"""The aandacht dashboard (placeholder until the dashboard issue lands)."""

import os

import panel as pn

import aandacht

pn.extension()

DATA = os.environ.get("AANDACHT_DATA", "data_samples")


def _page() -> pn.viewable.Viewable:
    ds = aandacht.load(DATA)
    res = aandacht.calculate(ds, aandacht.Selection())
    return pn.Column(
        "# Aandachtsmonitor",
        f"Data: `{DATA}` — {len(ds.relations)} relaties, {int(res.total.sum())} contactmomenten "
        "in de laatste 365 dagen.",
        pn.widgets.Tabulator(res[["relation_id", "name", "total", "dgn"]], pagination="remote",
                             page_size=25, disabled=True),
    )


if pn.state.served:
    _page().servable(title="Aandachtsmonitor")
