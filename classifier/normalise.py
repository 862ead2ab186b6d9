"""Text normalisation run before anything else looks at a complaint.

`normalise(text)`: traditional → simplified (OpenCC t2s), full-width → half-width (NFKC), URLs, e-mail addresses,
emoji and WeChat-style sticker codes removed, control characters dropped, whitespace collapsed. Numbers and
Chinese punctuation are kept (facts and the classifier use them). It never raises on any `str`.

`is_blank_or_noise(text)`: True when nothing is left that a person could have meant as words or numbers
(empty, whitespace, only emoji / punctuation / symbols). The chat layer uses it to ask the citizen again.
"""

from __future__ import annotations

import re
import threading
import unicodedata

import opencc

# URLs with or without scheme; only ASCII URL characters, so the Chinese text that follows is kept.
_URL = re.compile(
    r"(?:(?:https?|ftp)://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+"
    r"|[A-Za-z0-9.\-]+\.(?:com|cn|net|org|gov|edu|html?)(?:/[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*)?",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
# WeChat / QQ sticker codes as they arrive in copied text: [微笑] [捂脸] [强] ...
_STICKERS = (
    "微笑 撇嘴 色 发呆 得意 流泪 害羞 闭嘴 睡 大哭 尴尬 发怒 调皮 呲牙 惊讶 难过 酷 冷汗 抓狂 吐 偷笑 愉快 白眼 傲慢 "
    "饥饿 困 惊恐 流汗 憨笑 悠闲 奋斗 咒骂 疑问 嘘 晕 疯了 衰 骷髅 敲打 再见 擦汗 抠鼻 鼓掌 糗大了 坏笑 左哼哼 "
    "右哼哼 哈欠 鄙视 委屈 快哭了 阴险 亲亲 吓 可怜 菜刀 西瓜 啤酒 篮球 乒乓 咖啡 饭 猪头 玫瑰 凋谢 嘴唇 爱心 "
    "心碎 蛋糕 闪电 炸弹 刀 足球 瓢虫 便便 月亮 太阳 礼物 拥抱 强 弱 握手 胜利 抱拳 勾引 拳头 差劲 爱你 NO OK "
    "捂脸 奸笑 机智 皱眉 耶 吃瓜 加油 汗 天啊 社会社会 旺柴 好的 打脸 哇 翻白眼 666 让我看看 叹气 苦涩 裂开 "
    "嘿哈 破涕为笑 红包 發 福 合十 跳跳 发抖 怄火 转圈 笑脸 生病 脸红 恐惧 失望 无语"
).split()
_STICKER = re.compile(r"\[(?:" + "|".join(map(re.escape, sorted(set(_STICKERS), key=len, reverse=True))) + r")\]")
_SPACES = re.compile(r"\s+")

_lock = threading.Lock()
_converter = None


def _t2s():
    global _converter
    if _converter is None:
        with _lock:
            if _converter is None:
                _converter = opencc.OpenCC("t2s")
    return _converter


_KEPT_SYMBOLS = frozenset("°")  # 30°C: a measurement, not decoration


def _noise_replacement(ch: str) -> str | None:
    """What an emoji / pictograph / modifier / invisible character becomes: " " (a symbol that separated
    words), "" (a joiner or modifier glued to its neighbour), or None when `ch` is not noise."""
    cp = ord(ch)
    if ch in _KEPT_SYMBOLS:
        return None
    cat = unicodedata.category(ch)
    if cat in ("So", "Cs", "Co", "Cn"):  # emoji, dingbats, pictographs; lone surrogates, private use, unassigned
        return " "
    if cat in ("Cf", "Me"):  # ZWJ, BOM, bidi marks; combining keycap / enclosing circle
        return ""
    if 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF or 0x1F3FB <= cp <= 0x1F3FF:  # selectors, skin tones
        return ""
    if cat == "Cc":
        return " " if ch in "\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85" else ""
    return None


# Characters that are never noise (printable ASCII, CJK punctuation, CJK ideographs): skipped without a lookup.
_UNCOMMON = re.compile(r"[^\u0020-\u007e\u3000-\u303f\u4e00-\u9fff\uff01-\uff60]")


def _replace_noise_char(m: re.Match) -> str:
    ch = m.group()
    replacement = _noise_replacement(ch)
    return ch if replacement is None else replacement


def _strip_noise_chars(text: str) -> str:
    return _UNCOMMON.sub(_replace_noise_char, text)


def normalise(text: str) -> str:
    """Normalised form of `text` (see the module docstring). Never raises for a `str` argument."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    if not text:
        return ""
    # Lone surrogates (from broken UTF-16 sources) would make OpenCC's UTF-8 encoding fail: drop them first.
    if _has_surrogate(text):
        text = "".join(ch for ch in text if not 0xD800 <= ord(ch) <= 0xDFFF)
    text = unicodedata.normalize("NFKC", text)
    text = _EMAIL.sub(" ", text)
    text = _URL.sub(" ", text)
    text = _STICKER.sub(" ", text)
    text = _strip_noise_chars(text)
    try:
        text = _t2s().convert(text)
    except Exception:
        pass
    return _SPACES.sub(" ", text).strip()


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def is_blank_or_noise(text: str | None) -> bool:
    """True for None, empty, whitespace-only, or text made only of emoji, punctuation and symbols."""
    if not text:
        return True
    for ch in normalise(text):
        cat = unicodedata.category(ch)
        if cat[0] in "LN":  # letters (Chinese included) and digits are content
            return False
    return True
