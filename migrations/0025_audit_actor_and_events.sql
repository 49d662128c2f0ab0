-- The audit trail names the real actor and records money events (issue 16).
--   actor      the application actor (p_actor of the procedure, via @billing_actor), as before;
--              'db:<user>' for a change by direct SQL
--   db_user    the database session user, USER() (inside a trigger or a SQL SECURITY DEFINER
--              procedure CURRENT_USER() is the definer, the schema owner, not who connected);
--              NULL on rows written before this migration
--   action     insert / update / delete for the row triggers of master data, and the name of an
--              event written by a procedure (payment_posted, payment_reversed, billing_run_started,
--              ...; docs/routines.md, "The audit trail"), hence a string, not an ENUM
--   account_id the account an event concerns, when there is one (filters by account/customer)
ALTER TABLE audit_log
  MODIFY COLUMN action VARCHAR(40) NOT NULL,
  ADD COLUMN db_user VARCHAR(100) NULL AFTER actor,
  ADD COLUMN account_id INT UNSIGNED NULL AFTER row_key,
  ADD KEY ix_audit_account (account_id, audit_id),
  ADD KEY ix_audit_actor (actor, audit_id),
  ADD KEY ix_audit_action (action, audit_id);
