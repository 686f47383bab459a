"""The clinic schema, step 5 (clinic_steps.py)."""
from clinic_steps import metadata_for

metadata = metadata_for(5)
