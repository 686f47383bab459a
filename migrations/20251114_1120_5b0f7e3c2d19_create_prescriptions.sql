-- revision: 5b0f7e3c2d19
-- down_revision: 27c6a30d7c24
-- message: Create prescriptions
-- create_date: 2025-11-14 11:20:00

-- +upgrade
CREATE TABLE prescriptions (
    id INTEGER NOT NULL PRIMARY KEY,
    visit_id INTEGER NOT NULL REFERENCES visits (id),
    drug VARCHAR(200) NOT NULL,
    dose VARCHAR(100) NOT NULL,
    note TEXT
);

-- +upgrade mysql
CREATE TABLE prescriptions (
    id INTEGER NOT NULL AUTO_INCREMENT PRIMARY KEY,
    visit_id INTEGER NOT NULL,
    drug VARCHAR(200) NOT NULL,
    dose VARCHAR(100) NOT NULL,
    note TEXT,
    CONSTRAINT fk_prescriptions_visit FOREIGN KEY (visit_id) REFERENCES visits (id)
);

-- +downgrade
DROP TABLE prescriptions;
