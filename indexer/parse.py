"""The whole parse of a document: clean → structure → clauses, plus the lookup tables.

>>> from pathlib import Path
>>> docs = parse_corpus(Path("corpus"))
>>> docs[0].task_titles[7], docs[0].task_sections[7]
('共建现代化综合交通运输体系', '二(三)')
"""

from __future__ import annotations

import logging
from pathlib import Path

from indexer.clauses import build_clauses, link_mojibake
from indexer.clean import clean
from indexer.source import load_corpus
from indexer.structure import parse_structure
from indexer.types import Clause, Node, ParsedDoc, SourceDoc

log = logging.getLogger(__name__)


def parse_document(src: SourceDoc) -> ParsedDoc:
    """Clean, structure and split one document into clauses.

    Raises:
        ParseError: the document has no recognizable structure.
    """
    doc = clean(src)
    tree = parse_structure(doc)
    clauses = build_clauses(doc, tree)
    report = link_mojibake(doc, clauses)
    task_titles, task_sections = _task_tables(tree)
    parsed = ParsedDoc(
        meta=src.meta,
        tree=tree,
        clauses=clauses,
        report=report,
        section_titles=_section_titles(tree, clauses),
        task_titles=task_titles,
        task_sections=task_sections,
    )
    log.info(
        "parsed %s: %d clauses, %d tasks, %d sections",
        src.meta.id,
        len(clauses),
        len(task_titles),
        len(parsed.section_titles),
    )
    return parsed


def parse_corpus(corpus_dir: Path) -> list[ParsedDoc]:
    """Parse every document of a corpus folder (see ``load_corpus`` for its layout)."""
    return [parse_document(src) for src in load_corpus(Path(corpus_dir))]


def _section_titles(tree: Node, clauses: tuple[Clause, ...]) -> dict[str, str]:
    """Citation code → title for 通知, every section, and parts that hold clauses directly.

    Every ``Clause.section`` is a key, so a citation can always be titled.
    """
    titles: dict[str, str] = {}
    for child in tree.children:
        if child.kind == "notice":
            titles["通知"] = child.title
    for clause in clauses:
        if clause.section == "通知" and "通知" not in titles:
            titles["通知"] = tree.title
    _collect_sections(tree, "", titles)
    for clause in clauses:
        titles.setdefault(clause.section, clause.title if clause.task is None else "")
    return titles


def _collect_sections(node: Node, part_code: str, titles: dict[str, str]) -> None:
    for child in node.children:
        if child.kind in ("part", "chapter"):
            code = child.label if child.kind == "part" else f"第{child.label}章"
            # A part is cited by its own code when it holds text or tasks directly
            # (a 工作方案 numbers its tasks 1. 2. … right under 二、, with no (一) sections).
            if any(c.kind in ("paragraph", "task") for c in child.children):
                titles[code] = child.title
            _collect_sections(child, code, titles)
        elif child.kind == "section":
            titles[f"{part_code}({child.label})"] = child.title


def _task_tables(tree: Node) -> tuple[dict[int, str], dict[int, str]]:
    """Task number → title and → the citation code of its section."""
    titles: dict[int, str] = {}
    sections: dict[int, str] = {}

    def visit(node: Node, code: str) -> None:
        for child in node.children:
            if child.kind == "part":
                visit(child, child.label)
            elif child.kind == "chapter":
                visit(child, f"第{child.label}章")
            elif child.kind == "section":
                visit(child, f"{code}({child.label})")
            elif child.kind == "task":
                num = int(child.label)
                if num in titles:
                    # Numbering that restarts per section: the id stays unique, the lookup not.
                    log.warning("task %d appears twice; the lookup keeps the first", num)
                titles.setdefault(num, child.title)
                sections.setdefault(num, code)
                visit(child, code)
            else:
                visit(child, code)

    visit(tree, "")
    return titles, sections
