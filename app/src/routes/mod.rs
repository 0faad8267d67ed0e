//! One module per screen.

pub mod accounts;
pub mod case_form;
pub mod case_list;
pub mod case_page;
pub mod claims;
pub mod compliance;
pub mod data;
pub mod devices;
pub mod fixed_pay_card;
pub mod home;
pub mod inbox;
pub mod lazy;
pub mod login;
pub mod my_subsidy;
pub mod not_found;
pub mod print;
pub mod reconcile_card;
pub mod screening_form;
pub mod special_form;
pub mod spot_check_card;
pub mod subsidy;
