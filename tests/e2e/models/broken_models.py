"""A models module that cannot be imported (tests: exit 2 with the Python error)."""
import sqlalchemy as sa
import clinic_helpers_that_do_not_exist  # noqa: F401

metadata = sa.MetaData()
