"""The applications store: tables, migrations, the database, and checks of uploaded files."""
