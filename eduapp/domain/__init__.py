"""Pure rules: no Flask, no SQLAlchemy. Everything here is testable with plain tables of cases."""
