"""Plans of the reads that keep back-office pages cheap at a million customers (issue 24 §4):
each read here must be an index read that stops early, whatever the table's size. EXPLAIN on an
emptied schema gives the plan the indexes allow (what the server chooses on big tables was
measured at 100k and 1M, docs/benchmarks.md)."""


def plan(db, sql, *args):
    return db.rows("EXPLAIN " + sql, *args)


def test_the_run_page_counts_estimated_bills_from_the_index(db):
    """v_staff_billing_run.estimated_bills: the run's estimated bills through ix_bill_run
    (run_id, estimated), both parts (migration 0118), not every bill of the run."""
    [row] = plan(db, "SELECT COUNT(*) FROM bill b WHERE b.run_id = 1 AND b.estimated = 1")
    assert row["key"] == "ix_bill_run" and row["ref"] == "const,const"
    assert "Using index" in (row["Extra"] or "")


def test_one_name_word_is_read_in_the_search_pages_order(db):
    """The staff search by one word (billing.selectors._names_by_word): the word's customers
    come from customer_name_word's primary key already ordered by (full_name, customer_no), so
    the LIMIT stops the read; no sort of every match (migration 0117)."""
    [row] = plan(db, "SELECT customer_id FROM v_customer_name_word WHERE word = 'smith' "
                     "ORDER BY full_name, customer_no LIMIT 51")
    assert row["key"] == "PRIMARY" and "filesort" not in (row["Extra"] or "")
    [row] = plan(db, "SELECT word FROM v_customer_name_word WHERE word LIKE 'smi%' "
                     "ORDER BY word LIMIT 1")
    assert row["key"] == "PRIMARY" and "filesort" not in (row["Extra"] or "")
