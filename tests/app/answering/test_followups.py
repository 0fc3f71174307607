"""Follow-up questions are searched with the question before them."""
from __future__ import annotations

from app.answering.followups import is_follow_up, retrieval_query
from prompts.types import Turn


def test_follow_up_questions_use_the_previous_question():
    history = [Turn("RCEP包括哪些国家？", "十五个国家。")]
    assert retrieval_query("它什么时候生效？", history) == "RCEP包括哪些国家？ 它什么时候生效？"
    assert retrieval_query("这个协定的全称是什么？", history).startswith("RCEP包括哪些国家？")
    assert retrieval_query("生效时间？", history).startswith("RCEP包括哪些国家？")
    assert retrieval_query("那日本呢？", history).startswith("RCEP包括哪些国家？")
    # a self-contained question is searched as it is
    assert retrieval_query("大熊猫主要生活在哪些省份的山区？", history) == "大熊猫主要生活在哪些省份的山区？"
    assert retrieval_query("其他国家的大熊猫保护情况怎么样？", history).startswith("其他")
    assert retrieval_query("它什么时候生效？", []) == "它什么时候生效？"
    # chat-message dicts (the UI's history) work too
    messages = [{"role": "user", "content": "What is RCEP?"}, {"role": "assistant", "content": "A trade pact."}]
    assert retrieval_query("When did it take effect?", messages) == "What is RCEP? When did it take effect?"
    assert not is_follow_up("Which countries signed the Regional Comprehensive Economic Partnership?")
