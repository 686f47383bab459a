-- revision: 3f5aacf09e0d
-- down_revision: 1975ea83b712
-- message: Add patient email
-- create_date: 2025-11-08 14:30:00

-- +upgrade
ALTER TABLE patients ADD COLUMN email VARCHAR(255);
CREATE UNIQUE INDEX ix_patients_email ON patients (email);

-- +downgrade
DROP INDEX ix_patients_email;
ALTER TABLE patients DROP COLUMN email;

-- +downgrade mysql
DROP INDEX ix_patients_email ON patients;
ALTER TABLE patients DROP COLUMN email;
