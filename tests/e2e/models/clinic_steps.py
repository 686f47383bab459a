"""The clinic schema (patients, visits, prescriptions) in five steps, as
SQLAlchemy Core metadata: clinic_v1 ... clinic_v5 are `metadata_for(N)`.

1. the tables (an enum type on PostgreSQL, a check, a unique constraint)
2. a foreign key visits -> patients with an index
3. a nullable unique column (patients.email), a varchar widened (visits.reason)
4. a column dropped (prescriptions.notes), a table with a check (allergies)
5. an index dropped (ix_visits_day), a NOT NULL column with a default
"""
import sqlalchemy as sa


def metadata_for(step):
    md = sa.MetaData()
    patient_cols = [
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("born", sa.Date),
        sa.Column("sex", sa.Enum("f", "m", "x", name="sex_kind")),
    ]
    if step >= 3:
        patient_cols.append(sa.Column("email", sa.String(200), nullable=True, unique=True))
    if step >= 5:
        patient_cols.append(sa.Column("active", sa.Boolean, nullable=False,
                                      server_default=sa.true()))
    sa.Table("patients", md, *patient_cols,
             sa.UniqueConstraint("name", "born", name="uq_patients_name_born"))

    fk = [sa.ForeignKey("patients.id", name="fk_visits_patient")] if step >= 2 else []
    visits = sa.Table("visits", md,
                      sa.Column("id", sa.Integer, primary_key=True),
                      sa.Column("patient_id", sa.Integer, *fk, nullable=False),
                      sa.Column("day", sa.Date, nullable=False),
                      sa.Column("reason", sa.String(200 if step >= 3 else 80)))
    if step < 5:
        sa.Index("ix_visits_day", visits.c.day)
    if step >= 2:
        sa.Index("ix_visits_patient", visits.c.patient_id)

    rx_cols = [
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("visit_id", sa.Integer, sa.ForeignKey("visits.id", name="fk_rx_visit"),
                  nullable=False),
        sa.Column("drug", sa.String(100), nullable=False),
        sa.Column("dose_mg", sa.Integer, nullable=False),
    ]
    if step < 4:
        rx_cols.append(sa.Column("notes", sa.Text))
    sa.Table("prescriptions", md, *rx_cols,
             sa.CheckConstraint("dose_mg > 0", name="ck_rx_dose_positive"))

    if step >= 4:
        sa.Table("allergies", md,
                 sa.Column("id", sa.Integer, primary_key=True),
                 sa.Column("patient_id", sa.Integer,
                           sa.ForeignKey("patients.id", name="fk_allergies_patient"),
                           nullable=False),
                 sa.Column("substance", sa.String(100), nullable=False),
                 sa.Column("severity", sa.Integer, nullable=False),
                 sa.CheckConstraint("severity BETWEEN 1 AND 5", name="ck_allergies_severity"))
    return md
