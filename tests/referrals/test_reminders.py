"""A referral with no answer by its deadline gets one reminder e-mail, to the partner's
focal points and the referrer: never two for the same deadline, and never a name or any
of the packet in the message."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from accounts.models import AuditEntry
from accounts.roles import Role
from partners.models import Contact
from referrals import notifications, services, tasks
from tests import factories

from .steps import consent_to_referral, draft, make_overdue, send


def test_overdue_reminder_is_sent_exactly_once(focal_point, referral, mailoutbox):
    make_overdue(referral)

    first = tasks.send_overdue_reminders()
    second = tasks.send_overdue_reminders()

    assert (first, second) == (1, 0)
    assert len(mailoutbox) == 1
    referral.refresh_from_db()
    assert referral.reminder_sent_for == referral.respond_by


def test_the_reminder_goes_to_the_partners_focal_points_and_the_referrer(
    focal_point, second_focal_point, partner_org, referral, mailoutbox
):
    Contact.objects.create(
        organisation=partner_org, name="Duty officer", email="duty@mae.example.org"
    )
    Contact.objects.create(
        organisation=partner_org,
        name="Accountant",
        email="accounts@mae.example.org",
        is_focal_point=False,
    )
    make_overdue(referral)

    services.reminders_send(now=timezone.now())

    assert sorted(mailoutbox[0].to) == [
        "caseworker@iom.example.org",
        "duty@mae.example.org",
        "focal@mae.example.org",
        "second@mae.example.org",
    ]


def test_the_reminder_contains_no_name_or_packet_data(
    focal_point, caseworker, consented_case, partner_org, mailoutbox
):
    referral = send(
        consented_case,
        caseworker,
        partner_org,
        packet_fields=["case_number", "first_name", "contact", "age_group"],
        reason="Amina Diallo fled her employer",
    )
    make_overdue(referral)

    services.reminders_send(now=timezone.now())

    message = mailoutbox[0]
    text = message.subject + message.body
    for secret in ("Amina", "Diallo", "+23675123456", consented_case.case_number, "fled"):
        assert secret not in text
    assert f"R-{referral.pk:06d}" in message.subject
    assert f"/referrals/inbox/{referral.pk}/" in message.body


def test_no_reminder_before_the_deadline(focal_point, referral, mailoutbox):
    sent = services.reminders_send(now=referral.respond_by - timedelta(minutes=1))

    assert sent == 0
    assert mailoutbox == []
    referral.refresh_from_db()
    assert referral.reminder_sent_for is None


@pytest.mark.parametrize("answer", ["accept", "decline", "cancel"])
def test_no_reminder_for_a_referral_that_was_answered_or_cancelled(
    caseworker, focal_point, referral, mailoutbox, answer
):
    if answer == "cancel":
        services.referral_cancel(actor=caseworker, referral=referral, reason="Moved away")
    else:
        services.referral_respond(
            actor=focal_point, referral=referral, accept=answer == "accept", reason="Full"
        )

    sent = services.reminders_send(now=timezone.now() + timedelta(days=30))

    assert sent == 0
    assert mailoutbox == []


def test_no_reminder_for_a_draft(caseworker, consented_case, partner_org, mailoutbox):
    draft(consented_case, caseworker, partner_org)

    assert services.reminders_send(now=timezone.now() + timedelta(days=30)) == 0
    assert mailoutbox == []


def test_a_new_deadline_gets_its_own_reminder(focal_point, referral, mailoutbox):
    make_overdue(referral, hours=48)
    services.reminders_send(now=timezone.now())
    make_overdue(referral, hours=1)

    services.reminders_send(now=timezone.now())
    services.reminders_send(now=timezone.now())

    assert len(mailoutbox) == 2


def test_each_overdue_referral_gets_its_reminder(
    focal_point, caseworker, consented_case, partner_org, referral, mailoutbox
):
    other = send(consented_case, caseworker, partner_org)
    make_overdue(referral)
    make_overdue(other)

    assert services.reminders_send(now=timezone.now()) == 2
    assert len(mailoutbox) == 2
    subjects = " ".join(m.subject for m in mailoutbox)
    assert f"R-{referral.pk:06d}" in subjects
    assert f"R-{other.pk:06d}" in subjects


def test_a_reminder_that_could_not_be_sent_is_tried_again(
    monkeypatch, focal_point, referral, mailoutbox
):
    make_overdue(referral)
    real_send = notifications.send

    def mail_server_down(referral, what):
        raise OSError("mail server down")

    monkeypatch.setattr(notifications, "send", mail_server_down)
    with pytest.raises(OSError):
        services.reminders_send(now=timezone.now())
    referral.refresh_from_db()
    assert referral.reminder_sent_for is None

    monkeypatch.setattr(notifications, "send", real_send)
    assert services.reminders_send(now=timezone.now()) == 1
    assert len(mailoutbox) == 1


def test_the_reminder_is_audited(focal_point, referral):
    make_overdue(referral)

    services.reminders_send(now=timezone.now())

    entry = AuditEntry.objects.get(action="referrals.referral.reminder_sent")
    assert entry.actor is None
    assert entry.target_id == str(referral.pk)
    referral.refresh_from_db()
    assert entry.data == {"respond_by": referral.respond_by.isoformat()}


def test_a_reminder_for_an_organisation_outside_the_system_goes_to_the_referrer(
    caseworker, consented_case, mailoutbox
):
    referral = send(consented_case, caseworker, external_organisation="Barreau de Bangui")
    make_overdue(referral)

    services.reminders_send(now=timezone.now())

    assert [m.to for m in mailoutbox] == [["caseworker@iom.example.org"]]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers")
@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_reminders_at_once_send_one(mailoutbox):
    referrer_org = factories.organisation(name="IOM CAR")
    partner_org = factories.organisation(name="Maison d'accueil Espoir")
    caseworker = factories.user(Role.CASEWORKER, organisation=referrer_org)
    factories.user(Role.PARTNER, organisation=partner_org, email="focal@mae.example.org")
    with transaction.atomic():
        case = factories.case(caseworker=caseworker)
    consent_to_referral(case, caseworker)
    referral = make_overdue(send(case, caseworker, partner_org))
    mailoutbox.clear()
    start = threading.Barrier(2)
    counts: list[int] = []

    def worker():
        try:
            start.wait(timeout=10)
            counts.append(services.reminders_send(now=timezone.now()))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(counts) == [0, 1]
    assert len(mailoutbox) == 1
    referral.refresh_from_db()
    assert referral.reminder_sent_for == referral.respond_by
