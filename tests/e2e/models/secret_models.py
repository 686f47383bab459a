"""A models module whose import error holds a database URL with a password
(tests: the password is masked in schemagate's message)."""
raise RuntimeError("cannot reach postgresql://app:Sup3rSecretPw@db.internal/app")
