"""Issue 5 in a real headless Chromium: a po.co customer's carried-over case, from the import to its resolution.

A tiny legacy bundle (one uk customer, one ticket awaiting the customer's answer) is imported with
`manage.py import_legacy`, as the operator does at cut-over. Then, in two browser contexts (two people):

- the customer signs in with the password they had on po.co (and is told the case moved with them), finds
  it through the header's "My support cases" link, sees it marked as carried over from po.co under its
  legacy number, and answers the po.co agent's question with a photo uploaded through the form;
- an agent (staff in "Support agents", scoped to POCO in the uk store) finds the case in the queue by its
  legacy number, opens the customer's photo, answers, adds an internal note and resolves the case;
- the customer sees the answer and the new status, and neither the internal note nor po.co's own.

Screenshots go to the test's tmp dir (`--basetemp` to keep them).
"""

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from aftersales.models import Case, Status
from brands.legacy.generator.blobs import png
from tests.aftersales.factories import CaseFactory, make_agent
from tests.legacy.bundles import customer, legacy_hash, write_bundle

from .chromium import BROWSER_TEST

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (a dev dependency)")

pytestmark = BROWSER_TEST

LEGACY_NUMBER = "PS-2024-004512"
CUSTOMER_EMAIL = "claire.dupont@example.com"
PO_CO_PASSWORD = "Poco-password-2019"
AGENT_EMAIL = "poco.agent@mi.com"
AGENT_PASSWORD = "correct horse battery"  # the one UserFactory gives
PO_CO_QUESTION = "Could you send us a photo of the charging port?"
PO_CO_NOTE = "po.co note: the customer had the same fault in 2023."
PHOTO = png(48, 32, (250, 209, 0), (20, 20, 20))  # a real PNG, POCO yellow fading to black


def legacy_ticket() -> dict:
    """An open po.co ticket waiting for the customer: their message, the agent's question, an internal note."""
    customer_says = {"legacy_id": "M1", "author_type": "customer", "author_email": CUSTOMER_EMAIL,
                     "body": "My POCO F5 stopped charging.", "created_at": "2024-12-02T09:00:00Z",
                     "internal": False, "attachments": []}
    agent_asks = {**customer_says, "legacy_id": "M2", "author_type": "agent", "author_email": "agent.smith@po.co",
                  "body": PO_CO_QUESTION, "created_at": "2024-12-02T15:00:00Z"}
    agent_notes = {**agent_asks, "legacy_id": "M3", "body": PO_CO_NOTE, "created_at": "2024-12-02T15:05:00Z",
                   "internal": True}
    return {
        "legacy_id": "T4512", "number": LEGACY_NUMBER, "portal": "uk", "customer_legacy_id": "C1",
        "order_legacy_id": None, "product_sku": None, "serial_number": "SN-F5-0042", "kind": "repair",
        "status": "awaiting_customer", "priority": "normal", "subject": "Phone does not charge",
        "opened_at": "2024-12-02T09:00:00Z", "updated_at": "2024-12-02T15:05:00Z", "closed_at": None,
        "assigned_to": "agent.smith@po.co", "messages": [customer_says, agent_asks, agent_notes],
        "status_history": [
            {"at": "2024-12-02T09:00:00Z", "from": None, "to": "open", "by": "system"},
            {"at": "2024-12-02T15:00:00Z", "from": "open", "to": "awaiting_customer", "by": "agent.smith@po.co"},
        ],
    }


@pytest.fixture
def migrated_customer(tmp_path, stores, brands):
    """Imports the bundle as the operator would; returns the carried-over case."""
    bundle = write_bundle(tmp_path / "bundle", {
        "customers": [customer("C1", email=CUSTOMER_EMAIL, first_name="Claire", last_name="Dupont",
                               password_hash=legacy_hash(PO_CO_PASSWORD))],
        "tickets": [legacy_ticket()],
    })
    call_command("import_legacy", str(bundle), "--workers", "1", stdout=io.StringIO())
    return Case.objects.get(number=LEGACY_NUMBER)


@pytest.fixture
def poco_uk_agent(stores, brands):
    return make_agent(brands=[brands["poco"]], stores=[stores["uk"]], email=AGENT_EMAIL)


@pytest.fixture
def another_poco_uk_case(stores, brands):
    """A case of another customer in the agent's queue, for the search to leave out."""
    return CaseFactory(store=stores["uk"], brand=brands["poco"], subject="Screen flickers")


def sign_in(page, site, email, password, *, next_path=""):
    login = reverse("accounts:login")
    page.goto(site + login + (f"?next={next_path}" if next_path else ""))
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.locator("main").get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: login not in url)


def submit(page, button, confirmation):
    """Clicks `button` and waits for the page the form leads to, which says `confirmation`."""
    page.get_by_role("button", name=button).click()
    sync_api.expect(page.locator(".messages")).to_contain_text(confirmation)


def thread_texts(page) -> str:
    return "\n".join(page.locator("article.message").all_inner_texts())


def test_a_migrated_customer_and_an_agent_work_a_carried_over_case_to_its_resolution(
        site, new_page, migrated_customer, poco_uk_agent, another_poco_uk_case, tmp_path):
    assert migrated_customer.is_carried_over and migrated_customer.status == Status.AWAITING_CUSTOMER
    customer_page, agent_page = new_page(), new_page()

    # The customer signs in with the po.co password and finds the case from the site header.
    sign_in(customer_page, site, CUSTOMER_EMAIL, PO_CO_PASSWORD)
    assert customer_page.url == site + reverse("accounts:account")
    assert "Your po.co account moved here with you: 1 support case." in customer_page.locator(".messages").inner_text()
    customer_page.locator(".account-links").get_by_role("link", name="My support cases").click()
    customer_page.wait_for_url(f"{site}/account/cases/")
    row = customer_page.locator(".cases-table tbody tr", has_text=LEGACY_NUMBER)
    assert "Carried over from po.co" in row.inner_text()
    customer_page.screenshot(path=tmp_path / "1-customer-cases.png", full_page=True)

    row.get_by_role("link", name=LEGACY_NUMBER).click()
    customer_page.wait_for_url(f"{site}/account/cases/{LEGACY_NUMBER}/")
    assert customer_page.locator("h1").inner_text() == f"{LEGACY_NUMBER} · Phone does not charge"
    assert "Carried over from po.co" in customer_page.locator("main").inner_text()
    assert PO_CO_QUESTION in thread_texts(customer_page)
    assert PO_CO_NOTE not in customer_page.content()

    # ...and answers with a photo through the form.
    photo = tmp_path / "charging-port.png"
    photo.write_bytes(PHOTO)
    customer_page.get_by_label("Message").fill("Here is the charging port.")
    customer_page.get_by_label("Attachments").set_input_files(photo)
    submit(customer_page, "Send", "Your message was sent.")
    assert "charging-port.png" in thread_texts(customer_page)
    customer_page.screenshot(path=tmp_path / "2-customer-replied.png", full_page=True)

    # The agent finds the case in the queue by its legacy number.
    sign_in(agent_page, site, AGENT_EMAIL, AGENT_PASSWORD, next_path="/support/")
    assert agent_page.url == f"{site}/support/"
    rows = agent_page.locator(".cases-table tbody tr")
    assert sorted(rows.locator("td:nth-child(3)").all_inner_texts()) == ["Phone does not charge", "Screen flickers"]
    agent_page.get_by_label("Search").fill(LEGACY_NUMBER)
    agent_page.get_by_role("button", name="Filter").click()
    agent_page.wait_for_url(re.compile(r"q=PS-2024-004512"))
    assert rows.count() == 1 and "po.co" in rows.first.inner_text() and CUSTOMER_EMAIL in rows.first.inner_text()
    agent_page.screenshot(path=tmp_path / "3-agent-queue.png", full_page=True)

    rows.first.get_by_role("link", name=LEGACY_NUMBER).click()
    agent_page.wait_for_url(f"{site}/support/cases/{LEGACY_NUMBER}/")
    assert "Carried over from po.co" in agent_page.locator("main").inner_text()
    assert PO_CO_NOTE in thread_texts(agent_page)  # agents see po.co's internal notes
    photo_link = agent_page.locator("article.message").get_by_role("link", name="charging-port.png")
    download = agent_page.request.get(site + photo_link.get_attribute("href"))
    assert download.ok and download.body() == PHOTO

    # ...answers the customer, adds an internal note and resolves the case.
    agent_page.get_by_label("Message").fill("Thank you. Please send the phone in; the label is on its way.")
    submit(agent_page, "Send", "Reply sent.")
    agent_page.get_by_label("Message").fill("Charging port replaced under warranty, no charge.")
    agent_page.get_by_label("Internal note (the customer does not see it)").check()
    submit(agent_page, "Send", "Internal note added.")
    agent_page.get_by_label("New status").select_option(label="Resolved")
    submit(agent_page, "Change status", "Status changed.")
    assert "Resolved" in agent_page.locator("main p .badge").all_inner_texts()
    assert "Charging port replaced under warranty" in agent_page.locator("article.message--internal").last.inner_text()
    agent_page.screenshot(path=tmp_path / "4-agent-resolved.png", full_page=True)

    # The customer sees the answer and the new status, not the internal notes.
    customer_page.reload()
    thread = thread_texts(customer_page)
    assert "Please send the phone in; the label is on its way." in thread
    assert "Resolved" in customer_page.locator("main p .badge").all_inner_texts()
    assert "Charging port replaced" not in customer_page.content()
    assert PO_CO_NOTE not in customer_page.content()
    assert customer_page.locator("article.message--internal").count() == 0
    customer_page.screenshot(path=tmp_path / "5-customer-sees-the-answer.png", full_page=True)

    migrated_customer.refresh_from_db()
    assert migrated_customer.status == Status.RESOLVED
