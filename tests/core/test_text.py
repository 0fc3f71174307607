"""The shared text rules: the Han range, scripts and conversion, language, the matching form."""
import opencc
import pytest

from core.enums import Language
from core.text import (
    HAN_CHAR,
    Script,
    _t2s,
    detect_language,
    fold,
    in_script,
    mainland_phrasing,
    normalize_script,
    script_of,
    to_simplified,
    to_traditional,
)


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


def test_a_traditional_question_in_the_mainlands_words_for_things():
    assert mainland_phrasing("資料儲存在哪裡？") == "數據保存在哪裡？"  # still Traditional characters
    assert to_simplified(mainland_phrasing("記憶體不夠怎麼辦？")) == "内存不够怎么办？"
    assert script_of(mainland_phrasing("資料儲存在哪裡？")) == Script.TRADITIONAL
    # Simplified and English text, and Traditional text without such words, come back as they are
    for text in ("数据保存在哪里？", "资料储存", "Where is the data stored?", "可以刪除知識庫嗎？", ""):
        assert mainland_phrasing(text) == text


@pytest.mark.parametrize("text, lang", [
    ("RCEP包括哪些国家？", Language.ZH), ("What is RCEP?", Language.EN), ("What does 已知 mean in Yizhi?", Language.EN),
    ("iPhone 15 的电池容量是多少？", Language.ZH), ("", Language.ZH), ("2022", Language.ZH), ("謝謝", Language.ZH),
])
def test_detect_language(text, lang):
    assert detect_language(text) == lang


def test_the_han_range_covers_every_block_and_nothing_else():
    for char in "中㐀豈𠀀𪜀":  # Unified, Extension A, Compatibility, Extension B, Extension C
        assert HAN_CHAR.match(char), char
    for char in "a1，。ｱ가":
        assert not HAN_CHAR.match(char), char


@pytest.mark.parametrize("written, matched", [
    ("ＡＢＣ１２３", "abc123"),                       # full-width letters and digits
    ("２０１８年", "2018年"),
    ("資料庫管理系統", "资料库管理系统"),              # Traditional characters
    ("臺灣的捷運", "台湾的捷运"),
    ("一目瞭然", "一目了然"),                          # a phrase of OpenCC's table
    ("乾燥的天氣", "干燥的天气"),
    ("乾隆皇帝", "乾隆皇帝"),                          # …and one it keeps
    ("iPhone 與 MacBook", "iphone 与 macbook"),      # case folded
    ("面積100㎡", "面积100m2"),                        # compatibility forms
    ("北京是中国的首都。", "北京是中国的首都。"),       # Simplified text as written
    ("", ""),
])
def test_fold(written, matched):
    assert fold(written) == matched


def test_script_normalisation_keeps_case_for_jieba():
    assert normalize_script("Ｔ恤與iPhone") == "T恤与iPhone"


def test_normalisation_is_idempotent():
    for text in ("資料庫ＡＢＣ", "乾隆年間的乾燥氣候", "Straße 街道"):
        once = fold(text)
        assert fold(once) == once


def test_the_table_converter_gives_opencc_output():
    reference = opencc.OpenCC("t2s")
    texts = [
        "我們在臺北的軟體公司開發資料庫，一目瞭然。他反覆思量後回覆了郵件。",
        "乾隆年間，乾燥的北方；著名的著作《紅樓夢》記載了這些事。",
        "傢俱、藉口與覆蓋：彷彿沈默的牴觸。衹是瞭解而已。",
        "English words, ５個全形數字 and 標點！？",
    ]
    # every phrase of OpenCC's table, inside other text
    phrases = _t2s().phrases
    texts.append("，".join(f"前{p}後" for p in list(phrases)[:300]))
    for text in texts:
        assert to_simplified(text) == reference.convert(text)


