"""axe-core (vendored from the npm registry) on the main pages: no serious or critical violations."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from .conftest import sign_in

AXE = Path(__file__).parent / "assets" / "axe-4.14.1.min.js"
BLOCKING = {"serious", "critical"}


@pytest.fixture
def axe_page(browser, browser_context_args, live_server, board_mapping):
    # The app's CSP rightly refuses a script injected from outside; axe is test tooling.
    context = browser.new_context(**browser_context_args, bypass_csp=True)
    yield context.new_page()
    context.close()


def serious_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    found = []
    for violation in result["violations"]:
        if violation["impact"] in BLOCKING:
            targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
            found.append(f"{violation['impact']} {violation['id']}: {violation['help']} -> {targets}")
    print("\n".join(found))
    return found


def test_the_login_page_has_no_serious_violations(axe_page, live_server):
    axe_page.goto(live_server.url + "/accounts/login/")
    assert serious_violations(axe_page) == []


def test_the_organisation_page_has_no_serious_violations(axe_page, live_server, organisation):
    sign_in(axe_page, live_server, "facilitator")
    axe_page.goto(live_server.url + organisation.get_absolute_url())
    assert serious_violations(axe_page) == []


def test_the_board_has_no_serious_violations(axe_page, live_server, board_mapping):
    sign_in(axe_page, live_server, "facilitator")
    axe_page.goto(live_server.url + board_mapping.get_absolute_url())
    assert serious_violations(axe_page) == []

    # On a phone the grid stacks into labelled cells.
    axe_page.set_viewport_size({"width": 390, "height": 844})
    axe_page.reload()
    expect(axe_page.get_by_role("heading", name="Individ · Struktur")).to_be_visible()
    assert serious_violations(axe_page) == []

    # And with a card's editor open, links listed.
    linked = board_mapping.initiatives.get(title="Ledermøder")
    axe_page.locator(f'[data-initiative="{linked.pk}"] a.card-title').click()
    expect(axe_page.locator(f"#editor-{linked.pk}")).to_be_visible()
    assert serious_violations(axe_page) == []


@pytest.mark.parametrize("density", ["overview", "details", "projector"])
def test_every_density_of_the_board_has_no_serious_violations(axe_page, live_server, board_mapping, density):
    sign_in(axe_page, live_server, "facilitator")
    axe_page.goto(f"{live_server.url}{board_mapping.get_absolute_url()}?density={density}")
    assert serious_violations(axe_page) == []


def test_the_first_run_guide_has_no_serious_violations(axe_page, live_server, organisation):
    empty = organisation.mappings.create(title="Ny kortlægning")
    sign_in(axe_page, live_server, "facilitator")
    for width, height in ((1366, 768), (360, 740)):
        axe_page.set_viewport_size({"width": width, "height": height})
        axe_page.goto(live_server.url + empty.get_absolute_url())
        expect(axe_page.get_by_role("heading", name="Sådan kommer I i gang")).to_be_visible()
        assert axe_page.evaluate("document.documentElement.scrollWidth") <= width
        assert serious_violations(axe_page) == []
