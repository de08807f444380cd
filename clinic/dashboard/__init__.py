"""The staff dashboard: the admin index, different for each role (see ``clinic.admin``)."""
