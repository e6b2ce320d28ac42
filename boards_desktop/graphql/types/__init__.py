"""The GraphQL object types, each built from a database row by its `from_row`."""
