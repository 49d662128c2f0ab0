"""Operations tests: the Django set-up of tests/web (webapp/ on sys.path, settings, the two test
databases) is reused as it is."""
from web.conftest import PASSWORD, billing_db, django_db_setup, staff_client, staff_user  # noqa: F401
