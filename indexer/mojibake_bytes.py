"""The GBK bytes behind mojibake characters, and what pairing them afresh decodes to.

``indexer.mojibake`` finds a garbled run and where it may end; this module turns
the run's characters back into the bytes the mis-decoder read, pairs the bytes
again, and lists the characters the lost first byte can make. Which candidate
reads best is judged by ``indexer.mojibake_score``.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

PUNCT = "。，、；：！？"
OK_PUNCT = set(PUNCT + "“”《》〈〉（）〔〕")
UNKNOWN = "\ufffd"
HOLE = "\x00"  # a character one of whose bytes was lost with a private-use neighbour


def is_text(ch: str) -> bool:
    """Whether ``ch`` may stand in a repair: an ideograph or CJK punctuation."""
    return "\u4e00" <= ch <= "\u9fff" or ch in OK_PUNCT


def gbk_bytes(ch: str) -> bytes | None:
    """The two bytes the mis-decoder read as ``ch`` (private-use ones included)."""
    for codec in ("gbk", "gb18030"):
        try:
            data = ch.encode(codec)
        except UnicodeEncodeError:
            continue
        if len(data) == 2:
            return data
    offset = ord(ch) - 0xE815  # GB18030-2000 mapped FE50..FEA0 onto U+E815..U+E864
    if 0 <= offset < 80:
        return bytes([0xFE, 0x50 + offset if offset < 47 else 0x80 + offset - 47])
    return None


def _decode_pair(pair: bytes) -> str | None:
    try:
        ch = pair.decode("gbk")
    except UnicodeDecodeError:
        return None
    return ch if is_text(ch) else None


def decode_rest(
    garbage: bytes,
    tail: str | None,
    readings: Mapping[str, frozenset[str]],
    holes: tuple[int, ...] = (),
) -> tuple[str, list[list[str]]] | None:
    """Decode the run after its first (lost) character; None if it does not decode.

    A run that ends in ``?pinyin)`` ends in the first byte of the lost character:
    it is completed by the one annotated character with that reading and lead byte,
    or marked ``UNKNOWN`` when there is none. A hole (two lost bytes) leaves two
    characters half known; they stand as ``HOLE`` and come with the list of
    character pairs they can be, one list per hole, for :func:`indexer.mojibake._fill_holes`.
    """
    body: list[int | None] = list(garbage[1:])
    for h in holes:
        if h == 0:
            return None
        body[h - 1] = body[h] = None
    last = ""
    if tail is not None:
        body, lead = body[:-1], body[-1]
        fits = {
            c
            for c in readings.get(tail, ())
            if lead is not None and (gbk_bytes(c) or b"")[:1] == bytes([lead])
        }
        last = fits.pop() if len(fits) == 1 else UNKNOWN
    if len(body) % 2:
        return None
    chars: list[str] = []
    choices: list[list[str]] = []
    for k in range(0, len(body), 2):
        a, b = body[k], body[k + 1]
        if a is not None and b is not None:
            ch = _decode_pair(bytes([a, b]))
            if ch is None:
                return None
            chars.append(ch)
        elif a is not None and (trail := _hole_trail(body, k)) is not None:
            choices.append(_hole_pairs(a, trail))
            chars.append(HOLE)
        elif a is None and b is not None and chars[-1:] == [HOLE]:
            chars.append(HOLE)
        else:  # holes side by side: too much is lost
            chars.append(UNKNOWN)
    rest = "".join(chars)
    if rest.count(HOLE) != 2 * len(choices):
        rest, choices = rest.replace(HOLE, UNKNOWN), []
    return rest + last, choices


def _hole_trail(body: list[int | None], k: int) -> int | None:
    """The trail byte after a hole that begins in the pair at ``k``, if it is known."""
    if k + 3 < len(body) and body[k + 1] is None and body[k + 2] is None:
        return body[k + 3]
    return None


@lru_cache(maxsize=1)
def _lost_codes() -> frozenset[bytes]:
    """The two-byte codes the mis-decoder printed as private-use characters."""
    return frozenset(b for u in range(0xE000, 0xF900) if (b := gbk_bytes(chr(u))))


@lru_cache(maxsize=256)
def _hole_pairs(lead: int, trail: int) -> list[str]:
    """The character pairs ``lead ?? trail`` can decode to, the ``??`` being a lost code."""
    return [
        c1 + c2
        for x1, x2 in _lost_codes()
        if (c1 := _decode_pair(bytes([lead, x1]))) and (c2 := _decode_pair(bytes([x2, trail])))
    ]


def first_candidates(
    trail: int, pinyin: str | None, readings: Mapping[str, frozenset[str]]
) -> list[str]:
    """Characters the lost first byte can make with ``trail``, narrowed by a pinyin hint."""
    if pinyin is not None:
        leads = {b[1] for c in readings.get(pinyin, ()) if (b := gbk_bytes(c))}
        hinted = {c for x in leads if (c := _decode_pair(bytes([x, trail])))}
        if hinted:
            return sorted(hinted)
    return sorted({c for x in range(0x81, 0xFF) if (c := _decode_pair(bytes([x, trail])))})
