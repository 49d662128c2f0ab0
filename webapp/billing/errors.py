"""The one place where the contract's error numbers become Python exceptions.

Every procedure of the billing schema signals `SQLSTATE '45000'` with a MYSQL_ERRNO from the
contract (../shared/spec/sql-api.md, "Errors") and a MESSAGE_TEXT that names the field or the
object. `ERRORS` maps each errno to its contract name (the code) and a sentence for a person;
`error_for()` turns an errno and the server's text into an instance of the matching
`BillingError` subclass. Views catch `BillingError` and show `user_message` and `message`.
Two of the server's own numbers, a lock wait timeout and a deadlock that outlasted services'
attempts (`BUSY_ERRNOS`), become `Busy`, a BillingError too: the account is busy, nothing was
done, try again.
"""

# errno -> (code, user message). The codes and numbers are the contract's; keep them exact.
ERRORS = {
    45001: ("NOT_FOUND", "Not found."),
    45002: ("INVALID_ARGUMENT", "A value is missing or not valid."),
    45003: ("CONFLICT", "This conflicts with something that exists already."),
    45010: ("READING_BACKWARDS",
            "The reading is lower than the previous one and is not a rollover."),
    45011: ("READING_OUT_OF_RANGE",
            "The reading is out of range: negative, at or over the dial capacity, in the future, "
            "or not after the meter's latest reading."),
    45020: ("PAYMENT_AMOUNT_INVALID",
            "The amount must be above zero, at most 1,000,000.00, with at most two decimals."),
    45021: ("ACCOUNT_NOT_PAYABLE", "The account is closed and has nothing left to pay."),
    45022: ("IDEMPOTENCY_MISMATCH",
            "This payment key was used before for another account or amount."),
    45023: ("ALREADY_REVERSED", "The payment was reversed before."),
    45024: ("REFUND_EXCEEDS_CREDIT",
            "The refund is more than the credit on the account."),
    45030: ("TARIFF_RETROACTIVE",
            "A tariff version cannot start on or before a day already billed on that tariff."),
    45031: ("TARIFF_INVALID_BLOCKS",
            "The tariff blocks are not valid: they must be strictly increasing, only the last "
            "may be open, and no rate may be negative."),
    45040: ("PERIOD_INVALID",
            "The billing period is not valid: end before start, over 62 days, a period not over "
            "yet, an issue date before the period end or before today, or due days outside "
            "1..90."),
    45050: ("BILL_NOT_CANCELLABLE",
            "This bill cannot be cancelled: it is cancelled already, or a later bill of the "
            "account must be cancelled first."),
    45060: ("IMMUTABLE", "Ledger, allocation, bill and payment records cannot be changed."),
}

UNKNOWN_CODE = "BILLING_ERROR"

# The server's own numbers (not the contract's) for a statement stopped at its time limit:
# MariaDB's max_statement_time (ER_STATEMENT_TIMEOUT, 1969) and MySQL's MAX_EXECUTION_TIME hint
# (ER_QUERY_TIMEOUT, 3024). MariaDB stopped inside an InnoDB FULLTEXT search answers with the
# storage engine's own number instead, 188 (HA_ERR_ABORTED_BY_USER, "Operation was interrupted
# by end user"; seen in tests/web/test_customer_search.py). The staff search runs under such a
# limit (selectors.SearchTooBroad).
STATEMENT_TIMEOUT_ERRNOS = (1969, 3024, 188)
SEARCH_TOO_BROAD = ("The search stopped after {seconds:g} seconds: these words are in too many "
                    "names or addresses. Add a word (more of the name, the house number or the "
                    "street), or search by the exact customer number, account number, e-mail "
                    "address, phone number or meter serial.")

# The server's own numbers (not the contract's) for a call that did not get its row locks: a lock
# wait timeout (1205: another session held the row longer than innodb_lock_wait_timeout, for the
# web's sessions settings.BILLING_LOCK_WAIT_TIMEOUT) or a deadlock (1213). services retries such
# a call (RETRY_ERRNOS, MAX_ATTEMPTS); when every attempt met one, call_procedure raises `Busy`.
# Each attempt was rolled back whole (every procedure: EXIT HANDLER ... ROLLBACK; RESIGNAL), so
# nothing was done. Every procedure locks the account row first, hence the sentence.
BUSY_ERRNOS = {1213: "deadlock", 1205: "lock wait timeout"}
BUSY = ("BUSY", "The account is busy: another payment, a refund or a billing run holds it. Try "
                "again in a minute.")
BUSY_DETAIL = "Nothing was saved or posted."

# Bank files (billing/bank_import.py): why an uploaded file as a whole is refused before anything
# is staged. code -> sentence (str.format fields filled in by the caller).
FILE_ERRORS = {
    "too_large": "The file is larger than {limit_mb} MB. Split it into files of at most "
                 "{max_lines:,} lines.",
    "not_utf8": "The file is not UTF-8 text. Save it as \u201cCSV UTF-8\u201d and upload it again.",
    "not_text": "The file is not a CSV text file.",
    "empty": "The file is empty. Download the template to see the format.",
    "missing": "Choose the bank file to upload.",
    "bad_header": "The first line must be the header {expected} (found: {found}). Download the "
                  "template to see the format.",
    "too_many_lines": "The file has more than {max_lines:,} payment lines. Split it into "
                      "files of at most {max_lines:,} lines.",
    "no_lines": "The file has a header but no payment lines.",
    "wrong_fields": "Every line needs {expected} fields, like the header. Lines with another "
                    "number of fields: {lines}.",
    "too_long": "A value is longer than {limit} characters on line(s) {lines}.",
    "open_batch": "An open batch named \u201c{batch_ref}\u201d exists already (batch {batch_id}): "
                  "post it first, or upload this file under another name.",
}


class BillingError(Exception):
    """A refusal by the billing schema: `code` (contract name), `message` (the server's text,
    naming the field or object), `errno` (the contract number)."""

    def __init__(self, code, message, errno):
        super().__init__(f"{code} ({errno}): {message}")
        self.code = code
        self.message = message
        self.errno = errno

    @property
    def user_message(self):
        """The contract's sentence for this error, for a person."""
        return ERRORS.get(self.errno, (None, "The billing database refused the request."))[1]

    @property
    def field(self):
        """The argument the server's message names first (e.g. "email is not a valid ..."
        -> "email"), or None. Messages name the field first by convention."""
        word = self.message.split(" ", 1)[0].strip(":,.") if self.message else ""
        return word if word.isidentifier() and word.islower() else None


class NotFound(BillingError): pass                # noqa: E701
class InvalidArgument(BillingError): pass         # noqa: E701
class Conflict(BillingError): pass                # noqa: E701
class ReadingBackwards(BillingError): pass        # noqa: E701
class ReadingOutOfRange(BillingError): pass       # noqa: E701
class PaymentAmountInvalid(BillingError): pass    # noqa: E701
class AccountNotPayable(BillingError): pass       # noqa: E701
class IdempotencyMismatch(BillingError): pass     # noqa: E701
class AlreadyReversed(BillingError): pass         # noqa: E701
class RefundExceedsCredit(BillingError): pass     # noqa: E701
class TariffRetroactive(BillingError): pass       # noqa: E701
class TariffInvalidBlocks(BillingError): pass     # noqa: E701
class PeriodInvalid(BillingError): pass           # noqa: E701
class BillNotCancellable(BillingError): pass      # noqa: E701
class Immutable(BillingError): pass               # noqa: E701


class Busy(BillingError):
    """A call whose every attempt waited in vain for a row lock (BUSY_ERRNOS): `errno` 1205 or
    1213, `message` BUSY_DETAIL (nothing was done), `server_message` the server's text (logged
    by services)."""

    def __init__(self, errno, server_message):
        super().__init__(BUSY[0], BUSY_DETAIL, errno)
        self.server_message = server_message

    @property
    def user_message(self):
        return BUSY[1]


CLASSES = {
    "NOT_FOUND": NotFound,
    "INVALID_ARGUMENT": InvalidArgument,
    "CONFLICT": Conflict,
    "READING_BACKWARDS": ReadingBackwards,
    "READING_OUT_OF_RANGE": ReadingOutOfRange,
    "PAYMENT_AMOUNT_INVALID": PaymentAmountInvalid,
    "ACCOUNT_NOT_PAYABLE": AccountNotPayable,
    "IDEMPOTENCY_MISMATCH": IdempotencyMismatch,
    "ALREADY_REVERSED": AlreadyReversed,
    "REFUND_EXCEEDS_CREDIT": RefundExceedsCredit,
    "TARIFF_RETROACTIVE": TariffRetroactive,
    "TARIFF_INVALID_BLOCKS": TariffInvalidBlocks,
    "PERIOD_INVALID": PeriodInvalid,
    "BILL_NOT_CANCELLABLE": BillNotCancellable,
    "IMMUTABLE": Immutable,
}


def normalize_errno(errno):
    """mysqlclient reports 45001 as is; PyMySQL as a signed 16-bit number (-20535)."""
    if isinstance(errno, int) and -32768 <= errno < 0:
        return errno + 65536
    return errno


def is_contract_errno(errno):
    """True for the contract's range: SIGNAL numbers 45000..45999."""
    return isinstance(errno, int) and 45000 <= errno <= 45999


def add_to_form(form, error, *, field=None, text=None):
    """The one way a refusal reaches a form: a ValidationError with the contract's code
    (`code=error.code`) on the field the server's message names (`error.field`: by the
    convention of _fail, a message about one argument begins with that argument's name without
    `p_`), when the form has that field; else on the form as a whole.
    A view that knows better may pass `field` (the form field the refusal concerns, e.g. the
    serial for a 45003 about an existing meter) and `text` (a plain sentence in place of the
    contract sentence and the server's message)."""
    from django.core.exceptions import ValidationError
    field = field if field is not None else error.field
    field = field if field in form.fields else None
    form.add_error(field, ValidationError(text or f"{error.user_message} {error.message}",
                                          code=error.code))


def error_for(errno, message):
    """The BillingError instance for a contract errno and the server's message text (for a
    BUSY_ERRNOS number: Busy)."""
    errno = normalize_errno(errno)
    if errno in BUSY_ERRNOS:
        return Busy(errno, message)
    code = ERRORS.get(errno, (UNKNOWN_CODE,))[0]
    return CLASSES.get(code, BillingError)(code, message, errno)
