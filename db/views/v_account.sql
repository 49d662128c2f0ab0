-- v_account: accounts with their tariff, open/closed status and the meter installed now
-- (a helper view of the staff web app, not part of the contract; see docs/webapp.md).
--
-- Columns
--   account_id, account_no, customer_id
--   tariff_code, tariff_name        the account's tariff
--   service_address, opened_on, closed_on
--   status                          'open' while closed_on is NULL, else 'closed'
--   meter_id, serial_no, dial_digits, multiplier, installed_on
--                                   the active meter installation (removed_on IS NULL);
--                                   all NULL when no meter is installed
-- One row per account (an account has at most one active meter: uk_installation_active_account).
-- Example: SELECT * FROM v_account WHERE customer_id = 7 ORDER BY account_no;
CREATE VIEW v_account AS
SELECT a.account_id,
       a.account_no,
       a.customer_id,
       t.code AS tariff_code,
       t.name AS tariff_name,
       a.service_address,
       a.opened_on,
       a.closed_on,
       IF(a.closed_on IS NULL, 'open', 'closed') AS status,
       m.meter_id,
       m.serial_no,
       m.dial_digits,
       m.multiplier,
       mi.installed_on
  FROM account a
  JOIN tariff t ON t.tariff_id = a.tariff_id
  LEFT JOIN meter_installation mi ON mi.active_account_id = a.account_id
  LEFT JOIN meter m ON m.meter_id = mi.meter_id
