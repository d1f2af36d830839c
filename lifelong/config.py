"""One settings object for the whole product (environment prefix ``LIFELONG_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class SearchSettings(BaseModel):
    """Catalogue search (``LIFELONG_SEARCH__<NAME>``)."""

    index_path: Path | None = Field(
        default=None,
        description="The node's full-text index file; default: search/catalogue.db in the "
        "data directory.",
    )
    max_edits: int = Field(
        default=2, ge=0, le=2, description="Typo tolerance: edits allowed on unknown words."
    )
    page_size_max: int = Field(default=100, ge=1, description="Largest page a search returns.")


class LrsSettings(BaseModel):
    """Settings of the learning record store (``LIFELONG_LRS__<NAME>``)."""

    database_url: str | None = Field(
        default=None,
        description="Statement store URL; default: the operational database when it is "
        "PostgreSQL, else a separate SQLite file lrs.db in the data directory.",
    )
    synchronous: str = Field(
        default="FULL",
        description="SQLite synchronous mode of the statement store (FULL: fsync each commit).",
    )
    max_body_bytes: int = Field(
        default=10 * 1024 * 1024, description="Largest request body the LRS accepts (413 above)."
    )
    max_limit: int = Field(default=500, description="Most statements returned per GET page.")
    export_interval_seconds: float = Field(
        default=5.0, description="How often the lifespan task exports new statements to the lake."
    )
    export_lag_bound_seconds: float = Field(
        default=60.0, description="Lakehouse lag the operations page treats as the bound."
    )
    export_enabled: bool = Field(
        default=True, description="Run the lakehouse export task inside the web process."
    )
    credential_cache_seconds: float = Field(
        default=5.0, description="How long a verified credential is cached in memory."
    )


class LrsDocumentSettings(BaseModel):
    """Settings of the xAPI document resources (``LIFELONG_LRS_DOCUMENTS__<NAME>``)."""

    max_document_bytes: int = Field(
        default=1024 * 1024,
        description="Largest State / Activity Profile / Agent Profile document (413 above).",
    )


class RecommendSettings(BaseModel):
    """The recommender (``LIFELONG_RECOMMEND__<NAME>``)."""

    train_on_startup: bool = Field(
        default=True,
        description="Train in the background at start-up when no model exists yet.",
    )
    train_interval_seconds: float = Field(
        default=86400.0,
        ge=0,
        description="How often the web process retrains in the background (0: never).",
    )
    reload_check_seconds: float = Field(
        default=10.0, ge=0, description="How often a process looks for a newer model."
    )
    keep_versions: int = Field(default=3, ge=1, description="Model versions kept on disk.")
    factors: int = Field(default=64, ge=2, le=512, description="ALS latent factors.")
    iterations: int = Field(default=15, ge=1, le=200, description="ALS iterations.")
    regularization: float = Field(default=0.5, gt=0, description="ALS L2 regularisation.")
    alpha: float = Field(default=10.0, gt=0, description="ALS confidence scale (Hu et al.).")


class Settings(BaseSettings):
    """Every setting Lifelong reads; override with ``LIFELONG_<NAME>`` (nested: ``__``)."""

    model_config = SettingsConfigDict(
        env_prefix="LIFELONG_", env_nested_delimiter="__", extra="ignore"
    )

    data_dir: Path = Field(
        default=Path("lifelong-data"),
        description="Directory holding the embedded stores (SQLite, lakehouse tables).",
    )
    database_url: str | None = Field(
        default=None,
        description="Operational database URL; default: SQLite file in the data directory.",
    )
    secret_key: str | None = Field(
        default=None,
        description="Key signing session cookies and CSRF tokens; default: generated once "
        "and kept in the data directory.",
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Public address of this installation (certificate verification links).",
    )
    iri_base: str = Field(
        default="https://lifelong.example.org",
        description="Stable base of the IRIs naming learners' accounts and activities in xAPI; "
        "never change it once statements exist.",
    )
    default_locale: str = Field(default="zh_CN", description="Language of a first visit.")
    secure_cookies: bool = Field(
        default=False, description="Send cookies only over HTTPS (set true behind TLS)."
    )
    session_max_age: int = Field(default=8 * 3600, description="Session lifetime in seconds.")
    token_max_age: int = Field(default=3600, description="API bearer token lifetime in seconds.")
    login_max_failures: int = Field(
        default=5,
        description="Failed sign-ins per account within the window before sign-in is "
        "throttled (per address: four times as many).",
    )
    login_window_seconds: int = Field(
        default=900, description="Window in which failed logins are counted."
    )
    log_level: str = Field(default="INFO", description="Log level.")
    search: SearchSettings = Field(
        default_factory=SearchSettings, description="Catalogue search index and limits."
    )
    log_json: bool = Field(default=False, description="Log as JSON lines (for collectors).")
    lrs: LrsSettings = Field(default_factory=LrsSettings, description="Learning record store.")
    lrs_documents: LrsDocumentSettings = Field(
        default_factory=LrsDocumentSettings, description="xAPI document resources."
    )

    recommend: RecommendSettings = Field(
        default_factory=RecommendSettings, description="Recommender training and loading."
    )

    @field_validator("default_locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        if value not in ("zh_CN", "en"):
            raise ValueError("default_locale must be zh_CN or en")
        return value

    @property
    def resolved_database_url(self) -> str:
        """The operational database URL, defaulting to SQLite in the data directory."""
        if self.database_url:
            return normalise_database_url(self.database_url)
        return f"sqlite:///{(self.data_dir / 'lifelong.db').resolve()}"

    @property
    def search_index_path(self) -> Path:
        """The catalogue's full-text index file on this node."""
        return self.search.index_path or self.data_dir / "search" / "catalogue.db"

    @property
    def resolved_lrs_database_url(self) -> str:
        """The statement store URL: explicit, else PostgreSQL shared, else ``lrs.db``."""
        if self.lrs.database_url:
            return normalise_database_url(self.lrs.database_url)
        operational = self.resolved_database_url
        if operational.startswith("postgresql"):
            return operational
        return f"sqlite:///{(self.data_dir / 'lrs.db').resolve()}"

    @property
    def recommender_dir(self) -> Path:
        """Where versioned recommender models are kept."""
        return self.data_dir / "models" / "recommender"

    @property
    def lake_dir(self) -> Path:
        """Root of the lakehouse tables."""
        return self.data_dir / "lake"


def normalise_database_url(url: str) -> str:
    """Map ``postgresql://`` to the psycopg 3 driver SQLAlchemy should use."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (tests build their own ``Settings`` instead)."""
    return Settings()
