-- Foundation: the organisation tree, people, roles and accounts.
-- Kept in step with migrations/postgres/20261128000001_foundation.sql.
-- Conventions: ids are UUID text; timestamps are RFC 3339 UTC text
-- ('2026-11-28T10:00:00Z'), dates ISO text; money is integer fen (BIGINT),
-- never floating point; enumerations are reference tables, so a new kind is
-- an INSERT in a new migration, not a table rebuild.

CREATE TABLE unit_kind (
    code    TEXT PRIMARY KEY,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL
);

INSERT INTO unit_kind (code, name_zh, name_en) VALUES
    ('city',           '市人民调解委员会',           'city mediation committee'),
    ('centre',         '矛盾纠纷多元化解中心',       'multi-channel dispute resolution centre'),
    ('sector',         '行业性专业性人民调解委员会', 'sector committee'),
    ('admin_dept',     '行政主管部门人民调解委员会', 'administrative-department committee'),
    ('township',       '乡(镇)人民调解委员会',       'township committee'),
    ('village',        '村人民调解委员会',           'village committee'),
    ('community',      '社区人民调解委员会',         'community committee'),
    ('compound',       '小区调解委员会',             'compound committee'),
    ('villager_group', '村民调解小组',               'villager group'),
    ('resident_group', '居民调解小组',               'resident group');

CREATE TABLE org_unit (
    id         TEXT PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL CHECK (length(name) > 0),
    kind       TEXT NOT NULL REFERENCES unit_kind (code),
    parent_id  TEXT REFERENCES org_unit (id),
    -- ids of the ancestors and the unit itself, '/a/b/c/': a subtree is
    -- "path LIKE '/a/b/%'", which every scoped query uses.
    path       TEXT NOT NULL UNIQUE,
    depth      BIGINT NOT NULL CHECK (depth >= 0),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX org_unit_parent ON org_unit (parent_id);
CREATE INDEX org_unit_kind ON org_unit (kind);

CREATE TABLE person_kind (
    code    TEXT PRIMARY KEY,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL
);

INSERT INTO person_kind (code, name_zh, name_en) VALUES
    ('mediator_full_time', '专职人民调解员', 'full-time mediator'),
    ('mediator_part_time', '兼职人民调解员', 'part-time mediator'),
    ('informant',          '信息员',         'informant'),
    ('office_staff',       '工作人员',       'office staff');

CREATE TABLE person (
    id         TEXT PRIMARY KEY,
    unit_id    TEXT NOT NULL REFERENCES org_unit (id),
    name       TEXT NOT NULL CHECK (length(name) > 0),
    kind       TEXT NOT NULL REFERENCES person_kind (code),
    sex        TEXT CHECK (sex IN ('male', 'female')),
    phone      TEXT,
    active     BIGINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX person_unit ON person (unit_id);

CREATE TABLE role (
    code    TEXT PRIMARY KEY,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL
);

INSERT INTO role (code, name_zh, name_en) VALUES
    ('mediator',           '调解员',               'mediator'),
    ('committee_head',     '调委会主任',           'committee head'),
    ('judicial_staff',     '司法所在编人员',       'judicial office staff'),
    ('judicial_director',  '司法所长',             'judicial office director'),
    ('township_leader',    '乡(镇)分管领导',       'township leader'),
    ('bureau_section',     '市司法局主管业务科室', 'bureau business section'),
    ('bureau_approver',    '市司法局审批',         'bureau approver'),
    ('bureau_party_group', '市司法局党组',         'bureau party group'),
    ('bureau_finance',     '市司法局财务',         'bureau finance'),
    ('township_finance',   '乡(镇)财政所',         'township finance office');

-- A role is held at a unit; that unit's subtree is the role's scope.
CREATE TABLE role_grant (
    person_id  TEXT NOT NULL REFERENCES person (id),
    role       TEXT NOT NULL REFERENCES role (code),
    unit_id    TEXT NOT NULL REFERENCES org_unit (id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (person_id, role, unit_id)
);
CREATE INDEX role_grant_unit ON role_grant (unit_id);

CREATE TABLE account (
    id            TEXT PRIMARY KEY,
    person_id     TEXT NOT NULL UNIQUE REFERENCES person (id),
    -- the log-in name: an 11-digit mainland mobile number
    phone         TEXT NOT NULL UNIQUE,
    -- argon2id PHC string
    password_hash TEXT NOT NULL,
    disabled_at   TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
