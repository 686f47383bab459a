-- revision: aa11
-- down_revision:
-- +upgrade postgresql
CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN NEW.at = now(); RETURN NEW; END;
$body$;
CREATE OR REPLACE PROCEDURE p(a int) LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN a > 0 THEN 1 END; END;
SELECT E'it\'s', $$x;y$$, /* nested /* comment */ */ 1;
DO $$ BEGIN PERFORM 1; END $$;
SAVEPOINT s; ROLLBACK TO SAVEPOINT s;
-- +upgrade
SELECT 'C:\';
-- +downgrade
DROP FUNCTION f;
