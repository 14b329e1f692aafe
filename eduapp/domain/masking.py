"""Masking personal contact data where a full value is not needed (《中华人民共和国个人信息保护法》第六条:
处理个人信息应当限于实现处理目的的最小范围; 第五十一条: 采取去标识化等安全技术措施). One helper for logs, lists and
messages: 138****1234 and a***@example.com are enough to recognise a value without spreading it."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
# A mainland mobile number, alone or with +86 / 86 before it: never part of a longer run of digits.
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)")


def mask_phone(number: str | None) -> str:
    """138****1234 for a mobile number; a shorter or odd number keeps only its last two digits."""
    if not number:
        return ""
    digits = re.sub(r"\D", "", number)
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if len(digits) >= 7:
        return digits[:3] + "****" + digits[-4:]
    return "*" * max(len(digits) - 2, 1) + digits[-2:]


def mask_email(address: str | None) -> str:
    """a***@example.com: the first character of the local part, the domain in full."""
    if not address:
        return ""
    local, at, domain = address.strip().rpartition("@")
    if not at or not local:
        return "***"
    return f"{local[0]}***@{domain}"


def mask_contact(value: str | None) -> str:
    """An e-mail address or a phone number, whichever ``value`` is."""
    if not value:
        return ""
    return mask_email(value) if "@" in value else mask_phone(value)


def mask_in_text(text: str) -> str:
    """Every e-mail address and mainland mobile number inside free text (an error message, a log line)."""
    text = _EMAIL.sub(lambda m: mask_email(m.group(0)), text)
    return _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)


def mask_name(name: str | None) -> str:
    """张*, 张*丰, 欧**娜: a person's name with only its first and (from three characters) last character,
    enough for someone who knows the holder to recognise them (a public certificate check shows no more).
    Each word of a Latin name is masked alike (J*** S****); one character alone becomes *."""
    name = (name or "").strip()
    if not name:
        return ""
    if " " in name:
        return " ".join(word[0] + "*" * (len(word) - 1) for word in name.split())
    if len(name) == 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


# --- personal names in a published text (以案释法) ------------------------------------------------------
# A case study quotes a decided case. The enterprise is named as the published 行政处罚决定 names it
# (行政处罚法 第四十八条: decisions with 一定社会影响 are made public); the people in it are not: their
# names are personal information (个人信息保护法 第六条, 第二十八条) that a teaching text does not need.

# Words after which a person's name follows in a decision: 法定代表人张三, 员工李四四, 经理王五.
NAME_CUES = ("法定代表人", "负责人", "主要负责人", "实际控制人", "委托代理人", "代理人", "员工", "职工", "工人", "经理",
             "厂长", "主任", "股东", "司机", "操作工", "环保专员", "联系人", "投资人", "经营者")
_CUE = re.compile(
    "(" + "|".join(sorted(map(re.escape, NAME_CUES), key=len, reverse=True)) + r")([：:\s]*)([\u4e00-\u9fff]{2,4})"
)
# What may follow a name in a decision's sentence: punctuation, a particle or a verb it starts.
_AFTER_NAME = set("，。、；;,.：: ）)（(等在于因将对向与和及的系为是称未已曾自私擅")
# The common family names (a cue followed by other words, 经理办公室, is no name).
SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔"
    "钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊"
    "葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉"
    "骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏"
    "宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
COMPOUND_SURNAMES = frozenset({"欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文",
                               "司徒", "夏侯", "令狐", "端木", "独孤", "南宫", "西门"})


def masked_person(name: str) -> str:
    """张某 for 张三 and 张三丰: the family name and 某 (欧阳娜娜 → 欧阳某 for the two-character family names)."""
    name = name.strip()
    if not name:
        return ""
    family = name[:2] if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES else name[0]
    return family + "某"


def _cued_name(found: str, following: str) -> str:
    """The name among the (two or three) characters after a cue: three when the fourth character ends
    it, else two (员工李四倾倒 → 李四; 员工李四四将 → 李四四); a lone character as 3rd that ends it, two."""
    if found[:2] in COMPOUND_SURNAMES and len(found) >= 3:
        return found if len(found) == 4 and found[3] not in _AFTER_NAME else found[:3]
    found = found[:3]
    if len(found) == 3 and found[2] not in _AFTER_NAME and (not following or following in _AFTER_NAME):
        return found
    return found[:2]


def mask_person_names(text: str, known_names: list[str] | tuple[str, ...] = (), keep: tuple[str, ...] = ()) -> str:
    """``text`` with people's names replaced by 张某: every name of ``known_names`` (the enterprise's legal
    representative and environmental manager, the case's people) wherever it stands, and a name right
    after a cue word (法定代表人, 负责人, 员工, 经理 …) when it starts with a family name. Words in ``keep``
    (the enterprise's name, as the published decision names it) are never touched."""
    if not text:
        return ""
    guarded = {f"\x00{i}\x00": word for i, word in enumerate(w for w in keep if w)}
    for token, word in guarded.items():
        text = text.replace(word, token)
    for name in sorted({n.strip() for n in known_names if n and len(n.strip()) >= 2}, key=len, reverse=True):
        text = text.replace(name, masked_person(name))

    def cue(m: re.Match) -> str:
        following = m.string[m.start(3) + 3:m.start(3) + 4]
        name = _cued_name(m.group(3), following)
        if name[0] not in SURNAMES and name[:2] not in COMPOUND_SURNAMES or "某" in name[1:]:
            return m.group(0)
        return m.group(1) + m.group(2) + masked_person(name) + m.group(3)[len(name):]

    text = _CUE.sub(cue, text)
    for token, word in guarded.items():
        text = text.replace(token, word)
    return text
