"""resolve_industry remembers message-free answers (an import asks the same pairs 100,000 times);
answers with a warning or an error are worked out afresh, in the current UI language."""
from qoffice.domain import enterprise as rules
from qoffice.i18n import current_language, set_language


def test_repeated_questions_get_the_same_answers():
    for _ in range(2):
        assert rules.resolve_industry(None, "锻压机械") == rules.Industry("特色产业", "锻压机械")
        assert rules.resolve_industry(" ", None) == rules.Industry("其他", None)
        assert rules.resolve_industry("传统产业", "锻压机械").error
        assert rules.resolve_industry("未知产业", None).error
        unknown = rules.resolve_industry(None, "造火箭")
        assert unknown.group == "其他" and unknown.warning


def test_messages_follow_the_language_switched_to_after_a_first_answer():
    before = current_language()
    try:
        set_language("zh_CN")
        zh = rules.resolve_industry(None, "造飞船").warning
        set_language("en")
        en = rules.resolve_industry(None, "造飞船").warning
    finally:
        set_language(before)
    assert zh != en and "not in the list" in en
