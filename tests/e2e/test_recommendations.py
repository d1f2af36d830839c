"""A learner signs in through a real browser and sees recommendations with explanations."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session, sessionmaker

from lifelong.config import Settings
from lifelong.personalize.jobs import train
from tests.factories import PASSWORD
from tests.personalize.factories import planted_world, tuned

pytestmark = pytest.mark.browser


def test_learner_home_shows_explained_recommendations(
    db: Session,
    settings: Settings,
    session_factory: sessionmaker[Session],
    serve: Callable[[], str],
    browser: object,
) -> None:
    world = planted_world(db)
    db.commit()
    train(tuned(settings), session_factory)
    base = serve()
    context = browser.new_context(locale="zh-CN")  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("input[name=username]", world.learners["CS"][0].username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")
    section = page.locator("section.recommendations")
    assert "为你推荐" in section.inner_text()
    assert "因为你学习了《CS resource" in section.inner_text()
    page.click("text=English")
    page.wait_for_load_state()
    text = page.locator("section.recommendations").inner_text()
    assert "Recommended for you" in text
    assert "Because you studied “CS resource" in text
    assert page.locator("ul[data-kind=for_you] li").count() == 6
    context.close()
