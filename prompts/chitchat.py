"""Chit-chat: a greeting, thanks or a goodbye gets a friendly fixed reply, with no retrieval
and no LLM call (Langchain-Chatchat #4315 retrieves documents for "你好").

Only a message that is nothing but such words counts: "你好！", "謝謝～", "hi 👋",
"thanks a lot!", "好的，谢谢" are chit-chat; "你好，RCEP 是什么？" is a question, and so is
"好的" alone (an acknowledgement counts only beside a greeting, thanks or goodbye). Punctuation,
emoji and repeated words are ignored; Traditional and full-width spellings count as
their Simplified twins. The reply is in the message's language, and in Traditional
characters when the message is written in them.
"""
from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

from core.enums import Language
from core.text import detect_language, in_script, script_of, to_simplified


class Kind(StrEnum):
    GREETING = "greeting"
    THANKS = "thanks"
    BYE = "bye"
    OK = "ok"  # 好的, ok: only beside one of the others ("好的，谢谢"); alone it is not chit-chat


# Chinese phrases in Simplified script, matched after the message is folded (`_pieces`);
# a phrase may end in modal particles (你好呀, 谢谢啦, 拜拜咯).
_ZH = {
    Kind.GREETING: "你好 您好 你们好 大家好 嗨 哈喽 哈啰 哈罗 嘿 早 早上好 早安 上午好 中午好 下午好 晚上好 "
                   "在吗 在不在 在么 有人吗 你好你好 hello你好 你好hello",
    Kind.THANKS: "谢谢 谢谢你 谢谢您 谢谢你们 谢谢了 谢了 多谢 多谢了 感谢 感谢你 感谢您 非常感谢 十分感谢 太感谢了 "
                 "万分感谢 谢谢谢谢 辛苦了 辛苦你了 好的谢谢 好谢谢 好的感谢 明白了谢谢 知道了谢谢 谢谢啦",
    Kind.BYE: "再见 拜拜 拜 回见 下次见 明天见 晚安 先这样 就这样吧 拜拜了 好的再见 再会",
    Kind.OK: "好的 好 好吧 嗯 嗯嗯 哦 ok 明白了 明白 知道了 收到 了解",
}
_EN = {
    Kind.GREETING: ["hello", "hi", "hey", "hiya", "howdy", "hello there", "hi there", "hey there", "good morning",
                    "good afternoon", "good evening", "greetings", "yo", "morning"],
    Kind.THANKS: ["thanks", "thank you", "thx", "ty", "thanks a lot", "thank you very much", "thanks so much",
                  "thank you so much", "many thanks", "cheers", "much appreciated", "ok thanks", "okay thanks",
                  "great thanks", "thanks again"],
    Kind.BYE: ["bye", "goodbye", "bye bye", "see you", "see ya", "see you later", "good night", "cya",
               "farewell", "later"],
    Kind.OK: ["ok", "okay", "great", "got it", "cool", "nice", "alright", "all right"],
}
_PARTICLES = "呀啊哦喔噢哈啦吖嘛咯喽哟呐了～"

REPLIES = {
    "zh": {
        Kind.GREETING: "你好！我是已知，会根据知识库里的文档回答问题。请直接输入你的问题。",
        Kind.THANKS: "不客气！还有别的问题，随时问我。",
        Kind.BYE: "再见！有问题随时回来问我。",
    },
    "en": {
        Kind.GREETING: "Hello! I'm Yizhi: I answer questions from the documents in your knowledge base. "
                       "Just ask.",
        Kind.THANKS: "You're welcome! Ask me anything else about your documents.",
        Kind.BYE: "Goodbye! Come back any time you have a question.",
    },
}

_ZH_PHRASES = {phrase: kind for kind, words in _ZH.items() for phrase in words.split()}
_EN_PHRASES = {phrase: kind for kind, words in _EN.items() for phrase in words}
_MAX_CHARS = 40  # longer messages are questions, whatever they start with


_SEPARATOR = re.compile(r"[^\w\s]|_")  # punctuation, symbols, emoji (and their joiners)
_SPACE_BY_HAN = re.compile(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])")
_ADDRESS = {"there", "all", "everyone", "everybody", "guys", "yizhi", "bot", "friend", "again"}


def _pieces(message: str) -> list[str]:
    """The message folded (NFKC, lower case, Simplified) and cut into pieces at punctuation,
    symbols, emoji and at spaces beside Chinese characters; English words stay together."""
    text = to_simplified(unicodedata.normalize("NFKC", message).casefold())
    pieces = []
    for part in _SEPARATOR.split(text):
        pieces += [" ".join(p.split()) for p in _SPACE_BY_HAN.split(part) if p.strip()]
    return pieces


def _kind_of(piece: str) -> Kind | None:
    if piece.isascii():
        words = [w for i, w in enumerate(piece.split()) if i == 0 or w != piece.split()[i - 1]]  # hi hi
        while words:
            kind = _EN_PHRASES.get(" ".join(words))
            if kind is not None or len(words) == 1 or words[-1] not in _ADDRESS:
                return kind
            words = words[:-1]  # "hello everyone", "thanks yizhi"
        return None
    compact = piece.replace(" ", "")
    return _ZH_PHRASES.get(compact) or _ZH_PHRASES.get(compact.rstrip(_PARTICLES))


def chitchat_kind(message: str) -> Kind | None:
    """What kind of chit-chat the whole message is, or None when it asks something."""
    if not message or len(message.strip()) > _MAX_CHARS:
        return None
    pieces = _pieces(message)
    if not pieces:
        return None
    kinds = [_kind_of(p) for p in pieces]
    if any(k is None for k in kinds):
        return None
    for kind in (Kind.THANKS, Kind.BYE, Kind.GREETING):  # "你好，谢谢" thanks; "谢谢，再见" thanks
        if kind in kinds:
            return kind
    return None


def chitchat_reply(question: str) -> str | None:
    """The fixed reply when the whole message is a greeting, thanks or a goodbye (in its
    language and script); else None."""
    kind = chitchat_kind(question)
    if kind is None:
        return None
    language = detect_language(question)
    reply = REPLIES[language][kind]
    return in_script(reply, script_of(question)) if language == Language.ZH else reply
