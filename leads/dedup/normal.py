"""The normal form of an investor, a project name and a credit code, for matching duplicates.

`lead_keys` is the one function that computes the keys stored on a lead
(`investor_key`, `name_key`, `credit_key`); the services put them in their
plans, so the ORM writer and the bulk import store the same values. Pure
Python, no database: one call per imported row, tables compiled once.
"""

from __future__ import annotations

import re
import unicodedata

KEY_FIELDS = ("investor_key", "name_key", "credit_key")
# The lead fields the keys are computed from.
SOURCE_FIELDS = ("investor", "name", "credit_code")
KEY_LENGTH = 200

# Removed outright: spaces, brackets (their content kept), punctuation people
# type inconsistently. NFKC has already folded full-width forms to ASCII.
_DROP = re.compile(
    "[ \t\r\n\u3000()\\[\\]{}<>【】〔〕〖〗《》「」『』“”‘’\"'·•・.,，、。:：;；"
    "\\-_—–~～/\\\\|&＆+]"
)

# Provinces and the cities most often written before a company's name: a
# leading place name (河南省郑州市宇通…, 郑州宇通…) does not tell two
# investors apart. Longest first, so 内蒙古自治区 wins over 内蒙古.
_PROVINCES_TEXT = (
    "北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 "
    "江西 山东 河南 湖北 湖南 广东 海南 四川 贵州 云南 陕西 甘肃 青海 "
    "台湾 内蒙古 广西 西藏 宁夏 新疆 香港 澳门"
)
_PROVINCES = _PROVINCES_TEXT.split()
_CITIES_TEXT = (
    "石家庄 太原 沈阳 大连 长春 哈尔滨 南京 苏州 无锡 常州 杭州 宁波 温州 "
    "合肥 福州 厦门 泉州 南昌 济南 青岛 烟台 郑州 洛阳 开封 新乡 许昌 "
    "南阳 武汉 长沙 广州 深圳 东莞 佛山 珠海 海口 成都 贵阳 昆明 西安 "
    "兰州 西宁 呼和浩特 南宁 拉萨 银川 乌鲁木齐"
)
_CITIES = _CITIES_TEXT.split()
_PLACE_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市")
# Trailing legal forms and group words, stripped repeatedly
# (集团股份有限公司 → 集团 → nothing): 宇通客车股份有限公司 = 宇通客车.
_INVESTOR_SUFFIX_TEXT = (
    "股份有限公司 有限责任公司 有限公司 股份公司 集团公司 总公司 分公司 公司 控股集团 集团 控股 "
    "coltd co ltd limited inc corp corporation group gmbh llc"
)
_INVESTOR_SUFFIXES = tuple(sorted(_INVESTOR_SUFFIX_TEXT.split(), key=len, reverse=True))
_NAME_SUFFIXES = ("建设项目", "项目")
# A place in brackets inside a name (字号（行政区划）行业): 西门子（中国）, 科技（深圳）.
_BRACKETED_PLACE = re.compile(
    r"[(\[【〔]\s*(?:中国|"
    + "|".join(sorted(_PROVINCES + _CITIES, key=len, reverse=True))
    + ")(?:"
    + "|".join(_PLACE_SUFFIXES)
    + r")?\s*[)\]】〕]"
)


def _base(text: str) -> str:
    """Return `text` folded (NFKC, lower case) without spaces, brackets and punctuation."""
    folded = unicodedata.normalize("NFKC", text or "").lower()
    if "(" in folded or "【" in folded or "[" in folded or "〔" in folded:
        folded = _BRACKETED_PLACE.sub("", folded)
    return _DROP.sub("", folded)


def _by_last_char(suffixes: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """Return the suffixes by their last character, longest first: one dict lookup per step."""
    table: dict[str, list[str]] = {}
    for suffix in sorted(suffixes, key=len, reverse=True):
        table.setdefault(suffix[-1], []).append(suffix)
    return {char: tuple(group) for char, group in table.items()}


_PROVINCE_SET = frozenset(_PROVINCES)
_CITY_SET = frozenset(_CITIES)
_INVESTOR_ENDINGS = _by_last_char(_INVESTOR_SUFFIXES)
_NAME_ENDINGS = _by_last_char(_NAME_SUFFIXES)


def _after_name(text: str, names: frozenset) -> str:
    """Return `text` after the place name it starts with (longest first), or `text` itself."""
    for size in (4, 3, 2):
        if text[:size] in names:
            return text[size:]
    return text


def _without_place(text: str) -> str:
    """Return `text` without a leading province (省, 自治区 …) and city (市).

    河南省郑州市宇通 → 宇通; nothing but a place is kept as it is.
    """
    rest = _after_name(text, _PROVINCE_SET)
    if rest is not text:
        rest = next((rest[len(s) :] for s in _PLACE_SUFFIXES if rest.startswith(s)), rest)
    city = _after_name(rest, _CITY_SET)
    if city is not rest and city.startswith("市"):
        city = city[1:]
    return city or text


def _strip(text: str, endings: dict[str, tuple[str, ...]]) -> str:
    """Strip the place prefix and, repeatedly, the suffixes; never down to nothing."""
    text = _without_place(text)
    while True:
        for suffix in endings.get(text[-1], ()):
            if text.endswith(suffix):
                if len(suffix) == len(text):
                    return text
                text = text[: -len(suffix)]
                break
        else:
            return text


def investor_key(investor: str) -> str:
    """Return the normal form of an investor's name (投资方)."""
    base = _base(investor)
    return _strip(base, _INVESTOR_ENDINGS)[:KEY_LENGTH] if base else ""


def name_key(name: str) -> str:
    """Return the normal form of a project name (项目名称)."""
    base = _base(name)
    return _strip(base, _NAME_ENDINGS)[:KEY_LENGTH] if base else ""


def credit_key(credit_code: str) -> str:
    """Return the credit code as matched: exact, but for case, width and spaces."""
    if not credit_code:
        return ""
    code = credit_code.strip().upper()
    return code if code.isascii() and code.isalnum() else _base(code).upper()


def lead_keys(investor: str, name: str, credit_code: str) -> dict[str, str]:
    """Return the matching keys of a lead with these values, by field name."""
    return {
        "investor_key": investor_key(investor),
        "name_key": name_key(name),
        "credit_key": credit_key(credit_code),
    }


def names_similar(first: str, second: str) -> bool:
    """Return whether two project name keys name the same project: equal, or one contains the other.

    A key of one character contains nothing: 厂 is no evidence.
    """
    if not first or not second:
        return False
    if first == second:
        return True
    shorter, longer = (first, second) if len(first) <= len(second) else (second, first)
    return len(shorter) >= 2 and shorter in longer
