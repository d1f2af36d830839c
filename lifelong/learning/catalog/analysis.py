"""Text analysis shared by indexing and querying: jieba for Chinese, Snowball for English.

Both sides must analyse text the same way, so this module is the only place that decides
what a token is. Chinese runs are segmented with jieba's search mode at index time (it
emits a compound *and* its parts: 终身教育 -> 终身, 教育, 终身教育) so that a two-character
query such as 教育 finds it — FTS5's own trigram tokenizer cannot. Latin words are
lower-cased (after NFKC, so full-width letters and digits fold to ASCII) and stemmed with
the Snowball English stemmer.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import jieba
import snowballstemmer

# CJK Unified Ideographs, Extension A and compatibility ideographs.
CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
LATIN_WORD = re.compile(r"[^\W_\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
TOKEN = re.compile(
    r"(?P<cjk>[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)"
    r"|(?P<word>[^\W_\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)"
)

ENGLISH_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "in",
        "into",
        "is",
        "it",
        "of",
        "on",
        "or",
        "the",
        "to",
        "with",
    ]
)
CHINESE_STOPWORDS = frozenset(["的", "了", "和", "与", "及", "或", "在", "是", "对", "等", "中"])

_stemmer = snowballstemmer.stemmer("english")
jieba.setLogLevel(60)  # jieba logs its dictionary loading at INFO; keep the CLI quiet


def normalise(text: str) -> str:
    """NFKC-fold (full-width to half-width) and lower-case."""
    return unicodedata.normalize("NFKC", text).lower()


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball English stem of a lower-case word (digits are left alone)."""
    if word.isdigit() or not word.isascii():
        return word
    return str(_stemmer.stemWord(word))


@lru_cache(maxsize=65536)
def _segment_for_index(run: str) -> tuple[str, ...]:
    return tuple(
        token
        for token in jieba.cut_for_search(run)
        if token.strip() and token not in CHINESE_STOPWORDS
    )


@lru_cache(maxsize=8192)
def _segment_for_query(run: str) -> tuple[str, ...]:
    return tuple(token for token in jieba.cut(run) if token.strip())


def index_tokens(text: str) -> list[str]:
    """The tokens stored in the full-text index for ``text`` (space-joined by the caller)."""
    tokens: list[str] = []
    for match in TOKEN.finditer(normalise(text)):
        if match.group("cjk"):
            tokens.extend(_segment_for_index(match.group("cjk")))
        else:
            word = match.group("word")
            if word not in ENGLISH_STOPWORDS:
                tokens.append(stem(word))
    return tokens


def latin_words(text: str) -> list[str]:
    """The distinct lower-case Latin words of ``text`` (the spelling vocabulary)."""
    return sorted({m.group(0) for m in LATIN_WORD.finditer(normalise(text))})


@dataclass
class QueryTerm:
    """One term of a query: what the user typed and the index token sequences it may match.

    ``alternatives`` are OR-ed; each alternative is a phrase of index tokens (a compound
    Chinese word may match as itself or as the sequence of its parts). ``highlight`` lists
    the surface strings to mark in snippets.
    """

    typed: str
    alternatives: list[tuple[str, ...]] = field(default_factory=list)
    highlight: set[str] = field(default_factory=set)
    corrected: str | None = None
    latin: bool = False


def _cover(word: str) -> tuple[str, ...] | None:
    """The compound's parts (from search-mode segmentation) that tile it without overlap."""
    parts = {p for p in _segment_for_index(word) if p != word and len(p) > 1}
    if not parts:
        return None
    cover: list[str] = []
    position = 0
    while position < len(word):
        longest = max((p for p in parts if word.startswith(p, position)), key=len, default=None)
        if longest is None:
            return None
        cover.append(longest)
        position += len(longest)
    return tuple(cover)


def query_terms(query: str) -> list[QueryTerm]:
    """Split a user query into terms (before spelling correction of Latin words)."""
    terms: list[QueryTerm] = []
    for match in TOKEN.finditer(normalise(query)):
        if match.group("cjk"):
            for word in _segment_for_query(match.group("cjk")):
                if word in CHINESE_STOPWORDS:
                    continue
                term = QueryTerm(typed=word, alternatives=[(word,)], highlight={word})
                parts = _cover(word)
                if parts:
                    term.alternatives.append(parts)
                    term.highlight.update(parts)
                terms.append(term)
        else:
            word = match.group("word")
            if word in ENGLISH_STOPWORDS:
                continue
            terms.append(
                QueryTerm(typed=word, alternatives=[(stem(word),)], highlight={word}, latin=True)
            )
    return terms
