-- revision: cc33
-- down_revision: aa11, bb22
-- depends_on: L0
-- branch_labels: L1
-- +upgrade sqlite
CREATE TEMP TRIGGER tr AFTER INSERT ON t BEGIN
  UPDATE t SET n = CASE WHEN n IS NULL THEN 1 ELSE n + 1 END;
  SELECT [odd;name];
END;
EXPLAIN CREATE TRIGGER t2 BEGIN SELECT 1; END;
BEGIN IMMEDIATE; END TRANSACTION;
-- +downgrade sqlite
DROP TRIGGER tr;
