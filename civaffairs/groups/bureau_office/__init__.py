"""Group 1, 局机关疫情防控组: the bureau's own staff, their daily health check-ins, visitors and disinfection of the offices."""
