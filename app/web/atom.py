"""Web: Atom feeds of position changes, built with feedgen from the kept changes (app.queries.ChangeEntry).

An entry is one change of one country's position: its id is a tag: URI naming the reading, the country and the
day (stable for as long as the site keeps its address), its `updated` the last time the statement behind it was
written (added, edited or verified), its `published` when that statement was added. Its content says the old and
the new stance, quotes the evidence with the speaker, names the source, says how sure it is and links the
statement."""
from __future__ import annotations

import datetime as dt

from feedgen.feed import FeedGenerator
from fastapi import Request

from app.queries import ChangeEntry
from app.web.deps import date_label, templates
from app.web.labels import TRUST_WORDS, trust_label
from app.web.links import absolute, tag_uri

ATOM_TYPE = "application/atom+xml; charset=utf-8"
FEED_SIZE = 50  # entries in a feed: the newest changes


def entry_title(c: ChangeEntry) -> str:
    when = date_label(c.stated_on, c.date_precision)
    if c.previous is None:
        return f"{c.country_name}: first position, {c.stance} ({when})"
    return f"{c.country_name}: {c.previous} → {c.stance} ({when})"


def entry_summary(c: ChangeEntry) -> str:
    """One plain line: the change, how sure it is, who said it."""
    words = trust_label(c.origin, c.review_status, c.confidence)
    said = f" {c.speaker}:" if c.speaker else ""
    return f"{entry_title(c)}; {words}.{said} “{c.quote}”"


def _datetime(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def changes_feed(request: Request, entries: list[ChangeEntry], *, title: str, subtitle: str, feed_id: str,
                 self_path: str, html_path: str, empty_updated: dt.datetime, reading: str) -> bytes:
    """The feed document (UTF-8 bytes)."""
    from app.datapackage import LICENCE  # imported here: it loads frictionless, which no other page needs

    fg = FeedGenerator()
    fg.id(tag_uri(request, feed_id))
    fg.title(title)
    fg.subtitle(subtitle)
    fg.link(href=absolute(request, self_path), rel="self", type="application/atom+xml")
    fg.link(href=absolute(request, html_path), rel="alternate", type="text/html")
    fg.author({"name": "stancemap", "uri": absolute(request, "/about")})
    fg.language("en")
    fg.rights(f"Data: {LICENCE['title']} ({LICENCE['path']}); how to cite it: {absolute(request, '/data')}")
    fg.updated(max((c.revised_at for c in entries), default=empty_updated))
    template = templates.env.get_template("feeds/entry.html")
    for c in entries:
        fe = fg.add_entry(order="append")
        fe.id(tag_uri(request, f"change:{reading}:{c.country}:{c.stated_on.isoformat()}"))
        fe.title(entry_title(c))
        fe.updated(c.revised_at)
        fe.published(c.recorded_at)
        statement_url = absolute(request, f"/statements/{c.statement_id}")
        # One link only: feedgen 1.0.0 writes an entry link's href and drops its rel, type and title
        # (lkiesow/python-feedgen#135), so a second (rel="related") link would come out as a second alternate,
        # which Atom forbids. The alternate is the default rel; the source is linked in the content.
        fe.link(href=statement_url)
        fe.summary(entry_summary(c))
        fe.content(template.render(c=c, statement_url=statement_url,
                                   country_url=absolute(request, f"/countries/{c.country}"),
                                   article_url=absolute(request, f"/articles/{c.article_id}") if c.article_id else None,
                                   trust_words=trust_label(c.origin, c.review_status, c.confidence),
                                   when=("on " if c.date_precision == "day" else "in ")
                                   + date_label(c.stated_on, c.date_precision)), type="html")
        fe.category(term=c.stance, label=f"new stance: {c.stance}")
        fe.category(term=f"trust-{c.trust}", label=TRUST_WORDS[c.trust])
    return fg.atom_str(pretty=True)
