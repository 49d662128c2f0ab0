"""Create and edit a customer: the procedures do the work; their refusals are shown on the form
(next to the field the message names) with the user's input kept, and nothing is written."""
import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])

GOOD = {"full_name": "  Grace Hopper ", "email": "grace@example.org", "phone": "555-0199",
        "address": "1 Harbor Rd\nArlington"}


def test_create_customer_calls_the_procedure_and_shows_the_new_customer(staff_client, billing_db):
    r = staff_client.post(reverse("billing:customer_create"), GOOD)
    row = billing_db.row("SELECT customer_id, customer_no, full_name, email, phone, address "
                         "FROM customer")
    assert r.status_code == 302
    assert r["Location"] == reverse("billing:customer_detail", args=[row["customer_id"]])
    assert (row["full_name"], row["email"], row["phone"], row["address"]) == (
        "Grace Hopper", "grace@example.org", "555-0199", "1 Harbor Rd\nArlington")
    # the actor is staff:<username>, as the audit trail shows
    assert billing_db.value("SELECT actor FROM audit_log WHERE table_name = 'customer' "
                            "AND action = 'insert'") == "staff:clara"
    page = staff_client.get(r["Location"])
    assert f"Customer {row['customer_no']} created." in page.content.decode()


def test_empty_optional_fields_are_stored_as_none(staff_client, billing_db):
    staff_client.post(reverse("billing:customer_create"),
                      {"full_name": "Alan Turing", "email": "", "phone": "", "address": ""})
    assert billing_db.row("SELECT email, phone, address FROM customer") == {
        "email": None, "phone": None, "address": None}


def test_a_refused_create_shows_the_error_next_to_the_field_and_keeps_the_input(
        staff_client, billing_db):
    before = billing_db.snapshot()
    bad = {**GOOD, "email": "grace-at-example"}
    r = staff_client.post(reverse("billing:customer_create"), bad)
    assert r.status_code == 200
    assert billing_db.snapshot() == before
    form = r.context["form"]
    error = r.context["error"]
    assert (error.errno, error.code) == (45002, "INVALID_ARGUMENT")
    assert form.errors["email"] == ["Enter an e-mail address like name@example.org."]
    html = r.content.decode()
    assert "Not saved</h2>" in html and "see the message next to the field" in html
    assert html.count("Enter an e-mail address like name@example.org.") == 1     # said once
    assert "email is not" not in html and "A value is missing" not in html
    assert 'aria-invalid="true"' in html and 'aria-describedby="id_email_error"' in html
    assert 'value="grace-at-example"' in html and 'value="555-0199"' in html
    assert "1 Harbor Rd\nArlington</textarea>" in html


def test_a_name_over_the_databases_limit_is_refused_by_the_form(staff_client, billing_db):
    # a 201-character name: the form has the column's limit (200), said before any call
    r = staff_client.post(reverse("billing:customer_create"), {**GOOD, "full_name": "x" * 201})
    assert r.context["form"].errors["full_name"] == [
        "At most 200 characters (this one has 201)."]
    assert "error" not in r.context and 'maxlength="200"' in r.content.decode()
    assert billing_db.value("SELECT COUNT(*) FROM customer") == 0


def test_a_missing_name_is_caught_by_the_form_without_a_call(staff_client, billing_db):
    r = staff_client.post(reverse("billing:customer_create"), {**GOOD, "full_name": "   "})
    assert r.status_code == 200 and "error" not in r.context
    assert r.context["form"].errors["full_name"] == ["This field is required."]


@pytest.fixture
def grace(billing_db):
    return billing_db.call("create_customer", "Grace Hopper", "grace@example.org", None,
                           "1 Harbor Rd", "staff:test")


def test_edit_form_starts_with_the_current_data(staff_client, grace):
    r = staff_client.get(reverse("billing:customer_edit", args=[grace["customer_id"]]))
    assert r.status_code == 200
    assert r.context["form"].initial == {"full_name": "Grace Hopper",
                                         "email": "grace@example.org", "phone": "",
                                         "address": "1 Harbor Rd"}
    assert f"Edit customer {grace['customer_no']}" in r.content.decode()


def test_edit_customer_saves_through_the_procedure(staff_client, billing_db, grace):
    url = reverse("billing:customer_edit", args=[grace["customer_id"]])
    r = staff_client.post(url, {"full_name": "Grace B. Hopper", "email": "", "phone": "555-0100",
                                "address": "2 Navy Yard"})
    assert r.status_code == 302
    assert r["Location"] == reverse("billing:customer_detail", args=[grace["customer_id"]])
    assert billing_db.row("SELECT full_name, email, phone, address FROM customer") == {
        "full_name": "Grace B. Hopper", "email": None, "phone": "555-0100",
        "address": "2 Navy Yard"}
    assert billing_db.value("SELECT actor FROM audit_log WHERE table_name = 'customer' "
                            "AND action = 'update'") == "staff:clara"


def test_a_refused_edit_keeps_the_input_and_changes_nothing(staff_client, billing_db, grace):
    url = reverse("billing:customer_edit", args=[grace["customer_id"]])
    before = billing_db.snapshot()
    r = staff_client.post(url, {"full_name": "Grace", "email": "no@pe", "phone": "1" * 40,
                                "address": ""})
    assert r.status_code == 200
    assert billing_db.snapshot() == before
    assert billing_db.value("SELECT full_name FROM customer") == "Grace Hopper"
    assert r.context["form"].errors["email"] == ["Enter an e-mail address like name@example.org."]
    assert 'value="no@pe"' in r.content.decode()


def test_editing_an_unknown_customer_is_404(staff_client, billing_db):
    url = reverse("billing:customer_edit", args=[999999])
    assert staff_client.get(url).status_code == 404
    assert staff_client.post(url, GOOD).status_code == 404
