"""Where text becomes tokens: fugashi + unidic-lite, lemmas of content words.

The rules, in order of why they matter for domain classification:
- content words only (nouns, verbs, adjectives, prefixes, suffixes), by their UniDic lemma, so that
  用いた / 用いる and コンピュータ / コンピューター meet; single-kanji words such as 船, 海, 薬, 核 are kept;
- ASCII words are lower-cased unless they look like acronyms (AI, IoT, GNSS, EUV, mRNA), whose case
  is what tells them apart from ordinary words;
- numbers, symbols, particles and auxiliary verbs are dropped.
"""

from __future__ import annotations

import re
import shlex
import threading

import fugashi
import unidic_lite

from .normalize import normalize

UNIDIC_LITE_VERSION = "1.0.8"  # the token tables in tests/test_tokenize.py were made with this dictionary

# MeCab prints surface, pos1, pos2 and lemma directly; building fugashi Node objects per word
# would cost more than the parse itself. "-O ''" lifts the dictionary's fixed output format.
_FORMAT = r"""-O '' -F '%m\t%f[0]\t%f[1]\t%f[7]\n' -U '%m\t%f[0]\t%f[1]\t\n' -E '' """

_CONTENT_POS = frozenset({"名詞", "動詞", "形容詞", "形状詞", "接頭辞", "接尾辞"})
# Light verbs and adjectives (する, ある, いる, できる, ...) are tagged 非自立可能; they say nothing about a domain.
_SKIP_POS2 = frozenset({"数詞", "非自立可能", "助数詞"})
_STOP = frozenset(
    "こと 事 もの 物 ため 為 よう 様 ところ 所 とき 時 など 等 the of and or to in for on with by from as at is are was were be been "
    "this that these those it its we our which an a into using based than such can also has have not".split()
)
_ASCII_WORD = re.compile(r"[A-Za-z][A-Za-z0-9+\-.]*\Z")
_DIGITS = re.compile(r"[\d.,\-+/%~]+\Z")

_local = threading.local()


def _tagger() -> fugashi.GenericTagger:
    # One tagger per thread, created on first use: MeCab taggers are neither picklable nor
    # thread-safe, and a classifier copied to a worker process must build its own.
    tagger = getattr(_local, "tagger", None)
    if tagger is None:
        tagger = fugashi.GenericTagger(f"-d {shlex.quote(unidic_lite.DICDIR)} -r /dev/null {_FORMAT}")
        _local.tagger = tagger
    return tagger


def _word(surface: str, pos1: str, pos2: str, lemma: str) -> str | None:
    if pos1 not in _CONTENT_POS or pos2 in _SKIP_POS2:
        return None
    if not lemma:  # unknown to the dictionary: English words, acronyms, rare katakana
        lemma = surface
    elif "-" in lemma and lemma[0] > "\u3000":
        lemma = lemma.split("-", 1)[0]  # UniDic appends the English origin to loanwords: ビット-bit
    if lemma.isascii():
        if _DIGITS.match(lemma) or len(lemma) < 2 or not _ASCII_WORD.match(lemma):
            return None
        if sum(c.isupper() for c in lemma) < 2:
            lemma = lemma.lower()
    if lemma in _STOP:
        return None
    return lemma


def _word_of_line(line: str) -> str | None:
    fields = line.split("\t")
    if len(fields) == 3:
        fields.append("")  # fugashi strips the output, and with it the empty lemma of a final unknown word
    return _word(*fields) if len(fields) == 4 else None


# MeCab's output line for a word (surface, POS, lemma) decides its token, and the same few thousand
# lines recur in every abstract; remembering them halves the Python work per word.
_CACHE: dict[str, str | None] = {}
_CACHE_LIMIT = 300_000
_MISS = object()


def tokens(text: str) -> list[str]:
    """Content-word lemmas of ``text`` (normalized first).

    >>> from techdomain.tokenize import tokens
    >>> tokens("超伝導量子ビットを用いた誤り訂正符号の実証")
    ['超', '伝導', '量子', 'ビット', '用いる', '誤り', '訂正', '符号', '実証']
    """
    return tokens_of_normalized(normalize(text))


def tokens_of_normalized(text: str) -> list[str]:
    """:func:`tokens` of a text already passed through :func:`~techdomain.normalize.normalize`."""
    if not text:
        return []
    out = []
    cache = _CACHE
    for line in _tagger().parse(text).split("\n"):
        word = cache.get(line, _MISS)
        if word is _MISS:
            word = _word_of_line(line)
            if len(cache) >= _CACHE_LIMIT:
                cache.clear()
            cache[line] = word
        if word is not None:
            out.append(word)
    return out


def tokens_with_surface(text: str) -> list[tuple[str, str]]:
    """(lemma, surface) pairs for the same tokens as :func:`tokens`, for explanations."""
    text = normalize(text)
    if not text:
        return []
    out = []
    for line in _tagger().parse(text).split("\n"):
        word = _word_of_line(line)
        if word is not None:
            out.append((word, line.split("\t", 1)[0]))
    return out
