"""The one place where the contract's error numbers become Python exceptions.

Every procedure of the billing schema signals `SQLSTATE '45000'` with a MYSQL_ERRNO from the
contract (../shared/spec/sql-api.md, "Errors") and a MESSAGE_TEXT that names the field or the
object. `ERRORS` maps each errno to its contract name (the code) and a sentence for a person;
`error_for()` turns an errno and the server's text into an instance of the matching
`BillingError` subclass. Views catch `BillingError` and show its `sentence`: one sentence for a
person, made from the server's text by `REFUSALS` (below), on the field `refusal_field` names
(`add_to_form`); the code and the server's text stay in the log.
Two of the server's own numbers, a lock wait timeout and a deadlock that outlasted services'
attempts (`BUSY_ERRNOS`), become `Busy`, a BillingError too: the account is busy, nothing was
done, try again.
A refused line of a bank file reads as one sentence about the line as the file has it
(`batch_line_reason`, BATCH_LINE_REFUSALS by errno), on the batch page and in its refused-lines
CSV alike.
"""

import re

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
# nothing was done. Every procedure locks the account row first, hence the sentence. MariaDB's
# 1467 ("Failed to read auto-increment value from storage engine") is the same thing for a
# table's AUTO-INC lock (a deadlock or timeout waiting for it, e.g. behind another session's
# INSERT ... SELECT into notice): a run's chunks retry it too (_bill_run_chunks).
BUSY_ERRNOS = {1213: "deadlock", 1205: "lock wait timeout", 1467: "auto-increment lock"}
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


# --- a refusal in words ---------------------------------------------------------------------
# The server's text names the argument first (_fail's convention) and carries what helps a
# person (which day, which limit, which serial or bill), but in the server's own terms: parameter
# names (period_end), ISO days, numbers as the server holds them (-5.0000000000), ranges as
# "1..9". A staff page shows one sentence for a refusal, once, on the field it is about:
#   REFUSALS: errno -> rules, tried in order, then the rules under None (any errno: the
#   _arg_* conversions and the common shapes). A rule is (pattern, field, sentence): `pattern`
#   matches the whole text; `field` is the form field ("{param}": the one the text names; None:
#   the form as a whole); the sentence's {names} are the pattern's groups written for people
#   (_shown: day_* as a day "1 Dec 2026", money_* with the currency, reg_* a register value
#   without needless decimals, n_* a count; {Label}/{label}: the parameter in words, LABELS).
#   A text no rule matches reads as the server's own, written the same way (_plain): the
#   parameters in words, days as days, "a..b" as "a to b", ending in a full stop.
# The contract's sentence (ERRORS) is the fallback for a text the server did not give.

# the parameters (without p_) in words, as the first word of a sentence takes them
LABELS = {
    "amount": "the amount", "method": "the method", "reason": "the reason",
    "serial_no": "the meter serial number", "new_serial_no": "the new meter's serial number",
    "read_on": "the reading date", "value": "the reading", "source": "the source",
    "dial_digits": "the number of dial digits", "new_dial_digits": "the number of dial digits",
    "multiplier": "the multiplier", "new_multiplier": "the multiplier",
    "initial_read": "the initial register value",
    "new_initial_read": "the new meter's initial read", "installed_on": "the installation date",
    "old_final_read": "the final read of the old meter", "exchanged_on": "the exchange date",
    "closed_on": "the last day of service", "opened_on": "the opening date",
    "full_name": "the full name", "email": "the e-mail address", "phone": "the phone number",
    "address": "the postal address", "service_address": "the service address",
    "code": "the code", "name": "the name", "pct": "the percentage",
    "tariff_code": "the tariff", "discount_code": "the discount",
    "valid_from": "the discount's first day", "valid_to": "the discount's last day",
    "effective_from": "the version's first day", "fixed_charge": "the fixed charge",
    "tax_rate_pct": "the tax rate", "late_fee_pct": "the late fee",
    "early_pay_pct": "the early-payment rebate", "early_pay_days": "the early-payment days",
    "period_start": "the period start", "period_end": "the period end",
    "issue_date": "the issue date", "due_days": "the days until due", "as_of": "the day",
    "from": "the first period end", "to": "the last period end",
    "account_no": "the account number", "idempotency_key": "the form's key",
    "up_to_kwh": "up-to kWh",
}

DAY = r"\d{4}-\d{2}-\d{2}"
NUM = r"-?\d+(?:\.\d+)?"
P = r"(?P<param>[a-z_]+)"

REFUSALS = {
    45001: [
        (rf"no installed meter with serial_no (?P<serial>.+)", "serial_no",
         "No meter with serial number {serial} is installed on an account."),
        (rf"no (?P<what>tariff|discount) with code (?P<code>.+)", "{what}_code",
         "There is no {what} with code {code}."),
        (r"account \d+ has no active meter", None, "This account has no meter to exchange."),
        (r"no (?P<what>[a-z ]+) with (?:id|number) .+", None,
         "This {what} does not exist (any more): open it again from the list."),
    ],
    45002: [
        (r"email is not a valid e-mail address: .*", "email",
         "Enter an e-mail address like name@example.org."),
        (r"(?P<param>method|source) must be .+", "{param}", "Choose one of the {param}s offered."),
        (rf"valid_to (?P<day_to>{DAY}) is before valid_from (?P<day_from>{DAY})", "valid_to",
         "The last day cannot be before the first day ({day_from})."),
        (rf"closed_on {DAY} is before the end of the latest bill period \((?P<day_billed>{DAY})\)",
         "closed_on", "The account is billed up to {day_billed}: the last day of service cannot "
                      "be before that."),
        (rf"closed_on {DAY} is before the meter's latest reading \((?P<day_read>{DAY})\)",
         "closed_on", "The meter has a reading of {day_read}: the last day of service cannot "
                      "be before it."),
        (rf"exchanged_on {DAY} is not after the last day billed \((?P<day_billed>{DAY})\)",
         "exchanged_on", "The account is billed up to {day_billed}: exchange the meter on a "
                         "later day."),
        (rf"installed_on {DAY} is not after the account's previous meter \(installed "
         rf"(?P<day_in>{DAY}), removed (?P<day_out>{DAY})\)", "installed_on",
         "The account's previous meter was installed on {day_in} and removed on {day_out}: "
         "install this one on a later day."),
        (r"(?P<param>(?:new_)?dial_digits) must be 1\.\.9", "{param}",
         "The number of dial digits must be from 1 to 9."),
        (r"(?P<param>(?:new_)?multiplier) must be above zero, below 1000000, with at most 2 "
         r"decimals", "{param}",
         "The multiplier must be above zero and below 1,000,000, with at most two decimals."),
        (r"(?P<param>(?:new_)?initial_read) must be 0 \.\. below (?P<n_cap>\d+) \(the dial "
         r"capacity\), with at most two decimals", "{param}",
         "The initial read must be from 0 to below {n_cap} (the dial capacity), with at most two "
         "decimals."),
        (r"(?P<param>fixed_charge) must be zero or more, with at most two decimals", "{param}",
         "The fixed charge must be zero or more, with at most two decimals."),
        (r"(?P<param>[a-z_]*pct) must be 0\.\.100 with at most two decimals", "{param}",
         "{Label} must be from 0 to 100 %, with at most two decimals."),
        (r"early_pay_days must be 0\.\.366", "early_pay_days",
         "The early-payment days must be from 0 to 366."),
        (r"code may hold only A-Z, 0-9, _ and -, not .*", "code",
         "Use only capital letters A-Z, digits 0-9, \u201c_\u201d and \u201c-\u201d."),
        (rf"to (?P<day_to>{DAY}) is before from (?P<day_from>{DAY})", "to",
         "The last period end cannot be before the first ({day_from})."),
        (rf"to {DAY} is more than 400 days after from {DAY}: .*", "to",
         "Simulate at most 400 days at a time: choose a shorter range."),
        (rf"{P} has more than two decimals", "{param}", "{Label} may have at most two decimals."),
    ],
    45003: [
        (r"a meter with serial (?P<serial>.+) exists already", "serial_no",
         "A meter with serial number {serial} exists already."),
        (r"a (?P<what>tariff|discount) with code (?P<code>.+) exists already", "code",
         "A {what} with code {code} exists already: choose another code."),
        (r"account \d+ has an active meter already", None,
         "This account has a meter installed already: exchange it instead."),
        (rf"account \d+ is closed already \(on (?P<day_closed>{DAY})\)", None,
         "This account was closed already, on {day_closed}."),
        (rf"tariff (?P<code>\S+) has a version from (?P<day>{DAY}) already", "effective_from",
         "Tariff {code} has a version from {day} already: choose another first day."),
        (rf"discount (?P<code>\S+) is on account \d+ already for days that overlap "
         rf"(?P<day_from>{DAY})\.\.(?P<to>.+)", "valid_from",
         "Discount {code} is on this account already for some of these days."),
        (rf"payment \d+ cannot be reversed: (?P<money_refunded>{NUM}) of it was refunded", None,
         "This payment cannot be reversed: {money_refunded} of it was refunded."),
        (r"reading \d+ is the end reading of bill (?P<bill>[^\s:]+).*", None,
         "This reading ends bill {bill}: that bill must be cancelled first."),
        (r"reading \d+ is the final read of a meter exchange", None,
         "This is the old meter's final read at an exchange: it cannot be rejected."),
        (r"reading \d+ is \w+ initial: .*", None,
         "A meter's initial read cannot be rejected."),
        (r"reading \d+ is \w+ estimated: .*", None,
         "An estimate cannot be rejected: it goes when the bill that stored it is cancelled."),
        (r"reading \d+ is (?P<status>rejected|void) \w*: .*", None,
         "This reading is {status} already."),
        (r"reading \d+ is not the latest reading of its meter.*", None,
         "Only the meter's latest reading can be rejected."),
        (r"reading \d+ is (?P<status>\w+), not in review", None,
         "This reading is {status} already, not in review."),
    ],
    45010: [
        (rf"(?:value|old_final_read) (?P<reg_value>{NUM}) is below the latest reading "
         rf"(?P<reg_last>{NUM}) of (?:meter \S+|the old meter), not a rollover", "{first}",
         "{Label}, {reg_value}, is below the meter's latest reading, {reg_last}, and is not a "
         "rollover."),
        (r"without estimate .*: not cancelled", None,
         "Without its estimate a later reading of the meter would run backwards: the bill was "
         "not cancelled."),
    ],
    45011: [
        (rf"(?:value|old_final_read) (?P<reg_value>{NUM}) is negative", "{first}",
         "{Label} cannot be negative."),
        (rf"(?:value|old_final_read) (?P<reg_value>{NUM}) is at or over the capacity "
         rf"(?P<n_cap>\d+) of (?:meter (?P<serial>\S+)|the old meter)", "{first}",
         "{Label} must be below {n_cap}, the dial capacity of the meter."),
        (rf"read_on {DAY} is after the meter was removed \((?P<day_removed>{DAY})\)", "read_on",
         "The meter was removed on {day_removed}: a reading cannot be dated after that."),
        (rf"(?:read_on|exchanged_on) {DAY} is not after (?:the latest reading of meter \S+|the "
         rf"old meter's latest reading) \((?P<day_last>{DAY})\)", "{first}",
         "{Label} must be after the meter's latest reading ({day_last})."),
    ],
    45020: [
        (r"amount .*", "amount",
         "Enter an amount above zero and at most 1,000,000.00, with at most two decimals."),
    ],
    45021: [
        (rf"account \d+ is closed \(since (?P<day_closed>{DAY})\) and has no money open", None,
         "The account was closed on {day_closed} and owes nothing: there is nothing to pay."),
    ],
    45022: [
        (r"idempotency_key .* was used for refund .*", None,
         "This refund form was used already for another amount or account: open the refund "
         "page again to start a new refund."),
        (r"idempotency_key .* was used for payment .*", None,
         "This payment form was used already for another amount or account: open the payment "
         "page again to take a new payment."),
    ],
    45023: [(r"payment \d+ was reversed before", None, "This payment was reversed before.")],
    45024: [
        (rf"refund (?P<money_amount>{NUM}) is above the unallocated credit "
         rf"(?P<money_credit>{NUM}) of account \d+", "amount",
         "That is more than the credit on the account ({money_credit}): pay back at most the "
         "credit."),
    ],
    45030: [
        (rf"effective_from {DAY} is on or before (?P<day_billed>{DAY}), a day already billed on "
         rf"tariff (?P<code>.+)", "effective_from",
         "Tariff {code} is billed up to {day_billed}: a new version must start after that day."),
    ],
    45031: [
        (r"block (?P<n>\d+) up_to_kwh is not above the previous block's", None,
         "Block {n}: the limit must be above the previous block's."),
        (r"block (?P<n>\d+) up_to_kwh must be above zero", None,
         "Block {n}: the limit must be above zero."),
        (r"block (?P<n>\d+) is open \(up_to_kwh null\) but is not the last block", None,
         "Block {n}: only the last block may be open: enter its limit in kWh."),
        (r"block (?P<n>\d+) is the last block and must be open \(up_to_kwh null\)", None,
         "Block {n}: the last block must be open: leave \u201cup to\u201d empty."),
        (r"block (?P<n>\d+) rate is negative", None, "Block {n}: the rate may not be negative."),
        (r"block (?P<n>\d+) has no rate", None, "Block {n}: a block needs a rate."),
        (r"block (?P<n>\d+) (?P<what>rate|up_to_kwh) is not a number", None,
         "Block {n}: the {what} is not a number."),
        (r"block (?P<n>\d+) rate is too large or has more than 6 decimals", None,
         "Block {n}: the rate must be below 1,000,000, with at most 6 decimals."),
        (r"block (?P<n>\d+) up_to_kwh is too large or has more than 4 decimals", None,
         "Block {n}: the limit must be below 10,000,000,000 kWh, with at most 4 decimals."),
    ],
    45040: [
        (rf"period_end {DAY} is before period_start (?P<day_start>{DAY})", "period_end",
         "The period cannot end before it starts ({day_start})."),
        (r"the period has (?P<n_days>\d+) days; at most 62 are allowed", "period_end",
         "The period has {n_days} days: at most 62 are allowed."),
        (rf"the period is not over: period_end {DAY} is not before today (?P<day_today>{DAY})",
         "period_end", "The period is not over yet: its last day must be before today "
                       "({day_today})."),
        (rf"issue_date {DAY} is before period_end (?P<day_end>{DAY})", "issue_date",
         "The issue date cannot be before the period's last day ({day_end})."),
        (rf"issue_date {DAY} is before today (?P<day_today>{DAY})", "issue_date",
         "The issue date cannot be before today ({day_today}): bills issued in the past would "
         "be overdue at once."),
        (r"due_days must be between 1 and 90, not .*", "due_days",
         "The days until due must be from 1 to 90."),
        (r"period_start, period_end and issue_date are required", None,
         "The period start, the period end and the issue date are required."),
    ],
    45050: [
        (r"bill \d+ is cancelled already", None, "This bill is cancelled already."),
        (r"bill \d+ is not the latest bill of its account: cancel bill (?P<later>\S+) first",
         None, "Bill {later}, a later bill of this account, is not cancelled: cancel it first."),
    ],
    None: [
        (rf"{P} is required.*", "{param}", "{Label} is required."),
        (rf"{P} is out of range \(1900-01-01\.\.2999-12-31\)", "{param}",
         "Give a day from 1 Jan 1900 to 31 Dec 2999."),
        (rf"{P} is out of range \((?P<n_min>-?\d+)\.\.(?P<n_max>-?\d+)\)", "{param}",
         "{Label} must be from {n_min} to {n_max}."),
        (rf"{P} is too big \(at most .*", "{param}", "{Label} is too big."),
        (rf"{P} has more than (?P<n_scale>\d+) decimals", "{param}",
         "{Label} may have at most {n_scale} decimals."),
        (rf"{P} is not a (?P<what>date|whole number|number|date and time).*", "{param}",
         "{Label} is not a {what}."),
        (rf"{P} is not a (?:calendar day|time of day): .*", "{param}", "{Label} is no such day."),
        (rf"{P} is longer than (?P<n_max>\d+) characters", "{param}",
         "{Label} may have at most {n_max} characters."),
        (rf"{P} {DAY} is (?:in the future \(today is|after today) (?P<day_today>{DAY})\)?",
         "{param}", "{Label} cannot be after today ({day_today})."),
        (rf"{P} {DAY} is before the account (?:was opened \(|opened on )(?P<day_opened>{DAY})\)?",
         "{param}", "{Label} cannot be before the account was opened ({day_opened})."),
        (rf"{P} {DAY} is after the account was closed \((?P<day_closed>{DAY})\)", "{param}",
         "{Label} cannot be after the account was closed ({day_closed})."),
    ],
}
_COMPILED = {errno: [(re.compile(p, re.ASCII | re.DOTALL), f, t) for p, f, t in rules]
             for errno, rules in REFUSALS.items()}


def _label(param):
    return LABELS.get(param, (param or "").replace("_", " "))


def _shown(name, value):
    """One part of the server's text, written as the pages write it (billing.formatting)."""
    from billing import formatting
    if value is None:
        return ""
    if name.startswith("day_") or name == "day":
        return formatting.day(value)
    if name.startswith("money_"):
        return formatting.money(value, credit=False)
    if name.startswith("reg_"):
        return formatting.kwh(value, unit=False)
    if name.startswith("n_"):
        return formatting.count(value)
    if name == "what":
        return {"up_to_kwh": "limit"}.get(value, value)
    return value


def _plain(text):
    """A server text no rule knows, written for a person: its parameters in words (LABELS),
    ISO days as days, numbers without the server's trailing zeros, "a..b" as "a to b"."""
    from billing import formatting
    text = text.strip()
    head, sep, rest = text.partition(" ")
    if head in LABELS:
        text = LABELS[head] + sep + rest
    text = re.sub(r"\b[a-z]+(?:_[a-z]+)+\b",
                  lambda m: LABELS.get(m.group(0), m.group(0).replace("_", " ")), text)
    text = re.sub(r"-?\d+\.\d*?0{3,}\b", lambda m: formatting.kwh(m.group(0), unit=False), text)
    text = re.sub(r"\b(-?\d+)\.\.(-?\d+)\b", r"\1 to \2", formatting.days_in(text))
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def refusal(error):
    """(field, sentence): the form field a refusal is about (None: the form as a whole) and the
    one sentence a person reads (REFUSALS, else the server's text written plainly, else the
    contract's sentence)."""
    if isinstance(error, Busy):
        return None, f"{BUSY[1]} {BUSY_DETAIL}"
    text = (error.message or "").strip()
    if not text:
        return None, error.user_message
    for pattern, field, sentence in _COMPILED.get(error.errno, []) + _COMPILED[None]:
        m = pattern.fullmatch(text)
        if m is None:
            continue
        parts = {k: _shown(k, v) for k, v in m.groupdict().items()}
        param = parts.get("param") or error.field
        parts.update(label=_label(param), Label=_label(param)[:1].upper() + _label(param)[1:],
                     first=error.field or "")
        field = field.format(**parts) if field else None
        return field, sentence.format(**parts)
    field = error.field if error.field in LABELS else None
    return field, _plain(text)


# --- a refused line of a bank file ---------------------------------------------------------------
# post_payment_batch records each refused line's errno and post_payment's text (the line's values
# as the server read them: "amount must be above 0 ... not -5.0000000000", "paid_at ... is in the
# future (now is ...)"). The batch page and the refused-lines CSV give one sentence for it, said
# about the line as the file has it (the amount, the account number, the date as written), by
# errno: BATCH_LINE_REFUSALS, rules (pattern, sentence) tried in order; the sentence's {names} are
# the pattern's groups (day_*, money_*, when_* written as the pages write them) and the line's
# cells (account, amount, method, paid_at, key: quoted, at most 40 characters). A text no rule
# knows reads as `refusal` writes it (REFUSALS, else the server's text written plainly).
PAYMENT_METHOD_CODES = "cash, card, cheque, bank_transfer or online"
BATCH_LINE_REFUSALS = {
    45001: [
        (r"no account with number '.*'", "There is no account with number {account}."),
    ],
    45002: [
        (r"method must be .*, not NULL",
         f"The line has no payment method: write {PAYMENT_METHOD_CODES}."),
        (r"method must be .*", f"The payment method {{method}} is not one we take: write "
                               f"{PAYMENT_METHOD_CODES}."),
        (r"amount is not a number", "The amount {amount} is not a number: write it like 120.50."),
        (rf"paid_at (?P<when_paid>{DAY} [0-9:]+) is in the future \(now is "
         rf"(?P<when_now>{DAY} [0-9:]+)\)",
         "The payment date {when_paid} is after the batch was posted ({when_now}): a payment "
         "cannot be dated in the future."),
        (rf"paid_at (?P<when_paid>{DAY} [0-9:]+) is before the account opened on "
         rf"(?P<day_opened>{DAY})",
         "The payment date {when_paid} is before account {account} was opened ({day_opened})."),
        (r"paid_at is not a date and time.*",
         "The payment date {paid_at} is not a date: write it as YYYY-MM-DD or YYYY-MM-DD HH:MM."),
        (r"paid_at is not a (?:calendar day|time of day): .*",
         "The payment date {paid_at} is no such day or time."),
        (r"paid_at is out of range .*",
         "The payment date {paid_at} must be from 1 Jan 1900 to 31 Dec 2999."),
        (r"idempotency_key must be NULL or 1 to 100 characters, not blank",
         "The key is blank: leave the cell empty or give the bank's reference."),
    ],
    45020: [
        (r"amount must be .*, not NULL", "The line has no amount."),
        (r"amount .*", "The amount {amount} is not valid: it must be above zero, at most "
                       "{money_max}, with at most two decimals."),
    ],
    45021: [
        (rf"account \d+ is closed \(since (?P<day_closed>{DAY})\) and has no money open",
         "Account {account} was closed on {day_closed} and owes nothing: no payment is taken "
         "on it."),
    ],
    45022: [
        (rf"idempotency_key '.*' was used for payment \d+ of account \d+, amount "
         rf"(?P<money_paid>{NUM})",
         "The key {key} belongs to an earlier payment of {money_paid} to another account or of "
         "another amount: give this payment its own key."),
    ],
    None: [                                  # any errno (the number has moved between releases)
        (r"account_no is required", "The line has no account number."),
        (rf"{P} is longer than (?P<n_max>\d+) characters",
         "{Label} is longer than {n_max} characters."),
        (rf"{P} is not valid UTF-8 text", "{Label} is not valid UTF-8 text."),
        (rf"{P} must be a JSON .*", "{Label} is not a plain value: write it as text."),
    ],
}
_BATCH_COMPILED = {errno: [(re.compile(p, re.ASCII | re.DOTALL), t) for p, t in rules]
                   for errno, rules in BATCH_LINE_REFUSALS.items()}
BATCH_CELLS = ("account", "amount", "method", "paid_at", "key")
BATCH_LABELS = {"account_no": "the account number", "amount": "the amount",
                "method": "the payment method", "paid_at": "the payment date",
                "idempotency_key": "the key"}


def _cell(value):
    """A cell of the file as a sentence quotes it: “A0000007”, at most 40 characters."""
    if value is None or str(value).strip() == "":
        return "(empty)"
    text = str(value).strip()
    more = "\u2026" if len(text) > 40 else ""
    return f"\u201c{text[:40]}{more}\u201d"


def batch_line_reason(errno, message, cells):
    """Why post_payment_batch refused a line, in one sentence (BATCH_LINE_REFUSALS): `errno` and
    `message` as the line's row holds them, `cells` the line's values as the file has them (a
    dict with keys of BATCH_CELLS). None for a line that was not refused (no errno)."""
    from billing import formatting
    if errno is None:
        return None
    errno = normalize_errno(errno)
    text = (message or "").strip()
    for pattern, sentence in _BATCH_COMPILED.get(errno, []) + _BATCH_COMPILED[None]:
        m = pattern.fullmatch(text)
        if m is None:
            continue
        parts = {k: _cell(cells.get(k)) for k in BATCH_CELLS}
        for k, v in m.groupdict().items():
            if k.startswith("when_"):
                parts[k] = formatting.when(_moment(v))
            else:
                parts[k] = _shown(k, v)
        label = BATCH_LABELS.get(parts.get("param")) or _label(parts.get("param"))
        parts.update(Label=label[:1].upper() + label[1:], money_max=formatting.money(1000000))
        return sentence.format(**parts)
    return error_for(errno, text).sentence


def _moment(text):
    import datetime
    try:
        return datetime.datetime.fromisoformat(text)
    except ValueError:
        return text


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

    @property
    def sentence(self):
        """The refusal in one sentence for a person (REFUSALS)."""
        return refusal(self)[1]

    @property
    def refusal_field(self):
        """The form field the refusal is about (REFUSALS), or None: the form as a whole."""
        return refusal(self)[0]


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
    """The one way a refusal reaches a form: its one sentence (`refusal`) as a ValidationError
    with the contract's code (`code=error.code`), on the field it is about (REFUSALS' field, or
    the argument the server's message names first: by the convention of _fail, a message about
    one argument begins with that argument's name without `p_`), when the form has that field;
    else on the form as a whole.
    A view that knows better may pass `field` (the form field the refusal concerns, e.g. the
    new serial of an exchange for a 45003 about an existing meter) and `text` (a sentence that
    adds what the page knows, e.g. what was recorded before the refusal)."""
    from django.core.exceptions import ValidationError
    named, sentence = refusal(error)
    field = field if field is not None else named
    field = field if field in form.fields else None
    form.add_error(field, ValidationError(text or sentence, code=error.code))


def error_for(errno, message):
    """The BillingError instance for a contract errno and the server's message text (for a
    BUSY_ERRNOS number: Busy)."""
    errno = normalize_errno(errno)
    if errno in BUSY_ERRNOS:
        return Busy(errno, message)
    code = ERRORS.get(errno, (UNKNOWN_CODE,))[0]
    return CLASSES.get(code, BillingError)(code, message, errno)
