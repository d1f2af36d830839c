"""Text analysis: jieba segmentation, English stemming, spelling look-ups."""

from __future__ import annotations

from lifelong.learning.catalog import analysis, spelling


def test_chinese_is_segmented_in_search_mode_with_compound_and_parts() -> None:
    tokens = analysis.index_tokens("国家开放大学终身教育平台")
    assert "终身教育" in tokens
    assert "教育" in tokens  # a two-character query must find the compound
    assert "大学" in tokens


def test_english_is_stemmed_and_stop_words_dropped() -> None:
    assert analysis.index_tokens("Learning the Statistics") == ["learn", "statist"]


def test_full_width_letters_and_digits_fold() -> None:
    assert analysis.index_tokens("ＰＹＴＨＯＮ３") == ["python3"]


def test_query_compound_may_match_as_its_parts() -> None:
    [term] = analysis.query_terms("终身教育")
    assert ("终身教育",) in term.alternatives
    assert ("终身", "教育") in term.alternatives


def test_mixed_query_terms() -> None:
    terms = analysis.query_terms("数据分析 with Python")
    assert [t.latin for t in terms] == [False, True]
    assert terms[1].alternatives == [("python",)]


def test_edit_distance_counts_transpositions_as_one() -> None:
    assert spelling.edit_distance("learning", "lerning") == 1
    assert spelling.edit_distance("statistics", "statsitics") == 1
    assert spelling.edit_distance("python", "pyhton") == 1
    assert spelling.edit_distance("data", "date") == 1
    assert spelling.edit_distance("kitten", "sitting") == 3


def test_deletions_reach_distance_two() -> None:
    variants = spelling.deletions("python", 2)
    assert "pthon" in variants and "pton" in variants and "python" in variants
    assert "pon" not in variants


def test_short_words_are_not_corrected() -> None:
    assert spelling.max_distance("ai") == 0
    assert spelling.max_distance("data") == 1
    assert spelling.max_distance("statistics") == 2
