//! The screens loaded on demand (按需加载). Each is a `LazyRoute`: built with
//! `cargo leptos build --split`, its view code is a separate wasm chunk that
//! is fetched the first time the screen is opened, so the first visit
//! downloads and compiles only the shell, the router and Home. The service
//! worker precaches every chunk (`server/src/offline.rs`), so offline every
//! screen still opens. On the server (`ssr`) nothing is split.

use crate::pwa::page_shown;
use leptos::prelude::*;
use leptos_router::{LazyRoute, lazy_route};

/// 以案定补测算 — the subsidy calculator.
pub struct Subsidy;

#[lazy_route]
impl LazyRoute for Subsidy {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        page_shown();
        view! { <super::subsidy::SubsidyPage /> }.into_any()
    }
}

/// 案件列表 — the case list.
pub struct CaseList;

#[lazy_route]
impl LazyRoute for CaseList {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        page_shown();
        view! { <super::case_list::CaseListPage /> }.into_any()
    }
}

/// 口头调解登记 — the quick oral-agreement form.
pub struct OralForm;

#[lazy_route]
impl LazyRoute for OralForm {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        page_shown();
        // 新增纠纷 (`/cases/new/general`) is the same form: one lazy route
        // for both, so the two do not each add chunks to the first load
        let oral = !leptos_router::hooks::use_location()
            .pathname
            .get_untracked()
            .ends_with("/general");
        view! { <super::case_form::NewCasePage oral=oral /> }.into_any()
    }
}

/// 案件详情 — one case: timeline, tier, sessions, forms, photos; and its
/// A4 print views.
pub struct CaseDetail;

#[lazy_route]
impl LazyRoute for CaseDetail {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        page_shown();
        // 打印 (`/cases/:id/print/:form`), the A4 print views, is opened
        // from the case page: one lazy route for both (its chunks are
        // loaded by then), one route fewer adding chunks to the first load
        if leptos_router::hooks::use_location()
            .pathname
            .get_untracked()
            .contains("/print/")
        {
            view! { <super::print::PrintPage /> }.into_any()
        } else {
            view! { <super::case_page::CasePage /> }.into_any()
        }
    }
}

/// 本机数据 — storage, export/import, profile, reset.
pub struct Data;

#[lazy_route]
impl LazyRoute for Data {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        page_shown();
        view! { <super::data::DataPage /> }.into_any()
    }
}

/// 排查登记 — a screening report (零上报 or disputes found).
pub struct Screening;

#[lazy_route]
impl LazyRoute for Screening {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        page_shown();
        view! { <super::screening_form::ScreeningPage /> }.into_any()
    }
}

/// 收件箱 — an office's escalated high-risk disputes (online).
pub struct Inbox;

#[lazy_route]
impl LazyRoute for Inbox {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        page_shown();
        view! { <super::inbox::InboxPage /> }.into_any()
    }
}

/// 登录 — log-in.
pub struct Login;

#[lazy_route]
impl LazyRoute for Login {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        page_shown();
        view! { <super::login::LoginPage /> }.into_any()
    }
}

/// 账号管理, 设备管理 and 排查履职 — an office's accounts of the people below
/// it (a new password, an account stopped or let in again), their devices
/// (revocation) and its screening compliance view: the office's screens,
/// one lazy route for the three paths (each lazy route adds chunks and
/// loader entries to the first load).
pub struct Accounts;

#[lazy_route]
impl LazyRoute for Accounts {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        page_shown();
        let path = leptos_router::hooks::use_location()
            .pathname
            .get_untracked();
        if path.starts_with("/devices") {
            view! { <super::devices::DevicesPage /> }.into_any()
        } else if path.starts_with("/compliance") {
            view! { <super::compliance::CompliancePage /> }.into_any()
        } else {
            view! { <super::accounts::AccountsPage /> }.into_any()
        }
    }
}

/// 补助申报与审批 and 我的补助 — a committee's quarterly claim, every step
/// of its approval and payment, and a mediator's own subsidy: one lazy
/// route for both paths, so the two screens share their chunks (each lazy
/// route adds chunks and loader entries to the first load).
pub struct Claims;

#[lazy_route]
impl LazyRoute for Claims {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        page_shown();
        let path = leptos_router::hooks::use_location()
            .pathname
            .get_untracked();
        if path.starts_with("/my-subsidy") {
            view! { <super::my_subsidy::MySubsidyPage /> }.into_any()
        } else {
            view! { <super::claims::ClaimsPage /> }.into_any()
        }
    }
}
