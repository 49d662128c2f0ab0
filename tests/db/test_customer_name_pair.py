"""customer_name_pair (migration 0135): every ordered pair of two different words of each
customer's name, for the staff search by several name words (billing.selectors._ids_by_words).
It is kept with customer_name_word by _index_customer_name and customer_name_words_update, so
it is always that table joined with itself, whatever happened to the names."""
from helpers.factories import make_customer

ACTOR = "staff:test"


def _pairs(db):
    return sorted((r["word"], r["other"], r["full_name"], r["customer_no"], r["customer_id"])
                  for r in db.rows("SELECT * FROM customer_name_pair"))


def _from_words(db):
    return sorted((r["word"], r["other"], r["full_name"], r["customer_no"], r["customer_id"])
                  for r in db.rows(
        "SELECT a.word, b.word AS other, a.full_name, a.customer_no, a.customer_id "
        "FROM customer_name_word a JOIN customer_name_word b "
        "ON b.customer_id = a.customer_id AND b.word <> a.word"))


def test_the_pairs_are_the_words_two_by_two_through_every_change(db):
    names = ["Ben Scott", "Anna Smith-Jones", "Smith Smith", "Sean O'Brien", "Zoë Müller",
             "Hans MULLER muller", "Al", "Jo Li", "Mary Ann Smith", "x(Foo)bar baz"]
    ids = {n: make_customer(db, name=n) for n in names}
    assert _pairs(db) == _from_words(db)
    by_customer = {r["customer_id"]: r["n"] for r in db.rows(
        "SELECT customer_id, COUNT(*) AS n FROM customer_name_pair GROUP BY customer_id")}
    # n different words make n x (n - 1) pairs; a word twice, or in two letter cases, is one
    assert [by_customer.get(ids[n], 0) for n in names] == [2, 6, 0, 2, 2, 2, 0, 0, 6, 6]
    assert {(r["word"], r["other"]) for r in db.rows(
        "SELECT word, other FROM customer_name_pair WHERE customer_id = %s",
        ids["Ben Scott"])} == {("Ben", "Scott"), ("Scott", "Ben")}

    db.call("update_customer", ids["Ben Scott"], "Ben Scott Jones", None, None, None, ACTOR)
    db.call("update_customer", ids["Mary Ann Smith"], "Mary", None, None, None, ACTOR)
    db.call("update_customer", ids["Al"], "Al Green Thumb", None, None, None, ACTOR)
    db.call("update_customer", ids["Zoë Müller"], "ZOË MÜLLER", None, None, None, ACTOR)
    db.execute("UPDATE customer SET customer_no = 'C9999999' WHERE customer_id = %s",
               ids["Jo Li"])
    db.execute("UPDATE customer SET customer_no = 'C9999998' WHERE customer_id = %s",
               ids["Smith Smith"])
    db.execute("UPDATE customer SET customer_no = 'C9999997' WHERE customer_id = %s",
               ids["Hans MULLER muller"])
    assert _pairs(db) == _from_words(db)
    assert db.value("SELECT COUNT(*) FROM customer_name_pair WHERE customer_id = %s",
                    ids["Ben Scott"]) == 6
    assert db.value("SELECT COUNT(*) FROM customer_name_pair WHERE customer_id = %s",
                    ids["Mary Ann Smith"]) == 0
    assert {r["customer_no"] for r in db.rows(
        "SELECT customer_no FROM customer_name_pair WHERE customer_id = %s",
        ids["Hans MULLER muller"])} == {"C9999997"}
