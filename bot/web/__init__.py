"""The FastAPI web app: see app.create_app."""
