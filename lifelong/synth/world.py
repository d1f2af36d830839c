"""The fixed part of the generated university: branches, subjects, providers, resources.

Everything here is a pure function of (seed, scale, as-of): a resumed run rebuilds the
same world in memory without reading the database, and the activity stage draws from
its arrays (popularity, cells of topic x level) rather than from ORM objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np

from lifelong.synth import vocabulary as v
from lifelong.synth.branches import BranchSpec, branch_specs
from lifelong.synth.rng import stream
from lifelong.synth.scales import Scale

RESOURCE_TYPES = (
    "course",
    "micro_course",
    "video",
    "ebook",
    "live_session",
    "assessment",
    "document",
)
TYPE_SHARE = np.array([0.22, 0.2, 0.25, 0.08, 0.07, 0.1, 0.08])
FORMATS_BY_TYPE: dict[str, tuple[tuple[str, ...], tuple[float, ...]]] = {
    "course": (("blended", "video", "interactive", "text"), (0.4, 0.35, 0.15, 0.1)),
    "micro_course": (("video", "interactive", "audio"), (0.65, 0.25, 0.1)),
    "video": (("video", "audio"), (0.9, 0.1)),
    "ebook": (("text",), (1.0,)),
    "live_session": (("live",), (1.0,)),
    "assessment": (("interactive",), (1.0,)),
    "document": (("text",), (1.0,)),
}
# Typical length in minutes (low, high) of each type.
MINUTES = {
    "course": (600, 3000),
    "micro_course": (10, 45),
    "video": (5, 60),
    "ebook": (120, 600),
    "live_session": (60, 120),
    "assessment": (20, 60),
    "document": (15, 60),
}
DEMO_USERNAMES = ("hq_admin", "analyst", "bj_admin", "teacher", "learner")
DEMO_PASSWORD = "demo1234"
FIRST_TEACHER = 6  # user ids 1-5 are the demo accounts
FIRST_LEARNER = 10_000  # learner user id = FIRST_LEARNER + learner index


@dataclass(frozen=True, slots=True)
class TopicInfo:
    """A leaf of the subject tree with its levels."""

    index: int
    subject_id: int
    code: str
    name_zh: str
    name_en: str
    discipline: str
    levels: tuple[str, ...]
    keywords_zh: str
    keywords_en: str


@dataclass
class World:
    """Reference rows plus the arrays the activity stage samples from."""

    branches: list[BranchSpec]
    branch_ids: dict[str, int]
    topics: list[TopicInfo]
    disciplines: list[str]
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # Per resource (index = id - 1):
    r_type: list[str] = field(default_factory=list)
    r_level: list[str] = field(default_factory=list)
    r_topic: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    r_title: list[str] = field(default_factory=list)
    r_language: list[str] = field(default_factory=list)
    r_length: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    r_credits: list[Decimal] = field(default_factory=list)
    r_provider: list[str] = field(default_factory=list)
    r_popularity: np.ndarray = field(default_factory=lambda: np.zeros(0))
    # (topic index, level) -> (resource ids, cumulative popularity)
    cells: dict[tuple[int, str], tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    topic_cells: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    discipline_cells: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = field(
        default_factory=dict
    )
    everything: tuple[np.ndarray, np.ndarray] = field(
        default_factory=lambda: (np.zeros(0, np.int64), np.zeros(0))
    )
    programme_of: dict[tuple[str, str], str] = field(default_factory=dict)


def _subject_rows(world: World) -> None:
    rows: list[dict[str, Any]] = []
    topics: list[TopicInfo] = []
    next_id = 1
    for d_code, d_zh, d_en, fields in v.SUBJECTS:
        d_id = next_id
        rows.append(
            {"id": d_id, "code": d_code, "parent_id": None, "name_zh": d_zh, "name_en": d_en}
        )
        next_id += 1
        world.disciplines.append(d_code)
        for f_code, f_zh, f_en, leaves in fields:
            f_id = next_id
            rows.append(
                {"id": f_id, "code": f_code, "parent_id": d_id, "name_zh": f_zh, "name_en": f_en}
            )
            next_id += 1
            for t_code, t_zh, t_en, levels, kw_zh, kw_en in leaves:
                rows.append(
                    {
                        "id": next_id,
                        "code": t_code,
                        "parent_id": f_id,
                        "name_zh": t_zh,
                        "name_en": t_en,
                    }
                )
                topics.append(
                    TopicInfo(
                        len(topics),
                        next_id,
                        t_code,
                        t_zh,
                        t_en,
                        d_code,
                        tuple(v.LEVEL_CODES[c] for c in levels),
                        kw_zh,
                        kw_en,
                    )
                )
                next_id += 1
    world.rows["subjects"] = rows
    world.topics = topics


def _cdf(ids: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    cumulative = np.cumsum(weights)
    return ids, cumulative / cumulative[-1]


def _content(
    kind: str, minutes: int, title: str, topic: TopicInfo, rng: np.random.Generator, as_of: datetime
) -> dict[str, Any]:
    """Type-specific content the players read (see catalog/content_form.py)."""
    if kind in ("video", "micro_course"):
        return {"length_seconds": minutes * 60}
    if kind in ("document", "ebook"):
        return {
            "body": f"{title}\n\n{topic.name_zh}：{topic.keywords_zh}。"
            f"{topic.name_en}: {topic.keywords_en}."
        }
    if kind == "assessment":
        words = topic.keywords_zh.split()
        questions = [
            {
                "prompt": f"下列哪一项属于“{topic.name_zh}”的内容？",
                "choices": [words[0], "天气预报", "体育赛事"],
                "answer": 0,
            },
            {
                "prompt": f"Which of these belongs to {topic.name_en}?",
                "choices": ["Weather forecasts", topic.keywords_en.split()[0], "Football scores"],
                "answer": 1,
            },
        ]
        return {"questions": questions, "pass_mark": 0.6, "max_attempts": 3}
    if kind == "live_session":
        starts = as_of - timedelta(days=int(rng.integers(0, 60)), hours=as_of.hour - 11)
        return {
            "schedule": {
                "starts_at": starts.replace(minute=0, second=0, microsecond=0).isoformat(),
                "ends_at": (starts + timedelta(minutes=minutes))
                .replace(minute=0, second=0, microsecond=0)
                .isoformat(),
                "room": f"直播间 {int(rng.integers(1, 30))}",
            }
        }
    units = max(3, min(16, minutes // 150))
    return {"units": [{"title": f"第{i + 1}单元 {topic.name_zh}"} for i in range(units)]}


def _credits(kind: str, level: str, rng: np.random.Generator) -> Decimal:
    if kind == "course" and level in ("bachelor", "associate"):
        return Decimal(int(rng.integers(2, 6)))
    if kind == "course" and level == "vocational_certificate":
        return Decimal("1.5")
    if kind in ("course", "micro_course"):
        return Decimal("0.5")
    return Decimal("0")


def _resources(world: World, scale: Scale, seed: int, as_of: datetime) -> None:
    rng = stream(seed, "resources", 0)
    n = scale.resources
    topics = world.topics
    start = as_of - timedelta(days=720)
    providers = [p[0] for p in v.PROVIDERS]
    provider_ids = {code: i + 1 for i, code in enumerate(providers)}
    topic_idx = rng.integers(0, len(topics), n)
    type_idx = rng.choice(len(RESOURCE_TYPES), n, p=TYPE_SHARE)
    # Long-tailed popularity (Zipf-like, s = 1.05) over a random order of resources.
    rank = rng.permutation(n)
    popularity = 1.0 / np.power(rank + 1.0, 1.05)
    uniforms = rng.random((n, 6))
    teachers = list(range(FIRST_TEACHER, FIRST_TEACHER + scale.teachers))
    branch_codes = [b.code for b in world.branches if b.kind != "headquarters"]
    rows: list[dict[str, Any]] = []
    for i in range(n):
        rid = i + 1
        topic = topics[int(topic_idx[i])]
        kind = RESOURCE_TYPES[int(type_idx[i])]
        u = uniforms[i]
        levels = topic.levels
        # The first level listed is the topic's main one.
        level = levels[0] if u[0] < 0.45 else levels[int(u[1] * len(levels))]
        formats, shares = FORMATS_BY_TYPE[kind]
        fmt = formats[int(np.searchsorted(np.cumsum(shares), u[2] * 0.999999))]
        english = (topic.code.startswith(("LANG.LIT.ENG", "IT.CS")) and u[3] < 0.45) or u[3] < 0.05
        language = "en" if english else "zh"
        low, high = MINUTES[kind]
        minutes = int(low + (high - low) * u[4] ** 1.5)
        variant = int(u[5] * 4)
        if language == "zh":
            title = v.TITLE_PATTERNS_ZH[level][variant].format(t=topic.name_zh)
            title += v.TYPE_SUFFIX_ZH[kind]
        else:
            title = v.TITLE_PATTERNS_EN[level][variant].format(t=topic.name_en)
            title += v.TYPE_SUFFIX_EN[kind]
        if i >= 200:  # titles repeat across a big matrix; a series number keeps them apart
            title += f" {rid % 97 + 1}" if language == "en" else f"（{rid % 97 + 1}）"
        description = (
            f"{topic.name_zh}：{topic.keywords_zh}。本资源面向{_LEVEL_ZH[level]}学习者。"
            f" {topic.name_en}: {topic.keywords_en}; for {level.replace('_', ' ')} learners."
        )
        credits = _credits(kind, level, rng)
        provider = providers[int(rank[i] % len(providers))]
        owner_branch: int | None = None
        created_by: int | None = None
        if u[2] < 0.3:  # branch-made resources, authored by one of its teachers
            code = (
                "BJ" if i < max(12, n // 50) else branch_codes[int(u[5] * 1e6) % len(branch_codes)]
            )
            owner_branch = world.branch_ids[code]
            created_by = 4 if code == "BJ" and i < 12 else teachers[i % len(teachers)]
            provider = "OUC"
        published = start + timedelta(seconds=int(u[4] * 700 * 86400))
        rows.append(
            {
                "id": rid,
                "provider_id": provider_ids[provider],
                "external_id": f"SYN-{rid:07d}",
                "title": title,
                "description": description,
                "language": language,
                "type": kind,
                "level": level,
                "format": fmt,
                "subject_id": topic.subject_id,
                "duration_minutes": minutes,
                "credits": credits,
                "tags": [topic.name_zh, topic.name_en.lower()],
                "content": _content(kind, minutes, title, topic, rng, as_of),
                "status": "published",
                "branch_id": owner_branch,
                "created_by_id": created_by,
                "published_at": published,
                "created_at": published,
                "updated_at": published,
                "enrolment_count": 0,
            }
        )
        world.r_type.append(kind)
        world.r_level.append(level)
        world.r_title.append(title)
        world.r_language.append(language)
        world.r_credits.append(credits)
        world.r_provider.append(provider)
    world.rows["resources"] = rows
    world.r_topic = topic_idx.astype(np.int64)
    world.r_popularity = popularity
    world.r_length = np.array([r["duration_minutes"] * 60 for r in rows], np.int64)
    ids = np.arange(1, n + 1)
    levels_arr = np.array(world.r_level)
    for t in range(len(topics)):
        in_topic = topic_idx == t
        if in_topic.any():
            world.topic_cells[t] = _cdf(ids[in_topic], popularity[in_topic])
        for level in topics[t].levels:
            mask = in_topic & (levels_arr == level)
            if mask.any():
                world.cells[(t, level)] = _cdf(ids[mask], popularity[mask])
    disc = np.array([topics[t].discipline for t in topic_idx])
    for d in world.disciplines:
        for level in v.LEVEL_CODES.values():
            mask = (disc == d) & (levels_arr == level)
            if mask.any():
                world.discipline_cells[(d, level)] = _cdf(ids[mask], popularity[mask])
    world.everything = _cdf(ids, popularity)


_LEVEL_ZH = {
    "bachelor": "本科",
    "associate": "专科",
    "vocational_certificate": "职业技能证书",
    "community": "社区教育",
    "elderly": "老年教育",
    "general_interest": "兴趣学习",
}


def _programmes(world: World, as_of: datetime) -> None:
    """One degree programme per discipline and degree level, of its courses."""
    programmes: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    names = {d[0]: (d[1], d[2]) for d in v.SUBJECTS}
    for d in world.disciplines:
        for level, suffix, label in (("bachelor", "B", "本科"), ("associate", "A", "专科")):
            cell = world.discipline_cells.get((d, level))
            if cell is None:
                continue
            course_ids = [int(r) for r in cell[0] if world.r_type[int(r) - 1] == "course"][:10]
            if not course_ids:
                continue
            pid = len(programmes) + 1
            code = f"{d}-{suffix}"
            world.programme_of[(d, level)] = code
            created = as_of - timedelta(days=800)
            programmes.append(
                {
                    "id": pid,
                    "code": code,
                    "title": f"{names[d][0]}（{label}）",
                    "description": f"{names[d][0]} {names[d][1]} — {label} programme",
                    "credential": f"国家开放大学{label}毕业证书",
                    "level": level,
                    "branch_id": None,
                    "created_by_id": None,
                    "created_at": created,
                    "updated_at": created,
                }
            )
            items += [
                {"programme_id": pid, "resource_id": r, "position": i + 1}
                for i, r in enumerate(course_ids)
            ]
    world.rows["programmes"] = programmes
    world.rows["programme_items"] = items


def build_world(scale: Scale, seed: int, as_of: datetime) -> World:
    """The reference data of a run, rebuilt identically from its parameters."""
    specs = branch_specs()
    world = World(
        branches=specs,
        branch_ids={b.code: i + 1 for i, b in enumerate(specs)},
        topics=[],
        disciplines=[],
    )
    stamp = (as_of - timedelta(days=900)).replace(hour=0, minute=0, second=0, microsecond=0)
    world.rows["branches"] = [
        {
            "id": i + 1,
            "code": b.code,
            "name_zh": b.name_zh,
            "name_en": b.name_en,
            "kind": b.kind,
            "region": b.region,
            "province": b.province,
            "created_at": stamp,
            "updated_at": stamp,
        }
        for i, b in enumerate(specs)
    ]
    world.rows["providers"] = [
        {
            "id": i + 1,
            "code": code,
            "name_zh": zh,
            "name_en": en,
            "kind": kind,
            "branch_id": None,
            "created_at": stamp,
            "updated_at": stamp,
        }
        for i, (code, zh, en, kind) in enumerate(v.PROVIDERS)
    ]
    _subject_rows(world)
    _resources(world, scale, seed, as_of)
    _programmes(world, as_of)
    return world


def as_of_moment(day: str) -> datetime:
    """The start of the as-of day (UTC): activity is generated up to it, never later, so
    a run "as of today" never writes timestamps in the future."""
    return datetime.fromisoformat(day).replace(tzinfo=UTC)
