"""BILLING_REPORT_DATABASE_URL: the report pages' views are read from a database alias of their
own when it is set (e.g. the cluster's read port, docs/cluster.md), from `billing` otherwise;
the day's close stays on the primary."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections
from django.test.utils import CaptureQueriesContext

from billing import selectors
from billing.models import (Account, Aging, CollectionsDaily, ConsumptionReport, Payment,
                            RevenueReport)
from config.routers import REPORT_ALIAS, BillingRouter

ROOT = Path(__file__).resolve().parents[2]
REPORTS = [Aging, CollectionsDaily, RevenueReport, ConsumptionReport]


def test_without_a_report_database_everything_reads_from_billing():
    assert REPORT_ALIAS not in settings.DATABASES
    router = BillingRouter()
    assert {router.db_for_read(m) for m in REPORTS + [Account, Payment]} == {"billing"}


def test_with_a_report_database_the_report_views_read_from_it(monkeypatch):
    monkeypatch.setitem(settings.DATABASES, REPORT_ALIAS, dict(settings.DATABASES["billing"]))
    router = BillingRouter()
    assert {router.db_for_read(m) for m in REPORTS} == {REPORT_ALIAS}
    # everything else, and every write, stays on the primary
    assert router.db_for_read(Account) == router.db_for_read(Payment) == "billing"
    assert {router.db_for_write(m) for m in REPORTS} == {"billing"}
    assert router.allow_migrate(REPORT_ALIAS, "billing") is False
    assert router.allow_migrate(REPORT_ALIAS, "auth") is False


@pytest.mark.django_db(databases=["default", "billing"])
def test_the_days_close_reads_collections_from_the_primary(monkeypatch):
    monkeypatch.setitem(settings.DATABASES, REPORT_ALIAS, dict(settings.DATABASES["billing"]))
    assert CollectionsDaily.objects.all().db == REPORT_ALIAS        # the report page's reads
    with CaptureQueriesContext(connections["billing"]) as q:        # the close's: the primary
        assert selectors.collections_of_day(day="2026-02-03") == []
    assert len(q) == 1 and "v_collections_daily" in q[0]["sql"]


def test_settings_define_the_report_alias_from_the_environment():
    env = dict(os.environ, BILLING_DATABASE_URL="mysql://app:pw@db1:3306/billing",
               BILLING_WEB_DATABASE_URL="mysql://app:pw@db1:3306/billing_web",
               BILLING_REPORT_DATABASE_URL="mysql://reports:pw@haproxy:3307/billing",
               DJANGO_SETTINGS_MODULE="config.settings", DJANGO_SECRET_KEY="x")
    code = ("import django; django.setup(); from django.conf import settings as s; "
            "r = s.DATABASES['billing_report']; print(r['HOST'], r['PORT'], r['USER'], r['NAME'])")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT / "webapp", env=env,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["haproxy", "3307", "reports", "billing"]
