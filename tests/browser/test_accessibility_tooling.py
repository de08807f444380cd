"""Says clearly when the accessibility checks cannot run (axe-core is installed by `npm ci`)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_axe_core_is_installed(axe_required):
    from tests.browser.support import AXE_JS

    assert AXE_JS.stat().st_size > 100_000
