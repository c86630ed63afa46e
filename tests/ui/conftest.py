"""Fixtures shared by the GUI tests."""
import pytest

from qoffice.ui import messages


@pytest.fixture
def answers():
    """Auto-answer message boxes; records (kind, text). Set .reply to answer questions."""

    class Answers(list):
        reply = True

    got = Answers()
    messages.set_responder(lambda kind, title, text, details: got.append((kind, text)) or got.reply)
    yield got
    messages.set_responder(None)
