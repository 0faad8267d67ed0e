//! The organisation import (组织机构导入, `tiaojie org import`): a city's
//! units from a table — code, name, kind, the parent's code — checked
//! whole against the tree the server holds, then written in one
//! transaction, or nothing. A unit already held (by its code) keeps its
//! id; its name may change (the phones pull the new one); its kind and
//! parent may not (its cases and people hang on its place in the tree).

use crate::store::org::{NewUnit, Unit};
use crate::store::{self, Store, StoreError};
use domain::{Timestamp, UnitId, UnitKind, UnitPath};
use std::collections::{BTreeMap, HashMap};
use std::fmt;

/// The columns, as a header names them (Chinese or English).
const COLUMNS: [(&str, &str); 4] = [
    ("代码", "code"),
    ("名称", "name"),
    ("类型", "kind"),
    ("上级代码", "parent_code"),
];

/// The longest name and code, in characters (as the org table allows).
const MAX_NAME_CHARS: usize = 100;
const MAX_CODE_CHARS: usize = 40;

/// One row of the table as read, with its line in the file (the header is
/// line 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub line: usize,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub parent_code: String,
}

/// What is wrong with the file: where (a line and column, or the file) and
/// what, in Chinese then English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 0 for the file as a whole.
    pub line: usize,
    /// The column's Chinese header, or "" for the row or file.
    pub column: &'static str,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (0, _) => write!(f, "文件 / file: {}", self.message),
            (line, "") => write!(f, "第 {line} 行 / line {line}: {}", self.message),
            (line, column) => write!(
                f,
                "第 {line} 行「{column}」/ line {line} {column}: {}",
                self.message
            ),
        }
    }
}

fn problem(line: usize, column: &'static str, message: impl Into<String>) -> Problem {
    Problem {
        line,
        column,
        message: message.into(),
    }
}

/// Reads a CSV file as Excel or WPS saves one: UTF-8 (with or without a
/// byte-order mark) or GBK; a header row naming the four columns in any
/// order; empty lines skipped.
pub fn read_csv(bytes: &[u8]) -> Result<Vec<Row>, Vec<Problem>> {
    let text = decode(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| vec![problem(0, "", format!("读不出表头 / no header row: {e}"))])?
        .clone();
    let mut at = [None; 4];
    let mut problems = Vec::new();
    for (i, name) in header.iter().enumerate() {
        match COLUMNS
            .iter()
            .position(|(zh, en)| name == *zh || name.eq_ignore_ascii_case(en))
        {
            Some(c) if at[c].is_none() => at[c] = Some(i),
            Some(_) => problems.push(problem(1, "", format!("表头「{name}」重复 / column {name} twice"))),
            None => problems.push(problem(
                1,
                "",
                format!("未知的列「{name}」，应为 代码、名称、类型、上级代码 / unknown column {name}: expected code, name, kind, parent_code"),
            )),
        }
    }
    for (c, (zh, en)) in COLUMNS.iter().enumerate() {
        if at[c].is_none() {
            problems.push(problem(
                1,
                "",
                format!("缺少「{zh}」列 / the {en} column is missing"),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.push(problem(line, "", format!("读不出这一行 / unreadable: {e}")));
                continue;
            }
        };
        if record.iter().all(str::is_empty) {
            continue;
        }
        let cell = |c: usize| at[c].and_then(|i| record.get(i)).unwrap_or("").to_owned();
        rows.push(Row {
            line,
            code: cell(0),
            name: cell(1),
            kind: cell(2),
            parent_code: cell(3),
        });
    }
    if rows.is_empty() && problems.is_empty() {
        problems.push(problem(0, "", "表中没有单位 / the table holds no unit"));
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(problems)
    }
}

/// UTF-8 when it is (a byte-order mark dropped), else GBK (GB 18030), as
/// a Chinese Excel or WPS writes "CSV".
fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => encoding_rs::GB18030.decode(bytes).0.into_owned(),
    }
}

/// A unit kind as a table names it: its code (`village`) or its Chinese
/// name (`村人民调解委员会`).
fn kind_of(text: &str) -> Option<UnitKind> {
    UnitKind::ALL
        .into_iter()
        .find(|k| k.code() == text || k.name_zh() == text)
}

/// What an import will do.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Plan {
    /// New units, parents before children.
    pub new: Vec<NewUnit>,
    /// Held units whose name changes.
    pub renamed: Vec<(UnitId, String)>,
    /// Held units the table names as they are.
    pub unchanged: usize,
}

/// Checks the rows against the units held, all of them (every problem is
/// listed, not only the first), and plans the import. `mint` gives each
/// new unit its id.
pub fn plan(
    rows: &[Row],
    held: &[Unit],
    mut mint: impl FnMut() -> UnitId,
) -> Result<Plan, Vec<Problem>> {
    let mut problems = Vec::new();
    let held_by_code: HashMap<&str, &Unit> = held.iter().map(|u| (u.code.as_str(), u)).collect();
    let held_by_id: HashMap<UnitId, &Unit> = held.iter().map(|u| (u.id, u)).collect();
    // each row checked on its own; the first row of a code wins, a second
    // is a problem
    let mut wanted: BTreeMap<&str, (&Row, UnitKind)> = BTreeMap::new();
    let mut first_line: HashMap<&str, usize> = HashMap::new();
    for row in rows {
        let mut ok = true;
        if row.code.is_empty()
            || row.code.chars().count() > MAX_CODE_CHARS
            || !row
                .code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            problems.push(problem(
                row.line,
                "代码",
                format!(
                    "应为 1–{MAX_CODE_CHARS} 位字母或数字 / 1–{MAX_CODE_CHARS} letters or digits"
                ),
            ));
            ok = false;
        }
        if row.name.is_empty() || row.name.chars().count() > MAX_NAME_CHARS {
            problems.push(problem(
                row.line,
                "名称",
                format!("应为 1–{MAX_NAME_CHARS} 个字 / 1–{MAX_NAME_CHARS} characters"),
            ));
            ok = false;
        }
        let kind = kind_of(&row.kind);
        if kind.is_none() {
            let known: Vec<&str> = UnitKind::ALL.iter().map(|k| k.code()).collect();
            problems.push(problem(
                row.line,
                "类型",
                format!(
                    "未知的类型「{}」，应为 {} 或其中文名称 / unknown kind",
                    row.kind,
                    known.join("、")
                ),
            ));
            ok = false;
        }
        if row.parent_code == row.code && !row.code.is_empty() {
            problems.push(problem(
                row.line,
                "上级代码",
                "不能是本单位 / a unit is not its own parent",
            ));
            ok = false;
        }
        if !row.code.is_empty() {
            match first_line.get(row.code.as_str()) {
                Some(first) => {
                    problems.push(problem(
                        row.line,
                        "代码",
                        format!("与第 {first} 行重复 / the same code as line {first}"),
                    ));
                    ok = false;
                }
                None => {
                    first_line.insert(row.code.as_str(), row.line);
                }
            }
        }
        if let (true, Some(kind)) = (ok, kind) {
            wanted.insert(row.code.as_str(), (row, kind));
        }
    }
    // each unit's parent: held, or another row; the kinds fit
    let parent_kind = |code: &str| -> Option<UnitKind> {
        wanted
            .get(code)
            .map(|(_, k)| *k)
            .or_else(|| held_by_code.get(code).map(|u| u.kind))
    };
    let roots_held = held.iter().filter(|u| u.parent_id.is_none()).count();
    let mut roots_new = 0;
    for (row, kind) in wanted.values() {
        let parent = if row.parent_code.is_empty() {
            None
        } else {
            match parent_kind(&row.parent_code) {
                Some(k) => Some(k),
                None => {
                    problems.push(problem(
                        row.line,
                        "上级代码",
                        format!(
                            "找不到上级单位「{}」（表中和服务器上都没有）/ no unit has this code",
                            row.parent_code
                        ),
                    ));
                    continue;
                }
            }
        };
        if !kind.may_be_child_of(parent) {
            let under = parent.map_or("（无上级）/ nothing", |k| k.name_zh());
            problems.push(problem(
                row.line,
                "类型",
                format!(
                    "{}不能设在{}之下 / a {} cannot sit under this",
                    kind.name_zh(),
                    under,
                    kind.code()
                ),
            ));
            continue;
        }
        match held_by_code.get(row.code.as_str()) {
            Some(unit) => {
                let held_parent = unit
                    .parent_id
                    .and_then(|p| held_by_id.get(&p))
                    .map_or("", |p| p.code.as_str());
                if unit.kind != *kind {
                    problems.push(problem(
                        row.line,
                        "类型",
                        format!(
                            "已有的单位不能改类型（现为 {}）/ a held unit keeps its kind",
                            unit.kind.code()
                        ),
                    ));
                }
                if held_parent != row.parent_code {
                    problems.push(problem(
                        row.line,
                        "上级代码",
                        format!("已有的单位不能改上级（现为「{held_parent}」）/ a held unit keeps its parent"),
                    ));
                }
            }
            None if parent.is_none() => roots_new += 1,
            None => {}
        }
    }
    if roots_held + roots_new > 1 {
        problems.push(problem(
            0,
            "",
            "只能有一个市级单位（没有上级代码的一行）/ one city only: a single row without a parent",
        ));
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| p.line);
        return Err(problems);
    }
    // parents first: by the depth each new unit will have
    let mut plan = Plan::default();
    let mut paths: HashMap<String, (UnitId, UnitPath)> = held
        .iter()
        .map(|u| (u.code.clone(), (u.id, u.path.clone())))
        .collect();
    let mut pending: Vec<&(&Row, UnitKind)> = wanted
        .values()
        .filter(|(row, _)| !held_by_code.contains_key(row.code.as_str()))
        .collect();
    while !pending.is_empty() {
        let before = pending.len();
        pending.retain(|(row, kind)| {
            let parent = if row.parent_code.is_empty() {
                None
            } else {
                match paths.get(&row.parent_code) {
                    Some(p) => Some(p.clone()),
                    None => return true,
                }
            };
            let id = mint();
            let path = parent
                .as_ref()
                .map_or_else(|| UnitPath::root(id), |(_, p)| p.child(id));
            plan.new.push(NewUnit {
                id,
                code: row.code.clone(),
                name: row.name.clone(),
                kind: *kind,
                parent_id: parent.map(|(p, _)| p),
                path: path.clone(),
            });
            paths.insert(row.code.clone(), (id, path));
            false
        });
        // kinds fit under their parents, so the tree has no cycle: each
        // pass places at least one unit
        assert!(pending.len() < before, "a cycle the kind rules let through");
    }
    for (row, _) in wanted.values() {
        if let Some(unit) = held_by_code.get(row.code.as_str()) {
            if unit.name == row.name {
                plan.unchanged += 1;
            } else {
                plan.renamed.push((unit.id, row.name.clone()));
            }
        }
    }
    Ok(plan)
}

/// Why an import did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file: every problem found, nothing written.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Rejected(Vec<Problem>),
    /// The database holds the demo organisation (its accounts share a
    /// published password): a real one starts in a database of its own.
    #[error(
        "这是演示数据库（账号密码是公开的），真实组织请导入新的数据库 / this is a demo database (its passwords are published): import a real organisation into a new one"
    )]
    DemoDatabase,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Reads, checks and (unless `dry_run`) writes an import, in one
/// transaction: all of it or nothing.
pub async fn import(store: &Store, csv: &[u8], dry_run: bool) -> Result<Plan, ImportError> {
    let demo = |kind: Option<String>| kind.is_some_and(|k| k == "demo");
    if demo(store::settings::get(store, store::settings::DATA_KIND).await?) {
        return Err(ImportError::DemoDatabase);
    }
    let rows = read_csv(csv).map_err(ImportError::Rejected)?;
    let held = store::org::all(store).await?;
    let plan = plan(&rows, &held, UnitId::new_v7).map_err(ImportError::Rejected)?;
    if dry_run {
        return Ok(plan);
    }
    let now = Timestamp::from(jiff::Timestamp::now());
    // from here on the database is a real organisation's (the demo loader
    // refuses it); a demo load that got there first wins
    let kind =
        store::settings::shared(store, store::settings::DATA_KIND, || "real".into(), now).await?;
    if demo(Some(kind)) {
        return Err(ImportError::DemoDatabase);
    }
    let mut tx = store.write().await?;
    store::org::insert_units(&mut tx, &plan.new, now).await?;
    store::org::rename_units(&mut tx, &plan.renamed, now).await?;
    tx.commit().await?;
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str) -> Vec<Row> {
        read_csv(text.as_bytes()).unwrap()
    }

    fn ids() -> impl FnMut() -> UnitId {
        let mut n = 0;
        move || {
            n += 1;
            UnitId::stable(&format!("u{n}"))
        }
    }

    const CITY: &str = "代码,名称,类型,上级代码\n\
        532301,楚雄市人民调解委员会,city,\n\
        532301100,鹿城镇人民调解委员会,township,532301\n\
        532301100201,东瓜村人民调解委员会,村人民调解委员会,532301100\n\
        532301100201-1,东瓜村第一村民调解小组,villager_group,532301100201\n";

    #[test]
    fn a_city_in_any_row_order_lands_parents_first() {
        let mut shuffled: Vec<&str> = CITY.lines().collect();
        shuffled[1..].reverse();
        let plan = plan(&rows(&shuffled.join("\n")), &[], ids()).unwrap();
        let codes: Vec<&str> = plan.new.iter().map(|u| u.code.as_str()).collect();
        assert_eq!(
            codes,
            ["532301", "532301100", "532301100201", "532301100201-1"]
        );
        let group = &plan.new[3];
        assert_eq!(group.kind, UnitKind::VillagerGroup);
        assert_eq!(group.path.depth(), 3);
        assert!(plan.new[0].path.contains(&group.path));
        assert_eq!(group.parent_id, Some(plan.new[2].id));
    }

    #[test]
    fn a_held_unit_keeps_its_id_place_and_kind_and_may_be_renamed() {
        let first = plan(&rows(CITY), &[], ids()).unwrap();
        let held: Vec<Unit> = first
            .new
            .iter()
            .map(|u| Unit {
                id: u.id,
                code: u.code.clone(),
                name: u.name.clone(),
                kind: u.kind,
                parent_id: u.parent_id,
                path: u.path.clone(),
            })
            .collect();
        let again = plan(&rows(CITY), &held, ids()).unwrap();
        assert_eq!(
            (again.new.len(), again.renamed.len(), again.unchanged),
            (0, 0, 4)
        );
        let rekinded = CITY.replace(
            "532301100201,东瓜村人民调解委员会,村人民调解委员会,",
            "532301100201,东瓜社区人民调解委员会,community,",
        );
        let err = plan(&rows(&rekinded), &held, ids()).unwrap_err();
        assert!(
            err.iter().any(|p| p.line == 4 && p.column == "类型"),
            "{err:?}"
        );
        let moved = format!("{CITY}532301200,东华镇人民调解委员会,township,532301\n").replace(
            "532301100201,东瓜村人民调解委员会,村人民调解委员会,532301100",
            "532301100201,东瓜村人民调解委员会,village,532301200",
        );
        let err = plan(&rows(&moved), &held, ids()).unwrap_err();
        assert_eq!((err[0].line, err[0].column), (4, "上级代码"), "{err:?}");
        let new_name = CITY.replace("鹿城镇人民调解委员会", "鹿城镇人民调解委员会（新）");
        let p = plan(&rows(&new_name), &held, ids()).unwrap();
        assert_eq!(
            p.renamed,
            [(held[1].id, "鹿城镇人民调解委员会（新）".to_owned())]
        );
    }

    #[test]
    fn every_problem_is_listed_with_its_line_and_column() {
        let text = "代码,名称,类型,上级代码\n\
            532301,楚雄市,city,\n\
            ,无代码,township,532301\n\
            532301100,,township,532301\n\
            532301101,某镇,town,532301\n\
            532301102,某村,village,532301\n\
            532301103,孤村,village,999\n\
            532301100,重复,township,532301\n\
            532399,另一个市,city,\n";
        let err = plan(&rows(text), &[], ids()).unwrap_err();
        let at: Vec<(usize, &str)> = err.iter().map(|p| (p.line, p.column)).collect();
        assert_eq!(
            at,
            [
                (0, ""),
                (3, "代码"),
                (4, "名称"),
                (5, "类型"),
                (6, "类型"),
                (7, "上级代码"),
                (8, "代码"),
            ],
            "{err:#?}"
        );
        assert!(
            err[4]
                .message
                .contains("村人民调解委员会不能设在市人民调解委员会之下"),
            "{}",
            err[4]
        );
    }

    #[test]
    fn a_header_in_english_in_any_order_a_bom_and_gbk_are_read() {
        let english = "\u{feff}parent_code,kind,code,name\n,city,532301,楚雄市\n";
        let r = read_csv(english.as_bytes()).unwrap();
        assert_eq!(
            (r[0].code.as_str(), r[0].name.as_str(), r[0].kind.as_str()),
            ("532301", "楚雄市", "city")
        );
        let (gbk, _, _) = encoding_rs::GBK
            .encode("代码,名称,类型,上级代码\n532301,楚雄市人民调解委员会,市人民调解委员会,\n");
        let r = read_csv(&gbk).unwrap();
        assert_eq!(r[0].name, "楚雄市人民调解委员会");
        assert_eq!(kind_of(&r[0].kind), Some(UnitKind::City));
        let missing = read_csv("代码,名称\n1,a\n".as_bytes()).unwrap_err();
        assert_eq!(missing.len(), 2, "{missing:?}");
        assert!(
            read_csv("代码,名称,类型,上级代码\n\n".as_bytes()).is_err(),
            "no unit"
        );
    }
}
