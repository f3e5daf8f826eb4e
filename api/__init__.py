"""The REST API (`/api/v1/`) and signed webhooks: other systems and the field app reach the
same services, selectors and access policy as the pages, as the user whose token they hold.
A top layer, beside `home`: it may import every app, and no app imports it."""
