"""Folding and Latin spellings for search (no database)."""
import pytest

from app import text


@pytest.mark.parametrize("written,typed", [
    ("Müller", "muller"), ("Nguyễn Thị Minh Khai", "nguyen thi"), ("ÉCOLE", "ecole"),
    ("张伟", "zhang wei"), ("Дмитрий Иванов", "dmitriy"), ("มาลี ศรีสุข", "mali"),
    ("Anna Müller", "MÜL"), ("Ørsted", "orsted"),
])
def test_search_finds_what_people_type(written, typed):
    assert text.matches(typed, written)


@pytest.mark.parametrize("written,typed", [("Müller", "meier"), ("张伟", "li"), ("Anna", "anna b")])
def test_search_does_not_find_other_names(written, typed):
    assert not text.matches(typed, written)


def test_latin_spelling_only_for_other_scripts():
    assert text.latin("Nguyễn Thị") == ""
    assert text.latin("张伟") == "Zhang Wei"
    assert text.latin("Дмитрий") == "Dmitriy"
    assert text.latin(None) == ""
    assert text.fold("  Zoë   Ångström ") == "zoe angstrom"


def test_a_badge_prints_the_attendees_own_latin_spelling_first():
    from badges.services import latin_spelling
    assert latin_spelling("山田太郎", "ja", "Yamada Taro") == "Yamada Taro"  # their own, even for Japanese
    assert latin_spelling("山田太郎", "ja") == ""                           # never kanji read as Chinese
    assert latin_spelling("张伟") == "Zhang Wei"
    assert latin_spelling("Anna Müller", "", "Anna Mueller") == ""          # a Latin name needs none
