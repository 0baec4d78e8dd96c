"""Social value delivered through agreements: the commitments the council accepts become KPIs of the
agreement (source "social value"), providers report against them in their monitoring returns, and
what accepted returns report is totalled here, in quantities and proxy pounds, for the agreement
page, dashboards and outcome pages."""
