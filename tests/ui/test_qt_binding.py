"""The Qt binding itself must not corrupt the interpreter (PySide6 6.12.0 did, on Python 3.11)."""
import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    changed = Signal(int)
    flag = Signal(bool)


def test_signal_emit_keeps_reference_counts_of_true_and_false():
    o = _Emitter()
    o.changed.connect(lambda v: None)
    o.flag.connect(lambda v: None)
    before = (sys.getrefcount(True), sys.getrefcount(False))
    for i in range(500):
        o.changed.emit(i)
        o.flag.emit(i % 2 == 0)
    after = (sys.getrefcount(True), sys.getrefcount(False))
    # Immortal objects (3.12+) report a constant; on 3.11 a leak shows as a drop of ~500.
    assert abs(after[0] - before[0]) < 50 and abs(after[1] - before[1]) < 50
