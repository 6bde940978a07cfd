"""Names on badges and the QR drawing, on plain values: no database, no PDF."""
from __future__ import annotations

import pytest

from badges.render import LAYOUTS, cut_marks, outline_path, qr_matrix
from badges.typography import PT_PER_MM, fit_font_size, name_lang, width_em


def test_long_names_shrink_and_wrap():
    short, _ = fit_font_size("Ana", 80, max_pt=26, min_pt=11)
    long, lines = fit_font_size("Maximiliano Fernández", 80, max_pt=26, min_pt=11)
    assert short == 26 and long < 26 and lines == 1
    size, lines = fit_font_size("Wolfeschlegelsteinhausenbergerdorff " * 3, 80, max_pt=26, min_pt=11)
    assert size == 11 and lines >= 2


@pytest.mark.parametrize("name", ["Ana", "Zoë Ångström-Łukasiewicz", "王小明", "김민준", "محمد عبد الرحمن",
                                  "Nguyễn Thị Minh Khai", "M" * 40])
def test_a_name_on_one_line_never_overflows(name):
    size, lines = fit_font_size(name, 80, max_pt=26, min_pt=11)
    if lines == 1:
        assert width_em(name) * size <= 80 * PT_PER_MM + 0.1  # rounding to 0.1 pt
    assert 11 <= size <= 26 and 1 <= lines <= 3


def test_wide_scripts_count_wider_and_combining_marks_add_nothing():
    assert width_em("王小明") > width_em("Ana")  # full-width Han against narrow Latin
    assert width_em("e\u0301") == width_em("e")  # é written as e + combining acute


def test_the_script_picks_the_language_tag():
    assert name_lang("山田 太郎") in ("zh", "ja") and name_lang("やまだ 太郎") == "ja"
    assert name_lang("김민준") == "ko" and name_lang("محمد") == "ar" and name_lang("Zoë") is None
    assert name_lang("Алексей") == "ru" and name_lang("דוד") == "he"


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
