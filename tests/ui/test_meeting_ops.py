"""对接会: 签到表空白行 (a setting for every meeting, kept as soon as it changes) is a service
operation (services.meetings.set_signin_blank_rows) run on the worker through run_op; its Changes
(setting) reach the other screens through the one hook."""
from __future__ import annotations

import pytest

from qoffice.services import settings as settings_service
from qoffice.ui.worker import Job
from tests.ui import test_activities_first_day as day
from tests.ui.test_activities_first_day import firms, printed  # noqa: F401 (fixtures)
from tests.ui.test_activities_meeting import area  # noqa: F401 (fixture)

pytestmark = pytest.mark.gui


def test_blank_rows_are_kept_by_an_operation(area, answers, db):  # noqa: F811
    heard = []
    area.ctx.changed.connect(heard.append)
    area.m_blank_rows.setValue(7)
    job = getattr(area, "blank_rows_job", None)
    assert isinstance(job, Job) and job.wait()
    with db.read_session() as s:
        assert settings_service.signin_blank_rows(s) == 7
    assert any(c.touches({"setting"}) for c in heard)



def test_printing_right_after_changing_the_blank_rows_uses_the_new_number(area, answers, firms, printed):  # noqa: F811
    import pypdf

    day.make_meeting(area)
    day.sign_up(area, firms[0], (("张伟", "", ""),))
    area.m_blank_rows.setValue(2)
    area.print_signin_sheet()  # at once: the operation keeping the 2 may still be running
    text = "".join(p.extract_text() for p in pypdf.PdfReader(str(printed[-1][0])).pages)
    assert {1, 2, 3} <= day._numbers(text) and 4 not in day._numbers(text)
