"""The demo that `make run` loads (DEMO=1): its data as named records in demo/data/, loaded
through the apps' services by demo/loaders/, run by `manage.py seed_demo`. The top layer: it
may import every app, and no app imports it. The production image leaves it out
(.dockerignore) but for this package's app config."""
