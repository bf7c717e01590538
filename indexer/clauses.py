"""Stage 3: heading tree → citable clauses, one per paragraph.

A clause id is the document id plus the structural path of its paragraph, e.g.
``gd-pprd-2017/二/三/7/p2`` (part 二, section (三), task 7, second paragraph),
``gd-pprd-2017/通知/p1`` or ``gd-pprd-2017/引言/p1``; it never depends on list
positions across the whole document. ``text`` is the paragraph as written, with
its sub-topic lead-in (also in ``topic``) and responsibility note, but without a
heading sentence (that is ``title``); ``sentences`` leave the note out and join a
lead-in such as 铁路方面。 to the sentence after it.

    >>> from pathlib import Path
    >>> from indexer.clean import clean
    >>> from indexer.source import load_corpus
    >>> from indexer.structure import parse_structure
    >>> clean_doc = clean(load_corpus(Path("corpus"))[0])
    >>> clauses = build_clauses(clean_doc, parse_structure(clean_doc))
    >>> clauses[0].id
    'gd-pprd-2017/通知/p1'
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass

from indexer.agencies import parse_note, split_note
from indexer.structure import heading_text, sentence_spans, split_topic
from indexer.types import Clause, CleanDoc, CleanReport, MojibakeSpan, Node, Sentence

log = logging.getLogger(__name__)

# Path segment of each heading kind inside a clause id.
_SEGMENT = {
    "chapter": "第{}章",
    "article": "第{}条",
    "part": "{}",
    "section": "{}",
    "task": "{}",
    "item": "({})",
}


@dataclass(frozen=True)
class _Context:
    """What a paragraph inherits from the headings above it."""

    path: tuple[str, ...]
    headings: tuple[str, ...]
    code: str
    title: str
    task: int | None = None
    section_code: str = ""  # the code of the nearest part/section, before articles


def build_clauses(doc: CleanDoc, tree: Node) -> tuple[Clause, ...]:
    """One ``Clause`` per paragraph of ``tree``, in document order.

    ``damaged`` is set on clauses that contain a mojibake span cleaning could not repair.
    """
    doc_id = doc.meta.id
    has_notice = any(c.kind == "notice" for c in tree.children)
    clauses: list[Clause] = []
    for child in tree.children:
        if child.kind == "notice":
            ctx = _Context(("通知",), (child.title,) if child.title else (), "通知", child.title)
        elif child.kind == "preamble":
            code = "通知" if has_notice else "引言"
            ctx = _Context(("引言",), (tree.title,) if tree.title else (), code, tree.title)
        else:
            ctx = _Context((), (), "", tree.title)
        _walk(child, ctx, doc_id, clauses, top=child.kind in ("notice", "preamble"))
        if child.kind == "notice":
            sign_off = _sign_off(doc_id, child, ctx)
            if sign_off:
                clauses.append(sign_off)
    damaged = {cid for span, cid in _locate_spans(doc, clauses) if span.repaired is None and cid}
    return tuple(dataclasses.replace(c, damaged=True) if c.id in damaged else c for c in clauses)


def link_mojibake(doc: CleanDoc, clauses: tuple[Clause, ...]) -> CleanReport:
    """The cleaning report with each mojibake span's ``clause`` filled in."""
    spans = tuple(
        dataclasses.replace(span, clause=cid) for span, cid in _locate_spans(doc, clauses)
    )
    return dataclasses.replace(doc.report, mojibake=spans)


def _make_clause(doc_id: str, node: Node, ctx: _Context) -> Clause:
    """The clause of one paragraph node, given its heading context."""
    text = node.text
    topic, after = split_topic(text)
    body, note = split_note(text)
    resp = parse_note(note) if note else None
    spans = sentence_spans(body)
    if topic and len(spans) > 1 and spans[0][1] <= len(text) - len(after):
        # A lead-in such as 铁路方面。 is no sentence of its own: quote it with the next one.
        spans[0:2] = [(spans[0][0], spans[1][1])]
    sentences = tuple(Sentence(text[s:e], s, e) for s, e in spans)
    return Clause(
        id="/".join((doc_id, *ctx.path, node.label)),
        doc_id=doc_id,
        task=ctx.task,
        section=ctx.code,
        title=ctx.title,
        heading_path=ctx.headings,
        text=text,
        sentences=sentences,
        lead=resp.lead if resp else (),
        participants=resp.participants if resp else (),
        note=note,
        topic=topic,
        roles=resp.roles if resp else (),
    )


def _sign_off(doc_id: str, notice: Node, ctx: _Context) -> Clause | None:
    """The notice's 文号, signature and date as one citable clause ("这份文件哪天印发的").

    They are separate lines of the document, kept one per line, in document order.
    """
    fields = {f.label: f.text for f in notice.children if f.kind == "field"}
    lines = [fields[k] for k in ("文号", "签署", "日期") if fields.get(k)]
    if not lines:
        return None
    text = "\n".join(lines)
    sentences, pos = [], 0
    for line in lines:
        sentences.append(Sentence(line, pos, pos + len(line)))
        pos += len(line) + 1
    return Clause(
        id="/".join((doc_id, *ctx.path, "落款")),
        doc_id=doc_id,
        task=None,
        section=ctx.code,
        title=ctx.title,
        heading_path=ctx.headings,
        text=text,
        sentences=tuple(sentences),
    )


def _walk(node: Node, ctx: _Context, doc_id: str, out: list[Clause], top: bool = False) -> None:
    if node.kind == "paragraph":
        out.append(_make_clause(doc_id, node, ctx))
        return
    if node.kind == "field":
        return
    if not top and node.kind in _SEGMENT:
        ctx = _descend(node, ctx)
    for child in node.children:
        _walk(child, ctx, doc_id, out)


def _descend(node: Node, ctx: _Context) -> _Context:
    path = (*ctx.path, _SEGMENT[node.kind].format(node.label))
    headings = (*ctx.headings, heading_text(node))
    if node.kind in ("part", "chapter"):
        code = _SEGMENT[node.kind].format(node.label)
        return _Context(path, headings, code, node.title, None, code)
    if node.kind == "section":
        code = f"{ctx.section_code}({node.label})"
        return _Context(path, headings, code, node.title, None, code)
    if node.kind == "article":
        return _Context(path, headings, f"第{node.label}条", ctx.title, None, ctx.section_code)
    if node.kind == "task":
        return _Context(path, headings, ctx.code, node.title, int(node.label), ctx.section_code)
    # item: a deeper level that keeps its task's or section's citation
    return dataclasses.replace(ctx, path=path, headings=headings)


def _locate_spans(
    doc: CleanDoc, clauses: list[Clause] | tuple[Clause, ...]
) -> list[tuple[MojibakeSpan, str | None]]:
    """Pair each mojibake span with the id of the clause on whose line it sits."""
    text = doc.text
    line_starts = [0]
    for i, ch in enumerate(text):
        if ch == "\n":
            line_starts.append(i + 1)

    def line_of(pos: int) -> int:
        lo, hi = 0, len(line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if line_starts[mid] <= pos:
                lo = mid
            else:
                hi = mid - 1
        return lo

    clause_at_line: dict[int, str] = {}
    cursor = 0
    for clause in clauses:
        if "\n" in clause.text:
            continue  # the sign-off clause gathers lines from several places
        pos = text.find(clause.text, cursor) if clause.text else -1
        if pos < 0:
            log.warning("clause %s not found in the cleaned text", clause.id)
            continue
        clause_at_line.setdefault(line_of(pos), clause.id)
        cursor = pos + len(clause.text)

    pairs: list[tuple[MojibakeSpan, str | None]] = []
    cursor = 0
    for span in doc.report.mojibake:
        pos = text.find(span.kept, cursor) if span.kept else -1
        if pos < 0 and span.kept:
            pos = text.find(span.kept)  # the report need not list spans in text order
        if pos < 0:
            log.warning("mojibake span %r is not in the cleaned text", span.kept)
            pairs.append((span, None))
            continue
        cursor = pos + len(span.kept)
        cid = clause_at_line.get(line_of(pos))
        if cid is None:
            log.warning("mojibake span %r sits in a heading, not in a clause", span.kept)
        pairs.append((span, cid))
    return pairs
