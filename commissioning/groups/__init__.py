"""Member working groups: the councillors named to a commission's working group, what they read (the
working documents of Understand and Plan) and their comments, which go into the engagement log."""
