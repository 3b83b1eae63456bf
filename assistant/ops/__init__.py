"""Operations helpers: a local cluster of the production pieces (PostgreSQL, Redis, nodes, nginx)."""
