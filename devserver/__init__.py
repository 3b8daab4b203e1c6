"""sst-dev: a local development server for serverless apps written the SST way."""

__all__: list[str] = []
