-- Least-privilege users for ClickHouse servers with SQL access control (20.5 and later); ClickHouse
-- 18.16 has none, so scripts/stack/stack.sh installs users.xml.template there instead. Replace the
-- passwords before running, once per database:  clickhouse-client --multiquery < access.sql
CREATE USER IF NOT EXISTS streamrec_engine IDENTIFIED WITH sha256_password BY 'change-me-engine' HOST LOCAL;
CREATE USER IF NOT EXISTS streamrec_analyst IDENTIFIED WITH sha256_password BY 'change-me-analyst' HOST LOCAL
    SETTINGS readonly = 2, max_execution_time = 120;
-- The engine creates its database and tables (migrations) and writes rows; nothing outside it.
GRANT CREATE DATABASE, CREATE TABLE, CREATE VIEW, ALTER TABLE, INSERT, SELECT ON streamrec.* TO streamrec_engine;
-- Analysts and Grafana read.
GRANT SELECT ON streamrec.* TO streamrec_analyst;
