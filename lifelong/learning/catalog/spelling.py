"""Typo tolerance for Latin words: a SymSpell-style deletion dictionary.

Every vocabulary word is stored with each string obtained by deleting up to two of its
characters; a query word that is not in the vocabulary is looked up by its own deletions,
and the candidates are confirmed with the true (optimal string alignment) edit distance.
This finds every vocabulary word within the distance with a handful of indexed look-ups,
instead of comparing the query word with the whole vocabulary.
"""

from __future__ import annotations

MIN_WORD_LENGTH = 4  # shorter words have too many neighbours for a correction to be useful
MAX_WORD_LENGTH = 24


def max_distance(word: str, limit: int = 2) -> int:
    """Edits allowed for a word of this length: none below 4 letters, 1 up to 6, else 2."""
    if len(word) < MIN_WORD_LENGTH or len(word) > MAX_WORD_LENGTH:
        return 0
    return min(limit, 1 if len(word) <= 6 else 2)


def deletions(word: str, distance: int) -> set[str]:
    """``word`` and every string made by deleting up to ``distance`` characters from it."""
    found = {word}
    frontier = {word}
    for _ in range(distance):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance (Levenshtein plus adjacent transpositions)."""
    if a == b:
        return 0
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, 1):
            cost = 0 if char_a == char_b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[len(b)]
