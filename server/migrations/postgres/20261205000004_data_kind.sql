-- Whether the database holds the demo organisation or a real one
-- (security issue, item 12): `data_kind` is 'demo' once the demo loader
-- wrote it, 'real' once an organisation was imported, and each refuses the
-- other's database. A database the demo loader filled before this (the
-- demo city with the demo mediator's log-in) is marked as demo. Kept in
-- step with the other database's migration of the same name.
INSERT INTO server_setting (name, value, created_at)
SELECT 'data_kind', 'demo', '2023-07-25T00:00:00Z'
WHERE EXISTS (SELECT 1 FROM org_unit WHERE code = '532301' AND parent_id IS NULL)
  AND EXISTS (SELECT 1 FROM account WHERE phone = '13800000001')
ON CONFLICT (name) DO NOTHING;
