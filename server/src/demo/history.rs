//! A year of cases for the demo organisation, at Chuxiong's real rate: 1,854
//! disputes in January–August 2023 (docs/domain.md §13), 243 days, which is
//! 2,785 in 365 days. Spread over the 154 village and community committees
//! (a community, the city seat and the development zone see more disputes,
//! the mountain townships fewer), each case owned by one of its committee's
//! full-time mediators, and written the way a mediator's phone writes it:
//! through `domain::case_form`, so every case passes `Case::check`. The tier
//! is the server's own verdict (`Case::verdict`): the rules decide, the
//! inputs are shaped so that most cases are oral agreements (A), then
//! general disputes that failed after two sessions (B), then general
//! agreements with the complete six-form dossier (C), and a handful of
//! deaths or grade 1–2 disabilities (D). Many general agreements lack a
//! form or the follow-up visit and earn nothing yet, as in real dossiers.
//!
//! Deterministic: a case's id comes from its index (`CaseId::stable`), its
//! content from a fixed seed, its index and the last day. The same `end`
//! gives the same cases in every database; another `end` gives the same ids,
//! so loading again on a later day adds nothing.

use super::load::SeedError;
use super::{CITY_CODE, DemoOrg, chuxiong};
use crate::store::cases::StoredCase;
use crate::store::org::NewUnit;
use crate::store::{Store, cases, numbers, org};
use domain::case::{Case, CaseKind};
use domain::case_form::{
    CaseDraft, ClosingDraft, FollowUpDraft, NewCase, PartyDraft, SessionDraft,
};
use domain::dates::{china, format_iso};
use domain::problem::FieldError;
use domain::rules::CommitteeKind;
use domain::rules::FormCode;
use domain::sample::Mix;
use domain::validate::check_char;
use domain::{CaseId, PersonId, Role, SessionId, Timestamp, UnitId, UnitKind, UnitPath};
use jiff::ToSpan;
use jiff::civil::Date;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Cases in the 365 days: 1,854 in the 243 days of January–August 2023.
pub const CASES_PER_YEAR: usize = 2785;
/// The history covers this many days, ending on its last day.
pub const HISTORY_DAYS: i64 = 365;

/// The generator's fixed seed ("tiaojie2").
const SEED: u64 = 0x7469_616f_6a69_6532;

/// What a history load did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryReport {
    /// The first and the last day cases were received on.
    pub from: Date,
    pub to: Date,
    /// Cases in the history, stored now or before.
    pub cases: usize,
    /// Cases this run stored (0 when the history was loaded before).
    pub added: u64,
    /// Cases of the history per tier (`None`: open, or nothing earned).
    pub tiers: BTreeMap<Option<String>, usize>,
}

/// The first day of the history ending on `end`.
pub fn history_start(end: Date) -> Date {
    end - (HISTORY_DAYS - 1).days()
}

/// Loads the demo case history ending on `end` into a database that holds
/// the demo organisation (`load` first). Cases already there are left alone
/// (a mediator may have edited them), so a second run adds nothing.
#[tracing::instrument(skip(db), err)]
pub async fn load_history(db: &Store, end: Date) -> Result<HistoryReport, SeedError> {
    match org::root(db).await? {
        None => return Err(SeedError::NoDemoOrganisation),
        Some(root) if root.code != CITY_CODE => {
            return Err(SeedError::NotADemoDatabase(format!(
                "{} {}",
                root.code, root.name
            )));
        }
        Some(_) => {}
    }
    // the committees' paths as stored: scoped pulls match on them
    let paths: HashMap<UnitId, UnitPath> = org::all(db)
        .await?
        .into_iter()
        .filter(|u| matches!(u.kind, UnitKind::Village | UnitKind::Community))
        .map(|u| (u.id, u.path))
        .collect();

    let cases = history_cases(end);
    let mut tiers: BTreeMap<Option<String>, usize> = BTreeMap::new();
    let mut rows = Vec::with_capacity(cases.len());
    for case in &cases {
        let verdict = case
            .server_verdict
            .clone()
            .expect("a history case carries the server's verdict");
        *tiers.entry(verdict.tier.clone()).or_default() += 1;
        let Some(unit_path) = paths.get(&case.unit_id) else {
            return Err(SeedError::NoDemoOrganisation);
        };
        let updated_at = case.updated_at.expect("a history case has its last change");
        rows.push((
            StoredCase {
                id: case.id,
                unit_id: case.unit_id,
                unit_path: unit_path.clone(),
                version: 1,
                payload: Some(serde_json::to_string(case).expect("a case serialises")),
                deleted: false,
                verdict,
                locked_reason: None,
                change_no: 0,
            },
            stamp(case.received_on, 8, 30),
            updated_at,
        ));
    }

    let mut tx = db.write().await?;
    let ids: Vec<CaseId> = rows.iter().map(|(r, _, _)| r.id).collect();
    let existing: HashSet<CaseId> = cases::existing(&mut tx, &ids).await?.into_iter().collect();
    let mut fresh: Vec<(StoredCase, Timestamp, Timestamp)> = rows
        .into_iter()
        .filter(|(r, _, _)| !existing.contains(&r.id))
        .collect();
    let mut added = 0;
    if !fresh.is_empty() {
        // change numbers make the cases visible to pulls, oldest first
        let first = cases::reserve_change_nos(&mut tx, fresh.len()).await?;
        for (i, (row, _, _)) in fresh.iter_mut().enumerate() {
            row.change_no = first + i as i64;
        }
        added = cases::insert_loaded(&mut tx, &fresh).await?;
        let fresh_ids: HashSet<CaseId> = fresh.iter().map(|(r, _, _)| r.id).collect();
        let given: Vec<(CaseId, numbers::Number)> = cases
            .iter()
            .filter(|c| fresh_ids.contains(&c.id))
            .filter_map(|c| {
                let seq = c.seq?;
                Some((
                    c.id,
                    numbers::Number {
                        unit_id: c.unit_id,
                        year: c.received_on.year(),
                        seq,
                    },
                ))
            })
            .collect();
        numbers::insert_loaded(&mut tx, &given).await?;
    }
    tx.commit().await?;
    if added > 0 {
        // a bulk load: fresh planner statistics, or the first pulls after it
        // are slow until autovacuum catches up (docs/perf.md)
        db.analyze().await?;
    }
    tracing::info!(added, cases = cases.len(), "demo case history loaded");
    Ok(HistoryReport {
        from: history_start(end),
        to: end,
        cases: cases.len(),
        added,
        tiers,
    })
}

/// The demo history ending on `end`, as the server stores it: version 1,
/// the server's verdict, `updated_at` the time of the last event. Pure:
/// the same `end` gives the same cases. Received dates run evenly over
/// the 365 days (7 or 8 a day), oldest first.
pub fn history_cases(end: Date) -> Vec<Case> {
    let org = chuxiong();
    let all = committees(&org);
    let weights: Vec<u64> = all.iter().map(|c| c.weight).collect();
    let counts = apportion(CASES_PER_YEAR, &weights);
    // which committee receives the i-th case: each its share, shuffled
    let mut slots: Vec<usize> = counts
        .iter()
        .enumerate()
        .flat_map(|(c, &n)| std::iter::repeat_n(c, n))
        .collect();
    let mut mix = Mix(SEED);
    for i in (1..slots.len()).rev() {
        let j = mix.below(i as u64 + 1) as usize;
        slots.swap(i, j);
    }

    let start = history_start(end);
    let mut numbers: HashMap<(usize, i16), u32> = HashMap::new();
    let mut out = Vec::with_capacity(CASES_PER_YEAR);
    for (i, &c) in slots.iter().enumerate() {
        let day = (i as i64) * HISTORY_DAYS / CASES_PER_YEAR as i64;
        let received = start + day.days();
        let seq = numbers.entry((c, received.year())).or_insert(0);
        *seq += 1;
        let mut r = Mix(SEED ^ (i as u64 + 1).wrapping_mul(0xD1B5_4A32_D192_ED03));
        out.push(one_case(i, &all[c], *seq, received, end, &mut r));
    }
    plant_duplicate(&mut out, &all, end);
    out
}

/// Makes one dispute look recorded twice (重复申报核查), for the judicial
/// office to find: a party of a case that 鹿城镇 claims for the last full
/// quarter (of its first committee that is not a demo log-in's own) also
/// appears, with the same ID number, in a case of the same kind received
/// within 90 days in another township.
fn plant_duplicate(cases: &mut [Case], all: &[Committee<'_>], end: Date) {
    let org = chuxiong();
    let Some(head) = org.grants.iter().find(|g| g.role == Role::CommitteeHead) else {
        return;
    };
    let of = |case: &Case| all.iter().find(|c| c.unit.id == case.unit_id);
    let Some(home) = all
        .iter()
        .find(|c| c.unit.id == head.unit_id)
        .map(|c| c.township.id)
    else {
        return;
    };
    let first_community = all
        .iter()
        .find(|c| c.township.id == home && c.unit.kind == UnitKind::Community)
        .map(|c| c.unit.id);
    let Some(last) = domain::claim::Quarter::containing(end).prev() else {
        return;
    };
    let claimed = |case: &Case| {
        of(case).is_some_and(|c| {
            c.township.id == home && c.unit.id != head.unit_id && Some(c.unit.id) != first_community
        }) && case
            .closed_on
            .is_some_and(|d| d >= last.first_day() && d <= last.last_day())
            && case
                .server_verdict
                .as_ref()
                .is_some_and(|v| v.tier.is_some())
            && case
                .parties
                .first()
                .is_some_and(|p| p.resident_id.is_some())
    };
    // the first committee (in the organisation's order) with such a case
    let Some(x) = all.iter().find_map(|c| {
        cases
            .iter()
            .position(|case| case.unit_id == c.unit.id && claimed(case))
    }) else {
        return;
    };
    let (kind, day, party) = (
        cases[x].dispute_type.clone(),
        cases[x].received_on,
        cases[x].parties[0].clone(),
    );
    let elsewhere = cases.iter().position(|case| {
        of(case).is_some_and(|c| c.township.id != home)
            && case.dispute_type == kind
            && (case.received_on - day).get_days().abs() <= 90
            && !case.parties.is_empty()
    });
    if let Some(y) = elsewhere {
        cases[y].parties[0] = party;
    }
}

/// A village or community committee that records cases.
struct Committee<'a> {
    unit: &'a NewUnit,
    township: &'a NewUnit,
    /// The full-time mediators granted at it: id and name.
    mediators: Vec<(PersonId, &'a str)>,
    weight: u64,
}

fn committees(org: &DemoOrg) -> Vec<Committee<'_>> {
    let by_id: HashMap<UnitId, &NewUnit> = org.units.iter().map(|u| (u.id, u)).collect();
    let names: HashMap<PersonId, &str> =
        org.people.iter().map(|p| (p.id, p.name.as_str())).collect();
    org.units
        .iter()
        .filter(|u| matches!(u.kind, UnitKind::Village | UnitKind::Community))
        .map(|unit| {
            let township = unit
                .parent_id
                .and_then(|p| by_id.get(&p).copied())
                .expect("a committee is in a township");
            let mediators: Vec<(PersonId, &str)> = org
                .grants
                .iter()
                .filter(|g| g.unit_id == unit.id && g.role == Role::Mediator)
                .map(|g| (g.person_id, names[&g.person_id]))
                .collect();
            assert!(!mediators.is_empty(), "{} has a mediator", unit.name);
            Committee {
                unit,
                township,
                mediators,
                weight: weight(unit, township),
            }
        })
        .collect()
}

/// How many disputes a committee sees, relatively: an urban community more
/// than a village, the city seat and the development zone more, the
/// mountain townships (乡) fewer, and each committee a little its own.
fn weight(unit: &NewUnit, township: &NewUnit) -> u64 {
    let kind = if unit.kind == UnitKind::Community {
        140
    } else {
        100
    };
    let place = match township.name.as_str() {
        "鹿城镇" => 125,
        "东瓜镇" => 115,
        name if name.ends_with('乡') => 80,
        _ => 100,
    };
    let own = 75 + fnv1a(unit.code.as_bytes()) % 51;
    kind * place * own
}

/// FNV-1a: a hash that is the same on every platform and Rust version.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// `total` split in proportion to `weights`; the largest remainders (then
/// the earlier) take what the whole parts leave.
fn apportion(total: usize, weights: &[u64]) -> Vec<usize> {
    let sum: u64 = weights.iter().sum();
    let t = total as u64;
    let mut counts: Vec<usize> = weights.iter().map(|w| (t * w / sum) as usize).collect();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(t * weights[i] % sum), i));
    let left = total - counts.iter().sum::<usize>();
    for &i in order.iter().take(left) {
        counts[i] += 1;
    }
    counts
}

/// How a dispute type shows up in the committees' year.
struct Profile {
    /// A code of `domain::case::DISPUTE_TYPES`.
    code: &'static str,
    /// Relative frequency in a village and in a community (each sums to 100).
    village: u32,
    community: u32,
    /// Percent settled on the spot as an oral agreement (口头调解).
    oral: u64,
    /// Yuan usually at stake (least, most), if money is.
    amount: Option<(u64, u64)>,
    /// Brief facts (after "甲与乙") and the terms agreed.
    stories: &'static [(&'static str, &'static str)],
    /// A death or a grade 1–2 disability (tier D), when this type can bring one.
    grave: Option<(&'static str, &'static str)>,
}

const PROFILES: [Profile; 15] = [
    Profile {
        code: "marriage_family",
        village: 18,
        community: 17,
        oral: 60,
        amount: None,
        stories: &[
            (
                "因家庭琐事长期争吵，女方回娘家居住，双方就子女抚养和家庭开支发生争议",
                "双方互相谅解，男方保证戒酒、不再打骂，女方返家共同生活",
            ),
            (
                "因赡养老人的费用分担和轮流照料发生争执",
                "兄弟姐妹每人每月负担父母生活费300元，按季度轮流照料",
            ),
            (
                "因离婚后子女探视时间和抚养费发生争议",
                "每月第一、三周周末由男方接子女探视，抚养费每月800元按时支付",
            ),
        ],
        grave: None,
    },
    Profile {
        code: "neighbours",
        village: 20,
        community: 24,
        oral: 75,
        amount: None,
        stories: &[
            (
                "因房屋滴水、排水沟堵塞发生争吵",
                "双方共同出资疏通排水沟，各自清理屋檐滴水",
            ),
            (
                "因一方饲养的鸡鸭进入另一方菜地啃食蔬菜发生纠纷",
                "养殖户圈养家禽，赔偿菜苗损失200元",
            ),
            (
                "因通行道路被堆放的柴草、建材占用引发口角",
                "三日内清理道路上的柴草和建材，保持通行",
            ),
            (
                "因深夜噪音扰民多次发生争吵",
                "晚上十点后不再进行高噪音活动，双方互相谅解",
            ),
        ],
        grave: None,
    },
    Profile {
        code: "housing_homestead",
        village: 12,
        community: 6,
        oral: 45,
        amount: None,
        stories: &[
            (
                "因建房地基越界约半米，就宅基地界址发生争议",
                "按原界址重新确界，越界部分拆除后退",
            ),
            (
                "因分家时老宅归属不清发生争议",
                "老宅归长子所有，长子补偿其他兄弟姐妹各1万元",
            ),
            (
                "因新建房屋遮挡相邻住户采光发生纠纷",
                "建房户降低围墙高度，并补偿相邻户2000元",
            ),
        ],
        grave: None,
    },
    Profile {
        code: "contract",
        village: 5,
        community: 7,
        oral: 40,
        amount: Some((2_000, 60_000)),
        stories: &[
            (
                "因购买化肥、农药的货款未结清发生买卖合同纠纷",
                "买方于限期内付清所欠货款",
            ),
            (
                "因土地流转租金未按期支付发生争议",
                "承租方补交当年租金，合同继续履行",
            ),
            (
                "因装修工程质量和尾款结算发生争议",
                "施工方返工修补，业主验收后付清尾款",
            ),
        ],
        grave: None,
    },
    Profile {
        code: "production_business",
        village: 6,
        community: 4,
        oral: 55,
        amount: Some((500, 20_000)),
        stories: &[
            (
                "因合伙种植烤烟的收益分配发生争议",
                "按出资比例分配收益，合伙关系解除",
            ),
            (
                "因灌溉用水的先后顺序发生争执",
                "按地块轮流放水，每户每次不超过8小时",
            ),
            (
                "因合伙养殖的牛羊出售价款分配发生争议",
                "扣除成本后按约定比例分配价款",
            ),
        ],
        grave: None,
    },
    Profile {
        code: "damages",
        village: 8,
        community: 8,
        oral: 50,
        amount: Some((300, 8_000)),
        stories: &[
            (
                "因一方的牛闯入另一方玉米地踩坏庄稼发生纠纷",
                "牛主人赔偿庄稼损失600元",
            ),
            (
                "因口角发生推搡致一方轻微受伤，就医疗费发生争议",
                "赔偿医疗费、误工费共计1500元并当面赔礼道歉",
            ),
            (
                "因饲养的狗咬伤邻居小孩，就医疗费发生争议",
                "狗主人承担狂犬疫苗和治疗费用，今后拴养犬只",
            ),
        ],
        grave: Some((
            "因帮工建房时从脚手架坠落致伤残二级，就赔偿责任发生争议",
            "房主一次性赔偿医疗费、残疾赔偿金和护理费，伤者不再追究",
        )),
    },
    Profile {
        code: "forest_land",
        village: 14,
        community: 1,
        oral: 35,
        amount: None,
        stories: &[
            (
                "因山林界址不清，就林地归属发生争议",
                "以林权证记载的界址为准，现场重新埋设界桩",
            ),
            (
                "因承包地边界种植果树遮挡相邻耕地发生纠纷",
                "修剪越界枝条，今后栽种退后2米",
            ),
            (
                "因林地采伐后水土流失冲毁下方农田发生纠纷",
                "采伐方补种树苗并赔偿农田损失",
            ),
        ],
        grave: None,
    },
    Profile {
        code: "land_requisition",
        village: 3,
        community: 3,
        oral: 20,
        amount: Some((5_000, 120_000)),
        stories: &[
            (
                "因征地补偿款在家庭成员之间的分配发生争议",
                "补偿款按户内人口平均分配",
            ),
            (
                "因修建村组道路占用部分承包地，就青苗补偿发生争议",
                "按标准补足青苗补偿费，道路按规划修建",
            ),
        ],
        grave: None,
    },
    Profile {
        code: "pollution",
        village: 1,
        community: 2,
        oral: 30,
        amount: None,
        stories: &[
            (
                "因养殖场粪污排放影响周边农户饮用水发生纠纷",
                "养殖场限期建设化粪池，停止直排并清理污染",
            ),
            (
                "因餐馆油烟、噪音影响楼上住户发生纠纷",
                "餐馆加装油烟净化设备，晚上十点后停止营业",
            ),
        ],
        grave: None,
    },
    Profile {
        code: "labour",
        village: 4,
        community: 7,
        oral: 30,
        amount: Some((2_000, 30_000)),
        stories: &[
            ("因务工工资被拖欠发生争议", "包工头于限期内付清拖欠的工资"),
            (
                "因务工期间受伤，就医疗费和误工费发生争议",
                "雇主一次性赔偿医疗费、误工费",
            ),
        ],
        grave: Some((
            "因在采石场务工时被落石砸伤致伤残一级，就赔偿发生争议",
            "雇主一次性赔偿并承担今后的护理费用",
        )),
    },
    Profile {
        code: "consumer",
        village: 1,
        community: 4,
        oral: 60,
        amount: Some((200, 10_000)),
        stories: &[
            (
                "因购买的农用机械质量问题与经销商发生纠纷",
                "经销商免费维修并延长保修期一年",
            ),
            ("因预付美发卡的余额退还发生争议", "商家退还卡内余额"),
        ],
        grave: None,
    },
    Profile {
        code: "medical",
        village: 1,
        community: 2,
        oral: 20,
        amount: Some((1_000, 30_000)),
        stories: &[(
            "因在村卫生室输液后出现不良反应，就治疗费用承担发生争议",
            "卫生室承担后续治疗费用，并一次性补偿2000元",
        )],
        grave: Some((
            "因在诊所就医后病情加重不治身亡，就赔偿发生争议",
            "诊所一次性补偿死者家属，家属不再追究",
        )),
    },
    Profile {
        code: "road_traffic",
        village: 4,
        community: 5,
        oral: 35,
        amount: Some((1_000, 40_000)),
        stories: &[
            (
                "因两辆摩托车在村道相撞致一人受伤，就赔偿发生争议",
                "过错方赔偿医疗费、修车费",
            ),
            ("因农用车倒车撞坏围墙发生纠纷", "车主赔偿修复围墙的费用"),
        ],
        grave: Some((
            "因农用车在村道与摩托车相撞致摩托车驾驶人死亡，就赔偿发生争议",
            "肇事方一次性赔偿死亡赔偿金、丧葬费等，家属放弃其他请求",
        )),
    },
    Profile {
        code: "property_management",
        village: 0,
        community: 8,
        oral: 55,
        amount: None,
        stories: &[
            (
                "因物业费收取标准和服务质量发生争议",
                "业主补交物业费，物业公司限期整改绿化和照明",
            ),
            (
                "因楼上漏水致楼下天花板受损发生纠纷",
                "楼上住户维修防水层并赔偿修复费用",
            ),
        ],
        grave: None,
    },
    Profile {
        code: "other",
        village: 3,
        community: 2,
        oral: 60,
        amount: None,
        stories: &[
            ("因村内公益事业筹资分摊发生争议", "按户筹资，困难户减半"),
            ("因借款到期未还发生纠纷", "借款人分两期还清借款"),
        ],
        grave: None,
    },
];

const SURNAMES: [&str; 30] = [
    "李", "张", "杨", "王", "普", "罗", "鲁", "起", "者", "施", "陈", "刘", "赵", "周", "苏", "何",
    "钱", "段", "马", "郭", "毕", "沙", "自", "范", "朱", "黄", "徐", "胡", "龙", "董",
];
const GIVEN_MALE: [&str; 24] = [
    "建国", "志强", "国华", "文学", "正清", "海明", "德林", "云峰", "永福", "家富", "明亮", "光荣",
    "兴华", "荣昌", "绍武", "开元", "有才", "成林", "金龙", "天宝", "勇", "军", "斌", "刚",
];
const GIVEN_FEMALE: [&str; 22] = [
    "秀英", "丽华", "桂芳", "玉兰", "春梅", "晓燕", "红梅", "海燕", "金凤", "丽萍", "建英", "慧敏",
    "琼芬", "美仙", "秀珍", "兰芬", "树芬", "丽", "艳", "敏", "娟", "芳",
];
/// Ethnic groups of Chuxiong (an Yi autonomous prefecture), with weights.
const ETHNICITIES: [(&str, u32); 6] = [
    ("汉族", 60),
    ("彝族", 32),
    ("回族", 3),
    ("苗族", 2),
    ("傈僳族", 2),
    ("白族", 1),
];
/// Where the parties' resident IDs were issued: mostly Chuxiong City.
const AREA_CODES: [&str; 10] = [
    "532301", "532301", "532301", "532301", "532301", "532301", "532301", "532322", "532325",
    "532329",
];
/// `CaseDraft::risk` codes.
const RISKS: [&str; 3] = ["low", "medium", "high"];
/// `CaseDraft::source` codes (empty: the parties applied).
const SOURCES: [&str; 5] = [
    "",
    "own_initiative",
    "police_referral",
    "government_assignment",
    "court_referral",
];
const FOLLOW_UP_NOTES: [&str; 3] = [
    "协议已履行完毕，双方满意",
    "已按约定履行，未再发生纠纷",
    "已部分履行，余款约定下月付清，双方无异议",
];

/// An RFC 3339 UTC time (the database's form) of a moment on a day in China.
fn stamp(day: Date, hour: i8, minute: i8) -> Timestamp {
    let zoned = day
        .at(hour, minute, 0, 0)
        .to_zoned(china())
        .expect("a fixed offset has every time");
    Timestamp::from(zoned.timestamp())
}

/// A valid 18-character resident ID of a person of this sex, at least 18
/// years old on `end`.
fn resident_id(r: &mut Mix, female: bool, end: Date) -> String {
    let area = r.pick(&AREA_CODES);
    let year = i64::from(end.year()) - 18 - r.below(60) as i64;
    let month = 1 + r.below(12);
    let day = 1 + r.below(28);
    // the 17th digit is odd for a man, even for a woman
    let serial = r.below(100) * 10 + 2 * r.below(5) + u64::from(!female);
    let first17 = format!("{area}{year:04}{month:02}{day:02}{serial:03}");
    let check = check_char(first17.as_bytes());
    format!("{first17}{}", char::from(check))
}

fn party(r: &mut Mix, c: &Committee, end: Date) -> PartyDraft {
    let female = r.chance(42);
    let surname = r.pick(&SURNAMES);
    let given = if female {
        r.pick(&GIVEN_FEMALE)
    } else {
        r.pick(&GIVEN_MALE)
    };
    let ethnicity = ETHNICITIES[r.weighted(&ETHNICITIES.map(|(_, w)| w))].0;
    // a quarter of the parties did not show an ID card: their sex is typed
    let (id, sex) = if r.chance(75) {
        (resident_id(r, female, end), "")
    } else if female {
        (String::new(), "female")
    } else {
        (String::new(), "male")
    };
    let phone = if r.chance(90) {
        format!(
            "1{}{:09}",
            r.pick(&["3", "5", "8", "9"]),
            r.below(1_000_000_000)
        )
    } else {
        String::new()
    };
    let address = if c.unit.kind == UnitKind::Community {
        format!(
            "{}{}第{}居民小组",
            c.township.name,
            c.unit.name,
            1 + r.below(8)
        )
    } else {
        format!(
            "{}{}第{}村民小组",
            c.township.name,
            c.unit.name,
            1 + r.below(23)
        )
    };
    PartyDraft {
        name: format!("{surname}{given}"),
        sex: sex.into(),
        ethnicity: ethnicity.into(),
        resident_id: id,
        phone,
        address,
    }
}

/// The i-th case of the history.
fn one_case(i: usize, c: &Committee, seq: u32, received: Date, end: Date, r: &mut Mix) -> Case {
    let community = c.unit.kind == UnitKind::Community;
    let month = received.month();
    let weights: Vec<u32> = PROFILES
        .iter()
        .map(|p| {
            let base = if community { p.community } else { p.village };
            // families meet (and quarrel) at the Spring Festival; spring
            // sowing brings the fields, boundaries and water
            match (p.code, month) {
                ("marriage_family", 1 | 2) => base * 3 / 2,
                ("forest_land" | "production_business", 3..=5) => base * 3 / 2,
                _ => base,
            }
        })
        .collect();
    let profile = &PROFILES[r.weighted(&weights)];
    let (owner_id, mediator) = *r.pick(&c.mediators);
    let oral = r.chance(profile.oral);
    let grave = match profile.grave {
        Some(story) if !oral && r.chance(3) => Some(story),
        _ => None,
    };
    let a = party(r, c, end);
    let b = party(r, c, end);
    let story = *r.pick(profile.stories);
    let (facts, terms) = grave.unwrap_or(story);
    let summary = format!("{}与{}{facts}。", a.name, b.name);
    let amount = if grave.is_some() {
        Some((150 + r.below(751)) * 1000)
    } else {
        profile
            .amount
            .map(|(least, most)| (least + r.below(most - least + 1)) / 10 * 10)
    };
    let risk = if grave.is_some() {
        "high"
    } else if oral {
        RISKS[r.weighted(&[92, 8, 0])]
    } else {
        RISKS[r.weighted(&[55, 35, 10])]
    };
    let source = if oral {
        SOURCES[r.weighted(&[75, 25, 0, 0, 0])]
    } else {
        SOURCES[r.weighted(&[60, 18, 10, 8, 4])]
    };
    let place = if oral && r.chance(50) {
        let spots: &[&str] = if community {
            &["当事人家中", "纠纷现场", "小区门岗"]
        } else {
            &["当事人家中", "纠纷现场", "田间地头"]
        };
        (*r.pick(spots)).to_owned()
    } else {
        format!("{}调解室", c.unit.name)
    };
    let (performance, due) = if r.chance(85) {
        ("immediate", String::new())
    } else {
        (
            "by_date",
            format_iso(received + (7 + r.below(24) as i64).days()),
        )
    };
    let draft = CaseDraft {
        dispute_type: profile.code.into(),
        source: source.into(),
        risk: risk.into(),
        place,
        received_on: format_iso(received),
        summary,
        parties: vec![a, b],
        agreed_terms: terms.into(),
        performance: performance.into(),
        due,
        mediator: mediator.into(),
        amount_involved: amount.map(|y| y.to_string()).unwrap_or_default(),
    };
    let new = NewCase {
        id: CaseId::stable(&format!("demo-history:{i}")),
        unit_id: c.unit.id,
        owner_id,
        seq: Some(seq),
        now: stamp(received, 9, r.below(60) as i8),
    };
    let made = if oral {
        draft.oral_case(&new, end)
    } else {
        general(&draft, &new, received, end, grave.is_some(), r)
    };
    // the generator makes only valid cases; a bug here must be loud
    let mut case = made.unwrap_or_else(|e| panic!("demo history case {i}: {e:?}"));
    for (k, session) in case.sessions.iter_mut().enumerate() {
        session.id = SessionId::stable(&format!("demo-history:{i}:{k}"));
    }
    if grave.is_some() {
        if profile.code == "road_traffic" || profile.code == "medical" {
            case.deaths = 1;
        } else {
            case.disability_grade = Some(if profile.code == "labour" { 1 } else { 2 });
        }
    }
    let last = [
        Some(case.received_on),
        case.sessions.last().map(|s| s.held_on),
        case.closed_on,
        case.follow_up.as_ref().map(|f| f.on),
    ]
    .into_iter()
    .flatten()
    .max()
    .unwrap_or(received);
    // as the server keeps a case it accepted: its version, time and verdict
    case.version = 1;
    case.updated_at = Some(stamp(last, 18, r.below(60) as i8));
    case.server_verdict = Some(case.verdict(CommitteeKind::of_unit(c.unit.kind)));
    let problems = case.check(end);
    assert!(problems.is_empty(), "demo history case {i}: {problems:?}");
    case
}

/// A general dispute: registered, mediated in one to three sessions, and
/// (unless it is recent and still open) closed, with the dossier's forms a
/// committee usually manages, the follow-up visit in four agreements of ten.
fn general(
    draft: &CaseDraft,
    new: &NewCase,
    received: Date,
    end: Date,
    grave: bool,
    r: &mut Mix,
) -> Result<Case, Vec<FieldError>> {
    let mut case = draft.general_case(new, end)?;
    debug_assert_eq!(case.kind, CaseKind::General);
    if grave || r.chance(88) {
        case.forms.insert(FormCode::new("application"));
    }
    if grave || r.chance(93) {
        case.forms.insert(FormCode::new("acceptance"));
    }
    let age = (end - received).get_days();
    let open_percent = match age {
        0..=9 => 75,
        10..=29 => 35,
        30..=89 => 8,
        _ => 2,
    };
    let open = !grave && r.chance(open_percent);
    let agreed = grave || !r.chance(27);
    let sessions = if open {
        r.below(3) as usize
    } else if agreed {
        1 + r.weighted(&[45, 40, 15])
    } else {
        1 + r.weighted(&[15, 50, 35])
    };
    let mut day = (received + (r.below(3) as i64).days()).min(end);
    for k in 0..sessions {
        if k > 0 {
            day = (day + (1 + r.below(10) as i64).days()).min(end);
        }
        let record = if !open && k + 1 == sessions {
            if agreed {
                "组织双方协商，双方在自愿基础上达成一致意见"
            } else {
                "双方分歧较大，未能达成协议，已告知可通过诉讼等途径解决"
            }
        } else if k == 0 {
            "听取双方陈述，核实事实，释法明理"
        } else {
            "组织双方面对面协商，提出调解方案"
        };
        case = SessionDraft {
            held_on: format_iso(day),
            place: draft.place.clone(),
            record: format!("第{}次调解：{record}", k + 1),
        }
        .add_to(&case, end, stamp(day, 14, r.below(60) as i8))?;
    }
    if grave || (sessions > 0 && r.chance(60)) {
        case.forms.insert(FormCode::new("investigation"));
    }
    if open {
        return Ok(case);
    }
    let (performance, due) = if r.chance(70) {
        ("immediate", String::new())
    } else {
        (
            "by_date",
            format_iso(day + (15 + r.below(46) as i64).days()),
        )
    };
    case = ClosingDraft {
        outcome: if agreed { "agreed" } else { "not_agreed" }.into(),
        closed_on: format_iso(day),
        agreed_terms: draft.agreed_terms.clone(),
        performance: performance.into(),
        due,
    }
    .close(&case, end, stamp(day, 16, r.below(60) as i8))?;
    if agreed && (grave || r.chance(95)) {
        case.forms.insert(FormCode::new("agreement"));
    }
    case.archived = grave || r.chance(80);
    if agreed {
        let gap = if grave {
            7 + r.below(8)
        } else {
            7 + r.below(24)
        };
        let on = day + (gap as i64).days();
        if on <= end && (grave || r.chance(40)) {
            case = FollowUpDraft {
                on: format_iso(on),
                note: (*r.pick(&FOLLOW_UP_NOTES)).into(),
            }
            .record(&case, end, stamp(on, 10, r.below(60) as i8))?;
        }
    }
    Ok(case)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn shares_add_up_and_follow_the_weights() {
        let counts = apportion(10, &[1, 1, 2]);
        assert_eq!(counts.iter().sum::<usize>(), 10);
        assert_eq!(counts, [3, 2, 5]);
        let org = chuxiong();
        let all = committees(&org);
        assert_eq!(all.len(), 154);
        let weights: Vec<u64> = all.iter().map(|c| c.weight).collect();
        let counts = apportion(CASES_PER_YEAR, &weights);
        assert_eq!(counts.iter().sum::<usize>(), CASES_PER_YEAR);
        assert!(counts.iter().all(|&n| (8..=40).contains(&n)), "{counts:?}");
    }

    #[test]
    fn the_history_is_valid_deterministic_and_at_the_real_rate() {
        let end = date(2023, 8, 31);
        let cases = history_cases(end);
        assert_eq!(cases.len(), CASES_PER_YEAR);
        assert!(cases == history_cases(end), "the same end, the same cases");
        let start = history_start(end);
        assert_eq!(start, date(2022, 9, 1));
        for c in &cases {
            assert_eq!(c.check(end), vec![], "{c:?}");
            assert!((start..=end).contains(&c.received_on));
        }
        // the article's figure: 1,854 in January–August 2023
        let jan_aug = cases
            .iter()
            .filter(|c| c.received_on >= date(2023, 1, 1))
            .count();
        assert_eq!(jan_aug, 1854);
        let ids: HashSet<CaseId> = cases.iter().map(|c| c.id).collect();
        assert_eq!(ids.len(), cases.len());
        // a later end: the same ids, so a reload adds nothing
        let later = history_cases(date(2023, 9, 1));
        assert!(later.iter().all(|c| ids.contains(&c.id)));
    }

    #[test]
    fn the_rules_give_mostly_a_then_b_then_c_and_a_few_d() {
        let cases = history_cases(date(2023, 8, 31));
        let mut tiers: HashMap<Option<String>, usize> = HashMap::new();
        for c in &cases {
            let tier = c.server_verdict.as_ref().and_then(|v| v.tier.clone());
            *tiers.entry(tier).or_default() += 1;
        }
        let n = |t: &str| tiers.get(&Some(t.to_owned())).copied().unwrap_or(0);
        assert!(
            n("A") > n("B") && n("B") > n("C") && n("C") > n("D"),
            "{tiers:?}"
        );
        assert!(n("C") > 0 && n("D") <= 30, "{tiers:?}");
        let oral = cases.iter().filter(|c| c.kind == CaseKind::Oral).count();
        assert!((1200..1700).contains(&oral), "{oral} oral");
    }
}
