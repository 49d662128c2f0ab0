"""The reports' kept figures (migrations 0121, 0122) against the rows they sum, for the tests:
the report views' definitions before 0121 (and consumption's rule) as reference queries, and
views_match_the_rows(d), which compares each report view with its reference on the Db `d`.

    from helpers.report_figures import views_match_the_rows
"""
from decimal import Decimal

# the views as they were before migration 0121: the reference
REVENUE = """
SELECT DATE_FORMAT(b.period_end, '%Y-%m') AS period, t.code AS tariff_code, t.name AS tariff_name,
       COUNT(*) AS bills, SUM(b.consumption_kwh) AS consumption_kwh,
       SUM(l.energy) AS energy_charge, SUM(l.fixed) AS fixed_charge,
       SUM(l.discount) AS discount_amount, SUM(l.tax) AS tax_amount, SUM(l.late_fee) AS late_fee,
       SUM(l.rebate) AS rebate_amount, SUM(b.total_amount) AS total_billed
  FROM bill b
  JOIN tariff_version v ON v.tariff_version_id = b.tariff_version_id
  JOIN tariff t ON t.tariff_id = v.tariff_id
  JOIN (SELECT bill_id, SUM(IF(kind = 'energy', amount, 0)) AS energy,
               SUM(IF(kind = 'fixed', amount, 0)) AS fixed,
               SUM(IF(kind = 'discount', amount, 0)) AS discount,
               SUM(IF(kind = 'tax', amount, 0)) AS tax,
               SUM(IF(kind = 'late_fee', amount, 0)) AS late_fee,
               SUM(IF(kind IN ('rebate', 'rebate_revoked'), amount, 0)) AS rebate
          FROM bill_line GROUP BY bill_id) l ON l.bill_id = b.bill_id
 WHERE b.cancelled_at IS NULL
 GROUP BY DATE_FORMAT(b.period_end, '%Y-%m'), t.code, t.name
 ORDER BY period, tariff_code"""
COLLECTIONS = """
SELECT DATE(p.paid_at) AS day, p.posted_by AS cashier, p.method,
       SUM(p.status = 'posted') AS payments, SUM(IF(p.status = 'posted', p.amount, 0)) AS amount,
       SUM(p.status = 'reversed') AS reversed_payments,
       SUM(IF(p.status = 'reversed', p.amount, 0)) AS reversed_amount
  FROM payment p GROUP BY DATE(p.paid_at), p.posted_by, p.method ORDER BY day, cashier, method"""
# the consumption view's rule: the meter's installation on or before the reading gives the tariff
CONSUMPTION = """
SELECT DATE_FORMAT(x.read_on, '%Y-%m') AS month, t.code AS tariff_code,
       COUNT(DISTINCT x.meter_id) AS meters, SUM(x.status = 'accepted') AS readings,
       SUM(IF(x.status = 'accepted', x.consumption_kwh, 0)) AS consumption_kwh,
       SUM(x.status = 'review') AS in_review,
       MAX(DATE_FORMAT(x.read_on, '%Y-%m') = DATE_FORMAT(CURRENT_DATE, '%Y-%m')) AS partial_month
  FROM (SELECT r.*, (SELECT a.tariff_id FROM meter_installation mi
                       JOIN account a ON a.account_id = mi.account_id
                      WHERE mi.meter_id = r.meter_id AND mi.installed_on <= r.read_on
                      ORDER BY mi.installed_on DESC LIMIT 1) AS tariff_id
          FROM meter_reading r WHERE r.kind = 'actual' AND r.status IN ('accepted', 'review')) x
  JOIN tariff t ON t.tariff_id = x.tariff_id
 GROUP BY DATE_FORMAT(x.read_on, '%Y-%m'), t.code ORDER BY month, tariff_code"""
DAILY = """
SELECT DATE(p.paid_at) AS day, p.method,
       SUM(p.status = 'posted') AS payments, SUM(IF(p.status = 'posted', p.amount, 0)) AS amount,
       SUM(p.status = 'reversed') AS reversed_payments,
       SUM(IF(p.status = 'reversed', p.amount, 0)) AS reversed_amount
  FROM payment p GROUP BY DATE(p.paid_at), p.method ORDER BY day, method"""


def norm(rows):
    """Rows as tuples of plain values (counts as int, amounts as Decimal)."""
    out = []
    for r in rows:
        out.append(tuple(int(v) if isinstance(v, Decimal) and k in (
            "bills", "payments", "reversed_payments", "meters", "readings", "in_review",
            "partial_month") else v for k, v in r.items()))
    return out


def views_match_the_rows(d):
    assert norm(d.rows("SELECT * FROM v_report_revenue ORDER BY period, tariff_code")) == \
        norm(d.rows(REVENUE))
    assert norm(d.rows("SELECT * FROM v_report_collections ORDER BY day, cashier, method")) == \
        norm(d.rows(COLLECTIONS))
    assert norm(d.rows("SELECT * FROM v_collections_daily ORDER BY day, method")) == \
        norm(d.rows(DAILY))
    assert norm(d.rows("SELECT * FROM v_report_consumption ORDER BY month, tariff_code")) == \
        norm(d.rows(CONSUMPTION))
    assert d.rows("SELECT * FROM v_ledger_integrity WHERE check_name LIKE 'report%'") == []
