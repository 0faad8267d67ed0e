-- Photo storage per account (security issue, item 6): who first sent a
-- stored content's bytes is charged for them; uploads under way count
-- too (attachment_upload.received). Contents stored before this are
-- nobody's. Kept in step with the other database's migration of the same
-- name.
ALTER TABLE attachment_blob ADD COLUMN uploaded_by TEXT;
CREATE INDEX attachment_blob_uploaded_by ON attachment_blob (uploaded_by);
CREATE INDEX attachment_upload_uploader ON attachment_upload (uploader);
