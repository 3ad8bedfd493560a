"""One numbering service for every numbered form: document numbers, inspection reports, and later
grants, acknowledgements and certificates."""
