"""The agreements reviews of existing services cover, answering `commissioning.ports.reviewed_agreements`."""
