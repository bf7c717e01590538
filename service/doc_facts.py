"""Facts about the document itself, read off its sign-off: 文号, 发文机关, 印发日期.

Staff ask "这份文件的文号是多少？" or "哪天印发的？" as often as anything in the
body. The sign-off block (``…/通知/落款``: 粤府〔2017〕8号 / 广东省人民政府 /
2017年1月20日) answers them exactly, so they are looked up, never searched.
"""

from __future__ import annotations

from indexer.front_matter import DATE_LINE, DOC_NUMBER_LINE
from indexer.types import Clause
from service.catalog import Catalog
from service.citing import cite, marker
from service.cues import cue
from service.lookup import Composed

# What is asked, by its wording (normalized, lower-case question).
_ASKS = {kind: cue(f"document.{kind}") for kind in ("number", "issuer", "date")}
_LABELS = {"number": "文号", "issuer": "发文机关", "date": "印发日期"}
# A document the question names: 《…》, or a kind of document with what precedes it.
_NAMED_DOCUMENT = cue("document.named")
_THIS = cue("document.this")
# A document from above, which this one cites ("依据国务院哪个文件").
_HIGHER_ISSUER = cue("document.higher")


def document_facts(catalog: Catalog, text: str) -> Composed | None:
    """The 文号 / 发文机关 / 印发日期 a question asks for, quoted from the sign-off.

    None when the question asks none of them, names another document, or the
    document has no sign-off block.
    """
    lowered = text.lower()
    asked = [kind for kind, pattern in _ASKS.items() if pattern.search(lowered)]
    if not asked:
        return None
    signoff = _signoff(catalog)
    if signoff is None or _names_another_document(text, signoff.title):
        return None
    facts = _read_signoff(signoff)
    found = [kind for kind in asked if kind in facts]
    if not found:
        return None
    mark = marker(signoff.task, signoff.section)
    answer = "；".join(f"{_LABELS[kind]}：{facts[kind]}" for kind in found) + mark
    citations = tuple(cite(signoff, facts[kind], 1.0) for kind in found)
    return Composed(answer, citations, (signoff.section,), "lookup")


def _names_another_document(text: str, title: str) -> bool:
    """ "国务院那份指导意见，文号是多少？" asks about a document this one cites; "这份
    意见" or a part of this document's title ("实施意见") mean this one.

    >>> _names_another_document("这份实施意见是依据国务院哪个文件定的？文号多少", "…实施意见的通知")
    True
    >>> _names_another_document("文件的文号是多少", "…实施意见的通知")
    False
    """
    if _HIGHER_ISSUER.search(text):
        return True
    for match in _NAMED_DOCUMENT.finditer(text):
        if match.group(1) is not None:
            if match.group(1) not in title:
                return True
            continue
        before, kind = match.group(2), match.group(3)
        if _THIS.search(before[-2:]) or (before[-2:] + kind) in title:
            continue
        return True
    return False


def _signoff(catalog: Catalog) -> Clause | None:
    """The notice's sign-off clause: the one whose lines hold a 文号 or a date."""
    for target in catalog.targets.values():
        for clause in target.clauses:
            lines = clause.text.splitlines()
            # A notice without a 文号 still signs off with a date.
            if len(lines) > 1 and any(
                DOC_NUMBER_LINE.match(ln) or DATE_LINE.match(ln) for ln in lines
            ):
                return clause
    return None


def _read_signoff(clause: Clause) -> dict[str, str]:
    facts: dict[str, str] = {}
    for line in (ln.strip() for ln in clause.text.splitlines()):
        if not line:
            continue
        if DOC_NUMBER_LINE.match(line):
            facts.setdefault("number", line)
        elif DATE_LINE.match(line):
            facts.setdefault("date", line.strip("()（）"))
        else:
            facts.setdefault("issuer", line)
    return facts
