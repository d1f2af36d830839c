"""The model files: parse each header, find dependencies in the SQL (sqlglot), order them.

A model is ``models/<layer>/<name>.sql``: a ``/* ... */`` YAML header (name, kind, grain,
owner, description, columns, audits) followed by one SELECT written in DuckDB's dialect
with the ``@start`` / ``@end`` time-range macros. Sources (tables other writers land in
``raw``) are declared in ``models/raw/sources.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from graphlib import CycleError, TopologicalSorter
from pathlib import Path
from typing import Any

import sqlglot
import yaml
from sqlglot import exp

from lifelong.errors import LifelongError

MODELS_DIR = Path(__file__).parent / "models"
SOURCE_DIALECT = "duckdb"
KINDS = ("full", "incremental_by_time_range")
_HEADER = re.compile(r"\A\s*/\*(?P<header>.*?)\*/(?P<sql>.*)\Z", re.S)
# Placeholder timestamps for parsing; the engines substitute the real window.
MACROS = ("@start", "@end")


class ModelError(LifelongError):
    """A model file is malformed (bad header, unknown kind, cycle, missing dependency)."""

    status_code = 422


@dataclass(frozen=True)
class Source:
    """A raw table written by another part (C1, C3, C4)."""

    name: str
    owner: str
    grain: str
    description: str
    columns: dict[str, str]

    @property
    def layer(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def table(self) -> str:
        return self.name.split(".", 1)[1]


@dataclass(frozen=True)
class Model:
    """One declarative SQL model."""

    name: str
    kind: str
    grain: str
    owner: str
    description: str
    columns: dict[str, str]
    audits: tuple[dict[str, Any], ...]
    sql: str
    path: Path
    time_column: str | None = None
    depends_on: frozenset[str] = field(default_factory=frozenset)

    @property
    def layer(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def table(self) -> str:
        return self.name.split(".", 1)[1]

    @property
    def incremental(self) -> bool:
        return self.kind == "incremental_by_time_range"


def _placeholder_sql(sql: str) -> str:
    """The SQL with the macros as literals, so sqlglot can parse it."""
    return sql.replace("@start", "TIMESTAMP '1970-01-01 00:00:00'").replace(
        "@end", "TIMESTAMP '1970-01-01 00:00:00'"
    )


def referenced_tables(sql: str) -> frozenset[str]:
    """Every ``layer.table`` the query reads (CTE names excluded)."""
    tree = sqlglot.parse_one(_placeholder_sql(sql), read=SOURCE_DIALECT)
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    found = set()
    for table in tree.find_all(exp.Table):
        if table.db and table.name not in ctes:
            found.add(f"{table.db}.{table.name}")
    return frozenset(found)


def parse_model(path: Path) -> Model:
    """Read one model file; a bad header is a ModelError naming the file."""
    text = path.read_text(encoding="utf-8")
    match = _HEADER.match(text)
    if not match:
        raise ModelError(f"{path.name}: a model starts with a /* ... */ YAML header")
    try:
        header = yaml.safe_load(match.group("header")) or {}
    except yaml.YAMLError as exc:
        raise ModelError(f"{path.name}: header is not YAML: {exc}") from None
    missing = [k for k in ("name", "kind", "grain", "owner", "description") if k not in header]
    if missing:
        raise ModelError(f"{path.name}: header lacks {', '.join(missing)}")
    expected = f"{path.parent.name}.{path.stem}"
    if header["name"] != expected:
        raise ModelError(f"{path.name}: name must be {expected}, not {header['name']}")
    if header["kind"] not in KINDS:
        raise ModelError(f"{path.name}: kind must be one of {', '.join(KINDS)}")
    if header["kind"] == "incremental_by_time_range" and not header.get("time_column"):
        raise ModelError(f"{path.name}: an incremental model needs time_column")
    sql = match.group("sql").strip().rstrip(";")
    try:
        depends_on = referenced_tables(sql)
    except sqlglot.errors.ParseError as exc:
        raise ModelError(f"{path.name}: SQL does not parse: {exc}") from None
    return Model(
        name=header["name"],
        kind=header["kind"],
        grain=str(header["grain"]),
        owner=str(header["owner"]),
        description=" ".join(str(header["description"]).split()),
        columns={str(k): str(v) for k, v in (header.get("columns") or {}).items()},
        audits=tuple(header.get("audits") or ()),
        sql=sql,
        path=path,
        time_column=header.get("time_column"),
        depends_on=depends_on,
    )


@dataclass(frozen=True)
class Project:
    """Every source and model, and the order to build the models in."""

    sources: dict[str, Source]
    models: dict[str, Model]
    order: tuple[str, ...]

    def downstream(self, name: str) -> set[str]:
        """Models that read ``name`` directly or through other models."""
        found: set[str] = set()
        frontier = [name]
        while frontier:
            current = frontier.pop()
            for model in self.models.values():
                if current in model.depends_on and model.name not in found:
                    found.add(model.name)
                    frontier.append(model.name)
        return found

    def upstream(self, name: str) -> set[str]:
        """Models ``name`` reads directly or through other models."""
        found: set[str] = set()
        frontier = [name]
        while frontier:
            for dependency in self.models[frontier.pop()].depends_on:
                if dependency in self.models and dependency not in found:
                    found.add(dependency)
                    frontier.append(dependency)
        return found


def load_project(models_dir: Path = MODELS_DIR) -> Project:
    """Parse every model and source; fail on unknown tables and cycles."""
    raw = yaml.safe_load((models_dir / "raw" / "sources.yaml").read_text(encoding="utf-8"))
    sources = {
        s["name"]: Source(
            name=s["name"],
            owner=s["owner"],
            grain=s["grain"],
            description=s["description"],
            columns=dict(s["columns"]),
        )
        for s in raw["sources"]
    }
    models: dict[str, Model] = {}
    for layer in ("clean", "marts"):
        for path in sorted((models_dir / layer).glob("*.sql")):
            model = parse_model(path)
            models[model.name] = model
    graph: dict[str, set[str]] = {}
    for model in models.values():
        unknown = [d for d in model.depends_on if d not in models and d not in sources]
        if unknown:
            raise ModelError(
                f"{model.path.name}: reads unknown tables {', '.join(sorted(unknown))}"
            )
        # Referential audits read their parent: build it first.
        parents = {str(a["referential"]["to"]) for a in model.audits if "referential" in a}
        graph[model.name] = {d for d in model.depends_on | parents if d in models}
    try:
        order = tuple(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        raise ModelError(f"models form a cycle: {' -> '.join(exc.args[1])}") from None
    return Project(sources=sources, models=models, order=order)


@cache
@cache
def default_project() -> Project:
    """The project shipped in the package (parsed once per process: the scheduled cycle
    asks for it every minute, and parsing every model file took ~4 % of the web
    process's time under ingest)."""
    return load_project()
