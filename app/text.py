"""Text as people type and read it: folding for search, a Latin spelling for names in other scripts.

Search everywhere (the door, the staff desk, the employers' choice page) compares `search_key` of the text with
`fold` of what was typed, so "muller" finds "Müller", "nguyen" finds "Nguyễn" and "zhang" finds "张伟".
The Latin spelling comes from anyascii (a maintained, table-driven transliterator covering every script in
Unicode, ISC licence): it is a reading aid for recruiters and door staff, never a replacement for the name.
"""
from __future__ import annotations

import unicodedata

from anyascii import anyascii
from sqlalchemy import and_, func, literal, true


def fold(text: str | None) -> str:
    """Lower case without accents: "Müller" → "muller", "ÉCOLE" → "ecole"; other scripts keep their letters."""
    if not text:
        return ""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


def _is_latin(text: str) -> bool:
    for char in text:
        if char.isalpha() and not unicodedata.name(char, "").startswith("LATIN"):
            return False
    return True


def _ideograph(char: str) -> bool:
    return unicodedata.name(char, "").startswith(("CJK UNIFIED", "CJK COMPATIBILITY IDEOGRAPH"))


def latin(text: str | None) -> str:
    """A Latin spelling of a name written in another script ("张伟" → "Zhang Wei"), or "" when it is already Latin."""
    if not text or _is_latin(text):
        return ""
    # Ideographs are syllables: spell each on its own so that "张伟" reads "Zhang Wei", not "ZhangWei".
    spaced = "".join(f" {c} " if _ideograph(c) else c for c in text)
    return " ".join(anyascii(spaced).split())


def search_key(*parts: str | None) -> str:
    """What a search compares against: the folded text and, for other scripts, its folded Latin spelling."""
    keys = []
    for part in parts:
        if part:
            folded = fold(part)
            keys.append(folded)
            spelled = fold(latin(part) or anyascii(folded))  # "ørsted" → "orsted", "张伟" → "zhang wei"
            if spelled != folded:
                keys.append(spelled)
    return " ".join(keys)


def matches(query: str | None, *parts: str | None) -> bool:
    """True when every word of the query occurs in the text or its Latin spelling ("mul" matches "Anna Müller")."""
    words = fold(query).split()
    if not words:
        return True
    key = search_key(*parts)
    key_spaceless = key.replace(" ", "")
    return all(w in key or w in key_spaceless for w in words)


def sql_matches(column, query: str | None):
    """The same test as ``matches``, as an SQL condition on a column that holds ``search_key`` of the text: every
    word of the folded query occurs in it (LIKE; "%" and "_" typed are text), or in it without its spaces."""
    words = fold(query).split()
    if not words:
        return true()
    spaceless = func.replace(column, literal(" "), literal(""))
    conditions = []
    for word in words[:8]:
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(column.like(pattern, escape="\\") | spaceless.like(pattern, escape="\\"))
    return and_(*conditions)
