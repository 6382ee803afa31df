import hashlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from aftersales import services
from aftersales.legacy import LegacyAttachment, LegacyCase, LegacyMessage, LegacyStatusChange, cases_import_legacy
from aftersales.models import Attachment, Case, Message
from aftersales.selectors import legacy_case_states, staff_ids_by_email
from tests.factories import UserFactory

from .factories import PDF, PNG

OPENED = datetime(2024, 10, 1, 9, tzinfo=UTC)


def ticket(customer, store, brand, *, status="in_repair", assigned="Agent.Smith@po.co ", png=PNG, body="Sent off.",
           **extra):
    return LegacyCase(
        legacy_id="t-4512", number="PS-2024-004512", customer_id=customer.pk, store_id=store.pk, brand_id=brand.pk,
        kind="repair", status=status, priority="high", subject="Battery drains", opened_at=OPENED,
        updated_at=OPENED + timedelta(days=3), serial_number="SN123", assigned_to_email=assigned,
        messages=(
            LegacyMessage("m1", "customer", customer.email, "It drains overnight.", OPENED, False,
                          (LegacyAttachment("files/t/1.png", hashlib.sha256(PNG).hexdigest(), "drain.png",
                                            "image/png", png),)),
            LegacyMessage("m2", "agent", "agent.smith@po.co", body, OPENED + timedelta(hours=5), False),
            LegacyMessage("m3", "agent", "agent.smith@po.co", "Check the charger too.", OPENED + timedelta(hours=6),
                          True, (LegacyAttachment("files/t/2.pdf", hashlib.sha256(PDF).hexdigest(), "rma.pdf",
                                                  "application/pdf", None),)),
        ),
        status_history=(LegacyStatusChange(OPENED, None, "open", "system"),
                        LegacyStatusChange(OPENED + timedelta(days=1), "open", "in_repair", "agent.smith@po.co")),
        **extra,
    )


@pytest.fixture
def smith(reference_data):
    return UserFactory(email="agent.smith@po.co", is_staff=True)


def test_a_ticket_keeps_its_number_thread_notes_history_and_timestamps(customer, stores, brands, smith):
    agents = staff_ids_by_email(["AGENT.SMITH@po.co", "unknown@po.co"])
    assert agents == {"agent.smith@po.co": smith.pk}
    [outcome] = cases_import_legacy([ticket(customer, stores["uk"], brands["poco"])], agents_by_email=agents)
    case = Case.objects.get(pk=outcome.case_id)
    assert (outcome.outcome, case.number, case.source, case.status) == ("created", "PS-2024-004512", "po.co",
                                                                        "in_repair")
    assert case.assigned_to == smith and case.opened_at == OPENED
    assert case.first_response_at == OPENED + timedelta(hours=5)
    assert case.first_response_due_at == OPENED + timedelta(hours=8)  # high: 8 h, from the legacy opening
    thread = list(case.messages.values_list("legacy_id", "author_id", "is_internal"))
    assert thread == [("m1", customer.pk, False), ("m2", smith.pk, False), ("m3", smith.pk, True)]
    assert list(case.status_changes.values_list("to_status", "changed_by_id")) == [("open", None),
                                                                                  ("in_repair", smith.pk)]
    assert (outcome.files_copied, outcome.files_missing) == (1, ["files/t/2.pdf"])
    assert Attachment.objects.get().file.read() == PNG


def test_an_unknown_agent_leaves_the_case_unassigned_and_a_bad_checksum_is_reported(customer, stores, brands):
    [outcome] = cases_import_legacy([ticket(customer, stores["uk"], brands["poco"], png=b"not the png")],
                                    agents_by_email={})
    case = Case.objects.get(pk=outcome.case_id)
    assert case.assigned_to is None
    assert outcome.files_mismatched == ["files/t/1.png"] and not Attachment.objects.exists()


def test_a_changed_bundle_updates_an_untouched_case_without_copying_files_again(customer, stores, brands, smith):
    agents = staff_ids_by_email([smith.email])
    cases_import_legacy([ticket(customer, stores["uk"], brands["poco"])], agents_by_email=agents)
    [outcome] = cases_import_legacy([ticket(customer, stores["uk"], brands["poco"], status="resolved",
                                            body="Repaired.")], agents_by_email=agents)
    case = Case.objects.get()
    assert (outcome.outcome, outcome.files_copied, case.status, case.due_at) == ("updated", 0, "resolved", None)
    assert Message.objects.get(legacy_id="m2").body == "Repaired."
    assert Attachment.objects.count() == 1


def test_a_case_an_agent_worked_on_since_import_is_a_conflict_and_stays(customer, stores, brands, smith):
    agents = staff_ids_by_email([smith.email])
    [first] = cases_import_legacy([ticket(customer, stores["uk"], brands["poco"])], agents_by_email=agents)
    assert legacy_case_states(["t-4512"])["t-4512"].changed_since_import is False
    case = Case.objects.get(pk=first.case_id)
    services.case_reply_by_agent(case=case, agent=smith, body="We are on it.")
    assert legacy_case_states(["t-4512"])["t-4512"].changed_since_import is True
    [again] = cases_import_legacy([ticket(customer, stores["uk"], brands["poco"], status="closed")],
                                  agents_by_email=agents)
    case.refresh_from_db()
    assert again.outcome == "conflict" and case.status == "in_repair" and case.messages.count() == 4


def test_a_batch_costs_a_fixed_number_of_queries(customer, stores, brands, smith, django_assert_max_num_queries):
    template = ticket(customer, stores["uk"], brands["poco"], png=None)
    records = [replace(template, legacy_id=f"t-{n}", number=f"PS-2024-{n:06d}") for n in range(20)]
    with django_assert_max_num_queries(12):
        outcomes = cases_import_legacy(records, agents_by_email={smith.email: smith.pk})
    assert {o.outcome for o in outcomes} == {"created"} and Case.objects.count() == 20
