//! The OpenAPI schemas (接口文档) of the wire types whose JSON serde writes
//! by hand — a moment, money, an ID number, a phone number, a form code, a
//! tier's amount — and of a record's payload, whose type depends on its
//! `entity`. Every other wire type derives `utoipa::ToSchema` beside its
//! definition, so the published document follows the Rust types.

use crate::Money;
use crate::risk::{RiskLevelDef, RiskLevels};
use crate::rules::{FormCode, TierAmount};
use crate::time::Timestamp;
use crate::validate::{Phone, ResidentId};
use utoipa::openapi::schema::{
    ArrayBuilder, KnownFormat, ObjectBuilder, OneOfBuilder, Schema, SchemaFormat, Type,
};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};

/// A string, with what it holds and, where it has one, its exact form.
fn text(description: &str, pattern: Option<&str>, format: Option<KnownFormat>) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .pattern(pattern)
        .format(format.map(SchemaFormat::KnownFormat))
        .into()
}

/// A JSON-Schema pattern for money as written: yuan with two places.
const MONEY_PATTERN: &str = r"^-?[0-9]+\.[0-9]{2}$";

impl PartialSchema for Timestamp {
    fn schema() -> RefOr<Schema> {
        text(
            "RFC 3339 in UTC with six fractional digits, e.g. 2026-11-25T02:00:00.000000Z",
            None,
            Some(KnownFormat::DateTime),
        )
    }
}
impl ToSchema for Timestamp {}

impl PartialSchema for crate::money_trail::Day {
    fn schema() -> RefOr<Schema> {
        text(
            "A calendar day, YYYY-MM-DD",
            Some(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"),
            Some(KnownFormat::Date),
        )
    }
}
impl ToSchema for crate::money_trail::Day {}

impl PartialSchema for Money {
    fn schema() -> RefOr<Schema> {
        text(
            "An amount in yuan with two places, as a string (金额), e.g. \"30.00\"",
            Some(MONEY_PATTERN),
            None,
        )
    }
}
impl ToSchema for Money {}

impl PartialSchema for ResidentId {
    fn schema() -> RefOr<Schema> {
        text(
            "An 18-character resident ID number (身份证号) whose check digit is valid; \
             spaces are ignored and a lowercase x accepted when sent",
            Some(r"^[0-9]{17}[0-9X]$"),
            None,
        )
    }
}
impl ToSchema for ResidentId {}

impl PartialSchema for Phone {
    fn schema() -> RefOr<Schema> {
        text(
            "A mainland mobile number (手机号), 11 digits starting 13–19; a leading +86, \
             spaces and dashes are accepted and removed when sent",
            Some(r"^1[3-9][0-9]{9}$"),
            None,
        )
    }
}
impl ToSchema for Phone {}

impl PartialSchema for FormCode {
    fn schema() -> RefOr<Schema> {
        text(
            "A dossier form (文书) by its code, e.g. `agreement`; the six of 一案六表 are \
             application, registration, investigation, mediation_record, agreement, follow_up",
            Some("^[a-z0-9_:]{1,40}$"),
            None,
        )
    }
}
impl ToSchema for FormCode {}

impl PartialSchema for TierAmount {
    fn schema() -> RefOr<Schema> {
        text(
            "What a tier pays: an amount in yuan (\"30.00\"), or \"by_approval\" (the case's \
             approved_amount)",
            Some(r"^(-?[0-9]+\.[0-9]{2}|by_approval)$"),
            None,
        )
    }
}
impl ToSchema for TierAmount {}

impl PartialSchema for RiskLevels {
    fn schema() -> RefOr<Schema> {
        ArrayBuilder::new()
            .items(RiskLevelDef::schema())
            .description(Some("A locality's risk levels (风险等级), e.g. 高/中/低"))
            .into()
    }
}
impl ToSchema for RiskLevels {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((RiskLevelDef::name().into(), RiskLevelDef::schema()));
    }
}

/// A record as it travels (`payload`, `server`): the type its `entity`
/// names — `case`, `screening` (pushed and pulled), `unit`, `schedule`,
/// `rule_set` (pulled from the reference stream) — or absent.
pub fn record() -> RefOr<Schema> {
    OneOfBuilder::new()
        .item(Ref::from_schema_name("Case"))
        .item(Ref::from_schema_name("ScreeningRecord"))
        .item(Ref::from_schema_name("UnitRecord"))
        .item(Ref::from_schema_name("Schedule"))
        .item(Ref::from_schema_name("RuleSet"))
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .description(Some(
            "The whole record, of the type `entity` names: case → Case (案件), screening → \
             ScreeningRecord (排查记录), unit → UnitRecord, schedule → Schedule, rule_set → \
             RuleSet. Absent (or null) for a delete or a tombstone.",
        ))
        .into()
}

/// The record a conflict answers with (`MutationResult.server`): a case
/// or a screening record, or absent.
pub fn conflict_record() -> RefOr<Schema> {
    OneOfBuilder::new()
        .item(Ref::from_schema_name("Case"))
        .item(Ref::from_schema_name("ScreeningRecord"))
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .description(Some(
            "Conflict: the record as the server now holds it (a Case, or a ScreeningRecord)",
        ))
        .into()
}
