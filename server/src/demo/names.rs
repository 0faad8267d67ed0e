//! Plausible invented names for the demo organisation, chosen by index so
//! that the same index always gives the same name.

/// The city committee's 11 sector/professional committees.
pub const SECTORS: [&str; 11] = [
    "医疗纠纷",
    "道路交通事故纠纷",
    "劳动争议",
    "婚姻家庭纠纷",
    "物业纠纷",
    "消费纠纷",
    "征地拆迁纠纷",
    "旅游纠纷",
    "环境保护纠纷",
    "校园纠纷",
    "金融纠纷",
];

/// 34 administrative departments with their own committee.
pub const ADMIN_DEPTS: [&str; 34] = [
    "公安局",
    "人力资源和社会保障局",
    "住房和城乡建设局",
    "自然资源局",
    "卫生健康局",
    "交通运输局",
    "市场监督管理局",
    "教育体育局",
    "民政局",
    "农业农村局",
    "林业和草原局",
    "水务局",
    "生态环境局",
    "应急管理局",
    "退役军人事务局",
    "医疗保障局",
    "信访局",
    "总工会",
    "妇女联合会",
    "残疾人联合会",
    "商务局",
    "文化和旅游局",
    "统计局",
    "财政局",
    "审计局",
    "发展和改革局",
    "工业信息化和科技局",
    "综合行政执法局",
    "供销合作社",
    "税务局",
    "烟草专卖局",
    "国有资产管理中心",
    "工商业联合会",
    "城市管理局",
];

const VILLAGE_FIRST: [&str; 21] = [
    "大", "小", "新", "石", "龙", "马", "黑", "白", "青", "高", "东", "西", "南", "北", "中", "上",
    "下", "长", "双", "三", "紫",
];
const VILLAGE_SECOND: [&str; 7] = ["潭", "坝", "冲", "营", "箐", "哨", "庄"];

/// The i-th village name (unique for i < 147), e.g. 大潭村.
pub fn village_name(i: usize) -> String {
    let first = VILLAGE_FIRST[i % VILLAGE_FIRST.len()];
    let second = VILLAGE_SECOND[(i / VILLAGE_FIRST.len()) % VILLAGE_SECOND.len()];
    format!("{first}{second}村")
}

const COMMUNITY: [&str; 31] = [
    "鹿城",
    "龙江",
    "峨岭",
    "北浦",
    "南华",
    "东兴",
    "西山",
    "青龙",
    "阳光",
    "永安",
    "福康",
    "桃源",
    "彝人",
    "北城",
    "南城",
    "太阳历",
    "金鹿",
    "开发",
    "兴隆",
    "环城",
    "团山",
    "西门",
    "东门",
    "紫溪",
    "吕合",
    "子午",
    "苍岭",
    "三街",
    "八角",
    "中山",
    "新村",
];

/// The i-th community name (unique for i < 31), e.g. 龙江社区.
pub fn community_name(i: usize) -> String {
    format!("{}社区", COMMUNITY[i % COMMUNITY.len()])
}

const SURNAMES: [&str; 24] = [
    "李", "张", "杨", "王", "普", "罗", "鲁", "起", "者", "施", "陈", "刘", "赵", "周", "苏", "何",
    "钱", "段", "马", "郭", "毕", "沙", "自", "范",
];
const GIVEN_MALE: [&str; 16] = [
    "建国", "志强", "国华", "文学", "正清", "海明", "德林", "云峰", "永福", "家富", "明亮", "光荣",
    "兴华", "荣昌", "绍武", "开元",
];
const GIVEN_FEMALE: [&str; 14] = [
    "秀英", "丽华", "桂芳", "玉兰", "春梅", "晓燕", "红梅", "海燕", "金凤", "丽萍", "建英", "慧敏",
    "琼芬", "美仙",
];

/// The n-th person's name and sex ("male" | "female").
pub fn person_name(n: usize) -> (String, &'static str) {
    let surname = SURNAMES[(n * 7) % SURNAMES.len()];
    if n % 3 == 2 {
        (
            format!("{surname}{}", GIVEN_FEMALE[(n / 3) % GIVEN_FEMALE.len()]),
            "female",
        )
    } else {
        (
            format!("{surname}{}", GIVEN_MALE[(n * 5 / 3) % GIVEN_MALE.len()]),
            "male",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn village_and_community_names_are_unique() {
        let v: HashSet<String> = (0..123).map(village_name).collect();
        assert_eq!(v.len(), 123);
        let c: HashSet<String> = (0..31).map(community_name).collect();
        assert_eq!(c.len(), 31);
    }
}
