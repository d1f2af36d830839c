"""The National Open University (国家开放大学) system: headquarters and its 45 branches.

Codes follow GB/T 2260 province abbreviations where they are the usual two letters
(``BJ``, ``SH``, ``GD`` ...). Populations (millions, 7th national census 2020) set
each province's share of learners.
"""

from __future__ import annotations

from dataclasses import dataclass

# Region names as the Branch table holds them (English); zh labels live in synth.po.
REGIONS_ZH = {
    "North China": "华北",
    "Northeast China": "东北",
    "East China": "华东",
    "Central China": "华中",
    "South China": "华南",
    "Southwest China": "西南",
    "Northwest China": "西北",
}


@dataclass(frozen=True, slots=True)
class BranchSpec:
    """One campus of the system."""

    code: str
    name_zh: str
    name_en: str
    kind: str
    region: str
    province: str | None
    population: float = 0.0  # millions; provincial branches only


# code, province (zh), province (en), region, population (millions)
PROVINCES: tuple[tuple[str, str, str, str, float], ...] = (
    ("BJ", "北京", "Beijing", "North China", 21.9),
    ("TJ", "天津", "Tianjin", "North China", 13.9),
    ("HE", "河北", "Hebei", "North China", 74.6),
    ("SX", "山西", "Shanxi", "North China", 34.9),
    ("NM", "内蒙古", "Inner Mongolia", "North China", 24.0),
    ("LN", "辽宁", "Liaoning", "Northeast China", 42.6),
    ("JL", "吉林", "Jilin", "Northeast China", 24.1),
    ("HL", "黑龙江", "Heilongjiang", "Northeast China", 31.9),
    ("SH", "上海", "Shanghai", "East China", 24.9),
    ("JS", "江苏", "Jiangsu", "East China", 84.7),
    ("ZJ", "浙江", "Zhejiang", "East China", 64.6),
    ("AH", "安徽", "Anhui", "East China", 61.0),
    ("FJ", "福建", "Fujian", "East China", 41.5),
    ("JX", "江西", "Jiangxi", "East China", 45.2),
    ("SD", "山东", "Shandong", "East China", 101.5),
    ("HA", "河南", "Henan", "Central China", 99.4),
    ("HB", "湖北", "Hubei", "Central China", 57.8),
    ("HN", "湖南", "Hunan", "Central China", 66.4),
    ("GD", "广东", "Guangdong", "South China", 126.0),
    ("GX", "广西", "Guangxi", "South China", 50.1),
    ("HI", "海南", "Hainan", "South China", 10.1),
    ("CQ", "重庆", "Chongqing", "Southwest China", 32.1),
    ("SC", "四川", "Sichuan", "Southwest China", 83.7),
    ("GZ", "贵州", "Guizhou", "Southwest China", 38.6),
    ("YN", "云南", "Yunnan", "Southwest China", 47.2),
    ("XZ", "西藏", "Tibet", "Southwest China", 3.6),
    ("SN", "陕西", "Shaanxi", "Northwest China", 39.5),
    ("GS", "甘肃", "Gansu", "Northwest China", 25.0),
    ("QH", "青海", "Qinghai", "Northwest China", 5.9),
    ("NX", "宁夏", "Ningxia", "Northwest China", 7.2),
    ("XJ", "新疆", "Xinjiang", "Northwest China", 25.9),
)

# Cities specifically designated in the state plan (计划单列市) have their own open
# universities; code, city zh, city en, province code.
CITIES: tuple[tuple[str, str, str, str], ...] = (
    ("DL", "大连", "Dalian", "LN"),
    ("QD", "青岛", "Qingdao", "SD"),
    ("NB", "宁波", "Ningbo", "ZJ"),
    ("XM", "厦门", "Xiamen", "FJ"),
    ("SZ", "深圳", "Shenzhen", "GD"),
)

# Sector branches (行业分部) serve the armed forces and national industries.
SECTORS: tuple[tuple[str, str, str, str], ...] = (
    ("BY", "国家开放大学八一学院", "Bayi College, Open University of China", "military"),
    ("ZC", "国家开放大学总参学院", "General Staff College, Open University of China", "military"),
    ("KJ", "国家开放大学空军学院", "Air Force College, Open University of China", "military"),
    (
        "CJ",
        "国家开放大学残疾人教育学院",
        "College of Education for the Disabled, Open University of China",
        "disabled",
    ),
    ("CR", "国家开放大学中国铁路分部", "China Railway Branch, Open University of China", "rail"),
    ("CNPC", "国家开放大学中国石油分部", "CNPC Branch, Open University of China", "energy"),
    (
        "SGCC",
        "国家开放大学中国电力分部",
        "China Electric Power Branch, Open University of China",
        "energy",
    ),
    ("NORINCO", "国家开放大学中国兵器分部", "NORINCO Branch, Open University of China", "industry"),
    (
        "AGRI",
        "国家开放大学农业农村分部",
        "Agriculture and Rural Branch, Open University of China",
        "rural",
    ),
)

HEADQUARTERS = BranchSpec(
    code="HQ",
    name_zh="国家开放大学",
    name_en="The Open University of China",
    kind="headquarters",
    region="North China",
    province="北京",
)

# Share of learners who study through a city's own university rather than the province's.
CITY_SHARE = 0.3
# Share of learners who study through a sector branch.
SECTOR_SHARE = 0.06


def branch_specs() -> list[BranchSpec]:
    """Headquarters first, then the 31 provinces, 5 cities and 9 sector branches (45)."""
    specs = [HEADQUARTERS]
    region_of = {code: region for code, _, _, region, _ in PROVINCES}
    province_zh = {code: zh for code, zh, _, _, _ in PROVINCES}
    for code, zh, en, region, population in PROVINCES:
        specs.append(
            BranchSpec(
                code, f"{zh}开放大学", f"{en} Open University", "provincial", region, zh, population
            )
        )
    for code, zh, en, province in CITIES:
        specs.append(
            BranchSpec(
                code,
                f"{zh}开放大学",
                f"{en} Open University",
                "provincial",
                region_of[province],
                province_zh[province],
            )
        )
    for code, zh, en, _sector in SECTORS:
        specs.append(BranchSpec(code, zh, en, "sector", "North China", None))
    return specs
