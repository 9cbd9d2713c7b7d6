"""In a browser: an action made from a finding in one click shows up on the action plan."""

import pytest
from playwright.sync_api import Page, expect

from mapping.example import create_example


@pytest.fixture
def example_mapping(transactional_db, organisation, facilitator):
    return create_example(organisation)


def sign_in(page: Page, live_server, username: str) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill("pw-" + username)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_an_action_from_a_finding_appears_on_the_action_plan(page: Page, live_server, example_mapping):
    mapping = example_mapping
    sign_in(page, live_server, "facilitator")
    page.goto(f"{live_server.url}/o/{mapping.organisation.slug}/m/{mapping.pk}/gaps/")
    finding = page.locator("li.finding", has_text="Resultaterne fra “Trivselsundersøgelser”")
    expect(finding).to_be_visible()
    finding.get_by_role("button", name="Opret handling").click()
    # htmx swaps the dashboard: the finding now points at its action
    link = finding.get_by_role("link", name="Der er en handling")
    expect(link).to_be_visible()
    link.click()
    page.wait_for_url("**/actions/**")
    action = mapping.actions.get()
    item = page.locator(f"#action-{action.pk}")
    expect(item).to_contain_text("Aftal, hvordan resultaterne fra “Trivselsundersøgelser” følges op")
    expect(item).to_contain_text("4/5")
    expect(page.locator(".wip")).to_contain_text("0 i gang af højst 3.")


def test_the_dashboard_follows_changes_on_the_board(page: Page, live_server, example_mapping):
    from mapping.models import Link

    mapping = example_mapping
    sign_in(page, live_server, "facilitator")
    page.goto(f"{live_server.url}/o/{mapping.organisation.slug}/m/{mapping.pk}/gaps/")
    survey = page.locator("li.finding", has_text="Resultaterne fra “Trivselsundersøgelser”")
    expect(survey).to_be_visible()
    page.locator("#cards-finding-no_purpose-alle > summary").click()  # opened by hand: stays open through updates
    with mapping.change():
        Link.objects.create(
            mapping=mapping,
            source=mapping.initiatives.get(title="Trivselsundersøgelser"),
            target=mapping.initiatives.get(title="Ledermøder"),
            kind=Link.Kind.FOLLOWED_UP_AT,
        )
    expect(survey).to_have_count(0, timeout=6000)
    expect(page.locator("#chains")).to_contain_text("Trivselsundersøgelser")
    expect(page.locator("#cards-finding-no_purpose-alle")).to_have_attribute("open", "")


@pytest.fixture
def empty_mapping(transactional_db, organisation, facilitator):
    return organisation.mappings.create(title="Vores første kortlægning")


def test_a_newcomer_on_an_empty_mapping_is_told_what_to_do_first(page: Page, live_server, empty_mapping):
    mapping = empty_mapping
    sign_in(page, live_server, "facilitator")
    page.goto(f"{live_server.url}/o/{mapping.organisation.slug}/m/{mapping.pk}/gaps/")
    start = page.locator("#first-steps")
    expect(start).to_be_visible()
    expect(start).to_contain_text("Start med at sætte det, I allerede gør, på tavlen")
    expect(page.locator("li.finding")).to_have_count(0)  # not a wall of findings
    expect(page.get_by_text("Vigtig", exact=True)).to_have_count(0)
    start.get_by_role("link", name="Gå til tavlen").click()
    page.wait_for_url(f"**{mapping.get_absolute_url()}")
