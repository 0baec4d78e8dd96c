"""Provider organisations and their people: later issues add the portal here."""
