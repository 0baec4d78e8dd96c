"""Early engagement on drafts: consultations on a commission's draft outcomes and specification."""
