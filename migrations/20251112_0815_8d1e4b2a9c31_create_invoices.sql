-- revision: 8d1e4b2a9c31
-- down_revision: 3f5aacf09e0d
-- message: Create invoices
-- create_date: 2025-11-12 08:15:00
-- branch_labels: billing

-- +upgrade
-- The billing team works on its own branch, labelled "billing"; it is
-- merged into the main line by c4e9a7f1b6d2.
CREATE TABLE invoices (
    id INTEGER NOT NULL PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patients (id),
    amount_cents INTEGER NOT NULL CHECK (amount_cents >= 0),
    issued_on DATE NOT NULL
);

-- +upgrade mysql
CREATE TABLE invoices (
    id INTEGER NOT NULL AUTO_INCREMENT PRIMARY KEY,
    patient_id INTEGER NOT NULL,
    amount_cents INTEGER NOT NULL CHECK (amount_cents >= 0),
    issued_on DATE NOT NULL,
    CONSTRAINT fk_invoices_patient FOREIGN KEY (patient_id) REFERENCES patients (id)
);

-- +downgrade
DROP TABLE invoices;
