"""The data-access layer: every query the app runs, as functions of a session. Resolvers call these."""
