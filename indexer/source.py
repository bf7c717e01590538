"""Stage 0: read the corpus folder into ``SourceDoc`` objects, refusing bad input clearly.

A corpus folder holds one ``<name>.json`` metadata file per document, naming its
text file in ``source``. Only ``source`` is required. ``id`` defaults to a slug of
the metadata file's name; ``title``, ``doc_number`` (文号), ``issuer`` and ``date``
are read from the text when the file leaves them out (the title line, the 印发
notice's 文号 and sign-off), and are None when the text does not give them either
(the title excepted: a document without one is refused). A value the metadata file
gives wins over the text. Text is kept exactly as scraped; cleaning is a later stage.

    >>> from pathlib import Path
    >>> docs = load_corpus(Path("corpus"))
    >>> docs[0].meta.id
    'gd-pprd-2017'
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import unicodedata
from pathlib import Path
from typing import Any

from indexer.clean import normalize, remove_boilerplate, strip_pinyin_notes, to_simplified
from indexer.errors import CorpusError
from indexer.front_matter import DocFacts, read_doc_facts
from indexer.structure import match_heading, to_int
from indexer.types import DocMeta, SourceDoc

log = logging.getLogger(__name__)

REQUIRED_FIELDS = ("source",)
# Fields the text can stand in for, and the optional id.
OPTIONAL_FIELDS = ("id", "title", "doc_number", "issuer", "date")
# Characters an id keeps; any run of others becomes one hyphen.
_NOT_SLUG = re.compile(r"[^a-z0-9\u4e00-\u9fff]+")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# Share of characters that must be printable for a decoded file to count as text;
# binary data decoded by a permissive codec is full of control characters.
_MIN_PRINTABLE = 0.97
# A GB18030 fallback is only trusted when the result actually reads as Chinese.
_MIN_CJK_FOR_FALLBACK = 0.2


def load_corpus(corpus_dir: Path) -> list[SourceDoc]:
    """Read every document of ``corpus_dir``, in the order of its metadata file names.

    Raises:
        CorpusError: the folder is missing or empty, or a file is unreadable, naming
            the file and what to do about it.
    """
    corpus_dir = Path(corpus_dir)
    if not corpus_dir.is_dir():
        raise CorpusError(
            f"corpus folder {corpus_dir} does not exist; create it or point "
            "--corpus / POLICYQA_CORPUS_DIR at the folder that holds the documents"
        )
    meta_files = sorted(corpus_dir.glob("*.json"))
    if not meta_files:
        raise CorpusError(
            f"corpus folder {corpus_dir} holds no documents; add a <name>.json metadata "
            'file ({"source": "<name>.txt"}, optionally id, title, doc_number, issuer, '
            "date) next to each text file"
        )
    docs = [_load_one(path) for path in meta_files]
    seen: dict[str, Path] = {}
    for doc, path in zip(docs, meta_files, strict=True):
        if doc.meta.id in seen:
            raise CorpusError(
                f"{path}: document id {doc.meta.id!r} is already used by {seen[doc.meta.id]}; "
                "give every document its own id"
            )
        seen[doc.meta.id] = path
    log.info("loaded %d documents from %s", len(docs), corpus_dir)
    return docs


def read_meta(meta_path: Path) -> dict[str, str | None]:
    """Read and check one metadata file: every field, None where it is left out.

    ``id`` is filled in (see ``default_id``); ``source`` is the text file's name.
    """
    try:
        data = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        raise CorpusError(
            f"{meta_path}: cannot read metadata ({err}); save it as UTF-8 JSON"
        ) from None
    except json.JSONDecodeError as err:
        raise CorpusError(
            f"{meta_path}: metadata is not valid JSON ({err.msg} at line {err.lineno}); "
            "fix the file or remove it from the corpus folder"
        ) from None
    if not isinstance(data, dict):
        raise CorpusError(
            f"{meta_path}: metadata must be a JSON object with at least {REQUIRED_FIELDS[0]!r}"
        )
    missing = [f for f in REQUIRED_FIELDS if not _given(data.get(f))]
    if missing:
        raise CorpusError(
            f"{meta_path}: metadata lacks {', '.join(missing)} (a non-empty string naming "
            "the text file); add it"
        )
    wrong = [f for f in OPTIONAL_FIELDS if data.get(f) is not None and not isinstance(data[f], str)]
    if wrong:
        raise CorpusError(
            f"{meta_path}: {', '.join(wrong)} must be a string (or left out); fix the field"
        )
    fields: dict[str, str | None] = {f: _given(data.get(f)) for f in (*OPTIONAL_FIELDS, "source")}
    fields["id"] = fields["id"] or default_id(meta_path.stem)
    if re.search(r"[/\\\s]", fields["id"] or ""):
        raise CorpusError(
            f"{meta_path}: id {fields['id']!r} has a slash or a space; clause ids are built "
            "from it, so use letters, digits and hyphens"
        )
    return fields


def default_id(stem: str) -> str:
    """A stable, slug-like id from a metadata file's name.

    >>> default_id("000_fca66a49a3ddd9d2"), default_id("GD Digital Gov 2023")
    ('000-fca66a49a3ddd9d2', 'gd-digital-gov-2023')
    >>> default_id("广东省数字政府方案（2023）")
    '广东省数字政府方案-2023'
    """
    slug = _NOT_SLUG.sub("-", unicodedata.normalize("NFKC", stem).lower()).strip("-")
    return slug or "doc-" + hashlib.sha1(stem.encode("utf-8")).hexdigest()[:8]


def complete_meta(fields: dict[str, str | None], raw: str, meta_path: Path) -> DocMeta:
    """The metadata with what the file left out read from the text (the file wins).

    Raises:
        CorpusError: neither the file nor the text gives a title.
    """
    facts = DocFacts(None, None, None, None)
    if any(fields[f] is None for f in ("title", "doc_number", "issuer", "date")):
        facts = text_facts(raw)
    title = fields["title"] or facts.title
    if not title:
        raise CorpusError(
            f"{meta_path}: no title in the metadata and none found at the top of the text; "
            'add "title" to the metadata file'
        )
    return DocMeta(
        id=fields["id"] or default_id(meta_path.stem),
        title=title,
        doc_number=fields["doc_number"] or facts.doc_number,
        issuer=fields["issuer"] or facts.issuer,
        date=fields["date"] or facts.date,
        source=meta_path.parent / (fields["source"] or ""),
    )


def text_facts(raw: str) -> DocFacts:
    """Title, 文号, issuer and date as the (lightly cleaned) text gives them."""
    body, _ = remove_boilerplate(raw)
    text = normalize(to_simplified(strip_pinyin_notes(body).text))
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    start = next((i for i, ln in enumerate(lines) if _opens_body(ln)), len(lines))
    return read_doc_facts(lines, start)


def _opens_body(line: str) -> bool:
    """The first heading of the body: a numbered heading numbered 1 (一、 / (一) / 1.)."""
    found = match_heading(line)
    return found is not None and to_int(found[1]) == 1


def _given(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def decode_text(data: bytes, path: Path) -> str:
    """Decode a scraped text file: UTF-8 (with or without BOM), else GB18030 with a warning."""
    if not data.strip():
        raise CorpusError(f"{path}: the text file is empty; re-scrape the document or remove it")
    if b"\x00" in data:
        raise CorpusError(
            f"{path}: this is a binary file, not text; save the document as UTF-8 text"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = _decode_legacy(data, path)
    if _printable_share(text) < _MIN_PRINTABLE:
        raise CorpusError(
            f"{path}: the file does not read as text (too many control characters); "
            "save the document as UTF-8 text"
        )
    return text


def _decode_legacy(data: bytes, path: Path) -> str:
    # Government sites still serve GBK pages; GB18030 is its superset, so a scrape
    # saved without transcoding reads correctly this way.
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise CorpusError(
            f"{path}: the file is neither UTF-8 nor GB18030 text; save it as UTF-8"
        ) from None
    chars = [c for c in text if not c.isspace()]
    cjk = sum(1 for c in chars if _CJK.match(c))
    if not chars or cjk / len(chars) < _MIN_CJK_FOR_FALLBACK:
        raise CorpusError(
            f"{path}: the file is not UTF-8 and does not read as Chinese in GB18030; "
            "save the document as UTF-8 text"
        )
    log.warning("%s is not UTF-8; decoded it as GB18030. Save it as UTF-8 to silence this.", path)
    return text


def _printable_share(text: str) -> float:
    if not text:
        return 0.0
    good = sum(1 for c in text if c.isprintable() or c in "\n\r\t\u3000")
    return good / len(text)


def _load_one(meta_path: Path) -> SourceDoc:
    fields = read_meta(meta_path)
    source = meta_path.parent / (fields["source"] or "")
    if not source.is_file():
        raise CorpusError(
            f"{meta_path}: its text file {source.name} is missing; put it next to the "
            "metadata file or fix the 'source' field"
        )
    try:
        data = source.read_bytes()
    except OSError as err:
        raise CorpusError(f"{source}: cannot read the text file ({err.strerror})") from None
    raw = decode_text(data, source)
    return SourceDoc(meta=complete_meta(fields, raw, meta_path), raw=raw)
