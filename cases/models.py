# Models arrive with this app's issue; the app exists so the layout and URL table are complete.
