"""REST endpoints: health, and later SSE, uploads and media."""
