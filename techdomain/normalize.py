"""Text clean-up before tokenizing: one canonical form for what users paste from PDFs, Excel and patents."""

from __future__ import annotations

import re
import unicodedata

# NFKC leaves these dash and tilde look-alikes distinct; abstracts mix them freely (e.g. 〜 and ～ in ranges).
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe58\ufe63"
_TILDES = "\u301c\u223c\u223e\u2053"
_TRANSLATE = {ord(c): "-" for c in _DASHES} | {ord(c): "~" for c in _TILDES}

# Patent section markers such as 【課題】【解決手段】【選択図】 carry no domain meaning.
_PATENT_MARKER = re.compile(r"【[^】\n]{0,12}】")
# Lone surrogates (broken UTF-16 from Excel) cannot be encoded for the tokenizer; control and
# zero-width characters split words invisibly.
_JUNK = re.compile(r"[\ud800-\udfff\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff\ufff9-\ufffb]")
_SPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Return ``text`` in canonical form: NFKC, one dash and tilde, no patent markers, single spaces.

    >>> from techdomain.normalize import normalize
    >>> normalize("【課題】ＡＩ　ロボット〜１０kg")
    'AI ロボット~10kg'
    """
    text = _JUNK.sub(" ", text)
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    text = _PATENT_MARKER.sub(" ", text)
    return _SPACE.sub(" ", text).strip()
