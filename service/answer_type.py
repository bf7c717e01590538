"""The kind of answer a question asks for, and whether a piece of evidence holds one.

Near-miss questions share the document's topic but ask for something it never
states: "港珠澳大桥收费标准是多少" (an amount), "试验区包括哪些城市" (named cities),
"养老保险转移要带什么材料" (a procedure). Similarity cannot tell these from
answerable questions; the shape of the answer can. A question is read into an
:class:`Asked` (kinds, measure units, focus words), and :func:`unmet` says what a
candidate answer span lacks.
"""

from __future__ import annotations

import re
from collections.abc import Container
from dataclasses import dataclass

from indexer.tokenize import DATA_DIR, read_lines, words
from service.regions import ABBREVIATIONS

# What the question wants, by its wording (matched on normalized, lower-case text).
_ASKS = {
    "amount": re.compile(
        r"多少.{0,4}(钱|亿|万|元|资金|经费|补贴|补偿金|奖金)|几块钱|百分之几|金额|规模|投资(?!基金)|收费|费用|价格|票价"
        r"|补贴|报销|比例|税|奖励|奖金|奖多少"
        # A fee by its name (仲裁费, 学费, 过路费), but not 消费 (consumption).
        r"|(?<![消浪花耗])费|全免|减免"
        r"|罚款|罚金|罚多少|罚几|toll|fee|how much|cost|subsid|allowance|budget|price|\btax(es)?\b"
    ),
    # Who pays: the source of the money, which the evidence must name.
    "payer": re.compile(r"钱(由|从)?(谁|哪)|谁(来|一起)?出(钱|资)?[？?]?$|谁出资"),
    "quota": re.compile(r"名额|配额"),
    "count": re.compile(r"(有|共)几(个|条|项|天|次)|how many"),
    # How often: a plan that sets a frequency says 每年, 定期 or gives a number of times.
    # ("提到了几次", "出现几次" count mentions in the text itself.)
    "frequency": re.compile(r"(?<![提到现了])几次|多少次|多久一次|多长时间一次|how often"),
    # A number of people (成团最少几个人, 编制有几个人): the evidence must count people.
    "headcount": re.compile(r"几(个)?(人|名)|多少(个)?(人|名)(?![民才力口员社])"),
    "time": re.compile(
        r"哪(一)?年|哪(一)?天|几月几(日|号)|几个?(工作日|天|月|年)(内|之内|以内)|何时|什么时候|多久"
        r"|期限|截止|几点"
        r"|^when\b|[,;?.] *when\b|which year|how long"
    ),
    "person": re.compile(
        r"(主任|秘书长|[厅局部市省组院会校]长|书记|负责人|领导)(现在)?(是谁|是哪位|叫什么)"
        # 名字 only of a person: "文件还点了哪些名字" asks for the platforms' names.
        r"|(主任|负责人|领导|联系人|经办人)(的)?名字|电话|联系方式|地址|网址|网站|公众号|热线"
        r"|小程序|客户端|\bapp\b"
        r"|who is the\b(?! (lead|responsible|leading|main|agency|department|office|body))"
        r"|who (chairs|heads)|(chaired|headed) by"
    ),
    "procedure": re.compile(
        r"(怎么|如何|怎样)(自己|去|才能)?(申请|办理|补办|办|提取|查询|查|报名|入驻|下载|分配|分|交|缴|参保)"
        r"|(去|到|在)哪(里|儿|个[\u4e00-\u9fff]{1,3})?(能|可以)?(办|申请|报名|提交|查|登记|下载)"
        r"|(什么|哪些)(材料|手续|证件|证明|审批)|模板|(可以|能)下载|(申请|材料)(要)?(交|递交|提交|报)(到|给)?哪"
        # Permits, opening hours and how a score is worked out: errands, not plans.
        r"|许可证|就业证|执照|通行证|居住证|工作证|资格证|上岗证"
        r"|开门|关门|营业时间|办公时间|上班时间|周六|周日|周末|节假日"
        r"|(怎么|如何)(计)?算(的)?[?？]?$|计算方法|计分"
        r"|有没有(名单|清单)|(名单|清单)(在哪(里|儿)?|哪里)(能|可以)?(查|看|找|下载)|(名单|清单)怎么查"
        r"|(名单|清单)(里|上)?(都)?(有)?(哪些|哪几)"
        r"|"
        r"how (do|can) i|apply for|\brenew(al)?\b"
        # Personal errands in English: a plan of government work never answers them.
        r"|\brecommend|cheapest|easiest way|opening hours|where can i|\bbook (a|an)\b|\bnear(by)?\b"
    ),
    "condition": re.compile(
        r"(什么|哪些|啥)(条件|资格|门槛)|条件是|需要满足|要满足|怎么认定|认定标准|标准是(啥|什么)"
        r"|能(不能)?被?(列进|列入|纳入|评上|选上).{0,6}(名单|名录|范围)"
        r"|eligib"
    ),
    # Two documents compared: the evidence must make the comparison itself.
    "comparison": re.compile(
        r"(跟|和|与).{2,30}(相)?比|有(什么|啥)(不一样|不同|区别|变化)|区别|差别"
    ),
    # "Why only these six cities / why so late": a choice the text would have to justify.
    "choice": re.compile(
        r"(为啥|为什么|为何)(.{0,12}(偏偏|只|单单|拖到|这么晚)|选|挑|是)|而不是|why only|why not"
    ),
    # "Why build dry ports": the purpose, which a plan states as what the work is for.
    "purpose": re.compile(r"为啥|为什么|为何|图(的是)?啥|目的是什么|\bwhy\b"),
    "consequence": re.compile(r"问责|追责|处分|怎么罚|如何处罚|受到.{0,4}处罚|penalt"),
    "progress": re.compile(
        r"已经.{0,12}(了|没有|吗)|进展(如何|怎么样|到哪)|成效|效果(如何|怎么样)"
        r"|(建成|通车|开通|完成|落地)了(吗|没有|没)|到现在|so far|achieved"
        # "规划编完了没有", "批复了吗" (but "文件里提到了吗" asks about the text).
        r"|(?<![提说写讲到])了(没有|吗|没)[?？]?$"
        # The state of things now: a 2017 plan states intentions, not today's facts.
        # ("现在推的是第几条" asks which one the plan pushes.)
        r"|(?<!出)现在(?!(主|在|要)?推)|目前|如今|眼下|(评上|入选|获批|进驻)了"
    ),
    # How long the document stays in force: it never says.
    "validity": re.compile(r"有效期|有效到|失效|废止"),
    "venue": re.compile(
        r"下一?届|在哪(里|个城市|座城市)?(开|办|举办|召开)|设在哪|东道主|轮值|轮到"
        r"|where (will|is) .{0,80}\bbe held|\bnext (meeting|conference|session|forum)"
    ),
    # Which rule prevails when two conflict: a plan of intentions never says.
    "precedence": re.compile(r"以哪个为准|以谁为准|哪个(说了)?算|冲突了?怎么办|打架"),
    # "建在哪个县", "定在蛇口还是南沙": a site the text would have to name.
    # ("目标定在哪一年" asks for a year.)
    "site": re.compile(
        r"(建|设|定|落|选)在哪(?!一?(年|天|月|季))|选址|落点|哪个(县|镇|村)|哪几个(县|镇|村)"
    ),
    "specifics": re.compile(r"具体.{0,4}(哪些|什么|包括|有哪|条件|哪几|怎么|如何)"),
    # ("平台在第几条" asks where the document says it: the citation answers.)
    "number": re.compile(r"是多少|多少[?？]?$|几号|(?<!在)第几|多大|多高|多长|多宽|多远"),
}
_NUMERAL = r"(\d+(\.\d+)?|[两二三四五六七八九十百千万亿]+)"
# What evidence of each kind looks like in the document's text.
_EVIDENCE = {
    "amount": re.compile(r"\d+(\.\d+)?\s*(亿|万|元|%)|[百千万亿]元|比例"),
    "payer": re.compile(r"出资|财政|资本|金融机构|基金|筹集|拨付|预算"),
    "quota": re.compile(rf"{_NUMERAL}\s*[\u4e00-\u9fff]"),
    # "要重建的口岸有几个": a list names them (沙头角、皇岗口岸), and so counts them.
    "frequency": re.compile(rf"{_NUMERAL}\s*次|每(年|月|季|半年|周)|定期|不定期"),
    "validity": re.compile(r"有效期|有效至|施行|废止|失效"),
    "headcount": re.compile(rf"{_NUMERAL}\s*(个)?(人|名)"),
    # An implementation plan sets no order of precedence between rules.
    "precedence": re.compile(r"为准|优先适用"),
    "count": re.compile(
        rf"{_NUMERAL}\s*[\u4e00-\u9fff]|[\u4e00-\u9fff]{{2,8}}、[\u4e00-\u9fff]{{2,8}}"
    ),
    "time": re.compile(r"(19|20)\d\d|[一二三四五六七八九十]+月|年底|月底|定期"),
    # An implementation plan names no people, phones or addresses, no application
    # procedures and no venues of future meetings: these asks cannot be met from it.
    "person": re.compile(r"(?!)"),
    "procedure": re.compile(r"(?!)"),
    "venue": re.compile(r"(?!)"),
    "site": re.compile(r"[\u4e00-\u9fff]{1,4}(县|镇|村)(?![级域])|选址"),
    "condition": re.compile(
        r"(须|应当|必须)(具备|满足|符合)|条件(为|是|包括)|年满|学历|不低于|不少于"
    ),
    "consequence": re.compile(r"问责|追究|处分|处罚|罚款|通报批评"),
    "comparison": re.compile(r"相比|比较|较.{0,8}(增加|减少|提高|降低)|(不同|区别)在于"),
    "choice": re.compile(r"因为|由于|鉴于|考虑到"),
    "purpose": re.compile(
        r"为了|为深入|为进一步|旨在|目的|以便|是为|为.{2,20}(提供|创造|奠定)|"
        r"[，,](促进|推动|提升|拓展|提高|增强|实现|确保|保障|带动|服务)"
    ),
    # A plan sets goals; it reports no results.
    "progress": re.compile(r"已(经)?(建成|完成|开通|实现|取得)|取得.{0,6}(成效|进展)"),
    # Asked for the specifics, the evidence must not be one of the document's
    # placeholders for them ("部分国家", "符合条件的随迁子女", "探索建立…").
    "specifics": re.compile(r"^(?!.*(部分|符合条件|有关|相关|一定|探索))"),
    "number": re.compile(
        rf"\d|{_NUMERAL}(个|条|项|期|号|年|月|千伏|公里|米|省|市|线)|第[一二三四五六七八九十]"
    ),
}
_TITLES = re.compile(r"《[^》]*》")
_AGENCY_ENDINGS = ("政府", "部门", "厅", "局", "委", "办", "集团")
# "多少亩", "多少个省区", "多少度电": a quantity in a unit; the evidence must count in it.
# ("多少个部门" counts the names a list gives: no unit to check.)
_QUANTITY = re.compile(r"多少(个)?([\u4e00-\u9fff])(?![门位面项])")
# Money is an amount (checked as one); 个 only appears when the unit word is general.
_NOT_UNITS = frozenset("钱亿万元资经补个")
_LENGTH = re.compile(r"多长|多远|多少(公里|千米|米)")
# "年假有几天": a number of days the evidence would have to give.
_DAYS = re.compile(r"(?<![哪那这])几(个)?(天|工作日|小时)")
# "设几个站": things a plan names but does not count.
_COUNTED = re.compile(r"几个(站|车站|站点|车道|泊位|床位|航班|班次)")
# Words that ask "which X" / "what X" before or after the thing asked for.
_ASK_WORDS = frozenset(
    [
        "哪些",
        "哪几个",
        "哪几",
        "哪个",
        "什么",
        "哪类",
        "哪家",
        "哪种",
        "哪几类",
        "啥",
    ]
)
_PARTS = re.compile(r"[，。？！?!,;；：:\s]+")
_INSTITUTIONS = frozenset("院所校司")
_WHICH_SEVERAL = re.compile(r"哪几个?")
_ASK_AFTER = frozenset(["哪些", "什么", "哪几个", "哪几", "啥"])
# What may follow an ask word that ends the question: particles and classifiers.
_TAIL = frozenset(["呢", "啊", "呀", "条", "个", "项", "种", "类", "家", "处"])
_SKIP_BEFORE = frozenset(["具体", "都", "主要", "有", "包括", "还", "到底", "究竟", "是", "分别"])
_GRADES = frozenset(["基本", "主要", "重要", "总体", "核心", "具体", "关键", "重大"])
# Focus words too general to check: any evidence "has" them in substance. The
# abstract ones (水平, 功能, 渠道) are answered by a description, not by a named item.
_GENERIC = frozenset(read_lines(DATA_DIR / "generic_nouns_zh.txt"))


# Classes of places, and how a text names several of them: a list with 、, or a run of
# the one-character names of provinces and regions (粤桂琼, 闽粤赣).
_PLACE_CLASSES = frozenset(["地区", "省区", "省份", "国家", "城市", "地市", "区域", "地方"])
_LISTED = re.compile(r"[\u4e00-\u9fff]{2,8}、[\u4e00-\u9fff]{2,8}")
_REGION_RUN = re.compile(rf"[{ABBREVIATIONS}]{{3,}}")
_PROVINCE_CLASSES = frozenset(["地区", "省区", "省份", "区域", "地方"])


@dataclass(frozen=True)
class Asked:
    """What a question asks for: answer kinds, quantity units, and focus words."""

    kinds: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    focus: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.kinds or self.units or self.focus)


def read_asked(text: str, vocabulary: Container[str]) -> Asked:
    """Read what ``text`` (normalized) asks for.

    Focus words are kept only when the corpus uses them (``vocabulary``): a word
    the tokenizer cut badly must not decide anything.

    >>> read_asked("试验区包括哪些城市？", {"城市"}).focus
    ('城市',)
    """
    lowered = text.lower()
    kinds = tuple(kind for kind, pattern in _ASKS.items() if pattern.search(lowered))
    units = tuple(
        dict.fromkeys(m.group(2) for m in _QUANTITY.finditer(text) if m.group(2) not in _NOT_UNITS)
    )
    if _LENGTH.search(text):
        units += ("length",)
    units += tuple(m.group(1) for m in _COUNTED.finditer(text) if m.group(1) not in units)
    days = _DAYS.search(text)
    if days and days.group(2) not in units:
        units += (days.group(2),)
    # "哪家医院", "哪个法院": an institution the corpus never names is asked for all the same.
    focus = tuple(
        w
        for w in dict.fromkeys(_focus_words(text))
        if w in vocabulary or (len(w) == 2 and w[-1] in _INSTITUTIONS)
    )
    return Asked(kinds, units, focus)


def _focus_words(text: str) -> list[str]:
    found = []
    for part in _PARTS.split(text):
        # jieba cuts 哪几条 as 哪/几条; for the focus it asks the same as 哪些.
        cut = words(_WHICH_SEVERAL.sub("哪些", part))
        for i, word in enumerate(cut):
            if word in _ASK_WORDS and i + 1 < len(cut) and cut[i + 1] not in _TAIL:
                # "包括哪些城市": the word after names what is asked for ("哪些条" names
                # nothing but items, "哪几个港口" was read as "哪些港口"); in "哪些珠三角
                # 城市" the place only narrows the class asked for.
                if i + 2 < len(cut) and cut[i + 2] in _PLACE_CLASSES:
                    found.append(cut[i + 2])
                else:
                    found.append(cut[i + 1])
            elif word in _ASK_WORDS and i + 2 < len(cut) and cut[i + 1] == "家":
                # "哪几家医院": past the measure word for institutions.
                found.append(cut[i + 2])
            if word in _ASK_AFTER and i > 0 and all(w in _TAIL for w in cut[i + 1 :]):
                # "成员单位具体有哪些": the thing asked for comes before.
                j = i - 1
                while j > 0 and cut[j] in _SKIP_BEFORE:
                    j -= 1
                # A general head word (单位) is named by the word before it (成员),
                # unless that word only grades it (基本原则, 主要措施).
                if cut[j] in _GENERIC and j > 0:
                    j -= 1
                    if cut[j] in _GRADES:
                        continue
                found.append(cut[j])
    # Attributes (国家级, 区域性, 一体化) qualify the thing asked for; they do not name it.
    return [
        w
        for w in found
        if len(w) >= 2 and w not in _GENERIC and not w.isascii() and w[-1] not in "级性化式"
    ]


def unmet(asked: Asked, evidence: str, note: str = "") -> str | None:
    """The first thing ``asked`` wants that ``evidence`` lacks (``"time"``, ``"unit:亩"``,
    ``"focus:城市"``), or None when the evidence holds every kind of answer asked for.

    An agency-like focus word (市政府) may also stand in ``note``, the clause's
    responsibility note, but only literally: the note names agencies, not cities, and
    not the members of a group it mentions (领导小组成员单位).
    """
    # A date inside a cited title ("《…行动计划(2016-2020年)》") dates that plan, not
    # the thing asked about.
    plain = _TITLES.sub("", evidence)
    for kind in asked.kinds:
        if not _EVIDENCE[kind].search(plain if kind == "time" else evidence):
            return kind
    for unit in asked.units:
        if unit == "length":
            if not re.search(rf"{_NUMERAL}\s*(公里|千米|米|km)", evidence):
                return "unit:length"
        elif not re.search(rf"{_NUMERAL}\s*(个)?{re.escape(unit)}", evidence):
            return f"unit:{unit}"
    for word in asked.focus:
        if word in evidence or (word in note and word.endswith(_AGENCY_ENDINGS)):
            continue
        # A park is named by its kind (深港创新及科技园).
        if word == "园区" and re.search(r"[\u4e00-\u9fff]园", evidence):
            continue
        # "基本原则": a general head word (原则) names the thing well enough.
        if len(word) > 2 and word[-2:] in _GENERIC and word[-2:] in evidence:
            continue
        # "哪几个省区": the evidence may name them (闽粤桂琼, 东南亚、南亚) without the word.
        if word in _PLACE_CLASSES and _LISTED.search(evidence):
            continue
        if word in _PROVINCE_CLASSES and _REGION_RUN.search(evidence):
            continue
        return f"focus:{word}"
    return None
