"""ORM-free helpers of the integration engine: signatures, payload parsing, schemas, OpenAPI."""
