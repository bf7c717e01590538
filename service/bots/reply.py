"""The words of a bot's reply, shared by every platform: the answer in the platform's
markup, declines shown as the page shows them, help, mentions, length limits.

What an answer says comes from :mod:`service.present` (sources, reasons, the related
list); this module only marks it up (``**bold**`` and ``>`` quotes for DingTalk and
Feishu, ``*bold*`` for Slack's mrkdwn, plain text for WeCom) and cuts it to fit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from service.contract import NOT_STATED, OFF_TOPIC, Answer
from service.present import RELATED_LABEL, present, reason_text, sources

# What the page shows over a declined answer (service/http/static/app.js).
STATUS_TEXT = {NOT_STATED: "文件未写明", OFF_TOPIC: "超出文件范围"}
HELP_WORDS = frozenset({"帮助", "help", "使用帮助", "使用说明", "怎么用", "菜单"})
CUT_HINT = "（回答较长，后面的部分没有显示；可以问得更具体些，或在网页版查看完整回答。）"
APOLOGY = "抱歉，回答这个问题时出了错，请稍后再试。"
QUOTE_CHARS = 120  # of a citation's quote shown under the answer

# @-mentions as each platform writes them: Slack <@U123|name> (<!here> too), Feishu @_user_1,
# DingTalk and others "@name " (a name, then a space).
_MENTION = re.compile(
    r"<[@!][A-Za-z0-9^]+(?:\|[^>]*)?>|@_user_\d+|@_all|(?:^|(?<=\s))@[^\s@]{1,40}(?=\s|$)"
)
# A place to cut: after a sentence's end, or after the marker that closes a statement.
_SENTENCE_END = re.compile(r"[。！？!?；;\n]|】(?!\s*[，,、。])")
_SPACES = re.compile(r"[ \t\u3000]+")


@dataclass(frozen=True)
class Style:
    """A platform's markup. ``escape`` protects the text of the answer itself."""

    bold: Callable[[str], str]
    quote: Callable[[str], str]
    bullet: str
    escape: Callable[[str], str] = str


def _markdown_quote(text: str) -> str:
    return "> " + text


MARKDOWN = Style(bold=lambda s: f"**{s}**", quote=_markdown_quote, bullet="- ")
SLACK = Style(
    bold=lambda s: f"*{s}*",
    quote=_markdown_quote,
    bullet="• ",
    # Slack's mrkdwn reads &, < and > as markup: send them escaped.
    escape=lambda s: s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"),
)


def utf8_size(text: str) -> int:
    """Bytes of ``text`` in UTF-8 (WeCom counts its limits in bytes)."""
    return len(text.encode("utf-8"))


@dataclass(frozen=True)
class Format:
    """How one platform shows replies: its markup (None: plain text) and length limit.

    >>> Format(None, 10).note("第一句。第二句很长很长。")
    '第一句。\\n…'
    """

    style: Style | None
    limit: int
    size: Callable[[str], int] = len

    def answer(self, answer: Answer) -> str:
        return fit_reply(answer, self.style, self.limit, self.size)

    def help(self, examples: Sequence[str]) -> str:
        return cut(help_text(examples, self.style), self.limit, self.size)

    def note(self, text: str) -> str:
        return cut(text, self.limit, self.size, hint="…")


def strip_mentions(text: str) -> str:
    """The question without @-mentions, spaces collapsed.

    >>> strip_mentions("<@U0LAN0Z89> 铁路项目由谁牵头？")
    '铁路项目由谁牵头？'
    >>> strip_mentions("@_user_1 第7项任务讲什么？")
    '第7项任务讲什么？'
    >>> strip_mentions(" @政策助手 帮助 ")
    '帮助'
    >>> strip_mentions("邮箱a@b.cn")
    '邮箱a@b.cn'
    """
    return _SPACES.sub(" ", _MENTION.sub(" ", text)).strip()


def is_help(text: str) -> bool:
    """Whether ``text`` asks how to use the bot (an empty message does too).

    >>> is_help("帮助"), is_help("Help!"), is_help(""), is_help("帮助企业的政策")
    (True, True, True, False)
    """
    word = text.strip().strip("!！。.?？/ ").lower()
    return not word or word in HELP_WORDS


def help_text(examples: Sequence[str], style: Style | None = MARKDOWN) -> str:
    """Usage and example questions (those the document answers, from its structure)."""
    bold = style.bold if style else str
    bullet = style.bullet if style else "· "
    lines = [
        bold("政策问答") + "：问我政策文件里写了什么，我用文件原文回答，并注明出处（如【任务7】）；"
        "文件没写的，我会直接说没写。",
        "",
        "用法：直接发问题；在群里先 @我 再提问。"
        "可以接着追问（如“那谁牵头？”），我记得最近几轮对话。",
        "",
        bold("可以这样问") + "：",
        *(f"{bullet}{example}" for example in examples),
    ]
    return "\n".join(lines)


def render(answer: Answer, style: Style | None) -> str:
    """The answer in ``style`` (``None``: plain text, as :func:`service.present.present`).

    An answer is its text, then its sources: each cited task once with its title, its
    quote and lead agencies. A decline shows as on the page: what the document does not
    say, why (原因), and the related clauses, marked as no answer.
    """
    return "\n\n".join(part for part in _pieces(answer, style) if part)


def _pieces(answer: Answer, style: Style | None) -> tuple[str, str]:
    """The answer's text and the rest (sources, or a decline's reason and related)."""
    if style is None:
        shown = present(answer)
        return answer.answer, shown[len(answer.answer) :].lstrip("\n")
    if answer.abstained:
        badge = STATUS_TEXT.get(answer.status or "", "无法回答")
        rest = [style.bold("原因：") + reason_text(answer.reason or "")]
        related = sources(answer.related)
        if related:
            lines = [style.bold(RELATED_LABEL)]
            lines += [f"{style.bullet}{marker}{style.escape(title)}" for marker, title in related]
            rest.append("\n".join(lines))
        return style.bold(badge) + "\n\n" + style.escape(answer.answer), "\n\n".join(rest)
    blocks = []
    for marker, title in sources(answer.citations):
        cite = next(c for c in answer.citations if c.marker == marker)
        lines = [f"{style.bullet}{style.bold(marker)} {style.escape(title)}"]
        quote = cite.quote if len(cite.quote) <= QUOTE_CHARS else cite.quote[:QUOTE_CHARS] + "…"
        if quote:
            lines.append(style.quote(style.escape(f"“{quote}”")))
        if cite.lead:
            lines.append(f"牵头：{'、'.join(cite.lead)}")
        blocks.append("\n".join(lines))
    rest = style.bold("来源") + "\n\n" + "\n\n".join(blocks) if blocks else ""
    return style.escape(answer.answer), rest


def fit_reply(
    answer: Answer, style: Style | None, limit: int, size: Callable[[str], int] = len
) -> str:
    """The rendered answer within ``limit`` (measured by ``size``): the answer's text is
    cut first, so its sources (or a decline's reason) still show; when they alone take
    most of the room, the whole reply is cut."""
    text, rest = _pieces(answer, style)
    full = render(answer, style)
    if size(full) <= limit:
        return full
    room = limit - size("\n\n" + rest) if rest else limit
    if room < limit // 3:
        return cut(full, limit, size)
    return "\n\n".join(part for part in (cut(text, room, size), rest) if part)


def cut(text: str, limit: int, size: Callable[[str], int] = len, hint: str = CUT_HINT) -> str:
    """``text`` when it fits in ``limit`` (measured by ``size``); else its longest
    beginning that ends a sentence, then ``hint``.

    >>> cut("第一句。第二句很长很长。", 8, hint="…")
    '第一句。\\n…'
    >>> cut("短。", 8)
    '短。'
    """
    if size(text) <= limit:
        return text
    room = limit - size("\n" + hint)
    if room <= 0:
        return _fit(hint, limit, size)
    head = _fit(text, room, size)
    ends = [m.end() for m in _SENTENCE_END.finditer(head)]
    if ends and ends[-1] > len(head) // 3:
        head = head[: ends[-1]]
    return head.rstrip() + "\n" + hint


def _fit(text: str, limit: int, size: Callable[[str], int]) -> str:
    """The longest beginning of ``text`` within ``limit`` (bytes or characters)."""
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if size(text[:middle]) <= limit:
            low = middle
        else:
            high = middle - 1
    return text[:low]
