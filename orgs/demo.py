"""Demo data for `python manage.py demo --size small|mine|group` (SPEC §2, §8).

Everything comes from a fixed seed, so two runs of the same size on empty databases give the
same organisations, people and accounts. Big trees are built without treebeard's ``add_child``:
the materialised paths are computed here and the nodes and people are written with
``bulk_create``.

Sizes:
    small  2 mines, 7 branches, 200 people (tests, ``make run``)
    mine   1 mine, 25 branches, 5,000 people (SPEC §8 "mine")
    group  40 mines of 20-25 branches, 200,000 people (SPEC §8 "group")

The demo accounts (one per role, same 工号 and password at every size) are listed in
``ACCOUNTS``; ``generate`` returns them as a table.
"""

import hashlib
import random
import time
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone

from orgs.models import (
    JobType,
    OrgKind,
    OrgNode,
    Person,
    PoliticalStatus,
    Role,
    RoleAssignment,
    Transfer,
    User,
    WorkStatus,
    pinyin_initials,
)

SEED = 20261125
PASSWORD = "Hongling@2026"
SIZES = ("small", "mine", "group")
GROUP_NAME = "青岚能源集团"  # fictional, like every name of the demo (issue 11)
MARKER_PREFIX = "XK-DEMO-"  # the group's code: "XK-DEMO-SMALL" etc. marks a finished demo run
GROUP_PEOPLE = 200_000
MINE_PEOPLE = 5_000
SMALL_PEOPLE = (160, 40)


class DemoSizeConflict(Exception):
    """The database already holds demo data of another size."""


# ---------------------------------------------------------------- units, teams, 工种


@dataclass(frozen=True)
class Profile:
    teams: tuple  # pool of 班组 names, in the order they are used
    team_range: tuple  # how many 班组 a unit of this profile has (min, max)
    jobs: tuple  # ((工种, weight), ...)
    female: float = 0.0  # share of women (none underground)
    party: float = 0.11  # party-member rate of the rank and file
    office: bool = False  # a 科室: people sit on the unit itself, no 班组


PROFILES = {
    "综采": Profile(
        ("早班", "中班", "夜班", "检修班", "机电班", "运料班", "泵站班", "端头班"),
        (4, 7),
        (
            ("采煤工", 6),
            ("液压支架工", 5),
            ("采煤机司机", 3),
            ("综采维修电工", 3),
            ("刮板输送机司机", 2),
            ("乳化液泵站司机", 1),
        ),
        party=0.10,
    ),
    "掘进": Profile(
        ("掘进一班", "掘进二班", "掘进三班", "机电班", "运料班", "维修班"),
        (3, 6),
        (("掘进工", 6), ("锚杆支护工", 3), ("掘进机司机", 2), ("爆破工", 1), ("井下电钳工", 2)),
        party=0.10,
    ),
    "开拓": Profile(
        ("开拓一班", "开拓二班", "开拓三班", "机电班", "运料班"),
        (3, 5),
        (("掘进工", 5), ("锚杆支护工", 3), ("爆破工", 2), ("运输工", 1), ("井下电钳工", 1)),
        party=0.10,
    ),
    "机电": Profile(
        ("检修班", "供电班", "提升班", "压风班", "排水班", "电修班", "机修班"),
        (4, 7),
        (
            ("机电维修工", 4),
            ("井下电钳工", 3),
            ("综采维修电工", 2),
            ("提升机司机", 2),
            ("压风机司机", 1),
            ("水泵工", 1),
            ("主通风机司机", 1),
        ),
        party=0.13,
    ),
    "运输": Profile(
        ("电机车班", "胶带班", "把钩班", "轨道班", "维修班", "无轨胶轮车班"),
        (4, 6),
        (("运输工", 5), ("胶带输送机司机", 3), ("电机车司机", 2), ("信号把钩工", 2), ("提升机司机", 1)),
        party=0.11,
    ),
    "通风": Profile(
        ("瓦检班", "测风班", "防尘班", "监测班", "抽采班", "密闭班", "防灭火班"),
        (4, 7),
        (("瓦斯检查工", 4), ("通风工", 4), ("安全监测工", 2), ("瓦斯抽采工", 2)),
        party=0.14,
    ),
    "防突": Profile(
        ("防突一班", "防突二班", "钻孔班", "效检班"),
        (3, 4),
        (("防突工", 4), ("瓦斯抽采工", 2), ("瓦斯检查工", 1)),
        party=0.12,
    ),
    "准备": Profile(
        ("准备一班", "准备二班", "准备三班", "运料班", "维修班"),
        (3, 5),
        (("安装工", 3), ("运输工", 3), ("采煤工", 2), ("机电维修工", 1)),
        party=0.10,
    ),
    "安装": Profile(
        ("安装一班", "安装二班", "安装三班", "拆除班", "起吊班"),
        (3, 5),
        (("安装工", 5), ("综采维修电工", 2), ("运输工", 2)),
        party=0.11,
    ),
    "皮带": Profile(
        ("主井皮带班", "采区皮带班", "集控班", "维修班"),
        (3, 4),
        (("胶带输送机司机", 5), ("机电维修工", 2)),
        party=0.11,
    ),
    "供电": Profile(
        ("变电班", "线路班", "电修班", "检修班"),
        (3, 4),
        (("井下电钳工", 4), ("变电所值班员", 2)),
        party=0.14,
    ),
    "防治水": Profile(
        ("探放水班", "排水班", "钻探班"),
        (3, 3),
        (("探放水工", 4), ("水泵工", 3)),
        party=0.12,
    ),
    "选煤": Profile(
        ("生产一班", "生产二班", "生产三班", "检修班", "重介班", "化验班", "装车班"),
        (5, 7),
        (("选煤工", 5), ("胶带输送机司机", 2), ("重介质分选工", 2), ("浮选工", 2), ("机电维修工", 2), ("化验工", 1)),
        female=0.25,
        party=0.11,
    ),
    "救护": Profile(("救护一小队", "救护二小队", "救护三小队", "值班小队"), (3, 4), (("矿山救护队员", 1),), party=0.25),
    "后勤": Profile(
        ("职工食堂班", "浴室班", "洗衣班", "保洁班", "绿化班", "物业班"),
        (3, 6),
        (("后勤服务人员", 1),),
        female=0.45,
        party=0.08,
    ),
    "供应": Profile(("仓储班", "配送班", "回收班"), (3, 3), (("仓储管理员", 3), ("运输工", 1)), female=0.3, party=0.12),
    "维修": Profile(
        ("机修班", "电修班", "铆焊班", "支架维修班", "车工班"),
        (3, 5),
        (("机电维修工", 4), ("综采维修电工", 2)),
        party=0.12,
    ),
    "科室": Profile((), (0, 0), (("管理人员", 1),), female=0.35, party=0.40, office=True),
}

# 科室: (工种 mix, head, deputy, staff post)
OFFICES = {
    "党委办公室": ((("管理人员", 1),), "主任", "副主任", "科员"),
    "党委组织部": ((("管理人员", 1),), "部长", "副部长", "组织干事"),
    "党委宣传部": ((("管理人员", 1),), "部长", "副部长", "宣传干事"),
    "工会": ((("管理人员", 1),), "主席", "副主席", "干事"),
    "安监处": ((("安全检查工", 4), ("管理人员", 1)), "处长", "副处长", "安全检查员"),
    "调度室": ((("调度员", 3), ("管理人员", 1)), "主任", "副主任", "调度员"),
    "地测科": ((("测量工", 2), ("地质工", 2), ("管理人员", 1)), "科长", "副科长", "技术员"),
    "生产技术科": ((("管理人员", 1),), "科长", "副科长", "技术员"),
    "机电科": ((("管理人员", 2), ("机电维修工", 1)), "科长", "副科长", "技术员"),
    "通风科": ((("管理人员", 1), ("瓦斯检查工", 1)), "科长", "副科长", "技术员"),
    "人力资源科": ((("管理人员", 1),), "科长", "副科长", "科员"),
    "财务科": ((("管理人员", 1),), "科长", "副科长", "会计"),
    "供应科": ((("管理人员", 1),), "科长", "副科长", "科员"),
    "保卫科": ((("管理人员", 1),), "科长", "副科长", "保卫干事"),
}

JOB_TYPES = (
    "采煤工", "掘进工", "综采维修电工", "瓦斯检查工", "安全检查工", "通风工", "运输工", "提升机司机", "爆破工",
    "采煤机司机", "液压支架工", "刮板输送机司机", "乳化液泵站司机", "掘进机司机", "锚杆支护工", "井下电钳工",
    "机电维修工", "压风机司机", "水泵工", "主通风机司机", "胶带输送机司机", "电机车司机", "信号把钩工",
    "安全监测工", "瓦斯抽采工", "防突工", "探放水工", "安装工", "变电所值班员", "选煤工", "重介质分选工",
    "浮选工", "化验工", "矿山救护队员", "调度员", "测量工", "地质工", "仓储管理员", "后勤服务人员", "管理人员",
)  # fmt: skip

# A mine: (党支部, 党总支 or None, optional in a group's smaller mines, [(区队/科室, profile, weight)])
FULL_MINE = (
    ("综采一区党支部", None, False, (("综采一区", "综采", 380),)),
    ("综采二区党支部", None, False, (("综采二区", "综采", 370),)),
    ("综采三区党支部", None, True, (("综采三区", "综采", 340),)),
    ("掘进一区党支部", None, False, (("掘进一区", "掘进", 260),)),
    ("掘进二区党支部", None, False, (("掘进二区", "掘进", 255),)),
    ("掘进三区党支部", None, False, (("掘进三区", "掘进", 250),)),
    ("掘进四区党支部", None, True, (("掘进四区", "掘进", 240),)),
    ("开拓一区党支部", None, False, (("开拓一区", "开拓", 220),)),
    ("开拓二区党支部", None, True, (("开拓二区", "开拓", 200),)),
    ("机电区党支部", None, False, (("机电区", "机电", 260),)),
    ("运输区党支部", None, False, (("运输区", "运输", 240),)),
    ("通风区党支部", None, False, (("通风区", "通风", 210),)),
    ("防突区党支部", None, True, (("防突区", "防突", 120),)),
    ("准备区党支部", None, False, (("准备区", "准备", 180),)),
    ("安装区党支部", None, True, (("安装区", "安装", 150),)),
    ("皮带区党支部", None, False, (("皮带区", "皮带", 140),)),
    ("供电防治水党支部", None, False, (("供电区", "供电", 90), ("防治水区", "防治水", 80))),
    ("选煤厂党支部", None, False, (("选煤厂", "选煤", 320),)),
    ("矿山救护队党支部", None, False, (("矿山救护队", "救护", 60),)),
    ("地面服务中心党支部", None, False, (("地面服务中心", "后勤", 130),)),
    ("物资供应站党支部", None, False, (("物资供应站", "供应", 70),)),
    ("机电维修中心党支部", None, False, (("机电维修中心", "维修", 120),)),
    ("机关第一党支部", "机关党总支", False,
     (("党委办公室", "科室", 15), ("党委组织部", "科室", 12), ("党委宣传部", "科室", 10), ("工会", "科室", 14))),
    ("机关第二党支部", "机关党总支", False,
     (("安监处", "科室", 45), ("调度室", "科室", 30), ("地测科", "科室", 28), ("生产技术科", "科室", 30))),
    ("机关第三党支部", "机关党总支", False,
     (("机电科", "科室", 20), ("通风科", "科室", 18), ("人力资源科", "科室", 16), ("财务科", "科室", 15),
      ("供应科", "科室", 12), ("保卫科", "科室", 18))),
)  # fmt: skip

SMALL_MINE_A = (
    ("综采一区党支部", None, False, (("综采一区", "综采", 50),)),
    ("掘进一区党支部", None, False, (("掘进一区", "掘进", 40),)),
    ("通风区党支部", None, False, (("通风区", "通风", 30),)),
    ("机关第一党支部", "机关党总支", False, (("党委组织部", "科室", 8), ("工会", "科室", 6))),
    ("机关第二党支部", "机关党总支", False, (("安监处", "科室", 14), ("调度室", "科室", 10))),
)
SMALL_MINE_B = (
    ("综采一区党支部", None, False, (("综采一区", "综采", 25),)),
    ("机电区党支部", None, False, (("机电区", "机电", 15),)),
)

MINE_NAMES = (  # fictional names; the codes (and so the logins) are those of the first demo
    ("云杉煤矿", "SC"), ("墨川煤矿", "XZ"), ("青檀煤矿", "HF"), ("银桦煤矿", "ZZ"), ("鹿鸣煤矿", "LZ"),
    ("雁栖煤矿", "EZ"), ("石溪煤矿", "PX"), ("松岚煤矿", "QG"), ("桐影煤矿", "WN"), ("苇塘煤矿", "YC"),
    ("柘岭煤矿", "SL"), ("杏坡煤矿", "FC"), ("棠梨煤矿", "YL"), ("栎川煤矿", "YZ"), ("榆湾煤矿", "QH"),
    ("槐荫煤矿", "LS"), ("芦汀煤矿", "DD"), ("蒿原煤矿", "GL"), ("楠坪煤矿", "GLI"), ("柃坡煤矿", "TB"),
    ("荻洲煤矿", "LD"), ("蓼湾煤矿", "BL"), ("菖蒲煤矿", "NY"), ("萤川煤矿", "XZH"), ("鸥汀煤矿", "SQ"),
    ("鹭原煤矿", "AJZ"), ("雉岭煤矿", "WL"), ("鹊坪煤矿", "TK"), ("鸢台煤矿", "XC"), ("鹤汀煤矿", "DZ"),
    ("鸿岚煤矿", "YY"), ("燕沟煤矿", "DT"), ("雀川煤矿", "BD"), ("莺谷煤矿", "NT"), ("鹂湾煤矿", "XLZ"),
    ("鹃岭煤矿", "ZL"), ("鹳洲煤矿", "WF"), ("凫塘煤矿", "LBS"), ("鹞岭煤矿", "GT"), ("鹬滩煤矿", "PZ"),
)  # fmt: skip

# ---------------------------------------------------------------- names, ids, addresses

SURNAMES = (
    ("王", 80), ("张", 75), ("李", 70), ("刘", 62), ("孙", 30), ("徐", 24), ("陈", 24), ("杨", 26), ("赵", 24),
    ("高", 20), ("马", 16), ("郭", 14), ("朱", 12), ("周", 12), ("吴", 10), ("宋", 10), ("田", 9), ("韩", 9),
    ("胡", 8), ("于", 10), ("董", 9), ("程", 6), ("曹", 7), ("魏", 7), ("吕", 7), ("丁", 6), ("任", 6),
    ("姜", 7), ("崔", 6), ("石", 6), ("贾", 6), ("孟", 7), ("郑", 6), ("许", 6), ("冯", 5), ("黄", 5),
    ("何", 4), ("林", 4), ("谢", 4), ("唐", 4), ("袁", 4), ("邓", 3), ("彭", 3), ("曾", 2), ("肖", 4),
    ("潘", 4), ("蒋", 3), ("蔡", 3), ("杜", 5), ("苏", 4), ("沈", 3), ("姚", 4), ("卢", 4), ("范", 4),
    ("金", 3), ("夏", 3), ("付", 4), ("方", 3), ("白", 4), ("邹", 3), ("秦", 4), ("江", 3), ("尹", 4),
    ("薛", 4), ("闫", 4), ("段", 3), ("侯", 4), ("史", 4), ("陶", 2), ("贺", 3), ("郝", 4), ("邵", 3),
    ("武", 4), ("孔", 4), ("毛", 2), ("亓", 3), ("公", 1), ("牛", 3), ("宫", 2), ("翟", 3), ("尚", 2),
    ("申", 2), ("鹿", 1), ("逯", 1), ("仇", 1), ("褚", 1), ("颜", 2), ("房", 2), ("刁", 1), ("满", 1),
)  # fmt: skip

MALE_OLD_A = "建国志永海明文庆立宝新传广德玉金长保振成洪红春兆家士学宏连绍延承守克向东培瑞兴云"
MALE_OLD_B = "伟强军华平刚明东林峰涛亮波辉杰勇鹏斌超磊龙生民福祥才奎利臣山江河泉良胜贵忠义信武彬喜"
MALE_YOUNG_A = "浩宇子俊晓文嘉一明志泽天博家思佳鑫新振"
MALE_YOUNG_B = "浩宇轩豪博辰鑫帅凯阳旭飞然哲铭杰磊超鹏瑞晨昊睿航"
FEMALE_A = "秀玉丽春桂美晓雪海红金淑亚文静慧欣佳梦雅"
FEMALE_B = "英兰芳华梅珍娟霞燕丽萍玲红敏静艳婷琳颖洁倩悦琪萱"

# (身份证 region code, address prefix, towns, weight); the places are fictional
REGIONS = (
    ("370982", "青岚市北原区", ("云杉街道", "青檀街道", "雁栖镇", "石溪镇", "松岚镇", "桐影镇", "苇塘镇", "柘岭镇",
                             "杏坡镇", "棠梨镇", "栎川镇", "槐荫镇", "芦汀镇", "蒿原镇", "楠坪镇", "柃坡镇"), 40),
    ("370983", "青岚市南麓区", ("荻洲街道", "蓼湾街道", "菖蒲街道", "萤川街道", "鸥汀镇", "鹭原镇", "雉岭镇"), 10),
    ("370921", "墨川县", ("鹊坪街道", "鸢台街道", "鹤汀镇", "鸿岚镇", "燕沟镇", "雀川镇"), 10),
    ("370923", "白桦县", ("莺谷街道", "鹂湾街道", "鹃岭街道", "鹳洲镇", "凫塘镇"), 6),
    ("370911", "青岚市东坡区", ("鹞岭街道", "鹬滩街道", "枫渡镇", "梧冈镇", "荷塘镇"), 8),
    ("370902", "青岚市中山区", ("栗园街道", "杉林街道", "竹坞街道", "梅溪街道"), 5),
    ("371202", "云岫市西岭区", ("岚峰街道", "霞浦街道", "柳汀街道", "苔坪镇", "菱溪镇"), 6),
    ("370883", "云岫市", ("砚山街道", "墨池街道", "桂岭镇", "蕉坪镇"), 5),
    ("370831", "石镜县", ("泉屏镇", "星台镇", "柏沟镇"), 3),
    ("340421", "远江县", ("城关镇", "荻湾镇"), 2),
    ("320382", "临澜市", ("运河街道", "芦荡镇"), 2),
    ("410522", "沙原县", ("白沙镇", "水碓镇"), 2),
)  # fmt: skip
REGION_PAIRS = tuple((r, r[3]) for r in REGIONS)
COMMUNITIES = ("平阳小区", "新华小区", "矿区宿舍", "和谐家园", "金桂花园", "龙山社区", "翠竹苑", "惠民小区",
               "青云小区", "幸福里", "阳光花园", "杉河小区", "光明小区", "矿工新村")  # fmt: skip
VILLAGE_PREFIX = ("东", "西", "南", "北", "前", "后", "上", "下", "大", "小")
VILLAGE_SUFFIX = ("庄村", "家庄村", "家洼村", "家峪村", "官庄村", "营村", "楼村", "店村")
PHONE_PREFIXES = ("130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152",
                  "153", "155", "156", "157", "158", "159", "176", "177", "178", "180", "181", "182", "183",
                  "185", "186", "187", "188", "189", "199")  # fmt: skip
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"

FAMILY_NOTES = (
    "父亲常年患病,需定期陪护就医",
    "妻子无固定工作,两个孩子上学,经济压力较大",
    "家住农村,父母年迈由本人照顾",
    "爱人在本矿选煤厂工作,双职工家庭",
    "家庭和睦,无特殊困难",
    "近期家中老人去世,情绪低落",
    "孩子今年参加高考",
    "新婚,爱人在外地工作",
    "房贷负担较重",
    "母亲去年做过手术,正在康复",
)
THOUGHT_NOTES = (
    "工作积极,思想稳定",
    "对近期工资调整有意见,已做解释",
    "因班组调整情绪有波动,已谈心",
    "有调往地面岗位的想法",
    "近期与班长发生口角,已谈心化解",
    "积极要求进步,已递交入党申请书",
    "新入职,对井下作业环境有顾虑,适应中",
    "身体欠佳,睡眠不好,需持续关注",
)

WORK_STATUS_WEIGHTS = (
    (WorkStatus.ON_DUTY, 935), (WorkStatus.LEAVE, 25), (WorkStatus.SICK, 20), (WorkStatus.SECONDED, 10),
    (WorkStatus.LEFT, 10),
)  # fmt: skip

# ---------------------------------------------------------------- demo accounts
# (key, role, emp_no in the first mine or None for a system account, user name of a system account, where)
ACCOUNTS = (
    ("admin", Role.ADMIN, None, "admin", "group"),
    ("group_committee", Role.COMMITTEE, None, "jtdw", "group"),
    ("committee", Role.COMMITTEE, "100006", None, "mine"),
    ("safety", Role.SAFETY, "100007", None, "mine"),
    ("secretary", Role.SECRETARY, "100001", None, "branch"),
    ("branch_committee", Role.BRANCH_COMMITTEE, "100002", None, "branch"),
    ("team_leader", Role.TEAM_LEADER, "100003", None, "team"),
    ("member", Role.MEMBER, "100004", None, "team"),
    ("worker", Role.WORKER, "100005", None, "team"),
)
DESIGNATED = 7  # 工号 100001..100007 of the first mine are the account holders above


# ---------------------------------------------------------------- tree building (materialised paths)


class TreeBuilder:
    """Builds unsaved OrgNodes with treebeard's MP fields (path, depth, numchild) filled in."""

    def __init__(self):
        self.nodes = []
        self.steplen = OrgNode.steplen
        self.alphabet = OrgNode.alphabet
        last = OrgNode.get_last_root_node()
        self._last_root = self._str2int(last.path[: self.steplen]) if last else 0

    def _int2str(self, num):
        base = len(self.alphabet)
        digits = ""
        while num:
            num, rem = divmod(num, base)
            digits = self.alphabet[rem] + digits
        digits = digits or self.alphabet[0]
        if len(digits) > self.steplen:
            raise ValueError("too many siblings for the tree's step length")
        return digits.rjust(self.steplen, self.alphabet[0])

    def _str2int(self, text):
        base = len(self.alphabet)
        num = 0
        for char in text:
            num = num * base + self.alphabet.index(char)
        return num

    def root(self, **fields):
        self._last_root += 1
        node = OrgNode(path=self._int2str(self._last_root), depth=1, numchild=0, **fields)
        self.nodes.append(node)
        return node

    def child(self, parent, **fields):
        parent.numchild += 1
        node = OrgNode(path=parent.path + self._int2str(parent.numchild), depth=parent.depth + 1, numchild=0, **fields)
        self.nodes.append(node)
        return node

    def save(self):
        OrgNode.objects.bulk_create(self.nodes, batch_size=1000)
        if any(n.pk is None for n in self.nodes):  # a backend that does not return ids
            pks = dict(OrgNode.objects.filter(path__in=[n.path for n in self.nodes]).values_list("path", "pk"))
            for n in self.nodes:
                n.pk = pks[n.path]


# ---------------------------------------------------------------- the plan of one mine


@dataclass
class UnitPlan:
    node: OrgNode
    branch: OrgNode
    profile: Profile
    headcount: int
    teams: list = field(default_factory=list)  # [(team node, party group node or None)]
    is_first_of_branch: bool = False


@dataclass
class MinePlan:
    index: int
    name: str
    code: str
    spec: tuple
    people: int
    node: OrgNode = None
    units: list = field(default_factory=list)
    first_branch: OrgNode = None


def allocate(total, weights):
    """Split ``total`` in proportion to ``weights`` (largest remainder, deterministic)."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    out = [int(x) for x in raw]
    rest = total - sum(out)
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - out[i]), i))
    for i in order[:rest]:
        out[i] += 1
    return out


def mine_plans(size):
    if size == "small":
        return [
            MinePlan(0, *MINE_NAMES[0], SMALL_MINE_A, SMALL_PEOPLE[0]),
            MinePlan(1, *MINE_NAMES[1], SMALL_MINE_B, SMALL_PEOPLE[1]),
        ]
    if size == "mine":
        return [MinePlan(0, *MINE_NAMES[0], FULL_MINE, MINE_PEOPLE)]
    rng = random.Random(f"{SEED}:group")
    plans = [MinePlan(0, *MINE_NAMES[0], FULL_MINE, MINE_PEOPLE)]
    factors = [rng.uniform(0.7, 1.3) for _ in MINE_NAMES[1:]]
    counts = allocate(GROUP_PEOPLE - MINE_PEOPLE, factors)
    for i, ((name, code), count) in enumerate(zip(MINE_NAMES[1:], counts), start=1):
        spec = tuple(b for b in FULL_MINE if not b[2] or rng.random() < 0.6)
        plans.append(MinePlan(i, name, code, spec, count))
    return plans


def build_tree(size, builder):
    group = builder.root(name=GROUP_NAME, kind=OrgKind.GROUP, code=MARKER_PREFIX + size.upper())
    plans = mine_plans(size)
    for plan in plans:
        rng = random.Random(f"{SEED}:{size}:tree:{plan.index}")
        plan.node = mine = builder.child(group, name=plan.name, kind=OrgKind.MINE, code=plan.code)
        committee = builder.child(mine, name=f"{plan.name}党委", kind=OrgKind.COMMITTEE)
        general = {}
        unit_specs = [u for b in plan.spec for u in b[3]]
        headcounts = iter(allocate(plan.people, [u[2] for u in unit_specs]))
        for branch_name, general_name, _optional, units in plan.spec:
            parent = committee
            if general_name:
                if general_name not in general:
                    general[general_name] = builder.child(committee, name=general_name, kind=OrgKind.GENERAL_BRANCH)
                parent = general[general_name]
            branch = builder.child(parent, name=branch_name, kind=OrgKind.BRANCH)
            plan.first_branch = plan.first_branch or branch
            for i, (unit_name, profile_name, _weight) in enumerate(units):
                profile = PROFILES[profile_name]
                unit = builder.child(branch, name=unit_name, kind=OrgKind.UNIT)
                up = UnitPlan(unit, branch, profile, next(headcounts), is_first_of_branch=i == 0)
                if not profile.office:
                    low, high = profile.team_range
                    k = max(low, min(high, rng.randint(low, high), up.headcount // 6 or low))
                    for team_name in profile.teams[:k]:
                        team = builder.child(unit, name=team_name, kind=OrgKind.TEAM)
                        party_group = None
                        if team_name == profile.teams[0] or rng.random() < 0.55:
                            party_group = builder.child(team, name=f"{team_name}党小组", kind=OrgKind.PARTY_GROUP)
                        up.teams.append((team, party_group))
                plan.units.append(up)
    return group, plans


# ---------------------------------------------------------------- people


_WEIGHTED = {}


def weighted(rng, pairs):
    """A value of ``pairs`` ((value, weight), ...) drawn by weight; ``pairs`` must be a long-lived tuple."""
    entry = _WEIGHTED.get(id(pairs))
    if entry is None or entry[0] is not pairs:
        edges = list(accumulate(w for _, w in pairs))
        entry = _WEIGHTED[id(pairs)] = (pairs, [v for v, _ in pairs], edges, edges[-1])
    _, values, edges, total = entry
    return values[bisect_right(edges, rng.random() * total)]


class PersonMaker:
    """Makes plausible unsaved Person rows; one instance per mine, with its own random stream."""

    def __init__(self, rng, today, mine, jobs):
        self.rng = rng
        self.today = today
        self.mine = mine
        self.jobs = jobs  # name -> JobType

    def birth_date(self, low_age, high_age, mode):
        age_days = int(self.rng.triangular(low_age, high_age, mode) * 365.25)
        return self.today - timedelta(days=age_days)

    def name(self, gender, birth):
        rng = self.rng
        surname = weighted(rng, SURNAMES)
        if gender == "F":
            a, b = FEMALE_A, FEMALE_B
        elif birth.year >= 1990:
            a, b = MALE_YOUNG_A, MALE_YOUNG_B
        else:
            a, b = MALE_OLD_A, MALE_OLD_B
        if rng.random() < 0.22:
            return surname + rng.choice(b)
        first, second = rng.choice(a), rng.choice(b)
        while second == first:
            second = rng.choice(b)
        return surname + first + second

    def identity(self, gender, birth):
        """(身份证号, 手机, 家庭住址) — the id matches birth date and gender but its check digit is deliberately wrong,
        so no generated number can be a real person's."""
        rng = self.rng
        code, prefix, towns, _ = weighted(rng, REGION_PAIRS)
        parity = rng.choice("13579" if gender == "M" else "02468")
        body = f"{code}{birth:%Y%m%d}{rng.randrange(100):02d}{parity}"
        check = ID_CHECK[(sum(int(d) * w for d, w in zip(body, ID_WEIGHTS)) + 1) % 11]  # never the valid one
        phone = rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        town = rng.choice(towns)
        if town.endswith("街道") or rng.random() < 0.3:
            address = (
                f"{prefix}{town}{rng.choice(COMMUNITIES)}{rng.randint(1, 30)}号楼"
                f"{rng.randint(1, 4)}单元{rng.randint(1, 6)}0{rng.randint(1, 4)}室"
            )
        else:
            village = rng.choice(VILLAGE_PREFIX) + weighted(rng, SURNAMES) + rng.choice(VILLAGE_SUFFIX)
            address = f"{prefix}{town}{village}{rng.randint(1, 300)}号"
        return body + check, phone, address

    def person(self, org, job, post, female=0.0, party=0.11, office=False, party_org=None):
        rng, today = self.rng, self.today
        gender = "F" if rng.random() < female else "M"
        senior = post in MANAGER_POSTS and post != "技术员"
        new_hire = rng.random() < 0.04 and not senior
        if senior:
            birth = self.birth_date(30, 57, 46)
        elif new_hire:
            birth = self.birth_date(19, 32, 23)
        elif office:
            birth = self.birth_date(23, 58, 42)
        else:
            birth = self.birth_date(19, 58, 41)
        start = add_years(birth, 22 if office else 18)
        if new_hire:
            hire = today - timedelta(days=rng.randint(1, 179))
        else:
            span = max(1, (today - timedelta(days=200) - start).days)
            hire = start + timedelta(days=int(span * rng.random() ** 0.8))
        status, join = PoliticalStatus.MASSES, None
        age = (today - birth).days / 365.25
        if age >= 22 and rng.random() < party:
            earliest = max(add_years(birth, 20), date(1990, 1, 1))
            latest = today - timedelta(days=400)
            if (party < 1.0 and rng.random() < 0.06) or latest <= earliest:  # a secretary is a full member
                status, join = PoliticalStatus.PROBATIONARY, today - timedelta(days=rng.randint(30, 360))
            else:
                status = PoliticalStatus.MEMBER
                join = earliest + timedelta(days=rng.randint(0, (latest - earliest).days))
        elif age <= 28 and rng.random() < 0.4:
            status = PoliticalStatus.LEAGUE
        id_number, phone, address = self.identity(gender, birth)
        person = Person(
            mine=self.mine,
            name=self.name(gender, birth),
            gender=gender,
            birth_date=birth,
            id_number=id_number,
            phone=phone,
            address=address,
            hire_date=hire,
            job_type=self.jobs[job],
            post=post,
            org=org,
            political_status=status,
            party_join_date=join,
            party_org=party_org if join else None,
            work_status=WorkStatus.ON_DUTY if new_hire else weighted(rng, WORK_STATUS_WEIGHTS),
            family_notes=rng.choice(FAMILY_NOTES) if rng.random() < 0.06 else "",
            thoughts_notes=rng.choice(THOUGHT_NOTES) if rng.random() < 0.04 else "",
        )
        return person


def add_years(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def make_unit_people(maker, up):
    """The people of one 区队 (managers on the unit, crews on its 班组) or one 科室."""
    rng, profile = maker.rng, up.profile
    people = []
    n = up.headcount

    def add(org, job, post, party, party_org):
        person = maker.person(org, job, post, profile.female, party, profile.office, party_org)
        person._party_home = party_org  # where this person's party membership sits (党小组 or 党支部)
        people.append(person)
        return person

    if profile.office:
        jobs, head, deputy, staff = OFFICES[up.node.name]
        # a 机关 branch's secretary works in its first 科室 (专职 or 兼职, as at most mines)
        leaders = [head, deputy, "党支部书记"] if up.is_first_of_branch else [head, deputy]
        for i in range(n):
            post = leaders[i] if i < len(leaders) else staff
            job = "管理人员" if i < len(leaders) else weighted(rng, jobs)
            party = 1.0 if post == "党支部书记" else 0.9 if i < len(leaders) else profile.party
            add(up.node, job, post, party, up.branch)
        return people

    managers = ["区长", "副区长", "技术员"] if n >= 30 else ["区长"]
    if up.is_first_of_branch:
        managers.insert(1, "党支部书记")
    for post in managers[:n]:
        party = 1.0 if post == "党支部书记" else 0.8
        add(up.node, "管理人员", post, party, up.branch)
    crews = allocate(max(0, n - len(managers)), [1] * len(up.teams)) if up.teams else []
    for (team, party_group), size in zip(up.teams, crews):
        party_org = party_group or up.branch
        for i in range(size):
            post_job = weighted(rng, profile.jobs)
            if i == 0:
                add(team, post_job, "班长", 0.45, party_org)
            elif i == 1 and size >= 8:
                add(team, post_job, "副班长", 0.3, party_org)
            else:
                add(team, post_job, post_job, profile.party, party_org)
    return people


def designate_accounts(plan, people, maker, today):
    """Turn seven generated people of the first mine into the demo account holders (工号 100001..100007).

    Their identities come from their own random stream, so the accounts look the same at every size.
    """
    first_unit = plan.units[0]
    team = first_unit.teams[0][0]

    def pick(pred, what):
        for p in people:
            if pred(p) and not getattr(p, "_designated", None):
                p._designated = what
                return p
        raise RuntimeError(f"demo: no person for {what}")

    picks = [
        pick(lambda p: p.org is first_unit.node and p.post == "党支部书记", "secretary"),
        pick(lambda p: p.org is first_unit.node and p.post == "区长", "branch committee"),
        pick(lambda p: p.org is team and p.post == "班长", "team leader"),
        pick(lambda p: p.org is team and p.post not in ("班长", "副班长"), "member"),
        pick(lambda p: p.org is team and p.post not in ("班长", "副班长"), "worker"),
        pick(lambda p: p.org.name == "党委组织部" and p.post == "组织干事", "committee"),
        pick(lambda p: p.org.name == "安监处" and p.post == "安全检查员", "safety"),
    ]
    for i, p in enumerate(picks):
        p._designated = i + 1
        stream = PersonMaker(random.Random(f"{SEED}:account:{i + 1}"), today, plan.node, maker.jobs)
        gender = "M"
        birth = stream.birth_date(30, 52, 44) if i != 4 else stream.birth_date(20, 24, 21)
        p.gender, p.birth_date = gender, birth
        p.name = stream.name(gender, birth)
        p.id_number, p.phone, p.address = stream.identity(gender, birth)
        p.work_status = WorkStatus.ON_DUTY
        p.family_notes = p.thoughts_notes = ""
        if i == 4:  # the worker: a new hire, so the onboarding views have someone to show
            p.political_status, p.party_join_date, p.party_org = PoliticalStatus.MASSES, None, None
            p.hire_date = today - timedelta(days=45)
        else:
            if p.hire_date > today - timedelta(days=3650):
                p.hire_date = add_years(birth, 21)
            if i == 6:
                continue
            p.political_status = PoliticalStatus.MEMBER
            p.party_join_date = add_years(birth, 25)
            p.party_org = p._party_home
    picks[3].family_notes = "爱人在本矿选煤厂工作,双职工家庭"
    picks[3].thoughts_notes = "工作积极,思想稳定"


MANAGER_POSTS = {"区长", "党支部书记", "副区长", "技术员", "主任", "副主任", "部长", "副部长", "主席", "副主席",
                 "处长", "副处长", "科长", "副科长"}  # fmt: skip
PARTY_SHARE = 0.15


def balance_party(rng, people, today, share=PARTY_SHARE):
    """Bring a mine's party members to ``share`` of its people (SPEC §2: 8-15 %), touching the rank and file only."""
    members = [p for p in people if p.political_status in (PoliticalStatus.MEMBER, PoliticalStatus.PROBATIONARY)]
    want = round(share * len(people))
    if len(members) > want:
        movable = [
            p for p in members
            if p.post not in MANAGER_POSTS and p.political_status == PoliticalStatus.MEMBER
            and not getattr(p, "_designated", None)
        ]  # fmt: skip
        for p in rng.sample(movable, min(len(members) - want, len(movable))):
            p.political_status, p.party_join_date, p.party_org = PoliticalStatus.MASSES, None, None
    elif len(members) < want:
        limit = add_years(today, -22)
        movable = [
            p for p in people
            if p.party_join_date is None and p.birth_date <= limit and not getattr(p, "_designated", None)
        ]  # fmt: skip
        for p in rng.sample(movable, min(want - len(members), len(movable))):
            earliest = max(add_years(p.birth_date, 20), date(1990, 1, 1))
            latest = today - timedelta(days=400)
            p.political_status = PoliticalStatus.MEMBER
            p.party_join_date = earliest + timedelta(days=rng.randint(0, max(0, (latest - earliest).days)))
            p.party_org = p._party_home


def make_transfers(rng, people, orgs, jobs, today, rate=0.03):
    """~3 % of people changed job and/or team: most of them within the last 180 days."""
    transfers = []
    job_list = list(jobs.values())
    for p in people:
        if getattr(p, "_designated", None) or rng.random() >= rate:
            continue
        if (today - p.hire_date).days < 30:
            continue
        days = rng.randint(1, 179) if rng.random() < 0.6 else rng.randint(180, 720)
        when = max(p.hire_date + timedelta(days=7), today - timedelta(days=days))
        from_org = rng.choice(orgs)
        from_job = rng.choice(job_list)
        if from_org is p.org and from_job == p.job_type:
            from_org = orgs[(orgs.index(from_org) + 1) % len(orgs)]
        transfers.append(
            Transfer(
                person=p,
                date=when,
                from_job=from_job,
                to_job=p.job_type,
                from_org=from_org,
                to_org=p.org,
                note="工作需要调整",
            )
        )
    return transfers


# ---------------------------------------------------------------- the run


@dataclass
class DemoContext:
    """What every extension step (``common.demo``) receives."""

    rng: random.Random
    size: str
    mines: list
    today: date
    accounts: dict
    log: object
    group: OrgNode = None
    password: str = PASSWORD


@dataclass
class DemoResult:
    created: bool
    size: str
    seconds: float
    people: int
    accounts: list  # rows for the accounts table


def existing_size():
    """The size of the demo data already in the database, or None."""
    markers = OrgNode.objects.filter(kind=OrgKind.GROUP, code__startswith=MARKER_PREFIX)
    code = markers.values_list("code", flat=True).first()
    return code[len(MARKER_PREFIX) :].lower() if code else None


def _names_cache():
    cache = {}

    def initials(name):
        value = cache.get(name)
        if value is None:
            value = cache[name] = pinyin_initials(name)
        return value

    return initials


def generate(size, log=print, run_steps=True, today=None):
    """Build the demo data of ``size``; does nothing if it is already there. Returns a DemoResult."""
    if size not in SIZES:
        raise ValueError(f"size must be one of {SIZES}")
    validate_password(PASSWORD)
    found = existing_size()
    if found == size:
        return DemoResult(False, size, 0.0, Person.objects.count(), account_rows())
    if found:
        raise DemoSizeConflict(found)
    started = time.perf_counter()
    today = today or timezone.localdate()
    with transaction.atomic():
        jobs = {}
        for order, name in enumerate(JOB_TYPES):
            jobs[name], _ = JobType.objects.get_or_create(name=name, defaults={"order": (order + 1) * 10})
        builder = TreeBuilder()
        group, plans = build_tree(size, builder)
        builder.save()
        log(f"组织: {len(builder.nodes)} 个节点 ({time.perf_counter() - started:.1f}s)")
        initials = _names_cache()
        total = 0
        for plan in plans:
            t0 = time.perf_counter()
            total += _write_mine(size, plan, jobs, initials, today)
            if size != "group" or plan.index % 10 == 9 or plan.index == 0:
                log(f"{plan.name}: {plan.people} 人 ({time.perf_counter() - t0:.1f}s)")
        accounts = _create_accounts(plans[0], group)
        ctx = DemoContext(
            rng=random.Random(SEED),
            size=size,
            mines=[p.node for p in plans],
            today=today,
            accounts=accounts,
            log=log,
            group=group,
        )
        if run_steps:
            from django.utils.module_loading import autodiscover_modules

            from common import demo as registry

            autodiscover_modules("demo")
            for step in registry.steps():
                t0 = time.perf_counter()
                step(ctx)
                log(f"{step.__module__}.{step.__name__} ({time.perf_counter() - t0:.1f}s)")
    return DemoResult(True, size, time.perf_counter() - started, total, account_rows())


def _write_mine(size, plan, jobs, initials, today):
    rng = random.Random(f"{SEED}:{size}:people:{plan.index}")
    maker = PersonMaker(rng, today, plan.node, jobs)
    people = []
    for up in plan.units:
        people.extend(make_unit_people(maker, up))
    if plan.index == 0:
        designate_accounts(plan, people, maker, today)
    balance_party(rng, people, today)
    seq = DESIGNATED + 1 if plan.index == 0 else 1
    prefix = 10 + plan.index
    for p in people:
        number = getattr(p, "_designated", None)
        if number is None:
            number, seq = seq, seq + 1
        p.emp_no = f"{prefix}{number:04d}"
        p.name_initials = initials(p.name)
    Person.objects.bulk_create(people, batch_size=1000)
    work_orgs = [team for up in plan.units for team, _ in up.teams]
    work_orgs += [up.node for up in plan.units if up.profile.office]
    transfers = make_transfers(rng, people, work_orgs, jobs, today, rate=0.06 if size == "small" else 0.03)
    Transfer.objects.bulk_create(transfers, batch_size=1000)
    plan.designated = {p._designated: p for p in people if getattr(p, "_designated", None)}
    return len(people)


def _create_accounts(first_plan, group):
    mine = first_plan.node
    first_unit = first_plan.units[0]
    places = {"group": group, "mine": mine, "branch": first_unit.branch, "team": first_unit.teams[0][0]}
    accounts = {}
    for key, role, emp_no, username, where in ACCOUNTS:
        person = None
        if emp_no:
            person = first_plan.designated[int(emp_no[2:])]
            username = f"{mine.code}-{emp_no}"
        user = User.objects.filter(username=username).first()
        if user is None:
            if role == Role.ADMIN:
                user = User.objects.create_superuser(username, password=PASSWORD, must_change_password=False)
            else:
                user = User.objects.create_user(
                    username,
                    password=PASSWORD,
                    person=person,
                    first_name=person.name if person else "集团党委",
                    must_change_password=False,
                )
        RoleAssignment.objects.get_or_create(user=user, role=role, org=places[where])
        accounts[key] = user
    return accounts


def account_rows():
    """[(登录名, 密码, 角色, 范围, 姓名)] of the demo accounts present in the database."""
    rows = []
    first_mine = OrgNode.objects.filter(kind=OrgKind.MINE, code=MINE_NAMES[0][1]).order_by("path").first()
    for _key, role, emp_no, username, _where in ACCOUNTS:
        if emp_no:
            if first_mine is None:
                continue
            username = f"{first_mine.code}-{emp_no}"
        user = User.objects.filter(username=username).select_related("person").first()
        if user is None:
            continue
        assignment = user.role_assignments.filter(role=role).select_related("org").first()
        scope_name = _scope_name(assignment.org) if assignment else ""
        login = emp_no or username
        rows.append((login, PASSWORD, Role(role).label, scope_name, user.display_name()))
    return rows


def _scope_name(node):
    if node.kind in (OrgKind.GROUP, OrgKind.MINE):
        return node.name
    mine = node.mine
    if node.kind == OrgKind.TEAM:
        unit = node.get_parent()
        return f"{mine.name} {unit.name}{node.name}"
    return f"{mine.name} {node.name}"


def format_accounts(rows):
    header = ("登录名(工号/用户名)", "密码", "角色", "范围", "姓名")
    lines = [" | ".join(header)]
    for row in rows:
        lines.append(" | ".join(row))
    return "\n".join(lines)


def digest():
    """A fingerprint of the generated organisations and people (for determinism checks)."""
    h = hashlib.sha256()
    for row in OrgNode.objects.order_by("path").values_list("path", "name", "kind", "code"):
        h.update(repr(row).encode())
    people = Person.objects.order_by("mine__path", "emp_no").values_list(
        "mine__code", "emp_no", "name", "gender", "birth_date", "id_number", "phone", "org__path",
        "political_status", "party_org__path", "job_type__name", "post", "work_status",
    )  # fmt: skip
    for row in people.iterator(chunk_size=5000):
        h.update(repr(row).encode())
    return h.hexdigest()


# ---------------------------------------------------------------- a pending grant (issue 14)

from common.demo import demo_step  # noqa: E402


@demo_step(order=95)
def pending_role_grant(ctx):
    """The admin asked for 党支部书记 for the branch committee member: the mine's 党委 sees it to confirm."""
    from orgs.models import PendingRoleGrant

    target = ctx.accounts.get("branch_committee")
    admin = ctx.accounts.get("admin")
    if target is None or admin is None:
        return
    branch = target.role_assignments.filter(role=Role.BRANCH_COMMITTEE).select_related("org").first()
    if branch is not None:
        PendingRoleGrant.objects.get_or_create(
            user=target, role=Role.SECRETARY, org=branch.org, status="pending", defaults={"requested_by": admin}
        )
