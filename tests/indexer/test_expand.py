"""Query expansion: abbreviations, English and everyday words reach the document's terms."""

from __future__ import annotations

import pytest

from indexer.expand import concepts, english_words, glossary_pairs, glossary_terms, query_tokens
from indexer.tokenize import tokenize


@pytest.mark.parametrize(
    ("question", "expansion"),
    [
        ("发改委牵头哪些任务", "发展改革委"),
        ("人社厅负责什么", "人力资源社会保障厅"),
        ("人社合作那条谁牵头？", "人力资源"),
        ("高铁什么时候通", "铁路"),
        ("看病就医方面的合作", "医疗"),
        ("自贸区的作用", "自由贸易试验区"),
        # Everyday words for the document's terms (corpus/knowledge/colloquial_zh.txt).
        ("小孩考大学有什么政策", "高考"),
        ("相邻省区的规划怎么衔接", "毗邻"),
        ("小孩考大学有什么政策", "子女"),
        ("超算中心在哪", "超级"),
        ("建筑垃圾跨省处置", "废弃物"),
    ],
)
def test_query_expansion_adds_the_long_form(question: str, expansion: str) -> None:
    assert expansion in query_tokens(question)
    # The corpus side never expands.
    assert expansion not in tokenize(question)


@pytest.mark.parametrize(
    ("question", "expansion", "expanded"),
    [
        ("Which economic belts will be built?", "经济带", True),  # plain plural
        ("Which city clustering plan?", "城市群", True),  # the last word inflected: -ing
        ("Which railway networked plans?", "铁路网", True),  # -ed
        ("Who were the general secretaries?", "总书记", True),  # -y → -ies
        ("Are ports of departure built?", "启运", True),  # any word inflected
        ("Is there an economic belt plan?", "经济带", True),
        ("Fishery cooperation with Hainan", "渔业", True),
        ("Does it support exporters?", "港口", False),  # "port" inside a word
        ("How about the portal?", "港口", False),
    ],
)
def test_english_glossary_matches_whole_words(
    question: str, expansion: str, expanded: bool
) -> None:
    assert (expansion in query_tokens(question)) is expanded


@pytest.mark.parametrize(
    ("question", "terms"),
    [
        ("Who leads the railway projects?", ["lead", "railway"]),
        # The longest key wins and its words are not matched again.
        (
            "Which department of transport leads ports?",
            ["department of transport", "lead", "ports"],
        ),
        ("Yacht and cruise tourism with Hong Kong", ["cruise tourism", "hong kong", "yacht"]),
        ("铁路项目谁牵头", []),  # Chinese abbreviations are not English glossary terms
    ],
)
def test_glossary_terms(question: str, terms: list[str]) -> None:
    assert sorted(glossary_terms(question)) == sorted(terms)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("What does the plan say about the railways?", ["railways"]),
        ("Who's in charge of PM2.5 control in 2020?", ["charge", "pm", "control"]),
        ("铁路 projects 谁牵头", ["projects"]),
        ("", []),
    ],
)
def test_english_words_drop_stopwords(text: str, words: list[str]) -> None:
    assert english_words(text) == words


def test_query_tokens_start_with_the_plain_tokens() -> None:
    question = "发改委牵头哪些任务"
    assert query_tokens(question)[: len(tokenize(question))] == tokenize(question)
    assert len(set(query_tokens(question))) == len(query_tokens(question))


def test_abbreviated_agency_matches_the_full_name_in_the_corpus() -> None:
    corpus = set(tokenize("(省发展改革委牵头，省交通运输厅等按职责分工负责)"))
    assert "发展改革委" in set(query_tokens("发改委牵头哪些任务")) & corpus


@pytest.mark.parametrize(
    ("question", "concept"),
    [
        ("医保电子凭证怎么激活", {"医保", "医疗保险", "医疗", "保险"}),
        ("发改委牵头哪些任务", {"发改委", "发展改革委", "发展", "改革"}),
    ],
)
def test_an_expanded_word_is_one_concept(question: str, concept: set[str]) -> None:
    assert concept in [set(c) for c in concepts(question)]
    # Words without an expansion are not concepts of their own here.
    assert all("激活" not in c for c in concepts(question))


@pytest.mark.parametrize(
    ("question", "concept"),
    [
        ("文件点名要建设的输气管道是哪一条", {"输气管道", "输气管", "输气", "气管", "管道"}),
        ("指示牌五花八门", {"五花八门", "五花", "八门"}),
    ],
)
def test_a_word_and_its_parts_are_one_concept(question: str, concept: set[str]) -> None:
    found = [set(c) for c in concepts(question)]
    assert any(concept <= c for c in found)
    # Each token belongs to one concept at most.
    tokens = [t for c in found for t in c]
    assert len(tokens) == len(set(tokens))


def test_glossary_pairs_give_the_chinese_for_each_english_key() -> None:
    assert glossary_pairs("Which railway projects link Hong Kong?") == [
        ("hong kong", "香港"),
        ("railway", "铁路"),
    ]
    assert glossary_pairs("铁路项目谁牵头") == []


@pytest.mark.parametrize(
    ("question", "pair"),
    [
        ("Who leads joint air-pollution control?", ("air pollution control", "大气污染防治")),
        ("Anything on sister-school ties?", ("sister school", "姊妹学校")),
        ("Is a high speed rail planned?", ("high-speed rail", "高速铁路")),
    ],
)
def test_english_keys_match_with_hyphens_or_spaces(question: str, pair: tuple[str, str]) -> None:
    assert pair in glossary_pairs(question)


@pytest.mark.parametrize(
    ("question", "together"),
    [
        # Members named in full are found where the document names them together.
        ("跟香港、澳门两边合作冒出的问题怎么解决？", {"港澳", "粤港澳"}),
        ("香港和澳门的大学能来合作办学吗", {"港澳", "粤港澳"}),
        ("Sister schools with Hong Kong and Macao?", {"港澳", "粤港澳"}),  # by the glossary
        ("广西、海南那边的海洋合作", {"桂琼"}),
        # One member alone, or the home province with one, names no group.
        ("香港的金融合作", set()),
        ("广东和香港的合作", set()),
    ],
)
def test_members_named_together_reach_their_joint_abbreviation(
    question: str, together: set[str]
) -> None:
    found = {t for t in query_tokens(question) if t in {"港澳", "粤港澳", "桂琼"}}
    assert found == together
