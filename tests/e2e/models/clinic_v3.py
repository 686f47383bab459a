"""The clinic schema, step 3 (clinic_steps.py)."""
from clinic_steps import metadata_for

metadata = metadata_for(3)
