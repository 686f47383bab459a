-- revision: c4e9a7f1b6d2
-- down_revision: 5b0f7e3c2d19, 8d1e4b2a9c31
-- message: Merge billing into main
-- create_date: 2025-11-18 16:00:00

-- +upgrade
-- A merge revision joins the two heads; it needs no SQL of its own.

-- +downgrade
