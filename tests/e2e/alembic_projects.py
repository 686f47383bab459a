"""Real Alembic projects for the `schemagate import alembic` tests, modeled on
the workflows of the teams schemagate is for: a clinic schema (patients,
visits, prescriptions), autogenerate-style op.* revisions, a labelled
branch (billing) merged back, a depends_on across branches, data migrations
with op.execute and op.bulk_insert, a column rename, indexes, an enum (a
native type on PostgreSQL), a batch_alter_table (the SQLite table copy), a
file_template, and a data migration that reads from the connection.

    r1 -> r2 -> r3 (visits) -> r6 (rename, backfill) --\
            \-> r4 (billing) -> r5 (seed codes, depends_on r3) -- r7 (merge) -> r8 (batch)
                                                                               -> r9 (get_bind)
"""
import os
import textwrap

R1, R2, R3 = "3f5aacf09e0d", "1975ea83b712", "27c6a30d7c24"
R4, R5, R6 = "b1d2e3f4a5b6", "c7d8e9f0a1b2", "d4e5f6a7b8c9"
R7, R8, R9 = "e5f6a7b8c9d0", "f6a7b8c9d0e1", "0a1b2c3d4e5f"
HEAD = R9
MIDDLE = R6  # Alembic stops here in "continue from the middle"

FILE_TEMPLATE = "%%(year)d%%(month).2d%%(day).2d_%%(hour).2d%%(minute).2d_%%(rev)s_%%(slug)s"

ENV_PY = '''\
"""env.py of a team project: the URL comes from the environment."""
import os

from alembic import context
from sqlalchemy import create_engine

config = context.config
url = os.environ.get("DATABASE_URL") or config.get_main_option("sqlalchemy.url")

if context.is_offline_mode():
    context.configure(url=url, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = create_engine(url)
    with engine.connect() as connection:
        context.configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
'''

# (rev, down, labels, depends, message, date, upgrade, downgrade)
REVISIONS = [
    (R1, None, None, None, "Initial schema", "2025-11-01 09:00:00.123456", """
        op.create_table(
            'patients',
            sa.Column('id', sa.Integer(), nullable=False),
            sa.Column('patient_id', sa.String(length=50), nullable=False),
            sa.Column('name', sa.String(length=100), nullable=True),
            sa.Column('date_of_birth', sa.Date(), nullable=True),
            sa.PrimaryKeyConstraint('id'),
        )
        op.create_index('ix_patients_patient_id', 'patients', ['patient_id'], unique=True)
    """, """
        op.drop_index('ix_patients_patient_id', table_name='patients')
        op.drop_table('patients')
    """),
    (R2, R1, None, None, "Add patient contact information", "2025-11-03 14:30:00", """
        op.add_column('patients', sa.Column('email', sa.String(length=120), nullable=True))
        op.add_column('patients', sa.Column('phone', sa.String(length=20), nullable=True))
        op.create_index('ix_patients_email', 'patients', ['email'], unique=True)
    """, """
        op.drop_index('ix_patients_email', table_name='patients')
        op.drop_column('patients', 'phone')
        op.drop_column('patients', 'email')
    """),
    (R3, R2, None, None, "Create visits table", "2025-11-05 10:15:00", """
        op.create_table(
            'visits',
            sa.Column('id', sa.Integer(), nullable=False),
            sa.Column('patient_id', sa.Integer(), nullable=False),
            sa.Column('visit_date', sa.DateTime(), nullable=False),
            sa.Column('status', sa.Enum('scheduled', 'completed', 'cancelled',
                                        name='visit_status'), nullable=True),
            sa.Column('notes', sa.Text(), nullable=True),
            sa.ForeignKeyConstraint(['patient_id'], ['patients.id']),
            sa.PrimaryKeyConstraint('id'),
        )
        op.create_index('ix_visits_patient_date', 'visits', ['patient_id', 'visit_date'])
    """, """
        op.drop_table('visits')  # with its indexes (MySQL: one backs the foreign key)
        if op.get_context().dialect.name == 'postgresql':
            op.execute('DROP TYPE visit_status')
    """),
    (R4, R2, ("billing",), None, "Create prescriptions table", "2025-11-06 11:00:00", """
        op.create_table(
            'prescriptions',
            sa.Column('id', sa.Integer(), nullable=False),
            sa.Column('prescription_id', sa.String(length=40), nullable=True),
            sa.Column('patient_id', sa.Integer(), nullable=True),
            sa.Column('medication_name', sa.String(length=100), nullable=False),
            sa.Column('dosage', sa.String(length=50), nullable=True),
            sa.Column('created_at', sa.DateTime(), server_default=sa.text('CURRENT_TIMESTAMP'),
                      nullable=True),
            sa.ForeignKeyConstraint(['patient_id'], ['patients.id']),
            sa.PrimaryKeyConstraint('id'),
        )
        op.create_index('ix_prescriptions_prescription_id', 'prescriptions',
                        ['prescription_id'], unique=True)
    """, """
        op.drop_index('ix_prescriptions_prescription_id', table_name='prescriptions')
        op.drop_table('prescriptions')
    """),
    (R5, R4, None, R3, "Seed medication codes", "2025-11-07 08:45:00", """
        codes = op.create_table(
            'medication_codes',
            sa.Column('code', sa.String(length=10), nullable=False),
            sa.Column('label', sa.String(length=100), nullable=False),
            sa.Column('controlled', sa.Boolean(), nullable=False),
            sa.PrimaryKeyConstraint('code'),
        )
        op.bulk_insert(codes, [
            {'code': 'AMX500', 'label': "Amoxicillin 500 mg", 'controlled': False},
            {'code': 'OXY10', 'label': "Oxycodone 10 mg (patient's own)", 'controlled': True},
        ])
        op.execute("UPDATE prescriptions SET dosage = 'as directed' WHERE dosage IS NULL")
    """, """
        op.drop_table('medication_codes')
    """),
    (R6, R3, None, None, "Rename visit notes and backfill status", "2025-11-08 16:20:00", """
        op.alter_column('visits', 'notes', new_column_name='visit_notes',
                        existing_type=sa.Text(), existing_nullable=True)
        op.execute("UPDATE visits SET status = 'completed' WHERE status IS NULL")
        op.create_index('ix_visits_status', 'visits', ['status'])
    """, """
        op.drop_index('ix_visits_status', table_name='visits')
        op.alter_column('visits', 'visit_notes', new_column_name='notes',
                        existing_type=sa.Text(), existing_nullable=True)
    """),
    (R7, (R5, R6), None, None, "Merge billing and visits", "2025-11-09 09:00:00", """
        pass
    """, """
        pass
    """),
    (R8, R7, None, None, "Patient risk score, drop phone", "2025-11-10 13:05:00", """
        with op.batch_alter_table('patients') as batch_op:
            batch_op.add_column(sa.Column('risk_score', sa.Float(), nullable=True))
            batch_op.drop_column('phone')
    """, """
        with op.batch_alter_table('patients') as batch_op:
            batch_op.add_column(sa.Column('phone', sa.String(length=20), nullable=True))
            batch_op.drop_column('risk_score')
    """),
    (R9, R8, None, None, "Split first name", "2025-11-11 10:00:00", """
        op.add_column('patients', sa.Column('first_name', sa.String(length=50), nullable=True))
        patients = sa.table('patients', sa.column('id', sa.Integer),
                            sa.column('name', sa.String), sa.column('first_name', sa.String))
        conn = op.get_bind()
        for pid, name in conn.execute(sa.select(patients.c.id, patients.c.name)).fetchall():
            if name:
                conn.execute(patients.update().where(patients.c.id == pid)
                             .values(first_name=name.split(' ', 1)[0]))
    """, """
        op.drop_column('patients', 'first_name')
    """),
]

# What a person writes in place of R9's flagged upgrade (all three databases).
R9_SQL = ("ALTER TABLE patients ADD COLUMN first_name VARCHAR(50);\n"
          "UPDATE patients SET first_name = name;\n")


def _module(rev, down, labels, depends, message, date, up, down_body):
    doc = '"""%s\n\nRevision ID: %s\nRevises: %s\nCreate Date: %s\n\n"""' % (
        message, rev, ", ".join(down) if isinstance(down, tuple) else (down or ""), date)
    body = [doc, "from alembic import op", "import sqlalchemy as sa", "",
            "", "# revision identifiers, used by Alembic.",
            "revision = %r" % rev, "down_revision = %r" % (down,),
            "branch_labels = %r" % (labels,), "depends_on = %r" % (depends,), "", "",
            "def upgrade():", textwrap.indent(textwrap.dedent(up).strip(), "    "), "", "",
            "def downgrade():", textwrap.indent(textwrap.dedent(down_body).strip(), "    ")]
    return "\n".join(body) + "\n"


def write_project(root, url, revisions=REVISIONS, file_template=True):
    """A plain layout: alembic.ini + alembic/env.py + alembic/versions/*.py."""
    versions = os.path.join(root, "alembic", "versions")
    os.makedirs(versions)
    ini = ["[alembic]", "script_location = alembic", "prepend_sys_path = ."]
    if file_template:
        ini.append("file_template = " + FILE_TEMPLATE)
    ini.append("sqlalchemy.url = " + url.replace("%", "%%"))
    with open(os.path.join(root, "alembic.ini"), "w") as f:
        f.write("\n".join(ini) + "\n")
    with open(os.path.join(root, "alembic", "env.py"), "w") as f:
        f.write(ENV_PY)
    for i, r in enumerate(revisions):
        name = "%02d_%s_%s.py" % (i, r[0], r[4].lower().replace(" ", "_").replace(",", ""))
        with open(os.path.join(versions, name), "w") as f:
            f.write(_module(*r))
    return os.path.join(root, "alembic.ini")


FLASK_ENV_PY = '''\
import logging
from flask import current_app
from alembic import context

config = context.config
config.set_main_option('sqlalchemy.url', str(
    current_app.extensions['migrate'].db.get_engine().url).replace('%', '%%'))
target_metadata = current_app.extensions['migrate'].db.metadata
context.configure(url=config.get_main_option('sqlalchemy.url'))
with context.begin_transaction():
    context.run_migrations()
'''

FLASK_INI = """\
# A generic, single database configuration (Flask-Migrate).

[alembic]
# template used to generate migration files
# file_template = %%(rev)s_%%(slug)s

[loggers]
keys = root
[handlers]
keys = console
[formatters]
keys = generic
[logger_root]
level = WARN
handlers = console
[handler_console]
class = StreamHandler
args = (sys.stderr,)
formatter = generic
[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
"""

F1, F2, F3 = "a0b1c2d3e4f5", "b1c2d3e4f5a6", "c2d3e4f5a6b7"


def write_flask_project(root):
    """Flask-Migrate's layout: migrations/ with alembic.ini (no script_location)
    and an env.py that needs the running app; one revision imports the app."""
    mig = os.path.join(root, "migrations")
    versions = os.path.join(mig, "versions")
    os.makedirs(versions)
    with open(os.path.join(mig, "alembic.ini"), "w") as f:
        f.write(FLASK_INI)
    with open(os.path.join(mig, "env.py"), "w") as f:
        f.write(FLASK_ENV_PY)
    revs = [
        (F1, None, None, None, "users table", "2025-10-01 12:00:00", """
            op.create_table('users', sa.Column('id', sa.Integer(), primary_key=True),
                            sa.Column('email', sa.String(120), nullable=False))
        """, "op.drop_table('users')"),
        (F2, F1, None, None, "user sessions", "2025-10-02 12:00:00", """
            op.create_table('user_sessions', sa.Column('id', sa.Integer(), primary_key=True),
                            sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id')))
        """, "op.drop_table('user_sessions')"),
    ]
    for r in revs:
        with open(os.path.join(versions, "%s_%s.py" % (r[0], r[4].replace(" ", "_"))), "w") as f:
            # What a module prints must not disturb the importer's output.
            f.write(_module(*r) + "\nprint('loaded %s')\n" % r[0])
    app_rev = _module(F3, F2, None, None, "wizard states from the models", "2025-10-03 12:00:00",
                      "op.create_table(WizardState.__tablename__, *WizardState.columns())",
                      "op.drop_table(WizardState.__tablename__)")
    app_rev = app_rev.replace("import sqlalchemy as sa\n",
                              "import sqlalchemy as sa\nfrom myapp.models import WizardState\n")
    with open(os.path.join(versions, F3 + "_wizard_states.py"), "w") as f:
        f.write(app_rev)
    return mig
