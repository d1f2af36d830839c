"""Highlighted matches: escaped text with ``<mark>`` around what the query matched."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from lifelong.learning.catalog import analysis

SNIPPET_CHARS = 160


def _spans(text: str, cjk_words: set[str], stems: set[str]) -> list[tuple[int, int]]:
    """Character spans of ``text`` to mark: Chinese words verbatim, Latin words by stem."""
    folded = analysis.normalise(text)
    if len(folded) != len(text):  # NFKC changed the length: match on the raw text only
        folded = text.lower()
    spans: list[tuple[int, int]] = []
    for word in sorted(cjk_words, key=len, reverse=True):
        for match in re.finditer(re.escape(word), folded):
            spans.append(match.span())
    for match in analysis.LATIN_WORD.finditer(folded):
        if analysis.stem(match.group(0)) in stems:
            spans.append(match.span())
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def mark(text: str, spans: list[tuple[int, int]], start: int = 0, end: int | None = None) -> Markup:
    """``text[start:end]`` escaped, with the spans inside it wrapped in ``<mark>``."""
    end = len(text) if end is None else end
    out: list[str] = []
    position = start
    for span_start, span_end in spans:
        if span_end <= start or span_start >= end:
            continue
        span_start, span_end = max(span_start, start), min(span_end, end)
        out.append(str(escape(text[position:span_start])))
        out.append(f"<mark>{escape(text[span_start:span_end])}</mark>")
        position = span_end
    out.append(str(escape(text[position:end])))
    return Markup("".join(out))


def highlight(text: str, cjk_words: set[str], stems: set[str], *, snippet: bool = False) -> Markup:
    """Escaped ``text`` with matches marked; with ``snippet``, a window around the first."""
    spans = _spans(text, cjk_words, stems)
    if not snippet or len(text) <= SNIPPET_CHARS:
        return mark(text, spans)
    first = spans[0][0] if spans else 0
    start = max(0, min(first - SNIPPET_CHARS // 3, len(text) - SNIPPET_CHARS))
    end = min(len(text), start + SNIPPET_CHARS)
    body = mark(text, spans, start, end)
    return Markup(("…" if start else "") + body + ("…" if end < len(text) else ""))
