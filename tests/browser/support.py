"""Helpers of the browser tests: a CSP-watching page, the axe-core checker, log-in, screenshots."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "docs" / "screenshots"
# Impacts that fail a test; "moderate" and "minor" findings are reported, not failed on.
BLOCKING_IMPACTS = {"critical", "serious"}

# Runs before any page script and is not subject to the page's CSP: turns every violation
# event into a console message the test collects.
CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', (e) => {
  console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline')
                + ' at ' + e.documentURI);
});
"""

# Every visible form control must have an accessible name (a <label>, aria-label(ledby) or title).
UNLABELLED_FIELDS = """
() => Array.from(document.querySelectorAll('input, select, textarea'))
  .filter((el) => !['hidden', 'submit', 'button', 'reset', 'image'].includes((el.type || '').toLowerCase()))
  .filter((el) => el.offsetParent !== null || el.getClientRects().length > 0)
  .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                  && !el.getAttribute('aria-labelledby') && !el.getAttribute('title'))
  .map((el) => el.outerHTML.slice(0, 160))
"""


def axe_missing_reason() -> str:
    if not AXE_JS.exists():
        return f"accessibility checks need axe-core at {AXE_JS.relative_to(ROOT)}: run `npm ci` (or `make test`)"
    return ""


@dataclass
class BrowserPage:
    """A Playwright page with the CSP enforced, recording violations and the pages visited."""

    page: object
    csp_violations: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    @classmethod
    def open(cls, context) -> BrowserPage:
        context.add_init_script(CSP_LISTENER)
        page = context.new_page()
        wrapped = cls(page)
        page.on("console", wrapped._on_console)
        return wrapped

    def _on_console(self, message) -> None:
        text = message.text
        if "Refused to" in text or "Content Security Policy" in text or text.startswith("CSP violation"):
            self.csp_violations.append(f"{self.page.url}: {text}")
        elif message.type == "error":
            self.console_errors.append(f"{self.page.url}: {text}")

    def assert_no_csp_violations(self) -> None:
        assert self.csp_violations == [], "CSP violations:\n" + "\n".join(self.csp_violations)

    def assert_fields_labelled(self) -> None:
        unlabelled = self.page.evaluate(UNLABELLED_FIELDS)
        assert unlabelled == [], f"unlabelled form fields on {self.page.url}:\n" + "\n".join(unlabelled)

    def screenshot(self, name: str) -> Path:
        """Save a full-page screenshot into docs/screenshots/ (the README shows them), or into
        $BROWSER_SCREENSHOT_DIR when set (to keep a working tree's committed images as they are)."""
        folder = Path(os.environ.get("BROWSER_SCREENSHOT_DIR") or SCREENSHOTS)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True, animations="disabled")
        return path


class AxeChecker:
    """Runs axe-core on pages as the user of a ``BrowserPage``, in a CSP-bypassing context.

    axe has to be injected as a script, which the strict CSP refuses; the journeys' own page
    keeps the CSP enforced, so the check is a second visit of the same URL with the same cookies.
    """

    def __init__(self, browser, base_url: str):
        self.browser = browser
        self.base_url = base_url
        self.available = not axe_missing_reason()
        self.checked: list[str] = []
        self.reports: list[str] = []  # moderate/minor findings, for the log
        self.blocking: list[str] = []  # critical/serious findings: ``assert_clean`` fails on them

    def close(self) -> None:
        if self.reports:
            print("axe (non-blocking findings):\n" + "\n".join(self.reports))

    def check(self, bp: BrowserPage, url: str | None = None) -> None:
        """Fail on critical/serious axe violations of ``url`` (default: the page's current URL)."""
        bp.assert_fields_labelled()
        if not self.available:
            return
        target = urljoin(self.base_url, url) if url else bp.page.url
        context = self.browser.new_context(
            bypass_csp=True, storage_state=bp.page.context.storage_state(), viewport={"width": 1280, "height": 900}
        )
        try:
            page = context.new_page()
            response = page.goto(target)
            status = response.status if response else None
            assert response is not None and response.ok, f"axe visit of {target} answered {status}"
            page.add_script_tag(path=str(AXE_JS))
            result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        finally:
            context.close()
        self.checked.append(target)
        for violation in result["violations"]:
            nodes = [
                f"{node['target']} ({(node.get('failureSummary') or '').splitlines()[-1].strip()[:140]})"
                for node in violation["nodes"][:4]
            ]
            line = f"{target} [{violation['impact']}] {violation['id']}: {violation['help']} -> {json.dumps(nodes)}"
            (self.blocking if violation["impact"] in BLOCKING_IMPACTS else self.reports).append(line)

    def assert_clean(self) -> None:
        """Fail on the critical/serious violations found on every page checked so far."""
        assert self.checked or not self.available, "no page was checked"
        assert self.blocking == [], "axe found serious accessibility problems:\n" + "\n".join(self.blocking)


def log_in(bp: BrowserPage, email: str, password: str, *, otp_device=None) -> None:
    """Log in through the real form (and the two-factor step when ``otp_device`` is given)."""
    from conftest import totp_code

    page = bp.page
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Log in").first.click()
    if otp_device is not None:
        page.wait_for_url("**/2fa/verify/**")
        page.locator("#id_token").fill(totp_code(otp_device))
        page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
