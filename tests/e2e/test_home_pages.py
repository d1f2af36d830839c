"""Each demo role signs in through a real browser and sees its home page in both languages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from lifelong.accounts.models import BranchKind, Role
from tests.factories import PASSWORD, make_branch, make_user

pytestmark = pytest.mark.browser

ROLES = {
    "hq_admin": (Role.hq_admin, "总部管理", "Headquarters administration"),
    "analyst": (Role.analyst, "数据分析工作台", "Analysis workspace"),
    "bj_admin": (Role.branch_admin, "分部管理", "Branch administration"),
    "teacher": (Role.teacher, "教学工作台", "Teaching desk"),
    "learner": (Role.learner, "欢迎回来", "Welcome back"),
}


@pytest.fixture
def people(db: Session) -> None:
    """The five demo roles in headquarters and Beijing."""
    hq = make_branch(db, "HQ", kind=BranchKind.headquarters)
    bj = make_branch(db, "BJ")
    for username, (role, _, _) in ROLES.items():
        make_user(
            db, role, branch=hq if role in (Role.hq_admin, Role.analyst) else bj, username=username
        )
    db.commit()


@pytest.mark.parametrize("username", list(ROLES))
def test_role_signs_in_and_sees_home_in_both_languages(
    people: None, serve: Callable[[], str], browser: object, username: str, tmp_path: Path
) -> None:
    base = serve()
    _, chinese, english = ROLES[username]
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(base + "/")
    assert "/login" in page.url
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")
    assert chinese in page.inner_text("main")
    page.screenshot(path=str(tmp_path / f"{username}-zh.png"), full_page=True)
    page.click("text=English")
    page.wait_for_load_state()
    assert english in page.inner_text("main")
    assert chinese not in page.inner_text("main")
    page.screenshot(path=str(tmp_path / f"{username}-en.png"), full_page=True)
    context.close()


def test_wrong_password_in_the_browser_shows_a_generic_error(
    people: None, serve: Callable[[], str], browser: object
) -> None:
    base = serve()
    context = browser.new_context(locale="en-US")  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("input[name=username]", "learner")
    page.fill("input[name=password]", "not-the-password")
    page.click("button[type=submit]")
    assert "Incorrect username or password." in page.inner_text("[role=alert]")
    context.close()
