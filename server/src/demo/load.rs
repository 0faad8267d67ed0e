//! Loading the demo organisation into the database, idempotently: rows that
//! exist are left alone and existing accounts keep their password hash.

use super::{DEMO_PASSWORD, DemoAccount, chuxiong};
use crate::service::password;
use crate::store::{Store, StoreError, org, people, settings};
use domain::Timestamp;

/// Why the demo organisation was not loaded.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// The database holds another organisation, or an account that is not
    /// a demo one: demo accounts with a published password must never land
    /// in a real deployment.
    #[error(
        "数据库中已有其他组织（{0}），演示数据只能装入空库或演示库 / the database holds another organisation ({0}); demo data goes only into an empty or demo database"
    )]
    NotADemoDatabase(String),
    /// The case history needs the demo organisation loaded first.
    #[error(
        "演示组织尚未载入，请先运行 seed-demo / the demo organisation is not loaded: run seed-demo first"
    )]
    NoDemoOrganisation,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a load did, and the log-ins to print.
#[derive(Debug, Clone)]
pub struct SeedReport {
    pub units_added: u64,
    pub people_added: u64,
    pub accounts_added: u64,
    pub accounts: Vec<DemoAccount>,
}

/// The demo rows carry the article's date, so a reload writes identical rows.
fn demo_timestamp() -> Timestamp {
    "2023-07-25T00:00:00.000000Z"
        .parse()
        .expect("the demo timestamp reads")
}

#[tracing::instrument(skip_all, err)]
pub async fn load(db: &Store) -> Result<SeedReport, SeedError> {
    let foreign_root = org::root(db)
        .await?
        .filter(|root| root.code != super::CITY_CODE);
    if let Some(root) = foreign_root {
        return Err(SeedError::NotADemoDatabase(format!(
            "{} {}",
            root.code, root.name
        )));
    }
    let org = chuxiong();
    // nor into the city's own database once it has real accounts
    let foreign_account = people::account_phones(db)
        .await?
        .into_iter()
        .find(|phone| !org.accounts.iter().any(|a| a.phone.as_str() == phone));
    if let Some(phone) = foreign_account {
        return Err(SeedError::NotADemoDatabase(format!(
            "账号 / account {phone}"
        )));
    }
    // and never into a database an organisation was imported into; from
    // here on this one is the demo's
    let kind =
        settings::shared(db, settings::DATA_KIND, || "demo".into(), demo_timestamp()).await?;
    if kind != "demo" {
        return Err(SeedError::NotADemoDatabase(
            "导入的真实组织 / an imported organisation".into(),
        ));
    }

    // Hash passwords only for accounts that do not exist yet, before the
    // transaction (hashing is slow and must not hold the write lock).
    let mut new_accounts = Vec::new();
    for a in &org.accounts {
        if people::account_by_phone(db, &a.phone).await?.is_none() {
            let hash = password::hash(DEMO_PASSWORD).expect("the demo password is valid");
            new_accounts.push(people::NewAccount {
                id: a.id,
                person_id: a.person_id,
                phone: a.phone.clone(),
                password_hash: hash,
            });
        }
    }

    let mut tx = db.begin().await?;
    let units_added = org::insert_units(&mut tx, &org.units, demo_timestamp()).await?;
    let people_added = people::insert_people(&mut tx, &org.people, demo_timestamp()).await?;
    people::insert_grants(&mut tx, &org.grants, demo_timestamp()).await?;
    let mut accounts_added = 0;
    let now = Timestamp::from(jiff::Timestamp::now());
    for account in &new_accounts {
        if people::insert_account(&mut tx, account, now).await? {
            accounts_added += 1;
        }
    }
    tx.commit().await?;
    tracing::info!(
        units_added,
        people_added,
        accounts_added,
        "demo organisation loaded"
    );
    Ok(SeedReport {
        units_added,
        people_added,
        accounts_added,
        accounts: org.accounts,
    })
}
