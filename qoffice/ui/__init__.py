"""The Qt GUI: the only package that imports PySide6 (tests/test_architecture.py checks it)."""
