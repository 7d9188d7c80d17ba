"""An AI server killed mid-command is reported within seconds, by ``run``, ``validate`` and ``compare``.

The pipeline's watchdog waits 10 s for a server that is there but hung; a
server that is gone is found by knocking on its port once results stop coming
(issue 22 item 1). Each command runs against a real ``model-picker ai-server``
on loopback, and the server process is killed mid-run the way ``kill -9``
would; the time from the kill to the command's report line is measured from
outside (``bench/hostloss_bench.py``, which ``python -m bench`` runs too).
"""

from __future__ import annotations

import pytest

from bench.hostloss_bench import kill_mid_command

pytestmark = pytest.mark.server
# The goal is 3 s from the kill to the report (measured 0.5-1.8 s on a quiet machine; `python -m bench --only
# hostloss` reports it). The test checks the mechanism: the report comes from the knock on the port (its words say
# so), before the 10 s watchdog could have fired, with room for a loaded CI machine (6.9 s seen at load 6).
BOUND_S = 9.0


@pytest.mark.parametrize("kind", ["run", "validate", "compare"])
def test_a_killed_server_is_reported_within_seconds(kind, ai_server):
    loss = kill_mid_command(kind, ai_server.host, ai_server.process)
    print(f"{kind}: reported {loss.report_s} s and exited {loss.exit_s} s after the kill")
    assert loss.exit_s is not None, loss.text  # the server was killed mid-run
    assert loss.report_s is not None and loss.report_s < BOUND_S, loss.text
    assert loss.exit_s < BOUND_S + 2, loss.text
    assert loss.returncode == 1, loss.text
    reports = [line for line in loss.lines if ai_server.host in line and ("lost the connection" in line
                                                                         or "refused the connection" in line)]
    assert reports, loss.text
    assert any("refuses connections" in line or "refused the connection" in line for line in reports), loss.text
    assert "Traceback" not in loss.text
