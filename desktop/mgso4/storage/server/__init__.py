"""The unit record on a PostgreSQL server: the ward PCs share one record.

* :mod:`.connection` — connecting (libpq URI, TLS when offered, password from a pgpass file
  or the OS keyring), and the small adapter that lets ``storage.store`` speak to PostgreSQL.
* :mod:`.schema` — ``mgso4 server init``: the schema, its append-only triggers and the
  least-privilege roles.
* :mod:`.store` — :class:`~mgso4.storage.server.store.ServerStore`, the ``Store`` whose
  database is the server.
* :mod:`.snapshot` — the server record copied into the SQLite record format (backups,
  ``verify``).
* :mod:`.watch` — LISTEN/NOTIFY (with a polling fallback) for the live ward board.
"""
