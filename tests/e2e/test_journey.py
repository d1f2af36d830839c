"""In a real browser: find a resource in Chinese and in English, enrol, read it to the end,
see the certificate, and verify it signed out as a stranger would."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser
from sqlalchemy.orm import Session

from lifelong.config import Settings
from lifelong.learning.models import ResourceType
from tests.factories import PASSWORD, make_branch, make_user
from tests.learning.catalog.factories import make_provider, make_resource, make_subject
from tests.live import free_port, served

pytestmark = pytest.mark.browser

RESOURCE_PAGE = re.compile(r"^http://[^/]+/resources/\d+$")
LEARN_PAGE = re.compile(r"^http://[^/]+/learn/\d+$")


@pytest.fixture
def live_url(settings: Settings, db: Session) -> Iterator[str]:
    """The app on a free port with a learner and a bilingual document resource."""
    branch = make_branch(db, "BJ")
    make_user(db, branch=branch, username="reader")
    subject = make_subject(db, "EDU", name_zh="教育学")
    provider = make_provider(db, "OU")
    body = "\n\n".join(f"第 {n} 节：终身教育让每个人都能持续学习。" for n in range(1, 80))
    make_resource(
        db,
        provider,
        subject,
        "终身教育导论 Introduction to Lifelong Learning",
        type=ResourceType.document,
        description="A reader on lifelong learning <b>basics</b>",
        content={"body": body},
    )
    db.commit()
    port = free_port()
    settings.public_url = f"http://127.0.0.1:{port}"
    with served(settings, port) as url:
        yield url


def test_search_enrol_read_certificate_and_verify_signed_out(
    live_url: str, browser: Browser
) -> None:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1000, "height": 700})
    page = context.new_page()
    try:
        page.goto(f"{live_url}/catalogue?q=终身教育")
        assert "终身教育导论" in page.locator("article.result h2").first.inner_text()
        page.goto(f"{live_url}/catalogue?q=lifelong+learning")
        link = page.locator("article.result h2 a").first
        assert "Introduction to Lifelong Learning" in link.inner_text()
        link.click()
        page.wait_for_url(RESOURCE_PAGE)
        resource_url = page.url
        assert "<b>basics</b>" in page.locator(".description").inner_text()  # shown as text
        page.click("text=登录后选课")
        page.fill("input[name=username]", "reader")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        # The login page's own URL carries ?next=/resources/N, so match the path exactly.
        page.wait_for_url(RESOURCE_PAGE, wait_until="load")
        with page.expect_navigation(url=LEARN_PAGE, wait_until="load"):
            page.click("#enrol")
        assert page.locator("#completed").is_hidden()
        for _ in range(40):  # read down the document to its end
            page.mouse.wheel(0, 600)
            page.wait_for_timeout(100)
            if page.locator("#completed").is_visible():
                break
        page.locator("#completed").wait_for(state="visible", timeout=10_000)
        page.wait_for_function(
            "document.getElementById('certificate-link').href.includes('/certificates/')"
        )
        page.click("#certificate-link")
        page.wait_for_url("**/certificates/*")
        assert "终身教育导论" in page.locator("#certificate-title").inner_text()
        verify_url = page.locator("#verify-link").get_attribute("href")
        assert verify_url and verify_url.startswith(f"{live_url}/verify/")
        page.goto(f"{live_url}/my")
        assert page.locator("#fig-certificates").inner_text() == "1"
        page.goto(resource_url)
        # "Leave this resource" is readable on the card (it once had the header's pale
        # colour), and the type/level/format chips are styled as on the catalogue.
        colour = "e => getComputedStyle(e).color"
        leave = page.locator("form[action$='/withdraw'] button")
        assert leave.evaluate(colour) == page.locator("p.small a[href='/catalogue']").evaluate(
            colour
        )
        chip = page.locator(".resource-page .chip").first
        assert chip.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
    finally:
        context.close()
    stranger = browser.new_context(locale="en-US")
    page = stranger.new_page()
    try:
        page.goto(verify_url)
        assert page.locator("#verdict").get_attribute("data-status") == "valid"
        assert page.locator("#verdict").inner_text() == "Valid"
        assert "Introduction to Lifelong Learning" in page.locator("#verified-title").inner_text()
    finally:
        stranger.close()
