"""Pure domain logic of CML: no Flask, no SQLAlchemy, no I/O beyond reading given files.

Everything here can be used from a CLI, a worker or a notebook, and is tested without an app.
"""
