"""The clinic models, declarative (the ATTR is `Base`): patients, visits,
prescriptions with a foreign key, an index, a unique constraint, a check and,
on PostgreSQL, an enum type. A CHECK with a LIKE pattern keeps its '%'."""
import sqlalchemy as sa
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


class Patient(Base):
    __tablename__ = "patients"
    id = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(sa.String(100), nullable=False)
    email = sa.Column(sa.String(200), unique=True)
    sex = sa.Column(sa.Enum("f", "m", "x", name="sex_kind"))
    born = sa.Column(sa.Date)
    __table_args__ = (sa.CheckConstraint("email LIKE '%@%'", name="ck_patients_email"),)


class Visit(Base):
    __tablename__ = "visits"
    id = sa.Column(sa.Integer, primary_key=True)
    patient_id = sa.Column(sa.Integer, sa.ForeignKey("patients.id", name="fk_visits_patient"),
                           nullable=False, index=True)
    day = sa.Column(sa.Date, nullable=False)
    reason = sa.Column(sa.String(200))
    patient = relationship(Patient)


class Prescription(Base):
    __tablename__ = "prescriptions"
    id = sa.Column(sa.Integer, primary_key=True)
    visit_id = sa.Column(sa.Integer, sa.ForeignKey("visits.id", name="fk_rx_visit"), nullable=False)
    drug = sa.Column(sa.String(100), nullable=False)
    dose_mg = sa.Column(sa.Integer, nullable=False)
    __table_args__ = (sa.CheckConstraint("dose_mg > 0", name="ck_rx_dose_positive"),
                      sa.Index("ix_rx_drug", "drug"))
