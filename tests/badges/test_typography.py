"""Names on badges and the QR drawing, on plain values: no database, no PDF (the measuring is Pango's, as in the
PDF: see test_names_fit.py for the printed result read back)."""
from __future__ import annotations

import pytest

from badges import measure
from badges.render import LAYOUTS, cut_marks, frame, outline_path, place_card, qr_matrix
from badges.typography import PT_PER_MM, PX_PER_PT, Box, family_for, fit, is_rtl, name_lang

NAME = Box(80, 17.5, 26, 11, weight=700)


def _width_mm(fitted) -> float:
    widest = max(measure.lines(line, family=family_for(fitted.lang), weight=700, size_px=fitted.size_pt * PX_PER_PT,
                               lang=fitted.lang, rtl=fitted.rtl)[0].width for line in fitted.lines)
    return widest / PX_PER_PT / PT_PER_MM


def test_long_names_shrink_and_then_wrap():
    short, long = fit("Ana", NAME), fit("Maximiliano Fernández", NAME)
    assert short.size_pt == 26 and short.lines == ("Ana",)
    assert 11 <= long.size_pt < 26 and long.lines == ("Maximiliano Fernández",)
    wrapped = fit("Maximiliano Alejandro de la Cruz Fernández y Rodríguez-Zapatero", NAME, floor_pt=7)
    assert len(wrapped.lines) in (2, 3) and wrapped.height_mm <= NAME.height_mm
    assert " ".join(wrapped.lines).replace("- ", "-") == wrapped.text  # broken between words, nothing lost


@pytest.mark.parametrize("name", ["Ana", "Zoë Ångström-Łukasiewicz", "王小明", "김민준", "محمد عبد الرحمن",
                                  "Nguyễn Thị Minh Khai", "M" * 40, "W" * 70, "สมชาย ใจดี", "अनन्या शर्मा"])
def test_a_fitted_name_is_never_wider_than_its_box(name):
    fitted = fit(name, NAME, lang=name_lang(name), floor_pt=7)
    assert fitted.lines and _width_mm(fitted) <= NAME.width_mm
    assert fitted.height_mm <= NAME.height_mm


def test_lines_of_a_wrapped_name_are_spaced_by_their_ink():
    """Stacked Vietnamese accents and Thai marks reach higher than Latin: the pitch grows with the ink."""
    box = Box(30, 40, 20, 11, weight=700)
    plain, stacked = fit("Anna Maria Berg", box), fit("Nguyễn Thị Ngọc Ẩn", box)
    assert len(plain.lines) > 1 and len(stacked.lines) > 1
    for fitted in (plain, stacked):
        ink = [measure.lines(line, family=family_for(None), weight=700, size_px=fitted.size_pt * PX_PER_PT)[0]
               for line in fitted.lines]
        reach = (max(-i.ink_top for i in ink) + max(i.ink_bottom for i in ink)) / PX_PER_PT
        assert fitted.pitch_pt >= reach  # the next line's highest ink stays below this line's lowest


def test_what_fits_nowhere_is_cut_with_an_ellipsis():
    fitted = fit("Universiteit " * 30, Box(50, 4, 8, 6, max_lines=1), floor_pt=6)
    assert len(fitted.lines) == 1 and fitted.lines[0].endswith("…") and fitted.text.startswith("Universiteit")


def test_the_script_picks_the_language_tag():
    assert name_lang("山田 太郎") == "zh" and name_lang("やまだ 太郎") == "ja"
    assert name_lang("山田 太郎", "ja") == "ja" and name_lang("王小明", "zh-Hant") == "zh-Hant"
    assert name_lang("Ana", "ja") is None and name_lang("김민준", "ja") == "ko"
    assert name_lang("김민준") == "ko" and name_lang("محمد") == "ar" and name_lang("Zoë") is None
    assert name_lang("Алексей") == "ru" and name_lang("דוד") == "he"
    assert family_for("ja").startswith("Noto Sans CJK JP,") and family_for(None).startswith("Noto Sans,")
    assert is_rtl("محمد (Mo)") and not is_rtl("Mo محمد")


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_every_text_of_a_card_stays_in_its_room(layout):
    spots = frame(LAYOUTS[layout])
    card = {"printed_name": "Wolfeschlegelsteinhausenbergerdorff-Ångström " * 2, "full_name": "محمد " * 30,
            "latin_name": "Muhammad " * 30, "organisation": "Universiteit " * 16, "event_title": "Welcome day " * 16,
            "event_date": "12.03.2027"}
    placed = place_card(card, LAYOUTS[layout])
    assert placed["name"].height_mm <= spots.name.height_mm and len(placed["name"].lines) <= 3
    bottom = spots.name_top + placed["name"].height_mm + 1 + sum(f.height_mm + 0.8 for _, f in placed["aside"])
    limit = spots.qr_top - 2 if LAYOUTS[layout].shape == "portrait" else spots.aside_bottom
    assert bottom <= limit + 0.01
    assert placed["footer"].lines[0].endswith("…")


def test_one_dark_module_is_one_square_and_a_qr_code_needs_few_steps():
    assert outline_path([[True]]) == "M0 0H1V1H0Z"
    assert outline_path([[True, True]]) == "M0 0H2V1H0Z"  # a shared edge cancels, straight runs merge
    matrix = qr_matrix("K7Q2MX4TZP6RB3WNAE5HD2C")
    dark = sum(map(sum, matrix))
    path = outline_path(matrix)
    assert path.count("Z") < dark and len(path) < dark * 4 * 4


def test_cut_marks_stay_in_the_margins():
    assert cut_marks(LAYOUTS["a6"]) == []  # a single badge is cut already
    layout = LAYOUTS["2x5"]
    margin_x, margin_y = layout.margins
    marks = cut_marks(layout)
    assert len(marks) == 2 * (layout.cols + 1) + 2 * (layout.rows + 1)
    for mark in marks:
        inside_x = margin_x < mark["x"] < layout.page[0] - margin_x and mark["w"] == 0
        inside_y = margin_y < mark["y"] < layout.page[1] - margin_y and mark["h"] == 0
        assert not (inside_x and inside_y)
        assert (mark["y"] + mark["h"] <= margin_y or mark["y"] >= layout.page[1] - margin_y
                or mark["x"] + mark["w"] <= margin_x or mark["x"] >= layout.page[0] - margin_x)
