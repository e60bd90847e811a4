-- Blind indexes of persons' searchable fields, SQLite dialect. Keep in step
-- with ../postgres/00003_blind_index.sql.
--
-- Each *_bidx column holds a keyed hash (HMAC-SHA256 through the
-- care-index keyset) of the field's normalised value: a version byte, the
-- 4-byte id of the key that made it, then 16 bytes of the hash. It lets an
-- exact-match search find a person without the database holding the value;
-- it reveals which rows share a value of the same field, nothing more.
-- NULL when the field is empty, and for rows stored before this migration
-- until 'haven keys rotate' fills them in. See docs/KEYS.md.

-- +goose Up
ALTER TABLE persons ADD COLUMN given_name_bidx BLOB;
ALTER TABLE persons ADD COLUMN family_name_bidx BLOB;
ALTER TABLE persons ADD COLUMN date_of_birth_bidx BLOB;
ALTER TABLE persons ADD COLUMN document_number_bidx BLOB;
CREATE INDEX persons_given_name_bidx ON persons(given_name_bidx);
CREATE INDEX persons_family_name_bidx ON persons(family_name_bidx);
CREATE INDEX persons_date_of_birth_bidx ON persons(date_of_birth_bidx);
CREATE INDEX persons_document_number_bidx ON persons(document_number_bidx);
-- A search goes from the matching persons to their cases.
CREATE INDEX cases_person ON cases(person_id);

-- +goose Down
DROP INDEX cases_person;
DROP INDEX persons_document_number_bidx;
DROP INDEX persons_date_of_birth_bidx;
DROP INDEX persons_family_name_bidx;
DROP INDEX persons_given_name_bidx;
ALTER TABLE persons DROP COLUMN document_number_bidx;
ALTER TABLE persons DROP COLUMN date_of_birth_bidx;
ALTER TABLE persons DROP COLUMN family_name_bidx;
ALTER TABLE persons DROP COLUMN given_name_bidx;
