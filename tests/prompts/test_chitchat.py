"""Chit-chat gets a fixed friendly reply; anything that asks something does not."""
import pytest

from prompts.chitchat import REPLIES, Kind, chitchat_kind, chitchat_reply


@pytest.mark.parametrize("message, kind", [
    ("你好", Kind.GREETING), ("你好！", Kind.GREETING), ("您好～😊", Kind.GREETING), ("你好呀", Kind.GREETING),
    ("  早上好啊 ", Kind.GREETING), ("在吗？", Kind.GREETING), ("哈囉", Kind.GREETING), ("大家好!!!", Kind.GREETING),
    ("hello", Kind.GREETING), ("Hi 👋", Kind.GREETING), ("Hello there!", Kind.GREETING),
    ("hey everyone", Kind.GREETING), ("ＨＥＬＬＯ", Kind.GREETING), ("hi hi", Kind.GREETING),
    ("谢谢", Kind.THANKS), ("謝謝！", Kind.THANKS), ("谢谢啦～", Kind.THANKS), ("非常感谢。", Kind.THANKS),
    ("感謝您", Kind.THANKS), ("好的，谢谢", Kind.THANKS), ("你好，谢谢", Kind.THANKS), ("thanks", Kind.THANKS),
    ("Thank you very much.", Kind.THANKS), ("ok thanks!", Kind.THANKS), ("thx", Kind.THANKS),
    ("再见", Kind.BYE), ("再見～", Kind.BYE), ("拜拜👋", Kind.BYE), ("晚安", Kind.BYE), ("bye", Kind.BYE),
    ("Bye bye!", Kind.BYE), ("see you", Kind.BYE), ("OK，再见", Kind.BYE),
])
def test_whole_messages_of_chitchat(message, kind):
    assert chitchat_kind(message) == kind
    assert chitchat_reply(message)


@pytest.mark.parametrize("message", [
    "你好，RCEP 是什么？", "你好请问大熊猫吃什么", "谢谢你的回答，但是不对", "hi, what is RCEP?",
    "hello world program in python", "thanks to whom was the treaty signed?", "再见的英文怎么说",
    "好的", "ok", "嗯", "👋", "", "   ", "？？？", "你好" * 30, "早期的长城在哪里", "拜登是谁",
    "hihi", "history of the Normans",
])
def test_questions_are_not_chitchat(message):
    assert chitchat_reply(message) is None


def test_the_reply_is_in_the_language_and_script_of_the_message():
    assert chitchat_reply("你好") == REPLIES["zh"][Kind.GREETING]
    assert chitchat_reply("谢谢！") == REPLIES["zh"][Kind.THANKS]
    assert chitchat_reply("bye") == REPLIES["en"][Kind.BYE]
    traditional = chitchat_reply("謝謝")
    assert traditional != REPLIES["zh"][Kind.THANKS] and "氣" in traditional  # 不客氣
    assert "問題" in chitchat_reply("再見")
    assert chitchat_reply("hello") == REPLIES["en"][Kind.GREETING] and chitchat_reply("您好") == REPLIES["zh"][Kind.GREETING]
