"""Reading what a question asks for, and checking evidence for it (real jieba)."""

from __future__ import annotations

import pytest

from indexer.tokenize import normalize, tokenize
from service.answer_type import Asked, read_asked, unmet

VOCABULARY = {
    "省区",
    "地区",
    "城市",
    "行业",
    "港口",
    "成员",
    "材料",
    "条件",
    "水平",
    "建成",
    "国家级",
    "窗口",
    "数字化",
}


def asked(question: str) -> Asked:
    text = normalize(question)
    return read_asked(text, VOCABULARY, tokenize(text))


@pytest.mark.parametrize(
    ("question", "kinds"),
    [
        ("港珠澳大桥收费标准是多少", ("amount", "number")),
        ("违规了罚款多少", ("amount", "number")),
        ("这个试点哪一年开始", ("time",)),
        ("办公室主任是谁", ("person",)),
        ("养老保险转移要带什么材料", ("procedure",)),
        ("去哪个窗口办", ("procedure",)),
        ("名单怎么查", ("procedure",)),
        ("配额怎么分配", ("quota", "procedure")),
        ("港澳青年来粤就业有什么条件", ("condition",)),
        ("没按时报送会被怎么问责", ("consequence",)),
        ("九省区高铁现在通车了没有", ("progress",)),
        ("下一届论坛在哪开", ("venue",)),
        ("具体包括哪些行业", ("specifics",)),
        ("纲要是哪天发布的", ("time",)),
        ("秘书处的秘书长是谁", ("person",)),
        ("扶贫办现在的主任是哪位", ("person", "progress")),
        ("入园申请交到哪个部门", ("procedure",)),
        ("要怎么认定，标准是啥", ("condition",)),
        ("跟福建的实施方案比，多了哪些任务", ("comparison",)),
        ("为什么偏偏挑这两所大学", ("choice", "purpose")),
        ("为什么要共建无水港", ("purpose",)),
        ("示范基地具体建在哪个县", ("site",)),
        ("粤澳示范区的规划编完了没有", ("progress",)),
        ("区域性通信枢纽文件里提到了吗", ()),  # asks about the text, not progress
        ("投诉几个工作日内要给结果", ("time",)),
        ("配额一吨几块钱", ("amount", "quota")),
        ("不能超过预算的百分之几", ("amount",)),
        ("第一批景区有没有名单", ("procedure",)),
        ("区政务服务中心周六开门吗", ("procedure",)),  # an errand, not a plan
        ("港澳居民还要不要办就业证", ("procedure",)),
        ("小升初的积分怎么算", ("procedure",)),
        ("报送合作事项有没有统一的报表模板", ("procedure",)),
        ("跨省就医要在哪个小程序备案", ("person",)),  # a channel, like a phone number
        ("Who chairs the provincial leading group?", ("person",)),
        ("超标排污一次最高罚多少", ("amount", "number")),
        ("What corporate tax rate applies in Qianhai?", ("amount", "number")),
        ("特高压线路的落点在哪", ("site",)),
        ("负面清单在哪条提的", ()),
        ("非遗展演每年在哪座城市办", ("venue",)),
        ("为啥扶贫协作在省内只挑了这六个市", ("choice", "purpose")),
        ("要报请联席会议的大事怎么挑选", ()),  # how, not why
        ("对澳供水管道是第几条", ("number",)),
        ("铁路项目由谁牵头", ()),
        ("跟港澳在看病上有啥安排", ()),
        ("要重建的口岸有几个", ("count",)),
        ("办证的手续费怎么收", ("amount",)),
        ("消费者投诉怎么处理", ()),  # 消费 is not a fee
        ("这笔钱由谁出", ("payer",)),
        ("钱从哪来，谁一起出？", ("payer",)),
        ("联合检查每年搞几次", ("frequency",)),
        ("CEPA 在文件里提到了几次", ()),  # counts mentions in the text
        ("培训班一期招几个人", ("headcount",)),
        ("结果公布在哪个网站", ("person",)),
        ("明年轮到哪个省当东道主", ("venue",)),
        ("两个规定冲突了以哪个为准", ("precedence",)),
        ("我们企业能被列入支持名单吗", ("condition",)),
        ("展销中心几点开门", ("time", "procedure")),
        ("灵活就业人员怎么自己交社保", ("procedure",)),
        ("建筑垃圾外运要办哪些审批", ("procedure",)),
        ("首批医院名单里有哪些", ("procedure",)),
        # Today's state of things, after the 2017 plan.
        ("示范基地目前认定了几家", ("progress",)),
        ("深圳被评上了示范城市吗", ("progress",)),
        ("港珠澳大桥在文件里出现在哪几处", ()),  # 出现在 is not 现在
        ("这份意见的有效期到哪年", ("time", "validity")),
        # English asks are whole words: "renewable" is not "renew", "when treated" no date.
        ("How do I renew my passport?", ("procedure",)),
        ("Can you recommend a hotel near the station?", ("procedure",)),
        ("What are the opening hours of the museum?", ("procedure",)),
        ("Which tasks does the tourism bureau lead?", ()),
        ("Does the energy task mention new and renewable energy?", ()),
        ("When will the bridge open?", ("time",)),
        ("Can patients settle their bills directly when treated in another province?", ()),
        ("目标定在哪一年实现", ("time",)),  # a year, not a site
        ("码头定在哪个县", ("site",)),
        ("文件还点了哪些名字", ()),  # the names of things, not of a person
        ("泛珠办主任的名字", ("person",)),
        ("供水管道现在推的是第几条", ("number",)),
        ("供水管道现在建到哪了", ("progress",)),
        ("每年要拨多少补偿金", ("amount",)),
        ("Where will the next forum be held?", ("venue",)),
        ("Who is the lead agency for ports?", ()),
        ("平台在第几条", ()),  # where it stands: the citation answers
        ("是第几条管道", ("number",)),
        ("Who is the director of the office?", ("person",)),
    ],
)
def test_kinds(question: str, kinds: tuple[str, ...]) -> None:
    assert asked(question).kinds == kinds


@pytest.mark.parametrize(
    ("question", "units"),
    [
        ("育种基地有多少亩", ("亩",)),
        # A word the corpus uses after 多少 is what is counted, not a unit.
        ("要在内地多少个省区之间实现", ()),
        ("每年培训多少数字化人才", ()),
        ("浓度要降到多少微克", ("微",)),
        ("一年送多少度电", ("度",)),
        ("线路有多长", ("length",)),
        ("要花多少钱", ()),  # an amount, checked as one
        ("一共有多少个部门按职责负责", ()),  # counts the names a list gives
        ("这是第几条", ()),
        ("公务员年假有几天", ("天",)),
        ("审批要几个工作日", ("工作日",)),
        ("那几天的会议", ()),  # points at days, asks for none
    ],
)
def test_units(question: str, units: tuple[str, ...]) -> None:
    assert asked(question).units == units


@pytest.mark.parametrize(
    ("question", "focus"),
    [
        ("试验区包括哪些城市？", ("城市",)),
        ("线路具体停靠哪几个港口？", ("港口",)),
        ("领导小组的成员单位具体有哪些？", ("成员",)),
        ("要带什么材料、去哪个窗口办？", ("材料", "窗口")),
        # General and abstract heads are answered by a description, not a named item.
        ("大数据园区要建成什么水平？", ()),
        ("由哪些部门负责？", ()),
        # Support, like measures and policies, is any help the text describes.
        ("国产软件首次用有什么支持？", ()),
        ("试点是哪家牵头在抓？", ()),
        # An institution is asked for even when the corpus never names one.
        ("平台是哪家医院在运营？", ("医院",)),
        # An attribute does not name the thing asked for.
        ("要承担什么国家级的改革试点？", ()),
        ("文件里提到的港口有哪几个？", ("港口",)),
        # "哪几条" / "哪几处" ask for items, not for a kind of thing.
        ("港珠澳大桥在文件里一共在哪几条出现？", ()),
        # Words the corpus never uses are not trusted (jieba may have cut badly).
        ("哪几个市要参与？", ()),
        ("首批是哪几家医院？", ("医院",)),  # past the measure word 家
        ("还有哪几个珠三角城市要参与？", ("城市",)),  # the place narrows the class
        ("坚持的基本原则有哪些", ()),  # 基本 grades 原则; it names nothing
        # A linking verb after the ask word names nothing; the thing follows in other words.
        ("拿什么作为统一的识别码？", ()),
        ("这份意见说的是在哪个范围内推？", ()),  # a scope is any extent the text gives
        ("三地要联合办啥活动推广名优产品？", ()),  # an activity is any event the text names
        ("内河港口要设什么设施？", ()),  # a facility is anything the text has built
    ],
)
def test_focus(question: str, focus: tuple[str, ...]) -> None:
    assert asked(question).focus == focus


@pytest.mark.parametrize(
    ("question", "evidence", "missing"),
    [
        ("目标是哪一年", "到2020年，区域合作全面深化。", None),
        ("目标是哪一年", "区域合作全面深化。", "time"),
        ("收费标准是多少", "加快推进港珠澳大桥建设。", "amount"),
        ("要在内地多少个省区之间实现", "加快实现内地九省区医疗保险异地就医直接结算。", None),
        ("育种基地有多少亩", "加强与海南省的南繁育种合作。", "unit:亩"),
        ("线路有多长", "建设滇西北至广东±800千伏特高压直流输电工程。", "length"),
        ("管径多粗", "加快推进第四条对澳供水管道工程。", "length"),
        ("试验区包括哪些城市？", "推进粤桂黔高铁经济带合作试验区建设。", "focus:城市"),
        # The list is named, the industries are not.
        ("具体包括哪些行业", "共同制定产业转移指导目录。", "focus:行业"),
        ("具体包括哪些行业", "重点推进电力、钢铁等行业的治理。", None),
        ("具体包括哪些行业", "推动部分行业率先合作。", "specifics"),
        ("怎么申请补贴", "任何内容", "amount"),
        ("为什么要出这个意见", "为深入贯彻落实《指导意见》，制定本实施意见。", None),
        ("为什么要共建无水港", "共建无水港，拓展我省沿海港口服务腹地范围。", None),
        ("为什么要共建无水港", "继续推动共建无水港。", "purpose"),
        ("为什么偏偏挑这两所大学", "推动与卡罗琳斯卡医学院、康纳尔大学合作，促进创新。", "choice"),
        ("跟福建的方案比多了哪些任务", "推进统一市场建设。", "comparison"),
        ("哪几个省区一起建", "共建闽粤桂琼东南沿海红树林生态功能区。", None),
        ("面向哪些地区", "建设面向东南亚、南亚的物流信息平台。", None),
        ("经过哪些城市", "推进西气东输三线等油气管道建设。", "focus:城市"),
        ("涉及哪些江河", "开展广西广东九洲江、福建广东汀江—韩江等跨地区生态保护补偿试点。", None),
        # A count is read off a list as well as a numeral; a quota needs the figure.
        ("要重建的口岸有几个", "开展沙头角、皇岗口岸重建的前期研究。", None),
        ("要重建的口岸有几个", "开展口岸重建的前期研究。", "count"),
        ("名额有几个", "开展沙头角、皇岗口岸重建的前期研究。", "quota"),
        # A quota counts places or people, not the provinces that take part.
        ("一期名额有多少", "继续开展内地九省区公务员赴港澳交流活动。", "quota"),
        ("一期名额有多少", "每期安排30名公务员赴港澳交流。", None),
        ("泛珠是几加几", "推动我省在泛珠三角区域“9+2”各方合作中发挥作用。", None),
        ("泛珠是几加几", "推动内地九省区一体化发展。", "formula"),
        ("联合检查每年搞几次", "定期或不定期召开工作会议。", None),
        ("这份意见什么时候失效", "2017年1月20日", "validity"),
        ("联合检查每年搞几次", "建立联防联控网络。", "frequency"),
        ("培训班一期招几个人", "开展师资培训。", "headcount"),
        ("两个规定冲突了以哪个为准", "推动行政处罚裁量权的运用逐步统一。", "precedence"),
        # A year in a cited title dates that plan.
        ("哪一年建成", "推进实施《珠江水运科学发展行动计划(2016-2020年)》。", "time"),
        ("哪一年建成", "力争2020年建成。", None),
        ("钱由谁出", "加快推进港珠澳大桥建设。", "payer"),
        ("钱由谁出", "鼓励金融机构和社会资本参与。", None),
        ("要建什么园区", "推进深港创新及科技园建设。", None),
    ],
)
def test_unmet(question: str, evidence: str, missing: str | None) -> None:
    assert unmet(asked(question), evidence) == missing


def test_nothing_asked_is_falsy() -> None:
    assert not asked("铁路项目由谁牵头")
    assert asked("试验区包括哪些城市")
