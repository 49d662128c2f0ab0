"""Reads: the pages' queries over the billing views (never the tables).

Each function takes keyword-only arguments and returns model instances or plain values.
"""
import contextlib
import datetime
import logging
import re
from types import SimpleNamespace as SearchHit
from typing import NamedTuple

from django.db import DatabaseError, connections
from django.db.models import F, Q

from billing.errors import STATEMENT_TIMEOUT_ERRNOS
from billing.models import PaymentBatch, PaymentBatchAccount, PaymentBatchLine

from billing.models import (Account, AccountBalance, AccountDiscount, Aging, AuditEntry,
                            BillingException, BillingRun, BillSummary, CollectionsDaily,
                            ConsumptionReport, Customer, Discount, Dunning, DunningKept,
                            MeterContext, MeterReading,
                            Payment, ReadingCorrection, RevenueReport, Reversal, ReversalBill,
                            ReviewQueueReading, StatementEntry,
                            TariffBlock, TariffSimulation, TariffSimulationAccount,
                            TariffSimulationBlock, TariffSimulationBucket, TariffSimulationTypical,
                            TariffVersion)

log = logging.getLogger("billing.selectors")

SEARCH_LIMIT = 50
FULLTEXT_MIN_WORD = 3          # innodb_ft_min_token_size, the default of MariaDB and MySQL
WORD_PAGE_MAX = 20000          # the word tables: deepest result read in order (page 400)
WORD_PREFIX_MAX = 8            # the word tables: different words one prefix may start
WORD_COUNT_CAP = 5000          # _driven_reads: rows of a prefix counted to choose the driver
SEARCH_SECONDS = 3             # the search's time on the server before it gives up (SearchTooBroad)
_WORD = re.compile(r"\w+")
NO_SUCH_TABLE = 1146


class SearchTooBroad(Exception):
    """A statement of the staff search was stopped by the server after SEARCH_SECONDS: its words
    are in too many names or addresses to answer in time (through FULLTEXT every customer that
    matches is read before the page is chosen: at 1M customers a town's name took 8 s).
    `seconds` is the limit it ran under."""

    def __init__(self, seconds):
        super().__init__(f"the search stopped after {seconds} s")
        self.seconds = seconds


def _within(sql, seconds, alias):
    """One SELECT, `sql`, with a time limit on the server of database `alias`: MariaDB's
    SET STATEMENT max_statement_time (seconds) or MySQL's MAX_EXECUTION_TIME hint
    (milliseconds). Past it the server stops the statement with an error of
    STATEMENT_TIMEOUT_ERRNOS."""
    sql = sql.strip()
    if connections[alias].mysql_is_mariadb:
        return f"SET STATEMENT max_statement_time = {seconds:g} FOR {sql}"
    hint = f"SELECT /*+ MAX_EXECUTION_TIME({max(1, round(seconds * 1000))}) */"
    return re.sub(r"^SELECT\b", hint, sql, count=1)


def _words_match(column, long_words):
    return (f"MATCH ({column}) AGAINST (%s IN BOOLEAN MODE)",
            " ".join(f"+{w}*" for w in long_words))


def search_customers(*, query, limit=SEARCH_LIMIT, offset=0):
    """Customers matching `query` by any key: the words of the name (each word of the query
    starts a word of the name, in any order), the words of the postal address or of an
    account's service address (words of 3 characters or more, the same way), or exactly
    (case-insensitive) the customer number, the e-mail address, an account number or meter
    serial of one of their accounts, or the phone number's digits (4 or more; spaces, dashes,
    brackets, dots and "+" do not count). Ordered by name; `limit` of them from `offset` (the
    page), as SearchHit objects (customer_id, customer_no, full_name, email, phone and
    `.account_list`: its accounts, each with account_id, account_no, service_address, status
    and `.balance.balance`, for telling two customers of the same name apart).

    One query: a UNION of the customer ids each key finds through its own index (the name and
    address words through the FULLTEXT indexes ft_customer_name, ft_customer_address and
    ft_account_service_address, word prefixes in boolean mode; the phone's digits through
    ix_customer_phone_digits), the page by name, then their rows joined with their accounts,
    one row per account; then the accounts' balances from v_account_balance by account id
    (issue 24 §4: the rows with an account count no page showed, the accounts and the balances
    were three statements through the ORM, 40% of the page's time at 1M). A
    word shorter than the index's shortest token (3 characters) is matched as a part of the
    name instead; a query of only such words scans the names. Everything reads
    v_customer_search and v_account_search, the customer and account tables through views the
    server merges (MATCH needs the base table's FULLTEXT index; v_customer, with its
    account-count subquery, is never merged by MySQL), and v_account, also merged.

    A query with words of 3 characters or more (and any shorter ones) finds the names through
    v_customer_name_word (_names_by_word) and the addresses through v_customer_address_word
    (_addresses_by_word) instead of the FULLTEXT indexes: the same customers, read in the
    page's order, so a common name or address word costs a page's worth of index entries and
    not every match (40,000 "Smith"s in a million customers: a quarter of a second through
    FULLTEXT; a town that every address has, 8 s). Queries of several such words are read that
    way too, every word in one name or one address: two words of a name from
    v_customer_name_pair (migration 0135: pairs of a name's words, in the page's order for each
    pair), an address's driven by the word with the fewest rows. Pages deeper than
    WORD_PAGE_MAX customers, and prefixes that start more than WORD_PREFIX_MAX words, still use
    the FULLTEXT indexes. Every statement that reads the rows runs under the time limit
    SEARCH_SECONDS (SearchTooBroad past it)."""
    q = (query or "").strip()
    if not q:
        return []
    words = _WORD.findall(q)
    long_words = [w for w in words if len(w) >= FULLTEXT_MIN_WORD]
    short_words = [w for w in words if len(w) < FULLTEXT_MIN_WORD]
    # each key: the ids of the customers it finds; a read of the word tables comes in whole,
    # as a derived table (its own order and LIMIT), so that it costs no statement of its own
    keys, params = [], []
    need = int(offset) + int(limit)
    name_forms = address_forms = None
    if long_words and need <= WORD_PAGE_MAX:
        prefixes = [_like_prefix(w) for w in long_words]
        found = _word_forms([("v_customer_name_word", p) for p in prefixes]
                            + [("v_customer_address_word", p) for p in prefixes])
        name_forms, address_forms = found[:len(prefixes)], found[len(prefixes):]
    by_word = _names_by_word(long_words, short_words, name_forms, need=need)
    if by_word is not None:
        if by_word:                                   # else no name has every word
            keys.append(f"SELECT customer_id FROM ({by_word.sql}) nw")
            params += by_word.params
    else:
        name_where = []
        if long_words:
            cond, arg = _words_match("full_name", long_words)
            name_where.append(cond)
            params.append(arg)
        for w in short_words:
            name_where.append("full_name LIKE %s")
            params.append(_like_part(w))
        if name_where:
            keys.append("SELECT customer_id FROM v_customer_search WHERE "
                        + " AND ".join(name_where))
    by_address = _addresses_by_word(long_words, address_forms, need=need)
    if by_address is not None:
        if by_address:
            keys.append(f"SELECT customer_id FROM ({by_address.sql}) aw")
            params += by_address.params
    elif long_words:
        for view, column in (("v_customer_search", "address"),
                             ("v_account_search", "service_address")):
            cond, arg = _words_match(column, long_words)
            keys.append(f"SELECT customer_id FROM {view} WHERE {cond}")
            params.append(arg)
    keys += ["SELECT customer_id FROM v_customer_search WHERE customer_no = %s",
             "SELECT customer_id FROM v_customer_search WHERE email = %s",
             "SELECT customer_id FROM v_account_search WHERE account_no = %s",
             "SELECT customer_id FROM v_account WHERE serial_no = %s"]
    params += [q, q, q, q]
    digits = re.sub(r"[\s\-().+/]", "", q)
    if len(digits) >= 4 and digits.isdigit():
        keys.append("SELECT customer_id FROM v_customer_search WHERE phone_digits = %s")
        params.append(digits)
    # the page is chosen from the names alone; only its customers get their rows, each joined
    # with its accounts (one row per account, one for a customer without)
    sql = f"""
        SELECT c.customer_id, c.customer_no, c.full_name, c.email, c.phone,
               s.account_id, s.account_no, s.service_address, s.status
        FROM v_customer_search c
        JOIN (SELECT n.customer_id
              FROM ({" UNION ".join(keys)}) k
              JOIN v_customer_search n ON n.customer_id = k.customer_id
              ORDER BY n.full_name, n.customer_no
              LIMIT %s OFFSET %s) t ON t.customer_id = c.customer_id
        LEFT JOIN v_account_search s ON s.customer_id = c.customer_id
        ORDER BY c.full_name, c.customer_no, s.account_no"""
    alias = Customer.objects.db
    with _search_time_limit(), connections[alias].cursor() as cur:
        cur.execute(_within(sql, SEARCH_SECONDS, alias), [*params, int(limit), int(offset)])
        rows = cur.fetchall()
    customers, accounts = [], {}
    for (customer_id, customer_no, full_name, email, phone,
         account_id, account_no, service_address, status) in rows:
        if not customers or customers[-1].customer_id != customer_id:
            customers.append(SearchHit(customer_id=customer_id, customer_no=customer_no,
                                       full_name=full_name, email=email, phone=phone,
                                       account_list=[]))
        if account_id is not None:
            accounts[account_id] = SearchHit(account_id=account_id, account_no=account_no,
                                             service_address=service_address, status=status,
                                             balance=None)
            customers[-1].account_list.append(accounts[account_id])
    if accounts:
        # by the accounts' ids, which MySQL pushes into v_account_balance (its sums are
        # subqueries in the select list: MySQL never merges it, so a join would sum every
        # account's ledger); MariaDB merges it and computes the ledger sum alone
        with connections[alias].cursor() as cur:
            cur.execute("SELECT account_id, balance FROM v_account_balance WHERE account_id IN (%s)"
                        % ", ".join(["%s"] * len(accounts)), list(accounts))
            for account_id, balance in cur.fetchall():
                accounts[account_id].balance = SearchHit(balance=balance)
    return customers


def _escape_like(word):
    """A \\w word for a LIKE pattern: it has no % or backslash, only _ to escape."""
    return word.replace("_", "\\_")


def _like_part(word):
    return "%" + _escape_like(word) + "%"


def _like_prefix(word):
    """The LIKE pattern of the words that start with `word` (a \\w word)."""
    return _escape_like(word) + "%"


def _word_forms(probes):
    """For each (view, prefix) of `probes`: the different words of the view's `word` column
    that start with the prefix ("smith%": Smith, Smithers), in order, at most WORD_PREFIX_MAX + 1
    (one more says there are too many). A view's prefixes are read no further once one of them
    starts no word, or too many: the view's search has its answer then (_ids_by_words), and its
    other prefixes keep the words found so far.

    Found in rounds, each one statement: every prefix still open asks for its first word after
    the last one found, an index dive each (a UNION ALL of ORDER BY word LIMIT 1 reads). The
    name and address words of a query take one statement more than the prefix with the most
    words has words ("Smith": 2 statements, where a statement per probe took 3; "Ben Scott": 2,
    where it took 6)."""
    found = [[] for _ in probes]
    still = list(range(len(probes)))
    with connections[Customer.objects.db].cursor() as cur:
        while still:
            parts, args = [], []
            for i in still:
                view, prefix = probes[i]
                after = " AND word > %s" if found[i] else ""
                parts.append(f"(SELECT %s AS probe, word FROM {view} WHERE word LIKE %s{after} "
                             "ORDER BY word LIMIT 1)")
                args += [i, prefix, *found[i][-1:]]
            cur.execute(" UNION ALL ".join(parts), args)
            answered = set()
            for i, word in cur.fetchall():
                answered.add(int(i))
                found[int(i)].append(word)
            done = {probes[i][0] for i in still
                    if not found[i] or len(found[i]) > WORD_PREFIX_MAX}
            # a prefix that found a word may start another; one that found none has them all
            still = [i for i in still if i in answered and probes[i][0] not in done]
    return found


class WordRead(NamedTuple):
    """A read of a word table (_ids_by_words): a SELECT of the ids of the first customers in the
    page's order, and its parameters; search_customers runs it as a derived table of its one
    statement, under the search's time limit."""
    sql: str
    params: list


def _names_by_word(long_words, short_words, forms, *, need):
    """The read (WordRead) of the ids of the first `need` customers in the page's order
    (full_name, customer_no) whose name has, for every long word of the query, a word starting
    with it and contains each short word (LIKE '%word%', as on the FULLTEXT path): the
    customers MATCH (full_name) AGAINST
    ('+word1* +word2* ...' IN BOOLEAN MODE) finds, since v_customer_name_word holds the words
    InnoDB's FULLTEXT parser makes (migration 0117). [] when a prefix starts no word (no name
    matches); None when the query has no long word, `need` is above WORD_PAGE_MAX, or a prefix
    starts more than WORD_PREFIX_MAX different words (then the caller asks the FULLTEXT
    index)."""
    # `forms`: the words each long word starts in the name words (_word_forms, _ids_by_words)
    short = "".join(" AND d.full_name LIKE %s" for _ in short_words)
    return _ids_by_words("v_customer_name_word", long_words, forms, need=need, where=short,
                         params=[_like_part(w) for w in short_words], same=("customer_id",),
                         pairs="v_customer_name_pair")


def _addresses_by_word(long_words, forms, *, need):
    """The read (WordRead) of the ids of the first `need` customers in the page's order whose
    postal address, or the service address of one of whose accounts, has for every long word
    of the query a word starting with it: the customers the FULLTEXT indexes of both
    addresses find for '+word1* +word2* ...' (v_customer_address_word, migration 0130, holds
    the same words, with the address they are in). [] when a prefix starts no word; None when
    `need` is above WORD_PAGE_MAX or a prefix starts more than WORD_PREFIX_MAX different
    words."""
    # `forms`: the words each long word starts in the address words (_word_forms)
    return _ids_by_words("v_customer_address_word", long_words, forms, need=need,
                         same=("customer_id", "account_id"))


def _ids_by_words(view, long_words, forms, *, need, same, where="", params=(), pairs=None):
    """The reader behind _names_by_word and _addresses_by_word: `view` has the columns word,
    full_name, customer_no, customer_id and those of `same` (the columns that name one name or
    one address: every word of the query must be in the same one), and its table's primary key
    starts (word, full_name, customer_no, customer_id). `where` (with `params`) narrows the rows
    read, as `d`. `pairs`, if given, is a view of `view`'s pairs of different words of one name
    (word, other, full_name, customer_no, customer_id; v_customer_name_pair), its primary key
    starting (word, other). `forms`: the different words each prefix of `long_words` starts
    ("smith": Smith, Smithers), from _word_forms; None when the word tables are not read (no
    long word, or a page past WORD_PAGE_MAX).

    With `pairs` and two prefixes that no word starts both of, the customers are read from
    `pairs`: one read per pair of their words, each in the page's order and stopped at `need`
    customers, any other prefix looked up per row. Otherwise (addresses; names whose every two
    prefixes share a word) _driven_reads reads one prefix's words and checks the others. Each
    list is in the page's order, and they are merged. Every read is an index range that stops
    at its LIMIT.

    Returns the merge as a WordRead, which the caller runs within its statement, under the
    search's time limit (SearchTooBroad past it); [] when a prefix starts no word (no customer
    matches); None (the FULLTEXT index answers) when one starts more than WORD_PREFIX_MAX."""
    if forms is None:
        return None
    if not all(forms):
        return []
    if any(len(f) > WORD_PREFIX_MAX for f in forms):
        return None
    prefixes = [_like_prefix(w) for w in long_words]
    one = " AND ".join(f"o.{c} = d.{c}" for c in same)
    pair = _disjoint_pair(forms) if pairs else None
    if pair is not None:
        # two words of one name (the first two prefixes of the query that no word starts
        # both of): its pairs, one read per pair of their words ("Ben Scott": Ben-Scott),
        # each in the page's order from the pairs' primary key (word, other, full_name,
        # customer_no, customer_id), so each stops at its LIMIT: 51 index entries for
        # "Ben Scott" at 1M. A name has both pairs, so neither word needs to drive: no
        # count, no sample. The other prefixes are looked up per row
        i, j = pair
        others = [p for k, p in enumerate(prefixes) if k not in pair]
        exists = "".join(f" AND {_lookup(view, one)}" for _ in others)
        parts, part_params = [], []
        for word in forms[i]:
            for other in forms[j]:
                parts.append(f"(SELECT d.customer_id, d.full_name, d.customer_no "
                             f"FROM {pairs} d WHERE d.word = %s AND d.other = %s{where}"
                             f"{exists} ORDER BY d.full_name, d.customer_no, d.customer_id "
                             f"LIMIT %s)")
                part_params += [word, other, *params, *others, int(need)]
    else:
        parts, part_params = _driven_reads(view, prefixes, forms, where, params, one,
                                           need=need)
    return WordRead(f"""
        SELECT customer_id FROM ({" UNION ALL ".join(parts)}) x
        GROUP BY customer_id, full_name, customer_no
        ORDER BY full_name, customer_no
        LIMIT %s""", [*part_params, int(need)])


def _disjoint_pair(forms):
    """The first two prefixes (i, j), in the query's order, of which no word is a form of both
    (`forms`: each prefix's words); None when every two share one ("smith smithers": Smithers
    starts both, and alone matches both: a word makes no pair with itself)."""
    for i in range(len(forms)):
        for j in range(i + 1, len(forms)):
            if not set(forms[i]) & set(forms[j]):
                return i, j
    return None


def _driven_reads(view, prefixes, forms, where, params, one, *, need):
    """_ids_by_words without pairs (addresses, and names whose every two prefixes share a
    word): the reads of the driver's words, as UNION ALL parts and their parameters. The
    prefix with the fewest rows (counted up to WORD_COUNT_CAP) drives; the other words come
    with the driver's (an address's "Elm" with its "Street"): a lookup per driver row, which
    stops at the page's end, when a quarter of the driver's first rows have them
    (_others_follow). Else EXISTS, which MariaDB may make a semi-join that first reads every
    row of the other prefix (200,000 for "Street" at 100k accounts: 134 ms a statement against
    21 ms for the lookups where they fill the page)."""
    driver, order = 0, list(range(len(prefixes)))
    with connections[Customer.objects.db].cursor() as cur:
        if len(prefixes) > 1:
            counts = []
            for prefix in prefixes:
                cur.execute(f"SELECT COUNT(*) FROM (SELECT 1 FROM {view} WHERE word LIKE %s "
                            "LIMIT %s) x", [prefix, WORD_COUNT_CAP])
                counts.append(cur.fetchone()[0])
            order.sort(key=lambda i: counts[i])       # stable: ties keep the query's order
            driver = order[0]
        others = [prefixes[i] for i in order[1:]]
        follow = others and _others_follow(cur, view, forms[driver][0], where, params, one,
                                           others, need=need)
    if follow:
        check = _lookup(view, one)
    else:
        check = f"EXISTS (SELECT 1 FROM {view} o WHERE {one} AND o.word LIKE %s)"
    exists = "".join(f" AND {check}" for _ in others)
    parts, part_params = [], []
    for word in forms[driver]:
        parts.append(f"(SELECT d.customer_id, d.full_name, d.customer_no FROM {view} d "
                     f"WHERE d.word = %s{where}{exists} "
                     f"GROUP BY d.full_name, d.customer_no, d.customer_id "
                     f"ORDER BY d.full_name, d.customer_no, d.customer_id LIMIT %s)")
        part_params += [word, *params, *others, int(need)]
    return parts, part_params


SAMPLE_ROWS = 1000             # _others_follow: the driver's first rows it reads at most


def _lookup(view, one):
    """The check that the name or address of row `d` (`one`: the columns that name it) has a
    word starting with a prefix (one %s): an index lookup per row, a scalar subquery that no
    server turns into a semi-join."""
    return f"(SELECT 1 FROM {view} o WHERE {one} AND o.word LIKE %s LIMIT 1) IS NOT NULL"


def _others_follow(cur, view, word, where, params, one, others, *, need):
    """Whether a quarter or more of the driver word's first rows in the page's order (4 x
    `need`, at most SAMPLE_ROWS) have every other prefix in the same name or address: then a
    lookup per row fills the page within those rows. One statement: that many index entries and
    a lookup each (the word, a constant, is not in its ORDER BY: with it MariaDB sorted all of
    the word's rows, 1.7 s for "Elm" at 1M accounts)."""
    rows = min(4 * int(need), SAMPLE_ROWS)
    checks = " AND ".join(_lookup(view, one) for _ in others)
    cur.execute(f"SELECT COUNT(*), COALESCE(SUM({checks}), 0) FROM (SELECT d.* FROM {view} d "
                f"WHERE d.word = %s{where} ORDER BY d.full_name, d.customer_no, d.customer_id "
                f"LIMIT %s) d", [*others, word, *params, rows])
    read, having = cur.fetchone()
    return int(having) * 4 >= int(read)


@contextlib.contextmanager
def _search_time_limit():
    """Turns the server's stop of a statement run under the search's time limit (_within with
    SEARCH_SECONDS) into SearchTooBroad."""
    try:
        yield
    except DatabaseError as e:           # 1969, 3024: OperationalError; 188: InternalError
        if e.args and e.args[0] in STATEMENT_TIMEOUT_ERRNOS:
            log.warning("a staff search stopped after %s s", SEARCH_SECONDS)   # not its words:
            raise SearchTooBroad(SEARCH_SECONDS) from None                     # they name people
        raise


def exact_number(*, query):
    """('customer', id) or ('account', id) when `query` is exactly a customer number, an
    account number or a meter serial (the search opens that record at once); else None."""
    q = (query or "").strip()
    if not q:
        return None
    with connections["billing"].cursor() as cur:   # the merged one-table views: index lookups
        cur.execute("SELECT 'customer', customer_id FROM v_customer_search WHERE customer_no = %s "
                    "UNION ALL SELECT 'account', account_id FROM v_account_search "
                    "WHERE account_no = %s "
                    "UNION ALL SELECT 'account', account_id FROM v_account WHERE serial_no = %s "
                    "LIMIT 1", [q, q, q])
        row = cur.fetchone()
    return (row[0], row[1]) if row else None


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


def account_balances(*, account_ids, only=None):
    """account_id -> AccountBalance, for the given accounts; `only`: the columns to read (the
    server computes only those of v_account_balance's five sums: the search reads the balance
    alone). An absent v_account_balance view (a schema older than the contract) gives {} and a
    warning instead of an error page."""
    if not account_ids:
        return {}
    qs = AccountBalance.objects.filter(account_id__in=account_ids)
    if only:
        qs = qs.only("account_id", *only)
    try:
        return {b.account_id: b for b in qs}
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


def reading_correction(*, reading_id):
    """What the reading's page offers: v_staff_reading_correction's row for it."""
    return ReadingCorrection.objects.filter(reading_id=reading_id).first()


def get_account(*, account_id):
    return Account.objects.filter(account_id=account_id).first()


def ledger_integrity_problems():
    """The rows of v_ledger_integrity (empty when all is well) as dicts."""
    with connections["billing"].cursor() as cursor:
        cursor.execute("SELECT * FROM v_ledger_integrity")
        columns = [c[0] for c in cursor.description]
        return [dict(zip(columns, row)) for row in cursor.fetchall()]


# --- back office ------------------------------------------------------------------------------
def account_statement(*, account_id):
    """The account's ledger in posting order with the running balance (computed by the view)."""
    return list(StatementEntry.objects.filter(account_id=account_id))


def account_bills(*, account_id):
    return list(BillSummary.objects.filter(account_id=account_id))


def account_payments(*, account_id):
    return list(Payment.objects.filter(account_id=account_id))


def account_discounts(*, account_id):
    return list(AccountDiscount.objects.filter(account_id=account_id))


def account_readings(*, account_id, limit=20):
    return list(MeterReading.objects.filter(account_id=account_id)[:limit])


def account_balance(*, account_id):
    return account_balances(account_ids=[account_id]).get(account_id)


def account_rows(*, account_id):
    """The account page's sections as querysets (billing.paging pages them): the statement in
    posting order (the page shows its last page first), the others newest first."""
    return {"statement": StatementEntry.objects.filter(account_id=account_id).order_by(
                "entry_id"),
            "bills": BillSummary.objects.filter(account_id=account_id).order_by("-period_end",
                                                                                "-bill_id"),
            "payments": Payment.objects.filter(account_id=account_id).order_by("-payment_id"),
            "readings": MeterReading.objects.filter(account_id=account_id).order_by(
                "-read_on", "-reading_id")}


def customer_rows(*, customer_id):
    """The customer page's sections as querysets, newest first (billing.paging pages them)."""
    ids = Account.objects.filter(customer_id=customer_id).values("account_id")
    return {"bills": BillSummary.objects.filter(account_id__in=ids).order_by("-period_end",
                                                                             "-bill_id"),
            "payments": Payment.objects.filter(account_id__in=ids).order_by("-payment_id"),
            "readings": MeterReading.objects.filter(account_id__in=ids).order_by(
                "-read_on", "-reading_id")}


def customer_bills(*, customer_id, limit=50):
    ids = Account.objects.filter(customer_id=customer_id).values("account_id")
    return list(BillSummary.objects.filter(account_id__in=ids)[:limit])


def customer_payments(*, customer_id, limit=50):
    ids = Account.objects.filter(customer_id=customer_id).values("account_id")
    return list(Payment.objects.filter(account_id__in=ids)[:limit])


def get_payment(*, payment_id):
    return Payment.objects.filter(payment_id=payment_id).first()


# --- bills, corrections and refunds (the staff bill page, refunds at the counter) -----------
from billing.models import (BillAllocation, BillHistory, BillLine, BillReading,  # noqa: E402
                            Refund)


def get_bill(*, bill_id):
    return BillSummary.objects.filter(bill_id=bill_id).first()


def bill_lines(*, bill_id):
    return list(BillLine.objects.filter(bill_id=bill_id))


def bill_readings(*, bill_id):
    """The readings the bill was computed from: start, points between, end."""
    return list(BillReading.objects.filter(bill_id=bill_id))


def bill_allocations(*, bill_id):
    return list(BillAllocation.objects.filter(bill_id=bill_id))


def bill_history(*, bill_id):
    return list(BillHistory.objects.filter(bill_id=bill_id))


def bill_is_latest(*, bill):
    """True when no later bill (by period_end) of the account is not cancelled: the only bill
    cancel_bill accepts (it decides; this only chooses what the page offers)."""
    return bill.cancelled_at is None and not BillSummary.objects.filter(
        account_id=bill.account_id, cancelled_at__isnull=True,
        period_end__gt=bill.period_end).exists()


def bill_ending_on_reading(*, reading_id):
    """The bill (not cancelled) whose end reading is `reading_id`, or None."""
    ids = BillReading.objects.filter(role="end", reading_id=reading_id).values("bill_id")
    return BillSummary.objects.filter(bill_id__in=ids, cancelled_at__isnull=True).first()


def latest_point(*, serial_no):
    """The meter's latest reading point (not rejected, not void), or None."""
    return (MeterReading.objects.filter(serial_no=serial_no)
            .exclude(status__in=("rejected", "void")).order_by("-read_on", "-reading_id").first())


def account_credit(*, account_id):
    """The account's unallocated credit (the sum of its payments' unallocated money, summed by
    the database)."""
    from django.db.models import Sum
    return (Payment.objects.filter(account_id=account_id, status="posted")
            .aggregate(credit=Sum("unallocated"))["credit"])


def account_refunds(*, account_id):
    return list(Refund.objects.filter(account_id=account_id))


def customer_refunds(*, customer_id):
    return list(Refund.objects.filter(customer_id=customer_id))


def get_refund(*, refund_id):
    return Refund.objects.filter(refund_id=refund_id).first()


def review_queue():
    """The ids of the readings waiting for review, oldest first (read_on, reading_id), as a
    queryset to page (billing.paging): a page's ids and the count come from the index alone
    (db/views/v_staff_review_queue.sql); review_queue_rows reads the rows of one page."""
    return ReviewQueueReading.objects.order_by("read_on", "reading_id").values_list(
        "reading_id", flat=True)


class PreviousPoint(NamedTuple):
    read_on: datetime.date
    value: object
    status: str


def review_queue_size():
    return review_queue().count()


def review_queue_rows(*, reading_ids, previous=True):
    """The readings `reading_ids` of the review queue, in its order, each with its account
    (`.account_id`, `.account_no`), the meter's usual use (`.daily_kwh`, `.history_kwh`,
    `.history_days`: the history the high-use rule compared with) and, with `previous`,
    `.previous` (the meter's 3 points before it, newest first, as PreviousPoint). One query,
    and one for the previous points."""
    readings = list(ReviewQueueReading.objects.filter(reading_id__in=list(reading_ids))
                    .order_by("read_on", "reading_id"))
    if not previous:
        return readings
    history = {}
    for meter_id, *point in (MeterReading.objects
                             .filter(meter_id__in={r.meter_id for r in readings})
                             .order_by("meter_id", "-read_on")
                             .values_list("meter_id", "read_on", "value", "status")):
        history.setdefault(meter_id, []).append(PreviousPoint(*point))
    for r in readings:
        r.previous = [p for p in history.get(r.meter_id, []) if p.read_on < r.read_on][:3]
    return readings


def tariffs():
    """Tariffs with their versions (newest first) and each version's blocks:
    [(first row of the tariff, [versions with .block_rows])]."""
    rows = list(TariffVersion.objects.all())
    blocks = {}
    for b in TariffBlock.objects.all():
        blocks.setdefault(b.tariff_version_id, []).append(b)
    out, by_code = [], {}
    for r in rows:
        if r.tariff_code not in by_code:
            by_code[r.tariff_code] = (r, [])
            out.append(by_code[r.tariff_code])
        if r.tariff_version_id is not None:
            r.block_rows = blocks.get(r.tariff_version_id, [])
            by_code[r.tariff_code][1].append(r)
    return out


def tariff_choices():
    """One row per tariff (code, name) for choice lists."""
    seen, out = set(), []
    for r in TariffVersion.objects.order_by("tariff_code"):
        if r.tariff_code not in seen:
            seen.add(r.tariff_code)
            out.append(r)
    return out


def get_tariff(*, code):
    return TariffVersion.objects.filter(tariff_code=code).order_by("-effective_from").first()


def tariff_versions(*, code):
    """The versions of tariff `code`, newest first (none for a tariff without versions)."""
    return list(TariffVersion.objects.filter(tariff_code=code, tariff_version_id__isnull=False)
                .order_by("-effective_from"))


def tariff_code_exists(code):
    return TariffVersion.objects.filter(tariff_code=code).exists()


def discount_code_exists(code):
    return Discount.objects.filter(code=code).exists()


def tariff_latest_blocks(*, code):
    v = get_tariff(code=code)
    if v is None or v.tariff_version_id is None:
        return []
    return list(TariffBlock.objects.filter(tariff_version_id=v.tariff_version_id))


def tariff_version_in_force(*, code, on):
    """The version of tariff `code` in force on `on` (the latest from on or before it), or None."""
    return (TariffVersion.objects.filter(tariff_code=code, effective_from__lte=on)
            .order_by("-effective_from").first())


def tariff_version_blocks(*, tariff_version_id):
    return list(TariffBlock.objects.filter(tariff_version_id=tariff_version_id))


# --- the tariff what-if (simulate_tariff) ------------------------------------------------------
def tariff_simulation(*, simulation_id, code=None):
    """The summary of a what-if (v_tariff_simulation_summary), of tariff `code` when given."""
    q = TariffSimulation.objects.filter(simulation_id=simulation_id)
    if code is not None:
        q = q.filter(tariff_code=code)
    return q.first()


def tariff_simulation_blocks(*, simulation_id):
    return list(TariffSimulationBlock.objects.filter(simulation_id=simulation_id))


def tariff_simulation_histogram(*, simulation_id):
    """Every bucket of percent change, lowest first, with its count of accounts."""
    return list(TariffSimulationBucket.objects.filter(simulation_id=simulation_id))


def tariff_simulation_typical(*, simulation_id):
    return list(TariffSimulationTypical.objects.filter(simulation_id=simulation_id))


def tariff_simulation_most_affected(*, simulation_id, limit=10):
    """The `limit` largest increases and the `limit` largest decreases (by amount), each list
    largest first; reads ix_simulation_account_change from each end."""
    q = TariffSimulationAccount.objects.filter(simulation_id=simulation_id)
    up = list(q.filter(change_amount__gt=0).order_by("-change_amount", "account_id")[:limit])
    down = list(q.filter(change_amount__lt=0).order_by("change_amount", "account_id")[:limit])
    return up, down


def tariff_simulation_accounts(*, simulation_id):
    """Every account of a what-if, by account number (for the CSV), streamed."""
    return (TariffSimulationAccount.objects.filter(simulation_id=simulation_id)
            .order_by("account_no").iterator(chunk_size=2000))


def discounts():
    return list(Discount.objects.all())


def billing_runs(*, limit=100):
    return list(BillingRun.objects.all()[:limit])


def get_run(*, run_id):
    return BillingRun.objects.filter(run_id=run_id).first()


def latest_run_id():
    run = BillingRun.objects.order_by("-run_id").first()
    return run.run_id if run else 0


def find_run(*, after_run_id, period_start, period_end, started_by):
    """The first run after `after_run_id` for the period started by `started_by` (a background
    run's row, once run_billing has committed it)."""
    return BillingRun.objects.filter(
        run_id__gt=after_run_id, period_start=period_start, period_end=period_end,
        started_by=started_by).order_by("run_id").first()


def run_exceptions(*, run_id):
    """The run's exceptions; each READ_NEEDS_REVIEW one gets `.reading_id`, the account's
    reading now in review (None when there is none any more)."""
    rows = list(BillingException.objects.filter(run_id=run_id))
    waiting = {}
    for r in MeterReading.objects.filter(
            status="review", account_id__in={x.account_id for x in rows
                                             if x.code == "READ_NEEDS_REVIEW"}
    ).order_by("read_on", "reading_id"):
        waiting.setdefault(r.account_id, r.reading_id)
    for x in rows:
        x.reading_id = waiting.get(x.account_id)
    return rows


def period_run(*, period_start, period_end):
    """The latest run of exactly this period that did not fail (None when there is none)."""
    return BillingRun.objects.filter(period_start=period_start, period_end=period_end).exclude(
        status="failed").order_by("-run_id").first()


def account_exceptions(*, account_id, limit=10):
    return list(BillingException.objects.filter(account_id=account_id).order_by("-run_id")[:limit])


def collections_of_day(*, day):
    # the day's close beside the day's payments: from the primary, like them (never a report replica)
    return list(CollectionsDaily.objects.using("billing").filter(day=day).order_by("method"))


def payments_of_day(*, day, cashier=None):
    """The day's payments in paid_at order (a queryset, for paging), one cashier's (posted_by)
    when given. The day is a range of paid_at (ix_payment_paid_at; with a cashier,
    ix_payment_cashier_paid, migration 0123), never DATE(paid_at), which no index serves."""
    start = datetime.datetime.combine(day, datetime.time.min)
    q = Payment.objects.filter(paid_at__gte=start, paid_at__lt=start + datetime.timedelta(days=1))
    if cashier is not None:
        q = q.filter(posted_by=cashier)
    return q.order_by("paid_at", "payment_id")


PAYMENTS_EXPORT_CHUNK = 2000


def payments_of_day_export(*, day, cashier=None, chunk=None):
    """Every payment of payments_of_day, in its order, as rows for an export: receipt, paid at,
    account number, cashier, method, reference, amount, status. Read a chunk at a time after
    the last (paid_at, payment_id) seen (an index range each, like the page), with the chunk's
    account numbers and references, so a day of 300,000 payments is never one query's result
    in memory (at 1M accounts: 377,429 payments, 30 MB, in 8 s; the first line at once)."""
    chunk = chunk or PAYMENTS_EXPORT_CHUNK
    q = payments_of_day(day=day, cashier=cashier).values_list(
        "payment_id", "receipt_no", "paid_at", "account_id", "posted_by", "method", "amount",
        "status")
    after = None
    while True:
        part = q if after is None else q.filter(
            Q(paid_at__gt=after[0]) | Q(paid_at=after[0], payment_id__gt=after[1]))
        payments = list(part[:chunk])
        if not payments:
            return
        references = payment_references(payment_ids=[p[0] for p in payments])
        numbers = dict(Account.objects.filter(account_id__in={p[3] for p in payments})
                       .values_list("account_id", "account_no"))
        for payment_id, receipt, paid_at, account_id, cashier_, method, amount, status in payments:
            yield [receipt, paid_at, numbers.get(account_id, account_id), cashier_, method,
                   references.get(payment_id), amount, status]
        if len(payments) < chunk:
            return
        after = (payments[-1][2], payments[-1][0])


# --- bank files (v_staff_payment_batch*, docs/backoffice.md "Bank files") --------------------
# the list's columns: v_staff_payment_batch reads the batch's figures kept on its payment_batch
# row (migration 0129), so a page of the list reads 50 rows whatever the batches' sizes (at 1M
# accounts, 0.2 ms for a 100,000-line batch; 0.15 s when each figure was counted from the
# lines). The flag counts (unknown and closed accounts: an account lookup per line) are still
# computed, for a batch's own page only: the list does not select them.
BATCH_LIST_COLUMNS = ("batch_id", "batch_ref", "status", "created_by", "created_at", "lines",
                      "pending", "posted", "replayed", "refused", "amount_posted")


def payment_batches():
    """Every payment batch, newest first (a queryset, for paging), with the list's columns only
    (BATCH_LIST_COLUMNS)."""
    return PaymentBatch.objects.only(*BATCH_LIST_COLUMNS).order_by("-batch_id")


def get_payment_batch(*, batch_id):
    return PaymentBatch.objects.filter(batch_id=batch_id).first()


def open_payment_batch(*, batch_ref):
    """The open batch of that name (stage_payment_batch would append to it), or None."""
    return PaymentBatch.objects.filter(batch_ref=batch_ref, status="open").only(
        "batch_id", "batch_ref").first()


def payment_batch_lines(*, batch_id, outcome=None, flagged=False):
    """A batch's lines in line order (a queryset): all, one outcome, or (flagged) the lines the
    preview flags (unknown account, no valid amount, closed account, no key)."""
    q = PaymentBatchLine.objects.filter(batch_id=batch_id)
    if outcome:
        q = q.filter(outcome=outcome)
    if flagged:
        q = q.filter(Q(unknown_account=True) | Q(bad_amount=True) | Q(closed_account=True)
                     | Q(no_key=True))
    return q.order_by("line_no")


def payment_batch_accounts(*, batch_id):
    """A batch's lines per account number (a queryset): most lines first."""
    return PaymentBatchAccount.objects.filter(batch_id=batch_id).order_by("-lines", "account_no")


def collections(*, limit=400):
    return list(CollectionsDaily.objects.all()[:limit])


def aging(*, limit=1000):
    return list(Aging.objects.order_by("-total_open", "account_no")[:limit])


def revenue(*, limit=400):
    return list(RevenueReport.objects.all()[:limit])


def consumption(*, limit=400):
    return list(ConsumptionReport.objects.all()[:limit])


AUDIT_ID_END = 2 ** 64 - 1     # above every audit_id (BIGINT UNSIGNED)
# how many of a customer's or an account's audit ids are read at a time (v_audit_subject), and
# at most: a list of literal ids is read by the primary key whatever the statistics say, as
# long as the range optimizer keeps it (MySQL gives up on a list beyond
# range_optimizer_max_mem_size; a few thousand ids stay well under it)
AUDIT_SUBJECT_BATCH = 500
AUDIT_SUBJECT_BATCH_MAX = 4000


def _audit_subject_ids(*, column, value, below, count):
    """The newest `count` audit ids under `below` of one customer's or one account's rows
    (v_audit_subject, every branch an index lookup), newest first."""
    with connections["billing"].cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT audit_id FROM v_audit_subject WHERE {column} = %s "
                       "AND audit_id < %s ORDER BY audit_id DESC LIMIT %s",
                       [value, below, count])
        return [row[0] for row in cursor.fetchall()]


def audit_entries(*, customer_id=None, account_id=None, who=None, what=None, date_from=None,
                  date_to=None, before=None, limit=200):
    """The newest `limit` audit rows matching every filter given, older than audit_id `before`
    (keyset paging: no COUNT over the trail). who: the start of the application actor or of the
    database user; what: an action (insert, payment_reversed, ...) or a table name."""
    q = AuditEntry.objects.all()
    if customer_id is not None:
        q = q.filter(customer_id=customer_id)
    if account_id is not None:
        q = q.filter(account_id=account_id)
    if date_from is not None:
        q = q.filter(changed_at__gte=date_from)
    if date_to is not None:
        q = q.filter(changed_at__lt=date_to + datetime.timedelta(days=1))
    if before is not None:
        q = q.filter(audit_id__lt=before)
    if customer_id is None and account_id is None:
        # a bound on audit_id on the first page too (unless a window's dates are read instead,
        # below: the bound made the server read the trail from the top, 0.7 s a year back):
        # with it the server reads a table's or an action's rows newest first from
        # (table_name, audit_id) or (action, audit_id) and stops at `limit`; without it, it
        # guessed the matches were spread over the trail and read it backwards (0.7 s for the
        # newest 50 account rows at 1M accounts)
        if before is None and date_to is None:
            q = q.filter(audit_id__lt=AUDIT_ID_END)
        return _audit_page(q, who=who, what=what, date_to=date_to, limit=limit)
    # v_audit_log computes customer_id and account_id per row (a filter on them alone reads the
    # whole trail). The customer's or the account's audit ids are read first, by index, from
    # v_audit_subject, newest first and a batch at a time; v_audit_log's own filter and the
    # others then decide which of those rows are shown. Two statements, so that the server
    # cannot start from the wrong end: as one statement (audit_id IN (SELECT ... FROM
    # v_audit_subject)) it read the 4.4M-row trail backwards for 15-21 s at 1M accounts
    # whenever the statistics of ix_audit_account said an account had many rows (right after
    # a bulk load; tests/web/test_audit_page.py makes the statistics lie).
    column, value = (("account_id", account_id) if account_id is not None
                     else ("customer_id", customer_id))
    found, below, count = [], before if before is not None else AUDIT_ID_END, AUDIT_SUBJECT_BATCH
    while len(found) < limit:
        ids = _audit_subject_ids(column=column, value=value, below=below, count=count)
        if ids:
            found += _audit_page(q.filter(audit_id__in=ids), who=who, what=what,
                                 date_to=date_to, limit=limit - len(found))
        if len(ids) < count:
            break
        below, count = ids[-1], min(count * 2, AUDIT_SUBJECT_BATCH_MAX)
    return found


def _audit_page(q, *, who, what, date_to, limit):
    """The newest `limit` rows of q that match who and what."""
    # who and what match one of two columns: an OR of two columns reads every match (or the
    # trail) before it can sort, so each column is a branch of its own, read newest first by
    # its index (ix_audit_actor, ix_audit_db_user, ix_audit_action, ix_audit_table), and the
    # page is the newest `limit` of the branches' (the same rows as the OR). A prefix is
    # matched with LIKE BINARY (which decides: case and accents count, as before) and the
    # collation's LIKE (which an index can read); the name itself (staff:ann, the usual
    # search) is a branch of its own, read in audit_id order, apart from longer names
    # (staff:anna), which the index can only give unordered.
    branches = [q]
    if who:
        branches = [b.filter(**{f"{column}__startswith": who}).filter(like)
                    for b in branches for column in ("actor", "db_user")
                    for like in (Q(**{column: who}),
                                 Q(**{f"{column}__istartswith": who}) & ~Q(**{column: who}))]
    if what:
        branches = [b.filter(**{column: what})
                    for b in branches for column in ("action", "table_name")]
    # a window that ends in the past (date_to) is read by its dates (ix_audit_time) and its
    # rows sorted: ordered by audit_id (the primary key) the server would read the trail back
    # from its newest row to the window (1.0-1.2 s for a month a year ago at 1M accounts: 35 ms
    # sorted; all of a year ago and before, 870k rows: 1.1-1.5 s, 0.16 s sorted); `audit_id +
    # 0` is the same order that the primary key cannot give
    newest = (F("audit_id") + 0).desc() if date_to is not None else "-audit_id"
    if len(branches) == 1:
        return list(q.order_by(newest)[:limit])
    first, *rest = (b.order_by(newest)[:limit] for b in branches)
    return list(first.union(*rest).order_by("-audit_id")[:limit])


def accounts_by_id(*, account_ids):
    return {a.account_id: a for a in Account.objects.filter(account_id__in=set(account_ids))}


def reversal_effects(*, payment_id):
    """What reversing the payment would do: (Reversal row or None, [ReversalBill rows])."""
    return (Reversal.objects.filter(payment_id=payment_id).first(),
            list(ReversalBill.objects.filter(payment_id=payment_id)))


def meter_context(*, serial_no):
    """The meter's latest point, typical daily use and check numbers (None: no such meter)."""
    serial = (serial_no or "").strip()
    return MeterContext.objects.filter(serial_no=serial).first() if serial else None


def recent_readings(*, meter_id, limit=5):
    return list(MeterReading.objects.filter(meter_id=meter_id).order_by("-read_on")[:limit])


def payment_references(*, payment_ids):
    """payment_id -> the cheque number or transfer reference typed at the counter."""
    if not payment_ids:
        return {}
    with connections["billing"].cursor() as cur:
        cur.execute("SELECT payment_id, reference FROM v_staff_payment_reference "
                    "WHERE payment_id IN (" + ", ".join(["%s"] * len(payment_ids)) + ") "
                    "AND reference IS NOT NULL", list(payment_ids))
        return dict(cur.fetchall())


def dunning_totals():
    """{"accounts": n, "overdue": money, "taken_at": None} of the dunning list now
    (v_staff_dunning_total)."""
    with connections["billing"].cursor() as cur:
        cur.execute("SELECT accounts, overdue FROM v_staff_dunning_total")
        accounts, overdue = cur.fetchone()
    return {"accounts": accounts, "overdue": overdue, "taken_at": None}


def dunning_kept_totals(*, max_age):
    """The heading of the dunning list the 5-minute job kept (v_dunning_kept_total):
    {"accounts", "overdue", "taken_at"} when it was taken today and at most `max_age` seconds
    ago; None otherwise (never taken, yesterday's, or the job stopped)."""
    with connections["billing"].cursor() as cur:
        cur.execute("SELECT accounts, overdue, taken_at FROM v_dunning_kept_total "
                    "WHERE as_of = CURRENT_DATE AND age_seconds BETWEEN 0 AND %s", [max_age])
        row = cur.fetchone()
    return None if row is None else dict(zip(("accounts", "overdue", "taken_at"), row))


class KeptDunningRows:
    """The kept dunning list (DunningKept) as a sequence for the pager: a slice picks its account
    ids from the list's index alone (ix_dunning_snapshot_account_order; the view's joins left
    out), then reads those rows, so page 10,000 costs little more than page 1 (an OFFSET over the
    view with its joins joined every row before it: 3 s at 1M). Each row gets `.now`: the
    account's Dunning row now (its level, amount, oldest due date and last reminder as v_dunning
    says them at this moment), or None when nothing of it is overdue any more."""

    def __init__(self, count):
        self.count = count

    def __len__(self):
        return self.count

    def __getitem__(self, bounds):
        ids = list(DunningKept.objects.values_list("account_id", flat=True)[bounds])
        rows = list(DunningKept.objects.filter(account_id__in=ids))
        now = Dunning.objects.in_bulk(ids)
        for r in rows:
            r.now = now.get(r.account_id)
        return rows


def collections_by_cashier(*, day, cashier=None):
    """The day's rows of v_staff_collections_cashier as dicts, each cashier's methods then its
    subtotal (method None), the day's total last (cashier None). With `cashier`: that cashier's
    rows only (methods, then the subtotal)."""
    sql = ("SELECT cashier, method, payments, amount, reversed_payments, reversed_amount, "
           "payments_taken FROM v_staff_collections_cashier WHERE day = %s")
    params = [day]
    if cashier is not None:
        sql += " AND cashier = %s"
        params.append(cashier)
    with connections["billing"].cursor() as cur:
        cur.execute(sql, params)
        cols = [c[0] for c in cur.description]
        rows = [dict(zip(cols, r)) for r in cur.fetchall()]
    return sorted(rows, key=lambda r: (r["cashier"] is None, r["cashier"] or "",
                                       r["method"] is None, r["method"] or ""))


def final_bill(*, account_id):
    """The account's final bill (v_bill_summary.final = 1, not cancelled) as a dict, or None."""
    with connections["billing"].cursor() as cursor:
        cursor.execute("SELECT bill_id, bill_no, period_start, period_end, total_amount, "
                       "amount_open, status FROM v_bill_summary "
                       "WHERE account_id = %s AND final = 1 AND cancelled_at IS NULL "
                       "ORDER BY bill_id DESC LIMIT 1", [account_id])
        row = cursor.fetchone()
        return dict(zip([c[0] for c in cursor.description], row)) if row else None


def reading_uploads(*, limit=10):
    """The latest CSV uploads of readings (audit events web_readings_uploaded), newest first:
    audit rows with the file name and counts in new_values."""
    return list(AuditEntry.objects.filter(action="web_readings_uploaded")
                .order_by("-audit_id")[:limit])

# --- bill review: previews of runs, why a bill differs, late fees charged (issue 20) ----------
from billing.models import (BillExplanation, BillingPreview, BillUsagePeriod,  # noqa: E402
                            LateFeeCharged, PreviewBill, PreviewException, PreviewLine)

PREVIEW_SHOWS = ("flagged", "estimated", "all")


def get_preview(*, preview_id):
    return BillingPreview.objects.filter(preview_id=preview_id).first()


def recent_previews(*, limit=10):
    """The newest previews (they are discarded after 7 days or by hand)."""
    return list(BillingPreview.objects.all()[:limit])


def latest_preview_id():
    preview = BillingPreview.objects.order_by("-preview_id").first()
    return preview.preview_id if preview else 0


def find_preview(*, after_preview_id, period_start, period_end, created_by):
    """The first preview after `after_preview_id` of the period made by `created_by` (a
    background preview's row, once preview_billing has committed it)."""
    return BillingPreview.objects.filter(
        preview_id__gt=after_preview_id, period_start=period_start, period_end=period_end,
        created_by=created_by).order_by("preview_id").first()


def preview_bills(*, preview_id, show="flagged", flag=None):
    """The previewed bills to review (a queryset, for paging and CSV): `show` "flagged" (any
    flag), "estimated", "flagged_or_estimated" or "all"; `flag` HIGH / LOW / ZERO narrows to one
    flag."""
    rows = PreviewBill.objects.filter(preview_id=preview_id)
    if flag:
        rows = rows.filter(flag=flag)
    if show == "flagged":
        rows = rows.filter(flag__isnull=False)
    elif show == "estimated":
        rows = rows.filter(estimated=True)
    elif show == "flagged_or_estimated":
        rows = rows.filter(Q(flag__isnull=False) | Q(estimated=True))
    return rows.order_by("account_no")


def preview_bill(*, preview_id, account_id):
    return PreviewBill.objects.filter(preview_id=preview_id, account_id=account_id).first()


def preview_lines(*, preview_id, account_id):
    return list(PreviewLine.objects.filter(preview_id=preview_id, account_id=account_id))


def preview_exceptions(*, preview_id):
    """The preview's exceptions; each READ_NEEDS_REVIEW one gets `.reading_id` as on a run."""
    rows = list(PreviewException.objects.filter(preview_id=preview_id))
    waiting = {}
    for r in MeterReading.objects.filter(
            status="review", account_id__in={x.account_id for x in rows
                                             if x.code == "READ_NEEDS_REVIEW"}
    ).order_by("read_on", "reading_id"):
        waiting.setdefault(r.account_id, r.reading_id)
    for x in rows:
        x.reading_id = waiting.get(x.account_id)
    return rows


def bill_explanation(*, bill_id):
    return BillExplanation.objects.filter(bill_id=bill_id).first()


def bill_usage_history(*, bill_id):
    """The bill's last 13 periods, oldest first (v_bill_usage_history)."""
    return list(BillUsagePeriod.objects.filter(bill_id=bill_id).order_by("period_end"))


def latest_late_fee_entry():
    row = LateFeeCharged.objects.order_by("-entry_id").first()
    return row.entry_id if row else 0


def late_fees_charged(*, after_entry_id, as_of, actor):
    """The late fees one apply_late_fees call charged: the ledger debits dated `as_of` by
    `actor` after the entry that was the latest before the call (a queryset)."""
    return LateFeeCharged.objects.filter(entry_id__gt=after_entry_id, entry_date=as_of,
                                         actor=actor).order_by("bill_id")
