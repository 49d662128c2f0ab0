"""Views: v_billing_run, the run progress the batch commands read."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "db"))
from deploy import routine_steps  # noqa: E402

steps = routine_steps({
    "views/v_billing_run.sql": "ddbf711b901a",
})
