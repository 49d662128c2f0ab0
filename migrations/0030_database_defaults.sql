-- The database's own defaults: utf8mb4 with utf8mb4_unicode_ci, the collation of every table.
-- Routine parameters and locals take the database's default collation when the routine is
-- created; in a database made with other defaults (latin1, or utf8mb4 with the server's default
-- collation: utf8mb4_general_ci on MariaDB, utf8mb4_0900_ai_ci on MySQL 8.4) comparing them with
-- the columns fails with 1267 "Illegal mix of collations". Without a name, ALTER DATABASE
-- changes the database of the connection, whatever it is called. Routines are (re-)created after
-- every table migration (db/deploy.py), so they all see these defaults.
ALTER DATABASE CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
