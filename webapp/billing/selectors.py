"""Reads: the pages' queries over the billing views (never the tables).

Each function takes keyword-only arguments and returns model instances or plain values.
"""
import logging

from django.db import DatabaseError, connections
from django.db.models import Q

from billing.models import Account, AccountBalance, Customer, MeterReading

log = logging.getLogger("billing.selectors")

SEARCH_LIMIT = 50
NO_SUCH_TABLE = 1146


def search_customers(*, query, limit=SEARCH_LIMIT):
    """Customers matching `query` by any key: part of the name, the customer number, the
    e-mail address, or an account number or meter serial of one of their accounts (exact,
    case-insensitive for the numbers and the e-mail). Ordered by name; at most `limit`."""
    q = (query or "").strip()
    if not q:
        return []
    by_account = Account.objects.filter(
        Q(account_no__iexact=q) | Q(serial_no__iexact=q)).values("customer_id")
    return list(Customer.objects.filter(
        Q(full_name__icontains=q) | Q(customer_no__iexact=q) | Q(email__iexact=q)
        | Q(customer_id__in=by_account))[:limit])


def get_customer(*, customer_id):
    return Customer.objects.filter(customer_id=customer_id).first()


def customer_accounts(*, customer_id):
    """The customer's accounts (with their active meter), each with `.balance` set to its
    v_account_balance row (None while that view or row is absent)."""
    accounts = list(Account.objects.filter(customer_id=customer_id))
    balances = account_balances(account_ids=[a.account_id for a in accounts])
    for a in accounts:
        a.balance = balances.get(a.account_id)
    return accounts


def account_balances(*, account_ids):
    """account_id -> AccountBalance, for the given accounts. An absent v_account_balance view
    (a schema older than the contract) gives {} and a warning instead of an error page."""
    if not account_ids:
        return {}
    try:
        return {b.account_id: b for b in AccountBalance.objects.filter(account_id__in=account_ids)}
    except DatabaseError as exc:
        if exc.args and exc.args[0] == NO_SUCH_TABLE:
            log.warning("v_account_balance is missing: %s", exc)
            return {}
        raise


def customer_readings(*, customer_id, limit=20):
    """The latest readings of the meters of the customer's accounts, newest first."""
    account_ids = Account.objects.filter(customer_id=customer_id).values("account_id")
    return list(MeterReading.objects.filter(account_id__in=account_ids)[:limit])


def get_reading(*, reading_id):
    return MeterReading.objects.filter(reading_id=reading_id).first()


def get_account(*, account_id):
    return Account.objects.filter(account_id=account_id).first()


def ledger_integrity_problems():
    """The rows of v_ledger_integrity (empty when all is well) as dicts."""
    with connections["billing"].cursor() as cursor:
        cursor.execute("SELECT * FROM v_ledger_integrity")
        columns = [c[0] for c in cursor.description]
        return [dict(zip(columns, row)) for row in cursor.fetchall()]
