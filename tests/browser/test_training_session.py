"""A training session in the browser, in French: a programme officer records one through
the real form, watches the live total add up the counts by sex, and finds the people
reached on the trainings list grown by exactly those counts.

Every expected label is computed from the app's catalogue (gettext under override("fr")),
so the test follows whatever the French catalogue says."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation
from playwright.sync_api import Locator, Page, expect

from accounts.models import User
from demo.data.users import DEMO_PASSWORD
from demo.loaders import trainings as training_demo
from trainings import selectors
from trainings import vocabularies as v
from trainings.forms import SessionForm
from trainings.models import TrainingSession

pytestmark = [
    pytest.mark.browser,
    # Transactional: the live server runs in another thread.
    pytest.mark.django_db(transaction=True),
]

LANG = "fr"
# The browser asks for English: only the footer's switcher can make the pages French.
BROWSER_LOCALE = "en-GB"
TITLE = "Sensibilisation des enseignants de Bimbo à la traite des enfants"
WOMEN, MEN, OTHER = 12, 9, 1


def tr(message: str) -> str:
    """`message` as the app's catalogue renders it in French."""
    with translation.override(LANG):
        return translation.gettext(message)


def choice_label(choices, value: str) -> str:
    with translation.override(LANG):
        return str(dict(choices)[value])


def localized(number: int) -> str:
    """`number` as a French page shows it (with the thousands separator)."""
    with translation.override(LANG):
        return formats.localize(number)


def form_labels(actor: User) -> dict[str, str]:
    """The session form's field labels, in French."""
    with translation.override(LANG):
        form = SessionForm(actor=actor)
        return {name: str(form[name].label) for name in form.fields}


def shown_number(locator: Locator) -> int:
    """The integer a totals cell shows, whatever the thousands separator."""
    return int(re.sub(r"\D", "", locator.inner_text()))


@pytest.fixture
def demo_sessions(demo_data) -> int:
    """The demo sessions, so that the list starts with people already reached."""
    return training_demo.load()


def choose_language(page: Page, lang: str) -> None:
    """Use the footer's language switcher, as a person would."""
    page.locator("footer select#language-select").select_option(lang)
    page.locator("footer #language-select + button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", lang)


def sign_in_french(page: Page, live_server, username: str) -> None:
    page.goto(live_server.url + reverse("accounts:login"))
    choose_language(page, LANG)
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form").get_by_role("button", name=tr("Sign in"), exact=True).click()
    expect(page).to_have_url(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", LANG)


def nav_link(page: Page, label: str) -> Locator:
    return page.locator("#main-nav a.nav-link").filter(has_text=re.compile(rf"^\s*{label}\s*$"))


def field(page: Page, labels: dict[str, str], name: str) -> Locator:
    """The input of form field `name`, after checking that its French label is shown."""
    expect(page.locator(f"#div_id_{name}")).to_contain_text(labels[name])
    return page.locator(f"#id_{name}")


def choice(page: Page, name: str, code: str, label: str) -> Locator:
    """The checkbox of `code` in the multiple-choice field `name`, checked for its label."""
    box = page.locator(f"input[name={name}][value={code}]")
    expect(page.locator(f"label[for={box.get_attribute('id')}]")).to_have_text(label)
    return box


def test_programme_officer_records_a_session_and_the_totals_grow_in_french(
    new_page, live_server, demo_sessions, screenshot
):
    assert demo_sessions > 0
    programme = User.objects.get(username="programme")
    labels = form_labels(programme)
    expected_before = selectors.totals(selectors.session_list(actor=programme, criteria={}))
    start = timezone.localdate() - timedelta(days=7)
    end = start + timedelta(days=1)
    page = new_page(viewport={"width": 1280, "height": 800}, locale=BROWSER_LOCALE)

    sign_in_french(page, live_server, "programme")
    nav_link(page, tr("Trainings")).click()

    list_url = live_server.url + reverse("trainings:session_list")
    expect(page).to_have_url(list_url)
    expect(page.locator("main h1")).to_have_text(tr("Trainings and awareness sessions"))
    people = page.get_by_test_id("total-participants")
    women = page.get_by_test_id("total-female")
    expect(people).to_have_text(localized(expected_before["total"]))
    people_before, women_before = shown_number(people), shown_number(women)
    sessions_before = shown_number(page.get_by_test_id("total-sessions"))
    assert people_before == expected_before["total"] > 0
    assert women_before == expected_before["female"]

    page.locator("main").get_by_role("link", name=tr("Record a session"), exact=True).click()
    expect(page).to_have_url(live_server.url + reverse("trainings:session_create"))
    expect(page.locator("main h1")).to_have_text(tr("Record a session"))

    field(page, labels, "title").fill(TITLE)
    session_type = field(page, labels, "session_type")
    session_type.select_option(label=choice_label(v.SessionType.choices, v.SessionType.AWARENESS))
    expect(session_type).to_have_value(v.SessionType.AWARENESS)
    field(page, labels, "start_date").fill(start.isoformat())
    field(page, labels, "end_date").fill(end.isoformat())
    expect(page.locator("#div_id_audiences")).to_contain_text(labels["audiences"])
    teachers = v.Audience.TEACHERS
    choice(page, "audiences", teachers, choice_label(v.Audience.choices, teachers)).check()
    expect(page.locator("#div_id_topics")).to_contain_text(labels["topics"])
    child = v.Topic.CHILD_PROTECTION
    choice(page, "topics", child, choice_label(v.Topic.choices, child)).check()
    basics = v.Topic.TIP_BASICS
    choice(page, "topics", basics, choice_label(v.Topic.choices, basics)).check()
    expect(field(page, labels, "country")).to_have_value("CF")

    # The total is never typed: the page adds up the counts by sex as they are typed.
    total = page.locator("#participants-total")
    expect(total).to_have_text("0")
    field(page, labels, "participants_female").fill(str(WOMEN))
    expect(total).to_have_text(str(WOMEN))
    field(page, labels, "participants_male").fill(str(MEN))
    expect(total).to_have_text(str(WOMEN + MEN))
    field(page, labels, "participants_other").fill(str(OTHER))
    expect(total).to_have_text("22")
    screenshot(page, "programme-form", LANG)

    page.locator("main form").get_by_role("button", name=tr("Save"), exact=True).click()

    # The session page, with the counts.
    expect(page).to_have_url(re.compile(r"/trainings/\d+/$"))
    expect(page.locator("main h1")).to_have_text(TITLE)
    with translation.override(LANG):
        day = formats.date_format(start, "SHORT_DATE_FORMAT")
    recorded = tr("Session “%(title)s” on %(date)s recorded.") % {"title": TITLE, "date": day}
    expect(page.locator("main [role=alert]").filter(has_text=recorded)).to_be_visible()
    counts = tr(
        "%(total)s (%(female)s women and girls, %(male)s men and boys, "
        "%(other)s other or not stated)"
    ) % {"total": 22, "female": WOMEN, "male": MEN, "other": OTHER}
    expect(page.get_by_test_id("session-participants")).to_have_text(counts)
    expect(page.locator("main dl")).to_contain_text(
        choice_label(v.SessionType.choices, v.SessionType.AWARENESS)
    )
    expect(page.locator("main dl")).to_contain_text(choice_label(v.Audience.choices, teachers))
    screenshot(page, "programme-session", LANG)

    # Back to the list: the people reached grew by exactly the counts typed.
    page.get_by_role("link", name=tr("All sessions"), exact=True).click()
    expect(page).to_have_url(list_url)
    expect(page.get_by_test_id("total-participants")).to_have_text(localized(people_before + 22))
    expect(page.get_by_test_id("total-female")).to_have_text(localized(women_before + WOMEN))
    expect(page.get_by_test_id("total-sessions")).to_have_text(localized(sessions_before + 1))
    expect(page.locator("main").get_by_role("link", name=TITLE, exact=True)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", LANG)
    screenshot(page, "programme-list", LANG)

    # What was stored.
    session = TrainingSession.objects.get(title=TITLE)
    assert session.organiser == programme.organisation
    assert session.created_by == programme
    assert (session.start_date, session.end_date) == (start, end)
    assert session.session_type == v.SessionType.AWARENESS
    assert session.audiences == [teachers]
    assert sorted(session.topics) == sorted([basics, child])
    assert (session.participants_female, session.participants_male) == (WOMEN, MEN)
    assert (session.participants_other, session.participants_total) == (OTHER, 22)


def test_trainings_pages_are_actually_in_french(new_page, live_server, demo_data):
    page = new_page(viewport={"width": 1280, "height": 800}, locale=BROWSER_LOCALE)
    sign_in_french(page, live_server, "programme")

    page.goto(live_server.url + reverse("trainings:session_list"))

    english = [
        "Trainings and awareness sessions",
        "Record a session",
        "people reached",
        "women and girls",
        "men and boys",
    ]
    shown = page.locator("main").inner_text()
    assert [text for text in english if text in shown] == []
