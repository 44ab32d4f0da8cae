"""Web: what readers take elsewhere. /embed (the map, its legend and dates, without the site's header, for an
iframe on another site), the "Share / embed" links of a map view, and /data (downloads, the data's date, the rules
version, the licence and a citation). Thin: the map's view comes from app.web.pages.map_context."""
from __future__ import annotations

from fastapi import APIRouter, Request
from markupsafe import Markup, escape

from app import clock, queries
from app.ingest.candidate import RULES_VERSION
from app.web.deps import SessionDep, date_label, path_with
from app.web.links import absolute, site_url
from app.web.pages import _map_params, map_context
from app.web.responses import render_page, templates

router = APIRouter(include_in_schema=False)
EMBED_HEIGHT = 640  # px: the suggested iframe's height; the map, legend and dates fit at a column's width


def share_links(request: Request, state: dict, as_of) -> dict:
    """The link and the iframe code of a map view (its canonical query `state`), and the same pinned to its
    date when the view has none (without a date a view always shows the latest positions)."""
    query = path_with("", state)  # "?..." or nothing
    pinned = path_with("", state, as_of=as_of.isoformat()) if not state.get("as_of") else None
    embed_src = absolute(request, "/embed" + query)
    title = ("stancemap: positions on a multinational force in Ukraine"
             + (", " + date_label(as_of) if state.get("as_of") else ""))
    iframe = (f'<iframe src="{escape(embed_src)}" title="{escape(title)}" width="100%" height="{EMBED_HEIGHT}" '
              f'style="border:0;max-width:100%" loading="lazy"></iframe>')
    return {"link": absolute(request, "/" + query), "embed_path": "/embed" + query, "iframe": iframe,
            "pinned_link": absolute(request, "/" + pinned) if pinned else None,
            "pinned_iframe": iframe.replace(escape(embed_src), escape(absolute(request, "/embed" + pinned)))
            if pinned else None,
            "data_path": "/data" + query}


templates.env.globals["share_links"] = share_links


def new_tab_links(svg: Markup) -> Markup:
    """The map's country links opening in a new tab: SVG links do not follow the embed's <base target>, and a
    page of the site opened inside the frame would be refused (only /embed may be framed)."""
    return Markup(str(svg).replace('<a href="/countries/', '<a target="_blank" href="/countries/'))


templates.env.filters["new_tab_links"] = new_tab_links


@router.get("/embed")
def embed(request: Request, session: SessionDep):
    """The map view for an iframe: may be framed by any site (app.web.headers.FRAMABLE_PATHS); links open the
    full site in a new tab."""
    context = map_context(request, session)
    context["site_link"] = absolute(request, path_with("/", context["state"]))
    return render_page(request, "embed.html", context, vary=True, status_code=422 if context["errors"] else 200)


@router.get("/data")
def data_page(request: Request, session: SessionDep):
    """Downloads (everything, and the map's view as displayed when the map's parameters are given), how current
    the data is, the rules version, the licence and a suggested citation with today's date as the access date."""
    from app.datapackage import LICENCE, TITLE  # loads frictionless: only here and in the feeds

    raw, p, errors = _map_params(request, session)
    state = {"as_of": p["as_of"].isoformat() if p["as_of"] else None, "stance": p["stance"], "group": p["group"],
             "sort": p["sort"] if p["sort"] != "country" else None, "country": p["country"],
             "reviewed": p["reviewed"] if p["reviewed"] != "all" else None}
    state = {k: v for k, v in state.items() if v and k not in errors}
    reading = queries.effective_reading(p["reviewed"])
    summary = queries.data_summary(session, reading)
    today = clock.today()
    through = date_label(summary.last_stated_on, summary.last_precision) if summary.last_stated_on else None
    url = absolute(request, "/data")
    citation = (f"The stancemap team. {TITLE} [data set]. "
                + (f"Statements through {through}; " if through else "")
                + f"extraction rules {RULES_VERSION}. {url}. Accessed {date_label(today)}.")
    bibtex = "\n".join([
        f"@misc{{stancemap_{today.year},",
        f"  title = {{{{{TITLE}}}}},",
        "  author = {{The stancemap team}},",
        f"  year = {{{today.year}}},",
        f"  howpublished = {{\\url{{{url}}}}},",
        "  note = {" + (f"Statements through {summary.last_stated_on.isoformat()}; " if summary.last_stated_on else "")
        + f"extraction rules {RULES_VERSION}; accessed {today.isoformat()}}}",
        "}"])
    return render_page(request, "data.html", {
        "raw": raw, "errors": errors, "state": state, "view_query": path_with("", state),
        "api_query": path_with("", {k: v for k, v in state.items() if k in ("as_of", "stance", "group", "reviewed")}),
        "as_displayed": bool(state),
        "summary": summary, "reading": reading, "rules_version": RULES_VERSION, "licence": LICENCE,
        "title": TITLE, "citation": citation, "bibtex": bibtex, "today": today, "site": site_url(request),
        "as_of_label": date_label(p["as_of"] or today),
    }, vary=True, status_code=422 if errors else 200)



