from core.script import Script, in_script, script_of, to_simplified, to_traditional


def test_the_script_of_a_question():
    assert script_of("京沪高铁有多长？") == Script.SIMPLIFIED
    assert script_of("京滬高鐵有多長？") == Script.TRADITIONAL
    assert script_of("How long is it?") == Script.LATIN
    assert script_of("人口多少") == Script.SIMPLIFIED  # the same in both scripts


def test_conversion_both_ways_and_messages_follow_the_question():
    assert to_simplified("根據已知資訊無法回答該問題") == "根据已知资讯无法回答该问题"
    assert to_traditional("软件和内存") == "軟體和記憶體"  # Taiwan's words, not only its characters
    assert in_script("根据已知信息无法回答该问题", Script.TRADITIONAL) == "根據已知資訊無法回答該問題"
    assert in_script("根据已知信息无法回答该问题", Script.SIMPLIFIED) == "根据已知信息无法回答该问题"
