"""The window validates one model on a list of hosts: two real AI servers on loopback and a host
that refuses, one report with a row each; the refused host is a failed row with its reason, the others pass."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from tests.conftest import free_port
from tests.inference.validation.test_fleet import two_servers  # noqa: F401  (a fixture: two AI servers on loopback)
from tests.ui.live.test_live_side import SLOW, choose
from tests.ui.validate.test_validate_window import open_validate

pytestmark = pytest.mark.server


def test_the_dialog_takes_a_host_list_and_the_report_has_a_row_per_host(window, qtbot, two_servers, media):  # noqa: F811
    hosts = [address for address, _ in two_servers]
    nowhere = f"localhost:{free_port()}"  # nothing listens there
    choose(window, "blazeface_short_range", media / "Megamind.avi")
    dialog = open_validate(window, qtbot)
    dialog.hosts_edit.selectAll()
    qtbot.keyClicks(dialog.hosts_edit, f"{hosts[0]}, {hosts[1]} {nowhere}")
    assert dialog.hosts() == [*hosts, nowhere]
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.validation.report is not None, timeout=SLOW * 4)
    report = window.validation.report.report
    assert [row.host for row in report.rows] == [*hosts, nowhere]
    for row in report.rows[:2]:
        assert row.verdict.verdict == "PASS" and row.result.frames == 300 and row.result.single_frames == 100
        assert report.hosts[row.host]["server_version"]
    lost = report.rows[2]
    assert lost.verdict.verdict == "FAIL" and lost.result is None and "refused the connection" in lost.error
    assert report.verdict == "FAIL" and "FAIL" in window.validation.report.windowTitle()
    text = window.validation.report.browser.toPlainText()
    assert all(host in text for host in (*hosts, nowhere))
    window.validation.report.accept()
