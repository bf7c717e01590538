"""Count the wording rules in code: ``python -m eval.rules [folder ...]``.

Two kinds of rule are counted per module, in the code of ``service/`` by default:

* **phrase alternatives**: the alternatives of every regular expression written in
  the code (``re.compile``, ``re.search``, … on a literal: the top-level and nested
  ``|`` branches, plus one), and every Chinese phrase listed in a literal collection
  (a tuple, list, set, frozenset or dict of strings with a Chinese character);
* **special-case branches**: ``if``/``elif``/conditional expressions whose test
  uses such a regular expression or phrase collection of the module.

Data files (``service/data``, ``indexer/data``, ``corpus/knowledge``) are counted
separately: a rule there is generic reading or document knowledge, not code.
The count is approximate by design (a regex's ``|`` inside a character class
counts too) and only meant to compare the same code before and after a change.
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

_CJK = re.compile(r"[\u4e00-\u9fff]")
_RE_FUNCS = frozenset(
    ["compile", "search", "match", "fullmatch", "sub", "findall", "finditer", "split"]
)


@dataclass(frozen=True)
class ModuleRules:
    path: str
    alternatives: int
    branches: int


def _string_of(node: ast.AST) -> str | None:
    """The text of a string literal or f-string (placeholders dropped)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _string_of(node.left), _string_of(node.right)
        if left is not None and right is not None:
            return left + right
    return None


def _regex_alternatives(tree: ast.AST) -> tuple[int, set[str]]:
    count, names = 0, set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            call = node.value
            if getattr(call.func, "attr", None) == "compile" and call.args:
                names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) in _RE_FUNCS:
            if getattr(node.func.value, "id", None) != "re" or not node.args:
                continue
            pattern = _string_of(node.args[0])
            if pattern is not None:
                count += pattern.count("|") + 1
    return count, names


def _phrase_entries(tree: ast.AST) -> tuple[int, set[str]]:
    count, names = 0, set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.List, ast.Tuple, ast.Set, ast.Dict)):
            items = node.keys if isinstance(node, ast.Dict) else node.elts
            strings = [s for i in items if i is not None and (s := _string_of(i)) is not None]
            chinese = [s for s in strings if _CJK.search(s)]
            count += len(chinese)
        if isinstance(node, ast.Assign) and isinstance(
            node.value, (ast.Call, ast.Set, ast.List, ast.Tuple)
        ):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        if (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", None) == "frozenset"
            and node.args
            and (text := _string_of(node.args[0])) is not None
            and _CJK.search(text)
        ):
            count += len(text)  # frozenset("院所校司"): one phrase per character
    return count, names


def _branches(tree: ast.AST, rule_names: set[str]) -> int:
    count = 0
    for node in ast.walk(tree):
        if isinstance(node, (ast.If, ast.IfExp, ast.While)):
            used = {n.id for n in ast.walk(node.test) if isinstance(n, ast.Name)}
            if used & rule_names:
                count += 1
    return count


def count_module(path: Path) -> ModuleRules:
    """The phrase alternatives and special-case branches written in one module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    regexes, regex_names = _regex_alternatives(tree)
    phrases, phrase_names = _phrase_entries(tree)
    names = {n for n in regex_names | phrase_names if n.startswith("_") or n.isupper()}
    return ModuleRules(str(path), regexes + phrases, _branches(tree, names))


def count_data(folder: Path) -> int:
    """Entries in a folder's data files: one per non-comment line, or per TOML list item."""
    total = 0
    for path in sorted(folder.rglob("*")):
        if path.suffix == ".txt":
            total += sum(
                1
                for line in path.read_text(encoding="utf-8").splitlines()
                if line.split("#", 1)[0].strip()
            )
        elif path.suffix == ".toml":
            import tomllib

            def items(value: object) -> int:
                if isinstance(value, dict):
                    return sum(items(v) for v in value.values())
                if isinstance(value, list):
                    return sum(items(v) if isinstance(v, (dict, list)) else 1 for v in value)
                return 0

            total += items(tomllib.loads(path.read_text(encoding="utf-8")))
    return total


def main(argv: list[str]) -> int:
    folders = [Path(a) for a in argv] or [Path("service")]
    rows = [
        count_module(p)
        for folder in folders
        for p in sorted(folder.rglob("*.py"))
        if "/tests/" not in str(p)
    ]
    rows.sort(key=lambda r: -r.alternatives)
    out = sys.stdout
    out.write(f"{'module':40} {'alternatives':>12} {'branches':>9}\n")
    for row in rows:
        if row.alternatives or row.branches:
            out.write(f"{row.path:40} {row.alternatives:>12} {row.branches:>9}\n")
    out.write(
        f"{'total in code':40} {sum(r.alternatives for r in rows):>12} "
        f"{sum(r.branches for r in rows):>9}\n"
    )
    for data in (Path("service/data"), Path("indexer/data"), Path("corpus/knowledge")):
        if data.is_dir():
            out.write(f"{'entries in ' + str(data):40} {count_data(data):>12}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
