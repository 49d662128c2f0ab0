"""The tests' password hasher: Django's PBKDF2 with 1,000 iterations instead of 1,000,000.

Nearly every web test makes a user with a password (0.23 s a password at Django's count on these
machines: about a third of the web tests' time). The algorithm's name is the same, and PBKDF2 reads
the iterations from the stored hash, so a server started from the production settings (gunicorn
in tests/ops) still checks these passwords (and strengthens the hash at the first login)."""
from django.contrib.auth.hashers import PBKDF2PasswordHasher


class FastPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    iterations = 1000
