"""The installed Qt binding must survive a long demo: a regression guard on PySide6 itself.

PySide6 6.12.0's Signal.emit() drops a reference to True/False on every call; on
Python 3.11, where those are not immortal, the process aborts after a few
thousand emits (minutes of streaming). Run in a subprocess so that a broken
binding fails this test instead of aborting the whole run.
"""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtGui import QImage
app = QCoreApplication([])
class Source(QObject):
    number = Signal(float)
    frame = Signal(QImage, float, int)
    anything = Signal(object)
s = Source()
s.number.connect(lambda x: None)
s.frame.connect(lambda i, t, n: None)
s.anything.connect(lambda x: None)
image = QImage(8, 8, QImage.Format.Format_RGB888)
before = [sys.getrefcount(v) for v in (True, False, None)]
for _ in range(100_000):
    s.number.emit(1.0)
    s.frame.emit(image, 1.0, 1)
    s.anything.emit({"fps": 1.0})
after = [sys.getrefcount(v) for v in (True, False, None)]
print(max(abs(a - b) for a, b in zip(after, before)))
"""


def test_signal_emission_does_not_leak_references():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, f"the Qt binding crashed while emitting signals:\n{out.stderr[-800:]}"
    assert int(out.stdout.strip()) < 100, "Signal.emit leaks references to True/False/None"
