"""The body that handled a complaint, read from the official reply to it: real dispatch outcomes (another city's
message board, `../shared/datasets/tipdm2020c/fj4_messages_replies.csv`) for the matter model and the
nearest-neighbour vote.

    handling_body(reply, j) -> Dispatch(body, label) | None

`body` is the name as the reply writes it (县城管局, 我镇, A5区教育局); `label` is one of our department codes
(`Jurisdiction.department_named`) or a township office kind (`township.government`, `township.judicial`) when the
body is a township's, whichever township it is. A reply that only says 相关部门, names a company, or speaks as 我局
without naming itself gives None: better no label than a guessed one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.jurisdiction import Jurisdiction

TOWNSHIP_GOVERNMENT = "township.government"
TOWNSHIP_JUDICIAL = "township.judicial"

_BODY = (
    r"[\u4e00-\u9fffA-Z0-9]{1,16}?(?:局|委员会|委|办公室|办|厅|中心|集团|公司|大队|支队|总队|中队|派出所|司法所|所"
    r"|人民政府|政府|街道办事处|街道|镇|乡|社区|村委会|法院|站|部门)"
)
# who was asked to look into it: 经县城管局调查 / 转交A5区教育局处理 / 由我镇负责 / 责成市交警支队核查
_HANDLED = re.compile(
    rf"(?:转交|转至|转给|转达|交由|交至|责成|安排|要求|会同|联合|经|由|转|交|请)(?:给|至|到)?(?P<body>{_BODY})"
    r"(?:及相关单位|等单位|等部门)?(?:立即|迅速|及时|组织|派员|工作人员|相关人员)?"
    r"(?:进行|对|调查|核实|核查|处理|办理|负责|答复|回复|落实|查处|处置|现场|了解|协调|研究|查实|查明|依法|督促|调解|组织)"
)
# handed over without saying what for: 我们已转交市教育局。
_PASSED = re.compile(rf"(?:转交|转至|转给|转达|交由|交至|转)(?:给|至|到)?(?P<body>{_BODY})[。，,；;！!\s]")
# the body answering or acting for itself: 县城管局回复： / 我镇高度重视 / a signature: C市教育局 2014年4月29日
_SELF = re.compile(
    rf"(?:^|[。！!；;：:，,\s])(?P<body>{_BODY})"
    r"(?:(?:回复|答复|反馈|经查|经核实|调查核实)[:：，,]|高度重视|接到|立即|已于|组织|派员|\s*\d{4}年\d{1,2}月\d{1,2}日)"
)
_OWN = re.compile(r"我(?P<kind>镇|乡|街道|街道办|社区|村|司法所)")
_VAGUE = re.compile(r"^(?:相关|有关|职能|主管|责任|属地|上级|当地|所在|各|本|该|此|其)+")
_LEADING = re.compile(r"^(?:\d{4}年\d{1,2}月\d{1,2}日|已经|已|并|均|再|又|转交|转至|转给|转达|交由|交至|经|由)+")
_CITED = re.compile(r"^(?:根据|按照|依据|依照|关于|参照)")  # 根据省公安厅交警总队的发文: cited, not handling
_COMPANY = re.compile(r"(?:公司|集团)$")


@dataclass(frozen=True)
class Dispatch:
    body: str  # as the reply writes it
    label: str  # a department code of ours, or a township office kind


def _label(body: str, j: Jurisdiction) -> str | None:
    if "司法所" in body:
        return TOWNSHIP_JUDICIAL
    if re.search(r"(?:镇|乡|街道)(?:人民政府|政府|办事处)?$", body):
        return TOWNSHIP_GOVERNMENT  # before the aliases: 人民政府 holds 民政
    if re.search(r"(?:人民政府|政府)$", body):
        return None  # a county's or city's government as a whole is not a department (and 人民政府 holds 民政)
    code = j.department_named(body)
    if code:
        return code
    if _COMPANY.search(body):
        return None  # 物业公司, 开发公司: not a public body
    if re.search(r"(?:社区|村委会|社区居委会)$", body):
        return TOWNSHIP_GOVERNMENT  # village matters are the township's
    return None


def handling_body(reply: str, j: Jurisdiction) -> Dispatch | None:
    """The first public body the reply says handled the matter, with its label; None when it names none."""
    text = reply or ""
    found: list[tuple[int, str]] = []
    ends: dict[int, tuple[int, str]] = {}  # of two readings ending at the same place, the shorter is the name
    for pattern in (_HANDLED, _PASSED, _SELF):
        for m in pattern.finditer(text):
            body = _LEADING.sub("", _VAGUE.sub("", m.group("body")))  # 当地电力部门 → 电力部门; 相关部门 → 部门
            start = m.end("body") - len(body)
            named = len(body) >= 2 and not _CITED.match(body) and not body.startswith("我")  # 我局: which one?
            if named and (m.end("body") not in ends or start > ends[m.end("body")][0]):
                ends[m.end("body")] = (start, body)
    found.extend(ends.values())
    for m in _OWN.finditer(text):
        found.append((m.start(), m.group()))
    for _, body in sorted(found):
        if _OWN.fullmatch(body):
            return Dispatch(body, TOWNSHIP_JUDICIAL if "司法所" in body else TOWNSHIP_GOVERNMENT)
        label = _label(body, j)
        if label:
            return Dispatch(body, label)
    return None
