-- revision: bb22
-- down_revision: aa11
-- transaction: false
-- +upgrade mysql
DELIMITER //
CREATE PROCEDURE p() BEGIN SELECT 1; END //
BEGIN NOT ATOMIC SELECT 2; END //
DELIMITER ;
/*!40101 SET NAMES utf8 */;
SELECT 'it\'s', `back``tick`, "dq\"x" # comment
;
START TRANSACTION; COMMIT;
-- +upgrade
SELECT 1;
