"""Model instances from rows read in SQL, for the few queries on every request's path (the gate, the
session): the ORM spends longer building such a join than the database answering it. Table and
column names come from the models; every value is a parameter.
"""

from django.db import connection
from django.db.models import Model


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def columns(model: type[Model]) -> list[str]:
    return [str(field.column) for field in model._meta.concrete_fields]


def select_list(alias: str, model: type[Model]) -> str:
    """``alias."col", …`` for every column of ``model``, in the order ``from_row`` reads them."""
    return ", ".join(f"{alias}.{quote(column)}" for column in columns(model))


def from_row[ModelT: Model](model: type[ModelT], values: tuple) -> ModelT:
    """A model instance from its columns as the database sent them, converted as the ORM converts them."""
    fields = model._meta.concrete_fields
    converted = []
    for field, value in zip(fields, values, strict=True):
        column = field.get_col(model._meta.db_table)
        for converter in connection.ops.get_db_converters(column) + column.get_db_converters(connection):
            value = converter(value, column, connection)
        converted.append(value)
    return model.from_db(connection.alias, [field.attname for field in fields], converted)
