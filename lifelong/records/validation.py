"""Statement validation for xAPI 1.0.3 (Data part) and 2.0 (IEEE 9274.1.1 section 5).

Hand-written checks over the parsed JSON (a schema library would be several times slower
at the ingest rates the LRS must sustain). Each rejection names the property path and
the specification section it breaks; section numbers are xAPI 1.0.3 Data unless noted.
"""

from __future__ import annotations

from typing import Any

from lifelong.errors import BadRequest
from lifelong.records import formats as f
from lifelong.records.versions import V2

JSON = dict[str, Any]
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
SIGNATURE_USAGE = "http://adlnet.gov/expapi/attachments/signature"

STATEMENT_KEYS = frozenset(
    {
        "id",
        "actor",
        "verb",
        "object",
        "result",
        "context",
        "timestamp",
        "stored",
        "authority",
        "version",
        "attachments",
    }
)
SUBSTATEMENT_KEYS = frozenset(
    {"objectType", "actor", "verb", "object", "result", "context", "timestamp", "attachments"}
)
AGENT_KEYS = frozenset({"objectType", "name", "mbox", "mbox_sha1sum", "openid", "account"})
GROUP_KEYS = AGENT_KEYS | {"member"}
IFI_KEYS = ("mbox", "mbox_sha1sum", "openid", "account")
VERB_KEYS = frozenset({"id", "display"})
ACTIVITY_KEYS = frozenset({"objectType", "id", "definition"})
DEFINITION_KEYS = frozenset(
    {
        "name",
        "description",
        "type",
        "moreInfo",
        "interactionType",
        "correctResponsesPattern",
        "choices",
        "scale",
        "source",
        "target",
        "steps",
        "extensions",
    }
)
INTERACTION_TYPES = {
    "true-false": (),
    "choice": ("choices",),
    "fill-in": (),
    "long-fill-in": (),
    "matching": ("source", "target"),
    "performance": ("steps",),
    "sequencing": ("choices",),
    "likert": ("scale",),
    "numeric": (),
    "other": (),
}
COMPONENT_LISTS = ("choices", "scale", "source", "target", "steps")
RESULT_KEYS = frozenset({"score", "success", "completion", "response", "duration", "extensions"})
SCORE_KEYS = frozenset({"scaled", "raw", "min", "max"})
CONTEXT_KEYS = frozenset(
    {
        "registration",
        "instructor",
        "team",
        "contextActivities",
        "revision",
        "platform",
        "language",
        "statement",
        "extensions",
    }
)
CONTEXT_KEYS_V2 = CONTEXT_KEYS | {"contextAgents", "contextGroups"}
CONTEXT_ACTIVITY_KEYS = frozenset({"parent", "grouping", "category", "other"})
ATTACHMENT_KEYS = frozenset(
    {"usageType", "display", "description", "contentType", "length", "sha2", "fileUrl"}
)


# How deeply an extension value may nest arrays and objects. The specification sets no
# bound, but orjson writes at most 254 levels (a statement's JSON, and the lists that
# carry it out, add a few): a deeper value failed after validation, a 500. Real extension
# values nest a few levels; 128 leaves room for any of them.
EXTENSION_NESTING = 128


def nesting(value: object) -> int:
    """How many levels of arrays and objects ``value`` nests (0 for a scalar); walked
    without recursion, so any depth the JSON parser let through is measured."""
    deepest = 0
    stack = [(value, 1)] if isinstance(value, dict | list) else []
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return deepest


class StatementError(BadRequest):
    """A statement breaks a rule of the specification (400, naming the rule)."""


def _fail(path: str, message: str, section: str) -> StatementError:
    """The error for ``path`` breaking ``section``."""
    return StatementError(f"{path}: {message} (xAPI {section})")


def _is_number(value: object) -> bool:
    """A JSON number (bool is not one)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


class Shared:
    """The objects a batch's statements share that are valid already, by identity.

    Statements built in one process may share parts: the generator's statements about
    one enrolment hold the same actor, object and context objects (``StatementFrame``),
    and every statement with a verb holds the same verb object. Checking such an object
    once for the batch is the same validation as checking it for every statement that
    holds it. Objects are entered only once valid, each is held (so its ``id`` is not
    reused while it is entered), and the caller must not change them while this lives.
    Parsed JSON never shares objects: for it this only costs a dict look-up.
    """

    __slots__ = ("checked",)
    LIMIT = 4096  # entries kept before starting afresh (bounds what a batch holds)

    def __init__(self) -> None:
        """Nothing checked yet."""
        self.checked: dict[tuple[int, str], tuple[object, str]] = {}

    def get(self, value: object, role: str) -> str | None:
        """What checking ``value`` in ``role`` gave, if it was checked (else None)."""
        found = self.checked.get((id(value), role))
        return found[1] if found is not None else None

    def add(self, value: object, role: str, outcome: str = "") -> None:
        """``value`` is valid in ``role``, with ``outcome`` (an object's type)."""
        if len(self.checked) >= self.LIMIT:
            self.checked.clear()
        self.checked[(id(value), role)] = (value, outcome)


class StatementValidator:
    """Validates statements for one negotiated xAPI version."""

    def __init__(self, version: str) -> None:
        """Prepare the checks for ``version`` ("1.0.3" or "2.0.0")."""
        self.v2 = version == V2
        self.context_keys = CONTEXT_KEYS_V2 if self.v2 else CONTEXT_KEYS

    # -- helpers -----------------------------------------------------------------------
    def _object(self, value: object, path: str, allowed: frozenset[str], section: str) -> JSON:
        """``value`` must be a JSON object with only ``allowed`` keys and no nulls."""
        if not isinstance(value, dict):
            raise _fail(path, "must be a JSON object", section)
        # The common case (every key allowed, no null) in two C-level checks; the loop
        # below only runs to name what is wrong.
        if value.keys() <= allowed and None not in value.values():
            return value
        for key, item in value.items():
            if key not in allowed:
                raise _fail(path, f"unknown property {key!r}", "Data 2.2, 2.4")
            if item is None:
                raise _fail(f"{path}.{key}", "must not be null", "Data 2.2")
        return value

    def _iri(self, value: object, path: str, section: str) -> None:
        """``value`` must be an absolute IRI."""
        if not f.is_iri(value):
            raise _fail(path, f"must be an absolute IRI, got {value!r}", section)

    def _string(self, value: object, path: str, section: str) -> None:
        """``value`` must be a string."""
        if not isinstance(value, str):
            raise _fail(path, "must be a string", section)

    def language_map(self, value: object, path: str) -> None:
        """A language map: RFC 5646 tags to strings (Data 4.2)."""
        if not isinstance(value, dict):
            raise _fail(path, "must be a language map (JSON object)", "Data 4.2")
        for tag, text in value.items():
            if not f.is_language_tag(tag):
                raise _fail(path, f"{tag!r} is not an RFC 5646 language tag", "Data 4.2")
            if not isinstance(text, str):
                raise _fail(f"{path}.{tag}", "must be a string", "Data 4.2")

    def extensions(self, value: object, path: str) -> None:
        """Extensions: an object keyed by IRIs, any JSON values (Data 4.1)."""
        if not isinstance(value, dict):
            raise _fail(path, "must be a JSON object", "Data 4.1")
        for key, item in value.items():
            if not f.is_iri(key):
                raise _fail(path, f"extension key {key!r} is not an IRI", "Data 4.1")
            if isinstance(item, dict | list) and nesting(item) > EXTENSION_NESTING:
                raise _fail(
                    f"{path}[{key!r}]",
                    f"nests arrays and objects more than {EXTENSION_NESTING} deep "
                    "(this LRS's limit for an extension value)",
                    "Data 4.1",
                )

    # -- actors ------------------------------------------------------------------------
    def agent(self, value: object, path: str, *, object_type_required: bool = False) -> JSON:
        """An Agent with exactly one inverse functional identifier (Data 2.4.2.1)."""
        agent = self._object(value, path, AGENT_KEYS, "Data 2.4.2.1")
        object_type = agent.get("objectType")
        if object_type is None and object_type_required:
            raise _fail(path, "objectType 'Agent' is required here", "Data 2.4.4")
        if object_type is not None and object_type != "Agent":
            raise _fail(path, f"objectType must be 'Agent', got {object_type!r}", "Data 2.4.2.1")
        if "name" in agent:
            self._string(agent["name"], path + ".name", "Data 2.4.2.1")
        if self._ifis(agent, path) != 1:
            raise _fail(
                path,
                "an Agent needs exactly one of mbox, mbox_sha1sum, openid, account",
                "Data 2.4.2.1",
            )
        return agent

    def _ifis(self, actor: dict[str, Any], path: str) -> int:
        """Check each IFI present and count them (Data 2.4.2.3)."""
        count = 0
        if "mbox" in actor:
            count += 1
            if not f.is_mbox(actor["mbox"]):
                raise _fail(path + ".mbox", "must be a mailto: IRI", "Data 2.4.2.3")
        if "mbox_sha1sum" in actor:
            count += 1
            if not f.is_sha1(actor["mbox_sha1sum"]):
                raise _fail(path + ".mbox_sha1sum", "must be a hex SHA-1", "Data 2.4.2.3")
        if "openid" in actor:
            count += 1
            self._iri(actor["openid"], path + ".openid", "Data 2.4.2.3")
        if "account" in actor:
            count += 1
            account = self._object(
                actor["account"],
                path + ".account",
                frozenset({"homePage", "name"}),
                "Data 2.4.2.4",
            )
            if "homePage" not in account or "name" not in account:
                raise _fail(path + ".account", "needs homePage and name", "Data 2.4.2.4")
            self._iri(account["homePage"], path + ".account.homePage", "Data 2.4.2.4")
            self._string(account["name"], path + ".account.name", "Data 2.4.2.4")
        return count

    def group(self, value: object, path: str) -> JSON:
        """A Group: anonymous (members, no IFI) or identified (one IFI) (Data 2.4.2.2)."""
        group = self._object(value, path, GROUP_KEYS, "Data 2.4.2.2")
        if group.get("objectType") != "Group":
            raise _fail(path, "a Group needs objectType 'Group'", "Data 2.4.2.2")
        if "name" in group:
            self._string(group["name"], path + ".name", "Data 2.4.2.2")
        ifis = self._ifis(group, path)
        if ifis > 1:
            raise _fail(path, "a Group has at most one IFI", "Data 2.4.2.2")
        members = group.get("member")
        if members is not None:
            if not isinstance(members, list):
                raise _fail(path + ".member", "must be an array of Agents", "Data 2.4.2.2")
            for index, member in enumerate(members):
                member_path = f"{path}.member[{index}]"
                if isinstance(member, dict) and member.get("objectType") == "Group":
                    raise _fail(member_path, "a Group's members must be Agents", "Data 2.4.2.2")
                self.agent(member, member_path)
        if ifis == 0 and not members:
            raise _fail(path, "an anonymous Group must list its members", "Data 2.4.2.2")
        return group

    def actor(self, value: object, path: str) -> JSON:
        """An Agent or a Group."""
        if isinstance(value, dict) and value.get("objectType") == "Group":
            return self.group(value, path)
        return self.agent(value, path)

    # -- verb and object ---------------------------------------------------------------
    def verb(self, value: object, path: str) -> None:
        """A Verb: IRI id, optional display language map (Data 2.4.3)."""
        verb = self._object(value, path, VERB_KEYS, "Data 2.4.3")
        if "id" not in verb:
            raise _fail(path, "a Verb needs an id", "Data 2.4.3")
        self._iri(verb["id"], path + ".id", "Data 2.4.3")
        if "display" in verb:
            self.language_map(verb["display"], path + ".display")

    def activity(self, value: object, path: str) -> JSON:
        """An Activity and its definition (Data 2.4.4.1)."""
        activity = self._object(value, path, ACTIVITY_KEYS, "Data 2.4.4.1")
        if activity.get("objectType", "Activity") != "Activity":
            raise _fail(path, "objectType must be 'Activity'", "Data 2.4.4.1")
        if "id" not in activity:
            raise _fail(path, "an Activity needs an id", "Data 2.4.4.1")
        self._iri(activity["id"], path + ".id", "Data 2.4.4.1")
        if "definition" in activity:
            self.definition(activity["definition"], path + ".definition")
        return activity

    def definition(self, value: object, path: str) -> None:
        """An Activity Definition, including interaction components (Data 2.4.4.1)."""
        definition = self._object(value, path, DEFINITION_KEYS, "Data 2.4.4.1")
        for key in ("name", "description"):
            if key in definition:
                self.language_map(definition[key], f"{path}.{key}")
        for key in ("type", "moreInfo"):
            if key in definition:
                self._iri(definition[key], f"{path}.{key}", "Data 2.4.4.1")
        if "extensions" in definition:
            self.extensions(definition["extensions"], path + ".extensions")
        interaction = definition.get("interactionType")
        if interaction is not None and interaction not in INTERACTION_TYPES:
            raise _fail(
                path + ".interactionType",
                f"unknown interaction type {interaction!r}",
                "Data 2.4.4.1.1",
            )
        if "correctResponsesPattern" in definition:
            if interaction is None:
                raise _fail(path, "correctResponsesPattern needs interactionType", "Data 2.4.4.1")
            pattern = definition["correctResponsesPattern"]
            if not isinstance(pattern, list) or not all(isinstance(p, str) for p in pattern):
                raise _fail(
                    path + ".correctResponsesPattern",
                    "must be an array of strings",
                    "Data 2.4.4.1.1",
                )
        for key in COMPONENT_LISTS:
            if key not in definition:
                continue
            if interaction is None or key not in INTERACTION_TYPES[interaction]:
                raise _fail(
                    f"{path}.{key}",
                    f"not allowed for interactionType {interaction!r}",
                    "Data 2.4.4.1.1",
                )
            self._components(definition[key], f"{path}.{key}")

    def _components(self, value: object, path: str) -> None:
        """Interaction components: ids unique within the list (Data 2.4.4.1.2)."""
        if not isinstance(value, list):
            raise _fail(path, "must be an array of interaction components", "Data 2.4.4.1.2")
        seen: set[str] = set()
        for index, item in enumerate(value):
            item_path = f"{path}[{index}]"
            component = self._object(
                item, item_path, frozenset({"id", "description"}), "Data 2.4.4.1.2"
            )
            if not isinstance(component.get("id"), str):
                raise _fail(item_path + ".id", "must be a string", "Data 2.4.4.1.2")
            if component["id"] in seen:
                raise _fail(item_path + ".id", "ids must be unique in a list", "Data 2.4.4.1.2")
            seen.add(component["id"])
            if "description" in component:
                self.language_map(component["description"], item_path + ".description")

    def statement_ref(self, value: dict[str, Any], path: str) -> None:
        """A StatementRef: objectType and a UUID id, nothing else (Data 2.4.4.3)."""
        self._object(value, path, frozenset({"objectType", "id"}), "Data 2.4.4.3")
        if not f.is_uuid(value.get("id")):
            raise _fail(path + ".id", "a StatementRef needs a UUID id", "Data 2.4.4.3")

    def statement_object(self, value: object, path: str, *, sub: bool) -> str:
        """The statement's object; returns its objectType (Data 2.4.4)."""
        if not isinstance(value, dict):
            raise _fail(path, "must be a JSON object", "Data 2.4.4")
        object_type = value.get("objectType", "Activity")
        if object_type == "Activity":
            self.activity(value, path)
        elif object_type == "Agent":
            self.agent(value, path, object_type_required=True)
        elif object_type == "Group":
            self.group(value, path)
        elif object_type == "StatementRef":
            self.statement_ref(value, path)
        elif object_type == "SubStatement":
            if sub:
                raise _fail(path, "a SubStatement must not contain a SubStatement", "Data 2.4.4.3")
            self.substatement(value, path)
        else:
            raise _fail(path + ".objectType", f"unknown objectType {object_type!r}", "Data 2.4.4")
        return str(object_type)

    def substatement(self, value: dict[str, Any], path: str) -> None:
        """A SubStatement: no id, stored, version or authority (Data 2.4.4.3)."""
        for key in ("id", "stored", "version", "authority"):
            if key in value:
                raise _fail(path, f"a SubStatement must not have {key!r}", "Data 2.4.4.3")
        self._object(value, path, SUBSTATEMENT_KEYS, "Data 2.4.4.3")
        self._body(value, path, sub=True)

    # -- result, context, attachments ----------------------------------------------------
    def result(self, value: object, path: str) -> None:
        """Result: score ranges, booleans, ISO 8601 duration (Data 2.4.5)."""
        result = self._object(value, path, RESULT_KEYS, "Data 2.4.5")
        for key in ("success", "completion"):
            if key in result and not isinstance(result[key], bool):
                raise _fail(f"{path}.{key}", "must be true or false", "Data 2.4.5")
        if "response" in result:
            self._string(result["response"], path + ".response", "Data 2.4.5")
        if "duration" in result and not f.is_duration(result["duration"]):
            raise _fail(path + ".duration", "must be an ISO 8601 duration", "Data 4.6")
        if "extensions" in result:
            self.extensions(result["extensions"], path + ".extensions")
        if "score" in result:
            self._score(result["score"], path + ".score")

    def _score(self, value: object, path: str) -> None:
        """Score: scaled in [-1, 1], min < max, raw within [min, max] (Data 2.4.5.1)."""
        score = self._object(value, path, SCORE_KEYS, "Data 2.4.5.1")
        for key, item in score.items():
            if not _is_number(item):
                raise _fail(f"{path}.{key}", "must be a number", "Data 2.4.5.1")
        if "scaled" in score and not -1 <= score["scaled"] <= 1:
            raise _fail(path + ".scaled", "must be between -1 and 1", "Data 2.4.5.1")
        low, high, raw = score.get("min"), score.get("max"), score.get("raw")
        if low is not None and high is not None and low >= high:
            raise _fail(path, "min must be less than max", "Data 2.4.5.1")
        if raw is not None and (
            (low is not None and raw < low) or (high is not None and raw > high)
        ):
            raise _fail(path + ".raw", "must lie between min and max", "Data 2.4.5.1")

    def context(self, value: object, path: str, object_type: str) -> None:
        """Context (Data 2.4.6; 2.0 adds contextAgents and contextGroups)."""
        context = self._object(value, path, self.context_keys, "Data 2.4.6")
        if "registration" in context and not f.is_uuid(context["registration"]):
            raise _fail(path + ".registration", "must be a UUID", "Data 2.4.6")
        if "instructor" in context:
            self.actor(context["instructor"], path + ".instructor")
        if "team" in context:
            team = context["team"]
            if not isinstance(team, dict) or team.get("objectType") != "Group":
                raise _fail(path + ".team", "must be a Group", "Data 2.4.6")
            self.group(team, path + ".team")
        for key in ("revision", "platform"):
            if key in context:
                self._string(context[key], f"{path}.{key}", "Data 2.4.6")
                if object_type in ("Agent", "Group"):
                    raise _fail(
                        f"{path}.{key}",
                        "must not be used when the object is an Agent or Group",
                        "Data 2.4.6",
                    )
        if "language" in context and not f.is_language_tag(context["language"]):
            raise _fail(path + ".language", "must be an RFC 5646 language tag", "Data 2.4.6")
        if "statement" in context:
            ref = context["statement"]
            if not isinstance(ref, dict) or ref.get("objectType") != "StatementRef":
                raise _fail(path + ".statement", "must be a StatementRef", "Data 2.4.6")
            self.statement_ref(ref, path + ".statement")
        if "extensions" in context:
            self.extensions(context["extensions"], path + ".extensions")
        if "contextActivities" in context:
            self._context_activities(context, path + ".contextActivities")
        if "contextAgents" in context:
            self._context_members(context["contextAgents"], path + ".contextAgents", "agent")
        if "contextGroups" in context:
            self._context_members(context["contextGroups"], path + ".contextGroups", "group")

    def _context_activities(self, context: dict[str, Any], path: str) -> None:
        """contextActivities: arrays of Activities; single objects become arrays (2.4.6.2)."""
        activities = self._object(
            context["contextActivities"], path, CONTEXT_ACTIVITY_KEYS, "Data 2.4.6.2"
        )
        for key, items in list(activities.items()):
            if isinstance(items, dict):
                items = [items]
                activities[key] = items  # 1.0.3 2.4.6.2: the LRS returns arrays
            if not isinstance(items, list):
                raise _fail(f"{path}.{key}", "must be an array of Activities", "Data 2.4.6.2")
            for index, item in enumerate(items):
                self.activity(item, f"{path}.{key}[{index}]")

    def _context_members(self, value: object, path: str, kind: str) -> None:
        """2.0 contextAgents/contextGroups: typed wrappers with relevantTypes (9274.1.1 5.2.7)."""
        if not isinstance(value, list):
            raise _fail(path, "must be an array", "2.0 section 5.2.7")
        expected = "contextAgent" if kind == "agent" else "contextGroup"
        for index, item in enumerate(value):
            item_path = f"{path}[{index}]"
            entry = self._object(
                item,
                item_path,
                frozenset({"objectType", kind, "relevantTypes"}),
                "2.0 section 5.2.7",
            )
            if entry.get("objectType") != expected:
                raise _fail(item_path, f"objectType must be {expected!r}", "2.0 section 5.2.7")
            if kind not in entry:
                raise _fail(item_path, f"needs {kind!r}", "2.0 section 5.2.7")
            if kind == "agent":
                self.agent(entry["agent"], item_path + ".agent")
            else:
                self.group(entry["group"], item_path + ".group")
            if "relevantTypes" in entry:
                types = entry["relevantTypes"]
                if not isinstance(types, list) or not types:
                    raise _fail(
                        item_path + ".relevantTypes", "must be a non-empty array", "2.0 5.2.7"
                    )
                for type_index, iri in enumerate(types):
                    self._iri(iri, f"{item_path}.relevantTypes[{type_index}]", "2.0 5.2.7")

    def attachments(self, value: object, path: str) -> None:
        """Attachment metadata (Data 2.4.11)."""
        if not isinstance(value, list):
            raise _fail(path, "must be an array", "Data 2.4.11")
        for index, item in enumerate(value):
            item_path = f"{path}[{index}]"
            attachment = self._object(item, item_path, ATTACHMENT_KEYS, "Data 2.4.11")
            for key in ("usageType", "display", "contentType", "length", "sha2"):
                if key not in attachment:
                    raise _fail(item_path, f"an attachment needs {key!r}", "Data 2.4.11")
            self._iri(attachment["usageType"], item_path + ".usageType", "Data 2.4.11")
            self.language_map(attachment["display"], item_path + ".display")
            if "description" in attachment:
                self.language_map(attachment["description"], item_path + ".description")
            if not f.is_media_type(attachment["contentType"]):
                raise _fail(item_path + ".contentType", "must be a media type", "Data 2.4.11")
            length = attachment["length"]
            if not isinstance(length, int) or isinstance(length, bool) or length < 0:
                raise _fail(item_path + ".length", "must be a non-negative integer", "Data 2.4.11")
            if not f.is_sha2(attachment["sha2"]):
                raise _fail(item_path + ".sha2", "must be a hex SHA-2 digest", "Data 2.4.11")
            if "fileUrl" in attachment:
                self._iri(attachment["fileUrl"], item_path + ".fileUrl", "Data 2.4.11")

    # -- statements --------------------------------------------------------------------
    def _body(
        self, stmt: dict[str, Any], path: str, *, sub: bool, shared: Shared | None = None
    ) -> str:
        """Checks shared by statements and SubStatements; returns the object's type."""
        for key in ("actor", "verb", "object"):
            if key not in stmt:
                raise _fail(path, f"{key!r} is required", "Data 2.4")
        if shared is None:
            self.actor(stmt["actor"], path + ".actor")
            self.verb(stmt["verb"], path + ".verb")
            object_type = self.statement_object(stmt["object"], path + ".object", sub=sub)
        else:
            object_type = self._shared_parts(stmt, path, sub, shared)
        if "result" in stmt:
            self.result(stmt["result"], path + ".result")
        if "context" in stmt:
            context = stmt["context"]
            if shared is None:
                self.context(context, path + ".context", object_type)
            else:
                # A shared context is valid as the context of the object type it was
                # checked with (revision and platform depend on it: Data 2.4.6).
                role = "context of " + object_type
                if shared.get(context, role) is None:
                    self.context(context, path + ".context", object_type)
                    shared.add(context, role)
        if (
            "timestamp" in stmt
            and f.parse_timestamp(stmt["timestamp"], require_offset=self.v2) is None
        ):
            raise _fail(
                path + ".timestamp",
                f"must be an ISO 8601 date-time{' with an offset' if self.v2 else ''} "
                "(not a -00:00 offset)",
                "Data 2.4.7, 4.5",
            )
        if "attachments" in stmt:
            self.attachments(stmt["attachments"], path + ".attachments")
        return object_type

    def _shared_parts(self, stmt: dict[str, Any], path: str, sub: bool, shared: Shared) -> str:
        """Actor, verb and object, each unless ``shared`` has it valid already."""
        actor, verb, obj = stmt["actor"], stmt["verb"], stmt["object"]
        if shared.get(actor, "actor") is None:
            self.actor(actor, path + ".actor")
            shared.add(actor, "actor")
        if shared.get(verb, "verb") is None:
            self.verb(verb, path + ".verb")
            shared.add(verb, "verb")
        role = "sub-object" if sub else "object"
        object_type = shared.get(obj, role)
        if object_type is None:
            object_type = self.statement_object(obj, path + ".object", sub=sub)
            shared.add(obj, role, object_type)
        return object_type

    def statement(
        self, value: object, path: str = "statement", *, shared: Shared | None = None
    ) -> JSON:
        """Validate one statement (Data 2.2, 2.4); returns it (contextActivities as arrays).

        ``shared``: objects of the batch already found valid (see ``Shared``).
        """
        stmt = self._object(value, path, STATEMENT_KEYS, "Data 2.2")
        if "id" in stmt and not f.is_uuid(stmt["id"]):
            raise _fail(path + ".id", "must be a UUID", "Data 2.4.1")
        object_type = self._body(stmt, path, sub=False, shared=shared)
        if "authority" in stmt:
            self._authority(stmt["authority"], path + ".authority")
        if "version" in stmt:
            version = stmt["version"]
            ok = isinstance(version, str) and (
                version.startswith("1.0.")
                or version == "1.0"
                or (self.v2 and (version.startswith("2.0.") or version == "2.0"))
            )
            if not ok:
                raise _fail(
                    path + ".version",
                    f"{version!r} is not a version this request may store "
                    f"({'1.0.x or 2.0.x' if self.v2 else '1.0.x'})",
                    "Data 2.4.10",
                )
        if "stored" in stmt and f.parse_timestamp(stmt["stored"]) is None:
            raise _fail(path + ".stored", "must be an ISO 8601 date-time", "Data 2.4.8")
        if stmt["verb"]["id"] == VOIDED and object_type != "StatementRef":
            raise _fail(
                path + ".object",
                "a voiding statement's object must be a StatementRef",
                "Data 2.3.2",
            )
        return stmt

    def _authority(self, value: object, path: str) -> None:
        """Authority: an Agent, or a two-member Group for 3-legged OAuth (Data 2.4.9)."""
        if isinstance(value, dict) and value.get("objectType") == "Group":
            group = self.group(value, path)
            if len(group.get("member") or []) != 2:
                raise _fail(path, "an authority Group must have exactly two members", "Data 2.4.9")
            return
        self.agent(value, path)


_validators = {version: StatementValidator(version) for version in ("1.0.3", V2)}


def validator(version: str) -> StatementValidator:
    """The shared validator for a negotiated version."""
    return _validators[version]


def check_statements(payload: Any, version: str) -> list[dict[str, Any]]:
    """Validate a POST body: one statement or an array of them; returns the list."""
    check = _validators[version].statement
    if isinstance(payload, list):
        if not payload:
            raise StatementError("the statement array is empty (xAPI Communication 2.1.2)")
        return [check(item, f"statements[{index}]") for index, item in enumerate(payload)]
    return [check(payload)]
