"""The scale benchmark's tools: `manage.py seed_scale` (synthetic data at scale) and
`manage.py benchmark` (pages, reports, exports, imports, throughput), results in results.md.
Not part of the product: installed only with BENCHMARK_TOOLS=1 (the Makefile's bench
targets), left out of the production image (.dockerignore). The top layer: it may import
every app, and no app imports it."""
