"""Badge documents for the app: cached single badges and sheets, the phone PNG, the mail attachment, the jobs.

Every file is cached under a fingerprint of everything that went into it (template version, layout, the cards'
text and tokens), so a changed name or a re-issued badge makes a new file and an unchanged one is never
rendered twice. Web requests only ever serve a cached file; rendering happens in a background job (a CJK
font subset can take seconds).
"""
from __future__ import annotations

import io

from flask import current_app, has_request_context
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.jobs import Job, JobContext, JobStatus, enqueue
from app.mail import Attachment
from app.pdf import cached, cached_document, fingerprint
from app.storage import StoredDocument
from badges import render, services
from badges.models import Badge
from events.programme.models import Event
from events.registration.models import Registration


def labels() -> dict:
    """The badge's words in the current language: the request's, the one forced around the call (a person's
    badge in their mail language), else the default (a job or the CLI with no request)."""
    return {"title": _("Badges"), "roles": {"attendee": _("Attendee"), "employer": _("Employer"),
                                            "staff": _("Staff"), "speaker": _("Speaker")}}


def _key(cards: list[services.BadgeCard], layout: str, extra: str = "") -> str:
    return fingerprint(render.TEMPLATE_VERSION, layout, extra, sorted(labels()["roles"].items()),
                       *[tuple(sorted(c.as_dict().items())) for c in cards])


def render_sheet(cards: list[services.BadgeCard], layout: str, *, processes: int | None = None,
                 progress=None) -> StoredDocument:
    """The PDF of these cards (cached); ``progress(done, total)`` is called as chunks finish."""
    data = [c.as_dict() for c in cards]
    workers = processes if processes is not None else current_app.config["BADGE_RENDER_PROCESSES"]
    return cached("badges", _key(cards, layout),
                  lambda: render.render_cards(data, layout, labels(), processes=workers, progress=progress))


# ------------------------------------------------------------------------------------------------ one badge

def single_key(badge: Badge, layout: str = "a6") -> str:
    return _key([services.card_for(badge)], layout)


def cached_single(badge: Badge, layout: str = "a6", suffix: str = ".pdf") -> StoredDocument | None:
    return cached_document("badges", single_key(badge, layout), suffix=suffix)


def render_single(badge: Badge, layout: str = "a6") -> StoredDocument:
    return render_sheet([services.card_for(badge)], layout, processes=1)


def render_png(badge: Badge) -> StoredDocument:
    """The badge for a phone screen: the A6 badge rasterised (pdfium), cached next to its PDF."""
    pdf = render_single(badge, "a6")

    def build() -> bytes:
        import pypdfium2  # only the phone image needs the PDF rasteriser
        document = pypdfium2.PdfDocument(pdf.data)
        try:
            image = document[0].render(scale=200 / 72).to_pil()  # 200 dpi: sharp on a phone, QR easy to scan
        finally:
            document.close()
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=True)
        return out.getvalue()
    return cached("badges", single_key(badge, "a6"), build, suffix=".png")


def single_badge_job(ctx: JobContext, badge_id: int) -> None:
    badge = db.session.get(Badge, badge_id)
    if badge is None:
        return
    ctx.progress(0, 2, _("rendering the badge"), force=True)
    render_single(badge)
    ctx.progress(1, 2, _("rendering the phone image"))
    render_png(badge)
    ctx.progress(2, 2, _("done"))


def _running(kind: str, badge_id: int, **params) -> Job | None:
    running = db.session.scalars(select(Job).where(
        Job.kind == kind, Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]))).all()
    for job in running:
        if (job.params or {}).get("badge_id") == badge_id and all(
                (job.params or {}).get(name) == value for name, value in params.items()):
            return job
    return None


def prepare_single(badge: Badge) -> Job | None:
    """Start rendering a badge unless it is cached or already being rendered; returns the job, if any."""
    if cached_single(badge) is not None and cached_single(badge, suffix=".png") is not None:
        return None
    return _running("badges.single", badge.id) or enqueue("badges.single", event_id=badge.event_id,
                                                          badge_id=badge.id)


# ------------------------------------------------------------------------------------------------ label

# A walk-in's badge, printed at the door on a label printer: one 90 × 55 mm page.
LABEL = "90x55"


def cached_label(badge: Badge, locale: str) -> StoredDocument | None:
    """The label PDF in ``locale`` (the holder's), if it is drawn already."""
    with force_locale(locale):
        return cached_single(badge, LABEL)


def label_job(ctx: JobContext, badge_id: int, locale: str = "en") -> None:
    badge = db.session.get(Badge, badge_id)
    if badge is None:
        return
    ctx.progress(0, 1, _("rendering the label"), force=True)
    with force_locale(locale):  # the holder's language (the cache key has the badge's words)
        render_single(badge, LABEL)
    ctx.progress(1, 1, _("done"))


def prepare_label(badge: Badge, locale: str) -> Job | None:
    """Start drawing the label unless it is drawn or being drawn (a CJK name's font takes seconds)."""
    if cached_label(badge, locale) is not None:
        return None
    return _running("badges.label", badge.id, locale=locale) or enqueue(
        "badges.label", event_id=badge.event_id, badge_id=badge.id, locale=locale)


def badge_attachment(registration_id: int, **_ignored) -> Attachment | None:
    """The confirmation e-mail's badge (built by the mail sender after the commit, then cached for the web)."""
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        return None
    badge = services.badge_for_registration(registration)
    if badge is None:
        return None
    with force_locale(registration.attendee.locale or "en"):
        document = render_single(badge)
    return Attachment(filename=f"badge-{registration.event.slug}.pdf", mimetype="application/pdf",
                      data=document.data)


# ------------------------------------------------------------------------------------------------ sheets

def badge_sheet_job(ctx: JobContext, event: int, layout: str = "2x5", role: str | None = None,
               not_printed: bool = False, attendee_email: str | None = None, mark_printed: bool = False) -> None:
    event = db.session.get(Event, event)
    ctx.progress(0, 1, _("issuing badges"), force=True)
    services.issue_event_badges(event)
    badges = services.select_badges(event, role=role, not_printed=not_printed, attendee_email=attendee_email)
    cards = services.cards(badges)
    ctx.progress(0, len(cards), _("rendering the badges"), force=True)
    if not cards:
        ctx.finish_with(count=0)
        return
    document = render_sheet(cards, layout, progress=lambda done, total: ctx.progress(
        done, total, _("rendering the badges")))
    if mark_printed:
        services.mark_printed([c.badge_id for c in cards])
    ctx.progress(len(cards), len(cards), _("done"), force=True)
    ctx.finish_with_document(document.key, filename=f"badges-{event.slug}-{layout}.pdf", mimetype="application/pdf",
                         count=len(cards))
