"""Every string marked for translation has a Chinese translation; pages follow the language."""

from __future__ import annotations

import ast
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from lifelong.i18n import N_, Message
from lifelong.web.i18n import (
    LOCALES,
    TRANSLATIONS_DIR,
    gettext,
    negotiate,
    translate,
    translations,
)

ROOT = Path(__file__).resolve().parents[2]
METHOD_MAP = [("lifelong/**.py", "python"), ("lifelong/web/templates/**.html", "jinja2")]
OPTIONS = {"lifelong/web/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def marked_messages() -> set[str]:
    """Every msgid marked in the code and the templates."""
    found: set[str] = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), METHOD_MAP, OPTIONS, keywords=KEYWORDS
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return {m for m in found if m}


def test_every_marked_string_is_translated_into_chinese() -> None:
    catalog = translations("zh_CN")
    missing = sorted(m for m in marked_messages() if catalog.ugettext(m) == m)
    assert missing == [], f"{len(missing)} strings lack a zh_CN translation: {missing[:20]}"


ERRORS = {
    "LifelongError",
    "BadRequest",
    "NotAuthenticated",
    "Forbidden",
    "NotFound",
    "Conflict",
    "PreconditionFailed",
    "TooManyRequests",
    "Message",
}


def _marked_constants(tree: ast.Module) -> set[str]:
    """Module-level names bound to ``N_("...")``."""
    return {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Call)
        and getattr(node.value.func, "id", None) == "N_"
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def test_learning_errors_are_msgids_not_finished_text() -> None:
    # An f-string message never matches a msgid, so a Chinese page showed it in English;
    # messages are N_("... %(name)s ...") with params, filled after translation.
    trees = {
        path: ast.parse(path.read_text(encoding="utf-8"))
        for path in sorted((ROOT / "lifelong" / "learning").rglob("*.py"))
    }
    constants = set().union(*(_marked_constants(tree) for tree in trees.values()))
    catalog = translations("zh_CN")
    wrong = []
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ERRORS
                and node.args
            ):
                continue
            first = node.args[0]
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            if isinstance(first, ast.Name | ast.Attribute):
                name = first.id if isinstance(first, ast.Name) else first.attr
                # ``name``: a field's name, marked N_ where the rule is called.
                if name not in constants and name != "name":
                    wrong.append((where, f"{name} is not an N_ constant"))
            elif not (
                isinstance(first, ast.Call)
                and getattr(first.func, "id", None) == "N_"
                and isinstance(first.args[0], ast.Constant)
            ):
                wrong.append((where, ast.unparse(first)[:80]))
            elif catalog.ugettext(first.args[0].value) == first.args[0].value:
                wrong.append((where, f"no zh_CN translation: {first.args[0].value}"))
    assert wrong == [], wrong


def test_a_message_is_english_text_and_translated_with_its_parameters() -> None:
    where = Message(N_("line %(n)s"), {"n": 2})
    repeat = Message(N_("external_id %(id)s repeats %(where)s."), {"id": "'C-1'", "where": where})
    assert repeat == "external_id 'C-1' repeats line 2."
    assert translate("zh_CN", repeat) == "外部编号 'C-1' 与第 2 行重复。"
    assert translate("en", repeat) == "external_id 'C-1' repeats line 2."
    assert translate("zh_CN", "Choose a file to import.") == "请选择要导入的文件。"


def test_no_msgid_is_translated_two_ways_across_a_locales_files() -> None:
    # The locale's .po files are merged into one catalog (web/i18n.py), so a msgid in two
    # files gets whichever file sorts last, on every page: "Status" once became the LRS
    # page's "状态码" (status code) on the learner's transcript.
    for locale in LOCALES:
        seen: dict[str, tuple[str, object]] = {}
        clashes = []
        for po_path in sorted((TRANSLATIONS_DIR / locale / "LC_MESSAGES").glob("*.po")):
            with po_path.open("rb") as po_file:
                for message in read_po(po_file, locale=locale):
                    if not message.id or not message.string:
                        continue
                    key = message.id if isinstance(message.id, str) else message.id[0]
                    first = seen.setdefault(key, (po_path.name, message.string))
                    if first[1] != message.string:
                        clashes.append((key, first, (po_path.name, message.string)))
        assert clashes == [], f"{locale}: {clashes}"


def test_placeholders_survive_translation() -> None:
    catalog = translations("zh_CN")
    for message in marked_messages():
        if "%(" in message:
            translated = catalog.ugettext(message)
            for part in message.split("%(")[1:]:
                assert "%(" + part.split(")")[0] + ")" in translated, message


def test_negotiation_prefers_the_highest_quality_known_language() -> None:
    assert negotiate("en-GB,en;q=0.9,zh-CN;q=0.8", "zh_CN") == "en"
    assert negotiate("fr-FR, zh;q=0.5", "en") == "zh_CN"
    assert negotiate("fr-FR", "zh_CN") == "zh_CN"
    assert negotiate(None, "en") == "en"
    assert negotiate("en;q=bogus, zh-TW", "en") == "zh_CN"


def test_login_page_follows_the_chosen_language(client: TestClient) -> None:
    assert "登录" in client.get("/login", headers={"Accept-Language": "zh-CN"}).text
    english = client.get("/lang/en?next=/login")
    assert english.url.path == "/login"
    assert "Sign in" in english.text
    assert "登录" not in english.text
    assert gettext("zh_CN", "Sign in") == "登录"


def test_language_switch_refuses_off_site_next(client: TestClient) -> None:
    response = client.get("/lang/en?next=https://evil.example/", follow_redirects=False)
    assert response.headers["location"] == "/"
