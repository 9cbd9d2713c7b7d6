"""A workshop in two browsers: the facilitator on a projector-sized screen,
a participant on a phone. What only a browser shows: input arriving live,
and an approval reaching the phone without a reload."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import sign_in

LIVE = 3000  # ms: "within 2 s", with a little slack for a busy machine


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def new_page(browser: Browser):
    """A page in its own browser context; all are closed before the live server stops (no poll left running)."""
    contexts = []

    def make(**options) -> Page:
        context = browser.new_context(locale="da-DK", **options)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def workshop_mapping(transactional_db, organisation, facilitator):
    mapping = organisation.mappings.create(title="Kortlægning 2026")
    mapping.initiatives.create(title="Teammøder", level="gruppe", dimension="struktur")
    return mapping


def test_a_participant_suggests_and_rates_and_the_facilitator_approves(new_page, live_server, workshop_mapping):
    facilitator = new_page(viewport={"width": 1600, "height": 1000})
    sign_in(facilitator, live_server, "facilitator")
    facilitator.goto(live_server.url + workshop_mapping.get_absolute_url() + "workshop/")
    facilitator.get_by_role("button", name="Start workshop").click()
    code = facilitator.locator("#join-code").inner_text().replace("-", "").strip()
    assert re.fullmatch(r"[A-Z2-9]{8}", code)

    phone = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone.goto(f"{live_server.url}/j/{code}/")
    phone.get_by_role("button", name="Deltag").click()
    expect(phone.get_by_text("Du deltager anonymt.")).to_be_visible()

    phone.get_by_label("Det savner vi").check()
    phone.get_by_label("Hvad?").fill("Walk and talk")
    phone.get_by_label("Hvor hører det hjemme?").select_option("individ:kultur")
    phone.get_by_role("button", name="Send forslag").click()
    expect(phone.get_by_text("Tak! Dit forslag er sendt til facilitatoren.")).to_be_visible()

    phone.get_by_role("link", name="Teammøder").click()
    phone.locator("label[for=id_rating_purpose_3]").click()
    phone.locator("label[for=id_rating_works_2]").click()
    phone.get_by_role("button", name="Send bedømmelse").click()
    expect(phone.locator("#card-" + str(workshop_mapping.initiatives.get().pk))).to_contain_text("Bedømt")

    # Both inputs reach the projector without a reload; one rating is too few to show.
    inbox = facilitator.locator("#workshop-inbox")
    expect(inbox).to_contain_text("Walk and talk", timeout=LIVE)
    expect(inbox).to_contain_text("1 bedømmelse", timeout=LIVE)
    expect(facilitator.locator("#workshop-board")).to_contain_text("For få har svaret", timeout=LIVE)

    # The phone stays on its board; the approval reaches it within 2 s, without a reload.
    phone.evaluate("window.iglo_marker = 'same page'")
    inbox.get_by_role("button", name="Sæt på tavlen").click()
    expect(facilitator.locator("#workshop-board")).to_contain_text("Walk and talk", timeout=LIVE)
    expect(inbox).to_contain_text("Intet venter")
    expect(phone.locator("#join-board")).to_contain_text("Walk and talk", timeout=LIVE)
    facilitator.get_by_role("button", name="Fra kortlægning til handling").click()
    expect(phone.locator("#join-step")).to_contain_text("Fra kortlægning til handling", timeout=LIVE)
    assert phone.evaluate("window.iglo_marker") == "same page"


AXE = Path(__file__).parent / "assets" / "axe-4.14.1.min.js"


def serious_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['impact']} {v['id']}: {v['help']} -> {'; '.join(' '.join(n['target']) for n in v['nodes'][:5])}"
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def test_the_workshop_pages_have_no_serious_accessibility_violations(new_page, live_server, workshop_mapping):
    workshop = workshop_mapping.workshops.create(code="AXEC2345")
    card = workshop_mapping.initiatives.get()
    # The app's CSP rightly refuses a script injected from outside; axe is test tooling.
    page = new_page(viewport={"width": 1920, "height": 1080}, bypass_csp=True)
    sign_in(page, live_server, "facilitator")

    phone = new_page(viewport={"width": 390, "height": 844}, bypass_csp=True)
    phone.goto(f"{live_server.url}/j/NOPE2345/")
    assert serious_violations(phone) == []
    phone.goto(f"{live_server.url}/j/{workshop.code}/")
    assert serious_violations(phone) == []
    phone.get_by_role("button", name="Deltag").click()
    phone.get_by_label("Hvad?").fill("Walk and talk")
    phone.get_by_role("button", name="Send forslag").click()
    assert serious_violations(phone) == []
    phone.goto(f"{live_server.url}/j/{workshop.code}/i/{card.pk}/")
    assert serious_violations(phone) == []

    page.goto(live_server.url + workshop_mapping.get_absolute_url() + "workshop/")
    expect(page.locator("#workshop-inbox")).to_contain_text("Walk and talk")
    assert serious_violations(page) == []


def test_live_updates_leave_a_merge_choice_in_progress_alone(new_page, live_server, workshop_mapping):
    workshop = workshop_mapping.workshops.create(code="LIVE2345")
    card = workshop_mapping.initiatives.get()
    page = new_page(viewport={"width": 1600, "height": 1000})
    sign_in(page, live_server, "facilitator")

    phone = new_page(viewport={"width": 390, "height": 844})
    phone.goto(f"{live_server.url}/j/{workshop.code}/")
    phone.get_by_role("button", name="Deltag").click()

    def send(text: str) -> None:
        phone.get_by_label("Hvad?").fill(text)
        phone.get_by_role("button", name="Send forslag").click()
        expect(phone.get_by_text("Tak! Dit forslag er sendt")).to_be_visible()

    send("Første forslag")
    page.goto(live_server.url + workshop_mapping.get_absolute_url() + "workshop/")
    choice = page.get_by_label("Findes allerede som")
    choice.select_option(str(card.pk))
    choice.focus()
    poll = page.locator("#live-poll").get_attribute("hx-get")
    with page.expect_response(lambda r: r.url.split("?")[0].endswith(poll) and r.status == 200, timeout=LIVE):
        send("Andet forslag")  # the screen's next poll brings the news...
    with page.expect_request(lambda r: r.url.split("?")[0].endswith(poll), timeout=LIVE):
        pass  # ...and has been handled once the poll after it goes out
    expect(page.locator("#workshop-inbox")).not_to_contain_text("Andet forslag")
    expect(choice).to_have_value(str(card.pk))
    page.locator("h1").click()  # leave the field: the next poll brings the news
    expect(page.locator("#workshop-inbox")).to_contain_text("Andet forslag", timeout=LIVE)
