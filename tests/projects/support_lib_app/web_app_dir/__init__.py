"""The app's package, imported as the Handler names it."""
