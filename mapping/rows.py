"""Model instances from rows read in SQL, for the few queries on every request's path (the gate, the
session): the ORM spends longer building such a join than the database answering it. Table and
column names come from the models; every value is a parameter.
"""

import functools

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model

MAX_ID = 2**63 - 1  # the largest id a BigAutoField holds: a larger one names no row, and the database would refuse it


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


@functools.cache
def columns(model: type[Model]) -> list[str]:
    return [str(field.column) for field in model._meta.concrete_fields]


def select_list(alias: str, model: type[Model]) -> str:
    """``alias."col", …`` for every column of ``model``, in the order ``from_row`` reads them."""
    return ", ".join(f"{alias}.{quote(column)}" for column in columns(model))


def from_row[ModelT: Model](model: type[ModelT], values: tuple) -> ModelT:
    """A model instance from its columns as the database sent them, converted as the ORM converts them."""
    database = connections[DEFAULT_DB_ALIAS]  # this thread's connection: the converters are its own
    names, converters = _reading(model, database)
    converted = list(values)
    for n, column, found in converters:
        for converter in found:
            converted[n] = converter(converted[n], column, database)
    return model.from_db(database.alias, names, converted)


@functools.cache
def _reading(model: type[Model], database: BaseDatabaseWrapper) -> tuple[list[str], list[tuple]]:
    """The attribute names of ``model``'s columns, and the ORM's converters of those that have any
    (by position): worked out once per model and connection, not on every row."""
    fields = model._meta.concrete_fields
    converters = []
    for n, field in enumerate(fields):
        column = field.get_col(model._meta.db_table)
        found = database.ops.get_db_converters(column) + column.get_db_converters(database)
        if found:
            converters.append((n, column, found))
    return [field.attname for field in fields], converters
