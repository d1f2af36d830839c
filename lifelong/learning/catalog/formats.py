"""Reading catalogue files: CSV, JSON, IEEE LOM XML and Dublin Core XML, into rows.

Every format yields the same row shape (the field names of the resource API), so one
validator judges them all. XML is parsed with defusedxml (no entity expansion, no
external entities: a hostile file cannot read local files or exhaust memory).
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as safe_xml
from defusedxml import DefusedXmlException

from lifelong.errors import BadRequest
from lifelong.i18n import N_, Message

MAX_ROWS = 100_000
FIELDS = [
    "external_id",
    "title",
    "description",
    "language",
    "type",
    "level",
    "format",
    "subject",
    "duration_minutes",
    "credits",
    "tags",
    "prerequisites",
    "status",
    "content",
]
# IEEE LOM learningResourceType vocabulary (IEEE 1484.12.1 section 5.2) -> resource type.
LOM_TYPES = {
    "exercise": "assessment",
    "questionnaire": "assessment",
    "exam": "assessment",
    "self assessment": "assessment",
    "narrative text": "document",
    "slide": "document",
    "table": "document",
    "index": "document",
    "lecture": "video",
    "simulation": "micro_course",
    "experiment": "micro_course",
    "problem statement": "assessment",
}
LOM_CONTEXTS = {"higher education": "bachelor", "training": "vocational_certificate"}
DURATION = re.compile(
    r"^P(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


@dataclass
class Row:
    """One record of the file: where it is (for the report) and its raw fields."""

    location: Message
    data: dict[str, Any]


def detect(filename: str, payload: bytes) -> str:
    """The format from the file name, or from the first bytes when the name says nothing."""
    lower = filename.lower()
    for suffix, kind in ((".csv", "csv"), (".json", "json"), (".xml", "xml")):
        if lower.endswith(suffix):
            return kind
    head = payload.lstrip()[:1]
    if head in (b"[", b"{"):
        return "json"
    if head == b"<":
        return "xml"
    return "csv"


def parse(filename: str, payload: bytes) -> list[Row]:
    """Rows of a catalogue file; 400 when the file as a whole cannot be read."""
    try:
        text = payload.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadRequest(N_("The file is not UTF-8 text.")) from None
    kind = detect(filename, payload)
    rows = {"csv": parse_csv, "json": parse_json, "xml": parse_xml}[kind](text)
    if len(rows) > MAX_ROWS:
        raise BadRequest(
            N_("The file has %(n)s records; import at most %(max)s at a time."),
            params={"n": len(rows), "max": MAX_ROWS},
        )
    return rows


def parse_csv(text: str) -> list[Row]:
    """A CSV file with a header naming the fields (unknown columns are ignored)."""
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "title" not in [f.strip() for f in reader.fieldnames]:
        raise BadRequest(N_("The CSV file needs a header row with at least a title column."))
    rows = []
    for number, record in enumerate(reader, start=2):
        data = {
            (k or "").strip(): (v.strip() if isinstance(v, str) else v)
            for k, v in record.items()
            if (k or "").strip() in FIELDS
        }
        if isinstance(data.get("content"), str) and data["content"]:
            try:
                data["content"] = json.loads(data["content"])
            except json.JSONDecodeError:
                data["content"] = "not JSON"
        rows.append(Row(Message(N_("line %(n)s"), {"n": number}), data))
    return rows


def parse_json(text: str) -> list[Row]:
    """A JSON array of resource objects, or an object with a ``resources`` array."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise BadRequest(
            N_("The JSON file is not valid: %(reason)s at line %(line)s."),
            params={"reason": error.msg, "line": error.lineno},
        ) from None
    records = document.get("resources") if isinstance(document, dict) else document
    if not isinstance(records, list):
        raise BadRequest(N_('The JSON file must be an array of resources or {"resources": [...]}.'))
    rows = []
    for number, record in enumerate(records, start=1):
        data = (
            {k: v for k, v in record.items() if k in FIELDS}
            if isinstance(record, dict)
            else {"title": None}
        )
        rows.append(Row(Message(N_("record %(n)s"), {"n": number}), data))
    return rows


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _find(element: Element, *path: str) -> list[Element]:
    """Descendants along a path of local names (namespaces ignored)."""
    found = [element]
    for name in path:
        found = [child for node in found for child in node if _local(child.tag) == name]
    return found


def _text(element: Element, *path: str) -> str | None:
    for node in _find(element, *path):
        if node.text and node.text.strip():
            return node.text.strip()
    return None


def iso_minutes(value: str | None) -> int | str | None:
    """Minutes of an ISO 8601 duration (PT1H30M -> 90); the raw value when unreadable."""
    if not value:
        return None
    match = DURATION.match(value.strip())
    if not match or not any(match.groupdict().values()):
        return value
    parts = {k: float(v) if v else 0.0 for k, v in match.groupdict().items()}
    return round(parts["d"] * 1440 + parts["h"] * 60 + parts["m"] + parts["s"] / 60)


def _lom(record: Element) -> dict[str, Any]:
    """One IEEE LOM record (IEEE 1484.12.3 XML binding) as row fields."""
    kind = _text(record, "educational", "learningResourceType", "value")
    context = _text(record, "educational", "context", "value")
    mime = _text(record, "technical", "format")
    taxa = [t for t in _find(record, "classification", "taxonPath", "taxon", "id") if t.text]
    return {
        "external_id": _text(record, "general", "identifier", "entry"),
        "title": _text(record, "general", "title", "string"),
        "description": _text(record, "general", "description", "string"),
        "language": _text(record, "general", "language"),
        "tags": [
            n.text.strip()
            for n in _find(record, "general", "keyword", "string")
            if n.text and n.text.strip()
        ],
        "type": LOM_TYPES.get((kind or "").lower(), kind),
        "level": LOM_CONTEXTS.get((context or "").lower(), context),
        "format": _lom_format(mime),
        "subject": (taxa[-1].text or "").strip() if taxa else None,
        "duration_minutes": iso_minutes(
            _text(record, "educational", "typicalLearningTime", "duration")
        ),
    }


def _lom_format(mime: str | None) -> str | None:
    if mime is None:
        return None
    major = mime.split("/", 1)[0].lower()
    return {"video": "video", "audio": "audio", "text": "text", "application": "text"}.get(
        major, mime
    )


def _dublin_core(record: Element) -> dict[str, Any]:
    """One Dublin Core record (dc: elements; dcterms:educationLevel, dcterms:extent)."""
    subjects = [n.text.strip() for n in _find(record, "subject") if n.text and n.text.strip()]
    return {
        "external_id": _text(record, "identifier"),
        "title": _text(record, "title"),
        "description": _text(record, "description"),
        "language": _text(record, "language"),
        "type": _text(record, "type"),
        "level": _text(record, "educationLevel"),
        "format": _text(record, "format"),
        # The first dc:subject is the subject code; the others are keywords.
        "subject": subjects[0] if subjects else None,
        "tags": subjects[1:],
        "duration_minutes": iso_minutes(_text(record, "extent")),
    }


def parse_xml(text: str) -> list[Row]:
    """LOM records (``<lom>``) or Dublin Core records (``<record>`` of dc: elements)."""
    try:
        root = safe_xml.fromstring(text)
    except (safe_xml.ParseError, DefusedXmlException) as error:
        raise BadRequest(
            N_("The XML file cannot be read: %(reason)s"), params={"reason": str(error)}
        ) from None
    loms = (
        [root] if _local(root.tag) == "lom" else [e for e in root.iter() if _local(e.tag) == "lom"]
    )
    if loms:
        return [
            Row(Message(N_("lom record %(n)s"), {"n": n}), _lom(r)) for n, r in enumerate(loms, 1)
        ]
    records = [e for e in root.iter() if _local(e.tag) in ("record", "dc")]
    if records:
        rows = []
        for n, r in enumerate(records, 1):
            data = _dublin_core(r)
            fields = {k: v for k, v in data.items() if v not in (None, [])}
            rows.append(Row(Message(N_("record %(n)s"), {"n": n}), fields))
        return rows
    raise BadRequest(
        N_("The XML file has neither IEEE LOM <lom> nor Dublin Core <record> records.")
    )
