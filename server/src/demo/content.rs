//! Deterministic Chinese demo content for a township office (镇机关) work record.
//!
//! Every cadre writes two short lines per day: `work` (工作/学习, what was done)
//! and `outcome` (成效, what came of it), plus where the work happened
//! (office, a village, an enterprise, or official business away from the town).
//!
//! Everything here is driven by [`DemoRng`], a small seeded generator, so the
//! same seed always yields the same departments, names, entries and comments.
//! The module depends on `std` only.

use std::collections::HashSet;

/// Deterministic pseudo-random generator (splitmix64), seeded by a `u64`.
///
/// Not cryptographically secure; meant only for reproducible demo data.
#[derive(Clone, Debug)]
pub struct DemoRng(u64);

impl DemoRng {
    /// Creates a generator from a seed. Equal seeds give equal sequences.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// Returns the next 64 pseudo-random bits (splitmix64 step).
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`; `n == 0` yields 0).
    pub fn below(&mut self, n: u64) -> u64 {
        // Multiply-shift reduction: bias is negligible for the small ranges used here.
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Returns `true` with probability `p` (`0.0..=1.0`).
    pub fn chance(&mut self, p: f64) -> bool {
        // 53 random bits mapped to [0, 1).
        let unit = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        unit < p
    }

    /// Picks a uniformly random element of `items`.
    ///
    /// # Panics
    /// Panics if `items` is empty.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let i = self.below(items.len() as u64) as usize;
        &items[i]
    }

    /// Uniform integer in `lo..=hi` (requires `lo <= hi`).
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// Picks an index according to integer weights (at least one weight must be > 0).
    fn weighted(&mut self, weights: &[u64]) -> usize {
        let total: u64 = weights.iter().sum();
        let mut roll = self.below(total.max(1));
        for (i, w) in weights.iter().enumerate() {
            if roll < *w {
                return i;
            }
            roll -= w;
        }
        weights.len().saturating_sub(1)
    }
}

/// Township departments: the six core offices plus two more (8 in total).
pub const DEPARTMENTS: &[&str] = &[
    "党政办",
    "经济发展办",
    "社会事务办",
    "农业农村办",
    "综治办",
    "财政所",
    "规划建设办",
    "应急管理办",
];

/// Six areas (片), each with exactly four villages (or a community): `(area, villages)`.
pub const AREAS: &[(&str, [&str; 4])] = &[
    ("东片", ["东湖村", "桃园村", "新桥村", "马庄村"]),
    ("西片", ["西山村", "石门村", "柳林村", "杨湾村"]),
    ("南片", ["南岗村", "河口村", "赵庄村", "李圩村"]),
    ("北片", ["北塘村", "高庄村", "王集村", "红星村"]),
    ("中片", ["镇中社区", "新民村", "丰收村", "张楼村"]),
    ("沿河片", ["沿河村", "大港村", "周湾村", "刘埠村"]),
];

/// Enterprises located in the town, used for enterprise visits.
const ENTERPRISES: &[&str] = &[
    "鑫达机械厂",
    "恒丰纺织公司",
    "华盛食品有限公司",
    "宏远建材厂",
    "金宇电子公司",
    "顺发物流公司",
    "永兴五金厂",
    "天润米业公司",
    "博创新材料公司",
    "瑞丰服装厂",
    "东方包装公司",
    "佳美家具厂",
    "润泽水产公司",
    "万通汽配厂",
    "德胜塑料制品厂",
    "绿源农业开发公司",
    "精工模具厂",
    "福临门纸业公司",
];

/// Common surnames for generated personal names.
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "任",
    "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金", "石", "廖", "贾", "夏", "方",
    "邹", "孟", "熊", "秦", "邱", "江", "薛", "段", "雷", "侯", "史", "陶", "贺", "顾", "毛", "郝",
    "龚", "邵", "钱", "严", "武", "戴", "孔", "汤",
];

/// Characters used for given names.
const GIVEN_CHARS: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀", "霞", "平", "刚", "桂", "英", "华", "玉", "兰", "志", "建", "国", "红", "文", "海",
    "斌", "俊", "鹏", "辉", "宇", "晓", "云", "峰", "亮", "林", "婷", "雪", "琳", "慧", "丹", "新",
    "成", "东", "春", "梅", "凤", "燕", "宁", "波", "浩", "宏", "利", "德", "民", "永", "庆", "立",
    "嘉", "欣", "思", "雨", "佳", "晨", "阳", "瑞", "凯", "鑫", "颖", "博",
];

/// `n` distinct plausible Chinese personal names (surname + 1–2 character given name),
/// deterministic for a seed.
///
/// If `n` exceeds the number of possible combinations, all combinations are returned.
pub fn person_names(n: usize, seed: u64) -> Vec<String> {
    let mut rng = DemoRng::new(seed ^ 0x5EED_4E41_4D45_5300);
    let mut seen: HashSet<String> = HashSet::with_capacity(n);
    let mut names = Vec::with_capacity(n);
    let max_attempts = n.saturating_mul(50).saturating_add(1_000);
    let mut attempts = 0usize;
    while names.len() < n && attempts < max_attempts {
        attempts += 1;
        let mut name = String::from(*rng.pick(SURNAMES));
        name.push_str(pick_str(&mut rng, GIVEN_CHARS));
        // Roughly 60% of names get a two-character given name.
        if rng.chance(0.6) {
            let second = *rng.pick(GIVEN_CHARS);
            // Avoid doubled characters such as "王伟伟", which read oddly here.
            if !name.ends_with(second) {
                name.push_str(second);
            }
        }
        if seen.insert(name.clone()) {
            names.push(name);
        }
    }
    // Fallback for very large `n`: enumerate the remaining combinations in order.
    if names.len() < n {
        'outer: for s in SURNAMES {
            for a in GIVEN_CHARS {
                let single = format!("{s}{a}");
                if seen.insert(single.clone()) {
                    names.push(single);
                    if names.len() >= n {
                        break 'outer;
                    }
                }
                for b in GIVEN_CHARS {
                    let double = format!("{s}{a}{b}");
                    if seen.insert(double.clone()) {
                        names.push(double);
                        if names.len() >= n {
                            break 'outer;
                        }
                    }
                }
            }
        }
    }
    names
}

/// Where a day's work happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DemoPlace {
    /// In the town government office (机关).
    Office,
    /// In one of the villages (驻村/下村).
    Village,
    /// At an enterprise in the town.
    Enterprise,
    /// Official business away from the town (county meetings, training).
    Away,
}

impl DemoPlace {
    /// All places, in display order.
    pub const ALL: [DemoPlace; 4] = [
        DemoPlace::Office,
        DemoPlace::Village,
        DemoPlace::Enterprise,
        DemoPlace::Away,
    ];

    /// Short Chinese label for the place.
    pub fn label(self) -> &'static str {
        match self {
            DemoPlace::Office => "机关",
            DemoPlace::Village => "村",
            DemoPlace::Enterprise => "企业",
            DemoPlace::Away => "外出公务",
        }
    }
}

/// Picks a plausible place for a cadre of this department
/// (village work is common for 农业农村办/综治办, office for 党政办/财政所, etc.).
pub fn place_for(rng: &mut DemoRng, department: &str) -> DemoPlace {
    // Weights: office, village, enterprise, away.
    let weights: [u64; 4] = match department {
        "党政办" => [68, 17, 5, 10],
        "经济发展办" => [33, 12, 45, 10],
        "社会事务办" => [40, 46, 4, 10],
        "农业农村办" => [22, 64, 4, 10],
        "综治办" => [28, 54, 8, 10],
        "财政所" => [70, 16, 4, 10],
        "规划建设办" => [32, 46, 12, 10],
        "应急管理办" => [28, 36, 26, 10],
        _ => [45, 30, 15, 10],
    };
    DemoPlace::ALL[rng.weighted(&weights)]
}

/// A work template paired with the outcome templates that fit it.
///
/// Placeholders: `{v}` village, `{e}` enterprise, `{c}` county body, `{t}` topic label,
/// `{a}` 2–9, `{b}` 10–60, `{k}` 100–900, `{w}` 2000–8900 (step 100), `{m}` money such as
/// `12.6`, `{p}` percentage 85–100.
type Tpl = (&'static str, &'static [&'static str]);

/// One area of township work with templates per place.
struct Topic {
    /// Key used in the department mapping.
    key: &'static str,
    /// Label used in county meeting / training names.
    label: &'static str,
    /// County-level body that runs this line of work.
    county: &'static str,
    office: &'static [Tpl],
    village: &'static [Tpl],
    enterprise: &'static [Tpl],
}

/// All topics; keys are referenced by [`DEPT_TOPICS`].
const TOPICS: &[Topic] = &[
    Topic {
        key: "防汛",
        label: "防汛救灾",
        county: "县应急管理局",
        office: &[
            (
                "更新全镇防汛责任人名单和联系方式，逐一电话核对",
                &[
                    "核对责任人信息{b}条，更正错误号码{a}处",
                    "防汛责任人名单已更新，报县防指备案",
                ],
            ),
            (
                "起草汛期值班安排，修订镇防汛应急预案",
                &[
                    "预案修订稿已完成，提交分管领导审核",
                    "排定汛期值班表{a}周，已印发各办所",
                ],
            ),
        ],
        village: &[
            (
                "到{v}巡查河堤、塘坝和低洼地带，查看防汛物资储备",
                &[
                    "排查隐患点{a}处，已落实专人盯守",
                    "清点编织袋{k}条、救生衣{b}件，物资齐全",
                ],
            ),
            (
                "在{v}检查危旧房屋和地质灾害点，落实转移避险预案",
                &[
                    "摸清需转移群众{b}人，逐户明确转移路线",
                    "发现裂缝房屋{a}户，已督促村里设置警示标志",
                ],
            ),
        ],
        enterprise: &[(
            "到{e}检查汛期厂区排水和仓库防潮措施",
            &[
                "督促疏通排水沟{a}处，企业当场整改",
                "发现隐患{a}条，已下达整改提醒单",
            ],
        )],
    },
    Topic {
        key: "秸秆禁烧",
        label: "秸秆禁烧",
        county: "县生态环境分局",
        office: &[
            (
                "汇总各村秸秆禁烧巡查日报，更新火点处置台账",
                &[
                    "汇总巡查记录{b}条，本周无新增火点",
                    "台账已更新，按时报送县禁烧办",
                ],
            ),
            (
                "起草秸秆禁烧工作通报，核实各村网格员在岗情况",
                &[
                    "通报初稿已完成，点名提醒{a}个村",
                    "核实网格员在岗{b}人，调整补位{a}人",
                ],
            ),
        ],
        village: &[
            (
                "到{v}田间巡查秸秆禁烧，走访种植大户宣传综合利用政策",
                &[
                    "走访种植大户{a}户，发放宣传单{k}份",
                    "巡查农田{k}亩，未发现焚烧火点",
                ],
            ),
            (
                "在{v}督导秸秆离田打捆，对接收储点清运进度",
                &[
                    "协调打捆机{a}台，完成离田{k}亩",
                    "清运秸秆{b}吨，收储点运转正常",
                ],
            ),
        ],
        enterprise: &[],
    },
    Topic {
        key: "人居环境整治",
        label: "农村人居环境整治",
        county: "县农业农村局",
        office: &[
            (
                "整理人居环境整治月度考评材料，汇总各村得分",
                &[
                    "完成{b}个点位考评汇总，排名情况已上报",
                    "形成考评通报初稿，列出问题{b}条",
                ],
            ),
            (
                "梳理县级暗访反馈问题，逐条分解到村并明确时限",
                &[
                    "分解问题{b}条到{a}个村，整改时限已明确",
                    "建立整改清单，已发各村对照销号",
                ],
            ),
        ],
        village: &[
            (
                "到{v}检查人居环境整治，查看房前屋后和沟渠卫生",
                &[
                    "发现垃圾堆放点{a}处，督促村里当天清理",
                    "整改问题{a}处，拍照留档{b}张",
                ],
            ),
            (
                "在{v}督导村庄清洁行动，组织党员群众清理残垣断壁",
                &[
                    "清理垃圾杂物{b}车，拆除残垣{a}处",
                    "发动党员群众{b}人参与，村容明显改善",
                ],
            ),
            (
                "到{v}验收户厕改造，抽查改厕户使用情况",
                &[
                    "抽查改厕户{b}户，合格率{p}%",
                    "发现问题厕{a}座，已交施工方返修",
                ],
            ),
        ],
        enterprise: &[],
    },
    Topic {
        key: "乡村振兴",
        label: "乡村振兴",
        county: "县乡村振兴局",
        office: &[
            (
                "整理乡村振兴项目库材料，核对各村申报项目",
                &[
                    "完成项目库录入{b}条，补齐缺失资料{a}份",
                    "形成项目清单，报分管领导审定",
                ],
            ),
            (
                "撰写乡村振兴示范村建设进展情况汇报",
                &[
                    "汇报材料{w}字初稿已完成",
                    "汇总示范村建设节点{a}项，进度已逐项标注",
                ],
            ),
        ],
        village: &[
            (
                "到{v}查看乡村振兴示范点建设，对接村两委推进产业项目",
                &[
                    "协调解决用地、用电问题{a}个",
                    "明确下步节点{a}项，约定月底前完工",
                ],
            ),
            (
                "在{v}走访防返贫监测户，核实家庭收入和“三保障”情况",
                &[
                    "走访监测户{a}户，更新帮扶台账",
                    "发现风险苗头{a}户，已落实针对性帮扶措施",
                ],
            ),
        ],
        enterprise: &[(
            "到{e}对接帮扶车间吸纳脱贫户就业情况",
            &[
                "企业吸纳脱贫劳动力{b}人，工资按月发放",
                "新增就业岗位{a}个，已向各村发布",
            ],
        )],
    },
    Topic {
        key: "项目建设",
        label: "重点项目建设",
        county: "县发改委",
        office: &[
            (
                "梳理全镇重点项目推进情况，更新项目调度表",
                &[
                    "更新{b}个项目进度，标注滞后项目{a}个",
                    "调度表已报送县重点项目办",
                ],
            ),
            (
                "整理项目审批手续清单，对接县直部门办理进度",
                &[
                    "对接部门{a}个，办结手续{a}项",
                    "列出待办手续{a}项，明确责任人和时限",
                ],
            ),
            (
                "审核项目工程款拨付申请，核对合同和进度资料",
                &[
                    "审核拨付资金{m}万元，资料齐全",
                    "退回资料不全申请{a}份，要求补充",
                ],
            ),
        ],
        village: &[
            (
                "到{v}项目现场协调土地流转和青苗补偿问题",
                &[
                    "协调农户{b}户签订流转协议",
                    "化解补偿分歧{a}起，现场恢复施工",
                ],
            ),
            (
                "在{v}道路改造工地查看施工进度和质量",
                &[
                    "已完成路基{k}米，进度符合计划",
                    "发现质量问题{a}处，要求施工方限期整改",
                ],
            ),
        ],
        enterprise: &[(
            "到{e}新建厂房工地了解项目进度和要素保障需求",
            &[
                "梳理企业诉求{a}条，已分解到相关办所",
                "主体工程完成{p}%，预计下月投产",
            ],
        )],
    },
    Topic {
        key: "招商引资",
        label: "招商引资",
        county: "县商务局",
        office: &[
            (
                "接待来访客商，介绍镇工业集中区土地和配套情况",
                &[
                    "接待客商{a}批，达成初步意向1个",
                    "整理客商需求{a}条，形成对接清单",
                ],
            ),
            (
                "整理招商线索，更新在谈项目台账",
                &[
                    "更新在谈项目{a}个，其中2个进入实质性谈判",
                    "筛选有效线索{a}条，报主要领导",
                ],
            ),
        ],
        village: &[(
            "到{v}实地踏勘招商项目拟选址地块",
            &[
                "踏勘地块约{b}亩，水电路基础条件较好",
                "梳理选址问题{a}个，已报规划部门",
            ],
        )],
        enterprise: &[
            (
                "陪同客商考察{e}及周边闲置厂房",
                &[
                    "客商对闲置厂房{k}平方米表示意向",
                    "达成初步合作意向，约定下周再次洽谈",
                ],
            ),
            (
                "到{e}开展以商招商座谈，了解上下游配套企业",
                &[
                    "获得上下游企业线索{a}条",
                    "企业推荐合作客商{a}家，已建立联系",
                ],
            ),
        ],
    },
    Topic {
        key: "企业走访",
        label: "优化营商环境",
        county: "县工信局",
        office: &[
            (
                "汇总企业走访问题清单，分类转交相关部门办理",
                &["汇总问题{b}条，已办结{a}条", "形成问题交办单{a}份"],
            ),
            (
                "整理规上企业月度产值数据，完成统计报表填报",
                &[
                    "完成{b}家企业数据填报，按时上报",
                    "核对异常数据{a}处，已与企业确认",
                ],
            ),
        ],
        village: &[],
        enterprise: &[
            (
                "走访{e}，了解生产经营情况和用工、融资需求",
                &[
                    "收集企业诉求{a}条，当场解答政策问题{a}个",
                    "协调银行对接融资需求{b}0万元",
                ],
            ),
            (
                "到{e}宣讲惠企政策，指导企业申报技改补助",
                &["指导企业完成申报材料{a}份", "企业预计可享受补助{m}万元"],
            ),
            (
                "到{e}调研订单和用工情况，帮助协调招工",
                &[
                    "企业缺工{b}人，已对接劳务站发布招聘信息",
                    "推荐求职人员{a}名到企业面试",
                ],
            ),
        ],
    },
    Topic {
        key: "安全生产检查",
        label: "安全生产",
        county: "县应急管理局",
        office: &[
            (
                "整理安全生产检查台账，汇总隐患整改情况",
                &["汇总隐患{b}条，已整改销号{a}条", "更新企业安全档案{a}份"],
            ),
            (
                "起草安全生产大检查工作方案，明确检查分组和重点",
                &["方案初稿完成，分{a}个检查组", "确定重点检查对象{b}家"],
            ),
        ],
        village: &[(
            "到{v}排查农村自建房和“九小场所”安全隐患",
            &["排查场所{b}处，发现隐患{a}处", "督促整改私拉乱接电线{a}处"],
        )],
        enterprise: &[
            (
                "到{e}开展安全生产检查，查看消防设施和用电线路",
                &[
                    "发现隐患{a}处，下达限期整改通知书1份",
                    "检查灭火器{b}具，督促更换过期{a}具",
                ],
            ),
            (
                "到{e}复查前期隐患整改落实情况",
                &[
                    "复查隐患{a}处，已全部整改到位",
                    "仍有{a}处未整改，约谈企业负责人",
                ],
            ),
            (
                "督导{e}开展员工安全培训和应急演练",
                &["参训员工{b}人，组织演练1场", "发放安全生产手册{b}本"],
            ),
        ],
    },
    Topic {
        key: "信访接待",
        label: "信访工作",
        county: "县信访局",
        office: &[
            (
                "在镇信访接待室接待来访群众，登记诉求并分流交办",
                &[
                    "接待来访{a}批{b}人次，当场答复{a}件",
                    "登记诉求{a}件，已交相关办所限期办理",
                ],
            ),
            (
                "整理信访件办理情况，起草答复意见书",
                &["完成答复意见书{a}份", "办结信访事项{a}件，满意率{p}%"],
            ),
            (
                "梳理12345热线工单，督办超期未回复件",
                &["督办工单{b}件，按时回复率{p}%", "回访群众{a}人，均表示认可"],
            ),
        ],
        village: &[(
            "到{v}走访信访老户，了解诉求化解进展",
            &[
                "走访信访户{a}户，稳控责任已落实",
                "解决实际困难{a}项，群众情绪平稳",
            ],
        )],
        enterprise: &[],
    },
    Topic {
        key: "矛盾纠纷调解",
        label: "矛盾纠纷排查化解",
        county: "县司法局",
        office: &[
            (
                "在镇调解室调解邻里宅基地纠纷",
                &[
                    "双方达成调解协议，签字确认",
                    "调解成功{a}起，制作调解笔录{a}份",
                ],
            ),
            (
                "整理矛盾纠纷排查台账，更新化解进展",
                &[
                    "更新纠纷{b}起，化解率{p}%",
                    "列出重点纠纷{a}起，明确包案领导",
                ],
            ),
        ],
        village: &[
            (
                "到{v}调解土地承包边界纠纷，现场丈量核实",
                &[
                    "现场丈量确认界址，双方同意调解方案",
                    "化解纠纷{a}起，签订调解协议{a}份",
                ],
            ),
            (
                "在{v}开展矛盾纠纷大排查，入户走访重点人员",
                &[
                    "走访重点人员{b}人，排查纠纷苗头{a}起",
                    "就地化解家庭纠纷{a}起",
                ],
            ),
        ],
        enterprise: &[(
            "到{e}协调处理劳资纠纷，核对工资发放记录",
            &["督促企业补发工资{m}万元", "涉及职工{b}人，纠纷已平稳化解"],
        )],
    },
    Topic {
        key: "低保核查",
        label: "社会救助",
        county: "县民政局",
        office: &[
            (
                "审核低保新申请材料，比对家庭经济状况核对结果",
                &[
                    "审核申请{b}份，退回补充材料{a}份",
                    "完成大数据比对{b}户，发现异常{a}户",
                ],
            ),
            (
                "整理低保动态调整名册，准备上报县民政局",
                &["名册核对完毕，新增{a}户、退出{a}户", "完成系统录入{b}条"],
            ),
        ],
        village: &[
            (
                "到{v}入户核查低保对象家庭收入和居住情况",
                &[
                    "入户核查{a}户，拍照留档{b}张",
                    "发现不符合条件{a}户，建议停保",
                ],
            ),
            (
                "在{v}组织低保民主评议会，公示评议结果",
                &[
                    "参会村民代表{b}人，评议通过{a}户",
                    "张贴公示{a}处，公示期7天",
                ],
            ),
        ],
        enterprise: &[],
    },
    Topic {
        key: "医保征缴",
        label: "城乡居民医保征缴",
        county: "县医保局",
        office: &[
            (
                "汇总各村城乡居民医保征缴进度，通报排名",
                &["全镇征缴率{p}%，通报后{a}个村加快进度", "汇总缴费人数{k}人"],
            ),
            (
                "在便民服务中心帮助群众办理医保参保登记和异地备案",
                &["办理参保登记{b}人，异地备案{a}人", "解答群众咨询{b}人次"],
            ),
        ],
        village: &[(
            "到{v}上门宣传医保政策，动员未参保人员缴费",
            &[
                "走访未参保户{b}户，新增缴费{b}人",
                "现场帮助{a}位老人用手机完成缴费",
            ],
        )],
        enterprise: &[(
            "到{e}核对职工参保名单，指导补缴",
            &["核对职工{b}人，督促补缴{a}人", "企业承诺本月内完成补缴"],
        )],
    },
    Topic {
        key: "疫苗接种宣传",
        label: "卫生健康",
        county: "县卫健委",
        office: &[(
            "对接卫生院，汇总老年人疫苗接种进度和待接种名单",
            &[
                "汇总待接种名单{b}人，已分发到村",
                "全镇老年人接种率达到{p}%",
            ],
        )],
        village: &[
            (
                "到{v}开展疫苗接种宣传，入户动员60岁以上老人接种",
                &["入户动员老人{b}人，预约接种{a}人", "发放宣传资料{k}份"],
            ),
            (
                "在{v}设立临时接种点，协助卫生院做好登记和留观",
                &[
                    "当天完成接种{b}人，无不良反应",
                    "登记信息{b}条，现场秩序良好",
                ],
            ),
        ],
        enterprise: &[],
    },
    Topic {
        key: "退役军人服务",
        label: "退役军人服务保障",
        county: "县退役军人事务局",
        office: &[
            (
                "在退役军人服务站接待来访，办理优待证申领",
                &["办理优待证{b}张，解答政策咨询{a}人次", "审核申领材料{b}份"],
            ),
            (
                "核对退役军人信息采集数据，更新服务台账",
                &["核对信息{b}条，更正{a}条", "台账更新完毕，报县局备案"],
            ),
        ],
        village: &[(
            "到{v}走访慰问退役军人和优抚对象",
            &["送去慰问品{a}份，收集诉求{a}条", "为{a}户悬挂光荣牌"],
        )],
        enterprise: &[(
            "到{e}对接退役军人就业岗位",
            &[
                "企业提供岗位{a}个，已推送给{b}名退役军人",
                "推荐{a}名退役军人参加面试",
            ],
        )],
    },
    Topic {
        key: "党建学习",
        label: "基层党建",
        county: "县委组织部",
        office: &[
            (
                "检查机关支部党建台账和“三会一课”记录",
                &["检查支部{a}个，指出问题{a}条", "补齐会议记录{a}份"],
            ),
            (
                "组织机关党员集中学习，交流学习体会",
                &["参学党员{b}人，{a}人作交流发言", "形成学习简报1期"],
            ),
            (
                "撰写党建工作季度总结和下季度工作要点",
                &["完成总结{w}字初稿", "梳理下季度工作要点{a}条"],
            ),
        ],
        village: &[
            (
                "到{v}指导村党支部开展主题党日活动",
                &[
                    "参会党员{b}人，确定入党积极分子{a}人",
                    "指导规范会议记录{a}份",
                ],
            ),
            (
                "到{v}督导党员积分管理和党费收缴",
                &["核对党员积分{b}人", "党费收缴率{p}%"],
            ),
        ],
        enterprise: &[(
            "到{e}指导非公企业党组织开展组织生活",
            &["指导规范党建阵地{a}处", "企业党支部新增入党申请人{a}名"],
        )],
    },
    Topic {
        key: "理论学习",
        label: "理论学习",
        county: "县委宣传部",
        office: &[
            (
                "自学党的二十大报告相关章节，撰写学习笔记",
                &["完成学习笔记{w}字", "摘录重点论述{b}条"],
            ),
            (
                "参加镇党委理论学习中心组学习，准备交流发言",
                &["形成发言材料{w}字", "交流心得体会1篇"],
            ),
            (
                "通过“学习强国”平台开展专题学习",
                &[
                    "完成专题学习{a}个，积分{b}分",
                    "学习视频课程{a}节，记录笔记{a}页",
                ],
            ),
        ],
        village: &[(
            "到{v}宣讲党的创新理论和惠民政策",
            &["听众{b}人，发放宣传资料{k}份", "现场解答群众疑问{a}个"],
        )],
        enterprise: &[],
    },
    Topic {
        key: "材料撰写",
        label: "公文写作",
        county: "县委办",
        office: &[
            (
                "起草镇年度工作总结，收集各办所素材",
                &["完成初稿{w}字，收集素材{a}份", "初稿已送分管领导审阅"],
            ),
            (
                "撰写上级调研汇报材料，核对各类数据",
                &[
                    "汇报材料{w}字已完成，核对数据{b}项",
                    "材料已送分管领导审核修改",
                ],
            ),
            (
                "修改完善镇政府工作报告，核对经济指标数据",
                &["完成第{a}稿修改", "核对指标{b}项，更正{a}处"],
            ),
            (
                "编写工作信息简报，报送县委办",
                &["报送信息{a}篇，被县里采用1篇", "编发工作简报1期"],
            ),
        ],
        village: &[],
        enterprise: &[],
    },
    Topic {
        key: "会议筹备",
        label: "办公室业务",
        county: "县政府办",
        office: &[
            (
                "筹备镇党委扩大会议，准备会议材料和议程",
                &[
                    "印制会议材料{b}份，会场布置完毕",
                    "通知参会人员{b}人，全部确认到会",
                ],
            ),
            (
                "整理会议纪要，分解会议议定事项",
                &["形成纪要1份，分解事项{a}项", "纪要已印发各办所和村"],
            ),
            (
                "筹备全镇工作推进会，协调会场和签到",
                &["到会{b}人，会议按时召开", "准备主持词和领导讲话稿各1份"],
            ),
        ],
        village: &[],
        enterprise: &[],
    },
    Topic {
        key: "财务报账",
        label: "财务会计",
        county: "县财政局",
        office: &[
            (
                "审核各办所报账单据，登记会计凭证",
                &["审核单据{b}张，退回不合规单据{a}张", "登记凭证{b}笔"],
            ),
            (
                "办理村级财务报账，核对村集体收支",
                &[
                    "完成{a}个村报账，核对资金{m}万元",
                    "发现不规范票据{a}张，已要求整改",
                ],
            ),
            (
                "编制月度财务报表，核对预算执行情况",
                &[
                    "报表编制完成，按时报送县财政局",
                    "预算执行率{p}%，已形成分析说明",
                ],
            ),
        ],
        village: &[(
            "到{v}检查村级财务公开和“三资”管理",
            &[
                "检查账目{b}笔，督促补充公开事项{a}项",
                "核实集体资产{a}处，已更新台账",
            ],
        )],
        enterprise: &[],
    },
    Topic {
        key: "农业补贴发放",
        label: "惠农补贴",
        county: "县农业农村局",
        office: &[
            (
                "核对耕地地力保护补贴面积和发放清册",
                &["核对农户{k}户，更正面积错误{a}户", "清册已报财政所审核"],
            ),
            (
                "审核补贴资金拨付清单，办理“一卡通”发放",
                &["发放补贴{m}万元，涉及农户{k}户", "处理退回账户{a}户"],
            ),
        ],
        village: &[
            (
                "到{v}公示补贴面积，受理群众面积异议",
                &["张贴公示{a}处，受理异议{a}件", "核实异议面积{b}亩，已更正"],
            ),
            (
                "在{v}入户核实种粮大户实际种植面积",
                &["核实大户{a}户，面积{k}亩", "发现面积虚报{a}户，已纠正"],
            ),
        ],
        enterprise: &[],
    },
    Topic {
        key: "高标准农田",
        label: "高标准农田建设",
        county: "县农业农村局",
        office: &[(
            "整理高标准农田建设项目资料，对接设计单位",
            &["核对设计图纸{a}份，提出修改意见{a}条", "项目资料已分类归档"],
        )],
        village: &[
            (
                "到{v}高标准农田项目区查看沟渠和机耕路施工",
                &[
                    "建成沟渠{k}米，机耕路{b}00米",
                    "发现渗漏{a}处，要求施工方返工",
                ],
            ),
            (
                "在{v}协调高标准农田施工占地和青苗补偿",
                &[
                    "协调农户{b}户，兑现补偿{m}万元",
                    "化解阻工问题{a}起，施工恢复",
                ],
            ),
        ],
        enterprise: &[],
    },
    Topic {
        key: "河长巡河",
        label: "河长制",
        county: "县水利局",
        office: &[(
            "整理河长巡河记录，更新河湖问题台账",
            &["汇总巡河记录{b}条，销号问题{a}个", "台账已上传河长制平台"],
        )],
        village: &[
            (
                "到{v}巡查河道，查看水面漂浮物和排污口",
                &["巡河{a}公里，发现问题{a}处", "督促保洁员清理漂浮物{a}处"],
            ),
            (
                "在{v}督导沟塘清淤和河岸垃圾清理",
                &["清理河岸垃圾{b}车", "完成清淤{k}方"],
            ),
        ],
        enterprise: &[(
            "到{e}检查排污口和污水处理设施运行",
            &["检查排口{a}个，运行正常", "督促企业整改雨污混排{a}处"],
        )],
    },
    Topic {
        key: "森林防火",
        label: "森林防灭火",
        county: "县林业局",
        office: &[(
            "更新森林防火责任人名单，检查防火物资台账",
            &["更新责任人{b}名，物资台账已核对", "补充风力灭火机{a}台"],
        )],
        village: &[
            (
                "到{v}山林巡查，劝导野外用火",
                &[
                    "巡查林区{a}公里，劝导野外用火{a}人次",
                    "清理林下可燃物{a}处",
                ],
            ),
            (
                "在{v}检查护林员在岗和防火宣传设施",
                &["检查护林员{a}人，均在岗在位", "补设防火宣传牌{a}块"],
            ),
        ],
        enterprise: &[],
    },
    Topic {
        key: "网格化管理",
        label: "网格化社会治理",
        county: "县委政法委",
        office: &[
            (
                "审核网格员上报事件，分拨处置并跟踪办结",
                &["处置网格事件{b}件，办结率{p}%", "分拨事件{a}件到相关办所"],
            ),
            (
                "整理网格员月度考核数据",
                &["完成{b}名网格员考核", "通报排名靠后的网格员{a}名"],
            ),
        ],
        village: &[
            (
                "到{v}随网格员走访，核实人口和房屋信息",
                &["走访{b}户，更新信息{b}条", "发现流动人口{a}人，已登记"],
            ),
            (
                "在{v}召开网格员例会，部署近期重点任务",
                &["参会网格员{a}人，明确任务{a}项", "解答网格员业务问题{a}个"],
            ),
        ],
        enterprise: &[],
    },
    Topic {
        key: "人口普查",
        label: "统计调查",
        county: "县统计局",
        office: &[(
            "审核人口普查入户登记数据，处理逻辑错误",
            &["审核数据{k}条，修正{b}条", "完成{a}个普查小区复核"],
        )],
        village: &[(
            "到{v}督导普查员入户登记，抽查漏登情况",
            &["抽查{b}户，未发现漏登", "补登漏登人口{a}人"],
        )],
        enterprise: &[],
    },
    Topic {
        key: "征兵",
        label: "征兵",
        county: "县人武部",
        office: &[
            (
                "整理适龄青年兵役登记数据，审核报名材料",
                &["完成兵役登记{b}人", "审核报名材料{b}份，符合条件{a}人"],
            ),
            (
                "召开征兵工作部署会，明确各村任务",
                &["分解征兵任务到{a}个村", "参会{b}人，印发工作通知1份"],
            ),
        ],
        village: &[(
            "到{v}走访应征青年家庭，宣传征兵优惠政策",
            &["走访{a}户，{a}人有意愿报名", "发放征兵宣传资料{k}份"],
        )],
        enterprise: &[],
    },
    Topic {
        key: "民生实事",
        label: "民生实事",
        county: "县政府办",
        office: &[(
            "梳理全镇民生实事项目清单，更新完成进度",
            &["更新项目进度{b}项，滞后项目{a}项", "进度表已报主要领导"],
        )],
        village: &[
            (
                "到{v}查看路灯安装和饮水工程进展",
                &["安装路灯{b}盏，群众反映良好", "解决{b}户饮水问题"],
            ),
            (
                "在{v}召开群众座谈会，收集急难愁盼问题",
                &[
                    "收集问题{a}条，当场答复{a}条",
                    "梳理问题{a}条，列入民生实事项目",
                ],
            ),
        ],
        enterprise: &[],
    },
    Topic {
        key: "违法建设巡查",
        label: "自然资源和规划",
        county: "县自然资源和规划局",
        office: &[
            (
                "审核农村建房申请，核对宅基地面积",
                &[
                    "审核申请{a}份，办理规划许可{a}份",
                    "退回不符合条件申请{a}份",
                ],
            ),
            (
                "整理卫片图斑核查资料，填报整改情况",
                &["核查图斑{b}个，整改销号{a}个", "完成系统填报{b}条"],
            ),
        ],
        village: &[
            (
                "到{v}巡查违法用地和违法建设",
                &["发现违建苗头{a}处，已当场制止", "拆除违建{k}平方米"],
            ),
            (
                "在{v}对农户建房开展放线和到场监管",
                &["完成放线{a}户，建房符合审批要求", "纠正超面积建房{a}户"],
            ),
        ],
        enterprise: &[],
    },
    Topic {
        key: "燃气安全",
        label: "城镇燃气安全",
        county: "县住建局",
        office: &[(
            "更新燃气用户安全检查台账，梳理未检用户",
            &[
                "更新用户{k}户，检查完成率{p}%",
                "列出未检用户{b}户，分派到村",
            ],
        )],
        village: &[(
            "到{v}入户检查燃气使用安全，宣传更换软管和加装报警器",
            &["入户{b}户，更换老化软管{a}根", "加装燃气报警器{a}台"],
        )],
        enterprise: &[(
            "到{e}食堂检查燃气管道和报警装置",
            &["发现隐患{a}处，现场整改{a}处", "督促企业签订安全承诺书"],
        )],
    },
    Topic {
        key: "应急值守",
        label: "应急管理",
        county: "县应急管理局",
        office: &[
            (
                "在镇应急指挥中心值班，接听处置值班电话",
                &[
                    "接听电话{b}个，转办事项{a}件",
                    "值班记录完整，无重大突发事件",
                ],
            ),
            (
                "修订镇突发事件应急预案，核对应急队伍名单",
                &["核对应急队员{b}人", "预案修订稿已报县应急管理局"],
            ),
        ],
        village: &[(
            "到{v}组织应急疏散演练，检查应急物资储备",
            &[
                "参演群众{b}人，演练顺利完成",
                "清点物资{a}类，补充缺口{a}项",
            ],
        )],
        enterprise: &[],
    },
];

/// Topic keys per department.
const DEPT_TOPICS: &[(&str, &[&str])] = &[
    (
        "党政办",
        &[
            "党建学习",
            "理论学习",
            "材料撰写",
            "会议筹备",
            "信访接待",
            "征兵",
            "民生实事",
            "人口普查",
        ],
    ),
    (
        "经济发展办",
        &[
            "项目建设",
            "招商引资",
            "企业走访",
            "安全生产检查",
            "乡村振兴",
            "材料撰写",
            "理论学习",
        ],
    ),
    (
        "社会事务办",
        &[
            "低保核查",
            "医保征缴",
            "疫苗接种宣传",
            "退役军人服务",
            "民生实事",
            "人口普查",
            "理论学习",
        ],
    ),
    (
        "农业农村办",
        &[
            "防汛",
            "秸秆禁烧",
            "人居环境整治",
            "乡村振兴",
            "高标准农田",
            "农业补贴发放",
            "河长巡河",
            "森林防火",
        ],
    ),
    (
        "综治办",
        &[
            "矛盾纠纷调解",
            "信访接待",
            "网格化管理",
            "安全生产检查",
            "征兵",
            "理论学习",
        ],
    ),
    (
        "财政所",
        &[
            "财务报账",
            "农业补贴发放",
            "医保征缴",
            "项目建设",
            "理论学习",
        ],
    ),
    (
        "规划建设办",
        &[
            "违法建设巡查",
            "人居环境整治",
            "项目建设",
            "安全生产检查",
            "高标准农田",
        ],
    ),
    (
        "应急管理办",
        &[
            "安全生产检查",
            "燃气安全",
            "应急值守",
            "防汛",
            "森林防火",
            "秸秆禁烧",
        ],
    ),
];

/// Templates for official business away from the town; `{t}` and `{c}` come from the topic.
const AWAY: &[Tpl] = &[
    (
        "赴{c}参加全县{t}工作推进会",
        &[
            "记录会议要求{a}条，已向分管领导汇报",
            "明确下阶段任务{a}项，已列入工作台账",
        ],
    ),
    (
        "参加{c}组织的{t}业务培训",
        &[
            "完成培训课程{a}节，形成学习笔记1份",
            "掌握新政策要点{a}条，准备在办内传达",
        ],
    ),
    (
        "到{c}报送{t}相关材料，对接下步工作安排",
        &[
            "材料已报送，县里反馈修改意见{a}条",
            "领回文件{a}份，已登记分送相关办所",
        ],
    ),
    (
        "在县委党校参加{t}专题培训班",
        &[
            "参加专题课程{a}讲，撰写心得体会1篇",
            "完成培训学时{b}个，取得结业证明",
        ],
    ),
    (
        "陪同镇领导赴{c}汇报{t}工作",
        &[
            "汇报材料获县里认可，争取支持事项{a}项",
            "记录县领导指示{a}条，已整理成督办单",
        ],
    ),
    (
        "参加县里召开的{t}专题调度会",
        &[
            "记录调度要求{a}条，回镇后已逐项分解",
            "我镇{t}进度排名全县第{a}位",
        ],
    ),
];

/// Optional time-of-day prefixes for work lines (empty = none).
const TIME_PREFIXES: &[&str] = &["上午", "下午", "全天", "今天", "上午", "下午", "", ""];

/// Optional companion clauses for village work.
const VILLAGE_COMPANIONS: &[&str] = &[
    "，村党支部书记全程陪同",
    "，与包村干部一同开展",
    "，会同村两委成员一起开展",
    "，网格员配合",
];

/// Optional follow-up tails for outcome lines.
const OUTCOME_TAILS: &[&str] = &[
    "，明天继续跟进",
    "，已录入工作台账",
    "，情况已向分管领导汇报",
    "，下步持续跟踪问效",
    "，相关资料已归档",
];

/// Values substituted into template placeholders.
struct Ctx<'a> {
    village: &'a str,
    enterprise: &'a str,
    county: &'a str,
    label: &'a str,
}

/// Replaces `{x}` placeholders in `tpl` (see [`Tpl`] for the list).
fn fill(tpl: &str, rng: &mut DemoRng, ctx: &Ctx<'_>) -> String {
    let mut out = String::with_capacity(tpl.len() + 16);
    let mut rest = tpl;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let key = &after[..end];
        match key {
            "v" => out.push_str(ctx.village),
            "e" => out.push_str(ctx.enterprise),
            "c" => out.push_str(ctx.county),
            "t" => out.push_str(ctx.label),
            "a" => out.push_str(&rng.range(2, 9).to_string()),
            "b" => out.push_str(&rng.range(10, 60).to_string()),
            "k" => out.push_str(&rng.range(100, 900).to_string()),
            "w" => out.push_str(&(rng.range(20, 89) * 100).to_string()),
            "m" => {
                let whole = rng.range(1, 30);
                let tenth = rng.below(10);
                out.push_str(&format!("{whole}.{tenth}"));
            }
            "p" => out.push_str(&rng.range(85, 100).to_string()),
            _ => {
                out.push('{');
                out.push_str(key);
                out.push('}');
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Templates of `topic` that apply at `place` (`Away` uses the shared [`AWAY`] list).
fn templates_for(topic: &Topic, place: DemoPlace) -> &'static [Tpl] {
    match place {
        DemoPlace::Office => topic.office,
        DemoPlace::Village => topic.village,
        DemoPlace::Enterprise => topic.enterprise,
        DemoPlace::Away => AWAY,
    }
}

/// Chooses a topic that fits the department and has templates for the place.
fn pick_topic(rng: &mut DemoRng, department: &str, place: DemoPlace) -> &'static Topic {
    let keys: &[&str] = DEPT_TOPICS
        .iter()
        .find(|(d, _)| *d == department)
        .map_or(&[], |(_, k)| *k);
    let mut candidates: Vec<&'static Topic> = TOPICS
        .iter()
        .filter(|t| keys.contains(&t.key) && !templates_for(t, place).is_empty())
        .collect();
    if candidates.is_empty() {
        // Unknown department or no department topic fits this place: use any fitting topic.
        candidates = TOPICS
            .iter()
            .filter(|t| !templates_for(t, place).is_empty())
            .collect();
    }
    if candidates.is_empty() {
        return &TOPICS[0];
    }
    candidates[rng.below(candidates.len() as u64) as usize]
}

/// Picks a `'static` string from a list (keeps the `'static` lifetime of the element).
fn pick_str(rng: &mut DemoRng, items: &[&'static str]) -> &'static str {
    items[rng.below(items.len() as u64) as usize]
}

/// A random village from [`AREAS`].
fn random_village(rng: &mut DemoRng) -> &'static str {
    let (_, villages) = rng.pick(AREAS);
    pick_str(rng, villages)
}

/// Maximum characters per generated line.
const MAX_LINE_CHARS: usize = 80;

/// Appends `tail` to `line` when the result stays within [`MAX_LINE_CHARS`] (leaving room for "。").
fn push_if_fits(line: &mut String, tail: &str) {
    if line.chars().count() + tail.chars().count() < MAX_LINE_CHARS {
        line.push_str(tail);
    }
}

/// Ends a line with "。" and clamps it to [`MAX_LINE_CHARS`] characters.
fn finish(mut line: String) -> String {
    line.retain(|c| c != '\n' && c != '\r');
    if line.chars().count() >= MAX_LINE_CHARS {
        line = line.chars().take(MAX_LINE_CHARS - 1).collect();
    }
    line.push('。');
    line
}

/// The two lines for one day: `(work, outcome)`.
///
/// Sentences fit the department and place: the village name appears for
/// [`DemoPlace::Village`] (a random village is chosen when `village` is `None`),
/// an enterprise name for [`DemoPlace::Enterprise`], and a county-level meeting or
/// training for [`DemoPlace::Away`]. Each line is 8..=80 characters, without newlines.
pub fn entry_lines(
    rng: &mut DemoRng,
    department: &str,
    place: DemoPlace,
    village: Option<&str>,
) -> (String, String) {
    let village_name = match village {
        Some(v) if !v.is_empty() => v,
        _ => random_village(rng),
    };
    let topic = pick_topic(rng, department, place);
    let ctx = Ctx {
        village: village_name,
        enterprise: pick_str(rng, ENTERPRISES),
        county: topic.county,
        label: topic.label,
    };
    let templates = templates_for(topic, place);
    let (work_tpl, outcomes) = if templates.is_empty() {
        (
            "处理日常事务，整理办公室文件",
            &["整理归档文件{b}份"] as &[&str],
        )
    } else {
        *rng.pick(templates)
    };

    let mut work = String::from(*rng.pick(TIME_PREFIXES));
    work.push_str(&fill(work_tpl, rng, &ctx));
    if place == DemoPlace::Village && rng.chance(0.25) {
        push_if_fits(&mut work, pick_str(rng, VILLAGE_COMPANIONS));
    }

    let outcome_tpl = *rng.pick(outcomes);
    let mut outcome = fill(outcome_tpl, rng, &ctx);
    if rng.chance(0.3) {
        let tail = pick_str(rng, OUTCOME_TAILS);
        // Avoid saying the same thing twice (e.g. "已归档…已归档").
        if !(tail.contains("归档") && outcome.contains("归档")) {
            push_if_fits(&mut outcome, tail);
        }
    }

    (finish(work), finish(outcome))
}

/// A supervising leader's short review comment (e.g. "记录具体，成效明确，继续保持。"), 6..=40 chars.
pub fn review_comment(rng: &mut DemoRng) -> String {
    const STANDALONE: &[&str] = &[
        "已阅，同意。",
        "已阅，工作扎实，继续保持。",
        "情况属实，同意。",
        "本周工作量饱满，辛苦了。",
        "成效部分可再量化，下周注意。",
        "下村工作较多，注意总结经验。",
    ];
    const FIRST: &[&str] = &[
        "记录具体",
        "内容翔实",
        "条理清楚",
        "重点突出",
        "记录规范",
        "工作扎实",
    ];
    const SECOND: &[&str] = &["成效明确", "数据清楚", "措施到位", "成效较好", "落实有力"];
    const THIRD: &[&str] = &[
        "继续保持。",
        "望再接再厉。",
        "请持续跟进。",
        "注意总结经验。",
        "同意。",
    ];
    if rng.chance(0.25) {
        return String::from(*rng.pick(STANDALONE));
    }
    format!(
        "{}，{}，{}",
        rng.pick(FIRST),
        rng.pick(SECOND),
        rng.pick(THIRD)
    )
}

/// The outcome of a line as first handed in on a sheet that was then returned: too thin,
/// rewritten before the sheet went in again.
pub const THIN_OUTCOME: &str = "已完成。";

/// A reason for returning a sheet to its author (e.g. "10日记录缺少成效，请补充后重新提交。"), 8..=60 chars.
pub fn return_reason(rng: &mut DemoRng) -> String {
    let day = rng.range(1, 27);
    let other = day + 1;
    match rng.below(8) {
        0 => format!("{day}日记录缺少成效，请补充后重新提交。"),
        1 => format!("{day}日工作地点与内容不符，请核实后修改。"),
        2 => format!("{day}日、{other}日内容过于笼统，请写明具体事项。"),
        3 => format!("本周有{}天未填写，请补齐后重新提交。", rng.range(2, 4)),
        4 => format!("{day}日成效未量化，请补充具体数据。"),
        5 => format!("{day}日与{other}日记录完全重复，请核实。"),
        6 => format!("{day}日外出公务未注明事由和地点，请补充。"),
        _ => format!("{day}日下村记录未写明具体村名，请补充。"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> usize {
        s.chars().count()
    }

    #[test]
    fn rng_is_deterministic() {
        let mut a = DemoRng::new(42);
        let mut b = DemoRng::new(42);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        let mut c = DemoRng::new(43);
        assert_ne!(DemoRng::new(42).next_u64(), c.next_u64());
    }

    #[test]
    fn rng_helpers_stay_in_range() {
        let mut rng = DemoRng::new(1);
        for n in 1..50u64 {
            for _ in 0..50 {
                assert!(rng.below(n) < n);
            }
        }
        assert!(!rng.chance(0.0));
        assert!(rng.chance(1.0));
        let items = [1, 2, 3];
        for _ in 0..100 {
            assert!(items.contains(rng.pick(&items)));
        }
        let hits = (0..10_000).filter(|_| rng.chance(0.3)).count();
        assert!((2_500..3_500).contains(&hits), "hits = {hits}");
    }

    #[test]
    fn content_is_deterministic() {
        assert_eq!(person_names(92, 7), person_names(92, 7));
        let run = |seed| {
            let mut rng = DemoRng::new(seed);
            let mut out = Vec::new();
            for (i, dept) in DEPARTMENTS.iter().enumerate() {
                let place = place_for(&mut rng, dept);
                out.push(entry_lines(&mut rng, dept, place, Some(AREAS[i % 6].1[0])));
                out.push((review_comment(&mut rng), return_reason(&mut rng)));
            }
            out
        };
        assert_eq!(run(99), run(99));
        assert_ne!(run(99), run(100));
    }

    #[test]
    fn person_names_distinct_and_short() {
        let names = person_names(92, 7);
        assert_eq!(names.len(), 92);
        let set: HashSet<&String> = names.iter().collect();
        assert_eq!(set.len(), 92);
        for n in &names {
            assert!((2..=3).contains(&chars(n)), "bad name {n}");
        }
        assert_ne!(person_names(92, 7), person_names(92, 8));
    }

    #[test]
    fn areas_and_villages() {
        assert_eq!(AREAS.len(), 6);
        let mut all = HashSet::new();
        for (area, villages) in AREAS {
            let set: HashSet<&&str> = villages.iter().collect();
            assert_eq!(set.len(), 4, "area {area}");
            all.extend(villages.iter().copied());
        }
        assert_eq!(all.len(), 24);
    }

    #[test]
    fn departments_and_topics_consistent() {
        assert!(DEPARTMENTS.len() <= 8);
        for d in [
            "党政办",
            "经济发展办",
            "社会事务办",
            "农业农村办",
            "综治办",
            "财政所",
        ] {
            assert!(DEPARTMENTS.contains(&d));
        }
        for (dept, keys) in DEPT_TOPICS {
            assert!(DEPARTMENTS.contains(dept), "unknown department {dept}");
            for key in *keys {
                assert!(TOPICS.iter().any(|t| t.key == *key), "unknown topic {key}");
            }
        }
        for dept in DEPARTMENTS {
            assert!(
                DEPT_TOPICS.iter().any(|(d, _)| d == dept),
                "no topics for {dept}"
            );
        }
    }

    #[test]
    fn entry_lines_within_bounds() {
        let mut rng = DemoRng::new(2024);
        let depts: Vec<&str> = DEPARTMENTS.iter().copied().chain(["未知部门"]).collect();
        for i in 0..5_000usize {
            let dept = depts[i % depts.len()];
            let place = DemoPlace::ALL[(i / depts.len()) % 4];
            let village = if i % 3 == 0 {
                None
            } else {
                Some(AREAS[i % 6].1[i % 4])
            };
            let (work, outcome) = entry_lines(&mut rng, dept, place, village);
            for line in [&work, &outcome] {
                assert!((8..=80).contains(&chars(line)), "bad length: {line}");
                assert!(
                    !line.contains('\n') && !line.contains('{'),
                    "bad line: {line}"
                );
            }
            match place {
                DemoPlace::Village => {
                    if let Some(v) = village {
                        assert!(work.contains(v), "village missing: {work}");
                    }
                }
                DemoPlace::Enterprise => {
                    assert!(
                        ENTERPRISES.iter().any(|e| work.contains(e)),
                        "no enterprise: {work}"
                    );
                }
                DemoPlace::Away => assert!(work.contains('县'), "not county-level: {work}"),
                DemoPlace::Office => {}
            }
        }
    }

    #[test]
    fn entry_lines_vary() {
        let mut rng = DemoRng::new(7);
        let mut works = HashSet::new();
        let mut outcomes = HashSet::new();
        for i in 0..5_000usize {
            let dept = DEPARTMENTS[i % DEPARTMENTS.len()];
            let place = place_for(&mut rng, dept);
            let (w, o) = entry_lines(&mut rng, dept, place, None);
            works.insert(w);
            outcomes.insert(o);
        }
        assert!(
            works.len() >= 2_000,
            "only {} distinct work lines",
            works.len()
        );
        assert!(
            outcomes.len() >= 2_000,
            "only {} distinct outcomes",
            outcomes.len()
        );
    }

    #[test]
    fn place_for_follows_department() {
        let mut rng = DemoRng::new(3);
        let count = |rng: &mut DemoRng, dept: &str, place: DemoPlace| {
            (0..2_000).filter(|_| place_for(rng, dept) == place).count()
        };
        assert!(
            count(&mut rng, "农业农村办", DemoPlace::Village)
                > count(&mut rng, "党政办", DemoPlace::Village)
        );
        assert!(
            count(&mut rng, "财政所", DemoPlace::Office)
                > count(&mut rng, "综治办", DemoPlace::Office)
        );
        assert!(count(&mut rng, "经济发展办", DemoPlace::Enterprise) > 600);
    }

    #[test]
    fn comments_and_reasons_within_bounds() {
        let mut rng = DemoRng::new(11);
        for _ in 0..2_000 {
            let c = review_comment(&mut rng);
            assert!((6..=40).contains(&chars(&c)), "bad comment: {c}");
            let r = return_reason(&mut rng);
            assert!((8..=60).contains(&chars(&r)), "bad reason: {r}");
        }
    }
}
