"""`python -m assistant` runs the onething CLI."""

from assistant.cli import app

app()
