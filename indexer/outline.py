"""Reports of parsed documents for ``policyqa inspect``: a JSON view and a readable outline.

>>> print(outline_text(parse_corpus(Path("corpus"))))  # doctest: +SKIP
广东省深化泛珠三角区域合作实施意见 粤府〔2017〕8号 2017-01-20 广东省人民政府
...
"""

from __future__ import annotations

from typing import Any

from indexer.structure import heading_text
from indexer.types import Clause, Node, ParsedDoc


def inspect_json(docs: list[ParsedDoc]) -> dict[str, Any]:
    """Plain, JSON-ready view of parsed documents: sections, tasks, clauses, cleaning."""
    return {"documents": [_doc_json(doc) for doc in docs]}


def clause_json(clause: Clause) -> dict[str, Any]:
    """One clause as plain lists, strings and numbers."""
    return {
        "id": clause.id,
        "section": clause.section,
        "task": clause.task,
        "title": clause.title,
        "heading_path": list(clause.heading_path),
        "topic": clause.topic,
        "text": clause.text,
        "sentences": [{"text": s.text, "start": s.start, "end": s.end} for s in clause.sentences],
        "note": clause.note,
        "lead": list(clause.lead),
        "participants": list(clause.participants),
        "damaged": clause.damaged,
    }


def task_leads(doc: ParsedDoc, number: int) -> list[str]:
    """Lead agencies (牵头) over all paragraphs of a task, in order of first mention."""
    leads = (a for c in doc.clauses if c.task == number for a in c.lead)
    return list(dict.fromkeys(leads))


def outline_text(docs: list[ParsedDoc]) -> str:
    """Readable outline: parts, sections, tasks with their lead agencies, cleaning report."""
    out: list[str] = []
    for doc in docs:
        if out:
            out.append("")
        _doc_outline(doc, out)
    return "\n".join(out)


def _doc_json(doc: ParsedDoc) -> dict[str, Any]:
    meta = doc.meta
    free = [c for c in doc.clauses if c.task is None]
    tasks_by_section: dict[str, list[int]] = {}
    for num, code in doc.task_sections.items():
        tasks_by_section.setdefault(code, []).append(num)
    sections = [
        {
            "code": code,
            "title": title,
            "tasks": sorted(tasks_by_section.get(code, [])),
            "clauses": [clause_json(c) for c in free if c.section == code],
        }
        for code, title in doc.section_titles.items()
    ]
    tasks = [
        {
            "number": num,
            "title": title,
            "section": doc.task_sections.get(num, ""),
            "lead": task_leads(doc, num),
            "clauses": [clause_json(c) for c in doc.clauses if c.task == num],
        }
        for num, title in sorted(doc.task_titles.items())
    ]
    return {
        "id": meta.id,
        "title": meta.title,
        "doc_number": meta.doc_number,
        "issuer": meta.issuer,
        "date": meta.date,
        "source": meta.source.name,
        "notice": _notice_json(doc.tree),
        "parts": [
            {"code": n.label, "title": n.title}
            for n in doc.tree.children
            if n.kind in ("part", "chapter")
        ],
        "sections": sections,
        "tasks": tasks,
        "clause_count": len(doc.clauses),
        "cleaning": {
            "pinyin_notes_removed": doc.report.pinyin_notes_removed,
            "boilerplate_lines_removed": doc.report.boilerplate_lines_removed,
            "boilerplate": list(doc.report.boilerplate),
            "mojibake": [
                {"raw": m.raw, "repaired": m.repaired, "kept": m.kept, "clause": m.clause}
                for m in doc.report.mojibake
            ],
        },
    }


def _notice_json(tree: Node) -> dict[str, Any] | None:
    notice = next((n for n in tree.children if n.kind == "notice"), None)
    if notice is None:
        return None
    fields = {c.label: c.text for c in notice.children if c.kind == "field"}
    return {
        "title": notice.title,
        "doc_number": fields.get("文号"),
        "addressee": fields.get("主送"),
        "signature": fields.get("签署"),
        "date": fields.get("日期"),
    }


def _doc_outline(doc: ParsedDoc, out: list[str]) -> None:
    meta = doc.meta
    facts = (meta.doc_number, meta.date, meta.issuer)
    out.append(f"{meta.title}  {'  '.join(f or '-' for f in facts)}  [{meta.id}]")
    counts = sum(1 for c in doc.clauses if c.id.startswith(f"{meta.id}/通知/"))
    notice = _notice_json(doc.tree)
    if notice:
        out.append(f"  通知: {notice['title']}")
        out.append(
            f"    文号 {notice['doc_number'] or '-'}; 签署 {notice['signature'] or '-'}; "
            f"日期 {notice['date'] or '-'}; {counts} 段"
        )
    for node in doc.tree.children:
        if node.kind == "preamble":
            out.append(f"  引言: {sum(1 for c in node.children if c.kind == 'paragraph')} 段")
        elif node.kind not in ("notice", "field", "paragraph"):
            _node_outline(doc, node, 1, out)
    out.append(
        f"  共 {len(doc.clauses)} 条款, {len(doc.task_titles)} 项任务, "
        f"{sum(1 for c in doc.clauses if c.damaged)} 条款含未修复乱码"
    )
    report = doc.report
    out.append(
        f"  清洗: 删除拼音注音 {report.pinyin_notes_removed} 处, "
        f"删除网页杂项 {report.boilerplate_lines_removed} 行, 乱码 {len(report.mojibake)} 处"
    )
    for line in report.boilerplate:
        out.append(f"    杂项: {line}")
    for span in report.mojibake:
        fate = f"修复为 {span.repaired!r}" if span.repaired is not None else "未修复 (damaged)"
        out.append(f"    乱码 {span.raw!r}: {fate} → {span.clause or '不在条款内'}")


def _node_outline(doc: ParsedDoc, node: Node, depth: int, out: list[str]) -> None:
    pad = "  " * depth
    paragraphs = sum(1 for c in node.children if c.kind == "paragraph")
    if node.kind == "task":
        num = int(node.label)
        leads = task_leads(doc, num)
        if leads:
            who = "牵头: " + "、".join(leads)
        else:
            shared = (a for c in doc.clauses if c.task == num for a in c.participants)
            who = "未指定牵头单位; 按职责分工负责: " + "、".join(dict.fromkeys(shared))
        out.append(f"{pad}任务{node.label} {node.title} ({paragraphs} 段; {who})")
    else:
        suffix = f" ({paragraphs} 段)" if paragraphs else ""
        out.append(f"{pad}{heading_text(node)}{suffix}")
    for child in node.children:
        if child.kind not in ("paragraph", "field"):
            _node_outline(doc, child, depth + 1, out)
