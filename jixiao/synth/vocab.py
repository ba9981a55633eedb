"""Vocabulary of the synthetic corpus: departments and units, project types with their
indicator templates, qualitative targets, reasons, names.

Everything a budget unit writes is drawn from here. Indicator names that are not one of the
short common names every unit uses (受益群众满意度, 项目成本, 项目完成时间 …, see
`jixiao.boilerplate.COMMON_NAMES`) carry the project's *subject* ({s}: a town or the county
itself, unique to one county) so that two units never write the same indicator text by chance;
cross-unit copies are planted on purpose (JX401/JX402) and recorded in the ground truth.

Template tuple: (level2 key, kind, name pattern, unit, low, high[, qualitative pool]).
Kinds: count (≥ or = a number), count_eq (= a number), rate (≥ a percentage), rate_eq (=100%),
down (≤ a small percentage), dur (≤ hours/days), date (a deadline, qualitative), qual (a
qualitative phrase). {s} = subject, {o} = the project type's object noun.
"""

from __future__ import annotations

# ----------------------------------------------------------------------------- levels

LEVEL2_NAME = {
    "数量": "数量指标", "质量": "质量指标", "时效": "时效指标", "成本": "经济成本指标",
    "经济效益": "经济效益指标", "社会效益": "社会效益指标", "生态效益": "生态效益指标",
    "可持续": "可持续影响指标", "满意度": "服务对象满意度指标",
}
LEVEL1_OF = {
    "数量": "产出指标", "质量": "产出指标", "时效": "产出指标", "成本": "成本指标",
    "经济效益": "效益指标", "社会效益": "效益指标", "生态效益": "效益指标", "可持续": "效益指标",
    "满意度": "满意度指标",
}
LEVEL2_ORDER = ("数量", "质量", "时效", "成本", "经济效益", "社会效益", "生态效益", "可持续", "满意度")

# ----------------------------------------------------------------------------- qualitative targets

Q_UP = ("有效提升", "明显提升", "逐步提高", "显著提高", "稳步提升", "进一步提高")
Q_LONG = ("长期", "长期有效", "持续发挥作用", "逐步健全", "持续完善")
Q_ENV = ("明显改善", "逐步改善", "有效改善", "持续改善")
Q_GUAR = ("有效保障", "得到保障", "全面保障", "切实保障")
Q_CTRL = ("有效控制", "有效遏制", "得到有效控制")
Q_DOWN = ("持续减少", "逐年下降", "有效减轻", "明显降低")

# What a self-evaluation writes when a qualitative target was only partly reached. None of these
# reads as "reached" (jixiao.scores.ACHIEVED_PATTERN is anchored).
PARTIAL = {
    "有效提升": "有所提升", "明显提升": "有所提升", "逐步提高": "略有提高", "显著提高": "有所提高",
    "稳步提升": "略有提升", "进一步提高": "有所提高", "长期": "阶段性见效", "长期有效": "基本有效",
    "持续发挥作用": "部分发挥作用", "逐步健全": "基本建立", "持续完善": "基本完善",
    "明显改善": "有所改善", "逐步改善": "略有改善", "有效改善": "有所改善", "持续改善": "有所改善",
    "有效保障": "基本保障", "得到保障": "基本得到保障", "全面保障": "基本保障",
    "切实保障": "基本保障", "有效控制": "基本控制", "有效遏制": "基本遏制",
    "得到有效控制": "得到基本控制", "持续减少": "略有减少", "逐年下降": "有所下降",
    "有效减轻": "有所减轻", "明显降低": "有所降低",
}
ACHIEVED = ("已完成", "达到预期目标", "全部完成", "达成目标", "已实现", "按期完成")

# ----------------------------------------------------------------------------- departments and units

# key: (department suffix, [(unit suffix, unit type), ...]). The department is itself a unit.
DEPARTMENTS: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "hr": ("人力资源和社会保障局", (("人力资源和社会保障局", "hr"), ("社会保险服务中心", "si"),
                                  ("公共就业服务中心", "job"))),
    "agri": ("农业农村局", (("农业农村局", "agri"), ("农业技术推广中心", "agritech"))),
    "edu": ("教育局", (("教育局", "edu"), ("第一中学", "school"))),
    "health": ("卫生健康局", (("卫生健康局", "health"), ("疾病预防控制中心", "cdc"), ("人民医院", "hospital"))),
    "civil": ("民政局", (("民政局", "civil"), ("社会福利院", "welfare"))),
    "water": ("水利局", (("水利局", "water"),)),
    "transport": ("交通运输局", (("交通运输局", "transport"), ("公路养护中心", "road"))),
    "housing": ("住房和城乡建设局", (("住房和城乡建设局", "housing"),)),
    "culture": ("文化和旅游局", (("文化和旅游局", "culture"), ("图书馆", "library"))),
    "forest": ("林业局", (("林业局", "forest"),)),
    "medins": ("医疗保障局", (("医疗保障局", "medins"),)),
    "veterans": ("退役军人事务局", (("退役军人事务局", "veterans"),)),
    "emergency": ("应急管理局", (("应急管理局", "emergency"),)),
    "market": ("市场监督管理局", (("市场监督管理局", "market"),)),
}

SATISFACTION_NAMES = {
    "si": ("参保群众满意度", "参保人员满意度", "参保对象满意度"),
    "medins": ("参保群众满意度", "参保人员满意度"),
    "edu": ("学生满意度", "家长满意度"),
    "school": ("学生满意度", "家长满意度"),
    "hospital": ("患者满意度", "群众满意度"),
    "default": ("受益群众满意度", "受益人员满意度", "服务对象满意度", "受益对象满意度", "社会公众满意度",
                "受益群体满意度", "群众满意度"),
}
# Satisfaction names with the subject, by unit type (what the beneficiaries are called).
SATISFACTION_SUBJECT = {
    "agri": "{s}农户", "agritech": "{s}种植户", "hr": "{s}参训学员", "job": "{s}求职群众", "civil": "{s}救助对象",
    "welfare": "{s}供养对象", "water": "{s}受益群众", "transport": "{s}沿线群众", "road": "{s}沿线群众",
    "housing": "{s}改造户", "culture": "{s}观众", "library": "{s}读者", "forest": "{s}林农",
    "veterans": "{s}优抚对象", "emergency": "{s}参演单位", "market": "{s}经营主体", "health": "{s}签约居民",
    "cdc": "{s}受检群众", "si": "{s}参保群众", "medins": "{s}参保群众", "edu": "{s}学生家长",
    "school": "{s}学生家长", "hospital": "{s}就诊患者",
}

# ----------------------------------------------------------------------------- project types

# subject: "county" (the county's name: few characters tell two counties apart, so these
# names stay short), "village" / "community" (a town of the county and a village or community in
# it), "unit" (the unit itself, e.g. 津市一中). abbr: a short name of the programme used in the
# generic and cost indicator names. cost: allowed cost modes.
PROJECT_TYPES: list[dict] = [
    # --- 人社局
    dict(key="skill_training", units=("hr",), name="{s}职业技能培训补贴", obj="技能培训", abbr="技培",
         subject="county,village", goal="完成{s}职业技能培训任务，提升城乡劳动者就业创业能力",
         use="{s}职业技能培训补贴及培训机构补助",
         inds=[("数量", "count", "{s}技能培训人次", "人次", 200, 3000),
               ("数量", "count", "{s}培训班期数", "期", 5, 60),
               ("数量", "count", "{s}取证人数", "人", 100, 1500),
               ("质量", "rate", "{s}培训合格率", "%", 85, 95),
               ("质量", "rate", "{s}培训后就业率", "%", 60, 85),
               ("社会效益", "qual", "{s}劳动者技能", "", 0, 0, Q_UP),
               ("可持续", "qual", "{s}技能人才队伍", "", 0, 0, Q_LONG)],
         cost=("total", "per_person")),
    dict(key="public_posts", units=("hr", "job"), name="{s}公益性岗位补贴", obj="公益性岗位", abbr="公岗",
         subject="county,village", goal="开发{s}公益性岗位，托底安置就业困难人员", use="{s}公益性岗位人员岗位补贴和社会保险补贴",
         inds=[("数量", "count", "{s}公岗安置人数", "人", 20, 500),
               ("数量", "count_eq", "{s}公岗补贴月数", "个月", 12, 12),
               ("质量", "rate_eq", "{s}公岗补贴准确率", "%", 100, 100),
               ("社会效益", "qual", "{s}困难人员生活", "", 0, 0, Q_GUAR),
               ("可持续", "qual", "{s}就业援助机制", "", 0, 0, Q_LONG)],
         cost=("total", "per_person", "per_time")),
    dict(key="talent", units=("hr",), name="{s}急需紧缺人才引进经费", obj="人才引进", abbr="引才", subject="county",
         goal="引进{s}急需紧缺专业人才，优化人才队伍结构", use="{s}引进人才安家补贴、生活补贴",
         inds=[("数量", "count", "{s}引进人才人数", "人", 5, 80),
               ("数量", "count", "{s}安家补贴人数", "人", 5, 80),
               ("质量", "rate", "{s}人才专业对口率", "%", 80, 92),
               ("社会效益", "qual", "{s}人才队伍结构", "", 0, 0, Q_ENV),
               ("可持续", "rate", "{s}引进人才留存率", "%", 70, 90)],
         cost=("total", "per_person")),
    # --- 社会保险服务中心
    dict(key="resident_pension", units=("si",), name="{s}城乡居民基本养老保险财政补贴", obj="居民养老保险", abbr="居保",
         subject="county", goal="保障{s}城乡居民养老保险参保人员按时足额领取待遇", use="{s}城乡居民养老保险缴费补贴及基础养老金",
         inds=[("数量", "count", "{s}居民养老参保人数", "人", 20000, 300000),
               ("数量", "count", "{s}养老待遇领取人数", "人", 5000, 90000),
               ("质量", "rate_eq", "{s}养老金发放率", "%", 100, 100),
               ("质量", "rate", "{s}居民养老参保率", "%", 90, 95),
               ("社会效益", "qual", "{s}居民老有所养", "", 0, 0, Q_GUAR),
               ("可持续", "qual", "{s}居民养老制度", "", 0, 0, Q_LONG)],
         cost=("total", "per_time")),
    dict(key="si_operation", units=("si",), name="{s}社会保险经办业务经费", obj="社保经办", abbr="经办", subject="county",
         goal="确保{s}社会保险经办业务正常运转", use="{s}社保经办窗口运行、业务档案整理",
         inds=[("数量", "count", "{s}社保业务经办量", "件", 5000, 80000),
               ("数量", "count_eq", "{s}社保系统运行天数", "天", 365, 365),
               ("数量", "count", "{s}社保档案整理卷数", "卷", 500, 20000),
               ("质量", "down", "{s}经办业务差错率", "%", 1, 3),
               ("质量", "rate", "{s}社保网上经办率", "%", 80, 92),
               ("社会效益", "qual", "{s}社保服务水平", "", 0, 0, Q_UP),
               ("可持续", "qual", "{s}社保信息化管理", "", 0, 0, Q_LONG)],
         cost=("total", "per_quarter", "total2")),
    dict(key="landless_pension", units=("si",), name="{s}被征地农民养老保险补贴", obj="被征地农民保障", abbr="失地",
         subject="county,village", goal="落实{s}被征地农民养老保险补贴政策", use="{s}被征地农民养老保险个人缴费补贴",
         inds=[("数量", "count", "{s}失地农民参保人数", "人", 200, 8000),
               ("数量", "count_eq", "{s}失地补贴发放次数", "次", 4, 4),
               ("质量", "rate_eq", "{s}补贴对象认定准确率", "%", 100, 100),
               ("社会效益", "qual", "{s}失地农民养老保障", "", 0, 0, Q_UP)],
         cost=("total", "per_person")),
    # --- 公共就业服务中心
    dict(key="employment", units=("job",), name="{s}就业创业服务补助", obj="就业创业服务", abbr="就业",
         subject="county,village", goal="做好{s}就业创业服务，稳定和扩大就业", use="{s}招聘活动、创业指导及就业补助",
         inds=[("数量", "count", "{s}城镇新增就业人数", "人", 300, 6000),
               ("数量", "count", "{s}招聘会场次", "场", 4, 40),
               ("数量", "count", "{s}创业担保贷款笔数", "笔", 20, 600),
               ("质量", "rate", "{s}失业人员再就业率", "%", 50, 80),
               ("社会效益", "down", "{s}城镇调查失业率", "%", 4, 6),
               ("可持续", "qual", "{s}就业服务体系", "", 0, 0, Q_LONG)],
         cost=("total", "total2")),
    # --- 农业农村局
    dict(key="farmland", units=("agri",), name="{s}高标准农田建设项目", obj="高标准农田", abbr="农田", subject="village",
         goal="在{s}建设高标准农田，提升粮食综合生产能力", use="{s}土地平整、灌排渠系和田间道路建设",
         inds=[("数量", "count", "{s}新建高标准农田面积", "亩", 500, 20000),
               ("数量", "count", "{s}新建灌排渠道长度", "公里", 2, 40),
               ("数量", "count", "{s}新修田间道路长度", "公里", 1, 20),
               ("质量", "rate_eq", "{s}农田工程验收合格率", "%", 100, 100),
               ("经济效益", "count", "{s}亩均粮食增产量", "公斤", 30, 100),
               ("社会效益", "qual", "{s}粮食综合生产能力", "", 0, 0, Q_UP),
               ("可持续", "qual", "{s}农田工程管护机制", "", 0, 0, Q_LONG)],
         cost=("total", "total2")),
    dict(key="farm_machinery", units=("agri",), name="{s}农机购置与应用补贴", obj="农机购置补贴", abbr="农机", subject="county",
         goal="落实{s}农机购置与应用补贴政策，提高农业机械化水平", use="{s}农机购置补贴资金兑付",
         inds=[("数量", "count", "{s}农机补贴受益户数", "户", 100, 3000),
               ("数量", "count", "{s}补贴机具数量", "台", 100, 4000),
               ("质量", "rate_eq", "{s}补贴机具核验率", "%", 100, 100),
               ("经济效益", "rate", "{s}综合机械化率", "%", 70, 90),
               ("社会效益", "qual", "{s}农业生产效率", "", 0, 0, Q_UP)],
         cost=("total", "per_person")),
    dict(key="animal_epidemic", units=("agri",), name="{s}动物疫病防控经费", obj="动物防疫", abbr="动防", subject="county",
         goal="做好{s}重大动物疫病强制免疫和监测", use="{s}疫苗采购、免疫注射劳务和监测检测",
         inds=[("数量", "count", "{s}强制免疫数量", "万头只", 5, 200),
               ("数量", "count", "{s}疫病监测采样数", "份", 500, 8000),
               ("质量", "rate", "{s}免疫抗体合格率", "%", 70, 90),
               ("时效", "dur", "{s}疫情报告时限", "小时", 2, 24),
               ("社会效益", "qual", "{s}重大动物疫情", "", 0, 0, Q_CTRL),
               ("经济效益", "qual", "{s}养殖疫病损失", "", 0, 0, Q_DOWN)],
         cost=("total", "total2")),
    dict(key="village_env", units=("agri",), name="{s}农村人居环境整治", obj="人居环境整治", abbr="人居", subject="village",
         goal="开展{s}农村人居环境整治，改善村容村貌", use="{s}农村户厕改造、垃圾收运设施建设",
         inds=[("数量", "count", "{s}改造农村户厕数量", "户", 50, 2000),
               ("数量", "count", "{s}垃圾收运处置点数", "个", 3, 30),
               ("质量", "rate", "{s}户厕改造验收合格率", "%", 90, 95),
               ("生态效益", "qual", "{s}村庄环境面貌", "", 0, 0, Q_ENV),
               ("可持续", "qual", "{s}村庄保洁长效机制", "", 0, 0, Q_LONG)],
         cost=("total", "per_person")),
    # --- 农业技术推广中心
    dict(key="pest_control", units=("agritech",), name="{s}农作物病虫害统防统治补助", obj="病虫害统防统治", abbr="统防",
         subject="county,village", goal="开展{s}主要农作物重大病虫害统防统治，控制病虫危害损失", use="{s}统防统治作业补助和监测点运行",
         inds=[("数量", "count", "{s}统防统治面积", "亩", 5000, 150000),
               ("数量", "count_eq", "{s}病虫监测点数", "个", 5, 40),
               ("质量", "rate", "{s}病虫害防治效果", "%", 80, 90),
               ("经济效益", "count", "{s}挽回粮食损失", "吨", 300, 6000),
               ("生态效益", "qual", "{s}化学农药用量", "", 0, 0, Q_DOWN)],
         cost=("total", "total2")),
    dict(key="agritech_extension", units=("agritech",), name="{s}基层农技推广体系建设", obj="农技推广", abbr="农技",
         subject="county", goal="建设{s}农业科技示范基地，推广农业主推技术", use="{s}农技人员培训、示范基地建设",
         inds=[("数量", "count", "{s}农技人员培训人数", "人", 50, 600),
               ("数量", "count", "{s}科技示范基地数", "个", 3, 30),
               ("数量", "count", "{s}科技示范户数", "户", 50, 1000),
               ("质量", "rate", "{s}主推技术到位率", "%", 85, 92),
               ("经济效益", "qual", "{s}示范户生产效益", "", 0, 0, Q_UP)],
         cost=("total", "per_person")),
    # --- 教育局
    dict(key="nutrition", units=("edu",), name="{s}农村义务教育学生营养改善计划", obj="营养改善计划", abbr="营养",
         subject="county", goal="保障{s}农村义务教育学生在校营养膳食", use="{s}学生营养膳食补助",
         inds=[("数量", "count", "{s}营养餐受益学生数", "人", 2000, 60000),
               ("数量", "count", "{s}营养餐供餐天数", "天", 180, 200),
               ("质量", "rate_eq", "{s}膳食补助准确率", "%", 100, 100),
               ("社会效益", "qual", "{s}学生营养状况", "", 0, 0, Q_ENV)],
         cost=("total", "per_person")),
    dict(key="school_repair", units=("edu",), name="{s}学校校舍维修改造", obj="校舍维修改造", abbr="校舍", subject="village",
         goal="改善{s}学校办学条件", use="{s}校舍维修、教学设备购置",
         inds=[("数量", "count", "{s}校舍维修改造面积", "平方米", 500, 20000),
               ("数量", "count", "{s}购置教学设备台套数", "台套", 20, 600),
               ("质量", "rate_eq", "{s}校舍工程验收合格率", "%", 100, 100),
               ("社会效益", "qual", "{s}学校办学条件", "", 0, 0, Q_ENV),
               ("可持续", "qual", "{s}校舍安全保障能力", "", 0, 0, Q_UP)],
         cost=("total", "total2")),
    dict(key="student_aid", units=("edu",), name="{s}家庭经济困难学生资助", obj="学生资助", abbr="资助", subject="county",
         goal="落实{s}家庭经济困难学生资助政策", use="{s}学生资助资金发放",
         inds=[("数量", "count", "{s}受资助学生人数", "人", 300, 12000),
               ("数量", "count_eq", "{s}资助发放批次", "次", 2, 2),
               ("质量", "rate_eq", "{s}资助对象准确率", "%", 100, 100),
               ("社会效益", "qual", "{s}困难学生就学", "", 0, 0, Q_GUAR)],
         cost=("total", "per_person", "per_time")),
    # --- 学校
    dict(key="campus_security", units=("school",), name="{s}校园安保经费", obj="校园安保", abbr="安保", subject="unit",
         goal="保障{s}校园安全稳定", use="{s}安保人员劳务费、安防设施维护",
         inds=[("数量", "count", "{s}安保人员数量", "人", 4, 30),
               ("数量", "count", "{s}安防设施维护次数", "次", 6, 24),
               ("质量", "rate", "{s}安防设施完好率", "%", 90, 95),
               ("社会效益", "qual", "{s}校园安全稳定", "", 0, 0, Q_GUAR)],
         cost=("total", "per_person")),
    dict(key="teaching_equipment", units=("school",), name="{s}教学仪器设备购置", obj="教学设备", abbr="教仪", subject="unit",
         goal="更新{s}教学仪器设备，提升教育教学质量", use="{s}实验室仪器、多媒体设备购置",
         inds=[("数量", "count", "{s}购置教学仪器数量", "台套", 20, 400),
               ("数量", "count", "{s}功能教室间数", "间", 2, 12),
               ("质量", "rate_eq", "{s}教仪验收合格率", "%", 100, 100),
               ("社会效益", "qual", "{s}教学质量", "", 0, 0, Q_UP)],
         cost=("total", "total2")),
    # --- 卫生健康局
    dict(key="public_health", units=("health",), name="{s}基本公共卫生服务补助", obj="基本公共卫生服务", abbr="公卫",
         subject="county", goal="为{s}城乡居民免费提供基本公共卫生服务", use="{s}基层医疗卫生机构基本公共卫生服务补助",
         inds=[("数量", "count", "{s}健康档案建档人数", "人", 30000, 600000),
               ("数量", "count", "{s}老年人健康管理数", "人", 3000, 60000),
               ("质量", "rate", "{s}电子健康档案建档率", "%", 85, 92),
               ("社会效益", "rate", "{s}居民健康素养水平", "%", 20, 35)],
         cost=("total", "per_person")),
    dict(key="village_doctor", units=("health",), name="{s}乡村医生补助", obj="乡村医生补助", abbr="村医",
         subject="county,village", goal="稳定{s}乡村医生队伍，提升基层医疗服务能力", use="{s}乡村医生定额补助及村卫生室运行补助",
         inds=[("数量", "count", "{s}乡村医生补助人数", "人", 20, 600),
               ("数量", "count", "{s}村卫生室补助个数", "个", 10, 300),
               ("质量", "rate_eq", "{s}村医补助准确率", "%", 100, 100),
               ("社会效益", "qual", "{s}基层医疗服务能力", "", 0, 0, Q_UP)],
         cost=("total", "per_person")),
    # --- 疾病预防控制中心
    dict(key="epidemic", units=("cdc",), name="{s}重大传染病防控经费", obj="传染病防控", abbr="防控", subject="county",
         goal="完成{s}艾滋病、结核病等重大传染病监测检测任务", use="{s}监测检测试剂、患者管理补助",
         inds=[("数量", "count", "{s}艾滋病检测人次", "人次", 3000, 60000),
               ("数量", "count", "{s}结核病筛查人数", "人", 300, 6000),
               ("质量", "rate", "{s}传染病直报及时率", "%", 95, 98),
               ("社会效益", "rate", "{s}防治知识知晓率", "%", 80, 90),
               ("社会效益", "qual", "{s}重大传染病疫情", "", 0, 0, Q_CTRL)],
         cost=("total", "total2")),
    dict(key="immunization", units=("cdc",), name="{s}免疫规划冷链系统运转经费", obj="免疫规划", abbr="冷链", subject="county",
         goal="保障{s}免疫规划疫苗冷链储存、运输正常运转", use="{s}冷链设备维护、温度监测",
         inds=[("数量", "count", "{s}冷链设备巡检次数", "次", 12, 52),
               ("数量", "count", "{s}疫苗配送单位数", "个", 10, 120),
               ("质量", "rate_eq", "{s}疫苗储运温度合格率", "%", 100, 100),
               ("时效", "dur", "{s}冷链故障修复时限", "小时", 24, 72),
               ("社会效益", "rate", "{s}免疫规划接种率", "%", 90, 92)],
         cost=("total", "per_quarter")),
    # --- 人民医院
    dict(key="medical_equipment", units=("hospital",), name="{s}医疗设备购置", obj="医疗设备", abbr="医设", subject="unit",
         goal="购置{s}医疗设备，提升诊疗服务能力", use="{s}影像、检验等医疗设备购置",
         inds=[("数量", "count", "{s}购置医疗设备数", "台", 5, 120),
               ("数量", "count", "{s}门急诊服务人次", "人次", 50000, 600000),
               ("质量", "rate_eq", "{s}医疗设备验收率", "%", 100, 100),
               ("质量", "rate", "{s}医疗设备完好率", "%", 90, 95),
               ("社会效益", "qual", "{s}医疗服务能力", "", 0, 0, Q_UP)],
         cost=("total", "total2")),
    # --- 民政局
    dict(key="subsistence", units=("civil",), name="{s}困难群众救助补助资金", obj="困难群众救助", abbr="救助", subject="county",
         goal="保障{s}城乡低保对象、特困人员基本生活", use="{s}城乡低保金、特困供养金和临时救助金",
         inds=[("数量", "count", "{s}城乡低保保障人数", "人", 1000, 30000),
               ("数量", "count", "{s}特困供养人数", "人", 100, 3000),
               ("数量", "count", "{s}临时救助人次", "人次", 200, 5000),
               ("质量", "rate_eq", "{s}救助资金准确率", "%", 100, 100),
               ("社会效益", "qual", "{s}困难群众生活", "", 0, 0, Q_GUAR),
               ("可持续", "qual", "{s}社会救助兜底", "", 0, 0, Q_LONG)],
         cost=("total", "per_time")),
    dict(key="elderly_care", units=("civil",), name="{s}居家和社区养老服务", obj="养老服务", abbr="养老",
         subject="county,community", goal="发展{s}居家和社区养老服务", use="{s}养老服务补贴、互助幸福院运营补助",
         inds=[("数量", "count", "{s}居家养老服务人数", "人", 100, 3000),
               ("数量", "count", "{s}幸福院运营数量", "个", 3, 40),
               ("质量", "rate", "{s}养老机构达标率", "%", 85, 92),
               ("社会效益", "qual", "{s}养老服务获得感", "", 0, 0, Q_UP)],
         cost=("total", "per_person")),
    dict(key="elderly_allowance", units=("civil",), name="{s}高龄津贴", obj="高龄津贴", abbr="津贴", subject="county",
         goal="按时足额发放{s}高龄老人津贴", use="{s}80周岁以上老年人高龄津贴",
         inds=[("数量", "count", "{s}高龄津贴发放人数", "人", 500, 12000),
               ("数量", "count_eq", "{s}高龄津贴发放月数", "个月", 12, 12),
               ("质量", "rate_eq", "{s}高龄津贴准确率", "%", 100, 100),
               ("社会效益", "qual", "{s}高龄老人生活质量", "", 0, 0, Q_UP)],
         cost=("total", "per_person", "per_time")),
    # --- 社会福利院
    dict(key="welfare_home", units=("welfare",), name="{s}集中供养运行经费", obj="集中供养", abbr="供养", subject="unit",
         goal="保障{s}集中供养对象基本生活和照料护理", use="{s}供养对象生活费、护理人员劳务费",
         inds=[("数量", "count", "{s}集中供养人数", "人", 30, 400),
               ("数量", "count", "{s}护理人员数量", "人", 5, 60),
               ("质量", "rate", "{s}失能对象照护率", "%", 85, 92),
               ("社会效益", "qual", "{s}供养对象生活", "", 0, 0, Q_UP)],
         cost=("total", "per_person")),
    # --- 水利局
    dict(key="rural_water", units=("water",), name="{s}农村供水工程维修养护", obj="农村供水工程", abbr="供水", subject="village",
         goal="维修养护{s}农村供水工程，保障农村饮水安全", use="{s}供水管网、水源工程维修养护",
         inds=[("数量", "count", "{s}供水工程维修养护处数", "处", 3, 60),
               ("数量", "count", "{s}供水工程受益人口", "人", 500, 30000),
               ("质量", "rate", "{s}农村自来水普及率", "%", 90, 92),
               ("质量", "rate", "{s}农村供水水质达标率", "%", 90, 92),
               ("社会效益", "qual", "{s}农村供水保障水平", "", 0, 0, Q_UP)],
         cost=("total", "total2")),
    dict(key="river", units=("water",), name="{s}中小河流治理工程", obj="河道治理", abbr="河道", subject="village",
         goal="治理{s}中小河流，提高防洪能力", use="{s}河道清淤疏浚、堤防加固",
         inds=[("数量", "count", "{s}河道治理长度", "公里", 1, 20),
               ("数量", "count", "{s}新建加固堤防长度", "米", 500, 12000),
               ("质量", "rate_eq", "{s}河道工程验收合格率", "%", 100, 100),
               ("社会效益", "count", "{s}工程保护人口", "人", 1000, 40000),
               ("生态效益", "qual", "{s}河道水生态环境", "", 0, 0, Q_ENV)],
         cost=("total", "total2")),
    # --- 交通运输局 / 公路养护中心
    dict(key="rural_roads", units=("transport", "road"), name="{s}农村公路日常养护", obj="农村公路养护", abbr="公路",
         subject="county,village", goal="做好{s}农村公路日常养护，保障道路安全畅通", use="{s}农村公路路面修补、路肩整理",
         inds=[("数量", "count", "{s}公路养护里程", "公里", 50, 800),
               ("数量", "count", "{s}危桥改造座数", "座", 1, 12),
               ("质量", "rate", "{s}公路优良中等路率", "%", 70, 88),
               ("社会效益", "qual", "{s}群众出行条件", "", 0, 0, Q_ENV)],
         cost=("total", "per_quarter")),
    dict(key="road_safety", units=("transport",), name="{s}公路安全生命防护工程", obj="安全防护工程", abbr="安防",
         subject="county", goal="完善{s}公路安全防护设施", use="{s}波形护栏、警示标志安装",
         inds=[("数量", "count", "{s}波形护栏长度", "米", 2000, 60000),
               ("数量", "count", "{s}交通警示标志数", "块", 50, 1200),
               ("质量", "rate_eq", "{s}安防工程合格率", "%", 100, 100),
               ("社会效益", "qual", "{s}公路交通安全", "", 0, 0, Q_UP)],
         cost=("total", "total2")),
    # --- 住建局
    dict(key="old_communities", units=("housing",), name="{s}老旧小区改造", obj="老旧小区改造", abbr="旧改",
         subject="community", goal="改造{s}城镇老旧小区，改善居民居住条件", use="{s}老旧小区水电气管网及公共设施改造",
         inds=[("数量", "count", "{s}改造老旧小区数量", "个", 2, 30),
               ("数量", "count", "{s}改造惠及居民户数", "户", 200, 6000),
               ("质量", "rate_eq", "{s}改造工程质量合格率", "%", 100, 100),
               ("社会效益", "qual", "{s}居民居住环境", "", 0, 0, Q_ENV)],
         cost=("total", "total2")),
    dict(key="rural_housing", units=("housing",), name="{s}农村危房改造补助", obj="农村危房改造", abbr="危改",
         subject="county,village", goal="完成{s}农村低收入群体危房改造", use="{s}农村危房改造补助资金",
         inds=[("数量", "count", "{s}危房改造户数", "户", 20, 800),
               ("质量", "rate_eq", "{s}危改竣工验收率", "%", 100, 100),
               ("社会效益", "qual", "{s}低收入户住房安全", "", 0, 0, Q_GUAR)],
         cost=("total", "per_person")),
    # --- 文旅局 / 图书馆
    dict(key="public_culture", units=("culture",), name="{s}公共文化服务体系建设", obj="公共文化服务", abbr="文化",
         subject="county", goal="丰富{s}群众文化生活", use="{s}送戏下乡、公共文化场馆免费开放",
         inds=[("数量", "count", "{s}送戏下乡场次", "场", 20, 300),
               ("数量", "count", "{s}场馆免费开放天数", "天", 250, 330),
               ("质量", "rate", "{s}文化活动参与率", "%", 60, 85),
               ("社会效益", "qual", "{s}群众文化生活", "", 0, 0, Q_UP)],
         cost=("total", "per_time")),
    dict(key="library_books", units=("library",), name="{s}图书购置及免费开放", obj="图书购置", abbr="购书", subject="unit",
         goal="更新{s}馆藏图书，保障免费开放", use="{s}图书采购和免费开放运行",
         inds=[("数量", "count", "{s}新购图书册数", "册", 2000, 40000),
               ("数量", "count", "{s}阅读推广活动场次", "场", 10, 120),
               ("质量", "rate_eq", "{s}图书编目上架率", "%", 100, 100),
               ("社会效益", "count", "{s}接待读者人次", "人次", 10000, 300000)],
         cost=("total", "total2")),
    # --- 林业局
    dict(key="afforestation", units=("forest",), name="{s}国土绿化造林补助", obj="国土绿化", abbr="造林", subject="village",
         goal="在{s}实施人工造林和森林抚育", use="{s}苗木采购、造林抚育劳务",
         inds=[("数量", "count", "{s}新增造林面积", "亩", 500, 20000),
               ("数量", "count", "{s}森林抚育面积", "亩", 1000, 50000),
               ("质量", "rate", "{s}造林成活率", "%", 85, 92),
               ("生态效益", "rate", "{s}森林覆盖率", "%", 30, 70),
               ("可持续", "qual", "{s}森林资源管护", "", 0, 0, Q_LONG)],
         cost=("total", "total2")),
    dict(key="fire_prevention", units=("forest",), name="{s}森林草原防灭火经费", obj="森林防火", abbr="防火", subject="county",
         goal="做好{s}森林草原防灭火工作", use="{s}护林员补助、防火物资购置",
         inds=[("数量", "count", "{s}聘用护林员人数", "人", 20, 400),
               ("数量", "count", "{s}防火巡查次数", "次", 100, 2000),
               ("质量", "down", "{s}森林火灾受害率", "‰", 1, 1),
               ("生态效益", "qual", "{s}森林资源安全", "", 0, 0, Q_GUAR)],
         cost=("total", "per_person")),
    # --- 医疗保障局
    dict(key="medical_aid", units=("medins",), name="{s}城乡医疗救助资金", obj="医疗救助", abbr="医救", subject="county",
         goal="对{s}困难群众实施医疗救助", use="{s}医疗救助及资助参保",
         inds=[("数量", "count", "{s}医疗救助人次", "人次", 500, 20000),
               ("数量", "count", "{s}资助参保人数", "人", 1000, 30000),
               ("质量", "rate_eq", "{s}医疗救助结算率", "%", 100, 100),
               ("社会效益", "qual", "{s}就医费用负担", "", 0, 0, Q_DOWN)],
         cost=("total", "per_person")),
    # --- 退役军人事务局
    dict(key="veterans_aid", units=("veterans",), name="{s}重点优抚对象抚恤补助", obj="优抚补助", abbr="优抚", subject="county",
         goal="按时足额发放{s}重点优抚对象抚恤补助", use="{s}优抚对象定期抚恤补助",
         inds=[("数量", "count", "{s}抚恤补助人数", "人", 100, 5000),
               ("数量", "count_eq", "{s}抚恤发放次数", "次", 12, 12),
               ("质量", "rate_eq", "{s}抚恤补助准确率", "%", 100, 100),
               ("社会效益", "qual", "{s}优抚对象生活", "", 0, 0, Q_UP)],
         cost=("total", "per_time", "per_person")),
    # --- 应急管理局
    dict(key="emergency_drill", units=("emergency",), name="{s}安全生产监管和应急演练", obj="安全生产监管", abbr="应急",
         subject="county", goal="加强{s}安全生产监管和应急救援能力建设", use="{s}安全检查、应急演练和物资储备",
         inds=[("数量", "count", "{s}应急演练场次", "场", 4, 40),
               ("数量", "count", "{s}安全检查企业数", "家", 50, 1500),
               ("质量", "rate", "{s}安全隐患整改率", "%", 90, 95),
               ("社会效益", "qual", "{s}生产安全事故", "", 0, 0, Q_CTRL)],
         cost=("total", "total2")),
    # --- 市场监督管理局
    dict(key="food_safety", units=("market",), name="{s}食品安全抽检监测", obj="食品安全抽检", abbr="抽检", subject="county",
         goal="开展{s}食品安全监督抽检，守住食品安全底线", use="{s}食品抽检检验费",
         inds=[("数量", "count", "{s}食品抽检批次", "批次", 300, 6000),
               ("数量", "count", "{s}快检样品数量", "份", 1000, 20000),
               ("质量", "rate_eq", "{s}不合格食品处置率", "%", 100, 100),
               ("社会效益", "qual", "{s}食品安全保障", "", 0, 0, Q_UP)],
         cost=("total", "per_time")),
]

# Generic templates any project may use ({o}: the programme), or common names
# (no subject; JX401 leaves them out).
GENERIC_QUALITY = [
    ("质量", "rate_eq", "{s}{o}资金准确率", "%", 100, 100),
    ("质量", "rate", "{s}{o}合规率", "%", 90, 95),
]
GENERIC_TIME = [
    ("时效", "date", "项目完成时间", "", 0, 0),
    ("时效", "rate_eq", "资金支付及时率", "%", 100, 100),
    ("时效", "date", "{s}{o}完成时间", "", 0, 0),
    ("时效", "rate", "资金拨付及时率", "%", 95, 100),
    ("时效", "dur", "{s}{o}拨付时限", "个工作日", 10, 30),
]
GENERIC_BENEFIT = [
    ("社会效益", "rate", "{s}{o}政策知晓率", "%", 85, 92),
    ("可持续", "qual", "{s}{o}长效机制", "", 0, 0, Q_LONG),
]
COST_TOTAL_NAMES = ("项目成本", "项目总成本", "{s}{o}成本", "{s}{o}资金支出")
COST_TOTAL2_NAMES = (("{s}{o}设备材料费", "{s}{o}运行管理费"), ("{s}{o}工程费用", "{s}{o}其他费用"),
                     ("{s}{o}补助支出", "{s}{o}工作经费"))
COST_UNIT_NAMES = {"per_time": ("{s}{o}每次发放金额", "{s}{o}发放次数"), "per_quarter": ("{s}{o}每季度拨付数",),
                   "per_person": ("{s}{o}人均补助标准", "{s}{o}补助对象人数")}
VILLAGE_SUFFIX = {"village": "村", "community": "社区"}
UNIT_SUBJECT = {"school": "第一中学", "hospital": "人民医院", "welfare": "社会福利院", "library": "图书馆"}

DESCRIPTIONS = {
    "count": ("考核{n}", "反映{n}", "{n}完成情况"),
    "count_eq": ("考核{n}", "反映{n}"),
    "rate": ("考核{n}", "反映{n}"),
    "rate_eq": ("考核{n}", "反映{n}"),
    "down": ("考核{n}", "反映{n}"),
    "dur": ("考核{n}", "反映{n}"),
    "date": ("考核{n}", "按期完成{n}"),
    "qual": ("考核{n}", "反映{n}改善情况"),
    "sat": ("考核{n}", "调查{n}"),
    "cost": ("考核{n}", "{n}控制情况"),
}
# Descriptions of common names (JX401 leaves those indicators out whatever the description).
COMMON_DESCRIPTIONS = {
    "date": ("考核项目完成时间", "在规定时间内完成"),
    "rate_eq": ("考核资金支付及时情况", "资金按时足额支付"),
    "rate": ("考核资金拨付及时情况",),
    "cost": ("考核项目成本控制情况。", "项目成本控制在预算范围内"),
    "sat": ("考核受益人员满意度", "通过问卷调查反映服务对象满意程度"),
}

BASIS_003 = ("省市区相关文件", "单位工作需要", "历史标准", "行业标准", "计划标准", "年度工作计划")
BASIS_004 = ("历史标准", "行业或国家标准", "计划标准", "历史标准", "其他")
EVIDENCE_004 = ("工作资料", "原始凭证", "说明材料", "统计报表", "验收资料")

# ----------------------------------------------------------------------------- reasons (未完成原因分析)

CAUSES = (
    "受汛期持续降雨影响施工进度滞后", "部分资金下达时间较晚", "受原材料价格上涨影响", "部分对象信息变更未及时核实",
    "项目前期手续办理时间较长", "部分群众参与积极性不高", "基层工作人员力量不足", "统计口径调整",
    "政府采购程序耗时较长", "部分乡镇配套资金未及时到位", "年中政策调整", "部分对象外出务工难以联系",
    "设备到货时间推迟", "招标流标后重新组织招标", "季节性因素影响", "部分申报材料不全退回补正",
    "实际需求低于年初预计", "信息系统升级改造暂停业务", "部分工程设计变更", "人员调整交接时间较长",
)
MEASURES = (
    "下一步将加快项目实施进度", "下年度将提前谋划、及早下达资金", "将加强与乡镇的沟通衔接",
    "将完善对象动态管理机制", "将加大政策宣传力度", "将合理调整年度目标值", "将优化采购流程压缩时间",
    "将加强项目跟踪督导", "将充实基层工作力量", "将建立定期调度机制", "将提前做好前期准备工作",
    "将强化数据核查比对", "将督促配套资金及时到位", "将加强业务培训",
)
# Template explanations (JX403 planted): the same sentence on many indicators.
BOILERPLATE_REASONS = (
    "继续推进社会保险事业高质量发展", "进一步加强项目管理，提高资金使用效益", "严格按照相关规定执行，确保资金安全",
    "加强绩效管理，提升服务水平", "持续做好项目跟踪问效工作", "下一步将继续加大工作力度",
    "进一步提高思想认识，压实工作责任", "认真总结经验，推动工作再上新台阶",
)

# Template indicators copied between units (JX401 planted): generic, no subject, not common names.
# (level2 key, name, percentage target or qualitative pool)
TEMPLATE_INDICATORS = (
    ("社会效益", "努力构建和谐社会关系", (90, 92, 95)),
    ("社会效益", "社会保险政策宣传知晓率", (90, 92, 95)),
    ("社会效益", "群众获得感安全感明显增强", Q_UP),
    ("可持续", "推动事业高质量发展", Q_LONG),
    ("可持续", "项目长效运行管理机制建立", Q_LONG),
    ("社会效益", "保障和改善民生水平", Q_UP),
    ("经济效益", "促进县域经济社会发展", Q_UP),
    ("质量", "严格执行相关政策规定", (90, 92, 95)),
    ("社会效益", "提升公共服务均等化水平", Q_UP),
    ("可持续", "为经济社会发展提供有力支撑", Q_LONG),
    ("社会效益", "营造良好社会氛围", Q_ENV),
    ("质量", "各项工作规范有序开展", (90, 92, 95)),
)

# ----------------------------------------------------------------------------- names, places

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红鹏建华飞鑫波宁斌宇浩凯健俊帆帅旭海晨阳瑜琳悦欣怡婷雪琪佳慧"

# Characters for made-up town and village names (common in real place names).
PLACE_CHARS = ("金银白马龙凤新华东西南北中石河桥山水清平安宁太和兴福长青永乐丰城关沙坪溪塘湾坝岭江湖田林花桃杨柳"
               "黄红大小高双三五七九古柏松竹梅兰云星月阳光明德仁义礼信忠孝文武昌盛富贵荣顺利通达泰康庆祥瑞")
TOWN_SUFFIXES = ("镇", "镇", "镇", "乡", "乡", "街道")
