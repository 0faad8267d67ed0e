//! `tiaojie user …`: a person with an account and roles, for a real
//! organisation's people (the demo loader makes its own); a new password;
//! an account disabled (someone left) or enabled again.

use crate::service::password;
use crate::store::{Store, org, people};
use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use domain::{AccountId, PersonId, PersonKind, Phone, Role, Timestamp};
use std::io::{BufRead, IsTerminal};

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a person with an account and roles. The password is read from
    /// TIAOJIE_PASSWORD or, when that is unset, from the first line of stdin.
    Add(UserAddArgs),
    /// Set an account's password (TIAOJIE_PASSWORD, or the first line of
    /// stdin). The account's phones stay logged in: to end one, revoke it
    /// at 设备管理, or disable the account.
    Passwd(UserPhoneArgs),
    /// Disable an account: it can no longer log in, and each of its phones
    /// is refused (401 `disabled`) at its next sync and wiped.
    Disable(UserPhoneArgs),
    /// Enable a disabled account again (its phones log in anew).
    Enable(UserPhoneArgs),
}

#[derive(Debug, Args)]
pub struct UserPhoneArgs {
    /// The account's mobile number (11 digits).
    #[arg(long)]
    pub phone: String,
}

#[derive(Debug, Args)]
pub struct UserAddArgs {
    /// Mobile number used to log in (11 digits).
    #[arg(long)]
    pub phone: String,
    /// The person's full name.
    #[arg(long)]
    pub name: String,
    /// Code of the unit the person belongs to and holds the roles at, e.g. 532301100.
    #[arg(long)]
    pub unit: String,
    /// Role(s): mediator, committee_head, judicial_staff, judicial_director,
    /// township_leader, bureau_section, bureau_approver, bureau_party_group,
    /// bureau_finance, township_finance. Repeat for several.
    #[arg(long = "role", required = true)]
    pub roles: Vec<Role>,
    /// What the person is: mediator_full_time, mediator_part_time, informant, office_staff.
    /// Default: mediator_part_time for a mediator, office_staff otherwise.
    #[arg(long)]
    pub kind: Option<PersonKind>,
}

/// Reads the new account's password: TIAOJIE_PASSWORD, else a line of stdin.
fn read_password() -> anyhow::Result<String> {
    if let Ok(p) = std::env::var("TIAOJIE_PASSWORD") {
        return Ok(p);
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return rpassword::prompt_password("密码 / password: ").context("reading the password");
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .context("reading the password from stdin")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

pub async fn add(db: &Store, args: UserAddArgs) -> anyhow::Result<()> {
    // Check everything before writing anything.
    let phone = Phone::parse(&args.phone).map_err(|e| anyhow::anyhow!("--phone: {e}"))?;
    let name = args.name.trim();
    if name.is_empty() {
        bail!("--name: 姓名不能为空 / name must not be empty");
    }
    let Some(unit) = org::by_code(db, &args.unit).await? else {
        bail!(
            "--unit: 找不到代码为 {} 的组织 / no unit with this code",
            args.unit
        );
    };
    if people::account_by_phone(db, &phone).await?.is_some() {
        bail!("--phone: 该手机号已有账号 / an account with this phone already exists");
    }
    let unit_kind = unit.kind;
    if let Some(role) = args.roles.iter().find(|r| !r.may_be_held_at(unit_kind)) {
        bail!(
            "--role: {}不能设在{}（{}） / a {} cannot be held at a {}",
            role.name_zh(),
            unit_kind.name_zh(),
            unit.name,
            role.name_en(),
            unit_kind.name_en()
        );
    }
    let kind = args.kind.unwrap_or(if args.roles == [Role::Mediator] {
        PersonKind::MediatorPartTime
    } else {
        PersonKind::OfficeStaff
    });
    let password = read_password()?;
    let hash = password::hash(&password).map_err(|e| anyhow::anyhow!("password: {e}"))?;

    let unit_id = unit.id;
    let person_id = PersonId::new_v7();
    let now = Timestamp::from(jiff::Timestamp::now());
    let mut tx = db.begin().await?;
    people::insert_people(
        &mut tx,
        &[people::NewPerson {
            id: person_id,
            unit_id,
            name: name.to_owned(),
            kind,
            sex: None,
            phone: Some(phone.clone()),
        }],
        now,
    )
    .await?;
    let grants: Vec<people::NewGrant> = args
        .roles
        .iter()
        .map(|&role| people::NewGrant {
            person_id,
            role,
            unit_id,
        })
        .collect();
    people::insert_grants(&mut tx, &grants, now).await?;
    let created = people::insert_account(
        &mut tx,
        &people::NewAccount {
            id: AccountId::new_v7(),
            person_id,
            phone: phone.clone(),
            password_hash: hash,
        },
        now,
    )
    .await?;
    if !created {
        tx.rollback().await?;
        bail!("--phone: 该手机号已有账号 / an account with this phone already exists");
    }
    tx.commit().await?;
    let roles: Vec<&str> = args.roles.iter().map(|r| r.name_zh()).collect();
    println!(
        "已创建账号 / account created: {phone} {name} @ {} [{}]",
        unit.name,
        roles.join("、")
    );
    Ok(())
}

/// The account of `--phone`, or an error naming the flag.
async fn account(db: &Store, phone: &str) -> anyhow::Result<people::Account> {
    let phone = Phone::parse(phone).map_err(|e| anyhow::anyhow!("--phone: {e}"))?;
    people::account_by_phone(db, &phone)
        .await?
        .ok_or_else(|| anyhow::anyhow!("--phone: 没有该手机号的账号 / no account with this phone"))
}

pub async fn passwd(db: &Store, args: UserPhoneArgs) -> anyhow::Result<()> {
    let account = account(db, &args.phone).await?;
    let password = read_password()?;
    let hash = password::hash(&password).map_err(|e| anyhow::anyhow!("password: {e}"))?;
    let now = Timestamp::from(jiff::Timestamp::now());
    people::set_password_hash(db, account.id, &hash, now).await?;
    println!("已设置新密码 / password set: {}", account.phone);
    Ok(())
}

/// `disable` (`true`) or `enable` (`false`).
pub async fn set_disabled(db: &Store, args: UserPhoneArgs, disabled: bool) -> anyhow::Result<()> {
    let account = account(db, &args.phone).await?;
    let now = Timestamp::from(jiff::Timestamp::now());
    let at = disabled.then_some(account.disabled_at.unwrap_or(now));
    people::set_disabled(db, account.id, at, now).await?;
    if disabled {
        println!("账号已停用 / account disabled: {}", account.phone);
    } else {
        println!("账号已启用 / account enabled: {}", account.phone);
    }
    Ok(())
}
