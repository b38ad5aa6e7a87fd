-- Data minimisation: once the CRM holds a member, the kiosk keeps no full number for them.
-- members.phone_e164 then holds 'hmac:<hex>' (HMAC-SHA256 under the fleet key, kept in a
-- file beside the database, never in it), and phone_last4 the digits shown as ****1234.
ALTER TABLE members ADD COLUMN phone_last4 TEXT;
UPDATE members SET phone_last4 = substr(phone_e164, -4);
