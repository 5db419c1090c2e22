"""The programme's public statistics page: totals, tables by period, field and region, bar charts, CSV export."""
# mypy: allow-untyped-decorators

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, Response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from arena import demands
from arena.errors import ArenaError
from web import state
from web.demand_statistics import bars, parse_request, to_csv
from web.i18n import localized

bp = Blueprint("demand_stats", __name__)

FIGURE_NAMES = {
    "demands_filed": _l("Demands filed"),
    "demands_approved": _l("Demands approved"),
    "demands_published": _l("Demands published"),
    "sponsors": _l("Sponsors"),
    "intended_investment": _l("Intended investment (yuan)"),
    "respondents": _l("Respondents"),
    "solutions": _l("Solutions"),
    "matches": _l("Matches"),
    "deals": _l("Deals"),
    "contract_value": _l("Contract value (yuan)"),
}
CHARTED = ("demands_filed", "solutions", "deals", "contract_value")


@bp.get("/demands/statistics")
def page() -> Response | str | tuple[str, int]:
    """Totals and one table (by period, field or region) with bar charts; ``?format=csv`` downloads the table."""
    session = state.session()
    args = {key: request.args.get(key, "") for key in ("by", "period", "start", "end")}
    try:
        asked = parse_request(args)
    except ArenaError as error:
        html = render_template("demands/stats_page.html", error=localized(error), args=args, names=_names())
        return html, 400
    rows = demands.statistics(session, asked.grouping, asked.period, asked.window)
    if request.args.get("format") == "csv":
        body = to_csv(rows, asked.grouping.value)
        name = f"demand-statistics-{asked.grouping.value}.csv"
        return Response(body, mimetype="text/csv", headers={"Content-Disposition": f"attachment; filename={name}"})
    shown = [(_label(asked.grouping, row.key), asdict(row)) for row in rows]
    charts = [
        (str(FIGURE_NAMES[name]), bars([(label, values[name]) for label, values in shown], str(FIGURE_NAMES[name])))
        for name in CHARTED
    ]
    return render_template(
        "demands/stats_page.html",
        error="",
        args=args,
        asked=asked,
        total=asdict(demands.totals(session, asked.window)),
        rows=shown,
        charts=charts,
        names=_names(),
        figures=demands.FIGURES,
    )


def _names() -> dict[str, str]:
    return {name: str(label) for name, label in FIGURE_NAMES.items()}


def _label(grouping: demands.Grouping, key: str) -> str:
    if grouping is demands.Grouping.FIELD:
        return _(demands.FIELDS[key]) if key in demands.FIELDS else (key or _("unknown"))
    return key or _("unknown")
