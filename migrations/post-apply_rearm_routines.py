"""Marks 9999_routines unapplied after each `yoyo apply`, so that the next one deploys the
routine files again (yoyo runs post-apply hooks only when some migration was applied; this one
makes sure one always is). See db/deploy.py."""
from yoyo import step

steps = [step("DELETE FROM _yoyo_migration WHERE migration_id = '9999_routines'")]
