"""SQLAlchemy Core statements compiled once and run on the pooled connection's own driver cursor: the scan's path.

A busy door sends a scan every few milliseconds, and a scan is two statements. Through ``Connection.execute``
each of them cost about three times what the driver itself spends: the statement cache's key, an execution
context, and a result object built from the cursor's description (psycopg makes one object per column on every
call: a third of the holder's SELECT). Measured by counting instructions (callgrind, so that a busy machine does
not blur it): 604,000 per execution of the holder's SELECT through ``Connection.execute``, 199,000 through its
driver cursor.

``Prepared`` keeps everything else SQLAlchemy's: the SQL is the statement's own, compiled once per dialect; each
parameter and each column still passes through its type's processor (an enum arrives as the enum, a date on
SQLite is written as SQLAlchemy writes it); the engine's cursor events still fire (statement logs, tests that
count statements); a driver error still arrives as SQLAlchemy's ``DBAPIError``, with ``connection_invalidated``
set when the connection had died (the connection is invalidated, as ``Connection.execute`` does), so that the
caller's retry works the same; and the statement runs in the connection's transaction, if it has one.
"""
from __future__ import annotations

from collections import namedtuple

from sqlalchemy.exc import DBAPIError


class _Compiled:
    """A statement compiled for one dialect, with its parameters' and columns' processors."""

    def __init__(self, statement, dialect):
        compiled = statement.compile(dialect=dialect)
        if compiled.insert_prefetch or compiled.update_prefetch:  # defaults the execution context would compute
            raise ValueError("Prepared statements take every column's value as a parameter; not given: "
                             + ", ".join(c.key for c in [*compiled.insert_prefetch, *compiled.update_prefetch]))
        self.sql = compiled.string
        self.positions = compiled.positiontup if dialect.positional else None
        # Each parameter: from the caller's values by its key (a bindparam("event_id")), or the statement's own
        # value (a literal), through its type's processor: what construct_params() and the execution context do.
        given, self.fixed = {}, {}
        for bind, name in compiled.bind_names.items():  # a name used twice (event_id) is one parameter
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if bind.required:
                given[name] = (name, bind.key, processor)
            else:
                self.fixed[name] = bind.effective_value if processor is None else processor(bind.effective_value)
        self.given = list(given.values())
        columns = list(statement.exported_columns)  # the SELECT's columns, or what an INSERT returns
        self.row = namedtuple("Row", [column.key for column in columns], rename=True) if columns else None
        self.result = [column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns]

    def parameters(self, values: dict):
        params = dict(self.fixed)
        for name, key, processor in self.given:
            params[name] = values[key] if processor is None else processor(values[key])
        return params if self.positions is None else tuple(params[name] for name in self.positions)

    def shaped(self, row):
        return self.row._make(value if process is None else process(value)
                              for value, process in zip(row, self.result))


class Prepared:
    """``Prepared(statement).first(connection, values)``: the first row (a named tuple, columns processed), or
    None; ``run(connection, values)`` for a statement that returns nothing."""

    def __init__(self, statement):
        self.statement = statement
        self._by_dialect: dict[str, _Compiled] = {}

    def _compiled(self, dialect) -> _Compiled:
        compiled = self._by_dialect.get(dialect.name)
        if compiled is None:
            compiled = self._by_dialect[dialect.name] = _Compiled(self.statement, dialect)
        return compiled

    def parameters(self, dialect, values: dict):
        """What the driver is given for ``values`` (processed, in the dialect's order)."""
        return self._compiled(dialect).parameters(values)

    def first(self, connection, values: dict):
        compiled = self._compiled(connection.dialect)
        row = self._execute(connection, compiled, values, fetch=True)
        return compiled.shaped(row) if row is not None else None

    def run(self, connection, values: dict) -> None:
        self._execute(connection, self._compiled(connection.dialect), values, fetch=False)

    @staticmethod
    def _execute(connection, compiled: _Compiled, values: dict, *, fetch: bool):
        params = compiled.parameters(values)
        dialect, driver = connection.dialect, connection.connection.driver_connection
        cursor = driver.cursor()
        try:
            connection.dispatch.before_cursor_execute(connection, cursor, compiled.sql, params, None, False)
            cursor.execute(compiled.sql, params)
            connection.dispatch.after_cursor_execute(connection, cursor, compiled.sql, params, None, False)
            return cursor.fetchone() if fetch else None
        except dialect.loaded_dbapi.Error as err:
            died = dialect.is_disconnect(err, connection.connection.dbapi_connection, cursor)
            if died:
                connection.invalidate(err)
            raise DBAPIError.instance(compiled.sql, params, err, dialect.loaded_dbapi.Error,
                                      connection_invalidated=died, dialect=dialect) from err
        finally:
            cursor.close()
