"""What every browser journey does on each page it reaches: axe-core (no violation of any
impact) and no sideways scrolling, on a phone (375 px) and a laptop (1366 px); and the steps
that several journeys share (signing in, pressing the confirm button of a confirmation page).
A screenshot of each journey's last page is kept in test-artifacts/journeys/."""

from __future__ import annotations

import re
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from tests.factories import PASSWORD

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "journeys"
PHONE = {"width": 375, "height": 800}
LAPTOP = {"width": 1366, "height": 900}
# The second page of a two-step action asks "Ya, …" ("Yes, …"); its button carries that name.
CONFIRM_BUTTON = re.compile(r"^\s*(Ya|Yes)\b", re.IGNORECASE)

# The transitions that end within two seconds (a message sliding in, a panel opening); a long
# decorative animation, such as the Wagtail admin's badge that pings for 25 seconds, changes no
# colour axe reads and is not waited for.
SETTLED = """
Promise.race([
  Promise.all(
    document.getAnimations()
      .filter((animation) => animation.effect.getComputedTiming().endTime <= 2000)
      .map((animation) => animation.finished.catch(() => null)),
  ),
  new Promise((resolve) => setTimeout(resolve, 2000)),
])
"""

# What sticks out on the right, to say where sideways scrolling comes from.
WIDEST_ELEMENTS = """
[...document.querySelectorAll("body *")]
  .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
  .slice(-3)
  .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join(".")}#${el.id}`)
"""

# Wagtail's rich-text editor (Draftail) names its editable area only through a placeholder
# (axe: aria-input-field-name); it is Wagtail's own widget, left out until Wagtail names it.
# Likewise Wagtail's date picker (the jQuery "xdsoft" calendar it ships), whose arrow buttons have
# no text: when a journey leaves it open, axe would be reporting on Wagtail's widget.
AXE_CONTEXT = {"exclude": [[".Draftail-Editor"], [".xdsoft_datetimepicker"]]}

_axe = Axe()


class Journey:
    """One person's browser tab. ``seen()`` audits the page it is on, once per address."""

    def __init__(self, browser: Browser, base_url: str, name: str, **context_options):
        self.base_url = base_url
        self.name = name
        self.context = browser.new_context(viewport=PHONE, locale="id-ID", **context_options)
        self.context.set_default_timeout(10_000)
        self.page: Page = self.context.new_page()
        self.audited: list[str] = []
        self.problems: list[str] = []
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    # Moving around ---------------------------------------------------------------------------

    def goto(self, path: str) -> Page:
        self.page.goto(self.base_url + path)
        self.seen()
        return self.page

    def sign_in(self, username: str, password: str = PASSWORD) -> None:
        """Through the sign-in page, as a person does (the first submit button on every page is
        the language switcher, so the form is sent with Enter in the password field)."""
        page = self.goto("/accounts/login/")
        page.locator("input[name=login]").fill(username)
        page.locator("input[name=password]").fill(password)
        with page.expect_navigation():
            page.locator("input[name=password]").press("Enter")
        assert "/accounts/login/" not in page.url, f"{username} could not sign in"

    def press(self, name: str | re.Pattern, *, exact: bool = False) -> Page:
        """Press the button named ``name`` (it sends a form and leads to another page), then, if
        a confirmation page asks "Ya, …?", confirm; the page reached is audited."""
        page = self.page
        with page.expect_navigation():
            page.get_by_role("button", name=name, exact=exact).first.click()
        self.confirm_if_asked()
        self.seen()
        return page

    def follow(self, name: str | re.Pattern, *, exact: bool = False) -> Page:
        """Follow the link whose visible text is ``name``; the page reached is audited."""
        page = self.page
        with page.expect_navigation():
            page.get_by_role("link", name=name, exact=exact).first.click()
        self.seen()
        return page

    def confirm_if_asked(self) -> None:
        """A confirmation page (a second page with a "Ya, …" button) is audited and confirmed."""
        page = self.page
        confirm = page.get_by_role("button", name=CONFIRM_BUTTON)
        if confirm.count():
            self.seen()
            with page.expect_navigation():
                confirm.first.click()

    # What each page is checked for ---------------------------------------------------------------

    def seen(self) -> None:
        """axe-core and sideways scrolling at 375 px and 1366 px, once per address."""
        page = self.page
        page.wait_for_load_state("load")
        address = page.url.removeprefix(self.base_url).split("#")[0]
        if address in self.audited:
            return
        self.audited.append(address)
        problems = self.problems
        for viewport in (PHONE, LAPTOP):
            page.set_viewport_size(viewport)
            # Colours are read once transitions (a message sliding in) have ended.
            page.evaluate(SETTLED)
            width = viewport["width"]
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            inner_width = page.evaluate("window.innerWidth")
            if scroll_width > inner_width:
                wide = page.evaluate(WIDEST_ELEMENTS)
                problems.append(
                    f"{address} at {width} px scrolls sideways: {scroll_width} > {inner_width}, {wide}"
                )
            results = _axe.run(page, context=AXE_CONTEXT)
            for violation in results.response["violations"]:
                targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]][:5]
                problems.append(
                    f"{address} at {width} px: {violation['id']} ({violation['impact']}) "
                    f"{violation['help']}: {targets}"
                )
        page.set_viewport_size(PHONE)

    def keep_failure(self) -> None:
        """Where a journey stopped, for the one who reads the failure."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{self.name}-stopped.png"), full_page=True)
        print(f"{self.name} stopped at {self.page.url}; page problems so far: {self.problems}")

    def finish(self) -> Path:
        """The last page's screenshot, kept as the journey's artifact; the tab is closed."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{self.name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        self.context.close()
        assert not self.problems, "\n".join(self.problems)
        assert self.errors == [], self.errors
        return path
