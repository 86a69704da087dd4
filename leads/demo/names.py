"""The words, places and people the demo data is made of."""

from leads.choices import OriginType, Stage
from leads.models import Unit

CITIES = [
    ("深圳", OriginType.OTHER_PROVINCE),
    ("上海", OriginType.OTHER_PROVINCE),
    ("北京", OriginType.OTHER_PROVINCE),
    ("杭州", OriginType.OTHER_PROVINCE),
    ("苏州", OriginType.OTHER_PROVINCE),
    ("广州", OriginType.OTHER_PROVINCE),
    ("成都", OriginType.OTHER_PROVINCE),
    ("武汉", OriginType.OTHER_PROVINCE),
    ("福州", OriginType.IN_PROVINCE),
    ("厦门", OriginType.IN_PROVINCE),
    ("泉州", OriginType.IN_PROVINCE),
    ("漳州", OriginType.IN_PROVINCE),
    ("香港", OriginType.FOREIGN),
    ("台北", OriginType.FOREIGN),
    ("新加坡", OriginType.FOREIGN),
    ("东京", OriginType.FOREIGN),
    ("法兰克福", OriginType.FOREIGN),
]
COMPANY_WORDS = [
    "华鑫",
    "中科",
    "海创",
    "远航",
    "恒信",
    "博远",
    "星辰",
    "嘉禾",
    "瑞丰",
    "天工",
    "云智",
    "锦程",
    "鼎盛",
    "润泽",
    "启明",
    "盛达",
    "新锐",
    "长风",
    "通达",
    "凯越",
]
COMPANY_KINDS = [
    "科技",
    "智能装备",
    "新材料",
    "物流",
    "文化传媒",
    "环保科技",
    "电子商务",
    "医疗健康",
    "商业管理",
    "信息服务",
]
PROJECT_KINDS = [
    "生产基地",
    "研发中心",
    "区域总部",
    "产业园",
    "智慧仓储中心",
    "数字化工厂",
    "创新中心",
    "结算中心",
    "孵化器",
    "旗舰店",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = [
    "建国",
    "志强",
    "海波",
    "丽华",
    "晓东",
    "文斌",
    "春梅",
    "国庆",
    "明辉",
    "秀英",
    "伟",
    "静",
    "磊",
    "洋",
    "军",
    "敏",
    "勇",
    "艳",
    "杰",
    "娟",
]
DROP_REASONS = [
    "投资方战略调整，暂缓投资",
    "用地条件不满足企业要求",
    "落户他地",
    "资金链紧张，项目搁置",
    "长期无实质进展",
]
# Units credited with bringing leads (引进单位); about one lead in five names none.
UNITS = [
    ("城关街道", Unit.Kind.TOWN),
    ("城西街道", Unit.Kind.TOWN),
    ("临江镇", Unit.Kind.TOWN),
    ("区发展和改革局", Unit.Kind.DEPARTMENT),
    ("区工业和信息化局", Unit.Kind.DEPARTMENT),
    ("区商务局", Unit.Kind.INDUSTRY_LEAD),
]
LEADERS = ["区长 王海", "常务副区长 李明", "副区长 张华", "副区长 陈静", "区委常委 刘洋"]
FINAL_STAGES = (
    [Stage.CONTACT] * 15
    + [Stage.VISIT] * 14
    + [Stage.INTENT] * 14
    + [Stage.SIGNED] * 20
    + [Stage.LANDED] * 25
    + [Stage.DROPPED] * 12
)
