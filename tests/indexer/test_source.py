"""Reading the corpus folder (indexer.source): the real corpus and every kind of bad input."""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

import pytest

from indexer.errors import CorpusError
from indexer.source import default_id, load_corpus

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
GZ_CORPUS = ROOT / "tests" / "data" / "corpus_gz"

META = {
    "id": "t-doc",
    "title": "测试方案",
    "doc_number": "测〔2020〕1号",
    "issuer": "测试市人民政府",
    "date": "2020-01-01",
    "source": "doc.txt",
}
TEXT = "测试方案\n一、总体要求\n推进区域合作，实现共同发展。\n"


def write_doc(folder: Path, data: bytes | None, meta: dict | str | None = None) -> Path:
    """A one-document corpus in ``folder``; ``data=None`` leaves the text file out."""
    folder.mkdir(parents=True, exist_ok=True)
    meta = META if meta is None else meta
    body = meta if isinstance(meta, str) else json.dumps(meta, ensure_ascii=False)
    (folder / "doc.json").write_text(body, encoding="utf-8")
    if data is not None:
        (folder / "doc.txt").write_bytes(data)
    return folder


def test_real_corpus() -> None:
    docs = load_corpus(CORPUS)
    assert len(docs) == 1
    meta = docs[0].meta
    assert (meta.id, meta.doc_number, meta.issuer, meta.date) == (
        "gd-pprd-2017",
        "粤府〔2017〕8号",
        "广东省人民政府",
        "2017-01-20",
    )
    assert meta.source == CORPUS / "000_fca66a49a3ddd9d2.txt"
    # Raw text is kept verbatim: traditional characters, pinyin notes and all.
    assert docs[0].raw == meta.source.read_text(encoding="utf-8")
    assert "廣東省人民政府關于印發(fā)" in docs[0].raw


def test_documents_come_in_file_name_order(tmp_path: Path) -> None:
    for name, doc_id in (("b", "doc-b"), ("a", "doc-a"), ("c", "doc-c")):
        (tmp_path / f"{name}.txt").write_text(TEXT, encoding="utf-8")
        meta = {**META, "id": doc_id, "source": f"{name}.txt"}
        (tmp_path / f"{name}.json").write_text(json.dumps(meta), encoding="utf-8")
    assert [d.meta.id for d in load_corpus(tmp_path)] == ["doc-a", "doc-b", "doc-c"]


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    docs = load_corpus(write_doc(tmp_path, b"\xef\xbb\xbf" + TEXT.encode()))
    assert docs[0].raw == TEXT


def test_gbk_file_is_decoded_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    text = (GZ_CORPUS / "gz_2019_12.txt").read_text(encoding="utf-8")
    folder = write_doc(tmp_path, text.encode("gbk"))
    with caplog.at_level(logging.WARNING, logger="indexer.source"):
        docs = load_corpus(folder)
    assert docs[0].raw == text
    assert "decoded it as GB18030" in caplog.text
    assert "doc.txt" in caplog.text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", r"doc\.txt: the text file is empty"),
        (b"  \n\r\n\t ", r"doc\.txt: the text file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), r"doc\.txt: this is a binary"),
        (bytes(range(128, 256)) * 4, r"doc\.txt: the file is neither UTF-8 nor GB18030"),
        # Valid GB18030, but Cyrillic, not Chinese: a wrong guess must not pass.
        ("привет мир, hello world".encode("gbk"), r"doc\.txt: .*does not read as Chinese"),
        (b"\x01\x02\x03\x04\x05\x06\x07\x08abc" * 3, r"doc\.txt: .*control characters"),
    ],
    ids=["empty", "blank", "png", "undecodable", "not-chinese", "control"],
)
def test_bad_text_file(tmp_path: Path, data: bytes, message: str) -> None:
    with pytest.raises(CorpusError, match=message):
        load_corpus(write_doc(tmp_path, data))


def test_missing_text_file(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match=r"doc\.json: its text file doc\.txt is missing"):
        load_corpus(write_doc(tmp_path, None))


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        ('{"id": "t-doc", ', r"doc\.json: metadata is not valid JSON"),
        ("[1, 2]", r"doc\.json: metadata must be a JSON object"),
        ({**META, "source": ""}, r"doc\.json: metadata lacks source"),
        ({k: v for k, v in META.items() if k != "source"}, "lacks source"),
        ({**META, "issuer": 3}, r"doc\.json: issuer must be a string"),
        ({**META, "date": ["2020"], "title": {}}, "title, date must be a string"),
        ({**META, "id": "a/b"}, r"id 'a/b' has a slash or a space"),
    ],
    ids=["truncated", "not-object", "empty-source", "no-source", "wrong-type", "wrong-types", "id"],
)
def test_bad_metadata(tmp_path: Path, meta: dict | str, message: str) -> None:
    with pytest.raises(CorpusError, match=message):
        load_corpus(write_doc(tmp_path, TEXT.encode(), meta))


# A 印发 notice with 文号, signature and date (in Chinese numerals), then the document.
NOTICE_TEXT = """广东省人民政府办公厅关于印发广东省测试工作方案的通知
粤府办〔2023〕9号
各地级以上市人民政府，省政府各部门：
现将《广东省测试工作方案》印发给你们，请认真组织实施。
广东省人民政府办公厅
二〇二三年六月十二日
广东省测试工作方案
为推进测试工作，制定本方案。
一、总体要求
推进区域合作，实现共同发展。
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            NOTICE_TEXT,
            ("广东省测试工作方案", "粤府办〔2023〕9号", "广东省人民政府办公厅", "2023-06-12"),
        ),
        # No notice: the title line; no 文号, issuer or date anywhere.
        (TEXT, ("测试方案", None, None, None)),
        # A 文号 under the title, and a signature and date that close the document.
        (
            "测试市工作方案\n测府〔2020〕3号\n一、总体要求\n推进合作。\n测试市人民政府\n2020年5月8日\n",
            ("测试市工作方案", "测府〔2020〕3号", "测试市人民政府", "2020-05-08"),
        ),
        # A notice with no title line after it: the title it issues; issuer from its title.
        (
            "测试市人民政府关于印发《测试市行动计划》的通知\n各区：\n现印发给你们。\n"
            "2021年3月1日\n一、目标\n推进合作。\n",
            ("测试市行动计划", None, "测试市人民政府", "2021-03-01"),
        ),
        # Traditional characters and full-width digits, as a scrape may have them.
        (
            "廣東省測試方案\n一、總體要求\n推進合作。\n廣東省人民政府\n２０１９年１２月３日\n",
            ("广东省测试方案", None, "广东省人民政府", "2019-12-03"),
        ),
    ],
    ids=["notice", "bare", "closing-sign-off", "notice-only", "traditional"],
)
def test_metadata_read_from_the_text(
    tmp_path: Path, text: str, expected: tuple[str | None, ...]
) -> None:
    (doc,) = load_corpus(write_doc(tmp_path, text.encode(), {"source": "doc.txt"}))
    meta = doc.meta
    assert (meta.title, meta.doc_number, meta.issuer, meta.date) == expected
    assert meta.id == "doc"  # from the metadata file's name


def test_metadata_file_wins_over_the_text(tmp_path: Path) -> None:
    meta = {"source": "doc.txt", "title": "另一个标题", "date": "2023-06-13"}
    (doc,) = load_corpus(write_doc(tmp_path, NOTICE_TEXT.encode(), meta))
    assert (doc.meta.title, doc.meta.date) == ("另一个标题", "2023-06-13")
    assert (doc.meta.doc_number, doc.meta.issuer) == ("粤府办〔2023〕9号", "广东省人民政府办公厅")


def test_text_without_a_title_needs_one_in_the_metadata(tmp_path: Path) -> None:
    text = "为推进测试工作，制定本方案。\n一、总体要求\n推进区域合作。\n"
    with pytest.raises(CorpusError, match=r"doc\.json: no title in the metadata and none found"):
        load_corpus(write_doc(tmp_path, text.encode(), {"source": "doc.txt"}))
    (doc,) = load_corpus(write_doc(tmp_path, text.encode(), {"source": "doc.txt", "title": "T"}))
    assert doc.meta.title == "T"


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        ("000_fca66a49a3ddd9d2", "000-fca66a49a3ddd9d2"),
        ("GD Digital Gov 2023", "gd-digital-gov-2023"),
        ("gd-mdt-2023", "gd-mdt-2023"),
        ("广东省数字政府方案（2023）", "广东省数字政府方案-2023"),
        ("___", "doc-" + hashlib.sha1(b"___").hexdigest()[:8]),
    ],
)
def test_default_id(stem: str, expected: str) -> None:
    assert default_id(stem) == expected


def test_metadata_not_utf8(tmp_path: Path) -> None:
    folder = write_doc(tmp_path, TEXT.encode())
    (folder / "doc.json").write_bytes(json.dumps(META, ensure_ascii=False).encode("gbk"))
    with pytest.raises(CorpusError, match=r"doc\.json: cannot read metadata"):
        load_corpus(folder)


def test_empty_corpus_folder(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("不是元数据", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"holds no documents; add a <name>\.json"):
        load_corpus(tmp_path)


def test_missing_corpus_folder(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="does not exist"):
        load_corpus(tmp_path / "nowhere")


def test_duplicate_ids(tmp_path: Path) -> None:
    write_doc(tmp_path, TEXT.encode())
    (tmp_path / "other.json").write_text(json.dumps(META), encoding="utf-8")
    with pytest.raises(CorpusError, match=r"other\.json: document id 't-doc' is already used"):
        load_corpus(tmp_path)
