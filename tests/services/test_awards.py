"""Awards: vocabulary, one award per enterprise and year, lists per year and per enterprise."""
import pytest

from qoffice.db.models import AuditEntry, Award
from qoffice.errors import ValidationFailed
from qoffice.services import awards, enterprises
from qoffice.services.awards import DuplicateAward


@pytest.fixture
def s(db):
    with db.session() as session:
        yield session


def test_an_award_is_recorded_and_logged(s, builders):
    e = builders.make_enterprise(s)
    a = awards.create_award(s, e.id, "江苏省质量奖", 2024)
    assert (a.award, a.year) == ("江苏省质量奖", 2024)
    assert s.query(AuditEntry).filter_by(table_name="award", record_id=a.id, action="create").count() == 2
    awards.delete_award(s, a)
    assert s.query(Award).count() == 0
    assert s.query(AuditEntry).filter_by(table_name="award", action="delete", enterprise_id=e.id).count() == 1


def test_the_same_award_twice_in_a_year_is_refused_by_name(s, builders):
    e = builders.make_enterprise(s, name="南通华光纺织有限公司")
    awards.create_award(s, e.id, "县级质量奖", 2024)
    with pytest.raises(DuplicateAward) as err:
        awards.create_award(s, e.id, "县级质量奖", 2024)
    assert "南通华光纺织有限公司" in err.value.message and "县级质量奖" in err.value.message
    awards.create_award(s, e.id, "县级质量奖", 2023)
    awards.create_award(s, e.id, "南通市市长质量奖", 2024)


@pytest.mark.parametrize("award, year", [("省长质量奖", 2024), ("中国质量奖", 1800), ("中国质量奖", "明年")])
def test_award_and_year_are_checked(s, builders, award, year):
    with pytest.raises(ValidationFailed):
        awards.create_award(s, builders.make_enterprise(s).id, award, year)


def test_lists_per_year_and_per_enterprise(s, builders):
    a = builders.make_enterprise(s, uscc=builders.code(900001))
    b = builders.make_enterprise(s, uscc=builders.code(900002))
    awards.create_award(s, b.id, "中国质量奖", 2024)
    awards.create_award(s, a.id, "县级质量奖", 2024)
    awards.create_award(s, a.id, "中国质量奖提名奖", 2024)
    awards.create_award(s, a.id, "江苏省质量奖", 2023)
    per_year = [(e.id, x.award) for x, e in awards.awards_for_year(s, 2024)]
    assert per_year == [(a.id, "中国质量奖提名奖"), (a.id, "县级质量奖"), (b.id, "中国质量奖")]
    assert [(x.year, x.award) for x in awards.awards_for_enterprise(s, a.id)] == [
        (2024, "中国质量奖提名奖"), (2024, "县级质量奖"), (2023, "江苏省质量奖")]
    enterprises.soft_delete(s, b)
    assert [e.id for _, e in awards.awards_for_year(s, 2024)] == [a.id, a.id]
    with pytest.raises(ValidationFailed):
        awards.create_award(s, b.id, "县级质量奖", 2024)
