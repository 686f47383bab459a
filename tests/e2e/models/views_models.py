"""Models with a view: SQLAlchemy has no view object, so the view is DDL on
the metadata's after_create event (tests: rendered in its place)."""
import sqlalchemy as sa

metadata = sa.MetaData()
visits = sa.Table("visits", metadata,
                  sa.Column("id", sa.Integer, primary_key=True),
                  sa.Column("day", sa.Date, nullable=False),
                  sa.Column("cancelled", sa.Boolean, nullable=False, server_default=sa.false()))
sa.event.listen(metadata, "after_create",
                sa.DDL("CREATE VIEW open_visits AS SELECT id, day FROM visits WHERE cancelled = %s"
                       % "false").execute_if(dialect="postgresql"))
sa.event.listen(metadata, "after_create",
                sa.DDL("CREATE VIEW open_visits AS SELECT id, day FROM visits WHERE cancelled = 0")
                .execute_if(dialect=("sqlite", "mysql")))
