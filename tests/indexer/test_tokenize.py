"""The one tokenizer: domain words stay whole, stopwords go, queries normalize like the corpus."""

from __future__ import annotations

import doctest
import re
from concurrent.futures import ThreadPoolExecutor

import pytest

import indexer.tokenize as tokenize_module
from indexer.expand import query_tokens
from indexer.tokenize import (
    Segmenter,
    dictionary_hash,
    normalize,
    register_terms,
    registered_terms,
    tokenize,
)


@pytest.mark.parametrize(
    ("text", "whole"),
    [
        ("携手港澳共同打造粤港澳大湾区，以大湾区建设为重点", "粤港澳大湾区"),
        ("(省发展改革委牵头，有关地级以上市政府等按职责分工负责)", "省发展改革委"),
        ("省经济和信息化委、发展改革委等按职责分工负责", "经济和信息化委"),
        ("大力推进珠江—西江经济带建设", "珠江-西江经济带"),
        ("加快发展珠江-西江经济带", "珠江-西江经济带"),
        ("提高琼州海峡客货滚装运输服务能力", "琼州海峡"),
        ("加快推进港珠澳大桥建设", "港珠澳大桥"),
        ("推进北部湾港口群协调发展", "北部湾"),
        ("积极融入“一带一路”建设", "一带一路"),
        ("深入实施CEPA有关协议", "cepa"),
        ("构建区域大通关体制", "大通关"),
        ("(广铁集团、海关广东分署等按职责分工负责)", "海关广东分署"),
        ("(广铁集团、海关广东分署等按职责分工负责)", "广铁集团"),
        ("推进深圳前海、广州南沙、珠海横琴", "横琴"),
    ],
)
def test_domain_words_stay_whole(text: str, whole: str) -> None:
    assert whole in tokenize(text)


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        # Search mode: the full name and the words inside it are all tokens.
        ("省发展改革委牵头", {"省发展改革委", "发展改革委", "发展", "改革"}),
        ("粤港澳大湾区", {"粤港澳大湾区", "粤港澳", "大湾区"}),
        ("珠江—西江经济带", {"珠江", "西江", "经济带"}),
    ],
)
def test_search_mode_also_yields_inner_words(text: str, parts: set[str]) -> None:
    assert parts <= set(tokenize(text))


@pytest.mark.parametrize(
    ("text", "dropped"),
    [
        ("加强与泛珠合作各方的沟通", {"与", "的"}),
        ("发改委牵头哪些任务？", {"哪些", "？", "?"}),
        ("教育、医疗、文化等资源共享", {"、", "等"}),
        ("(省商务厅牵头)", {"(", ")", "（", "）"}),
        ("请问 what is the plan", {"请问", "what", "is", "the", " "}),
    ],
)
def test_stopwords_and_punctuation_are_dropped(text: str, dropped: set[str]) -> None:
    tokens = tokenize(text)
    assert tokens, "content words must remain"
    assert not dropped & set(tokens)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("到2020年左右", {"2020"}),
        ("加强PM2.5(细颗粒物)防治", {"pm2.5"}),
        ("Greater Bay Area plan", {"greater", "bay", "area", "plan"}),
        ("推广PPP模式", {"ppp"}),
    ],
)
def test_numbers_kept_and_english_lowercased(text: str, expected: set[str]) -> None:
    assert expected <= set(tokenize(text))


@pytest.mark.parametrize(
    ("variant", "plain"),
    [
        ("發改委牽頭哪些任務？", "发改委牵头哪些任务?"),  # traditional + full-width mark
        ("ＣＥＰＡ協議２０２０年", "cepa协议2020年"),  # full-width Latin and digits
        ("粵港澳大灣區", "粤港澳大湾区"),
        ("珠江－西江經濟帶", "珠江—西江经济带"),
        ("港珠澳大橋建設", "港珠澳大桥建设"),
    ],
)
def test_traditional_and_full_width_tokenize_like_the_corpus(variant: str, plain: str) -> None:
    assert tokenize(variant) == tokenize(plain)
    assert tokenize(plain)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("粵港澳ＡＢＣ", "粤港澳abc"),
        ("珠江—西江", "珠江-西江"),
        ("湛江–北海", "湛江-北海"),
        ("（省商务厅）", "(省商务厅)"),
    ],
)
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text) == expected


def test_register_terms_keeps_a_new_name_whole() -> None:
    name = "琼粤联合测试推进办"  # made up, so no other test depends on it
    assert name not in tokenize(f"由{name}牵头")
    assert register_terms([name, "省", "", name]) == 1
    assert name in tokenize(f"由{name}牵头")
    assert name in registered_terms()
    assert register_terms([name]) == 0


def test_registered_terms_do_not_change_the_dictionary_hash() -> None:
    before = dictionary_hash()
    register_terms(["粤闽哈希测试领导小组"])
    assert dictionary_hash() == before
    assert re.fullmatch(r"[0-9a-f]{64}", before)


def test_private_segmenter_loads_once_under_concurrency() -> None:
    seg = Segmenter()
    texts = ["加快推进港珠澳大桥建设。", "粤港澳大湾区建设由省发展改革委牵头"] * 16
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(seg.tokenize, texts))
    assert results == [tokenize(t) for t in texts]
    assert seg._jieba is not None
    # A private instance: the global jieba tokenizer is left alone.
    import jieba

    assert seg._jieba is not jieba.dt


def test_empty_and_punctuation_only_text() -> None:
    assert tokenize("") == []
    assert tokenize("，。！？……") == []
    assert query_tokens("   ") == []


def test_docstring_examples() -> None:
    result = doctest.testmod(tokenize_module)
    assert result.attempted >= 3
    assert result.failed == 0
