"""The owner's back office: program, store, staff, customers, reports, backups, audit."""
