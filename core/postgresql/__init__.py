"""PostgreSQL as Django's own backend, plus the client's deadline on every wait (see base.py)."""
