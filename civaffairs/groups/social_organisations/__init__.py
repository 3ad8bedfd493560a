"""Group 5, 社会组织疫情防控组: the registered social organisations, their prevention status over time,
the measures they report, and the notices sent to them with their acknowledgement of receipt."""
