"""Formats of the place (FORMAT_MODULE_PATH): English as it is written in Britain and
in the English-speaking offices of the region, day/month/year and a 24-hour clock, never
the United States' month/day/year and a.m./p.m. that Django's "en" defaults to. French has
no module here: Django's own French formats (j F Y, d/m/Y, H:i) are already right."""
