"""Signed webhooks (issue 13, "Webhooks"): events published only on commit, one delivery per
subscription, signed as the README's snippet checks, retried with backoff after a failure,
never carrying a person's name; subscriptions for https addresses only, managed by the
organisation's administrators; a subscription that keeps failing paused and its owner told."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import timedelta
from unittest import mock

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.db import connection, transaction
from django.urls import include, path, reverse
from django.utils import timezone

from accounts.models import AuditEntry
from accounts.roles import Role
from api import tasks, webhooks
from api.models import WebhookDelivery, WebhookSubscription
from cases.services import records
from cases.services import workflow as case_workflow
from referrals import services as referral_services
from tests import factories
from traffick_cm import events
from traffick_cm import urls as root_urls

ALL_EVENTS = [
    "referral.created",
    "referral.accepted",
    "referral.declined",
    "referral.completed",
    "case.closed",
    "training.recorded",
    "report.ready",
]
URL = "https://receiver.example.org/hooks/traffick"

# The pages live at /accounts/webhooks/ (traffick_cm/urls.py); until that include is there,
# these tests add it themselves.
_wired = any(getattr(p, "namespace", None) == "webhooks" for p in root_urls.urlpatterns)
urlpatterns = [
    *([] if _wired else [path("accounts/webhooks/", include("api.webhook_urls"))]),
    *root_urls.urlpatterns,
]


@pytest.fixture(autouse=True)
def webhook_urls(settings):
    settings.ROOT_URLCONF = __name__
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def admin(users):
    return users[Role.ADMIN]


@pytest.fixture
def subscribe(db):
    def _subscribe(user, events=ALL_EVENTS, url=URL):
        return webhooks.subscription_create(actor=user, url=url, events=events)

    return _subscribe


@pytest.fixture
def sent():
    """Patch the sender: every POST recorded, answered by `sent.answers` (in turn)."""
    calls = []

    def fake_post(url, body, headers, timeout):
        calls.append({"url": url, "body": body, "headers": headers, "timeout": timeout})
        answers = fake_post.answers
        return answers.pop(0) if len(answers) > 1 else answers[0]

    fake_post.answers = [200]
    fake_post.calls = calls
    with mock.patch.object(webhooks, "post", side_effect=fake_post):
        yield fake_post


# The README's receiver-side snippet, verbatim (written independently of api.webhooks.sign).
def verify(secret: str, headers, body: bytes, tolerance: int = 300) -> dict:
    """Check a traffick_cm webhook; return its message, or raise ValueError."""
    timestamp = headers["X-Webhook-Timestamp"]
    if abs(time.time() - int(timestamp)) > tolerance:
        raise ValueError("stale delivery")  # refuse replays of an old request
    signed = timestamp.encode() + b"." + body  # the raw body, as received
    expected = "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, headers["X-Webhook-Signature"]):
        raise ValueError("bad signature")
    return json.loads(body)  # {"id", "event", "time", "data"}: skip an id already seen


def _verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    try:
        verify(secret, headers, body)
    except ValueError:
        return False
    return True


def _make_due(delivery: WebhookDelivery, **changes) -> None:
    """Time passes: the next attempt is due now (and anything else given changes)."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1), **changes
    )


def _publish_training(org, capture):
    with capture(execute=True):
        events.publish(
            "training.recorded",
            organisations=[org.pk],
            payload={"session": 1, "organiser": org.pk, "participants_total": 7},
        )


# Signed, delivered after commit ------------------------------------------------------------


def test_a_delivery_is_signed_so_that_the_receiver_can_verify_it(
    admin, org, subscribe, sent, django_capture_on_commit_callbacks
):
    subscription, secret = subscribe(admin)
    _publish_training(org, django_capture_on_commit_callbacks)

    assert len(sent.calls) == 1
    call = sent.calls[0]
    headers, body = call["headers"], call["body"]
    assert call["url"] == URL
    assert call["timeout"] == 10
    assert _verify(secret, headers, body)
    assert not _verify("whsec_wrong", headers, body)
    assert not _verify(secret, headers, body + b" ")
    old = int(headers["X-Webhook-Timestamp"]) - 600
    replayed = {
        "X-Webhook-Timestamp": str(old),
        "X-Webhook-Signature": webhooks.sign(secret, old, body),
    }
    with pytest.raises(ValueError, match="stale"):
        verify(secret, replayed, body)
    assert abs(int(headers["X-Webhook-Timestamp"]) - timezone.now().timestamp()) < 60
    assert headers["X-Webhook-Event"] == "training.recorded"
    assert headers["Content-Type"] == "application/json"
    message = json.loads(body)
    delivery = WebhookDelivery.objects.get(subscription=subscription)
    assert headers["X-Webhook-Delivery"] == message["id"] == str(delivery.uuid)
    assert message["event"] == "training.recorded"
    assert message["data"] == {"session": 1, "organiser": org.pk, "participants_total": 7}
    assert message["time"]
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert delivery.attempts == 1 and delivery.last_status_code == 200


def test_only_subscriptions_of_the_organisations_told_and_to_that_event_get_a_delivery(
    admin, org, other_org, subscribe, sent, django_capture_on_commit_callbacks
):
    subscribe(admin, events=["case.closed"])
    other_admin = factories.user(Role.ADMIN, organisation=other_org)
    subscribe(other_admin)
    paused, _ = subscribe(admin)
    webhooks.subscription_pause(actor=admin, subscription=paused)

    _publish_training(org, django_capture_on_commit_callbacks)

    assert not WebhookDelivery.objects.exists()
    assert sent.calls == []


def test_an_event_is_published_only_when_its_transaction_commits(
    admin, org, subscribe, sent, django_capture_on_commit_callbacks
):
    subscribe(admin)
    heard = []

    def listener(sender, **kwargs):
        heard.append(kwargs["event"])

    def rolled_back():
        with transaction.atomic():
            events.publish("training.recorded", organisations=[org.pk], payload={"session": 1})
            assert heard == []  # not before the commit
            raise RuntimeError("rolled back")

    events.published.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
            rolled_back()
        assert heard == []
        assert not WebhookDelivery.objects.exists()
        assert sent.calls == []

        _publish_training(org, django_capture_on_commit_callbacks)
        assert heard == ["training.recorded"]
        assert WebhookDelivery.objects.count() == 1
    finally:
        events.published.disconnect(listener)


def test_a_payload_refuses_any_key_its_event_does_not_name():
    with pytest.raises(ValueError, match="first_name"):
        events.publish(
            "referral.created", organisations=[1], payload={"referral": 1, "first_name": "A"}
        )
    with pytest.raises(ValueError):
        events.publish("case.deleted", organisations=[1], payload={})


# Retried with backoff, never sent twice ----------------------------------------------------


def test_a_delivery_answered_500_is_retried_with_backoff_then_delivered_once(
    admin, org, subscribe, sent, django_capture_on_commit_callbacks
):
    sent.answers = [500, 503, 200]
    subscription, secret = subscribe(admin)
    _publish_training(org, django_capture_on_commit_callbacks)

    delivery = WebhookDelivery.objects.get(subscription=subscription)
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert delivery.attempts == 1 and delivery.last_status_code == 500
    wait = (delivery.next_attempt_at - delivery.last_attempt_at).total_seconds()
    assert wait == pytest.approx(60, abs=1)

    # Not due yet: a task that runs early sends nothing.
    assert webhooks.attempt(delivery.pk) is None
    assert len(sent.calls) == 1

    _make_due(delivery)
    assert webhooks.attempt(delivery.pk) == 120  # backoff doubles
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.last_status_code == 503

    _make_due(delivery)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_due_webhooks() == 1
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert delivery.attempts == 3 and delivery.last_status_code == 200
    # Each attempt signed afresh, the same delivery id each time.
    assert all(_verify(secret, c["headers"], c["body"]) for c in sent.calls)
    assert {c["headers"]["X-Webhook-Delivery"] for c in sent.calls} == {str(delivery.uuid)}

    # Delivered: never sent again, however the task is run.
    _make_due(delivery)
    assert webhooks.attempt(delivery.pk) is None
    assert tasks.send_due_webhooks() == 0
    assert len(sent.calls) == 3
    subscription.refresh_from_db()
    assert subscription.consecutive_failures == 0 and subscription.failing_since is None


def test_the_task_on_a_worker_retries_itself_after_the_backoff(
    admin, org, subscribe, sent, django_capture_on_commit_callbacks
):
    sent.answers = [500]
    subscription, _ = subscribe(admin)
    with mock.patch.object(tasks.deliver_webhook, "delay"):  # queued, not run
        _publish_training(org, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get(subscription=subscription)

    task = tasks.deliver_webhook
    task.push_request(is_eager=False, retries=0, id="t1")
    try:
        with (
            mock.patch.object(task, "retry", side_effect=Retry()) as retry,
            pytest.raises(Retry),
        ):
            task.run(delivery.pk)
    finally:
        task.pop_request()
    assert retry.call_args.kwargs["countdown"] == 60


def test_backoff_doubles_up_to_an_hour_and_gives_up_after_24_hours(
    admin, org, subscribe, sent, django_capture_on_commit_callbacks
):
    assert [webhooks.backoff(n) for n in range(1, 9)] == [60, 120, 240, 480, 960, 1920, 3600, 3600]
    sent.answers = [500]
    subscription, _ = subscribe(admin)
    _publish_training(org, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get(subscription=subscription)

    _make_due(delivery, first_attempt_at=timezone.now() - timedelta(hours=23, minutes=59))
    with django_capture_on_commit_callbacks(execute=True):
        assert webhooks.attempt(delivery.pk) is None
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.next_attempt_at is None
    assert webhooks.attempt(delivery.pk) is None
    assert len(sent.calls) == 2


# A subscription that keeps failing ---------------------------------------------------------


def test_a_subscription_that_keeps_failing_is_paused_and_its_administrators_told(
    admin, org, subscribe, sent, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_PAUSE_AFTER_FAILURES = 2
    admin.email = "admin@example.org"
    admin.save()
    sent.answers = [500]
    subscription, _ = subscribe(admin)
    for _n in range(2):
        _publish_training(org, django_capture_on_commit_callbacks)
    assert WebhookDelivery.objects.filter(subscription=subscription).count() == 2

    for delivery in WebhookDelivery.objects.filter(subscription=subscription):
        _make_due(delivery, first_attempt_at=timezone.now() - timedelta(hours=25))
        with django_capture_on_commit_callbacks(execute=True):
            webhooks.attempt(delivery.pk)

    subscription.refresh_from_db()
    assert subscription.paused_at is not None and subscription.paused_because_failing
    assert not WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING).exists()
    assert AuditEntry.objects.filter(
        action="api.webhook.paused", target_id=str(subscription.pk)
    ).exists()
    assert len(mail.outbox) == 1
    notice = mail.outbox[0]
    assert notice.to == ["admin@example.org"]
    assert "receiver.example.org" in notice.subject
    assert f"/accounts/webhooks/{subscription.pk}/deliveries/" in notice.body

    # Paused: new events make no delivery, nothing is sent.
    calls = len(sent.calls)
    _publish_training(org, django_capture_on_commit_callbacks)
    assert WebhookDelivery.objects.filter(subscription=subscription).count() == 2
    assert len(sent.calls) == calls


def test_a_subscription_failing_for_24_hours_is_paused_at_its_first_failed_delivery(
    admin, org, subscribe, sent, django_capture_on_commit_callbacks
):
    sent.answers = [500]
    subscription, _ = subscribe(admin)
    _publish_training(org, django_capture_on_commit_callbacks)
    WebhookSubscription.objects.filter(pk=subscription.pk).update(
        failing_since=timezone.now() - timedelta(hours=25)
    )
    delivery = WebhookDelivery.objects.get(subscription=subscription)
    _make_due(delivery, first_attempt_at=timezone.now() - timedelta(hours=25))
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.attempt(delivery.pk)

    subscription.refresh_from_db()
    assert subscription.paused_because_failing


def test_resuming_sends_the_deliveries_still_waiting(
    admin, org, subscribe, sent, django_capture_on_commit_callbacks
):
    sent.answers = [500, 200]
    subscription, _ = subscribe(admin)
    _publish_training(org, django_capture_on_commit_callbacks)
    webhooks.subscription_pause(actor=admin, subscription=subscription)
    delivery = WebhookDelivery.objects.get(subscription=subscription)
    _make_due(delivery)
    assert webhooks.attempt(delivery.pk) is None  # paused: not sent
    assert len(sent.calls) == 1

    with django_capture_on_commit_callbacks(execute=True):
        webhooks.subscription_resume(actor=admin, subscription=subscription)
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert len(sent.calls) == 2


# Never a person's identity -----------------------------------------------------------------


def test_no_delivery_ever_carries_a_persons_name_or_identity(
    users, org, other_org, subscribe, sent, django_capture_on_commit_callbacks
):
    caseworker, supervisor = users[Role.CASEWORKER], users[Role.SUPERVISOR]
    partner = factories.user(Role.PARTNER, organisation=other_org)
    subscribe(users[Role.ADMIN])
    subscribe(factories.user(Role.ADMIN, organisation=other_org))
    names = ["Zephyrine", "Quatermass", "+23670999888", "Boulevard Zanzibar"]
    with django_capture_on_commit_callbacks(execute=True):
        case = factories.case(
            caseworker=caseworker,
            first_name=names[0],
            last_name=names[1],
            phone=names[2],
            address=names[3],
        )
        records.consent_record(
            actor=caseworker,
            case=case,
            scope="referral_sharing",
            granted=True,
            given_by="person",
            method="written",
            given_on=case.identified_on,
        )
        referral = referral_services.referral_create(
            actor=caseworker,
            case=case,
            service_type="shelter",
            urgency="normal",
            reason=f"{names[0]} needs a safe place",
            packet_fields=["first_name", "last_name", "contact", "case_number"],
            to_organisation=other_org,
        )
    with django_capture_on_commit_callbacks(execute=True):
        referral_services.referral_send(actor=caseworker, referral=referral)
    with django_capture_on_commit_callbacks(execute=True):
        referral_services.referral_respond(actor=partner, referral=referral, accept=True)
    with django_capture_on_commit_callbacks(execute=True):
        referral_services.referral_complete(
            actor=partner, referral=referral, outcome=f"Housed {names[0]}"
        )
    with django_capture_on_commit_callbacks(execute=True):
        closure = case_workflow.closure_request(
            actor=caseworker, case=case, reason="Reintegrated", details=names[1]
        )
        case_workflow.closure_decide(actor=supervisor, closure=closure, approve=True)

    bodies = [c["body"].decode() for c in sent.calls]
    told = {
        (d.subscription.organisation_id, d.event)
        for d in WebhookDelivery.objects.select_related("subscription")
    }
    assert told == {
        (org.pk, "referral.created"),
        (org.pk, "referral.accepted"),
        (org.pk, "referral.completed"),
        (org.pk, "case.closed"),
        (other_org.pk, "referral.created"),  # when it was sent to them
        (other_org.pk, "referral.accepted"),
        (other_org.pk, "referral.completed"),
    }
    assert len(bodies) == WebhookDelivery.objects.count() == 7
    stored = list(WebhookDelivery.objects.values_list("body", flat=True))
    for text in bodies + stored:
        for value in [*names, case.case_number, "needs a safe place", "Housed"]:
            assert value not in text
    # The receiving partner never learns the case's id.
    for delivery in WebhookDelivery.objects.filter(subscription__organisation=other_org):
        assert "case" not in json.loads(delivery.body)["data"]
    closed = WebhookDelivery.objects.get(event="case.closed")
    assert json.loads(closed.body)["data"]["case"] == case.pk


# Subscriptions: https only, administrators of the organisation -----------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://receiver.example.org/hook",
        "ftp://receiver.example.org/hook",
        "not an address",
        "https://",
        "https://localhost/hook",
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://[::1]/hook",
        "https://user:pass@receiver.example.org/hook",
    ],
)
def test_a_subscription_needs_an_https_address_outside_private_networks(client_for, admin, url):
    response = client_for(admin).post(
        reverse("webhooks:list"), {"url": url, "events": ["case.closed"]}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["url"]
    assert not WebhookSubscription.objects.exists()


def test_the_page_shows_the_secret_once_and_stores_it_encrypted(client_for, admin):
    client = client_for(admin)
    response = client.post(
        reverse("webhooks:list"), {"url": URL, "events": ["case.closed", "report.ready"]}
    )

    assert response.status_code == 200
    secret = response.context["revealed"]["secret"]
    assert secret.startswith("whsec_") and secret.encode() in response.content
    subscription = WebhookSubscription.objects.get()
    assert subscription.organisation_id == admin.organisation_id
    assert subscription.events == ["case.closed", "report.ready"]
    assert subscription.secret == secret
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM api_webhooksubscription")
        assert secret not in cursor.fetchone()[0]
    assert secret.encode() not in client.get(reverse("webhooks:list")).content
    entry = AuditEntry.objects.get(action="api.webhook.created")
    assert entry.target_id == str(subscription.pk) and secret not in json.dumps(entry.data)

    # A new secret, shown once; the old one signs nothing more.
    rotated = client.post(reverse("webhooks:rotate", args=[subscription.pk]))
    new_secret = rotated.context["revealed"]["secret"]
    assert new_secret != secret and new_secret.encode() in rotated.content
    subscription.refresh_from_db()
    assert subscription.secret == new_secret
    assert AuditEntry.objects.filter(action="api.webhook.secret_rotated").exists()


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMIN])
def test_only_administrators_reach_the_webhook_pages(client_for, users, admin, subscribe, role):
    subscription, _ = subscribe(admin)
    client = client_for(users[role])

    assert client.get(reverse("webhooks:list")).status_code == 403
    assert client.post(reverse("webhooks:list"), {"url": URL}).status_code == 403
    assert client.get(reverse("webhooks:deliveries", args=[subscription.pk])).status_code == 403
    for name in ("pause", "resume", "rotate", "delete"):
        assert client.post(reverse(f"webhooks:{name}", args=[subscription.pk])).status_code == 403
    subscription.refresh_from_db()
    assert subscription.paused_at is None


def test_an_administrator_of_another_organisation_gets_404(client_for, other_org, admin, subscribe):
    subscription, secret = subscribe(admin)
    client = client_for(factories.user(Role.ADMIN, organisation=other_org))

    listing = client.get(reverse("webhooks:list"))
    assert listing.status_code == 200 and URL.encode() not in listing.content
    assert client.get(reverse("webhooks:deliveries", args=[subscription.pk])).status_code == 404
    for name in ("pause", "resume", "rotate", "delete"):
        assert client.post(reverse(f"webhooks:{name}", args=[subscription.pk])).status_code == 404
    subscription.refresh_from_db()
    assert subscription.paused_at is None and subscription.secret == secret


def test_the_administrator_pauses_resumes_deletes_and_reads_the_deliveries(
    client_for, admin, org, subscribe, sent, django_capture_on_commit_callbacks
):
    subscription, _ = subscribe(admin)
    sent.answers = [500]
    _publish_training(org, django_capture_on_commit_callbacks)
    client = client_for(admin)

    page = client.get(reverse("webhooks:deliveries", args=[subscription.pk]))
    assert page.status_code == 200
    assert b"training.recorded" in page.content and b"500" in page.content
    failed = client.get(
        reverse("webhooks:deliveries", args=[subscription.pk]), {"status": "failed"}
    )
    assert b"training.recorded" not in failed.content

    assert client.post(reverse("webhooks:pause", args=[subscription.pk])).status_code == 302
    subscription.refresh_from_db()
    assert subscription.paused_at is not None and not subscription.paused_because_failing
    assert client.post(reverse("webhooks:resume", args=[subscription.pk])).status_code == 302
    subscription.refresh_from_db()
    assert subscription.paused_at is None
    assert client.post(reverse("webhooks:delete", args=[subscription.pk])).status_code == 302
    assert not WebhookSubscription.objects.exists()
    assert not WebhookDelivery.objects.exists()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"api.webhook.paused", "api.webhook.resumed", "api.webhook.deleted"} <= actions


def test_the_sender_refuses_private_addresses_and_does_not_follow_redirects(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    with pytest.raises(webhooks.DeliveryError, match="private"):
        webhooks.post("https://127.0.0.1/hook", b"{}", {}, timeout=1)
    assert webhooks._NoRedirect().redirect_request(None, None, 302, "", {}, "http://x") is None


def test_a_superuser_reads_every_subscription_but_subscribes_none(client_for, admin, subscribe):
    subscription, _ = subscribe(admin)
    client = client_for(factories.superuser())

    listing = client.get(reverse("webhooks:list"))
    assert listing.status_code == 200 and URL.encode() in listing.content
    assert not listing.context["may_create"]
    assert client.get(reverse("webhooks:deliveries", args=[subscription.pk])).status_code == 200
    refused = client.post(reverse("webhooks:list"), {"url": URL, "events": ["case.closed"]})
    assert refused.status_code == 200 and refused.context["form"].errors
    assert WebhookSubscription.objects.count() == 1
