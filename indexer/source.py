"""Stage 0: read the corpus folder into ``SourceDoc`` objects, refusing bad input clearly.

A corpus folder holds one ``<name>.json`` metadata file per document, naming its
text file in ``source``. Text is kept exactly as scraped; cleaning is a later stage.

    >>> from pathlib import Path
    >>> docs = load_corpus(Path("corpus"))
    >>> docs[0].meta.id
    'gd-pprd-2017'
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

from indexer.errors import CorpusError
from indexer.types import DocMeta, SourceDoc

log = logging.getLogger(__name__)

REQUIRED_FIELDS = ("id", "title", "doc_number", "issuer", "date", "source")
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
            f"file (fields: {', '.join(REQUIRED_FIELDS)}) next to each text file"
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


def read_meta(meta_path: Path) -> DocMeta:
    """Read and check one metadata file; ``source`` becomes the text file's path."""
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
        raise CorpusError(f"{meta_path}: metadata must be a JSON object with {REQUIRED_FIELDS}")
    missing = [f for f in REQUIRED_FIELDS if not isinstance(data.get(f), str) or not data[f]]
    if missing:
        raise CorpusError(
            f"{meta_path}: metadata lacks {', '.join(missing)} (each a non-empty string); "
            "add the missing fields"
        )
    return DocMeta(
        id=data["id"],
        title=data["title"],
        doc_number=data["doc_number"],
        issuer=data["issuer"],
        date=data["date"],
        source=meta_path.parent / data["source"],
    )


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
    meta = read_meta(meta_path)
    if not meta.source.is_file():
        raise CorpusError(
            f"{meta_path}: its text file {meta.source.name} is missing; put it next to the "
            "metadata file or fix the 'source' field"
        )
    try:
        data = meta.source.read_bytes()
    except OSError as err:
        raise CorpusError(f"{meta.source}: cannot read the text file ({err.strerror})") from None
    return SourceDoc(meta=meta, raw=decode_text(data, meta.source))
