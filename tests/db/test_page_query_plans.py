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


def test_one_address_word_is_read_in_the_search_pages_order(db):
    """The staff search by one address word (billing.selectors._addresses_by_word): the word's
    customers come from customer_address_word's primary key in the page's order, grouped as they
    come (a customer has a row per address with the word), so the LIMIT stops the read: no
    temporary table, no sort of every match (migration 0130)."""
    [row] = plan(db, "SELECT customer_id, full_name, customer_no FROM v_customer_address_word "
                     "WHERE word = 'springfield' GROUP BY full_name, customer_no, customer_id "
                     "ORDER BY full_name, customer_no, customer_id LIMIT 51")
    assert row["key"] == "PRIMARY" and "Using index" in (row["Extra"] or "")
    assert "filesort" not in row["Extra"] and "temporary" not in row["Extra"]
    [row] = plan(db, "SELECT word FROM v_customer_address_word WHERE word LIKE 'spr%' "
                     "ORDER BY word LIMIT 1")
    assert row["key"] == "PRIMARY" and "filesort" not in (row["Extra"] or "")


def test_the_review_queue_reads_a_pages_ids_and_its_count_from_the_index(db):
    """The review queue (billing.selectors.review_queue): a page's ids, a deep page's too, in
    the queue's order (read_on, reading_id) and the count of readings in review come from
    ix_reading_status (status, read_on, reading_id, meter_id) alone: no sort, no table row, no
    join (migration 0119); the page's rows are then read by id."""
    for sql in ("SELECT reading_id FROM v_staff_review_queue ORDER BY read_on, reading_id "
                "LIMIT 25 OFFSET 1975", "SELECT COUNT(*) FROM v_staff_review_queue"):
        [row] = [r for r in plan(db, sql) if r["select_type"] != "DEPENDENT SUBQUERY"
                 and r["select_type"] != "SUBQUERY"]
        assert row["table"] == "r" and row["key"] == "ix_reading_status", sql
        assert "Using index" in (row["Extra"] or "") and "filesort" not in row["Extra"], sql
    rows = plan(db, "SELECT * FROM v_staff_review_queue WHERE reading_id IN (1, 2, 3)")
    assert rows[0]["table"] == "r" and rows[0]["type"] in ("range", "ref", "eq_ref", "const")


def test_two_name_words_are_read_in_the_search_pages_order_from_the_pairs(db):
    """The staff search by two name words (billing.selectors._ids_by_words with
    v_customer_name_pair): the customers having a pair of the two words come out of
    customer_name_pair's primary key (word, other, full_name, customer_no, customer_id) already
    in the page's order, so the LIMIT stops the read: no sort of every match, not every row of
    either word (migration 0135)."""
    [row] = plan(db, "SELECT customer_id, full_name, customer_no FROM v_customer_name_pair d "
                     "WHERE d.word = 'ben' AND d.other = 'scott' "
                     "ORDER BY full_name, customer_no, customer_id LIMIT 51")
    assert row["key"] == "PRIMARY" and row["type"] in ("ref", "range")
    assert "Using index" in (row["Extra"] or "") and "filesort" not in row["Extra"]
