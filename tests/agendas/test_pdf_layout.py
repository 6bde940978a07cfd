"""The programme booklet and the personal agenda keep every glyph on the page: long unbroken titles (200 letters,
a long URL) wrap inside their column; and a right-to-left override in people's text does not reverse the labels
printed next to it.

Glyph boxes come from pdfium (pypdfium2), one box per character: poppler's pdftotext drops characters that lie
outside the page, which are exactly the ones this test looks for.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timezone

import pytest

from app.extensions import db
from events.employers.models import Organisation
from events.programme.models import SessionKind
from tests.agendas.helpers import add_session, berlin
from tests.factories import make_event, register

pytestmark = pytest.mark.slow  # every test here renders PDFs with WeasyPrint

MM = 72 / 25.4
# @page margins of templates/pdf/agenda_styles.html (top, right, bottom, left), in mm.
MARGINS = (18, 15, 16, 15)
LETTERS = "Interkulturellekompetenzentwicklungsworkshopfuerinternationaleabsolventinnenundabsolventen" * 3
LONG_WORD = LETTERS[:200]
LONG_URL = "https://www.example.org/welcome-days/2027/programme/sessions/" + "residence-permit-blue-card-" * 4 + "faq"
RLO = "\u202e"


@dataclass
class Glyph:
    char: str
    page: int
    left: float
    bottom: float
    right: float
    top: float


def glyphs(pdf: bytes) -> tuple[list[Glyph], list[tuple[float, float]]]:
    """Every drawn character with its box (PDF points, origin bottom left), and each page's size."""
    import pypdfium2
    document = pypdfium2.PdfDocument(pdf)
    found, sizes = [], []
    try:
        for number, page in enumerate(document):
            sizes.append(page.get_size())
            text = page.get_textpage()
            for i in range(text.count_chars()):
                char = text.get_text_range(i, 1)
                if not char.strip():
                    continue
                left, bottom, right, top = text.get_charbox(i)
                found.append(Glyph(char, number, left, bottom, right, top))
    finally:
        document.close()
    return found, sizes


def outside_the_printable_box(pdf: bytes) -> list[str]:
    """Glyphs outside the page's printable box: between the left and right page margins (the running headers
    and page numbers sit in the top and bottom margins, above and below the text, never beside it), and at
    least 5 mm from the top and bottom edges."""
    found, sizes = glyphs(pdf)
    assert found, "no text in the PDF"
    problems = []
    for g in found:
        width, height = sizes[g.page]
        x_min, x_max = MARGINS[3] * MM - 0.5, width - MARGINS[1] * MM + 0.5
        y_min, y_max = 5 * MM, height - 5 * MM
        if g.left < x_min or g.right > x_max or g.bottom < y_min or g.top > y_max:
            problems.append(f"page {g.page + 1}: {g.char!r} at x {g.left:.0f}–{g.right:.0f}, "
                            f"y {g.bottom:.0f}–{g.top:.0f} (page {width:.0f}×{height:.0f} pt)")
    return problems


def pdf_chars(pdf: bytes) -> str:
    return "".join(g.char for g in glyphs(pdf)[0])


def make_long_day():
    """A day whose title, session titles, host, speakers and abstracts hold 200-letter words and long URLs."""
    event = make_event(title="Welcome day " + LONG_WORD[:150],
                       starts_at=berlin(2027, 3, 25, 9, 0).astimezone(timezone.utc),
                       ends_at=berlin(2027, 3, 25, 17, 0).astimezone(timezone.utc))
    host = Organisation(name="Hostorganisation" + "x" * 60, website=LONG_URL, description=LONG_URL)
    db.session.add(host)
    db.session.commit()
    sessions = [
        add_session(event, LONG_WORD, berlin(2027, 3, 25, 9, 0), 60, room="Room A", host=host,
                    speakers=LONG_WORD[:120], abstract=f"Slides: {LONG_URL} and {LONG_WORD}"),
        add_session(event, LONG_URL, berlin(2027, 3, 25, 9, 0), 60, room="Room B", kind=SessionKind.TALK),
        add_session(event, "Lunch", berlin(2027, 3, 25, 12, 0), 60, room="Room A", kind=SessionKind.BREAK,
                    capacity=None),
    ]
    return event, host, sessions


def make_long_registration(event, sessions):
    registration = register(event, sessions=sessions[:1], name="Nguyễn " + LONG_WORD[:70])
    registration.attendee.university = LONG_URL
    db.session.commit()
    return registration


@pytest.fixture
def long_day(db):
    return make_long_day()


@pytest.mark.parametrize("size", ["a4", "a5"])
def test_long_unbroken_titles_wrap_inside_the_programme(client, long_day, size):
    event, _host, _sessions = long_day
    response = client.get(f"/e/{event.slug}/programme.pdf" + ("?size=a5" if size == "a5" else ""))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    problems = outside_the_printable_box(response.data)
    assert not problems, f"{len(problems)} glyphs outside the printable box, e.g.\n" + "\n".join(problems[:10])
    text = pdf_chars(response.data)
    assert text.count(LONG_WORD[:40]) >= 2  # the title in the day at a glance and in the listing, all printed
    assert LONG_WORD[-30:] in text


def test_long_unbroken_titles_wrap_inside_the_personal_agenda(client, long_day):
    event, _host, sessions = long_day
    registration = make_long_registration(event, sessions)
    response = client.get(f"/r/{registration.token}/agenda.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    problems = outside_the_printable_box(response.data)
    assert not problems, f"{len(problems)} glyphs outside the printable box, e.g.\n" + "\n".join(problems[:10])
    assert LONG_WORD[-30:] in pdf_chars(response.data)


def reads_left_to_right(pdf: bytes, label: str) -> bool:
    """The label is printed as it reads: its glyphs in order, each to the right of the one before (a label
    reversed by a right-to-left override is drawn back to front)."""
    found = glyphs(pdf)[0]
    text = "".join(g.char for g in found)
    start = text.find(label)
    while start >= 0:
        run = found[start:start + len(label)]
        if all(a.page == b.page and a.right <= b.left + 0.5 for a, b in zip(run, run[1:])):
            return True
        start = text.find(label, start + 1)
    return False


def test_a_right_to_left_override_stays_inside_peoples_text_in_every_pdf(client, db):
    from badges import documents, services
    event = make_event(title=RLO + "Evil welcome day", starts_at=berlin(2027, 3, 25, 9, 0).astimezone(timezone.utc),
                       ends_at=berlin(2027, 3, 25, 17, 0).astimezone(timezone.utc))
    host = Organisation(name=RLO + "Evil host")
    db.session.add(host)
    db.session.commit()
    session = add_session(event, RLO + "Evil session", berlin(2027, 3, 25, 9, 0), 60, room=RLO + "Evil room",
                          host=host, speakers=RLO + "Eve Evil")
    registration = register(event, sessions=[session], name=RLO + "Eve Evil")
    programme = client.get(f"/e/{event.slug}/programme.pdf").data
    agenda = client.get(f"/r/{registration.token}/agenda.pdf").data
    badge = documents.render_single(services.badge_for_registration(registration)).read_bytes()
    db.session.commit()
    # The people's text itself is reversed, as its author asked; what we print after it is not.
    assert reads_left_to_right(programme, "livE") and reads_left_to_right(programme, "Speakers:")
    assert reads_left_to_right(programme, "Workshop")  # after the room, in the listing
    assert reads_left_to_right(agenda, "Workshop") and reads_left_to_right(agenda, "Seat")  # after the room
    assert reads_left_to_right(badge, "25.03.2027")  # the badge's footer: event title · date
    assert reads_left_to_right(badge, "livE")
