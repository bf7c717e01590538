"""Domain data shared by every pipeline stage: frozen dataclasses, no behaviour.

The pipeline is raw text → clean → structure → clauses → tokenize/embed → index.
Each stage takes and returns these types, so stages stay pure and testable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class DocMeta:
    """Metadata of one corpus document: its ``<name>.json`` file, completed from the text.

    ``doc_number`` (文号), ``issuer`` and ``date`` (ISO, ``2017-01-20``) are None when
    neither the metadata file nor the text gives them.
    """

    id: str
    title: str
    doc_number: str | None
    issuer: str | None
    date: str | None
    source: Path


@dataclass(frozen=True)
class SourceDoc:
    """A document as scraped: its metadata and the raw text, never edited."""

    meta: DocMeta
    raw: str


@dataclass(frozen=True)
class MojibakeSpan:
    """A span of mis-decoded bytes found in the scrape.

    ``raw`` is the span as it appears in the scrape (pinyin notes removed);
    ``repaired`` is the recovered text or None when it could not be recovered
    with confidence; ``kept`` is the exact substring that stands for the span in
    the cleaned text (the repair, or the damaged span itself), so later stages can
    find it; ``clause`` is filled in by the clause stage.
    """

    raw: str
    repaired: str | None
    kept: str
    clause: str | None = None


@dataclass(frozen=True)
class CleanReport:
    """What cleaning removed or repaired, for the inspect report."""

    pinyin_notes_removed: int
    boilerplate_lines_removed: int
    boilerplate: tuple[str, ...] = ()
    mojibake: tuple[MojibakeSpan, ...] = ()


@dataclass(frozen=True)
class CleanDoc:
    """A document after cleaning: simplified, normalized text, one block per line."""

    meta: DocMeta
    text: str
    report: CleanReport


@dataclass(frozen=True)
class Sentence:
    """One sentence of a clause; offsets index into ``Clause.text``."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Node:
    """A node of the heading tree.

    ``kind`` is one of document, notice, preamble, part, section, task, item,
    paragraph. ``label`` is the numbering as written without punctuation
    (``二``, ``三``, ``7``, ``1``); ``title`` is the heading text without its
    number; paragraphs carry their ``text`` and have no children.
    """

    kind: str
    label: str
    title: str = ""
    text: str = ""
    children: tuple[Node, ...] = ()


@dataclass(frozen=True)
class Clause:
    """A citable paragraph-level unit of a document.

    ``id`` is the document id plus the structural path, e.g.
    ``gd-pprd-2017/二/三/7/p2``; it never depends on list positions across the
    whole document, so it stays stable when other parts change.
    ``section`` is the citation code: ``二(三)``, ``一(三)``, ``三(二)`` or ``通知``.
    ``title`` is the task title for task clauses, else the section title.
    ``topic`` is a sub-topic lead-in inside a task, such as 铁路方面.
    ``note`` is the raw responsibility note, parsed into ``lead``/``participants``,
    and ``roles``: every agency of the note in its order, with its role (``lead``,
    ``responsible``, ``implementer``, ``support``, ``guide``, ``partner``; see
    ``indexer.agencies``).
    """

    id: str
    doc_id: str
    task: int | None
    section: str
    title: str
    heading_path: tuple[str, ...]
    text: str
    sentences: tuple[Sentence, ...]
    lead: tuple[str, ...] = ()
    participants: tuple[str, ...] = ()
    note: str | None = None
    topic: str | None = None
    damaged: bool = False
    roles: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ParsedDoc:
    """One document after the whole parse: metadata, tree, clauses, cleaning report."""

    meta: DocMeta
    tree: Node
    clauses: tuple[Clause, ...]
    report: CleanReport
    section_titles: dict[str, str] = field(default_factory=dict)
    task_titles: dict[int, str] = field(default_factory=dict)
    task_sections: dict[int, str] = field(default_factory=dict)
