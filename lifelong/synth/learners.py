"""Learners of one chunk: demographics, branch, interests and traits.

Age shapes the rest: open-university learners are adults from 18 to 80, with a large
group of retirees (elderly education) besides working adults upgrading a degree or
taking a vocational certificate. Occupation weights the disciplines a learner cares
about and age the levels, which is where the recommendation signal comes from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from lifelong.synth import vocabulary as v
from lifelong.synth.branches import CITIES, CITY_SHARE, PROVINCES, SECTOR_SHARE, SECTORS
from lifelong.synth.world import FIRST_LEARNER, World

WINDOW_DAYS = 540  # about 18 months of history
AGE_BANDS = ((18, 30, 0.30), (30, 45, 0.30), (45, 60, 0.18), (60, 81, 0.22))
SECTOR_OCCUPATION = {
    "military": "soldier",
    "rail": "rail_worker",
    "energy": "energy_worker",
    "industry": "factory_worker",
    "rural": "farmer",
    "disabled": "self_employed",
}
WORKING = [
    o for o in v.OCCUPATIONS if o not in ("retiree", "soldier", "rail_worker", "energy_worker")
]
WORKING_SHARE = np.array(
    [
        {
            "factory_worker": 3,
            "farmer": 2,
            "service_worker": 3,
            "office_clerk": 3,
            "teacher": 1,
            "healthcare_worker": 1,
            "it_worker": 1,
            "self_employed": 2,
            "civil_servant": 1,
            "homemaker": 1.5,
            "unemployed": 1,
        }[o]
        for o in WORKING
    ],
    float,
)
WORKING_SHARE /= WORKING_SHARE.sum()
MANUAL = {
    "factory_worker",
    "farmer",
    "service_worker",
    "rail_worker",
    "energy_worker",
    "unemployed",
    "homemaker",
}
LEVELS = tuple(v.LEVEL_CODES.values())


@dataclass
class LearnerChunk:
    """One chunk's learners: table rows and what the activity stage needs."""

    ids: np.ndarray
    branch_codes: list[str]
    registered: list[datetime]
    interests: list[list[int]]  # topic indexes, strongest first
    level_weights: np.ndarray  # (n, 6) over LEVELS
    persistence: np.ndarray
    ability: np.ndarray
    users: list[dict[str, Any]]
    profiles: list[dict[str, Any]]


def _level_weights(age: int, occupation: str, education: str) -> np.ndarray:
    """How much a learner wants each level (bachelor ... general interest)."""
    if age >= 60:
        w = [0.01, 0.01, 0.02, 0.2, 0.5, 0.26]
    elif occupation in MANUAL:
        w = [0.03, 0.25, 0.42, 0.12, 0.03, 0.15]
    elif education in ("associate", "bachelor", "postgraduate"):
        w = [0.45, 0.05, 0.15, 0.08, 0.02, 0.25]
    else:
        w = [0.2, 0.42, 0.18, 0.06, 0.01, 0.13]
    return np.array(w)


def _topic_weights(
    world: World, discipline_weights: dict[str, float], level_weights: np.ndarray
) -> np.ndarray:
    out = np.empty(len(world.topics))
    for t in world.topics:
        fit = sum(level_weights[LEVELS.index(level)] for level in t.levels)
        out[t.index] = discipline_weights.get(t.discipline, 0.15) * (0.05 + fit)
    return out / out.sum()


def _name(rng: np.random.Generator) -> str:
    surname = v.SURNAMES[int(rng.integers(0, len(v.SURNAMES)))]
    count = 1 if rng.random() < 0.3 else 2
    given = "".join(v.GIVEN_CHARS[int(i)] for i in rng.integers(0, len(v.GIVEN_CHARS), count))
    return surname + given


def _branch_chooser(world: World) -> tuple[list[str], np.ndarray]:
    codes = [p[0] for p in PROVINCES]
    share = np.array([p[4] for p in PROVINCES])
    return codes, share / share.sum()


def make_learners(
    world: World,
    rng: np.random.Generator,
    start_index: int,
    count: int,
    as_of: datetime,
    password_hash: str,
) -> LearnerChunk:
    """``count`` learners from learner index ``start_index`` (ids are fixed by index)."""
    province_codes, province_share = _branch_chooser(world)
    city_of = {province: code for code, _, _, province in CITIES}
    province_zh = {p[0]: p[1] for p in PROVINCES}
    band_p = np.array([b[2] for b in AGE_BANDS])
    bands = rng.choice(len(AGE_BANDS), count, p=band_p / band_p.sum())
    start = as_of - timedelta(days=WINDOW_DAYS)
    # Registrations grow over the window (density rising ~ t^0.6).
    reg_u = rng.random(count) ** (1 / 1.6)
    ids = np.arange(FIRST_LEARNER + start_index, FIRST_LEARNER + start_index + count)
    users: list[dict[str, Any]] = []
    profiles: list[dict[str, Any]] = []
    codes: list[str] = []
    registered: list[datetime] = []
    interests: list[list[int]] = []
    level_rows = np.empty((count, len(LEVELS)))
    for i in range(count):
        low, high, _ = AGE_BANDS[int(bands[i])]
        age = int(rng.integers(low, high))
        if rng.random() < SECTOR_SHARE:
            sector = SECTORS[int(rng.integers(0, len(SECTORS)))]
            code, kind = sector[0], sector[3]
            occupation = SECTOR_OCCUPATION[kind]
            if kind == "disabled":
                occupation = WORKING[int(rng.choice(len(WORKING), p=WORKING_SHARE))]
            age = min(age, 59)
            province = None
        else:
            province_code = province_codes[int(rng.choice(len(province_codes), p=province_share))]
            province = province_zh[province_code]
            code = province_code
            if province_code in city_of and rng.random() < CITY_SHARE:
                code = city_of[province_code]
            if age >= 60:
                occupation = "retiree" if rng.random() < 0.85 else "self_employed"
            else:
                occupation = WORKING[int(rng.choice(len(WORKING), p=WORKING_SHARE))]
        if age < 25:
            edu_p = [0.0, 0.1, 0.5, 0.35, 0.05, 0.0, 0.0]
        elif age >= 60:
            edu_p = [0.15, 0.35, 0.3, 0.1, 0.06, 0.04, 0.0]
        else:
            edu_p = [0.02, 0.15, 0.3, 0.2, 0.2, 0.11, 0.02]
        education = v.EDUCATIONS[int(rng.choice(len(v.EDUCATIONS), p=edu_p))]
        lw = _level_weights(age, occupation, education)
        level_rows[i] = lw
        disc = dict(v.OCCUPATION_DISCIPLINES[occupation])
        if age >= 60:
            for d in ("MED", "ART", "LIFE"):
                disc[d] = disc.get(d, 0.0) + 2.0
        tw = _topic_weights(world, disc, lw)
        picks = rng.choice(len(tw), size=3, replace=False, p=tw)
        mine = [int(t) for t in picks]
        interests.append(mine)
        reg = start + timedelta(seconds=int(reg_u[i] * (WINDOW_DAYS - 1) * 86400))
        registered.append(reg)
        uid = int(ids[i])
        gender = "female" if rng.random() < 0.56 else "male"
        codes.append(code)
        users.append(
            {
                "id": uid,
                "username": f"l{uid:08d}",
                "display_name": _name(rng),
                "email": None,
                "password_hash": password_hash,
                "role": "learner",
                "branch_id": world.branch_ids[code],
                "is_active": True,
                "locale": None,
                "erased_at": None,
                "created_at": reg,
                "updated_at": reg,
            }
        )
        profiles.append(
            {
                "user_id": uid,
                "birth_year": as_of.year - age,
                "gender": gender,
                "occupation": occupation,
                "education": education,
                "province": province,
                "interests": [world.topics[t].code for t in mine],
                "registered_at": reg,
            }
        )
    return LearnerChunk(
        ids=ids,
        branch_codes=codes,
        registered=registered,
        interests=interests,
        level_weights=level_rows,
        persistence=rng.normal(0.0, 1.0, count),
        ability=np.clip(rng.normal(0.72, 0.12, count), 0.2, 0.99),
        users=users,
        profiles=profiles,
    )
