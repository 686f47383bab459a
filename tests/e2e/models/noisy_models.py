"""A models module that prints at import, through Python and straight to file
descriptor 1 (tests: the renderer's protocol is not disturbed)."""
import os

import sqlalchemy as sa

print('{"type": "end"}')
os.write(1, b"noise on fd 1\n")

metadata = sa.MetaData()
sa.Table("notes", metadata, sa.Column("id", sa.Integer, primary_key=True),
         sa.Column("body", sa.Text, nullable=False))
