import pytest

from service.aliases import route_aliases, spell_out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("推进赣州至深圳客专建设", {"赣深": "赣州至深圳"}),
        ("韶关至柳州铁路、玉林至湛江高速", {"韶柳": "韶关至柳州", "玉湛": "玉林至湛江"}),
        ("沿海高铁漳州至汕尾段", {"漳汕": "漳州至汕尾"}),
        # No route word after the second place: an ordinary "A 至 B" phrase.
        ("建设滇西北至广东特高压直流输电工程", {}),
        ("延伸至泛珠三角区域", {}),
        # Two routes would share one short form: neither is guessed.
        ("深圳至肇庆客专、深州至肇东铁路", {}),
    ],
)
def test_route_aliases(text: str, expected: dict[str, str]) -> None:
    assert route_aliases([text]) == expected


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("赣深客专什么时候开工", ["赣州至深圳"]),
        ("赣州至深圳客专呢", []),  # already spelled out
        ("深圳有什么项目", []),
    ],
)
def test_spell_out(question: str, expected: list[str]) -> None:
    assert spell_out(question, {"赣深": "赣州至深圳"}) == expected
