"""Real subject vocabulary, providers, occupations and names the generator draws from.

The subject tree is discipline > field > topic. Each topic lists the levels it is
offered at, so that a retiree's interest in calligraphy leads to elderly-education
resources and an electrician's to vocational certificates: the structure personalisation
is meant to find.
"""

# ruff: noqa: E501
from __future__ import annotations

from lifelong.i18n import N_

# fmt: off

# Levels: B bachelor, A associate, V vocational certificate, C community, E elderly,
# G general interest.
LEVEL_CODES = {
    "B": "bachelor",
    "A": "associate",
    "V": "vocational_certificate",
    "C": "community",
    "E": "elderly",
    "G": "general_interest",
}

# (code, zh, en, [(field code, zh, en, [(topic code, zh, en, levels, keywords zh, keywords en)])])
Topic = tuple[str, str, str, str, str, str]
SUBJECTS: tuple[tuple[str, str, str, tuple[tuple[str, str, str, tuple[Topic, ...]], ...]], ...] = (
    ("MED", "医药卫生", "Health and Medicine", (
        ("MED.WELL", "健康养生", "Health and Wellness", (
            ("MED.WELL.TCM", "中医养生", "TCM Wellness", "EGC", "经络 食疗 太极", "meridians diet tai chi"),
            ("MED.WELL.CHRONIC", "慢病管理", "Chronic Disease Management", "ECV", "高血压 糖尿病 用药", "hypertension diabetes medication"),
            ("MED.WELL.NUTRI", "营养膳食", "Nutrition", "ECGV", "膳食 营养 健康饮食", "diet nutrients healthy eating"),
            ("MED.WELL.MIND", "心理健康", "Mental Health", "CGAB", "情绪 压力 心理咨询", "emotion stress counselling"),
        )),
        ("MED.NURS", "护理", "Nursing", (
            ("MED.NURS.BASIC", "护理学基础", "Fundamentals of Nursing", "AB", "护理 病人 临床", "nursing patient clinical"),
            ("MED.NURS.ELDER", "老年护理", "Geriatric Nursing", "VAE", "失能 照护 康复", "disability care rehabilitation"),
            ("MED.NURS.AID", "急救常识", "First Aid", "CGEV", "心肺复苏 急救 止血", "CPR emergency bleeding"),
        )),
    )),
    ("ART", "艺术", "Arts", (
        ("ART.PAINT", "书画", "Calligraphy and Painting", (
            ("ART.PAINT.CALLI", "书法", "Calligraphy", "EGC", "楷书 行书 毛笔", "regular script running script brush"),
            ("ART.PAINT.INK", "国画", "Chinese Painting", "EG", "山水 花鸟 水墨", "landscape bird-and-flower ink"),
            ("ART.PAINT.PHOTO", "摄影", "Photography", "GEC", "构图 光线 后期", "composition light editing"),
        )),
        ("ART.MUSIC", "音乐舞蹈", "Music and Dance", (
            ("ART.MUSIC.SING", "声乐", "Singing", "EG", "合唱 发声 歌曲", "choir voice songs"),
            ("ART.MUSIC.DANCE", "广场舞", "Square Dance", "EC", "健身 舞步 编排", "fitness steps choreography"),
            ("ART.MUSIC.OPERA", "戏曲", "Chinese Opera", "EG", "京剧 越剧 唱腔", "Peking opera Yue opera singing"),
            ("ART.MUSIC.INSTR", "乐器演奏", "Musical Instruments", "GE", "古筝 葫芦丝 钢琴", "guzheng hulusi piano"),
        )),
    )),
    ("IT", "信息技术", "Information Technology", (
        ("IT.DIGI", "数字生活", "Digital Life", (
            ("IT.DIGI.PHONE", "智能手机应用", "Using Smartphones", "ECG", "微信 移动支付 健康码", "WeChat mobile payment apps"),
            ("IT.DIGI.VIDEO", "短视频制作", "Short Video Making", "GCV", "剪辑 拍摄 直播", "editing filming livestreaming"),
            ("IT.DIGI.SAFE", "网络安全防范", "Staying Safe Online", "ECG", "防诈骗 隐私 密码", "fraud privacy passwords"),
        )),
        ("IT.CS", "计算机科学", "Computer Science", (
            ("IT.CS.PROG", "程序设计", "Programming", "ABV", "Python 算法 数据结构", "Python algorithms data structures"),
            ("IT.CS.DB", "数据库", "Databases", "AB", "SQL 关系模型 数据管理", "SQL relational model data management"),
            ("IT.CS.AI", "人工智能", "Artificial Intelligence", "BGA", "机器学习 神经网络 大模型", "machine learning neural networks"),
            ("IT.CS.NET", "计算机网络", "Computer Networks", "ABV", "协议 路由 网络管理", "protocols routing administration"),
        )),
    )),
    ("ECON", "经济管理", "Economics and Management", (
        ("ECON.BUS", "工商管理", "Business Administration", (
            ("ECON.BUS.MKT", "市场营销", "Marketing", "ABV", "品牌 消费者 营销策划", "brand consumers campaigns"),
            ("ECON.BUS.HR", "人力资源管理", "Human Resource Management", "ABV", "招聘 绩效 薪酬", "recruitment performance pay"),
            ("ECON.BUS.ECOM", "电子商务", "E-commerce", "AVB", "网店 物流 运营", "online shop logistics operations"),
        )),
        ("ECON.FIN", "财务会计", "Finance and Accounting", (
            ("ECON.FIN.ACC", "会计学", "Accounting", "ABV", "账务 报表 税务", "bookkeeping statements tax"),
            ("ECON.FIN.MGMT", "财务管理", "Financial Management", "BA", "预算 投资 成本", "budget investment cost"),
            ("ECON.FIN.HOME", "家庭理财", "Household Finance", "CEG", "储蓄 保险 养老金", "savings insurance pensions"),
        )),
    )),
    ("LAW", "法学", "Law", (
        ("LAW.LAW", "法律", "Law", (
            ("LAW.LAW.CIVIL", "民法典", "The Civil Code", "BACE", "合同 婚姻 继承", "contracts marriage inheritance"),
            ("LAW.LAW.LABOUR", "劳动法", "Labour Law", "ABV", "劳动合同 社保 工伤", "employment contract social insurance"),
            ("LAW.LAW.ADMIN", "行政管理", "Public Administration", "BA", "公共政策 政府 管理", "public policy government"),
            ("LAW.LAW.COMM", "社区治理", "Community Governance", "CAB", "社区 居委会 志愿服务", "neighbourhood committee volunteering"),
        )),
    )),
    ("EDU", "教育", "Education", (
        ("EDU.EDU", "教育学", "Education Studies", (
            ("EDU.EDU.PRE", "学前教育", "Preschool Education", "ABV", "幼儿 游戏 保育", "early childhood play care"),
            ("EDU.EDU.FAMILY", "家庭教育", "Parenting", "CG", "亲子 沟通 习惯养成", "parent-child communication habits"),
            ("EDU.EDU.PRIMARY", "小学教育", "Primary Education", "BA", "课堂 教学设计 班级管理", "classroom lesson design"),
            ("EDU.EDU.TECH", "教育技术", "Educational Technology", "BAG", "在线教学 课件 慕课", "online teaching courseware MOOC"),
        )),
    )),
    ("LANG", "语言文学", "Languages and Literature", (
        ("LANG.LIT", "语言文学", "Language and Literature", (
            ("LANG.LIT.CHN", "汉语言文学", "Chinese Language and Literature", "BA", "现代文学 写作 语言学", "modern literature writing linguistics"),
            ("LANG.LIT.ENG", "英语", "English", "BAGC", "口语 听力 语法", "speaking listening grammar"),
            ("LANG.LIT.JPN", "日语", "Japanese", "GA", "假名 会话 日本文化", "kana conversation culture"),
            ("LANG.LIT.POEM", "古典诗词", "Classical Poetry", "EG", "唐诗 宋词 吟诵", "Tang poems Song lyrics recitation"),
        )),
    )),
    ("ENG", "工学", "Engineering", (
        ("ENG.MFG", "制造与电气", "Manufacturing and Electrical", (
            ("ENG.MFG.MECH", "机械制造", "Mechanical Manufacturing", "AVB", "数控 机床 工艺", "CNC machine tools processes"),
            ("ENG.MFG.ELEC", "电工", "Electrician", "VA", "电路 安全用电 电工证", "circuits electrical safety licence"),
            ("ENG.MFG.WELD", "焊接", "Welding", "V", "焊工 电弧焊 焊接工艺", "welder arc welding"),
            ("ENG.MFG.BUILD", "建筑施工", "Construction", "VAB", "施工 造价 安全", "site works costing safety"),
            ("ENG.MFG.NEV", "新能源汽车", "New-energy Vehicles", "VA", "电池 电机 维修", "batteries motors repair"),
        )),
    )),
    ("AGR", "农学", "Agriculture", (
        ("AGR.AGR", "现代农业", "Modern Agriculture", (
            ("AGR.AGR.CROP", "种植技术", "Crop Cultivation", "VAC", "大棚 病虫害 良种", "greenhouse pests seeds"),
            ("AGR.AGR.ECOM", "农村电商", "Rural E-commerce", "VC", "农产品 直播带货 品牌", "farm produce live selling"),
            ("AGR.AGR.GARDEN", "园艺", "Horticulture", "GEV", "花卉 盆景 绿化", "flowers bonsai landscaping"),
            ("AGR.AGR.LIVE", "畜牧养殖", "Animal Husbandry", "VA", "养殖 防疫 饲料", "breeding disease prevention feed"),
        )),
    )),
    ("LIFE", "生活服务", "Life and Community Services", (
        ("LIFE.SVC", "生活与服务", "Living and Services", (
            ("LIFE.SVC.COOK", "烹饪", "Cooking", "CGEV", "家常菜 面点 烘焙", "home dishes pastry baking"),
            ("LIFE.SVC.CARE", "养老服务", "Elder-care Services", "VA", "养老护理员 照护技能 机构管理", "care worker skills facilities"),
            ("LIFE.SVC.HOME", "家政服务", "Domestic Services", "VC", "育婴 保洁 收纳", "infant care cleaning tidying"),
            ("LIFE.SVC.TEA", "茶艺", "Tea Art", "GEC", "茶道 冲泡 茶文化", "tea ceremony brewing culture"),
            ("LIFE.SVC.TRAVEL", "旅游", "Tourism", "GEA", "导游 线路 文旅", "tour guide routes culture"),
        )),
    )),
)

# Title patterns by level; {t} is the topic name.
TITLE_PATTERNS_ZH = {
    "bachelor": ("{t}原理", "{t}专题研究", "高级{t}", "{t}理论与实践"),
    "associate": ("{t}基础", "{t}概论", "{t}实务", "{t}应用"),
    "vocational_certificate": ("{t}职业技能培训", "{t}（初级工）考证辅导", "{t}岗位实训", "{t}技能提升"),
    "community": ("社区{t}讲堂", "身边的{t}", "{t}常识", "{t}入门"),
    "elderly": ("老年{t}", "{t}乐龄课堂", "银龄学{t}", "轻松学{t}"),
    "general_interest": ("{t}入门", "{t}趣谈", "零基础学{t}", "{t}精讲"),
}
TITLE_PATTERNS_EN = {
    "bachelor": ("Principles of {t}", "Advanced {t}", "{t}: Theory and Practice", "Topics in {t}"),
    "associate": ("Foundations of {t}", "Introduction to {t}", "Applied {t}", "{t} in Practice"),
    "vocational_certificate": ("{t} Skills Certificate", "{t} Job Training", "{t} Practical Workshop", "{t} Certification Prep"),
    "community": ("{t} for Everyone", "{t} in the Community", "Everyday {t}", "Getting Started with {t}"),
    "elderly": ("{t} for Seniors", "Silver-age {t}", "Easy {t}", "{t} at Your Pace"),
    "general_interest": ("{t} for Beginners", "Enjoying {t}", "{t} from Scratch", "A Taste of {t}"),
}
TYPE_SUFFIX_ZH = {
    "course": "",
    "micro_course": "（微课）",
    "video": "（视频）",
    "ebook": "（电子书）",
    "live_session": "（直播）",
    "assessment": "测验",
    "document": "学习指南",
}
TYPE_SUFFIX_EN = {
    "course": "",
    "micro_course": " (Micro-course)",
    "video": " (Video)",
    "ebook": " (E-book)",
    "live_session": " (Live)",
    "assessment": " Quiz",
    "document": " Study Guide",
}

# (code, zh, en, kind)
PROVIDERS: tuple[tuple[str, str, str, str], ...] = (
    ("OUC", "国家开放大学", "The Open University of China", "university"),
    ("PKU", "北京大学", "Peking University", "university"),
    ("THU", "清华大学", "Tsinghua University", "university"),
    ("FDU", "复旦大学", "Fudan University", "university"),
    ("ZJU", "浙江大学", "Zhejiang University", "university"),
    ("BNU", "北京师范大学", "Beijing Normal University", "university"),
    ("SYSU", "中山大学", "Sun Yat-sen University", "university"),
    ("WHU", "武汉大学", "Wuhan University", "university"),
    ("ICOURSE", "中国大学MOOC", "iCourse (China University MOOC)", "platform"),
    ("XUETANG", "学堂在线", "XuetangX", "platform"),
    ("SMARTEDU", "国家智慧教育平台", "National Smart Education Platform", "platform"),
    ("SENIOR", "老年开放大学", "Open University for the Elderly", "university"),
    ("HUAWEI", "华为ICT学院", "Huawei ICT Academy", "enterprise"),
    ("SGCC-EDU", "国家电网培训中心", "State Grid Training Centre", "enterprise"),
)

# Profile values are stored as these codes; N_ marks them for translation (synth.po).
OCCUPATIONS = (
    N_("retiree"),
    N_("factory_worker"),
    N_("farmer"),
    N_("service_worker"),
    N_("office_clerk"),
    N_("teacher"),
    N_("healthcare_worker"),
    N_("it_worker"),
    N_("self_employed"),
    N_("civil_servant"),
    N_("homemaker"),
    N_("soldier"),
    N_("rail_worker"),
    N_("energy_worker"),
    N_("unemployed"),
)

# How much each occupation cares about each discipline (relative weights).
OCCUPATION_DISCIPLINES: dict[str, dict[str, float]] = {
    "retiree": {"MED": 5, "ART": 5, "IT": 2, "LIFE": 3, "LANG": 1.5, "ECON": 1},
    "factory_worker": {"ENG": 5, "IT": 1.5, "ECON": 1, "LAW": 1.5, "LIFE": 1},
    "farmer": {"AGR": 6, "ECON": 1.5, "IT": 1, "LIFE": 1},
    "service_worker": {"LIFE": 4, "ECON": 2, "MED": 1.5, "LANG": 1},
    "office_clerk": {"ECON": 4, "LAW": 2, "IT": 2, "LANG": 1.5},
    "teacher": {"EDU": 6, "LANG": 2, "IT": 1.5},
    "healthcare_worker": {"MED": 6, "LIFE": 1.5, "EDU": 0.5},
    "it_worker": {"IT": 6, "ECON": 1.5, "LANG": 1.5},
    "self_employed": {"ECON": 4, "AGR": 1.5, "IT": 2, "LAW": 1},
    "civil_servant": {"LAW": 5, "ECON": 2, "LANG": 1.5},
    "homemaker": {"LIFE": 4, "EDU": 3, "MED": 2, "ART": 1.5},
    "soldier": {"ENG": 3, "IT": 2, "LAW": 2, "ECON": 1.5},
    "rail_worker": {"ENG": 5, "LAW": 1, "ECON": 1},
    "energy_worker": {"ENG": 5, "IT": 1.5, "ECON": 1},
    "unemployed": {"LIFE": 3, "ECON": 2, "IT": 2, "ENG": 1.5},
}

EDUCATIONS = (
    N_("primary"),
    N_("junior_secondary"),
    N_("senior_secondary"),
    N_("vocational_secondary"),
    N_("associate"),
    N_("bachelor"),
    N_("postgraduate"),
)
GENDERS = (N_("female"), N_("male"))

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚"
)
GIVEN_CHARS = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥建华文辉力鹏宇浩然子轩梓涵"
    "欣怡一诺雨桐思远晨曦嘉怡俊杰志强海燕国庆建国淑珍桂芝凤兰德明永福春梅秋菊立新晓东佳琪"
)
