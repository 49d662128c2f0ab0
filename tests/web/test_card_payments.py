"""The portal's card-payment saga (portal.payments.pay_by_card), every branch, against the real
billing schema, with a gateway double that records its calls (issue 16 §1 and §5).

Branches: the amount is checked before any charge; a declined card posts nothing; posted and
replayed; a contract refusal after the charge refunds it; 45022 IDEMPOTENCY_MISMATCH is never
refunded and goes to reconcile; a deadlock/lock timeout after the retries and a lost connection
go to reconcile, never refunded; the gateway binds a reference to one account and amount."""
import threading
import time
from decimal import Decimal

import MySQLdb
import pytest
from django.db import connections
from django.urls import reverse

import portal.gateway
from helpers.db import connect_kwargs, holding_account_lock
from helpers.portal_data import make_portal_customer
from portal import payments
from portal.gateway import Card, GatewayResult, SimulatedGateway
from portal.models import ChargeToReconcile, CustomerLogin
from portal.services import create_customer_login

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])
CARD = {"card_holder": "Ada Lovelace", "card_number": "4242 4242 4242 4242",
        "card_expiry": "12/30", "card_cvc": "123"}
A_CARD = Card(number="4242424242424242", expiry="12/30", cvc="123", holder="Ada")


class RecordingGateway:
    """Approves every charge (or declines, or raises); records every call."""

    def __init__(self, approve=True, raise_on_charge=None, raise_on_refund=None):
        self.calls = []
        self.approve = approve
        self.raise_on_charge = raise_on_charge
        self.raise_on_refund = raise_on_refund

    def charge(self, amount, reference, card, *, account):
        self.calls.append(("charge", account, amount, reference))
        if self.raise_on_charge:
            raise self.raise_on_charge
        if not self.approve:
            return GatewayResult(approved=False, decline_reason="The card was declined.")
        return GatewayResult(approved=True, transaction_id="T-" + reference[:8])

    def refund(self, reference):
        self.calls.append(("refund", reference))
        if self.raise_on_refund:
            raise self.raise_on_refund

    def kinds(self):
        return [c[0] for c in self.calls]


@pytest.fixture
def ada(billing_db):
    return make_portal_customer(billing_db)


@pytest.fixture
def gw(monkeypatch):
    double = RecordingGateway()
    monkeypatch.setattr(portal.gateway, "_gateway", double)
    return double


@pytest.fixture
def c(client, ada):
    create_customer_login(ada.customer_id, password="Kilowatt-hours-2026")
    client.force_login(CustomerLogin.objects.get(customer_id=ada.customer_id).user)
    return client


def pay(**kw):
    args = dict(account_open=True, card=A_CARD, actor="customer:test")
    return payments.pay_by_card(**{**args, **kw})


def raw_connection(url):
    return MySQLdb.connect(**{**connect_kwargs(url), "autocommit": True})


def payments_of(db, account_id):
    return db.rows("SELECT p.payment_id, p.amount, p.idempotency_key, v.status "
                   "FROM payment p JOIN v_payments v ON v.payment_id = p.payment_id "
                   "WHERE p.account_id = %s AND p.method = 'online'", account_id)


# --- §5: the amount is checked in the form, before any charge ------------------------------
@pytest.mark.parametrize("amount", ["-1", "0", "0.00", "1000000.01", "１２", "١٢", "12.345",
                                    "1e3", "NaN", "12,34", " "])
def test_a_bad_amount_never_reaches_the_gateway(c, ada, gw, billing_db, amount):
    before = billing_db.snapshot()
    r = c.post(reverse("portal:pay", args=[ada.account_id]),
               {**CARD, "amount": amount, "idempotency_key": "k-bad-amount"})
    assert r.status_code == 200 and r.context["form"].errors.get("amount")
    assert gw.calls == [] and billing_db.snapshot() == before


@pytest.mark.parametrize("text, amount", [("1,000.00", "1000.00"), ("1000000.00", "1000000.00"),
                                          ("0.01", "0.01"), ("12", "12.00")])
def test_good_amounts_are_charged_and_posted_as_written(c, ada, gw, billing_db, text, amount):
    r = c.post(reverse("portal:pay", args=[ada.account_id]),
               {**CARD, "amount": text, "idempotency_key": "k-" + amount,
                "confirm_over": "on"})     # above the 105.45 owed: confirmed (issue 21)
    assert r.status_code == 302, r.context["form"].errors if r.context else r
    assert gw.calls == [("charge", str(ada.account_id), Decimal(amount), "k-" + amount)]
    assert [p["amount"] for p in payments_of(billing_db, ada.account_id)] == [Decimal(amount)]


def test_the_service_checks_the_amount_too(ada, gw):
    for amount in (Decimal("-1"), Decimal("0"), Decimal("1000000.01"), Decimal("1.001"),
                   Decimal("NaN")):
        assert pay(account_id=ada.account_id, amount=amount, reference="k").status == "refused"
    assert gw.calls == []


# --- the branches -----------------------------------------------------------------------------
def test_posted_then_replayed_charges_once_per_reference(ada, gw, billing_db):
    first = pay(account_id=ada.account_id, amount=Decimal("7.77"), reference="K1")
    again = pay(account_id=ada.account_id, amount=Decimal("7.77"), reference="K1")
    assert (first.status, again.status) == ("posted", "replayed")
    assert first.payment_id == again.payment_id and first.receipt_no
    assert "refund" not in gw.kinds() and len(payments_of(billing_db, ada.account_id)) == 1


def test_a_declined_card_posts_nothing(ada, billing_db):
    gw = RecordingGateway(approve=False)
    before = billing_db.snapshot()
    r = pay(account_id=ada.account_id, amount=Decimal("5.00"), reference="K2", gateway=gw)
    assert r.status == "declined" and not r.charged and "Nothing was charged" in r.message
    assert gw.kinds() == ["charge"] and billing_db.snapshot() == before


def test_a_closed_account_is_not_charged(ada, gw):
    r = pay(account_id=ada.account_id, account_open=False, amount=Decimal("5.00"),
            reference="K3")
    assert r.status == "refused" and gw.calls == []


def test_a_contract_refusal_after_the_charge_refunds_it(billing_db, gw):
    """The view read the account open, staff closed it meanwhile: post_payment says 45021,
    nothing was posted, so the charge is refunded."""
    acc = make_portal_customer(billing_db, with_history=False)
    billing_db.call("close_account", acc.account_id, billing_db.value("SELECT CURRENT_DATE"),
                    "staff:test")
    before = billing_db.snapshot()
    r = pay(account_id=acc.account_id, amount=Decimal("5.00"), reference="K4")
    assert r.status == "refunded" and r.error.errno == 45021 and "refunded" in r.message
    assert gw.kinds() == ["charge", "refund"] and gw.calls[1] == ("refund", "K4")
    assert billing_db.snapshot() == before and not ChargeToReconcile.objects.exists()


def test_a_failed_refund_goes_to_reconcile(billing_db):
    acc = make_portal_customer(billing_db, with_history=False)
    billing_db.call("close_account", acc.account_id, billing_db.value("SELECT CURRENT_DATE"),
                    "staff:test")
    gw = RecordingGateway(raise_on_refund=TimeoutError("gateway timeout"))
    r = pay(account_id=acc.account_id, amount=Decimal("5.00"), reference="K5", gateway=gw)
    assert r.status == "to_reconcile" and r.charged
    row = ChargeToReconcile.objects.get()
    assert (row.reason, row.reference, row.amount) == ("REFUND_FAILED", "K5", Decimal("5.00"))


def test_the_probe_repro_45022_is_never_refunded(billing_db, gw):
    """Issue 16 §1: a customer pays 7.77 on account 1 with key K (posted), then the same amount
    and key on account 2. With a gateway that answered the earlier approval, the database says
    45022: the charge must not be refunded (account 1's payment holds that money)."""
    one = make_portal_customer(billing_db)
    two = make_portal_customer(billing_db, name="Ada again", email="ada2@example.org",
                               tariff=one.tariff)
    assert pay(account_id=one.account_id, amount=Decimal("7.77"), reference="K").status == "posted"
    r = pay(account_id=two.account_id, amount=Decimal("7.77"), reference="K")
    assert r.status == "to_reconcile" and "refund" not in gw.kinds()
    assert [p["status"] for p in payments_of(billing_db, one.account_id)] == ["posted"]
    assert payments_of(billing_db, two.account_id) == []
    row = ChargeToReconcile.objects.get()
    assert (row.reason, row.account_id, row.reference) == ("IDEMPOTENCY_MISMATCH",
                                                           two.account_id, "K")


def test_the_simulated_gateway_binds_a_reference_to_one_account_and_amount(billing_db,
                                                                            monkeypatch):
    """The same repro with the simulated gateway: the second charge is an error, not the
    earlier approval; nothing is charged, posted or refunded."""
    sim = SimulatedGateway()
    monkeypatch.setattr(portal.gateway, "_gateway", sim)
    one = make_portal_customer(billing_db)
    two = make_portal_customer(billing_db, name="Ada again", email="ada2@example.org",
                               tariff=one.tariff)
    assert pay(account_id=one.account_id, amount=Decimal("7.77"), reference="K").status == "posted"
    r = pay(account_id=two.account_id, amount=Decimal("7.77"), reference="K")
    assert r.status == "declined" and "another account or amount" in r.message
    other_amount = pay(account_id=one.account_id, amount=Decimal("7.78"), reference="K")
    assert other_amount.status == "declined"
    assert sim.refunded == set() and payments_of(billing_db, two.account_id) == []
    assert pay(account_id=one.account_id, amount=Decimal("7.77"),
               reference="K").status == "replayed"


def test_a_lock_timeout_after_the_retries_goes_to_reconcile(ada, gw, billing_db, db_url):
    """Another session holds the account row: post_payment times out (1205) on every attempt
    of services' retry; the charge is recorded to reconcile, never refunded."""
    with holding_account_lock(db_url, ada.account_id):
        with connections["billing"].cursor() as cur:
            cur.execute("SET SESSION innodb_lock_wait_timeout = 1")
        try:
            r = pay(account_id=ada.account_id, amount=Decimal("9.00"), reference="K6")
        finally:
            connections["billing"].close()
    assert r.status == "to_reconcile" and gw.kinds() == ["charge"]
    assert ChargeToReconcile.objects.get().reason == "1205"
    assert payments_of(billing_db, ada.account_id) == []


def test_a_lost_connection_goes_to_reconcile(ada, gw, billing_db, db_url):
    """The billing connection is killed while post_payment waits for a lock: the outcome is
    unknown to the web app, so the charge is recorded to reconcile, never refunded."""
    with holding_account_lock(db_url, ada.account_id):
        with connections["billing"].cursor() as cur:
            cur.execute("SELECT CONNECTION_ID()")
            victim = cur.fetchone()[0]
        killer = raw_connection(db_url)

        def kill():
            time.sleep(0.7)
            killer.cursor().execute(f"KILL {victim}")
        t = threading.Thread(target=kill)
        t.start()
        try:
            r = pay(account_id=ada.account_id, amount=Decimal("9.00"), reference="K7")
        finally:
            t.join()
            killer.close()
            connections["billing"].close()
    assert r.status == "to_reconcile" and gw.kinds() == ["charge"]
    assert ChargeToReconcile.objects.get().reason in {"2013", "2006", "1927", "OperationalError"}
    assert payments_of(billing_db, ada.account_id) == []


def test_a_gateway_without_an_answer_goes_to_reconcile(ada, billing_db):
    gw = RecordingGateway(raise_on_charge=TimeoutError("read timeout"))
    before = billing_db.snapshot()
    r = pay(account_id=ada.account_id, amount=Decimal("9.00"), reference="K8", gateway=gw)
    assert r.status == "to_reconcile" and billing_db.snapshot() == before
    assert ChargeToReconcile.objects.get().reason == "GATEWAY_NO_ANSWER"


def test_the_view_shows_a_charge_to_reconcile_without_posting_or_refunding(c, ada, gw,
                                                                           billing_db):
    one_key = "K-view"
    billing_db.call("post_payment", ada.account_id, "3.00", "cash", None, one_key, "staff:t")
    r = c.post(reverse("portal:pay", args=[ada.account_id]),
               {**CARD, "amount": "4.00", "idempotency_key": one_key}, follow=True)
    assert "could not confirm the payment" in r.content.decode()
    assert "refund" not in gw.kinds() and ChargeToReconcile.objects.count() == 1


# --- the back office's list of charges to reconcile -------------------------------------------
def _row(**kw):
    return ChargeToReconcile.objects.create(**{
        "account_id": 7, "amount": Decimal("7.77"), "reference": "K-list", "actor": "customer:C1",
        "reason": "IDEMPOTENCY_MISMATCH", "detail": "key K was used", **kw})


def test_billing_admins_see_and_settle_charges_to_reconcile(billing_admin_client):
    row = _row()
    page = billing_admin_client.get(reverse("portal:reconcile"))
    html = page.content.decode()
    assert page.status_code == 200 and "K-list" in html and "IDEMPOTENCY_MISMATCH" in html
    assert reverse("portal:reconcile_settle", args=[row.pk]) in html
    r = billing_admin_client.post(reverse("portal:reconcile_settle", args=[row.pk]),
                                  {"note": "posted by hand, receipt R-1"})
    assert r.status_code == 302
    row.refresh_from_db()
    assert row.settled_at and row.settled_by == "staff:bea"
    assert row.settled_note == "posted by hand, receipt R-1"
    assert "None: every card charge" in billing_admin_client.get(
        reverse("portal:reconcile")).content.decode()


def test_a_note_is_required_to_settle(billing_admin_client):
    row = _row()
    billing_admin_client.post(reverse("portal:reconcile_settle", args=[row.pk]), {"note": ""})
    row.refresh_from_db()
    assert row.settled_at is None


def test_clerks_cannot_see_and_managers_cannot_settle(staff_client, client, django_user_model):
    row = _row()
    assert staff_client.get(reverse("portal:reconcile")).status_code == 403
    from django.contrib.auth.models import Group
    manager = django_user_model.objects.create_user("max", password="x", is_staff=True)
    manager.groups.add(Group.objects.get_or_create(name="manager")[0])
    client.force_login(manager)
    assert client.get(reverse("portal:reconcile")).status_code == 200
    assert client.post(reverse("portal:reconcile_settle", args=[row.pk]),
                       {"note": "x"}).status_code == 403
    row.refresh_from_db()
    assert row.settled_at is None
