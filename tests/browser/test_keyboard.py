"""The portal by keyboard alone: the skip link works, focus is visible, and a patient logs in,
books an appointment and runs the symptom checker with Tab, typing and Enter only."""

from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAX_TABS = 60

# Whether the focused element shows a focus indicator (an outline or Bootstrap's focus ring).
FOCUS_VISIBLE = """
() => {
  const el = document.activeElement;
  if (!el || el === document.body) return false;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  const ring = style.boxShadow && style.boxShadow !== 'none';
  return box.width > 0 && box.height > 0 && (outline || ring);
}
"""


def tab_to(page, selector: str) -> None:
    """Press Tab until the element matching ``selector`` has focus, then check focus is visible."""
    target = page.locator(selector).first
    target.wait_for(state="attached")
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if target.evaluate("(el) => el === document.activeElement"):
            assert page.evaluate(FOCUS_VISIBLE), f"no visible focus on {selector} at {page.url}"
            return
    raise AssertionError(f"{selector} is not reachable with Tab on {page.url}")


def test_the_portal_works_by_keyboard_alone(page, gp, patient, password, checker):
    p = page.page
    p.goto("/")

    # The first Tab lands on the skip link, which is then visible; Enter moves focus to <main>.
    p.keyboard.press("Tab")
    skip = p.get_by_role("link", name="Skip to main content")
    assert skip.evaluate("(el) => el === document.activeElement")
    assert p.evaluate(FOCUS_VISIBLE)
    assert skip.bounding_box()["width"] > 1 and skip.bounding_box()["height"] > 1
    p.keyboard.press("Enter")
    assert p.evaluate("() => document.activeElement.id") == "main"

    # Log in.
    tab_to(p, 'main a[href="/accounts/login/"]')
    p.keyboard.press("Enter")
    p.wait_for_url("**/accounts/login/**")
    tab_to(p, "#id_username")
    p.keyboard.type(patient.user.email)
    tab_to(p, "#id_password")
    p.keyboard.type(password)
    p.keyboard.press("Enter")
    p.wait_for_url(lambda url: "/accounts/login/" not in url)

    # Book the next free time.
    tab_to(p, 'nav a[href="/appointments/"]')
    p.keyboard.press("Enter")
    p.wait_for_url("**/appointments/")
    tab_to(p, 'main a[href="/appointments/book/"]')
    p.keyboard.press("Enter")
    p.wait_for_url("**/appointments/book/**")
    tab_to(p, "#next-available a.slot")
    p.keyboard.press("Enter")
    p.wait_for_url("**/book/confirm/**")
    tab_to(p, 'main button[type="submit"]')
    p.keyboard.press("Enter")
    p.wait_for_url(re.compile(r".*/appointments/\d+/$"))

    # Run the symptom checker.
    tab_to(p, 'nav a[href="/symptom-checker/"]')
    p.keyboard.press("Enter")
    p.wait_for_url("**/symptom-checker/")
    tab_to(p, "main textarea")
    p.keyboard.type("a fever, a cough and aching muscles")
    tab_to(p, 'main button[type="submit"]')
    p.keyboard.press("Enter")
    p.wait_for_url(re.compile(r".*/symptom-checker/\d+/$"))
    assert p.locator("#triage-banner").is_visible()

    # And open my record.
    tab_to(p, 'nav a[href="/records/"]')
    p.keyboard.press("Enter")
    p.wait_for_url("**/records/")
    page.assert_no_csp_violations()
