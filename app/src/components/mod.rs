//! Reusable widgets.

pub mod autosave;
pub mod field;
pub mod history_card;
pub mod lang_switch;
pub mod major_card;
pub mod office_actions;
pub mod office_screen;
pub mod pending_sync;
pub mod photo_thumb;
pub mod referral_card;
pub mod reminders_card;
pub mod risk_card;
pub mod sync_card;
pub mod sync_notes;
pub mod tier_preview;
pub mod update_banner;
