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
    lake_compact_files: int = Field(
        default=64,
        ge=2,
        description="Files a day's partition of the lake's statements table may hold before "
        "the exporter merges its small files (each export appends one).",
    )
    lake_file_retention_hours: int = Field(
        default=24,
        ge=0,
        description="How long files that compaction replaced stay on disk for readers of "
        "older table versions before they are deleted (Delta vacuum).",
    )
    credential_cache_seconds: float = Field(
        default=5.0, description="How long a verified credential is cached in memory."
    )
    ingest_process: bool = Field(
        default=True,
        description="Statement batches are validated and written by an ingest process "
        "beside the web process, which keeps the store's single writer off the web "
        "process's GIL (false: both in the web process).",
    )


class LrsDocumentSettings(BaseModel):
    """Settings of the xAPI document resources (``LIFELONG_LRS_DOCUMENTS__<NAME>``)."""

    max_document_bytes: int = Field(
        default=1024 * 1024,
        description="Largest State / Activity Profile / Agent Profile document (413 above).",
    )


class MailSettings(BaseModel):
    """Outgoing e-mail (``LIFELONG_MAIL__<NAME>``); without an SMTP host, messages are
    written as ``.eml`` files to ``<data dir>/mail/``."""

    sender: str = Field(
        default="no-reply@lifelong.example.org", description="From address of messages."
    )
    smtp_host: str | None = Field(default=None, description="SMTP server; none: file outbox.")
    smtp_port: int = Field(default=587, description="SMTP port.")
    smtp_starttls: bool = Field(default=True, description="Upgrade the connection with STARTTLS.")
    smtp_username: str | None = Field(default=None, description="SMTP user name.")
    smtp_password: str | None = Field(default=None, description="SMTP password.")


class JourneySettings(BaseModel):
    """The learning journey (``LIFELONG_JOURNEY__<NAME>``)."""

    outbox_enabled: bool = Field(
        default=True, description="Deliver the xAPI outbox to the LRS from the web process."
    )
    outbox_interval_seconds: float = Field(
        default=1.0, gt=0, description="How often the outbox is drained when all is well."
    )
    outbox_max_backoff_seconds: float = Field(
        default=60.0, gt=0, description="Longest wait between retries while the LRS fails."
    )
    credential_key_path: Path | None = Field(
        default=None,
        description="Ed25519 key signing Open Badges credentials; default: "
        "keys/credentials-ed25519.pem in the data directory (created once, 0600).",
    )
    attendance_early_minutes: int = Field(
        default=15, ge=0, description="How early before a live session attendance counts."
    )


class FoundationSettings(BaseModel):
    """The data foundation's transform (``LIFELONG_FOUNDATION__<NAME>``)."""

    transform_enabled: bool = Field(
        default=True,
        description="Run the transform on a schedule, in a process beside the web process.",
    )
    transform_interval_seconds: float = Field(
        default=60.0, ge=1, description="How often the web process runs the models."
    )
    transform_niceness: int = Field(
        default=10,
        ge=0,
        le=19,
        description="How much lower the CPU priority (nice) of the process that runs the "
        "scheduled transform is, so that requests keep precedence.",
    )
    snapshot_interval_seconds: float = Field(
        default=300.0,
        ge=0,
        description="How often the scheduled run re-reads the operational tables (C3); "
        "statements are picked up on every run.",
    )
    duckdb_threads: int | None = Field(
        default=None,
        ge=1,
        description="Threads of the process's DuckDB database that serves the marts (C5); "
        "default: DuckDB's own (one per core). 1 suits a small, busy machine, where "
        "splitting a sub-second query across threads only adds waiting.",
    )
    duckdb_memory_limit: str | None = Field(
        default="3GB",
        description="Memory the process's DuckDB database may use (transform and marts), "
        "beyond which it spills to <data dir>/lake/.duckdb-spill; unset: DuckDB's own "
        "default, 80 % of RAM (a medium full refresh then held 20 GB).",
    )


class SemanticSettings(BaseModel):
    """The semantic layer and metrics query API (``LIFELONG_SEMANTIC__<NAME>``)."""

    catalogue_path: Path | None = Field(
        default=None,
        description="The semantic layer's YAML; default: the packaged semantic.yaml.",
    )
    max_rows: int = Field(
        default=10_000,
        ge=1,
        description="Most rows one metrics query returns (the answer says when it was cut).",
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
        description="Public address of this installation (certificate verification links); "
        "unset, `serve` and `demo` use the address they listen on.",
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
    password_reset_max_age: int = Field(
        default=3600, description="Lifetime of a password-reset link in seconds."
    )
    mail: MailSettings = Field(default_factory=MailSettings, description="Outgoing e-mail.")
    log_level: str = Field(default="INFO", description="Log level.")
    search: SearchSettings = Field(
        default_factory=SearchSettings, description="Catalogue search index and limits."
    )
    log_json: bool = Field(default=False, description="Log as JSON lines (for collectors).")
    lrs: LrsSettings = Field(default_factory=LrsSettings, description="Learning record store.")
    lrs_documents: LrsDocumentSettings = Field(
        default_factory=LrsDocumentSettings, description="xAPI document resources."
    )
    journey: JourneySettings = Field(
        default_factory=JourneySettings, description="Learning journey: outbox and credentials."
    )
    foundation: FoundationSettings = Field(
        default_factory=FoundationSettings, description="Data foundation transform schedule."
    )
    semantic: SemanticSettings = Field(
        default_factory=SemanticSettings, description="Semantic layer and metrics query API."
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
    def credential_key_path(self) -> Path:
        """The Ed25519 private key that signs Open Badges credentials."""
        return (
            self.journey.credential_key_path or self.data_dir / "keys" / "credentials-ed25519.pem"
        )

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
