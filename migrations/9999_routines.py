"""Routines, views and triggers: re-created from db/ whenever their file changed (repeatable).

Runs after every table migration, on every `yoyo apply`: the post-apply hook
(post-apply_rearm_routines.py) marks this migration unapplied again, so yoyo always has it to
apply. See db/deploy.py and docs/routines.md.
"""
import sys
from pathlib import Path

from yoyo import step

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "db"))
import deploy  # noqa: E402

__transactional__ = False   # deploy() commits after each object (DDL commits anyway)

steps = [step(lambda conn: deploy.deploy(conn))]
