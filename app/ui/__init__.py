"""The Streamlit app (entry point: app/ui/Home.py). Talks to the services (app.services) only."""
