"""Group 7, 志愿服务组: volunteers, their activities and shifts, service hours and certificates."""
