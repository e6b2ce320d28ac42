"""The database: engines, the schema files and their runner, generated models, and queries."""
