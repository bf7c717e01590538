"""Cleaning: one table per rule, then the real scrape end to end."""

from __future__ import annotations

import random
import re
from pathlib import Path

import opencc
import pytest

from indexer.clean import (
    PINYIN_NOTE,
    clean,
    normalize_punctuation,
    normalize_whitespace,
    normalize_width,
    remove_boilerplate,
    strip_pinyin_notes,
    to_simplified,
)
from indexer.mojibake import PINYIN, Repair, find_mojibake
from indexer.types import DocMeta, SourceDoc

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
SCRAPE = CORPUS / "000_fca66a49a3ddd9d2.txt"
META = DocMeta(
    id="test",
    title="测试",
    doc_number="",
    issuer="",
    date="2017-01-20",
    source=Path("test.txt"),
)
QU = {"qū": frozenset("區驅")}

# ---------------------------------------------------------------- boilerplate


@pytest.mark.parametrize(
    ("raw", "kept", "dropped"),
    [
        pytest.param(
            "日本天堂天v在线播放_国产黄在线观看免费观_2020亚洲天堂无码\n正文。",
            "正文。",
            ("日本天堂天v在线播放_国产黄在线观看免费观_2020亚洲天堂无码",),
            id="spam-title",
        ),
        pytest.param("附件1_附件2\n正文。", "附件1_附件2\n正文。", (), id="two-parts-not-spam"),
        pytest.param("一\n二\n三\n甲_乙_丙", "一\n二\n三\n甲_乙_丙", (), id="spam-only-in-header"),
        pytest.param(
            "當前位置:首頁 > 信息傳達 > 政聲傳遞\n\n政聲傳遞\n正文。",
            "\n正文。",
            ("當前位置:首頁 > 信息傳達 > 政聲傳遞", "政聲傳遞"),
            id="breadcrumb-and-label",
        ),
        pytest.param(
            "当前位置：首页 > 政策文件\n正文。",
            "正文。",
            ("当前位置：首页 > 政策文件",),
            id="breadcrumb-simplified",
        ),
        pytest.param(
            "当前位置：首页 > 通知\n一\n二\n三\n通知",
            "一\n二\n三\n通知",
            ("当前位置：首页 > 通知",),
            id="label-too-far-below-kept",
        ),
        pytest.param(
            "粵府〔2017〕8號\n瀏覽次數(shù):593\n正文。",
            "粵府〔2017〕8號\n正文。",
            ("瀏覽次數(shù):593",),
            id="view-counter-with-pinyin-note",
        ),
        pytest.param("浏览次数：12次\n正文。", "正文。", ("浏览次数：12次",), id="counter-cn"),
        pytest.param(
            "關于印發(fā)實施意見的通知\n"
            "粵府〔2017〕8號\n\n  關于印發(fā)\n\n  實施意見的通知\n正文。",
            "粵府〔2017〕8號\n\n  關于印發(fā)\n\n  實施意見的通知\n正文。",
            ("關于印發(fā)實施意見的通知",),
            id="header-title-repeated-in-pieces",
        ),
        pytest.param(
            "關于印發實施意見的通知\n粵府〔2017〕8號\n正文。",
            "關于印發實施意見的通知\n粵府〔2017〕8號\n正文。",
            (),
            id="title-not-repeated-kept",
        ),
        pytest.param(
            "正文。\n\n全真版:關于印發實施意見的通知",
            "正文。\n",
            ("全真版:關于印發實施意見的通知",),
            id="footer",
        ),
        pytest.param("", "", (), id="empty"),
    ],
)
def test_remove_boilerplate(raw: str, kept: str, dropped: tuple[str, ...]) -> None:
    assert remove_boilerplate(raw) == (kept, dropped)


# ---------------------------------------------------------------- pinyin notes


@pytest.mark.parametrize(
    ("raw", "expected", "removed"),
    [
        ("發(fā)展", "發展", 1),
        ("泛珠三角區(qū)域協(xié)調(diào)", "泛珠三角區域協調", 3),
        ("驅(qū)動", "驅動", 1),
        ("(省發(fā)展改革委牽頭,按職責分工負責)", "(省發展改革委牽頭,按職責分工負責)", 1),
        ("(CEPA)", "(CEPA)", 0),
        ("(2016-2020)", "(2016-2020)", 0),
        ("(PPP)", "(PPP)", 0),
        ("(細顆粒物)", "(細顆粒物)", 0),
        ("(一)", "(一)", 0),
        ("第(a)項", "第(a)項", 0),  # no tone mark: an enumeration, not a note
        ("硡^(qū)、", "硡^、", 1),  # a note after mojibake is still a note
        ("蠼?jīng)濟", "蠼?jīng)濟", 0),  # its "(" was lost: left to the mojibake rule
        ("", "", 0),
    ],
)
def test_strip_pinyin_notes(raw: str, expected: str, removed: int) -> None:
    notes = strip_pinyin_notes(raw)
    assert (notes.text, notes.removed) == (expected, removed)


def test_pinyin_readings_record_annotated_characters() -> None:
    notes = strip_pinyin_notes("區(qū)域驅(qū)動發(fā)展^(qū)")
    assert notes.readings == {"qū": frozenset("區驅"), "fā": frozenset("發")}


# ---------------------------------------------------------------- mojibake


@pytest.mark.parametrize(
    ("text", "readings", "raw", "repaired"),
    [
        pytest.param(
            "緊密合作格局基本形成?;浉郯拇鬄硡^、珠江",
            {},
            "?;浉郯拇鬄硡^",
            "。粵港澳大灣區",
            id="lost-full-stop",
        ),
        pytest.param("水平明顯提高??鐓^域環境", {}, "??鐓^", "。跨區", id="full-width-?-inside"),
        pytest.param(
            "基本形成\ufffd;浉郯拇鬄硡^、",
            {},
            "\ufffd;浉郯拇鬄硡^",
            "。粵港澳大灣區",
            id="replacement-character-as-lost-byte",
        ),
        pytest.param(
            "規劃研究張家界經湛江至??诼糜胃哞F、深圳",
            {},
            "??诼糜胃哞F",
            "海口旅游高鐵",
            id="lost-char-by-word-model",
        ),
        pytest.param(
            "完善區域?qū)@\ue361\ue30f矸\ue848照\\信建設",
            QU,
            "?qū)@\ue361\ue30f矸\ue848照\\",
            "專利代理服務誠",
            id="pinyin-hint-and-gb18030-2000-pua",
        ),
        pytest.param(
            "支持香港成為區域?qū)ν饪萍冀涣骱献骰\ue2a6亍⒅\ue036R產權",
            QU,
            "?qū)ν饪萍冀涣骱献骰\ue2a6亍⒅\ue036R",
            "對外科技交流合作基地、知識",
            id="pinyin-hint-start",
        ),
        pytest.param(
            "運輸?shù)葘λ\ue1ab吹氐挠绊懧?lián)合開展",
            {"shù": frozenset("數"), "lián": frozenset("聯")},
            "?shù)葘λ\ue1ab吹氐挠绊懧?lián)",
            "等對水源地的影響聯",
            id="pinyin-hints-both-ends",
        ),
        pytest.param("加強PM2\ue0105(細顆粒物)", {}, "PM2\ue0105", "PM2.5", id="pm2.5"),
        pytest.param(
            "粵桂瓊?cè)\ue41d蠛Q蠼?jīng)濟合作圈",
            {"jīng": frozenset("經")},
            "?cè)\ue41d蠛Q蠼?jīng)",
            None,
            id="unknown-reading-kept",
        ),
        pytest.param(
            "完善區域?qū)@\ue361\ue30f矸\ue848照\\信建設",
            {},
            "?qū)@\ue361\ue30f矸\ue848照\\",
            None,  # without the reading 專 and 福 (福利) are too close to call
            id="ambiguous-without-hint-kept",
        ),
        pytest.param("推動?發展", {}, "?", None, id="lone-question-mark-in-text"),
        pytest.param("推動\ue000發展", {}, "\ue000", None, id="lone-private-use"),
    ],
)
def test_find_mojibake(
    text: str, readings: dict[str, frozenset[str]], raw: str, repaired: str | None
) -> None:
    # Excerpts of the real scrape, which keeps its private-use characters (UTF-8, not GBK).
    (span,) = find_mojibake(text, readings, saved_as_gbk=False)
    assert (span.raw, span.repaired) == (raw, repaired)
    assert text[span.start : span.end] == raw


def _damage(sentence: str, at: int) -> tuple[str, str] | None:
    """Damage ``sentence`` as the scrape was: lose the lead byte of ``sentence[at]``
    and decode out of step until a lone ASCII byte; return (damaged, original span)."""
    data, head = sentence.encode("gbk"), len(sentence[:at].encode("gbk"))
    out, i = ["?"], head + 1
    while i < len(data) and data[i] >= 0x80:
        try:
            ch = data[i : i + 2].decode("gb18030")
        except UnicodeDecodeError:
            return None
        out.append(chr(ord(ch) - 0xFEE0) if "\uff01" <= ch <= "\uff5e" else ch)
        i += 2
    if i >= len(data) or len(sentence[at].encode("gbk")) != 2:
        return None
    out.append(chr(data[i]))
    try:
        original, after = data[head : i + 1].decode("gbk"), data[i + 1 :].decode("gbk")
    except UnicodeDecodeError:
        return None
    return sentence[:at] + "".join(out) + after, original


def test_repairs_of_simulated_damage_are_right(scrape: str) -> None:
    """Damage the scrape's clean sentences at random places: repairs must be right."""
    body = strip_pinyin_notes(remove_boilerplate(scrape)[0]).text
    sentences = [
        s
        for s in re.split(r"[。\n]", body)
        if len(s) > 20 and not re.search(r"[?\ue000-\uf8ff]", s)
    ]
    rng = random.Random(0)
    right = wrong = kept = 0
    for _ in range(400):
        sentence = rng.choice(sentences)
        damage = _damage(sentence, rng.randrange(1, len(sentence) - 5))
        if damage is None:
            continue
        spans = find_mojibake(damage[0], {})
        assert spans, damage[0]
        repaired = spans[0].repaired
        kept += repaired is None
        right += repaired == damage[1]
        wrong += repaired not in (None, damage[1])
    assert right + wrong + kept > 250
    assert wrong <= 0.02 * (right + wrong)
    assert right >= 0.5 * (right + wrong + kept)


@pytest.mark.parametrize("text", ["這樣可行嗎?", "問題?”", "What?", "見http://a.cn/?id=1", ""])
def test_question_marks_are_not_mojibake(text: str) -> None:
    assert find_mojibake(text, {}) == ()


def test_unrepaired_span_is_kept_without_its_broken_notes() -> None:
    span = Repair(0, 8, "?cè)\ue41d蠛Q蠼?jīng)", None)
    assert span.replacement == "?\ue41d蠛Q蠼?"


# ---------------------------------------------------------------- simplified


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("發展", "发展"),
        ("鐵路", "铁路"),
        ("瓊州海峽", "琼州海峡"),
        ("著力深化改革", "着力深化改革"),
        ("顯著提高", "显著提高"),
        ("關于印發", "关于印发"),
        ("PM2.5(細顆粒物)", "PM2.5(细颗粒物)"),
        ("", ""),
    ],
)
def test_to_simplified(raw: str, expected: str) -> None:
    assert to_simplified(raw) == expected


# ---------------------------------------------------------------- width, punctuation, space


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＣＥＰＡ", "CEPA"),
        ("２０１７年", "2017年"),
        ("ｐｐｐ", "ppp"),
        ("（一）指导思想。", "(一)指导思想。"),
        ("PM２．５", "PM2.5"),
        ("句号．", "句号．"),
        ("甲，乙；丙：丁。", "甲，乙；丙：丁。"),
        ("“一带一路”", "“一带一路”"),
    ],
)
def test_normalize_width(raw: str, expected: str) -> None:
    assert normalize_width(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("各直属机构:", "各直属机构："),
        ("人民政府,各县", "人民政府，各县"),
        ("初步实现;粤港澳", "初步实现；粤港澳"),
        ("(国发〔2016〕18号),推动", "(国发〔2016〕18号)，推动"),
        ("2016年,2017年", "2016年，2017年"),
        ("怎么办?", "怎么办？"),
        ("好!", "好！"),
        ("1,000元", "1,000元"),
        ("10:30", "10:30"),
        ("http://a.cn", "http://a.cn"),
        ("a, b; c", "a, b; c"),
        ("甲\x03,乙", "甲\x03，乙"),  # looks past mojibake span marks
    ],
)
def test_normalize_punctuation(raw: str, expected: str) -> None:
    assert normalize_punctuation(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  一、总体要求  \n\n  (一)指导思想。\n", "一、总体要求\n(一)指导思想。"),
        ("\u3000\u3000正文", "正文"),
        ("甲  \t 乙", "甲 乙"),
        ("甲\r\n\r\n乙", "甲\n乙"),
        ("  \n \n", ""),
        ("", ""),
    ],
)
def test_normalize_whitespace(raw: str, expected: str) -> None:
    assert normalize_whitespace(raw) == expected


# ---------------------------------------------------------------- clean()


def test_clean_empty_document() -> None:
    doc = clean(SourceDoc(META, ""))
    assert doc.text == ""
    assert (doc.report.pinyin_notes_removed, doc.report.boilerplate_lines_removed) == (0, 0)
    assert doc.report.mojibake == ()


def test_clean_small_document() -> None:
    raw = (
        "當前位置:首頁 > 政聲傳遞\n政聲傳遞\n"
        "  一、總體要求\n\n  (一)指導思想。\n  著力推動區(qū)域協(xié)調(diào)發(fā)展,"
        "形成?;浉郯拇鬄硡^(qū)、珠江-西江經(jīng)濟帶。\n"
    )
    doc = clean(SourceDoc(META, raw))
    assert doc.text == (
        "一、总体要求\n(一)指导思想。\n着力推动区域协调发展，形成。粤港澳大湾区、珠江-西江经济带。"
    )
    assert doc.report.pinyin_notes_removed == 6
    assert doc.report.boilerplate == ("當前位置:首頁 > 政聲傳遞", "政聲傳遞")
    assert [(s.repaired, s.kept) for s in doc.report.mojibake] == [("。粤港澳大湾区",) * 2]


@pytest.fixture(scope="module")
def scrape() -> str:
    return SCRAPE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def cleaned(scrape: str):  # -> CleanDoc
    return clean(SourceDoc(META, scrape))


def test_scrape_pinyin_notes(scrape: str, cleaned) -> None:
    assert len(PINYIN_NOTE.findall(scrape)) == 1266
    assert cleaned.report.pinyin_notes_removed == 1266
    assert not PINYIN_NOTE.search(cleaned.text)
    assert not re.search(rf"{PINYIN}\)", cleaned.text)  # not even broken ones


def test_scrape_boilerplate(cleaned) -> None:
    report = cleaned.report
    assert report.boilerplate_lines_removed == len(report.boilerplate) == 6
    assert report.boilerplate[0].startswith("日本天堂")
    assert report.boilerplate[1].startswith("當前位置")
    assert report.boilerplate[2] == "政聲傳遞"
    assert report.boilerplate[3].startswith("廣東省人民政府關于印發")
    assert report.boilerplate[4].startswith("瀏覽次數")
    assert report.boilerplate[5].startswith("全真版")
    for chrome in ("天堂", "当前位置", "政声传递", "浏览次数", "全真版", "_"):
        assert chrome not in cleaned.text
    lines = cleaned.text.splitlines()
    assert lines[:3] == [
        "粤府〔2017〕8号",
        "广东省人民政府关于印发广东省深化",
        "泛珠三角区域合作实施意见的通知",
    ]
    assert "广东省人民政府关于印发广东省深化泛珠三角区域合作实施意见的通知" not in lines


def test_scrape_is_simplified(cleaned) -> None:
    assert opencc.OpenCC("t2s").convert(cleaned.text) == cleaned.text
    assert cleaned.text.count("着力") == 7
    assert "铁路" in cleaned.text and "琼州海峡" in cleaned.text


def test_scrape_mojibake(cleaned) -> None:
    spans = cleaned.report.mojibake
    assert len(spans) == 8
    assert spans[0].raw == "?;浉郯拇鬄硡^"
    assert "形成。粤港澳大湾区、珠江-西江经济带" in cleaned.text
    assert [s.repaired for s in spans] == [
        "。粤港澳大湾区",
        "。跨区",
        None,
        "海口旅游高铁",
        "专利代理服务诚",
        "等对水源地的影响联",
        "PM2.5",
        "对外科技交流合作基地、知识",
    ]
    positions = [cleaned.text.find(s.kept) for s in spans]
    assert -1 not in positions and positions == sorted(positions)
    outside = cleaned.text.replace(spans[2].kept, "")
    assert not re.search("[\ue000-\uf8ff\ufffd?？]", outside)


def test_scrape_output_format(cleaned) -> None:
    lines = cleaned.text.split("\n")
    assert all(line and line == line.strip() for line in lines)
    assert {"一、总体要求", "(一)指导思想。", "二、主要任务", "三、保障措施"} <= set(lines)
    assert any(line.startswith("1.优化区域经济发展格局。") for line in lines)
    assert any(line.startswith("30.开展多层次合作交流。") for line in lines)
    assert not re.search(r"[,;:!?（）]", cleaned.text)
    assert "（" not in cleaned.text and "(细颗粒物)" in cleaned.text
