-- revision: 9e2d6c8a4f10
-- down_revision: c4e9a7f1b6d2
-- message: Track visit updates
-- create_date: 2025-11-20 09:30:00

-- +upgrade sqlite
ALTER TABLE visits ADD COLUMN updated_at TIMESTAMP;
CREATE TRIGGER trg_visits_updated AFTER UPDATE OF reason ON visits
BEGIN
    UPDATE visits SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id;
END;

-- +upgrade postgresql
ALTER TABLE visits ADD COLUMN updated_at TIMESTAMP;
CREATE FUNCTION touch_visit() RETURNS trigger AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER trg_visits_updated BEFORE UPDATE ON visits
    FOR EACH ROW EXECUTE FUNCTION touch_visit();

-- +upgrade mysql
ALTER TABLE visits ADD COLUMN updated_at DATETIME;
DELIMITER //
CREATE TRIGGER trg_visits_updated BEFORE UPDATE ON visits
FOR EACH ROW
BEGIN
    SET NEW.updated_at = NOW();
END//
DELIMITER ;

-- +downgrade sqlite
DROP TRIGGER trg_visits_updated;
ALTER TABLE visits DROP COLUMN updated_at;

-- +downgrade postgresql
DROP TRIGGER trg_visits_updated ON visits;
DROP FUNCTION touch_visit();
ALTER TABLE visits DROP COLUMN updated_at;

-- +downgrade mysql
DROP TRIGGER trg_visits_updated;
ALTER TABLE visits DROP COLUMN updated_at;
