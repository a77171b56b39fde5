"""/api/v1/docs/ in real Chromium: Swagger UI from the site's own static files renders the API's
operations and calls the API, under the site's Content-Security-Policy with nothing blocked."""

import pytest
from playwright.sync_api import sync_playwright

from tests import factories
from tests.support.browser import CHROMIUM, CHROMIUM_FLAGS

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.mark.parametrize("width", [375, 1366])
def test_the_docs_render_and_try_a_call_with_nothing_blocked(live_server, width):
    factories.challenge(title="Antrean puskesmas daring")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        context = browser.new_context(viewport={"width": width, "height": 900})
        context.add_init_script(RECORD_VIOLATIONS)
        page = context.new_page()
        errors: list[str] = []
        requests: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("request", lambda request: requests.append(request.url))

        page.goto(f"{live_server.url}/api/v1/docs/", wait_until="networkidle")
        page.get_by_role("heading", name="Pasar Tantangan Daerah API").wait_for()
        paths = page.locator(".opblock-summary-path").all_inner_texts()
        assert {"/api/v1/challenges/", "/api/v1/ledger/", "/api/v1/search/"} <= {
            p.replace("\u200b", "") for p in paths
        }

        # Open the challenge list, try it out: the answer comes back on the page.
        operation = page.locator("#operations-challenges-challenges_list")
        operation.locator(".opblock-summary").click()
        operation.get_by_role("button", name="Try it out").click()
        operation.get_by_role("button", name="Execute").click()
        status = operation.locator(".live-responses-table tr.response .response-col_status")
        status.wait_for()
        assert status.inner_text().strip() == "200"
        assert "Antrean puskesmas daring" in operation.locator(".live-responses-table").inner_text()

        assert page.evaluate("window.__cspViolations") == []
        assert errors == []
        assert all(url.startswith(live_server.url) or url.startswith("data:") for url in requests), requests
        browser.close()
