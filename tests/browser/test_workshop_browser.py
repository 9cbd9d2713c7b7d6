"""A workshop in two browsers: the facilitator on a projector-sized screen,
a participant on a phone. What only a browser shows: input arriving live,
and an approval reaching the phone without a reload."""

import os
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
    # The phone follows the step: step 4's task ("what burdens you most?") moves to the top, without a reload.
    expect(phone.locator("[data-join-tasks] > *").first).to_have_id("burden", timeout=LIVE)
    expect(phone.locator("#burden")).to_contain_text("Hvad belaster dig mest?")
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


SHOTS = os.environ.get("IGLO_SHOTS")  # a folder: screenshots to look at while working on the layout


def shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def page_overflow(page: Page) -> int:
    """How many pixels the page is wider than the viewport (0: no horizontal scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_the_presenter_view_never_shows_pending_input_or_names(new_page, live_server, workshop_mapping):
    workshop = workshop_mapping.workshops.create(code="PRES2345")
    console = new_page(viewport={"width": 1366, "height": 768})
    sign_in(console, live_server, "facilitator")
    console.goto(live_server.url + workshop_mapping.get_absolute_url() + "workshop/")
    with console.expect_popup() as popup:
        console.get_by_role("link", name="Åbn præsentationen på projektoren").click()
    presenter = popup.value
    presenter.set_viewport_size({"width": 1920, "height": 1080})
    expect(presenter.locator("#join-code")).to_have_text(workshop.code_display)
    # One timer on both screens: set on the laptop, shown on the wall.
    console.locator("#timer").get_by_role("button", name="5 min", exact=True).click()
    expect(presenter.locator("[data-timer-display]")).to_have_text("05:00")
    answers = []
    presenter.on("response", lambda r: answers.append(r) if "/workshop/present/poll/" in r.url else None)

    phone = new_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    phone.goto(f"{live_server.url}/j/{workshop.code}/")
    phone.get_by_label("Navn (frivilligt)").fill("Mette K.")
    phone.get_by_role("button", name="Deltag").click()
    phone.get_by_label("Hvad?").fill("Vores leder taler grimt til os på møderne")
    phone.get_by_role("button", name="Send forslag").click()
    phone.get_by_label("Hvad?").fill("Walk and talk")
    phone.get_by_role("button", name="Send forslag").click()
    expect(phone.get_by_text("Tak! Dit forslag er sendt til facilitatoren.")).to_be_visible()

    inbox = console.locator("#workshop-inbox")
    expect(inbox).to_contain_text("Vores leder taler grimt", timeout=LIVE)
    expect(inbox).to_contain_text("Mette K.")
    item = inbox.locator(".inbox-item", has_text="Walk and talk")
    item.get_by_label("Celle").select_option("gruppe:kultur")
    item.get_by_role("button", name="Sæt på tavlen").click()
    expect(presenter.locator("#workshop-board")).to_contain_text("Walk and talk", timeout=LIVE)
    console.get_by_role("button", name="Forbind").click()
    expect(presenter.locator("#present-step")).to_contain_text("Trin 2 af 4", timeout=LIVE)

    shot(presenter, "presenter-1920")
    html = presenter.content()
    bodies = [r.text() for r in answers if r.status == 200]
    assert bodies, "the presenter polled and got news"
    for text in [html, *bodies]:
        assert "Vores leder taler grimt" not in text
        assert "Mette K." not in text


@pytest.mark.parametrize("width", [360])
def test_no_workshop_page_scrolls_sideways_on_a_phone(new_page, live_server, workshop_mapping, width):
    workshop = workshop_mapping.workshops.create(code="NARR2345")
    card = workshop_mapping.initiatives.get()
    page = new_page(viewport={"width": width, "height": 740}, is_mobile=True, has_touch=True)
    sign_in(page, live_server, "facilitator")
    for path, name in (("workshop/", "console"), ("workshop/present/", "presenter")):
        page.goto(live_server.url + workshop_mapping.get_absolute_url() + path)
        shot(page, f"{name}-{width}")
        assert page_overflow(page) == 0, name

    phone = new_page(viewport={"width": width, "height": 740}, is_mobile=True, has_touch=True)
    phone.goto(f"{live_server.url}/j/{workshop.code}/")
    shot(phone, f"join-welcome-{width}")
    assert page_overflow(phone) == 0
    join_button = phone.get_by_role("button", name="Deltag")
    box = join_button.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 740, "Deltag is above the fold"
    join_button.click()
    shot(phone, f"join-{width}")
    assert page_overflow(phone) == 0
    phone.goto(f"{live_server.url}/j/{workshop.code}/i/{card.pk}/")
    shot(phone, f"join-card-{width}")
    assert page_overflow(phone) == 0
    for button in phone.locator(".vote-button, .scale-option span, .unknown-button").all():
        assert button.bounding_box()["height"] >= 44
    workshop.move_to_step(4)  # voting: the board's cards carry their vote buttons
    phone.goto(f"{live_server.url}/j/{workshop.code}/")
    shot(phone, f"join-step4-{width}")
    assert page_overflow(phone) == 0
    buttons = phone.locator(".vote-button").all()
    assert buttons
    for button in buttons:
        assert button.bounding_box()["height"] >= 44


def test_the_example_workshop_fits_phones_laptops_and_the_projector(new_page, live_server, board_mapping):
    """The shipped example (38 cards): no sideways scrolling on any workshop page, the presenter view
    passes axe, and the phone's page starts with the step's task."""
    workshop = board_mapping.workshops.create(code="EXAM2345")
    base = live_server.url + board_mapping.get_absolute_url()
    for width, height in ((360, 740), (1366, 768), (1920, 1080)):
        page = new_page(viewport={"width": width, "height": height}, bypass_csp=True)
        sign_in(page, live_server, "facilitator")
        for path, name in (("workshop/", "console"), ("workshop/present/", "presenter")):
            page.goto(base + path)
            expect(page.locator("#workshop-board")).to_contain_text("Trivselsmålinger")
            shot(page, f"example-{name}-{width}")
            assert page_overflow(page) == 0, (name, width)
        assert serious_violations(page) == []  # the presenter view

    phone = new_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    phone.goto(f"{live_server.url}/j/{workshop.code}/")
    phone.get_by_role("button", name="Deltag").click()
    shot(phone, "example-join-360")
    assert page_overflow(phone) == 0
    task = phone.locator("[data-join-tasks] > *").first
    assert task.bounding_box()["y"] < 740  # the step's task starts on the first screen
    workshop.move_to_step(4)  # what burdens most, on the phone
    phone.reload()
    expect(phone.locator("#burden")).to_contain_text("Hvad belaster dig mest?")
    shot(phone, "example-join-step4-360")
    assert page_overflow(phone) == 0
    phone_axe = new_page(viewport={"width": 360, "height": 740}, bypass_csp=True)
    phone_axe.context.add_cookies(phone.context.cookies())
    phone_axe.goto(f"{live_server.url}/j/{workshop.code}/")
    assert serious_violations(phone_axe) == []
