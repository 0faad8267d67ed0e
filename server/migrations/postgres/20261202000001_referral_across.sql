-- Referral across the tree (docs/screening.md, "Ownership and referral"):
-- a case referred to a sector, administrative-department committee or the
-- resolution centre is off the receiving unit's branch, so scope by the
-- case's unit path does not reach it. Two paths beside the ownership say
-- who else sees the case, each set only when that unit is off the case's
-- path: `pending_path` (the unit a referral waits at: its people read the
-- case online and accept or decline it) and `grant_path` (the owner's unit
-- once accepted: its phones pull the case, push changes to it and read its
-- photos). Not indexed: a pull joins `case_ownership` by case id, and the
-- table holds only cases ever referred. Kept in step with the other
-- database's migration of the same name.
ALTER TABLE case_ownership ADD COLUMN pending_path TEXT;
ALTER TABLE case_ownership ADD COLUMN grant_path TEXT;
