"""In a real browser: search the catalogue in Chinese and in English, see results and facets."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser
from sqlalchemy.orm import Session

from lifelong.config import Settings
from tests.learning.catalog.factories import seed_catalogue
from tests.live import served

pytestmark = pytest.mark.browser


@pytest.fixture
def live_url(settings: Settings, db: Session) -> Iterator[str]:
    """The app served by uvicorn on a free port, with a small catalogue indexed at start-up."""
    seed_catalogue(db)
    db.commit()
    with served(settings) as url:
        yield url


def test_search_in_chinese_and_english_shows_results_and_facets(
    live_url: str, browser: Browser
) -> None:
    page = browser.new_page(locale="zh-CN")
    try:
        page.goto(f"{live_url}/catalogue")
        page.fill("input[name=q]", "教育")
        page.press("input[name=q]", "Enter")
        page.wait_for_url("**/catalogue?q=*")
        results = page.locator("article.result h2")
        assert results.all_inner_texts() == ["终身教育概论"]
        assert page.locator("article.result mark").first.inner_text() == "教育"
        assert page.locator("section.facet[data-facet=type] li").count() >= 1

        page.goto(f"{live_url}/lang/en?next=/catalogue")
        page.fill("input[name=q]", "machine lerning")
        page.press("input[name=q]", "Enter")
        page.wait_for_url("**/catalogue?q=*")
        assert page.locator("article.result h2").all_inner_texts() == [
            "Introduction to Machine Learning"
        ]
        assert "learning" in page.locator("#corrections").inner_text()
        language = page.locator("section.facet[data-facet=language]")
        assert "English" in language.inner_text()
        # Narrow by a facet: the English-only filter keeps the result, then clear it.
        language.locator("a", has_text="English").click()
        page.wait_for_url("**language=en*")
        assert page.locator("article.result").count() == 1
        assert page.locator("#total").inner_text().startswith("1")
    finally:
        page.close()
