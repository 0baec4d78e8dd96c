"""Reviews of existing services: opening one, its evidence, and its conclusion (`Review`)."""
