-- A screening record's optional photo (排查照片: the visit, the meeting's
-- sign-in sheet), named by its SHA-256 like a case's photos: the record's
-- latest version declares it, and the attachment endpoints let whoever can
-- see the record's unit upload and read it (docs/sync.md, "Attachments").
-- Kept in step with the other database's migration of the same name.
ALTER TABLE screening_record ADD COLUMN photo_sha256 TEXT;
ALTER TABLE screening_record ADD COLUMN photo_bytes BIGINT;
ALTER TABLE screening_record ADD COLUMN photo_type TEXT;
CREATE INDEX screening_record_photo ON screening_record (photo_sha256);
