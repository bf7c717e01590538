"""Domain errors. Each message says what happened and what to do about it.

The CLI turns them into ``click.ClickException``; the HTTP layer maps them to
status codes. Library code raises them and never prints.
"""

from __future__ import annotations


class PolicyQAError(Exception):
    """Base class for errors shown to the user as they are."""


class CorpusError(PolicyQAError):
    """A corpus file is missing, unreadable or not a policy document."""


class ParseError(CorpusError):
    """A document has no structure the parser recognizes."""


class IndexNotFound(PolicyQAError):
    """No index exists where one was expected."""


class IndexCorrupt(PolicyQAError):
    """An index file is missing, truncated or fails its checksum."""


class IndexWriteError(PolicyQAError):
    """The index folder cannot be written (read-only, no space, not a folder path)."""


class IndexMismatch(PolicyQAError):
    """The index was built with other settings than the ones in force."""


class BadQuestion(PolicyQAError):
    """The question cannot be answered as asked (empty, too long, not text)."""


class ModelError(PolicyQAError):
    """A model file that ships with the package is missing or unreadable."""
